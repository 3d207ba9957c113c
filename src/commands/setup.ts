// dec setup <week> [--down|--destroy|--dry-run|--print-compose] and dec setup status [week].
import type { CommandContext } from '../command-context.js';
import {
  connectDocker,
  resolveDockerEndpoint,
  belongsToStack,
  DEC_LABELS,
  DockerUnavailable,
  projectFromEnv,
  type ContainerSummary,
  type DockerClient,
  type DockerEndpoint,
} from '../docker/client.js';
import { realHostPorts } from '../doctor/host-ports.js';
import { processAdmin } from '../doctor/platform.js';
import type { HostPorts } from '../doctor/types.js';
import { holderAmong, describeHolder, freePortFix, heldByOwnStack } from '../doctor/probes/port-holders.js';
import { DecError, ExitCode } from '../errors.js';
import { JSON_SCHEMA_VERSION } from '../output/json.js';
import { postgresReadiness } from '../postgres/login.js';
import { updateProgress } from '../progress/store.js';
import { markDone, stepKey } from '../progress/model.js';
import { openSession, syllabusInfo, type Session } from '../session.js';
import { weekLabel, type CourseWeek } from '../syllabus/course.js';
import { findWeek } from '../syllabus/query.js';
import type { Stack } from '../syllabus/schema.js';
import { actualState, applyPlan, repairNetwork, type ApplyEvent } from '../setup/apply.js';
import { buildContextRoot, resolveBuilds } from '../setup/build.js';
import { defaultDatabase, tableRows } from '../setup/database.js';
import { lockStack } from '../setup/lock.js';
import { composeYaml } from '../setup/compose.js';
import { appliedOverrides, applyFlags, checkOnly } from '../setup/options.js';
import {
  changedServices,
  changesNothing,
  chosen,
  jobSucceeded,
  planLines,
  planStack,
  serviceContainer,
  withPublishedPorts,
  type ActualStack,
  type StackPlan,
  wholeStackUp,
} from '../setup/plan.js';
import { serviceReady } from '../setup/ready.js';
import { folderOwner, hostChanges } from '../setup/binds.js';
import { noOverrides, renderNext, type DesiredStack, type Overrides } from '../setup/spec.js';
import { readOverrides, runningStack, saveOverrides, stackWith } from '../setup/state.js';
import { parseTimeLimit, withInterruptSignal } from '../util/time.js';
import { startLive } from '../output/live.js';

export interface SetupOptions {
  down?: boolean;
  destroy?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  printCompose?: boolean;
  /** --only, repeatable and comma-separated: these services and what they depend on. */
  only?: string[] | string;
  image?: string[];
  port?: string[];
  env?: string[];
  expose?: boolean;
  recreate?: boolean;
  /** Forget the remembered --port, --image, --env and --expose: back to the syllabus's settings. */
  reset?: boolean;
  timeout?: string;
  /** After a successful setup, load these datasets: "yellow:2021-01,zones". */
  load?: string;
}

/** "yellow:2021-01,zones,fhv:2019-01..2019-03" → what to load. */
export function parseLoadList(text: string): Array<{ dataset: string; months: string[] }> {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [dataset = '', months] = part.split(':');
      if (!/^[a-z0-9-]+$/.test(dataset)) {
        throw new DecError(`--load: "${part}" is not dataset[:months].`, {
          hint: 'For example --load yellow:2021-01,zones',
        });
      }
      return { dataset, months: months ? [months] : [] };
    });
}

const DOCKER_QUERY_MS = 10_000;
const DEFAULT_READY_S = 120;
/** How long a setup waits for another setup of the same stack (a first Postgres start takes a while). */
const SETUP_LOCK_WAIT_MS = 180_000;

interface Target {
  /** DEC_PROJECT: the namespace of the stack's names and labels. */
  project: string;
  session: Session;
  week: CourseWeek;
  stackId: string;
  stack: Stack;
}

async function resolveTarget(ctx: CommandContext, ref: string): Promise<Target> {
  const project = projectFromEnv(ctx.env);
  const session = await openSession(ctx);
  const week = findWeek(session.course, ref);
  const stackId = week.setup?.stack;
  const stack = stackId === undefined ? undefined : session.course.stacks[stackId];
  if (!stackId || !stack) {
    const withStacks = session.course.weeks
      .filter((w) => w.setup?.stack && session.course.stacks[w.setup.stack])
      .map((w) => `week ${weekLabel(w)}`);
    throw new DecError(
      `Week ${weekLabel(week)} has no local stack for dec to set up${week.setup ? ` (${week.setup.summary})` : ''}.`,
      {
        hint: withStacks.length > 0 ? `Stacks: ${withStacks.join(', ')}.` : 'This syllabus defines no stacks.',
      },
    );
  }
  return { project, session, week, stackId, stack };
}

/** What setup touches besides files: the Docker engine and the host's ports. Tests pass an in-memory engine. */
export interface SetupDeps {
  connect(endpoint: DockerEndpoint, timeoutMs: number): Promise<DockerClient>;
  hostPorts: Pick<HostPorts, 'inUse' | 'listener'>;
}

function realSetupDeps(ctx: CommandContext): SetupDeps {
  return { connect: connectDocker, hostPorts: realHostPorts(ctx.env, ctx.platform) };
}

async function engine(ctx: CommandContext, deps: SetupDeps): Promise<DockerClient> {
  const endpoint = await resolveDockerEndpoint(ctx.env, ctx.platform, ctx.home);
  const client = await deps.connect(endpoint, DOCKER_QUERY_MS);
  try {
    await client.ping();
    return client;
  } catch (error) {
    const reason = error instanceof DockerUnavailable ? error.message : String(error);
    throw new DecError(`Cannot reach the Docker engine: ${reason}.`, {
      hint: 'Run `dec doctor --only docker` for the exact fix.',
      cause: error,
    });
  }
}

/** Every port a service about to start will publish must be free, or already this stack's. */
async function checkPorts(
  ctx: CommandContext,
  deps: SetupDeps,
  plan: StackPlan,
  actual: ActualStack,
  target: Target,
): Promise<void> {
  const starting = plan.services.filter((a) => a.kind === 'create' || a.kind === 'start' || a.kind === 'recreate');
  const problems: string[] = [];
  let hint: string | undefined;
  for (const action of starting) {
    for (const port of action.service.ports) {
      const holder = await holderAmong(actual.containers, port.host, 1000, deps.hostPorts);
      if (holder.kind === 'free' || heldByOwnStack(holder, target.project, target.stackId, action.service.service))
        continue;
      if (action.kind === 'recreate' && heldByOwnStack(holder, target.project, target.stackId)) continue;
      problems.push(`port ${port.host} (for ${action.service.service}) is held by ${describeHolder(holder)}`);
      const fix = freePortFix(
        ctx.platform,
        processAdmin(ctx.env, ctx.platform),
        holder,
        port.host,
        action.service.service,
        target.stackId,
        true,
        target.project,
      );
      hint ??= `Use another port: dec setup ${target.stackId} --port ${action.service.service}=${port.host + 1}${fix?.command ? `, or free it: ${fix.command}` : ''}`;
    }
  }
  if (problems.length > 0) {
    throw new DecError(`Cannot publish the ${target.stackId} stack's ports:`, {
      details: problems.map((p) => `  ${p}`),
      hint,
      exitCode: ExitCode.problems,
    });
  }
}

function applyProgress(ctx: CommandContext, readyLimitMs: number): { onEvent(event: ApplyEvent): void; stop(): void } {
  const live = startLive(ctx.terminal);
  let lastStep = -1;
  return {
    onEvent(event) {
      // A health wait is the step with a limit (--timeout): "waiting for pgdatabase: ... 12 s of 120 s".
      if (event.kind === 'step')
        live.step(event.text, { limitMs: event.text.startsWith('waiting for ') ? readyLimitMs : undefined });
      else if (event.kind === 'pull') {
        const { current, total } = event.progress;
        live.detail(
          () =>
            total > 0
              ? `pulling ${event.image}: ${Math.floor((current / total) * 100)}% of ${(total / 1e6).toFixed(0)} MB`
              : `pulling ${event.image}`,
          total > 0 && current >= total,
        );
      } else if (event.kind === 'build') {
        // A line per step, and between steps at most one every 5 s in a log.
        const { step, steps, text } = event.progress;
        const changed = step !== lastStep;
        lastStep = step;
        live.detail(
          () =>
            `building ${event.image}: ${steps > 0 ? `step ${step}/${steps} ${text.slice(0, 60)}` : 'sending the context'}`,
          changed,
        );
      } else if (event.kind === 'warn') ctx.terminal.warn(event.text);
      else live.done(`${event.service} is ready (${(event.ms / 1000).toFixed(1)} s)`);
    },
    stop: () => live.stop(),
  };
}

async function markSetupDone(ctx: CommandContext, target: Target): Promise<void> {
  await updateProgress(target.session.progress.file, { now: ctx.now(), warn: (m) => ctx.terminal.warn(m) }, (state) =>
    markDone(state, target.session.course.id, [stepKey(target.week, 'setup')], ctx.now()),
  ).catch((error: unknown) =>
    ctx.terminal.warn(
      `The stack is up, but its progress mark could not be saved: ${error instanceof Error ? error.message : String(error)}`,
    ),
  );
}

/** Memory and disk the stack needs: warnings, since the engine may still cope. */
async function checkResources(ctx: CommandContext, client: DockerClient, stack: Stack): Promise<void> {
  const info = await client.info().catch(() => undefined);
  if (!info) return;
  const gib = info.memTotal / 1024 ** 3;
  if (stack.memoryGb !== undefined && gib + 0.05 < stack.memoryGb) {
    ctx.terminal.warn(
      `The Docker engine has ${gib.toFixed(1)} GiB of memory; this stack wants ${stack.memoryGb} GiB (dec doctor --only docker-memory says how to raise it).`,
    );
  }
  if (client.endpoint.url.startsWith('unix://')) {
    const { statfs } = await import('node:fs/promises');
    const free = await statfs(info.rootDir).then(
      (s) => (s.bavail * s.bsize) / 1024 ** 3,
      () => undefined,
    );
    if (free !== undefined && free < 2)
      ctx.terminal.warn(
        `Only ${free.toFixed(1)} GiB free for Docker (${info.rootDir}); images and data may not fit (docker system df).`,
      );
  }
}

export async function setup(
  ctx: CommandContext,
  ref: string,
  options: SetupOptions,
  deps: SetupDeps = realSetupDeps(ctx),
): Promise<number> {
  const target = await resolveTarget(ctx, ref);
  if (options.down || options.destroy) {
    // These describe a stack to start; with --down they would be ignored while containers go.
    const starting = (['printCompose', 'load', 'recreate', 'reset'] as const).find((flag) => options[flag]);
    if (starting) {
      const flag = `--${starting.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new DecError(`${flag} does not go with ${options.destroy ? '--destroy' : '--down'}.`, {
        hint: `Run them one after the other: dec setup ${target.stackId} ${options.destroy ? '--destroy' : '--down'}, then dec setup ${target.stackId} ${flag}`,
      });
    }
    return teardown(ctx, deps, target, options);
  }
  const { session, stackId, stack } = target;
  const only = checkOnly(options.only, stack);
  const loads = options.load === undefined ? [] : parseLoadList(options.load);
  // The data goes into the stack's own Postgres: a stack without one has nowhere to put it.
  if (loads.length > 0 && !Object.values(stack.services).some((service) => postgresReadiness(service.ready))) {
    throw new DecError(`--load needs a Postgres, and the ${stackId} stack has none.`, {
      hint: 'Load into the week-1 Postgres: dec setup week1 --load ' + options.load + ' (or dec data load with --db).',
    });
  }
  const saved = await readOverrides(ctx.env, session.course.id, stackId);
  // --reset forgets the remembered flags: the syllabus's settings, plus this run's flags.
  const overrides = applyFlags(
    options.reset ? noOverrides() : saved,
    { port: options.port, image: options.image, env: options.env, expose: options.expose },
    stack,
  );
  // The contexts of the images dec builds, with their digests (what tags the images).
  const builds = await resolveBuilds(stack, buildContextRoot(session.syllabus.path), overrides.images);
  const roots = bindRoots(ctx, session);
  const desiredWith = (settings: Overrides) => stackWith(ctx.env, session.course, stackId, settings, builds, roots);
  const desired = desiredWith(overrides);
  if (!session.workspace && desired.services.some((s) => s.binds.some((b) => b.from === 'workspace')))
    ctx.terminal.print(
      ctx.terminal.style.dim(
        `No dec workspace here: the stack's folders are under the current folder, ${ctx.cwd} (in a workspace, under its root from any folder in it).`,
      ),
    );
  // --only: these services (and what they depend on) are planned, started and have their flags applied.
  const chosenNames = chosen(desired, only).map((s) => s.service);
  if (overrides.expose !== saved.expose && chosenNames.length < desired.services.length) {
    throw new DecError(`--expose and --no-expose change every service of ${stackId}, and --only chose some.`, {
      hint: `Run it without --only: dec setup ${stackId} ${overrides.expose ? '--expose' : '--no-expose'}`,
    });
  }
  // The services whose containers this run's flags (or --reset) change: recreated to apply them.
  const applying = changedServices(desiredWith(saved), desired);
  // Flags are remembered once a run applied them: not by --dry-run or --print-compose, not by a failed
  // run (a mistyped image is not kept), and with --only only for the services it chose.
  const remember = async () => {
    const applied = appliedOverrides(saved, overrides, chosenNames, stack);
    if (JSON.stringify(applied) !== JSON.stringify(saved))
      await saveOverrides(ctx.env, session.course.id, stackId, applied);
  };
  if (overrides.expose)
    ctx.terminal.warn('--expose: the ports are published on every network interface, not only on this machine.');

  if (options.printCompose) {
    // The socket of the engine dec would use (a unix one), for a service that controls Docker.
    const endpoint = desired.services.some((s) => s.dockerSocket)
      ? await resolveDockerEndpoint(ctx.env, ctx.platform, ctx.home)
      : undefined;
    const yaml = composeYaml(desired, endpoint?.url.startsWith('unix://') ? endpoint.url.slice(7) : undefined);
    ctx.terminal.emit({ schemaVersion: JSON_SCHEMA_VERSION, stack: stackId, format: 'compose', compose: yaml }, () =>
      yaml.trimEnd(),
    );
    return ExitCode.ok;
  }

  // One setup per stack at a time (a --dry-run changes nothing and needs no lock).
  const release = options.dryRun ? undefined : await takeStackLock(ctx, target);
  try {
    const client = await engine(ctx, deps);
    if (!options.dryRun) {
      const repaired = await repairNetwork(client, desired);
      if (repaired) ctx.terminal.warn(repaired);
    }
    const actual = await actualState(client, desired);
    const plan = planStack(desired, actual, { recreate: options.recreate === true, only, applying });
    const hostLines = await hostChanges(client, plan);
    const lines = [...planLines(plan, desired), ...hostLines];
    const { style } = ctx.terminal;

    if (options.dryRun) {
      ctx.terminal.emit({ schemaVersion: JSON_SCHEMA_VERSION, stack: stackId, dryRun: true, plan: lines }, () =>
        [
          style.bold(`dec setup ${stackId} --dry-run: what would happen`),
          ...lines.map((line) => `  ${line}`),
          style.dim(
            applying.size > 0 ? 'Nothing was changed, and the new flags are not remembered.' : 'Nothing was changed.',
          ),
        ].join('\n'),
      );
      return ExitCode.ok;
    }

    const differs = plan.services.filter((a) => a.kind === 'differs');
    // The headline names the services --only chose, not the whole stack.
    const partial = chosenNames.length < desired.services.length;
    const what = partial
      ? `${chosenNames.join(', ')} (${stackId}, --only) ${chosenNames.length > 1 ? 'are' : 'is'}`
      : `${desired.title} (${stackId}) is`;
    if (changesNothing(plan) && hostLines.length === 0) {
      ctx.terminal.emit(statusJson(target, desired, plan, []), () =>
        [
          `${style.green('✓')} ${what} up; nothing to change.`,
          ...differs.map(
            (a) =>
              `${style.yellow('!')} ${a.service.containerName} differs from the syllabus; dec setup ${stackId} --recreate replaces it (its volume is kept).`,
          ),
          '',
          ...renderNext(desired),
        ].join('\n'),
      );
      await remember();
      if (differs.length === 0 && wholeStackUp(desired, actual)) await markSetupDone(ctx, target);
      // The stack is set up: loading data (maybe long) does not hold up another setup.
      await release?.();
      const loaded = await loadData(ctx, loads);
      return loaded !== ExitCode.ok ? loaded : differs.length > 0 ? ExitCode.problems : ExitCode.ok;
    }

    await checkPorts(ctx, deps, plan, actual, target);
    await checkResources(ctx, client, stack);
    const readyTimeoutMs = parseTimeLimit(options.timeout, {
      fallbackMs: DEFAULT_READY_S * 1000,
      minMs: 1000,
      maxMs: 3_600_000,
    });
    const reporter = applyProgress(ctx, readyTimeoutMs);
    let outcomes;
    try {
      outcomes = await withInterruptSignal((signal) =>
        applyPlan(client, desired, plan, {
          readyTimeoutMs,
          pullQuietMs: 120_000,
          signal,
          onEvent: reporter.onEvent,
          folderOwner: folderOwner(ctx.env),
        }),
      );
    } finally {
      reporter.stop();
    }
    await remember();
    // The week's setup is done once the whole stack runs, not after --only started a part of it.
    if (wholeStackUp(desired, await actualState(client, desired))) await markSetupDone(ctx, target);
    ctx.terminal.emit(statusJson(target, desired, plan, outcomes), () =>
      [
        `${style.green('✓')} ${what} ready.`,
        ...outcomes.map(
          (o) =>
            `  ${o.container}: ${o.job ? (o.action === 'keep' ? 'completed earlier (skipped)' : 'ran to completion') : { keep: 'already running', start: 'started', create: 'created and started', recreate: 'recreated with its volume', differs: 'differs' }[o.action]}${o.readyMs !== undefined ? style.dim(` (${o.job ? 'done' : 'ready'} in ${(o.readyMs / 1000).toFixed(1)} s)`) : ''}`,
        ),
        ...differs.map(
          (a) =>
            `${style.yellow('!')} ${a.service.containerName} differs from the syllabus; --recreate replaces it (its volume is kept).`,
        ),
        '',
        style.bold('Next'),
        ...renderNext(desired).map((line) => `  ${line}`),
      ].join('\n'),
    );
    // The stack is set up: loading data (maybe long) does not hold up another setup.
    await release?.();
    const loaded = await loadData(
      ctx,
      loads.length > 0 || options.load !== undefined ? loads : await offerLoad(ctx, target),
    );
    return loaded !== ExitCode.ok ? loaded : differs.length > 0 ? ExitCode.problems : ExitCode.ok;
  } finally {
    await release?.();
  }
}

/** The datasets the week uses, as --load would name them: the first month of each span. */
function weekLoads(week: CourseWeek): Array<{ dataset: string; months: string[] }> {
  return week.datasets.map((use) => ({
    dataset: use.dataset,
    months: (use.months ?? []).slice(0, 1).map((span) => span.split('..')[0]!),
  }));
}

/**
 * After a setup on a terminal, offer to load the week's data that is not in Postgres yet (a prompt, so
 * never in scripts, CI or --json; there, a hint names the command). Tables that already hold rows (a
 * volume kept by --down) are named with their row counts and never offered: loading replaces a table.
 */
async function offerLoad(ctx: CommandContext, target: Target): Promise<Array<{ dataset: string; months: string[] }>> {
  const week = weekLoads(target.week);
  if (week.length === 0) return [];
  const present = await tablesPresent(ctx, target, week);
  const loads = week.filter((l) => !present.some((p) => p.dataset === l.dataset));
  const { style } = ctx.terminal;
  if (present.length > 0) {
    ctx.terminal.print(
      style.dim(
        `Already in Postgres: ${present.map((p) => `${p.table} (${p.rows.toLocaleString('en')} rows)`).join(', ')}; kept as they are (dec data load <dataset> would replace one).`,
      ),
    );
  }
  if (loads.length === 0) return [];
  const names = loads.map((l) => [l.dataset, ...l.months].join(' ')).join(', ');
  if (!ctx.terminal.interactive || ctx.terminal.json) {
    ctx.terminal.print(
      style.dim(
        `Load the week's data: ${loads.map((l) => `dec data load ${[l.dataset, ...l.months].join(' ')}`).join(' && ')}`,
      ),
    );
    return [];
  }
  return (await ctx.prompt.confirm(`Load the week's data into Postgres now (${names})?`, '--load')) ? loads : [];
}

/** The week's datasets whose tables already hold rows in the stack's Postgres (none when it cannot say). */
async function tablesPresent(
  ctx: CommandContext,
  target: Target,
  loads: Array<{ dataset: string }>,
): Promise<Array<{ dataset: string; table: string; rows: number }>> {
  const { defaultTable } = await import('../data/datasets.js');
  const database = await defaultDatabase(ctx, target.session).catch(() => undefined);
  if (!database) return [];
  const tables = loads.map((l) => ({ dataset: l.dataset, table: defaultTable(l.dataset) }));
  const rows = await tableRows(
    database.connectionString,
    tables.map((t) => t.table),
    5000,
  );
  return tables.flatMap((t) => (rows?.[t.table] ? [{ ...t, rows: rows[t.table]! }] : []));
}

/** --load: the datasets to put into the stack's Postgres once it is up. */
async function loadData(ctx: CommandContext, loads: Array<{ dataset: string; months: string[] }>): Promise<number> {
  if (loads.length === 0) return ExitCode.ok;
  const { dataLoad } = await import('./data.js');
  for (const { dataset, months } of loads) {
    const code = await dataLoad(ctx, dataset, months, {});
    if (code !== ExitCode.ok) return code;
  }
  return ExitCode.ok;
}

function statusJson(
  target: Target,
  desired: DesiredStack,
  plan: StackPlan,
  outcomes: Array<{ service: string; action: string; readyMs?: number }>,
) {
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    syllabus: syllabusInfo(target.session),
    stack: target.stackId,
    network: desired.network,
    services: plan.services.map((a) => ({
      service: a.service.service,
      container: a.service.containerName,
      image: a.service.image,
      action: outcomes.find((o) => o.service === a.service.service)?.action ?? a.kind,
      ports: a.service.ports,
      volumes: a.service.mounts,
      readyMs: outcomes.find((o) => o.service === a.service.service)?.readyMs ?? null,
    })),
    next: renderNext(desired),
  };
}

/** The folders of the workspace (or current folder) and home that binds live in: the workspace root wherever dec runs in it. */
function bindRoots(ctx: CommandContext, session: Session): { workspace: string; home: string } {
  return { workspace: session.workspace?.root ?? ctx.cwd, home: ctx.home };
}

/** The host folders a stack mounts: never deleted by dec, and --destroy says so. */
function keptFolders(ctx: CommandContext, target: Target): string[] {
  const desired = stackWith(
    ctx.env,
    target.session.course,
    target.stackId,
    noOverrides(),
    undefined,
    bindRoots(ctx, target.session),
  );
  return [...new Set(desired.services.flatMap((s) => s.binds.map((b) => b.source)))];
}

async function confirmDestroy(ctx: CommandContext, target: Target): Promise<boolean> {
  const { stackId } = target;
  const folders = keptFolders(ctx, target);
  const kept = folders.length > 0 ? ` Your folders stay: ${folders.join(', ')}.` : '';
  if (!ctx.terminal.interactive || ctx.terminal.json) {
    throw new DecError(
      `--destroy deletes the ${stackId} stack's volumes (the data in them), and dec cannot ask for confirmation here.${kept}`,
      { hint: `Pass --yes to confirm: dec setup ${stackId} --destroy --yes` },
    );
  }
  const typed = await ctx.prompt.input(
    `This deletes the data of ${stackId} for good.${kept} Type ${stackId} to confirm:`,
    '--yes',
  );
  if (typed.trim() === stackId) return true;
  ctx.terminal.print('Not confirmed; nothing was changed.');
  return false;
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

/** The stack's lock, shared by setup and teardown: a --down during a setup waits for it, and the other way round. */
function takeStackLock(ctx: CommandContext, target: Target): Promise<() => Promise<void>> {
  return lockStack(ctx.env, target.project, target.stackId, {
    waitMs: SETUP_LOCK_WAIT_MS,
    onWait: (pid) =>
      ctx.terminal.warn(
        `Another dec setup ${target.stackId} is running${pid ? ` (pid ${pid})` : ''}; waiting up to ${SETUP_LOCK_WAIT_MS / 1000} s for it to finish.`,
      ),
  });
}

async function teardown(ctx: CommandContext, deps: SetupDeps, target: Target, options: SetupOptions): Promise<number> {
  const dryRun = options.dryRun === true;
  // --dry-run changes nothing, so it needs no confirmation either.
  if (options.destroy && !options.yes && !dryRun && !(await confirmDestroy(ctx, target))) return ExitCode.ok;
  const release = dryRun ? undefined : await takeStackLock(ctx, target);
  try {
    return await removeStack(ctx, deps, target, options);
  } finally {
    await release?.();
  }
}

async function removeStack(
  ctx: CommandContext,
  deps: SetupDeps,
  target: Target,
  options: SetupOptions,
): Promise<number> {
  const { stackId, session } = target;
  const { style } = ctx.terminal;
  const dryRun = options.dryRun === true;
  // --only: those services' containers (and, with --destroy, their volumes); not what they depend on.
  const only = checkOnly(options.only, target.stack);
  const client = await engine(ctx, deps);
  const everyContainer = await client.listContainers();
  const containers = everyContainer.filter(
    (c) =>
      belongsToStack(c, target.project, stackId) &&
      (only === undefined || only.includes(c.labels[DEC_LABELS.service] ?? '')),
  );
  // The one resolver setup and status use: the volume names follow the project and remembered flags.
  const desired = await runningStack(ctx.env, session.course, stackId);
  const volumes = [
    ...new Set(
      desired.services
        .filter((s) => only === undefined || only.includes(s.service))
        .flatMap((s) => s.mounts.map((m) => m.volume)),
    ),
  ];
  const existing: string[] = [];
  for (const volume of volumes) if (await client.volumeExists(volume)) existing.push(volume);
  const doomedVolumes = options.destroy ? existing : [];
  // Checked before anything is removed: the engine refuses to delete a volume a container mounts, and
  // stopping half the stack before finding out would leave it half-made.
  checkVolumesFree(doomedVolumes, everyContainer, containers, stackId);
  if (!dryRun) {
    // Ctrl-C lets the container at hand finish stopping (a Postgres killed halfway recovers on its next
    // start), then stops; running it again removes the rest.
    await withInterruptSignal(async (signal) => {
      const interrupted = () =>
        new DecError('Interrupted; what was not removed yet is still there: run the same command again.', {
          exitCode: ExitCode.interrupted,
        });
      // Stopped first (the image's stop signal, then a grace period), so Postgres shuts down cleanly
      // instead of recovering from a kill on its next start.
      for (const container of containers) {
        if (signal.aborted) throw interrupted();
        if (container.state === 'running' || container.state === 'restarting') await client.stopContainer(container.id);
        await client.removeContainer(container.id);
      }
      for (const volume of doomedVolumes) {
        if (signal.aborted) throw interrupted();
        await client.removeVolume(volume);
      }
    });
  }
  const names = containers.map((c) => c.name);
  // dec never deletes the student's folders: they hold their dags, logs and keys.
  const folders = keptFolders(ctx, target);
  const foldersLine = folders.length > 0 ? [`  kept your folders: ${folders.join(', ')}`] : [];
  const count = `${containers.length} container${containers.length === 1 ? '' : 's'}${names.length ? ` (${names.join(', ')})` : ''}`;
  ctx.terminal.emit(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      stack: stackId,
      ...(dryRun ? { dryRun: true } : {}),
      removedContainers: names,
      removedVolumes: doomedVolumes,
      keptVolumes: options.destroy ? [] : volumes,
      keptFolders: folders,
    },
    () =>
      dryRun
        ? [
            style.bold(`dec setup ${stackId} ${options.destroy ? '--destroy' : '--down'} --dry-run: what would happen`),
            `  remove ${count}`,
            options.destroy
              ? `  delete volumes: ${doomedVolumes.join(', ') || 'none'}`
              : `  keep your data: ${volumes.join(', ')}`,
            ...foldersLine,
            style.dim('Nothing was changed.'),
          ].join('\n')
        : [
            `${style.green('✓')} ${stackId}: removed ${count}.`,
            options.destroy
              ? `  deleted volumes: ${doomedVolumes.join(', ') || 'none'}`
              : `  kept your data: ${volumes.join(', ')} (dec setup ${stackId} brings it back; --destroy deletes it)`,
            ...foldersLine,
          ].join('\n'),
  );
  return ExitCode.ok;
}

export async function setupStatus(
  ctx: CommandContext,
  ref: string | undefined,
  deps: SetupDeps = realSetupDeps(ctx),
): Promise<number> {
  const session = await openSession(ctx);
  const weeks =
    ref === undefined
      ? session.course.weeks.filter((w) => w.setup?.stack && session.course.stacks[w.setup.stack])
      : [findWeek(session.course, ref)];
  const targets = await Promise.all(weeks.map((w) => resolveTarget(ctx, String(w.number))));
  const client = await engine(ctx, deps);
  const containers = await client.listContainers();
  // undefined when the engine would not say (sizes are a nicety: status goes on without them).
  const sizes = await client.volumeSizes().catch(() => undefined);
  const stacks = await Promise.all(
    targets.map(async (target) => {
      const desired = await runningStack(ctx.env, session.course, target.stackId);
      const actual: ActualStack = { containers, networkExists: true, volumes: {}, images: {} };
      const services = await Promise.all(
        desired.services.map(async (wanted) => {
          const container = serviceContainer(actual, desired, wanted.service);
          const service = withPublishedPorts(wanted, container);
          const ready = container ? await serviceReady(client, service, container) : false;
          return {
            service: service.service,
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
      );
      return { stack: target.stackId, week: target.week.number, title: desired.title, services };
    }),
  );
  const { style } = ctx.terminal;
  const size = (volume: { bytes: number | null; created: boolean | null }) =>
    volume.created === false
      ? 'not created yet'
      : volume.bytes === null || volume.bytes < 0
        ? 'size unknown'
        : `${(volume.bytes / 1e6).toFixed(1)} MB`;
  ctx.terminal.emit({ schemaVersion: JSON_SCHEMA_VERSION, syllabus: syllabusInfo(session), stacks }, () =>
    stacks
      .map((s) =>
        [
          style.bold(`${s.stack}: ${s.title} (week ${s.week})`),
          ...s.services.map((svc) => {
            const mark = svc.state === 'running' ? (svc.ready ? style.green('✓') : style.yellow('!')) : style.dim('○');
            const ports = svc.ports.map((p) => `${p.hostIp}:${p.host}->${p.container}`).join(', ');
            const volumes = svc.volumes.map((v) => `${v.name} (${size(v)})`).join(', ');
            const state = svc.state === 'missing' ? 'not set up' : svc.state;
            return `  ${mark} ${svc.service.padEnd(12)} ${state}${svc.state === 'running' ? (svc.ready ? ', ready' : ', not ready') : ''}  ${style.dim(ports)}${volumes ? `  ${style.dim(volumes)}` : ''}`;
          }),
          ...(s.services.every((svc) => svc.state === 'missing') ? [`  Set it up: dec setup ${s.stack}`] : []),
        ].join('\n'),
      )
      .join('\n\n'),
  );
  return stacks.some((s) => s.services.some((svc) => svc.state === 'running' && !svc.ready))
    ? ExitCode.problems
    : ExitCode.ok;
}
