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

/** Loads the Docker client (dockerode); probes that ask the engine do it before their clock starts. */
export async function loadDockerClient(): Promise<void> {
  await import('dockerode');
}

/**
 * Docker calls get what is left of a probe's time, less a margin, so the probe can still say what went
 * wrong (the engine answers nothing) instead of just timing out. The clock starts once the client is
 * loaded: a slow load on a busy machine is dec's time, not the engine's.
 */
function dockerTimeout(ctx: ProbeContext, started: number): number {
  return Math.max(200, ctx.timeoutMs - (Date.now() - started) - 300);
}

export function engineFacts(ctx: ProbeContext): Promise<EngineFacts> {
  return ctx.once('docker-engine', async (): Promise<EngineFacts> => {
    const endpoint = await resolveDockerEndpoint(ctx.env, ctx.platform, ctx.home, ctx.readFile);
    try {
      await loadDockerClient();
      const started = Date.now();
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
