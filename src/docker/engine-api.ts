// The part of dockerode that dec calls, typed as dockerode 5 behaves. @types/dockerode's newest is
// 4.0.2 (for dockerode 4); dockerode 5.0.x changed no API (4.0.10 -> 5.0.1 only swapped the uuid
// package for crypto.randomUUID in lib/session.js and raised engines to Node 14.17), so its types
// still describe 5. But they leave much open (`options: {}`, `Promise<any>` for ping, info, df, most
// inspect calls), so client.ts talks to dockerode through this narrower interface: connectDocker
// assigns a real Dockerode to it, which makes the compiler check this file against @types/dockerode
// where @types is precise, and check every call client.ts makes against this file where @types is not.
// Option and result shapes follow dockerode 5's lib/ (which passes options through as the Engine API's
// query or body) and the Engine API's answers for the fields dec reads.
import type { Duplex } from 'node:stream';

/** GET /containers/json, the fields dec reads. */
export interface EngineContainer {
  Id: string;
  Names?: string[];
  Image: string;
  State: string;
  Labels?: Record<string, string>;
  Ports?: Array<{ IP?: string; PrivatePort: number; PublicPort?: number }>;
  Mounts?: Array<{ Type?: string; Name?: string; Source?: string; Destination?: string }>;
  NetworkSettings?: { Networks?: Record<string, unknown> };
  /** "Up 3 minutes", "Exited (1) 2 seconds ago". */
  Status?: string;
}

/** GET /images/json, the fields dec reads. */
interface EngineImage {
  Id: string;
  RepoTags?: string[] | null;
  Labels?: Record<string, string> | null;
}

/** GET /containers/{id}/json, the fields dec reads. */
export interface EngineContainerDetails {
  Name?: string;
  State?: {
    Status?: string;
    ExitCode?: number;
    Health?: { Status?: string; FailingStreak?: number; Log?: Array<{ Output?: string }> | null };
  };
  Config?: { Labels?: Record<string, string> };
  HostConfig?: { PortBindings?: Record<string, Array<{ HostPort?: string }> | null> };
  NetworkSettings?: { Networks?: Record<string, { NetworkID?: string }> };
}

/** Durations in nanoseconds, as the Engine API takes them. */
export interface EngineHealthcheck {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
}

/** POST /containers/create, what dec sends. */
interface EngineContainerSpec {
  name: string;
  Image: string;
  Env: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  User?: string;
  Hostname?: string;
  Healthcheck?: EngineHealthcheck;
  Labels: Record<string, string>;
  ExposedPorts: Record<string, Record<string, never>>;
  HostConfig: {
    PortBindings: Record<string, Array<{ HostIp?: string; HostPort: string }>>;
    Mounts: Array<{ Type: 'volume' | 'bind'; Source: string; Target: string; ReadOnly?: boolean }>;
    RestartPolicy: { Name: 'no' | 'always' | 'on-failure' | 'unless-stopped' };
    /** docker run --init: a tiny init as PID 1 passes signals on (a PID 1 ignores SIGINT unless it handles it). */
    Init?: boolean;
  };
  NetworkingConfig: { EndpointsConfig: Record<string, { Aliases: string[] }> };
  /** For `dec run`'s one-off containers (runner.ts). */
  WorkingDir?: string;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
}

interface EngineContainerHandle {
  inspect(): Promise<EngineContainerDetails>;
  /** Rejects with statusCode 304 when it already runs. */
  start(): Promise<unknown>;
  /** `t`: seconds of grace before SIGKILL. Rejects with statusCode 304 when it is already stopped. */
  stop(options: { t: number }): Promise<unknown>;
  remove(options: { force: boolean; v: boolean }): Promise<unknown>;
  rename(options: { name: string }): Promise<unknown>;
  /** Without `follow` dockerode resolves to the whole (multiplexed) log as one Buffer. */
  logs(options: { stdout: true; stderr: true; tail: number; follow: false }): Promise<Buffer>;
  putArchive(archive: Buffer | NodeJS.ReadableStream, options: { path: string }): Promise<unknown>;
  /** With `hijack` dockerode resolves to the raw duplex stream (multiplexed unless the container has a TTY). */
  attach(options: {
    stream: true;
    stdout: true;
    stderr: true;
    stdin: boolean;
    hijack: true;
  }): Promise<NodeJS.ReadWriteStream>;
  /** Long-polls until the container stops: its exit code. Asked before start, it needs `next-exit` (else a created container answers 0 at once). */
  wait(options: { condition: 'next-exit' | 'not-running' }): Promise<{ StatusCode: number }>;
  kill(options: { signal: string }): Promise<unknown>;
  resize(options: { h: number; w: number }): Promise<unknown>;
  exec(options: { Cmd: string[]; AttachStdout: true; AttachStderr: true }): Promise<{
    /** With `hijack` dockerode resolves to the raw duplex stream of the exec. */
    start(options: { hijack: true; stdin: false }): Promise<Duplex>;
    inspect(): Promise<{ ExitCode: number | null }>;
  }>;
}

interface EngineNetworkHandle {
  inspect(): Promise<{
    Id: string;
    Labels?: Record<string, string> | null;
    Containers?: Record<string, unknown> | null;
  }>;
  connect(options: { Container: string; EndpointConfig: { Aliases: string[] } }): Promise<unknown>;
  disconnect(options: { Container: string; Force: boolean }): Promise<unknown>;
  remove(): Promise<unknown>;
}

interface PullEvent {
  id?: string;
  status?: string;
  error?: string;
  progressDetail?: { current?: number; total?: number };
}

/** One event of POST /build's stream (the classic builder): a log chunk, or the error that ended it. */
interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  /** The built image's id ({ ID: "sha256:…" }). */
  aux?: { ID?: string };
}

/** POST /build's query, as dockerode passes it (objects as JSON). */
interface EngineBuildOptions {
  t: string;
  dockerfile: string;
  buildargs: Record<string, string>;
  labels: Record<string, string>;
  target?: string;
  platform?: string;
  /** Remove the intermediate containers, also after a failed step. */
  rm: true;
  forcerm: true;
  abortSignal?: AbortSignal;
}

export interface EngineApi {
  /** GET /_ping: docker-modem hands back the body as it came, "OK" (a Buffer) on every engine. */
  ping(): Promise<unknown>;
  version(): Promise<{ Version?: unknown; ApiVersion?: unknown; Os?: unknown; Arch?: unknown }>;
  info(): Promise<{ MemTotal: number; NCPU: number; DockerRootDir: string; Name: string; OperatingSystem: string }>;
  /** GET /system/df */
  df(): Promise<{ Volumes?: Array<{ Name: string; UsageData?: { Size?: number } }> }>;
  listContainers(options: { all: true; filters?: { volume: string[] } }): Promise<EngineContainer[]>;
  getContainer(id: string): EngineContainerHandle;
  /** Resolves to a handle whose `id` is the new container's. */
  createContainer(spec: EngineContainerSpec): Promise<{ id: string }>;
  listNetworks(options: { filters: { name: string[] } }): Promise<Array<{ Id: string; Name: string }>>;
  getNetwork(id: string): EngineNetworkHandle;
  createNetwork(options: {
    Name: string;
    Driver: 'bridge';
    Labels: Record<string, string>;
    CheckDuplicate: boolean;
  }): Promise<unknown>;
  getVolume(name: string): { inspect(): Promise<unknown>; remove(): Promise<unknown> };
  createVolume(options: { Name: string; Labels: Record<string, string> }): Promise<unknown>;
  getImage(ref: string): { inspect(): Promise<unknown>; remove(options: { noprune?: boolean }): Promise<unknown> };
  /** GET /images/json, filtered by labels ("key=value"). */
  listImages(options: { filters: { label: string[] } }): Promise<EngineImage[]>;
  /** POST /images/create; `abortSignal` closes the request (dockerode passes it to docker-modem). */
  pull(ref: string, options: { abortSignal?: AbortSignal }): Promise<NodeJS.ReadableStream>;
  /** POST /build with a tar context; `abortSignal` closes the request, which stops the build. */
  buildImage(context: NodeJS.ReadableStream, options: EngineBuildOptions): Promise<NodeJS.ReadableStream>;
  modem: {
    /** Splits a multiplexed attach stream (no TTY) into stdout and stderr. */
    demuxStream(stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): void;
    followProgress(
      stream: NodeJS.ReadableStream,
      done: (error: Error | null) => void,
      progress: (event: PullEvent & BuildEvent) => void,
    ): void;
  };
}
