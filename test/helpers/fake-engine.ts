// A Docker engine in memory for the setup apply loop's unit tests: a small state machine behind the
// DockerClient interface, with faults a test programs (a pull that fails N times, a container that never
// gets ready or exits, a create that fails, a health check that passes late, fails or hangs, a job that
// exits 0, fails or hangs, Ctrl-C at a given call). Every call is logged in order, so a test reads what
// the apply loop did. No wall clock: `clock` moves only when the loop sleeps.
import { DecError, ExitCode } from '../../src/errors.js';
import type { ApplyEvent, ApplyOptions } from '../../src/setup/apply.js';
import {
  EngineError,
  type BuildSpec,
  type ContainerState,
  type ContainerSummary,
  type CreateContainerSpec,
  type DockerClient,
  type ExecResult,
  type NetworkSummary,
} from '../../src/docker/client.js';

export interface FakeContainer {
  id: string;
  name: string;
  spec: CreateContainerSpec;
  state: 'created' | 'running' | 'exited';
  files: Array<{ path: string; content: string }>;
  /** Readiness polls answered so far while running. */
  polls: number;
  /** State inspections while running (a job exits, a health check passes, after some). */
  inspections: number;
  exitCode?: number;
  /** The networks it is on: its stack's, then those joined with connectNetwork. */
  networks: string[];
}

export interface Faults {
  /** image → how many pulls fail before one works (Infinity: never). */
  pullFailures: Record<string, number>;
  /** service → polls before it is ready (default 0: ready at once; Infinity: never). */
  readyAfter: Record<string, number>;
  /** service → the readiness check's "never" verdict (e.g. a refused password). */
  readyVerdict: Record<string, string>;
  /** service → its container exits as soon as it starts. */
  exitsOnStart: Set<string>;
  /** service → creating its container fails (the engine's message). */
  createFails: Record<string, string>;
  /** service → starting its container fails. */
  startFails: Record<string, string>;
  /** service → inspections before its health check passes (default 0; Infinity: it hangs in "starting"). */
  healthyAfter: Record<string, number>;
  /** service → its health check says unhealthy, with this as the last check's output. */
  unhealthy: Record<string, string>;
  /** service (a job) → its exit code (default 0). */
  jobExit: Record<string, number>;
  /** service (a job) → inspections before it exits (default 0; Infinity: it never ends). */
  jobRunsFor: Record<string, number>;
  /** service → its log (default "logs of <container>"); containerLogs answers its last lines. */
  logs: Record<string, string>;
  /** image name (without its tag) → its build stops with this error and log (the Dockerfile failed). */
  buildFails: Record<string, { error: string; log: string[] }>;
  /** image names (without tag) whose build never ends (until Ctrl-C). */
  buildHangs: Set<string>;
  /**
   * Called before each logged call (e.g. to abort at one), and before each state inspection as
   * "inspect <container>" (not logged: polls); may throw to fail that call.
   */
  before?: (call: string) => void;
}

export class FakeEngine {
  readonly calls: string[] = [];
  readonly containers = new Map<string, FakeContainer>();
  readonly networks: NetworkSummary[] = [];
  readonly volumes = new Map<string, Record<string, string>>();
  readonly images = new Set<string>();
  /** The labels of the images it built (tag → labels). */
  readonly imageLabels = new Map<string, Record<string, string>>();
  readonly sleeps: number[] = [];
  readonly faults: Faults = {
    pullFailures: {},
    readyAfter: {},
    readyVerdict: {},
    exitsOnStart: new Set(),
    createFails: {},
    startFails: {},
    healthyAfter: {},
    unhealthy: {},
    jobExit: {},
    jobRunsFor: {},
    logs: {},
    buildFails: {},
    buildHangs: new Set(),
  };
  /** What each build was given: its tag, labels and the context's files (path → content). */
  readonly builds: Array<{ spec: BuildSpec; files: Record<string, string> }> = [];
  clock = 0;
  private nextId = 1;
  private pulls = new Map<string, number>();

  /** The injected clock and sleep for ApplyOptions: sleeping only moves the clock. */
  readonly now = (): number => this.clock;
  readonly sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.clock += ms;
  };

  private log(call: string): void {
    this.faults.before?.(call);
    this.calls.push(call);
  }

  private find(id: string): FakeContainer {
    const container = this.containers.get(id);
    if (!container) throw new EngineError(404, `No such container: ${id}`);
    return container;
  }

  /** A container as if an earlier run had made it (labels, state, config hash as given). */
  addContainer(spec: CreateContainerSpec, state: FakeContainer['state'] = 'running'): FakeContainer {
    const id = `c${this.nextId++}`;
    const container: FakeContainer = {
      id,
      name: spec.name,
      spec,
      state,
      files: [],
      polls: 0,
      inspections: 0,
      networks: [spec.network],
    };
    this.containers.set(id, container);
    return container;
  }

  byName(name: string): FakeContainer | undefined {
    return [...this.containers.values()].find((c) => c.name === name);
  }

  /** The readiness check the apply loop gets in tests: answers from `faults`. */
  readyCheck(service: string, id: string): () => Promise<boolean | string> {
    return async () => {
      const container = this.find(id);
      this.calls.push(`check ${container.name}`);
      const verdict = this.faults.readyVerdict[service];
      if (verdict !== undefined) return verdict;
      container.polls++;
      return container.polls > (this.faults.readyAfter[service] ?? 0);
    };
  }

  summary(container: FakeContainer): ContainerSummary {
    return {
      id: container.id,
      name: container.name,
      image: container.spec.image,
      state: container.state,
      labels: container.spec.labels,
      ports: container.spec.ports.map((p) => ({ hostIp: p.hostIp, hostPort: p.host, containerPort: p.container })),
      networks: [...container.networks],
      ...(container.state === 'exited' && container.exitCode !== undefined ? { exitCode: container.exitCode } : {}),
    };
  }

  private serviceOf(container: FakeContainer): string {
    return container.spec.labels['dec.service'] ?? '';
  }

  /** One state inspection: a running job may end, a health check may pass or fail. */
  private inspect(container: FakeContainer): ContainerState {
    this.faults.before?.(`inspect ${container.name}`);
    const service = this.serviceOf(container);
    if (container.state === 'running') container.inspections++;
    const isJob = container.spec.labels['dec.job'] === '1';
    if (isJob && container.state === 'running' && container.inspections > (this.faults.jobRunsFor[service] ?? 0)) {
      container.state = 'exited';
      container.exitCode = this.faults.jobExit[service] ?? 0;
    }
    const state: ContainerState = {
      status: container.state,
      ...(container.state === 'exited' && container.exitCode !== undefined ? { exitCode: container.exitCode } : {}),
    };
    if (!container.spec.healthcheck || container.state !== 'running') return state;
    const unhealthy = this.faults.unhealthy[service];
    if (unhealthy !== undefined) {
      const failingStreak = container.spec.healthcheck.retries ?? 3;
      return { ...state, health: { status: 'unhealthy', failingStreak, lastOutput: unhealthy } };
    }
    const healthy = container.inspections > (this.faults.healthyAfter[service] ?? 0);
    return { ...state, health: { status: healthy ? 'healthy' : 'starting', failingStreak: 0 } };
  }

  readonly client: DockerClient = {
    endpoint: { url: 'unix:///fake/docker.sock', source: 'the fake engine' },
    ping: async () => undefined,
    version: async () => ({ version: '28.2.2', apiVersion: '1.50', os: 'linux', arch: 'amd64' }),
    info: async () => ({
      memTotal: 8 * 1024 ** 3,
      cpus: 4,
      rootDir: '/var/lib/docker',
      name: 'fake',
      operatingSystem: 'fake',
    }),
    listContainers: async () => [...this.containers.values()].map((c) => this.summary(c)),
    startContainer: async (id) => {
      const container = this.find(id);
      this.log(`start ${container.name}`);
      const service = container.spec.labels['dec.service'] ?? '';
      const failure = this.faults.startFails[service];
      if (failure !== undefined) throw new EngineError(500, failure);
      container.inspections = 0;
      container.exitCode = undefined;
      if (this.faults.exitsOnStart.has(service)) {
        container.state = 'exited';
        container.exitCode = 1;
      } else container.state = 'running';
    },
    stopContainer: async (id) => {
      const container = this.find(id);
      this.log(`stop ${container.name}`);
      if (container.state === 'running') {
        container.state = 'exited';
        container.exitCode = 0;
      }
    },
    removeContainer: async (id) => {
      const container = this.containers.get(id);
      this.log(`remove ${container?.name ?? id}`);
      this.containers.delete(id);
    },
    createContainer: async (spec) => {
      this.log(`create ${spec.name}`);
      const service = spec.labels['dec.service'] ?? '';
      const failure = this.faults.createFails[service];
      if (failure !== undefined) throw new EngineError(500, failure);
      if (this.byName(spec.name))
        throw new EngineError(409, `Conflict. The container name "/${spec.name}" is already in use`);
      if (!this.images.has(spec.image)) throw new EngineError(404, `No such image: ${spec.image}`);
      if (!this.networks.some((n) => n.name === spec.network))
        throw new EngineError(404, `network ${spec.network} not found`);
      for (const mount of spec.mounts) if (!this.volumes.has(mount.volume)) this.volumes.set(mount.volume, {});
      return this.addContainer(spec, 'created').id;
    },
    containerLogs: async (id, tail) => {
      const container = this.find(id);
      const log = this.faults.logs[this.serviceOf(container)] ?? `logs of ${container.name}`;
      return log.split('\n').slice(-tail).join('\n');
    },
    inspectState: async (id) => this.inspect(this.find(id)),
    putFiles: async (id, files) => {
      const container = this.find(id);
      this.log(`files ${container.name}`);
      container.files.push(...files);
    },
    networkExists: async (name) => this.networks.some((n) => n.name === name),
    createNetwork: async (name, labels) => {
      this.log(`network ${name}`);
      this.networks.push({ id: `n${this.nextId++}`, name, labels, containers: 0 });
    },
    connectNetwork: async (id, network) => {
      const container = this.find(id);
      this.log(`connect ${container.name} ${network}`);
      if (!this.networks.some((n) => n.name === network)) throw new EngineError(404, `network ${network} not found`);
      if (container.networks.includes(network)) return false;
      container.networks.push(network);
      return true;
    },
    volumeExists: async (name) => this.volumes.has(name),
    createVolume: async (name, labels) => {
      this.log(`volume ${name}`);
      this.volumes.set(name, labels);
    },
    removeVolume: async (name) => {
      this.log(`removeVolume ${name}`);
      this.volumes.delete(name);
    },
    volumeSizes: async () => Object.fromEntries([...this.volumes.keys()].map((v) => [v, 0])),
    imageExists: async (ref) => this.images.has(ref),
    listImages: async (labels) =>
      [...this.images]
        .map((tag) => ({ id: `sha256:${tag}`, tags: [tag], labels: this.imageLabels.get(tag) ?? {} }))
        .filter((image) => Object.entries(labels).every(([key, value]) => image.labels[key] === value)),
    removeImage: async (ref) => {
      this.log(`removeImage ${ref}`);
      // As the engine without force: a container, running or not, keeps its image.
      if ([...this.containers.values()].some((c) => c.spec.image === ref) || !this.images.has(ref)) return false;
      this.images.delete(ref);
      this.imageLabels.delete(ref);
      return true;
    },
    pullImage: async (ref) => {
      this.log(`pull ${ref}`);
      const failed = this.pulls.get(ref) ?? 0;
      if (failed < (this.faults.pullFailures[ref] ?? 0)) {
        this.pulls.set(ref, failed + 1);
        throw new EngineError(404, `pull access denied for ${ref}`);
      }
      this.images.add(ref);
    },
    buildImage: async (spec, onProgress, _quietMs, signal) => {
      this.log(`build ${spec.tag}`);
      const files: Record<string, string> = {};
      for await (const file of spec.files) files[file.path] = file.content.toString();
      this.builds.push({ spec, files });
      const name = spec.tag.replace(/:[^/:]*$/, '');
      onProgress({ step: 1, steps: 2, text: 'FROM dec-test/busybox:1' });
      if (this.faults.buildHangs.has(name)) {
        await new Promise<void>((resolve) => {
          if (signal?.aborted) resolve();
          signal?.addEventListener('abort', () => resolve(), { once: true });
        });
        throw new DecError('Interrupted.', { exitCode: ExitCode.interrupted });
      }
      const failure = this.faults.buildFails[name];
      if (failure) return { ok: false, ...failure };
      onProgress({ step: 2, steps: 2, text: 'RUN true' });
      this.images.add(spec.tag);
      this.imageLabels.set(spec.tag, spec.labels);
      return { ok: true };
    },
    renameContainer: async (id, name) => {
      const container = this.find(id);
      this.log(`rename ${container.name} ${name}`);
      if (this.byName(name)) throw new EngineError(409, `Conflict. The container name "/${name}" is already in use`);
      container.name = name;
    },
    execInContainer: async (id, command): Promise<ExecResult> => {
      const container = this.find(id);
      this.log(`exec ${container.name} ${command[0] ?? ''}`);
      return { exitCode: 0, output: '' };
    },
    listNetworks: async (name) => this.networks.filter((n) => n.name === name).map((n) => ({ ...n })),
    removeNetwork: async (id) => {
      this.log(`removeNetwork ${id}`);
      const at = this.networks.findIndex((n) => n.id === id);
      if (at >= 0) this.networks.splice(at, 1);
    },
    // Containers here are always on their stack's network; the real engine's case is tested end to end.
    reattachNetwork: async (id) => {
      this.find(id);
      return false;
    },
  };
}

/** The injected seams: the fake's clock and sleep, its readiness check; "ready <service>" events join its call log. */
export function applySeams(
  engine: FakeEngine,
  extra: Partial<ApplyOptions> = {},
): ApplyOptions & { events: ApplyEvent[] } {
  const events: ApplyEvent[] = [];
  return {
    readyTimeoutMs: 60_000,
    pullQuietMs: 1000,
    signal: new AbortController().signal,
    onEvent: (event) => {
      events.push(event);
      if (event.kind === 'ready') engine.calls.push(`ready ${event.service}`);
    },
    now: engine.now,
    sleep: engine.sleep,
    readyCheck: (service, id) => engine.readyCheck(service.service, id),
    events,
    ...extra,
  };
}
