// The stack engine's flow: observe what the engine has, plan, apply (up), take down (down), report
// (status). Every side effect comes in: the Docker client, the host's ports, the clock and sleep, the
// abort signal and the event sink (ApplyOptions). src/commands/setup.ts parses flags, asks and renders.
import { belongsToStack, DEC_LABELS, type ContainerSummary, type DockerClient } from '../docker/client.js';
import type { Admin } from '../doctor/platform.js';
import { holderAmong, describeHolder, freePortFix, heldByOwnStack } from '../doctor/probes/port-holders.js';
import type { HostPorts } from '../doctor/types.js';
import { DecError, ExitCode } from '../errors.js';
import type { Stack } from '../syllabus/schema.js';
import { actualState, applyPlan, repairNetwork, type ApplyOptions, type ServiceOutcome } from './apply.js';
import { hostChanges } from './binds.js';
import {
  changesNothing,
  jobSucceeded,
  planStack,
  serviceContainer,
  wholeStackUp,
  withPublishedPorts,
  type ActualStack,
  type PlanOptions,
  type StackPlan,
} from './plan.js';
import { remapFlag } from './port-hint.js';
import { serviceReady } from './ready.js';
import { instancesOf, type DesiredStack } from './spec.js';

/** What a setup would do, and what it was planned from. */
export interface UpPlan {
  actual: ActualStack;
  plan: StackPlan;
  /** Folders it would make and networks kept containers would join (they count as changes too). */
  hostLines: string[];
}

/**
 * Observes the engine and plans. A real run (`repair`) first mends a network that two setups at once
 * made twice, and says so through `warn`; a --dry-run only looks.
 */
export async function planUp(
  client: DockerClient,
  desired: DesiredStack,
  options: PlanOptions & { repair: boolean; warn(text: string): void },
): Promise<UpPlan> {
  if (options.repair) {
    const repaired = await repairNetwork(client, desired);
    if (repaired) options.warn(repaired);
  }
  const actual = await actualState(client, desired);
  const plan = planStack(desired, actual, options);
  // Replicas share their folders: each folder is made once.
  const hostLines = [...new Set(await hostChanges(client, plan))];
  return { actual, plan, hostLines };
}

/** Nothing to create, start, build, make or join: the stack is up as planned. */
export function changesNothingAtAll(up: UpPlan): boolean {
  return changesNothing(up.plan) && up.hostLines.length === 0;
}

/** What the port check needs of the host: who holds a port, and how a student frees one there. */
export interface PortSeams {
  hostPorts: Pick<HostPorts, 'inUse' | 'listener'>;
  platform: NodeJS.Platform;
  admin: Admin;
}

/** Every port a service about to start will publish must be free, or already this stack's. */
export async function checkPorts(up: UpPlan, desired: DesiredStack, seams: PortSeams): Promise<void> {
  const { plan, actual } = up;
  const { project, stack } = desired;
  const starting = plan.services.filter((a) => a.kind === 'create' || a.kind === 'start' || a.kind === 'recreate');
  const problems: string[] = [];
  let hint: string | undefined;
  const stackPorts = new Set(desired.services.flatMap((s) => s.ports.map((p) => p.host)));
  for (const action of starting) {
    const { service } = action.service;
    for (const port of action.service.ports) {
      const holder = await holderAmong(actual.containers, port.host, 1000, seams.hostPorts);
      if (holder.kind === 'free' || heldByOwnStack(holder, project, stack, service)) continue;
      if (action.kind === 'recreate' && heldByOwnStack(holder, project, stack)) continue;
      problems.push(`port ${port.host} (for ${service}) is held by ${describeHolder(holder)}`);
      const fix = freePortFix(seams.platform, seams.admin, holder, port.host, service, stack, true, project);
      const flag = remapFlag(service, action.service.ports, port.host, stackPorts);
      const free = fix?.command ? `free it: ${fix.command}` : undefined;
      hint ??= flag
        ? `Use another port: dec setup ${stack} ${flag}${free ? `, or ${free}` : ''}`
        : `Free port ${port.host}${fix?.command ? `: ${fix.command}` : ''}`;
    }
  }
  if (problems.length > 0) {
    throw new DecError(`Cannot publish the ${stack} stack's ports:`, {
      details: problems.map((p) => `  ${p}`),
      hint,
      exitCode: ExitCode.problems,
    });
  }
}

/** Memory and disk the stack needs: warnings, since the engine may still cope. */
export async function resourceWarnings(
  client: DockerClient,
  stack: Pick<Stack, 'memoryGb'>,
  /** The week's lighter setup, named when memory is short (week 2: --light). */
  lighter?: string,
): Promise<string[]> {
  const info = await client.info().catch(() => undefined);
  if (!info) return [];
  const warnings: string[] = [];
  const gib = info.memTotal / 1024 ** 3;
  if (stack.memoryGb !== undefined && gib + 0.05 < stack.memoryGb) {
    warnings.push(
      `The Docker engine has ${gib.toFixed(1)} GiB of memory; this stack wants ${stack.memoryGb} GiB (dec doctor --only docker-memory says how to raise it).${lighter ? ` ${lighter}` : ''}`,
    );
  }
  if (client.endpoint.url.startsWith('unix://')) {
    const { statfs } = await import('node:fs/promises');
    const free = await statfs(info.rootDir).then(
      (s) => (s.bavail * s.bsize) / 1024 ** 3,
      () => undefined,
    );
    if (free !== undefined && free < 2)
      warnings.push(
        `Only ${free.toFixed(1)} GiB free for Docker (${info.rootDir}); images and data may not fit (docker system df).`,
      );
  }
  return warnings;
}

/** What a setup did: each service's outcome, and whether the whole stack now runs as desired. */
export interface UpResult {
  outcomes: ServiceOutcome[];
  wholeStackUp: boolean;
}

/** Carries out the plan (rolled back on a failure or Ctrl-C), then looks again. */
export async function up(
  client: DockerClient,
  desired: DesiredStack,
  plan: StackPlan,
  options: ApplyOptions,
): Promise<UpResult> {
  const outcomes = await applyPlan(client, desired, plan, options);
  // The week's setup is done once the whole stack runs, not after --only started a part of it.
  return { outcomes, wholeStackUp: wholeStackUp(desired, await actualState(client, desired)) };
}

/** What --down and --destroy remove, and the volumes they keep. */
export interface DownPlan {
  containers: ContainerSummary[];
  /** Every volume of the chosen services (whether it exists or not). */
  volumes: string[];
  /** The existing volumes --destroy deletes (none for --down). */
  doomedVolumes: string[];
}

/**
 * --down: the stack's containers (--only: those services', not what they depend on); --destroy: their
 * volumes too, each checked to be used by nothing else before anything is removed.
 */
export async function planDown(
  client: DockerClient,
  desired: DesiredStack,
  options: { only?: readonly string[]; destroy: boolean },
): Promise<DownPlan> {
  const { only } = options;
  const everyContainer = await client.listContainers();
  const containers = everyContainer.filter(
    (c) =>
      belongsToStack(c, desired.project, desired.stack) &&
      (only === undefined || only.includes(c.labels[DEC_LABELS.service] ?? '')),
  );
  const named = desired.services.filter((s) => only === undefined || only.includes(s.service));
  const existing: string[] = [];
  for (const volume of new Set(named.flatMap((s) => s.mounts.map((m) => m.volume))))
    if (await client.volumeExists(volume)) existing.push(volume);
  // An optional service that is off and never ran has no data to keep: its volumes are not named.
  const volumes = [
    ...new Set(
      named.flatMap((s) => s.mounts.map((m) => m.volume).filter((v) => s.optional !== 'off' || existing.includes(v))),
    ),
  ];
  const doomedVolumes = options.destroy ? existing : [];
  // Checked before anything is removed: the engine refuses to delete a volume a container mounts, and
  // stopping half the stack before finding out would leave it half-made.
  checkVolumesFree(doomedVolumes, everyContainer, containers, desired.stack);
  return { containers, volumes, doomedVolumes };
}

/** --destroy: every volume to delete must be used only by the stack's own containers (removed first). */
function checkVolumesFree(
  volumes: string[],
  everyContainer: ContainerSummary[],
  stackContainers: ContainerSummary[],
  stackId: string,
): void {
  const ours = new Set(stackContainers.map((c) => c.id));
  const users = volumes.flatMap((volume) =>
    everyContainer
      .filter((c) => !ours.has(c.id) && (c.volumes ?? []).includes(volume))
      .map((c) => ({ volume, container: c })),
  );
  if (users.length === 0) return;
  throw new DecError(
    `Cannot delete the ${stackId} stack's data: ${users.length === 1 ? 'a container' : 'containers'} that dec did not make for this stack ${users.length === 1 ? 'uses' : 'use'} its volumes; nothing was removed.`,
    {
      details: users.map(
        ({ volume, container }) => `  ${volume} is used by ${container.name} (${container.image}, ${container.state})`,
      ),
      hint: `Remove ${users.length === 1 ? 'that container' : 'those containers'} yourself if you no longer need ${users.length === 1 ? 'it' : 'them'} (docker rm -f ${[...new Set(users.map((u) => u.container.name))].join(' ')}), then run --destroy again.`,
    },
  );
}

/**
 * Removes what planDown chose. Ctrl-C lets the container at hand finish stopping (a Postgres killed
 * halfway recovers on its next start), then stops; running it again removes the rest.
 */
export async function down(client: DockerClient, plan: DownPlan, signal: AbortSignal): Promise<void> {
  const interrupted = () =>
    new DecError('Interrupted; what was not removed yet is still there: run the same command again.', {
      exitCode: ExitCode.interrupted,
    });
  // Stopped first (the image's stop signal, then a grace period), so Postgres shuts down cleanly
  // instead of recovering from a kill on its next start.
  for (const container of plan.containers) {
    if (signal.aborted) throw interrupted();
    if (container.state === 'running' || container.state === 'restarting') await client.stopContainer(container.id);
    await client.removeContainer(container.id);
  }
  for (const volume of plan.doomedVolumes) {
    if (signal.aborted) throw interrupted();
    await client.removeVolume(volume);
  }
}

/** One container of a stack (a service, or one replica of it) as `dec setup status` reports it. */
export interface ServiceStatus {
  service: string;
  /** For a replicated service, one row per replica: its number. */
  replica?: number;
  container: string;
  /** The container's state; "completed" for a job that ran to exit 0, "missing" when there is none. */
  state: string;
  ready: boolean;
  ports: Array<{ host: number; container: number; hostIp: string }>;
  volumes: Array<{ name: string; path: string; bytes: number | null; created: boolean | null }>;
}

/**
 * Each service of the stack: its container (from `containers`, one listing for every stack), whether it
 * is ready, its published ports and its volumes with their sizes (`sizes` undefined: the engine would not say).
 */
export async function stackStatus(
  client: DockerClient,
  desired: DesiredStack,
  containers: ContainerSummary[],
  sizes: Record<string, number> | undefined,
): Promise<ServiceStatus[]> {
  const actual: ActualStack = { containers, networkExists: true, volumes: {}, images: {} };
  return Promise.all(
    desired.services.flatMap(instancesOf).map(async (wanted) => {
      const container = serviceContainer(actual, desired, wanted);
      // An optional service that is off shows only while a container of it is there.
      if (wanted.optional === 'off' && !container) return [];
      const service = withPublishedPorts(wanted, container);
      const ready = container ? await serviceReady(client, service, container) : false;
      return {
        service: service.service,
        ...(service.replica !== undefined ? { replica: service.replica } : {}),
        container: service.containerName,
        // A job that ran to exit 0 is done, not stopped.
        state: container && service.job && jobSucceeded(container) ? 'completed' : (container?.state ?? 'missing'),
        ready,
        ports: service.ports.map((p) => ({ host: p.host, container: p.container, hostIp: p.hostIp })),
        volumes: service.mounts.map((m) => ({
          name: m.volume,
          path: m.path,
          bytes: sizes?.[m.volume] ?? null,
          created: sizes ? m.volume in sizes : null,
        })),
      };
    }),
  ).then((rows) => rows.flat());
}
