// The real DockerFacts: the engine facts several probes share, fetched once per doctor run through
// the one Docker client (docker/client.ts). Probes and fixes reach the engine only through this.
import {
  classifyDockerError,
  connectDocker,
  resolveDockerEndpoint,
  type ContainerSummary,
  type DockerClient,
  type DockerEndpoint,
} from '../docker/client.js';
import type { DockerFacts, EngineFacts } from './types.js';

export interface DockerFactsOptions {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  home: string;
  readFile(path: string): Promise<string | undefined>;
  /** The probe's time limit: Docker calls get what is left of it. */
  timeoutMs: number;
  /** Loads the Docker client (dockerode); replaceable so a test can make the load slow. */
  loadClient?: () => Promise<void>;
  connect?: (endpoint: DockerEndpoint, timeoutMs: number) => Promise<DockerClient>;
}

/** Loads the Docker client (dockerode); probes that ask the engine do it before their clock starts. */
export async function loadDockerClient(): Promise<void> {
  await import('dockerode');
}

/**
 * Docker calls get what is left of a probe's time, less a margin, so the probe can still say what went
 * wrong (the engine answers nothing) instead of just timing out. The clock starts once the client is
 * loaded: a slow load on a busy machine is dec's time, not the engine's.
 */
function dockerTimeout(timeoutMs: number, started: number): number {
  // The margin grows with the limit: on a loaded machine the event loop can lag by a few hundred ms,
  // and the probe's own deadline must not win the race against the engine's clearer message.
  const margin = Math.max(300, timeoutMs / 4);
  return Math.max(200, timeoutMs - (Date.now() - started) - margin);
}

export function realDockerFacts(options: DockerFactsOptions): DockerFacts {
  const loadClient = options.loadClient ?? loadDockerClient;
  const connect = options.connect ?? connectDocker;
  let engine: Promise<EngineFacts> | undefined;
  let containers: Promise<ContainerSummary[] | undefined> | undefined;

  const facts: DockerFacts = {
    load: loadClient,
    engine() {
      engine ??= (async (): Promise<EngineFacts> => {
        const endpoint = await resolveDockerEndpoint(options.env, options.platform, options.home, options.readFile);
        try {
          await loadClient();
          const started = Date.now();
          const client = await connect(endpoint, dockerTimeout(options.timeoutMs, started));
          return { reachable: true, endpoint, client, version: await client.version() };
        } catch (error) {
          return { reachable: false, endpoint, error: classifyDockerError(error, endpoint) };
        }
      })();
      return engine;
    },
    containers() {
      containers ??= facts
        .engine()
        .then((found) => (found.reachable ? found.client.listContainers().catch(() => undefined) : undefined));
      return containers;
    },
  };
  return facts;
}
