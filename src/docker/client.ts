// A narrow Docker Engine client over dockerode: which engine to talk to (DOCKER_HOST, the active
// context, the default socket), every call bounded by a timeout, and errors sorted into what a
// student can act on (not running, socket missing, permission denied, answers nothing).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DecError } from '../errors.js';

export interface DockerEndpoint {
  /** unix:///var/run/docker.sock, tcp://host:2376, npipe:////./pipe/docker_engine */
  url: string;
  /** Where the choice came from, for messages and the doctor's report. */
  source: string;
  /** The docker context's name, when one chose the endpoint. */
  context?: string;
}

export type DockerFailure = 'socket-missing' | 'permission-denied' | 'not-running' | 'no-answer' | 'unknown';

export class DockerUnavailable extends Error {
  constructor(
    readonly failure: DockerFailure,
    readonly endpoint: DockerEndpoint,
    message: string,
  ) {
    super(message);
    this.name = 'DockerUnavailable';
  }
}

export interface ContainerPort {
  hostIp?: string;
  hostPort?: number;
  containerPort: number;
}

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: string;
  labels: Record<string, string>;
  ports: ContainerPort[];
}

export interface EngineVersion {
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
}

export interface EngineInfo {
  memTotal: number;
  cpus: number;
  rootDir: string;
  name: string;
  operatingSystem: string;
}

export interface DockerClient {
  endpoint: DockerEndpoint;
  ping(): Promise<void>;
  version(): Promise<EngineVersion>;
  info(): Promise<EngineInfo>;
  listContainers(): Promise<ContainerSummary[]>;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string): Promise<void>;
}

type Env = NodeJS.ProcessEnv;

function defaultSocket(platform: NodeJS.Platform, home: string): DockerEndpoint {
  if (platform === 'win32') return { url: 'npipe:////./pipe/docker_engine', source: 'the default named pipe' };
  if (platform === 'darwin') {
    return { url: `unix://${join(home, '.docker', 'run', 'docker.sock')}`, source: "Docker Desktop's socket" };
  }
  return { url: 'unix:///var/run/docker.sock', source: 'the default socket' };
}

/** DOCKER_HOST, then DOCKER_CONTEXT or the config's current context, then the platform's socket. */
export async function resolveDockerEndpoint(
  env: Env,
  platform: NodeJS.Platform,
  home: string,
  read: (path: string) => Promise<string | undefined> = (path) => readFile(path, 'utf8').catch(() => undefined),
): Promise<DockerEndpoint> {
  if (env.DOCKER_HOST) return { url: env.DOCKER_HOST, source: 'DOCKER_HOST' };
  const configDir = env.DOCKER_CONFIG || join(home, '.docker');
  let context = env.DOCKER_CONTEXT;
  if (!context) {
    try {
      context = (JSON.parse((await read(join(configDir, 'config.json'))) ?? '{}') as { currentContext?: string })
        .currentContext;
    } catch {
      context = undefined;
    }
  }
  if (context && context !== 'default') {
    const id = createHash('sha256').update(context).digest('hex');
    try {
      const meta = JSON.parse((await read(join(configDir, 'contexts', 'meta', id, 'meta.json'))) ?? '{}') as {
        Endpoints?: { docker?: { Host?: string } };
      };
      const host = meta.Endpoints?.docker?.Host;
      if (host) return { url: host, source: `the docker context "${context}"`, context };
    } catch {
      // An unreadable context falls back to the default socket; the doctor reports what it used.
    }
  }
  return defaultSocket(platform, home);
}

export function classifyDockerError(error: unknown, endpoint: DockerEndpoint): DockerUnavailable {
  if (error instanceof DockerUnavailable) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const where = endpoint.url;
  if (code === 'ENOENT')
    return new DockerUnavailable('socket-missing', endpoint, `there is no Docker socket at ${where}`);
  if (code === 'EACCES' || code === 'EPERM') {
    return new DockerUnavailable('permission-denied', endpoint, `permission denied on ${where}`);
  }
  if (code === 'ECONNREFUSED')
    return new DockerUnavailable('not-running', endpoint, `nothing answers at ${where}: the engine is not running`);
  if (/timed? ?out/i.test(message) || code === 'ETIMEDOUT') {
    return new DockerUnavailable('no-answer', endpoint, `the engine at ${where} answers nothing`);
  }
  return new DockerUnavailable('unknown', endpoint, `the engine at ${where} failed: ${message}`);
}

/** Rejects with a "no-answer" DockerUnavailable when `work` takes longer than `ms`. */
export function withTimeout<T>(work: Promise<T>, ms: number, endpoint: DockerEndpoint): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DockerUnavailable(
            'no-answer',
            endpoint,
            `the engine at ${endpoint.url} answers nothing (waited ${ms / 1000} s)`,
          ),
        ),
      ms,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

interface DockerodeOptions {
  socketPath?: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  timeout?: number;
}

export function dockerodeOptions(endpoint: DockerEndpoint, timeoutMs: number): DockerodeOptions {
  const url = endpoint.url;
  if (url.startsWith('unix://')) return { socketPath: url.slice('unix://'.length), timeout: timeoutMs };
  if (url.startsWith('npipe://'))
    return { socketPath: url.slice('npipe://'.length).replace(/\//g, '\\'), timeout: timeoutMs };
  const match = /^(tcp|http|https):\/\/([^:/]+)(?::(\d+))?/.exec(url);
  if (!match) {
    throw new DecError(`Cannot use the Docker endpoint "${url}" (from ${endpoint.source}).`, {
      hint: 'Use unix:///path/to/docker.sock or tcp://host:port, or unset DOCKER_HOST.',
    });
  }
  const [, scheme, host, port] = match;
  const protocol = scheme === 'https' ? 'https' : 'http';
  return { host, port: port ? Number(port) : protocol === 'https' ? 2376 : 2375, protocol, timeout: timeoutMs };
}

interface RawContainer {
  Id: string;
  Names?: string[];
  Image: string;
  State: string;
  Labels?: Record<string, string>;
  Ports?: Array<{ IP?: string; PrivatePort: number; PublicPort?: number }>;
}

function toSummary(raw: RawContainer): ContainerSummary {
  return {
    id: raw.Id,
    name: (raw.Names?.[0] ?? raw.Id.slice(0, 12)).replace(/^\//, ''),
    image: raw.Image,
    state: raw.State,
    labels: raw.Labels ?? {},
    ports: (raw.Ports ?? []).map((port) => ({
      hostIp: port.IP,
      hostPort: port.PublicPort,
      containerPort: port.PrivatePort,
    })),
  };
}

/** A client for `endpoint`; every call fails within `timeoutMs` with a DockerUnavailable. */
export async function connectDocker(endpoint: DockerEndpoint, timeoutMs: number): Promise<DockerClient> {
  const { default: Docker } = await import('dockerode');
  const docker = new Docker(dockerodeOptions(endpoint, timeoutMs));
  // The modem's own timeout closes a hung request's socket, so a silent engine cannot keep dec alive;
  // actions get a second client with room for a container's stop grace period.
  const actionTimeoutMs = Math.max(timeoutMs, 30_000);
  const actions = new Docker(dockerodeOptions(endpoint, actionTimeoutMs));
  const call = async <T>(work: () => Promise<T>, ms = timeoutMs): Promise<T> => {
    try {
      return await withTimeout(work(), ms, endpoint);
    } catch (error) {
      throw classifyDockerError(error, endpoint);
    }
  };
  return {
    endpoint,
    ping: () => call(async () => void (await docker.ping())),
    version: () =>
      call(async () => {
        const v = await docker.version();
        return { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch };
      }),
    info: () =>
      call(async () => {
        const info = (await docker.info()) as {
          MemTotal: number;
          NCPU: number;
          DockerRootDir: string;
          Name: string;
          OperatingSystem: string;
        };
        return {
          memTotal: info.MemTotal,
          cpus: info.NCPU,
          rootDir: info.DockerRootDir,
          name: info.Name,
          operatingSystem: info.OperatingSystem,
        };
      }),
    listContainers: () =>
      call(async () => ((await docker.listContainers({ all: true })) as RawContainer[]).map(toSummary)),
    startContainer: (id) => call(async () => void (await actions.getContainer(id).start()), actionTimeoutMs),
    stopContainer: (id) => call(async () => void (await actions.getContainer(id).stop({ t: 10 })), actionTimeoutMs),
  };
}

/** Labels dec puts on everything it creates; `--fix` and `setup` only ever touch these. */
export const DEC_LABELS = { stack: 'dec.stack', service: 'dec.service', syllabus: 'dec.syllabus' } as const;

export function isDecOwned(container: Pick<ContainerSummary, 'labels'>): boolean {
  return container.labels[DEC_LABELS.stack] !== undefined;
}
