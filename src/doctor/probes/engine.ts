// Facts about the Docker engine that several probes share, fetched once per doctor run.
import {
  connectDocker,
  resolveDockerEndpoint,
  type ContainerSummary,
  type DockerClient,
  type DockerEndpoint,
  type DockerUnavailable,
  type EngineVersion,
  classifyDockerError,
} from '../../docker/client.js';
import type { ProbeContext } from '../types.js';

export type EngineFacts =
  | { reachable: true; endpoint: DockerEndpoint; client: DockerClient; version: EngineVersion }
  | { reachable: false; endpoint: DockerEndpoint; error: DockerUnavailable };

/**
 * Docker calls get what is left of a probe's time after loading the client, less a margin, so the
 * probe can still say what went wrong (the engine answers nothing) instead of just timing out.
 */
function dockerTimeout(ctx: ProbeContext, started: number): number {
  return Math.max(200, ctx.timeoutMs - (Date.now() - started) - 300);
}

export function engineFacts(ctx: ProbeContext): Promise<EngineFacts> {
  return ctx.once('docker-engine', async (): Promise<EngineFacts> => {
    const started = Date.now();
    const endpoint = await resolveDockerEndpoint(ctx.env, ctx.platform, ctx.home, ctx.readFile);
    try {
      await import('dockerode');
      const client = await connectDocker(endpoint, dockerTimeout(ctx, started));
      return { reachable: true, endpoint, client, version: await client.version() };
    } catch (error) {
      return { reachable: false, endpoint, error: classifyDockerError(error, endpoint) };
    }
  });
}

/** Every container, or undefined when the engine cannot be reached. */
export function containerList(ctx: ProbeContext): Promise<ContainerSummary[] | undefined> {
  return ctx.once('docker-containers', async () => {
    const facts = await engineFacts(ctx);
    if (!facts.reachable) return undefined;
    return facts.client.listContainers().catch(() => undefined);
  });
}
