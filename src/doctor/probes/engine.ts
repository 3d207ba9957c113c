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

/** Docker calls get a little less than a probe's time, so the probe can still say what went wrong. */
function dockerTimeout(ctx: ProbeContext): number {
  return Math.max(200, Math.round(ctx.timeoutMs * 0.85));
}

export function engineFacts(ctx: ProbeContext): Promise<EngineFacts> {
  return ctx.once('docker-engine', async (): Promise<EngineFacts> => {
    const endpoint = await resolveDockerEndpoint(ctx.env, ctx.platform, ctx.home, ctx.readFile);
    try {
      const client = await connectDocker(endpoint, dockerTimeout(ctx));
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
