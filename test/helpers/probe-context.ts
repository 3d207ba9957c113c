// A fake ProbeContext for the doctor's unit tests: commands answer from a table, files from a map,
// the Docker engine and its containers from given facts, host ports from a table of listeners,
// Postgres logins from a table of outcomes. Nothing here starts a process, opens a socket or talks to
// a Docker engine.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DockerUnavailable,
  type ContainerSummary,
  type DockerClient,
  type DockerEndpoint,
  type DockerFailure,
  type EngineInfo,
  type EngineVersion,
} from '../../src/docker/client.js';
import type { HostListener } from '../../src/doctor/host-ports.js';
import type { PlatformFacts } from '../../src/doctor/platform.js';
import type { EngineFacts, ExecOptions, ExecResult, Machine, Needs, ProbeContext } from '../../src/doctor/types.js';
import type { Login, LoginResult } from '../../src/postgres/login.js';
import type { ToolId } from '../../src/syllabus/schema.js';

export type ExecAnswer =
  | Partial<ExecResult>
  | ((file: string, args: string[], options?: ExecOptions) => Partial<ExecResult> | Promise<Partial<ExecResult>>);

export interface FakeProbeContextOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  arch?: string;
  home?: string;
  cwd?: string;
  workspaceRoot?: string;
  needs?: Needs;
  timeoutMs?: number;
  /** Keyed by `"command arg1 arg2"` (the file and its arguments joined by single spaces). */
  exec?: Record<string, ExecAnswer>;
  /** What readFile answers, by path. */
  files?: Record<string, string>;
  /** Paths not in `files` are read from disk (for temp files the test made); otherwise they read as missing. */
  readDisk?: boolean;
  /** Answers for `once` by key (e.g. 'gcloud-config'). */
  seed?: Record<string, unknown>;
  /** The Docker engine's facts; by default an engine that cannot be reached. */
  engine?: EngineFacts;
  /** The engine's containers; by default those of a reachable `engine`'s client, else undefined. */
  containers?: ContainerSummary[];
  /** Host ports in use, with who listens ({}: the OS will not say); every other port is free. */
  listeners?: Record<number, HostListener>;
  /** How a Postgres login on a port goes; 'unreachable' for any other port. */
  logins?: Record<number, LoginResult>;
  /** The machine's size; by default 4 CPUs, 16 GiB of memory and 100 GiB free on every disk, uid 1000. */
  machine?: Partial<Machine>;
  /**
   * The platform the fixes are for. 'recorded': computed by dec from `files` (/etc/os-release,
   * /proc/version), `exec` (sw_vers, uname -m, brew, sudo) and machine.uid, as on a real machine; that is
   * the default when `files` has /etc/os-release or /proc/version. Otherwise a typical machine for
   * `platform`: Debian 12 with sudo, macOS with Homebrew, Windows.
   */
  platformFacts?: PlatformFacts | 'recorded';
}

/** A typical machine for a platform: a user with sudo on Debian 12, macOS with Homebrew, Windows. */
export function typicalPlatform(platform: NodeJS.Platform, arch = 'x64'): PlatformFacts {
  const common = { arm64: arch === 'arm64', root: false, sudo: platform !== 'win32', brew: platform === 'darwin' };
  if (platform === 'darwin') return { ...common, os: 'macos', version: '14.5' };
  if (platform === 'win32') return { ...common, os: 'windows' };
  return {
    ...common,
    os: 'linux',
    distro: 'debian',
    version: '12',
    codename: 'bookworm',
    name: 'Debian GNU/Linux 12 (bookworm)',
  };
}

export interface FakeProbeContext extends ProbeContext {
  /** Every command run, as `"command arg1 arg2"`, in order. */
  calls: string[];
  /** Every path read, in order. */
  reads: string[];
  /** Every Postgres login tried, in order. */
  loginsTried: Array<{ port: number; login: Login }>;
}

/** What an unknown command answers: not installed. */
const NOT_FOUND: ExecResult = { notFound: true, exitCode: undefined, stdout: '', stderr: '', timedOut: false };

const DEFAULT_ENDPOINT: DockerEndpoint = { url: 'unix:///var/run/docker.sock', source: 'the default socket' };

export function emptyNeeds(): Needs {
  return { tools: new Map(), ports: [], stacks: [] };
}

export function fakeProbeContext(overrides: FakeProbeContextOptions = {}): FakeProbeContext {
  const table = overrides.exec ?? {};
  const files = overrides.files ?? {};
  const seed: Record<string, unknown> = { ...overrides.seed };
  const recorded =
    overrides.platformFacts === 'recorded' ||
    (overrides.platformFacts === undefined && ('/etc/os-release' in files || '/proc/version' in files));
  if (!recorded && !Object.hasOwn(seed, 'platform-facts'))
    seed['platform-facts'] =
      typeof overrides.platformFacts === 'object'
        ? overrides.platformFacts
        : typicalPlatform(overrides.platform ?? 'linux', overrides.arch);
  const shared = new Map<string, Promise<unknown>>();
  const calls: string[] = [];
  const reads: string[] = [];
  const loginsTried: FakeProbeContext['loginsTried'] = [];
  const engine = overrides.engine ?? unreachableEngine('socket-missing');
  const listeners = overrides.listeners ?? {};
  const env = overrides.env ?? { PATH: '', HOME: '/home/student' };
  return {
    env,
    platform: overrides.platform ?? 'linux',
    arch: overrides.arch ?? 'x64',
    home: overrides.home ?? env.HOME ?? '/home/student',
    cwd: overrides.cwd ?? '/home/student/dez',
    workspaceRoot: overrides.workspaceRoot,
    needs: overrides.needs ?? emptyNeeds(),
    timeoutMs: overrides.timeoutMs ?? 3000,
    calls,
    reads,
    loginsTried,
    async exec(file, args, options) {
      const key = [file, ...args].join(' ');
      calls.push(key);
      const answer = table[key];
      if (answer === undefined) return { ...NOT_FOUND };
      const partial = typeof answer === 'function' ? await answer(file, args, options) : answer;
      return { exitCode: 0, stdout: '', stderr: '', notFound: false, timedOut: false, ...partial };
    },
    async readFile(path) {
      reads.push(path);
      if (Object.hasOwn(files, path)) return files[path];
      if (!overrides.readDisk) return undefined;
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    once<T>(key: string, compute: () => Promise<T>): Promise<T> {
      if (Object.hasOwn(seed, key)) return Promise.resolve(seed[key] as T);
      let value = shared.get(key) as Promise<T> | undefined;
      if (!value) {
        value = compute();
        shared.set(key, value);
      }
      return value;
    },
    machine: {
      uid: () => 1000,
      release: () => '6.1.0-fake-amd64',
      cpus: () => 4,
      memoryBytes: () => 16 * 1024 ** 3,
      freeBytes: async () => 100 * 1024 ** 3,
      ...overrides.machine,
    },
    ports: {
      inUse: async (port) => Object.hasOwn(listeners, port),
      canBind: async (port) => !Object.hasOwn(listeners, port),
      listener: async (port) => listeners[port],
    },
    postgres: {
      load: async () => undefined,
      async tryLogin(port, login) {
        loginsTried.push({ port, login });
        return overrides.logins?.[port] ?? 'unreachable';
      },
    },
    docker: {
      load: async () => undefined,
      engine: async () => engine,
      async containers() {
        if (overrides.containers) return overrides.containers;
        return engine.reachable ? engine.client.listContainers() : undefined;
      },
    },
  };
}

export interface ToolNeedSpec {
  range?: string;
  required?: boolean;
  weeks?: number[];
}

export interface PortNeedSpec {
  port: number;
  service?: string;
  stack?: string;
  week?: number;
}

/** Needs from a short literal: needs({ tools: { java: { range: '8.x || 11.x' } }, ports: [{ port: 5432 }] }). */
export function needs(spec: {
  tools?: Partial<Record<ToolId, ToolNeedSpec>>;
  ports?: PortNeedSpec[];
  stacks?: string[];
  dockerMemoryGb?: number;
}): Needs {
  const tools: Needs['tools'] = new Map();
  for (const [id, tool] of Object.entries(spec.tools ?? {}) as Array<[ToolId, ToolNeedSpec]>) {
    tools.set(id, { range: tool.range, required: tool.required ?? true, weeks: tool.weeks ?? [1] });
  }
  return {
    tools,
    stacks: spec.stacks ?? [...new Set((spec.ports ?? []).map((p) => p.stack ?? 'week1'))],
    ports: (spec.ports ?? []).map((p) => ({
      port: p.port,
      service: p.service ?? 'service',
      stack: p.stack ?? 'week1',
      week: p.week ?? 1,
    })),
    dockerMemoryGb: spec.dockerMemoryGb,
  };
}

/** Engine facts for an engine that cannot be reached, as engineFacts() would report them. */
export function unreachableEngine(
  failure: DockerFailure,
  endpoint: DockerEndpoint = DEFAULT_ENDPOINT,
  message = `the engine at ${endpoint.url} failed (${failure})`,
): EngineFacts {
  return { reachable: false, endpoint, error: new DockerUnavailable(failure, endpoint, message) };
}

export interface FakeClientOptions {
  version?: Partial<EngineVersion>;
  info?: Partial<EngineInfo>;
  containers?: ContainerSummary[];
}

/** The engine a fake client stands for: Docker 28 on linux/amd64, unless the options say otherwise. */
function engineVersion(options: FakeClientOptions): EngineVersion {
  return { version: '28.2.2', apiVersion: '1.50', os: 'linux', arch: 'amd64', ...options.version };
}

function fakeDockerClient(options: FakeClientOptions = {}, endpoint = DEFAULT_ENDPOINT): DockerClient {
  const version = engineVersion(options);
  const info: EngineInfo = {
    memTotal: 8 * 1024 ** 3,
    cpus: 4,
    rootDir: '/var/lib/docker',
    name: 'fake',
    operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
    ...options.info,
  };
  return {
    endpoint,
    ping: async () => undefined,
    version: async () => version,
    info: async () => info,
    listContainers: async () => options.containers ?? [],
    startContainer: async () => undefined,
    stopContainer: async () => undefined,
    // The doctor never creates anything; setup's own tests run against the real engine.
    ...notUsedByTheDoctor,
  };
}

const unexpected = (name: string) => async (): Promise<never> => {
  throw new Error(`the doctor should not call ${name}`);
};

const notUsedByTheDoctor: Omit<
  DockerClient,
  'endpoint' | 'ping' | 'version' | 'info' | 'listContainers' | 'startContainer' | 'stopContainer'
> = {
  removeContainer: unexpected('removeContainer'),
  createContainer: unexpected('createContainer'),
  containerLogs: unexpected('containerLogs'),
  inspectState: unexpected('inspectState'),
  putFiles: unexpected('putFiles'),
  networkExists: unexpected('networkExists'),
  reattachNetwork: unexpected('reattachNetwork'),
  createNetwork: unexpected('createNetwork'),
  connectNetwork: unexpected('connectNetwork'),
  volumeExists: unexpected('volumeExists'),
  createVolume: unexpected('createVolume'),
  removeVolume: unexpected('removeVolume'),
  volumeSizes: unexpected('volumeSizes'),
  imageExists: unexpected('imageExists'),
  listImages: unexpected('listImages'),
  removeImage: unexpected('removeImage'),
  pullImage: unexpected('pullImage'),
  buildImage: unexpected('buildImage'),
  renameContainer: unexpected('renameContainer'),
  execInContainer: unexpected('execInContainer'),
  listNetworks: unexpected('listNetworks'),
  removeNetwork: unexpected('removeNetwork'),
};

/** Engine facts for a reachable engine with a fake client. */
export function reachableEngine(options: FakeClientOptions = {}, endpoint = DEFAULT_ENDPOINT): EngineFacts {
  return { reachable: true, endpoint, client: fakeDockerClient(options, endpoint), version: engineVersion(options) };
}

/** A container summary as listContainers() returns it; running unless said otherwise. */
export function container(spec: Partial<ContainerSummary> & { name: string; hostPorts?: number[] }): ContainerSummary {
  const { hostPorts, ...rest } = spec;
  return {
    id: `id-${spec.name}`,
    image: 'postgres:13',
    state: 'running',
    labels: {},
    ports: (hostPorts ?? []).map((port) => ({ hostIp: '0.0.0.0', hostPort: port, containerPort: port })),
    ...rest,
  };
}

/** Temp folders for one test file; call cleanup() in afterEach. */
export function tempDirs(): { make(prefix?: string): string; cleanup(): void } {
  const made: string[] = [];
  return {
    make(prefix = 'dec-doctor-') {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    cleanup() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
