// A narrow Docker Engine client over dockerode: which engine to talk to (DOCKER_HOST, the active
// context, the default socket), every call bounded by a timeout, and every failure handed to
// engine-errors.ts, which sorts it into what a student can act on (not running, socket missing,
// permission denied, answers nothing, a refusal told in their terms).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DecError, DockerUnavailable, EngineError } from '../errors.js';
import {
  engineFailure,
  engineMessage,
  excerptOf,
  explainEngineError,
  hasDecLabels,
  imageReferenceProblem,
  interrupted,
  notDocker,
  statusOf,
  type EngineOperation,
} from './engine-errors.js';
import type { ArchiveFile } from './archive.js';
import type { EngineApi, EngineContainer, EngineContainerDetails, EngineHealthcheck } from './engine-api.js';

// The error classes live in errors.ts (one copy shared by both bundles); the doctor and setup know them
// from here, with the rest of the Docker client.
export { DockerUnavailable, EngineError, type DockerFailure } from '../errors.js';
export { classifyDockerError } from './engine-errors.js';

export interface DockerEndpoint {
  /** unix:///var/run/docker.sock, tcp://host:2376, npipe:////./pipe/docker_engine */
  url: string;
  /** Where the choice came from, for messages and the doctor's report. */
  source: string;
  /** The docker context's name, when one chose the endpoint. */
  context?: string;
}

interface ContainerPort {
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
  /** Names of the volumes it mounts. */
  volumes?: string[];
  /** Host folders it mounts (source on the host, target in the container; `dec run` mounts the ones its stack's setup chose). */
  binds?: Array<{ source: string; target: string }>;
  /** Names of the networks it is on. */
  networks?: string[];
  /** The exit code of an exited container (from the engine's "Exited (N) …" status). */
  exitCode?: number;
}

/** An image as listed: its id, tags (repo:tag) and labels. */
interface ImageSummary {
  id: string;
  tags: string[];
  labels: Record<string, string>;
}

/** What inspecting one container says of its state: whether it runs, how it ended, its health. */
export interface ContainerState {
  /** created, running, restarting, exited, … */
  status: string;
  exitCode?: number;
  /** Only for a container with a health check. */
  health?: {
    status: 'starting' | 'healthy' | 'unhealthy';
    /** Failed checks in a row. */
    failingStreak: number;
    /** The output of the latest check, trimmed (what a student needs to see on "unhealthy"). */
    lastOutput?: string;
  };
}

/** A health check for the engine (durations in milliseconds; the engine wants nanoseconds). */
export interface HealthcheckSpec {
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
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

export interface CreateContainerSpec {
  name: string;
  image: string;
  env: Record<string, string>;
  command?: string[];
  labels: Record<string, string>;
  ports: Array<{ hostIp: string; host: number; container: number }>;
  mounts: Array<{ volume: string; path: string }>;
  network: string;
  aliases: string[];
  healthcheck?: HealthcheckSpec;
  /** "uid", "uid:gid" or a user name. */
  user?: string;
  entrypoint?: string[];
  /** Default unless-stopped. */
  restart?: 'no' | 'always' | 'on-failure' | 'unless-stopped';
  hostname?: string;
  /** Host folders (absolute paths; they must exist) and the engine's socket, mounted as binds. */
  binds?: Array<{ source: string; target: string; readOnly: boolean }>;
}

export interface PullProgress {
  /** Bytes done and total over every layer seen so far (total grows as layers are announced). */
  current: number;
  total: number;
}

/** An image to build (POST /build) from these files. */
export interface BuildSpec {
  tag: string;
  files: AsyncIterable<ArchiveFile> | Iterable<ArchiveFile>;
  dockerfile: string;
  args: Record<string, string>;
  target?: string;
  platform?: string;
  labels: Record<string, string>;
}

/** Where a build is: "Step 3/7 : RUN pip install …" (steps 0 until the first step is announced). */
export interface BuildProgress {
  step: number;
  steps: number;
  text: string;
}

/** A build that ran: done, or stopped by its Dockerfile (an error the stream reported) with its last log lines. */
type BuildOutcome = { ok: true } | { ok: false; error: string; log: string[] };

export interface DockerClient {
  endpoint: DockerEndpoint;
  ping(): Promise<void>;
  version(): Promise<EngineVersion>;
  info(): Promise<EngineInfo>;
  listContainers(): Promise<ContainerSummary[]>;
  startContainer(id: string): Promise<void>;
  /** The image's stop signal, then SIGKILL after `graceSeconds` (default 10, as docker stop). */
  stopContainer(id: string, graceSeconds?: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  createContainer(spec: CreateContainerSpec): Promise<string>;
  containerLogs(id: string, tail: number): Promise<string>;
  /** The state, exit code and health of one container. */
  inspectState(id: string): Promise<ContainerState>;
  /** Puts files into a created container before it starts (a tar archive extracted at /). */
  putFiles(id: string, files: Array<{ path: string; content: string }>): Promise<void>;
  networkExists(name: string): Promise<boolean>;
  /**
   * Connects a stopped container to the network of that name (with its aliases) when it is attached to
   * an older network of the name, or to none: the network was removed behind dec's back (docker network
   * rm or prune). True when it had to.
   */
  reattachNetwork(id: string, network: string, aliases: string[]): Promise<boolean>;
  createNetwork(name: string, labels: Record<string, string>): Promise<void>;
  /** Connects a container to one more network (with these aliases); false when it already was on it. */
  connectNetwork(id: string, network: string, aliases: string[]): Promise<boolean>;
  volumeExists(name: string): Promise<boolean>;
  createVolume(name: string, labels: Record<string, string>): Promise<void>;
  removeVolume(name: string): Promise<void>;
  /** Sizes in bytes of volumes, from the engine's disk usage report (slow on big engines). */
  volumeSizes(): Promise<Record<string, number>>;
  imageExists(ref: string): Promise<boolean>;
  /** The images that carry every one of these labels, with their tags. */
  listImages(labels: Record<string, string>): Promise<ImageSummary[]>;
  /**
   * Removes a tag (the image with it when it was the last); false when a container still uses the image
   * (the engine refuses without force, which dec never uses) or it is gone already.
   */
  removeImage(ref: string): Promise<boolean>;
  /** Aborting `signal` (Ctrl-C) ends the pull request at once and rejects with "Interrupted." (exit 130). */
  pullImage(
    ref: string,
    onProgress: (progress: PullProgress) => void,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<void>;
  /**
   * Builds an image; aborting `signal` (Ctrl-C) closes the request, which stops the build, and rejects
   * with "Interrupted." (exit 130); a stream quiet for `quietTimeoutMs` fails as "answers nothing".
   */
  buildImage(
    spec: BuildSpec,
    onProgress: (progress: BuildProgress) => void,
    quietTimeoutMs: number,
    signal?: AbortSignal,
  ): Promise<BuildOutcome>;
  /** Renames a container (setup moves the old one aside while its replacement is made). */
  renameContainer(id: string, name: string): Promise<void>;
  /** Runs a command inside a running container; its exit code and output (stdout and stderr). */
  execInContainer(id: string, command: string[], timeoutMs: number): Promise<ExecResult>;
  /** Networks with exactly this name (two can share one), with how many containers use each. */
  listNetworks(name: string): Promise<NetworkSummary[]>;
  removeNetwork(id: string): Promise<void>;
}

export interface ExecResult {
  exitCode: number;
  output: string;
}

export interface NetworkSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
  /** Containers attached (running or not). */
  containers: number;
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

/** GET /_ping answers "OK" on every engine; anything else at the endpoint is not Docker. */
async function pingEngine(docker: { ping(): Promise<unknown> }, endpoint: DockerEndpoint): Promise<void> {
  let answer: unknown;
  try {
    answer = await docker.ping();
  } catch (error) {
    const status = statusOf(error);
    if (status !== undefined && status !== 500) throw notDocker(endpoint, `it answered HTTP ${status} to /_ping`);
    throw error;
  }
  const text = Buffer.isBuffer(answer) ? answer.toString('utf8') : String(answer);
  if (text.trim() !== 'OK') throw notDocker(endpoint, `it answered ${excerptOf(text)} to /_ping`);
}

/** Rejects with a "no-answer" DockerUnavailable when `work` takes longer than `ms`. */
function withTimeout<T>(work: Promise<T>, ms: number, endpoint: DockerEndpoint): Promise<T> {
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

/** How dockerode reaches the endpoint; `timeoutMs` 0 sets no socket timeout (runner.ts: a command may be quiet for long). */
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

function toSummary(raw: EngineContainer): ContainerSummary {
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
    volumes: (raw.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name!),
    binds: (raw.Mounts ?? [])
      .filter((m) => m.Type === 'bind' && m.Source && m.Destination)
      .map((m) => ({ source: m.Source!, target: m.Destination! })),
    networks: Object.keys(raw.NetworkSettings?.Networks ?? {}),
    ...exitCodeOf(raw),
  };
}

/** The list answers an exit code only inside its status text ("Exited (0) 5 minutes ago"). */
function exitCodeOf(raw: EngineContainer): { exitCode?: number } {
  const code = raw.State === 'exited' ? /^Exited \((-?\d+)\)/.exec(raw.Status ?? '')?.[1] : undefined;
  return code === undefined ? {} : { exitCode: Number(code) };
}

function toState(raw: EngineContainerDetails): ContainerState {
  const state = raw.State ?? {};
  const status = state.Status ?? 'unknown';
  const health = state.Health;
  return {
    status,
    ...(status === 'exited' && state.ExitCode !== undefined ? { exitCode: state.ExitCode } : {}),
    ...(health?.Status === 'starting' || health?.Status === 'healthy' || health?.Status === 'unhealthy'
      ? {
          health: {
            status: health.Status,
            failingStreak: health.FailingStreak ?? 0,
            lastOutput: health.Log?.at(-1)?.Output?.trim(),
          },
        }
      : {}),
  };
}

const NS_PER_MS = 1_000_000;

/** The engine's Healthcheck (nanoseconds; a field left out takes Docker's default). */
function engineHealthcheck(check: HealthcheckSpec): EngineHealthcheck {
  const ns = (ms: number) => Math.round(ms * NS_PER_MS);
  // Only what is set: the engine's defaults (or the image's) apply to the rest.
  return {
    Test: check.test,
    ...(check.intervalMs !== undefined ? { Interval: ns(check.intervalMs) } : {}),
    ...(check.timeoutMs !== undefined ? { Timeout: ns(check.timeoutMs) } : {}),
    ...(check.retries !== undefined ? { Retries: check.retries } : {}),
    ...(check.startPeriodMs !== undefined ? { StartPeriod: ns(check.startPeriodMs) } : {}),
  };
}

/** A client for `endpoint`; every call fails within `timeoutMs` with a DockerUnavailable. */
export async function connectDocker(endpoint: DockerEndpoint, timeoutMs: number): Promise<DockerClient> {
  const { default: Docker } = await import('dockerode');
  // Typed as the calls dec makes (engine-api.ts); assigning checks that against @types/dockerode.
  const docker: EngineApi = new Docker(dockerodeOptions(endpoint, timeoutMs));
  // The modem's own timeout closes a hung request's socket, so a silent engine cannot keep dec alive;
  // actions get a second client with room for a container's stop grace period.
  const actionTimeoutMs = Math.max(timeoutMs, 30_000);
  const actions: EngineApi = new Docker(dockerodeOptions(endpoint, actionTimeoutMs));
  /**
   * Every call: bounded by a timeout; an engine that cannot be reached is a DockerUnavailable; a refusal
   * (a conflict, a missing image) is told in the student's terms when `explain` knows it (a DecError,
   * see engine-errors.ts), else it is an EngineError with the engine's own message.
   */
  const call = async <T>(
    work: () => Promise<T>,
    ms = timeoutMs,
    explain?: (status: number, message: string) => Promise<DecError | undefined>,
  ): Promise<T> => {
    try {
      return await withTimeout(work(), ms, endpoint);
    } catch (error) {
      throw await engineFailure(error, endpoint, explain);
    }
  };
  const told =
    (operation: EngineOperation, facts?: { conflictIsDecs?: boolean }) => async (status: number, message: string) =>
      explainEngineError(operation, status, message, facts);
  /** A container's name, state and labels, for a message about it (undefined when the engine will not say). */
  const describe = async (id: string) => {
    const raw = await docker.getContainer(id).inspect();
    const labels = raw.Config?.Labels ?? {};
    const firstPort = Object.values(raw.HostConfig?.PortBindings ?? {})[0]?.[0]?.HostPort;
    return {
      name: (raw.Name ?? id).replace(/^\//, ''),
      state: raw.State?.Status,
      labels,
      stack: labels[DEC_LABELS.stack],
      service: labels[DEC_LABELS.service],
      hostPort: firstPort ? Number(firstPort) : undefined,
    };
  };
  const checkReference = (ref: string) => {
    const problem = imageReferenceProblem(ref);
    if (problem) throw problem;
  };
  return {
    endpoint,
    ping: () => call(() => pingEngine(docker, endpoint)),
    version: () =>
      call(async () => {
        const v = await docker.version().catch((error: unknown) => {
          const status = statusOf(error);
          if (status === 404) throw notDocker(endpoint, 'it answered HTTP 404 to /version');
          throw error;
        });
        // A web server may answer 200 with a page: no engine version in it.
        if (typeof v?.Version !== 'string') throw notDocker(endpoint, 'its /version is not an engine version');
        return {
          version: v.Version,
          apiVersion: String(v.ApiVersion),
          os: String(v.Os),
          arch: String(v.Arch),
        };
      }),
    info: () =>
      call(async () => {
        const info = await docker.info();
        return {
          memTotal: info.MemTotal,
          cpus: info.NCPU,
          rootDir: info.DockerRootDir,
          name: info.Name,
          operatingSystem: info.OperatingSystem,
        };
      }),
    listContainers: () => call(async () => (await docker.listContainers({ all: true })).map(toSummary)),
    startContainer: (id) =>
      call(
        async () => void (await ignoreStatus(actions.getContainer(id).start(), 304)),
        actionTimeoutMs,
        async (status, message) => {
          const about = await describe(id).catch(() => undefined);
          return explainEngineError(
            { kind: 'start-container', name: about?.name ?? id.slice(0, 12), ...about },
            status,
            message,
          );
        },
      ),
    stopContainer: (id, graceSeconds = 10) =>
      call(
        async () => void (await ignoreStatus(actions.getContainer(id).stop({ t: graceSeconds }), 304)),
        Math.max(actionTimeoutMs, (graceSeconds + 20) * 1000),
      ),
    removeContainer: (id) =>
      call(
        async () => void (await ignoreStatus(actions.getContainer(id).remove({ force: true, v: false }), 404)),
        actionTimeoutMs,
      ),
    createContainer: (spec) =>
      call(
        async () => {
          checkReference(spec.image);
          const container = await actions.createContainer({
            name: spec.name,
            Image: spec.image,
            Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
            ...(spec.command ? { Cmd: spec.command } : {}),
            ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
            ...(spec.user !== undefined ? { User: spec.user } : {}),
            ...(spec.hostname !== undefined ? { Hostname: spec.hostname } : {}),
            ...(spec.healthcheck ? { Healthcheck: engineHealthcheck(spec.healthcheck) } : {}),
            Labels: spec.labels,
            ExposedPorts: Object.fromEntries(spec.ports.map((p) => [`${p.container}/tcp`, {}])),
            HostConfig: {
              PortBindings: Object.fromEntries(
                spec.ports.map((p) => [`${p.container}/tcp`, [{ HostIp: p.hostIp, HostPort: String(p.host) }]]),
              ),
              Mounts: [
                ...spec.mounts.map((m) => ({ Type: 'volume' as const, Source: m.volume, Target: m.path })),
                ...(spec.binds ?? []).map((b) => ({
                  Type: 'bind' as const,
                  Source: b.source,
                  Target: b.target,
                  ReadOnly: b.readOnly,
                })),
              ],
              RestartPolicy: { Name: spec.restart ?? 'unless-stopped' },
            },
            NetworkingConfig: { EndpointsConfig: { [spec.network]: { Aliases: spec.aliases } } },
          });
          return container.id;
        },
        actionTimeoutMs,
        async (status, message) => {
          // A name conflict with dec's own container (another run made it) is not a foreign one.
          const other =
            status === 409
              ? await docker
                  .getContainer(spec.name)
                  .inspect()
                  .then((raw) => hasDecLabels(raw.Config?.Labels))
                  .catch(() => false)
              : false;
          return explainEngineError(
            {
              kind: 'create-container',
              name: spec.name,
              image: spec.image,
              service: spec.labels[DEC_LABELS.service],
              stack: spec.labels[DEC_LABELS.stack],
            },
            status,
            message,
            { conflictIsDecs: other },
          );
        },
      ),
    containerLogs: (id, tail) =>
      call(async () => {
        const raw = await docker.getContainer(id).logs({ stdout: true, stderr: true, tail, follow: false });
        return demuxLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
      }),
    inspectState: (id) => call(async () => toState(await docker.getContainer(id).inspect())),
    putFiles: (id, files) =>
      call(async () => {
        // Loaded here: only setup puts files into containers, and the doctor should not pay for tar-stream.
        const { packFiles } = await import('./archive.js');
        await actions.getContainer(id).putArchive(packFiles(files), { path: '/' });
      }, actionTimeoutMs),
    networkExists: (name) =>
      call(async () => (await docker.listNetworks({ filters: { name: [name] } })).some((n) => n.Name === name)),
    createNetwork: (name, labels) =>
      call(
        async () =>
          void (await actions.createNetwork({ Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true })),
        actionTimeoutMs,
      ),
    volumeExists: (name) =>
      call(async () =>
        ignoreStatus(
          docker
            .getVolume(name)
            .inspect()
            .then(() => true),
          404,
          false,
        ),
      ),
    reattachNetwork: (id, network, aliases) =>
      call(async () => {
        const raw = await actions.getContainer(id).inspect();
        const attached = raw.NetworkSettings?.Networks ?? {};
        const current = await actions.getNetwork(network).inspect();
        if (attached[network]?.NetworkID === current.Id) return false;
        // A stopped container may be detached from a network that no longer exists, by name.
        if (attached[network]) await actions.getNetwork(network).disconnect({ Container: id, Force: true });
        await actions.getNetwork(network).connect({ Container: id, EndpointConfig: { Aliases: aliases } });
        return true;
      }, actionTimeoutMs),
    connectNetwork: (id, network, aliases) =>
      call(async () => {
        const attached = (await actions.getContainer(id).inspect()).NetworkSettings?.Networks ?? {};
        if (attached[network]) return false;
        await actions.getNetwork(network).connect({ Container: id, EndpointConfig: { Aliases: aliases } });
        return true;
      }, actionTimeoutMs),
    createVolume: (name, labels) =>
      call(async () => void (await actions.createVolume({ Name: name, Labels: labels })), actionTimeoutMs),
    removeVolume: (name) =>
      call(
        async () => void (await ignoreStatus(actions.getVolume(name).remove(), 404)),
        actionTimeoutMs,
        async (status, message) => {
          const users = (await docker.listContainers({ all: true, filters: { volume: [name] } })).map(
            (c) => toSummary(c).name,
          );
          return explainEngineError({ kind: 'remove-volume', name, users }, status, message);
        },
      ),
    volumeSizes: () =>
      call(async () => {
        const df = await actions.df();
        return Object.fromEntries((df.Volumes ?? []).map((v) => [v.Name, v.UsageData?.Size ?? -1]));
      }, actionTimeoutMs),
    listImages: (labels) =>
      call(async () =>
        (
          await docker.listImages({
            filters: { label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) },
          })
        ).map((image) => ({ id: image.Id, tags: image.RepoTags ?? [], labels: image.Labels ?? {} })),
      ),
    removeImage: (ref) =>
      call(async () => {
        checkReference(ref);
        try {
          await actions.getImage(ref).remove({ noprune: false });
          return true;
        } catch (error) {
          // 409: a container (running or not) uses it; 404: gone already.
          if (statusOf(error) === 409 || statusOf(error) === 404) return false;
          throw error;
        }
      }, actionTimeoutMs),
    imageExists: (ref) =>
      call(
        async () => {
          checkReference(ref);
          return ignoreStatus(
            docker
              .getImage(ref)
              .inspect()
              .then(() => true),
            404,
            false,
          );
        },
        timeoutMs,
        told({ kind: 'image', ref }),
      ),
    pullImage: (ref, onProgress, pullTimeoutMs, signal) => {
      checkReference(ref);
      return pull(actions, ref, onProgress, pullTimeoutMs, endpoint, signal);
    },
    buildImage: async (spec, onProgress, quietTimeoutMs, signal) => {
      checkReference(spec.tag);
      const { packFiles } = await import('./archive.js');
      // A client of its own: the modem's socket timeout must outlast a quiet step (the quiet timer rules).
      const builder: EngineApi = new Docker(dockerodeOptions(endpoint, quietTimeoutMs + 5000));
      return build(builder, spec, packFiles(spec.files), onProgress, quietTimeoutMs, endpoint, signal);
    },
    renameContainer: (id, name) =>
      call(async () => void (await actions.getContainer(id).rename({ name })), actionTimeoutMs),
    execInContainer: (id, command, execTimeoutMs) =>
      call(async () => {
        const exec = await actions.getContainer(id).exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
        const stream = await exec.start({ hijack: true, stdin: false });
        const chunks: Buffer[] = [];
        await new Promise<void>((resolve, reject) => {
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', resolve);
          stream.on('close', resolve);
          stream.on('error', reject);
        });
        const inspected = await exec.inspect();
        return { exitCode: inspected.ExitCode ?? -1, output: demuxLogs(Buffer.concat(chunks)) };
      }, execTimeoutMs),
    listNetworks: (name) =>
      call(async () => {
        const found = await docker.listNetworks({ filters: { name: [name] } });
        // The list leaves Containers empty; inspect says who is attached.
        return Promise.all(
          found
            .filter((n) => n.Name === name)
            .map(async (n) => {
              const full = await docker.getNetwork(n.Id).inspect();
              return {
                id: n.Id,
                name: n.Name,
                labels: full.Labels ?? {},
                containers: Object.keys(full.Containers ?? {}).length,
              };
            }),
        );
      }),
    removeNetwork: (id) =>
      call(async () => void (await ignoreStatus(actions.getNetwork(id).remove(), 404)), actionTimeoutMs),
  };
}

/** Treats the given HTTP status from the engine as success (e.g. 304 "already started"). */
async function ignoreStatus<T, F = undefined>(work: Promise<T>, status: number, fallback?: F): Promise<T | F> {
  try {
    return await work;
  } catch (error) {
    if (statusOf(error) === status) return fallback as F;
    throw error;
  }
}

/** Docker multiplexes stdout and stderr with 8-byte frame headers when there is no TTY. */
function demuxLogs(raw: Buffer): string {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length && raw[offset]! <= 2 && raw[offset + 1] === 0) {
    const size = raw.readUInt32BE(offset + 4);
    chunks.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return offset === 0 ? raw.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

/**
 * What following an engine stream (a pull, a build) needs besides its events: it settles once; Ctrl-C,
 * a stream that goes quiet for too long and the request failing end it; the stream is closed at the end
 * (also when it arrives after the end); the engine's refusal of the request is told as an EngineError.
 */
function streamWatch(
  what: string,
  options: { endpoint: DockerEndpoint; quietTimeoutMs: number; signal?: AbortSignal; cleanup?: () => void },
  settle: (error?: unknown) => void,
) {
  const { endpoint, quietTimeoutMs, signal } = options;
  let timer: NodeJS.Timeout | undefined;
  let stream: NodeJS.ReadableStream | undefined;
  let settled = false;
  const close = () => (stream as { destroy?: () => void } | undefined)?.destroy?.();
  const finish = (error?: unknown) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', abort);
    close();
    options.cleanup?.();
    settle(error);
  };
  const abort = () => finish(interrupted());
  const quiet = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () =>
        finish(
          new DockerUnavailable('no-answer', endpoint, `${what} stalled: nothing new for ${quietTimeoutMs / 1000} s`),
        ),
      quietTimeoutMs,
    );
  };
  return {
    finish,
    quiet,
    /** Starts the watch; false when Ctrl-C came first (already settled). */
    start(): boolean {
      if (signal?.aborted) {
        abort();
        return false;
      }
      signal?.addEventListener('abort', abort, { once: true });
      quiet();
      return true;
    },
    /** The response stream; false when the watch already ended (the stream is closed then). */
    follow(response: NodeJS.ReadableStream): boolean {
      stream = response;
      if (settled) close();
      return !settled;
    },
    refused(error: unknown): void {
      const status = statusOf(error);
      if (signal?.aborted) finish(interrupted());
      else finish(status === undefined ? error : new EngineError(status, engineMessage(error)));
    },
  };
}

/**
 * Pulls with aggregated progress. Fails when the engine refuses, when the stream carries an error (the
 * engine answers 200, then reports e.g. "manifest unknown" or a failed layer inside the stream), when it
 * goes quiet for too long, or at once when `signal` aborts (the request is closed, so the engine stops).
 */
function pull(
  docker: Pick<EngineApi, 'pull' | 'modem'>,
  ref: string,
  onProgress: (progress: PullProgress) => void,
  quietTimeoutMs: number,
  endpoint: DockerEndpoint,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const layers = new Map<string, { current: number; total: number }>();
    const watch = streamWatch(`pulling ${ref}`, { endpoint, quietTimeoutMs, signal }, (error) =>
      error === undefined ? resolve() : reject(error),
    );
    if (!watch.start()) return;
    docker.pull(ref, { abortSignal: signal }).then((pulled) => {
      if (!watch.follow(pulled)) return;
      docker.modem.followProgress(
        pulled,
        (error) => watch.finish(error ?? undefined),
        (event) => {
          watch.quiet();
          // The engine reports a failed pull inside the stream; the pull is over, and did not work.
          if (event.error) return watch.finish(new Error(event.error));
          if (event.id && event.progressDetail?.total) {
            layers.set(event.id, { current: event.progressDetail.current ?? 0, total: event.progressDetail.total });
          } else if (event.id && /complete|already exists/i.test(event.status ?? '')) {
            const layer = layers.get(event.id);
            if (layer) layer.current = layer.total;
          }
          const totals = [...layers.values()].reduce(
            (sum, l) => ({ current: sum.current + l.current, total: sum.total + l.total }),
            { current: 0, total: 0 },
          );
          onProgress(totals);
        },
      );
    }, watch.refused);
  });
}

/** Lines of a build's log kept for its failure message. */
const BUILD_LOG_LINES = 20;

/**
 * Builds through POST /build and follows its stream: steps as progress, the last lines of the log, and
 * the error the stream reports (a failed RUN, a FROM that cannot be pulled) as a failed outcome. The
 * engine refusing, a quiet stream and Ctrl-C reject, as for pulls.
 */
function build(
  docker: Pick<EngineApi, 'buildImage' | 'modem'>,
  spec: BuildSpec,
  context: NodeJS.ReadableStream,
  onProgress: (progress: BuildProgress) => void,
  quietTimeoutMs: number,
  endpoint: DockerEndpoint,
  signal?: AbortSignal,
): Promise<BuildOutcome> {
  return new Promise((resolve, reject) => {
    const log: string[] = [];
    let current: BuildProgress = { step: 0, steps: 0, text: '' };
    let partial = '';
    let failure: string | undefined;
    const cleanup = () => (context as { destroy?: () => void }).destroy?.();
    const watch = streamWatch(`building ${spec.tag}`, { endpoint, quietTimeoutMs, signal, cleanup }, (error) => {
      if (error !== undefined) return reject(error);
      const tail = [...log, ...(partial.trim() ? [partial] : [])].slice(-BUILD_LOG_LINES);
      resolve(failure === undefined ? { ok: true } : { ok: false, error: failure, log: tail });
    });
    const take = (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const step = /^Step (\d+)\/(\d+) : (.*)$/.exec(line);
        if (step) current = { step: Number(step[1]), steps: Number(step[2]), text: step[3]! };
        if (line.trim() === '') continue;
        log.push(line.trimEnd());
        // Every line (the renderer throttles): a long step still shows that the build is alive.
        onProgress(current);
      }
      if (log.length > BUILD_LOG_LINES * 2) log.splice(0, log.length - BUILD_LOG_LINES);
    };
    if (!watch.start()) return;
    // A file that cannot be read while the context is packed ends the build (its error says which).
    context.once('error', (error: Error) => watch.finish(error));
    docker
      .buildImage(context, {
        t: spec.tag,
        dockerfile: spec.dockerfile,
        buildargs: spec.args,
        labels: spec.labels,
        ...(spec.target !== undefined ? { target: spec.target } : {}),
        ...(spec.platform !== undefined ? { platform: spec.platform } : {}),
        rm: true,
        forcerm: true,
        abortSignal: signal,
      })
      .then((built) => {
        if (!watch.follow(built)) return;
        docker.modem.followProgress(
          built,
          (error) => watch.finish(error ?? undefined),
          (event) => {
            watch.quiet();
            if (event.stream) take(event.stream);
            // The engine reports a failed step inside the stream (after 200 OK): the build is over.
            if (event.error || event.errorDetail?.message)
              failure ??= (event.errorDetail?.message ?? event.error ?? '').trim();
          },
        );
      }, watch.refused);
  });
}

/** Labels dec puts on everything it creates; `--fix` and `setup` only ever touch these. */
export const DEC_LABELS = {
  project: 'dec.project',
  stack: 'dec.stack',
  service: 'dec.service',
  syllabus: 'dec.syllabus',
} as const;

/** dec's default project: its resources keep the names they had before projects existed. */
export const DEFAULT_PROJECT = 'dec';

export function isDecOwned(container: Pick<ContainerSummary, 'labels'>): boolean {
  return container.labels[DEC_LABELS.stack] !== undefined;
}

const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/**
 * The project (namespace) of every Docker resource dec makes, as Compose has: DEC_PROJECT, default "dec".
 * Another project gets its own containers, volumes and network, so a test suite (or a second copy of a
 * course) never touches the student's own.
 */
export function projectFromEnv(env: NodeJS.ProcessEnv): string {
  const value = env.DEC_PROJECT;
  if (value === undefined || value === '') return DEFAULT_PROJECT;
  if (!PROJECT_NAME.test(value)) {
    throw new DecError(`DEC_PROJECT="${value}" is not a project name.`, {
      hint: 'Use lowercase letters, digits, - and _ (at most 40, starting with a letter or digit), or unset it for the default "dec".',
    });
  }
  return value;
}

/** The project a dec resource belongs to; resources made before projects existed have no label: dec's. */
export function projectOf(labels: Record<string, string>): string {
  return labels[DEC_LABELS.project] ?? DEFAULT_PROJECT;
}

/** True when the container is dec's container of this project and stack (and service, when given). */
export function belongsToStack(
  container: Pick<ContainerSummary, 'labels'>,
  project: string,
  stack: string,
  service?: string,
): boolean {
  const { labels } = container;
  return (
    labels[DEC_LABELS.stack] === stack &&
    projectOf(labels) === project &&
    (service === undefined || labels[DEC_LABELS.service] === service)
  );
}
