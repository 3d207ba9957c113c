// Carries out a plan on the engine: network, volumes, pulls (with retries), containers in dependency
// order, each waited on until really ready. On a failure or Ctrl-C, the containers this run created
// are removed again (volumes always stay), so nothing is left half-made.
import {
  belongsToStack,
  DEC_LABELS,
  EngineError,
  projectOf,
  type ContainerState,
  type ContainerSummary,
  type DockerClient,
  type BuildProgress,
  type HealthcheckSpec,
  type PullProgress,
} from '../docker/client.js';
import { contextFiles, removeOldBuilds } from './build.js';
import { DecError, ExitCode, isDecError } from '../errors.js';
import type { ActualStack, StackPlan, ServiceAction } from './plan.js';
import { describeReady, readyCheck, type ReadyCheck } from './ready.js';
import { instanceName, type DesiredHealthcheck, type DesiredService, type DesiredStack } from './spec.js';
import { parseComposeDuration } from '../syllabus/duration.js';
import {
  checkJoinedNetworks,
  dockerSocketPath,
  DOCKER_SOCKET_TARGET,
  prepareFolders,
  type FolderOwner,
} from './binds.js';

export type ApplyEvent =
  /** `limitMs`: a wait with that limit (a health wait: the readiness limit in force). */
  | { kind: 'step'; text: string; limitMs?: number }
  | { kind: 'pull'; image: string; progress: PullProgress }
  | { kind: 'build'; image: string; progress: BuildProgress }
  | { kind: 'ready'; service: string; ms: number }
  | { kind: 'warn'; text: string };

export interface ApplyOptions {
  /** How long each service may take to become ready. */
  readyTimeoutMs: number;
  /** Longest silence while pulling an image. */
  pullQuietMs: number;
  /** Longest silence while building an image (a quiet RUN step counts); default 10 minutes. */
  buildQuietMs?: number;
  signal: AbortSignal;
  onEvent(event: ApplyEvent): void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** How a service's readiness is checked (tests inject one); default: ready.ts's check. */
  readyCheck?: (service: DesiredService, containerId: string) => ReadyCheck | undefined;
  /** Who owns the folders made for binds (the student behind sudo); default whoever runs dec. */
  folderOwner?: FolderOwner;
}

export interface ServiceOutcome {
  service: string;
  container: string;
  action: ServiceAction['kind'];
  readyMs?: number;
  /** A one-shot job: readyMs is when it completed. */
  job?: boolean;
}

const PULL_ATTEMPTS = 3;

/**
 * Two setups at once (before the stack lock) could each create the network: two named pg-network, and
 * every later create failed with "network is ambiguous". The one containers use is kept, the empty
 * duplicates of this project removed; returns what was done, for a warning. A duplicate that is not
 * this project's is not dec's to remove: that is an error that says what to do.
 */
export async function repairNetwork(client: DockerClient, desired: DesiredStack): Promise<string | undefined> {
  const networks = await client.listNetworks(desired.network);
  if (networks.length < 2) return undefined;
  const foreign = networks.filter((n) => projectOf(n.labels) !== desired.project || !n.labels[DEC_LABELS.stack]);
  const used = networks.filter((n) => n.containers > 0);
  if (foreign.length > 0 || used.length > 1) {
    throw new DecError(
      `There are ${networks.length} Docker networks named ${desired.network}, and dec cannot tell which to use.`,
      {
        details: networks.map(
          (n) => `  ${n.id.slice(0, 12)}: ${n.containers} container(s)${foreign.includes(n) ? ", not dec's" : ''}`,
        ),
        hint: `Remove the ones you do not need (docker network rm <id>), then run dec setup ${desired.stack} again.`,
      },
    );
  }
  const keep = used[0] ?? networks[0]!;
  const removed: string[] = [];
  for (const network of networks) {
    if (network === keep) continue;
    await client.removeNetwork(network.id);
    removed.push(network.id.slice(0, 12));
  }
  return `There were ${networks.length} networks named ${desired.network} (two setups ran at once); removed the empty ${removed.join(', ')}.`;
}

/** What the engine has of the stack now: the input of planStack. */
export async function actualState(client: DockerClient, desired: DesiredStack): Promise<ActualStack> {
  const [containers, networkExists] = await Promise.all([
    client.listContainers(),
    client.networkExists(desired.network),
  ]);
  const volumes = Object.fromEntries(
    await Promise.all(desired.volumes.map(async (v) => [v, await client.volumeExists(v)] as const)),
  );
  const images = Object.fromEntries(
    await Promise.all(
      [...new Set(desired.services.map((s) => s.image))].map(async (i) => [i, await client.imageExists(i)] as const),
    ),
  );
  return { containers, networkExists, volumes, images };
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new DecError('Interrupted.', { exitCode: ExitCode.interrupted });
}

async function pullWithRetries(
  client: DockerClient,
  image: string,
  options: ApplyOptions,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= PULL_ATTEMPTS; attempt++) {
    checkAborted(options.signal);
    try {
      await client.pullImage(
        image,
        (progress) => options.onEvent({ kind: 'pull', image, progress }),
        options.pullQuietMs,
        options.signal,
      );
      return;
    } catch (error) {
      // Ctrl-C ends the pull at once; it is not a failure to retry.
      if (options.signal.aborted) throw error;
      lastError = error;
      if (attempt < PULL_ATTEMPTS) await sleep(1000 * attempt);
    }
  }
  const reason = lastError instanceof Error ? lastError.message.split('\n')[0] : String(lastError);
  throw new DecError(`Cannot pull ${image} (tried ${PULL_ATTEMPTS} times): ${reason}`, {
    hint: `No registry answers, or the name is wrong. Load the image another way (docker load) or use a local one: --image <service>=<image>.`,
  });
}

const BUILD_QUIET_MS = 600_000;

/** What a build log says when a step needed the network and none answered (a FROM's pull, pip, apt, curl). */
const NO_NETWORK =
  /dial tcp|no such host|lookup .* on |Temporary failure in name resolution|Could not resolve|Network is unreachable|i\/o timeout|TLS handshake timeout|Failed to establish a new connection|Failed to fetch|Could not connect|Connection (refused|timed out)/i;

/**
 * Builds a service's image from its context. A failed build starts nothing: its error and the last
 * lines of its log are the message; a step that needed the network when none answers says so in one line.
 */
async function buildServiceImage(
  client: DockerClient,
  desired: DesiredStack,
  service: DesiredService,
  options: ApplyOptions,
): Promise<void> {
  const build = service.build!;
  const outcome = await client.buildImage(
    {
      tag: service.image,
      files: contextFiles(build.dir, build.dockerfile),
      dockerfile: build.dockerfile ?? 'Dockerfile',
      args: build.args ?? {},
      ...(build.target !== undefined ? { target: build.target } : {}),
      ...(build.platform !== undefined ? { platform: build.platform } : {}),
      labels: { [DEC_LABELS.project]: desired.project, [DEC_LABELS.stack]: desired.stack, 'dec.build': build.digest },
    },
    (progress) => options.onEvent({ kind: 'build', image: service.image, progress }),
    options.buildQuietMs ?? BUILD_QUIET_MS,
    options.signal,
  );
  if (outcome.ok) return;
  const error = outcome.error.split('\n')[0] ?? outcome.error;
  const details = [
    `Last ${outcome.log.length === 1 ? 'line' : `${outcome.log.length} lines`} of the build log:`,
    ...outcome.log.map((line) => `  | ${line}`),
  ];
  if (NO_NETWORK.test(outcome.error) || outcome.log.slice(-5).some((line) => NO_NETWORK.test(line)))
    throw new DecError(`Building ${service.image} needs the network, and it does not answer: ${error}`, {
      details,
      hint: 'Connect this machine to the internet (a base image that is missing can also be loaded with docker load), then run dec setup again.',
    });
  throw new DecError(`Building ${service.image} for ${service.service} failed: ${error}`, {
    details,
    hint: `Nothing was started. Fix the cause above (the Dockerfile is in ${build.dir}), then run again.`,
    exitCode: ExitCode.problems,
  });
}

/** The images older contexts built for the services this run built or kept (build.ts); a failure only warns. */
async function removeOldImages(
  client: DockerClient,
  desired: DesiredStack,
  plan: StackPlan,
  options: ApplyOptions,
): Promise<void> {
  const services = plan.builds.map((b) => b.service);
  try {
    for (const image of await removeOldBuilds(client, desired, services))
      options.onEvent({ kind: 'step', text: `removed the old image ${image} (built from an older context)` });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    options.onEvent({ kind: 'warn', text: `The stack is up, but its old images could not be removed: ${reason}` });
  }
}

/** The state of a container being waited on; a container removed meanwhile is a failure of its own. */
async function stateOf(client: DockerClient, service: DesiredService, containerId: string): Promise<ContainerState> {
  try {
    return await client.inspectState(containerId);
  } catch (error) {
    if (error instanceof EngineError && error.statusCode === 404)
      throw new DecError(`${service.service} did not become ready: its container was removed meanwhile.`, {
        hint: 'Something else removed it (docker rm, a prune); run dec setup again.',
        exitCode: ExitCode.problems,
      });
    throw error;
  }
}

/**
 * What one look at the container says: true (ready), false (not yet), or a DecError (it never will be).
 * A job is ready once it exited with code 0; a service once it runs, its Docker health check passes and
 * its ready check (from the host) answers.
 */
async function lookAt(
  client: DockerClient,
  service: DesiredService,
  containerId: string,
  check: ReadyCheck | undefined,
): Promise<boolean | DecError> {
  const state = await stateOf(client, service, containerId);
  if (service.job) {
    if (state.status === 'running' || state.status === 'created') return false;
    if (state.status === 'exited' && state.exitCode === 0) return true;
    return jobFailed(client, service, containerId, state);
  }
  if (state.status !== 'running' && state.status !== 'created' && state.status !== 'restarting') {
    return notReady(client, service, containerId, `its container stopped (${state.status})`);
  }
  if (state.health?.status === 'unhealthy') return unhealthy(client, service, containerId, state.health);
  if (state.status !== 'running' || (service.healthcheck && state.health?.status !== 'healthy')) return false;
  const verdict = check ? await check() : true;
  return typeof verdict === 'string' ? notReady(client, service, containerId, verdict) : verdict;
}

/** Waits until the service is ready (a job: until it completed); fails early when it never will be. */
async function waitReady(
  client: DockerClient,
  service: DesiredService,
  containerId: string,
  since: number,
  options: ApplyOptions,
  sleep: (ms: number) => Promise<void>,
): Promise<number> {
  const now = options.now ?? Date.now;
  const check = service.job
    ? undefined
    : options.readyCheck
      ? options.readyCheck(service, containerId)
      : readyCheck(service, 2000, { client, containerId });
  for (;;) {
    checkAborted(options.signal);
    const verdict = await lookAt(client, service, containerId, check);
    if (verdict === true) return now() - since;
    if (verdict instanceof DecError) throw verdict;
    if (now() - since > options.readyTimeoutMs) {
      const limit = `${Math.round(options.readyTimeoutMs / 1000)} s`;
      throw await notReady(
        client,
        service,
        containerId,
        service.job
          ? `it did not finish within ${limit}`
          : `it was not ready within ${limit} (waiting until ${describeReady(service)})`,
      );
    }
    // Poll often at first (Postgres is usually up in 1 to 3 s), then back off.
    await sleep(now() - since < 10_000 ? 100 : 500);
  }
}

/** The last `count` lines of a container's log, indented, for an error's details. */
async function logTail(client: DockerClient, containerId: string, count: number): Promise<string[]> {
  const logs = await client.containerLogs(containerId, count).catch(() => '(no logs)');
  return [
    `Last ${count} log lines:`,
    ...logs
      .trimEnd()
      .split('\n')
      .map((line) => `  | ${line}`),
  ];
}

async function notReady(
  client: DockerClient,
  service: DesiredService,
  containerId: string,
  why: string,
): Promise<DecError> {
  return new DecError(`${service.service} did not become ready: ${why}.`, {
    details: await logTail(client, containerId, 30),
    hint: 'Fix the cause above, or raise --timeout, then run again.',
    exitCode: ExitCode.problems,
  });
}

/** Docker gave up on the service's health check: its last output says why, the log what led to it. */
async function unhealthy(
  client: DockerClient,
  service: DesiredService,
  containerId: string,
  health: NonNullable<ContainerState['health']>,
): Promise<DecError> {
  const output = health.lastOutput ? health.lastOutput.split('\n').map((line) => `  | ${line}`) : ['  | (no output)'];
  const test = service.healthcheck ? [`Health check: ${service.healthcheck.test.join(' ')}`] : [];
  return new DecError(
    `${service.service} did not become ready: its health check failed ${health.failingStreak} times in a row.`,
    {
      details: [...test, 'Last health check output:', ...output, ...(await logTail(client, containerId, 30))],
      hint: 'Fix the cause above, then run again.',
      exitCode: ExitCode.problems,
    },
  );
}

const JOB_LOG_LINES = 20;

/** A job that ended with another exit code than 0: nothing that waits for it starts. */
async function jobFailed(
  client: DockerClient,
  service: DesiredService,
  containerId: string,
  state: ContainerState,
): Promise<DecError> {
  const how =
    state.status === 'exited'
      ? `it exited with code ${state.exitCode ?? 'unknown'}`
      : `its container is ${state.status}`;
  return new DecError(`The job ${service.service} failed: ${how}.`, {
    details: await logTail(client, containerId, JOB_LOG_LINES),
    hint: 'Nothing that needs it was started. Fix the cause above, then run again.',
    exitCode: ExitCode.problems,
  });
}

/** The first instance of each service (its replicas share its settings). */
function onePerService(instances: DesiredService[]): DesiredService[] {
  return instances.filter((s, index) => instances.findIndex((other) => other.service === s.service) === index);
}

/** Stops and removes the containers a scale-down or --without left over (never a volume: they are kept). */
async function removeExtras(
  client: DockerClient,
  plan: StackPlan,
  signal: AbortSignal,
  step: (text: string) => void,
): Promise<void> {
  for (const container of plan.removeExtra) {
    checkAborted(signal);
    step(`removing ${container.name} (scaled down or turned off; volumes are kept)`);
    if (container.state === 'running' || container.state === 'restarting') await client.stopContainer(container.id);
    await client.removeContainer(container.id);
  }
}

/** What the host gives the services this run starts: folders, the engine's socket, other stacks' networks. */
interface HostParts {
  socket?: string;
  networks: Set<string>;
}

/**
 * Checked and made before the engine is asked for anything: a required network that is missing, a
 * folder that leads out of its base or a socket that cannot be mounted stops the run with nothing made.
 */
async function prepareHost(client: DockerClient, plan: StackPlan, options: ApplyOptions): Promise<HostParts> {
  // Once per service: its replicas share its folders, socket and networks.
  const starting = onePerService(
    plan.services.filter((a) => a.kind !== 'keep' && a.kind !== 'differs').map((a) => a.service),
  );
  const warn = (text: string) => options.onEvent({ kind: 'warn', text });
  const networks = await checkJoinedNetworks(client, onePerService(plan.services.map((a) => a.service)));
  networks.warnings.forEach(warn);
  const users = starting.filter((s) => s.dockerSocket);
  const socket = users.length > 0 ? dockerSocketPath(client.endpoint, users[0]!.service) : undefined;
  if (socket)
    warn(
      `${users.map((s) => s.service).join(', ')} get${users.length === 1 ? 's' : ''} the Docker socket (${socket} at ${DOCKER_SOCKET_TARGET}): ${users.length === 1 ? 'it controls' : 'they control'} this Docker engine.`,
    );
  const folders = await prepareFolders(starting, options.folderOwner);
  for (const folder of folders.created) options.onEvent({ kind: 'step', text: `made the folder ${folder}` });
  folders.warnings.forEach(warn);
  return { socket, networks: networks.present };
}

/** Joins the other stacks' networks that are there, with the service's names (a no-op when it is on them). */
async function joinNetworks(
  client: DockerClient,
  service: DesiredService,
  id: string,
  host: HostParts,
  step: (text: string) => void,
): Promise<void> {
  for (const joined of service.networks.filter((n) => host.networks.has(n.network))) {
    if (await client.connectNetwork(id, joined.network, service.aliases))
      step(`${service.containerName} joins the network ${joined.network} (${joined.stack})`);
  }
}

async function createService(
  client: DockerClient,
  desired: DesiredStack,
  service: DesiredService,
  host: HostParts,
): Promise<string> {
  const binds = [
    ...service.binds.map((b) => ({ source: b.source, target: b.target, readOnly: b.readOnly })),
    ...(service.dockerSocket && host.socket
      ? [{ source: host.socket, target: DOCKER_SOCKET_TARGET, readOnly: false }]
      : []),
  ];
  const id = await client.createContainer({
    ...(binds.length > 0 ? { binds } : {}),
    name: service.containerName,
    image: service.image,
    env: service.env,
    command: service.command,
    labels: service.labels,
    ports: service.ports,
    mounts: service.mounts,
    network: desired.network,
    aliases: service.aliases,
    ...(service.healthcheck ? { healthcheck: healthcheckSpec(service.healthcheck) } : {}),
    ...(service.user !== undefined ? { user: service.user } : {}),
    ...(service.entrypoint ? { entrypoint: service.entrypoint } : {}),
    restart: service.restart,
    ...(service.hostname !== undefined ? { hostname: service.hostname } : {}),
  });
  if (service.files.length > 0) await client.putFiles(id, service.files);
  return id;
}

/** The syllabus's health check ("10s") in the client's terms (milliseconds). */
export function healthcheckSpec(check: DesiredHealthcheck): HealthcheckSpec {
  const ms = (text: string | undefined) => (text === undefined ? undefined : parseComposeDuration(text));
  return {
    test: check.test,
    intervalMs: ms(check.interval),
    timeoutMs: ms(check.timeout),
    retries: check.retries,
    startPeriodMs: ms(check.startPeriod),
  };
}

/** What a run made, for its rollback. */
interface RunMade {
  /** Whether this run created the stack's network (removed again on a rollback when nothing uses it). */
  network: boolean;
  containers: string[];
  volumes: string[];
  ready: Set<string>;
  /** Containers a recreate renamed to <name>-old (stopped) until their replacement is ready. */
  asides: Array<{ id: string; name: string; wasRunning: boolean }>;
}

/**
 * Moves a container that is to be replaced out of the way, stopped and renamed <name>-old, so that its
 * replacement can take the name and the ports while the old one can still come back.
 */
async function moveAside(
  client: DockerClient,
  desired: DesiredStack,
  service: DesiredService,
  old: ContainerSummary,
  made: RunMade,
): Promise<void> {
  const asideName = `${service.containerName}-old`;
  // Left by a recreate cut off by a crash; the container with the real name is the one to keep.
  const stale = (await client.listContainers()).find(
    (c) =>
      c.name === asideName && c.id !== old.id && belongsToStack(c, desired.project, desired.stack, service.service),
  );
  if (stale) await client.removeContainer(stale.id);
  const wasRunning = old.state === 'running' || old.state === 'restarting';
  await client.stopContainer(old.id);
  await client.renameContainer(old.id, asideName);
  made.asides.push({ id: old.id, name: service.containerName, wasRunning });
}

/**
 * Undoes what a failed or interrupted run made: its containers, and the volumes it created for services
 * that never became ready. Such a volume holds no data, but a Postgres interrupted in its first start
 * leaves a half-initialised cluster there that refuses the login forever after.
 */
async function rollBack(client: DockerClient, desired: DesiredStack, created: RunMade): Promise<string> {
  for (const id of [...created.containers].reverse()) {
    // A short grace: these never became ready, but a Postgres on an older volume still deserves a clean stop.
    await client.stopContainer(id, 3).catch(() => undefined);
    await client.removeContainer(id).catch(() => undefined);
  }
  // The containers a recreate moved aside get their names back (and run again if they ran).
  const restored: string[] = [];
  const lost: string[] = [];
  for (const aside of created.asides) {
    try {
      await client.renameContainer(aside.id, aside.name);
      if (aside.wasRunning) await client.startContainer(aside.id);
      restored.push(aside.name);
    } catch {
      lost.push(`${aside.name} (it is still there as ${aside.name}-old)`);
    }
  }
  const back =
    restored.length > 0
      ? ` The previous ${restored.join(', ')} ${restored.length === 1 ? 'was' : 'were'} put back.`
      : '';
  const stuck = lost.length > 0 ? ` Could not put back ${lost.join(', ')}.` : '';
  const keptByReady = new Set(
    desired.services.filter((s) => created.ready.has(s.service)).flatMap((s) => s.mounts.map((m) => m.volume)),
  );
  const removed: string[] = [];
  for (const volume of created.volumes.filter((v) => !keptByReady.has(v))) {
    if (
      await client.removeVolume(volume).then(
        () => true,
        () => false,
      )
    )
      removed.push(volume);
  }
  // A network this run made and nothing uses: a first setup that failed leaves nothing behind.
  if (created.network) {
    const ours = await client.listNetworks(desired.network).catch(() => []);
    for (const network of ours.filter((n) => n.containers === 0 && n.labels[DEC_LABELS.project] === desired.project))
      await client.removeNetwork(network.id).catch(() => undefined);
  }
  const parts: string[] = [];
  if (created.containers.length > 0) parts.push('the containers this run created');
  if (removed.length > 0)
    parts.push(
      `the new volume${removed.length === 1 ? '' : 's'} ${removed.join(', ')} (${removed.length === 1 ? 'its' : 'their'} first start never finished, so ${removed.length === 1 ? 'it' : 'they'} held no data)`,
    );
  const undone = parts.length > 0 ? `Removed ${parts.join(', and ')}.` : 'Nothing this run started was left.';
  const kept = created.volumes.length > removed.length || desired.volumes.length > created.volumes.length;
  return `${undone}${kept ? ' Your volumes were kept.' : ''}${back}${stuck}`;
}

/** The same error with what the rollback did as its last detail line. */
function withRollbackNote(error: unknown, note: string): unknown {
  if (!isDecError(error)) return error;
  return new DecError(error.message, {
    hint: error.hint,
    details: [...error.details, note],
    exitCode: error.exitCode,
    cause: error.cause,
  });
}

/** The services' part of applyPlan's options, with the sleep settled. */
type RunOptions = ApplyOptions & { sleep: (ms: number) => Promise<void> };

/**
 * Starts the plan's services as a dependency graph: each is created and started as soon as what it
 * depends on is started, ready, healthy or completed (as it says), so independent services start and
 * are waited on at the same time; a job still completes before its dependents. The first failure (or
 * Ctrl-C) stops the others' work; once all of it has settled, that failure is thrown for the rollback,
 * which then sees every container this run made.
 */
async function startServices(
  client: DockerClient,
  desired: DesiredStack,
  plan: StackPlan,
  host: HostParts,
  created: RunMade,
  options: RunOptions,
): Promise<ServiceOutcome[]> {
  // Aborted by Ctrl-C or by the first failure: the other services stop at their next step.
  const stop = new AbortController();
  const abort = () => stop.abort();
  options.signal.addEventListener('abort', abort, { once: true });
  if (options.signal.aborted) stop.abort();
  const run: RunOptions = { ...options, signal: stop.signal };
  const step = (text: string) => options.onEvent({ kind: 'step', text });
  const instances = new Map<string, ServiceAction[]>();
  for (const action of plan.services)
    instances.set(action.service.service, [...(instances.get(action.service.service) ?? []), action]);
  const outcomes = new Map<ServiceAction, ServiceOutcome>(
    plan.services.map((action) => [
      action,
      {
        service: action.service.service,
        container: action.service.containerName,
        action: action.kind,
        job: action.service.job,
      },
    ]),
  );
  const starts = new Map<ServiceAction, Promise<Started | undefined>>();
  const readies = new Map<ServiceAction, Promise<void>>();
  const started = (action: ServiceAction): Promise<Started | undefined> => {
    let promise = starts.get(action);
    if (!promise) {
      promise = (async () => {
        // What it depends on first: started, ready, healthy or completed, as it says (a failed job stops it).
        await Promise.all(
          Object.entries(action.service.waitsFor).flatMap(([dependency, wait]) =>
            (instances.get(dependency) ?? []).map((other) => (wait === 'started' ? started(other) : ready(other))),
          ),
        );
        return startService(client, desired, action, host, created, run);
      })();
      starts.set(action, promise);
    }
    return promise;
  };
  const ready = (action: ServiceAction): Promise<void> => {
    let promise = readies.get(action);
    if (!promise) {
      promise = (async () => {
        const begun = await started(action);
        const { service } = action;
        if (!begun) return;
        options.onEvent({
          kind: 'step',
          text: `waiting for ${instanceName(service)}: ${describeReady(service)}`,
          limitMs: run.readyTimeoutMs,
        });
        const readyMs = await waitReady(client, service, begun.id, begun.since, run, run.sleep);
        created.ready.add(service.service);
        outcomes.get(action)!.readyMs = readyMs;
        // A job is not "ready": it is done.
        if (service.job) step(`${service.service} completed (${(readyMs / 1000).toFixed(1)} s)`);
        else options.onEvent({ kind: 'ready', service: instanceName(service), ms: readyMs });
      })();
      readies.set(action, promise);
    }
    return promise;
  };
  let failure: { error: unknown } | undefined;
  try {
    await Promise.all(
      plan.services.map((action) =>
        ready(action).catch((error: unknown) => {
          failure ??= { error };
          stop.abort();
        }),
      ),
    );
  } finally {
    options.signal.removeEventListener('abort', abort);
  }
  if (failure) throw failure.error;
  return plan.services.map((action) => outcomes.get(action)!);
}

/** A container this run started, and when (what its wait is timed from). */
interface Started {
  id: string;
  since: number;
}

/**
 * Creates (or starts again, or recreates) one service's container and starts it; undefined for one
 * kept as it is (ready already, or left as it differs).
 */
async function startService(
  client: DockerClient,
  desired: DesiredStack,
  action: ServiceAction,
  host: HostParts,
  created: RunMade,
  options: RunOptions,
): Promise<Started | undefined> {
  const { service } = action;
  const step = (text: string) => options.onEvent({ kind: 'step', text });
  if (action.kind === 'keep' || action.kind === 'differs') {
    created.ready.add(service.service);
    if (action.kind === 'keep') await joinNetworks(client, service, action.container.id, host, step);
    return undefined;
  }
  checkAborted(options.signal);
  let id: string;
  if (action.kind === 'recreate') {
    step(`stopping the old ${service.containerName} (kept aside until the new one is ready; its volume stays)`);
    await moveAside(client, desired, service, action.container, created);
  }
  if (action.kind === 'start') {
    id = action.container.id;
    // Only the old container of a recreate cut off by a crash is left, aside: it gets its name back.
    if (action.container.name !== service.containerName) {
      step(`renaming ${action.container.name} back to ${service.containerName}`);
      await client.renameContainer(id, service.containerName);
    }
    // A network removed behind dec's back (docker network rm, prune) was recreated above: a stopped
    // container still points at the old one and would never start again.
    if (await client.reattachNetwork(id, desired.network, service.aliases))
      step(`reconnecting ${service.containerName} to the network ${desired.network}`);
  } else {
    step(`creating ${service.containerName}`);
    id = await createService(client, desired, service, host);
    created.containers.push(id);
  }
  await joinNetworks(client, service, id, host, step);
  step(service.job ? `running the job ${service.containerName}` : `starting ${service.containerName}`);
  await client.startContainer(id);
  return { id, since: (options.now ?? Date.now)() };
}

export async function applyPlan(
  client: DockerClient,
  desired: DesiredStack,
  plan: StackPlan,
  options: ApplyOptions,
): Promise<ServiceOutcome[]> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const labels = { [DEC_LABELS.project]: desired.project, [DEC_LABELS.stack]: desired.stack };
  const created: RunMade = { network: false, containers: [], volumes: [], ready: new Set(), asides: [] };
  const step = (text: string) => options.onEvent({ kind: 'step', text });
  const host = await prepareHost(client, plan, options);
  try {
    if (plan.createNetwork) {
      step(`network ${desired.network}`);
      await client.createNetwork(desired.network, labels);
      created.network = true;
    }
    for (const volume of plan.createVolumes) {
      step(`volume ${volume}`);
      await client.createVolume(volume, labels);
      created.volumes.push(volume);
    }
    for (const image of plan.pullImages) {
      step(`pulling ${image}`);
      await pullWithRetries(client, image, options, sleep);
    }
    // Every image before any container: a failed build starts nothing.
    for (const { service, upToDate } of plan.builds) {
      if (upToDate) continue;
      checkAborted(options.signal);
      step(`building ${service.image}`);
      await buildServiceImage(client, desired, service, options);
    }
    // Before any container starts: a replica scaled away may hold a name or port the new layout needs.
    await removeExtras(client, plan, options.signal, step);
    const outcomes = await startServices(client, desired, plan, host, created, { ...options, sleep });
    // Every service is ready: the replaced containers (stopped, aside) go; the volumes were never theirs.
    for (const aside of created.asides) await client.removeContainer(aside.id).catch(() => undefined);
    await removeOldImages(client, desired, plan, options);
    return outcomes;
  } catch (error) {
    // Best effort: the engine may be the thing that failed (main.ts reports that, as for every command).
    throw withRollbackNote(error, await rollBack(client, desired, created));
  }
}
