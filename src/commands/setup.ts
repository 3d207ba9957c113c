// dec setup <week> [--down|--destroy|--dry-run|--print-compose] and dec setup status [week].
import type { CommandContext } from '../command-context.js';
import {
  connectDocker,
  resolveDockerEndpoint,
  DEC_LABELS,
  projectOf,
  DockerUnavailable,
  projectFromEnv,
  type DockerClient,
  type DockerEndpoint,
} from '../docker/client.js';
import { realHostPorts } from '../doctor/host-ports.js';
import { PROCESS_HOST, processAdmin, type HostFacts } from '../doctor/platform.js';
import type { HostPorts } from '../doctor/types.js';
import { DecError, ExitCode } from '../errors.js';
import { JSON_SCHEMA_VERSION } from '../output/json.js';
import { notConfirmed } from '../output/prompt.js';
import { displayWidth, padDisplay } from '../output/render.js';
import { withoutStack } from '../setup/without-stack.js';
import { postgresReadiness } from '../postgres/login.js';
import { updateProgress } from '../progress/store.js';
import { markDone, stepKey } from '../progress/model.js';
import { openSession, syllabusInfo, type Session } from '../session.js';
import { weekLabel, type CourseWeek } from '../syllabus/course.js';
import { parseComposeDuration } from '../syllabus/duration.js';
import { findWeek } from '../syllabus/query.js';
import { DEFAULT_VARIANT, type Stack } from '../syllabus/schema.js';
import type { ApplyEvent } from '../setup/apply.js';
import { buildContextRoot, resolveBuilds } from '../setup/build.js';
import { defaultDatabase, tableRows } from '../setup/database.js';
import {
  changesNothingAtAll,
  checkPorts,
  down,
  planDown,
  planUp,
  resourceWarnings,
  stackStatus,
  up,
} from '../setup/engine.js';
import { lockStack } from '../setup/lock.js';
import { emulationWarning } from '../setup/platforms.js';
import { databasePlanLines } from '../setup/stack-database.js';
import { composeYaml } from '../setup/compose.js';
import { appliedOverrides, applyFlags, checkOnly, optionalServices } from '../setup/options.js';
import { changedServices, chosen, planLines, type StackPlan, wholeStackUp } from '../setup/plan.js';
import { folderOwner, stackSocket } from '../setup/binds.js';
import { noOverrides, renderNext, type DesiredStack, type Overrides } from '../setup/spec.js';
import { readOverrides, runningStack, saveOverrides, stackWith } from '../setup/state.js';
import { gcloudProject, gcpEnv, usesGcp } from '../setup/gcp.js';
import { checkOtherVariants, lighterVariantHint, rememberVariant, weekStack, weekVariants } from '../setup/variant.js';
import { setupVariant, variantFlagText } from '../setup/variant-flags.js';
import { misspeltSubcommand, subcommandTypo } from '../setup/setup-word.js';
import { jupyterLines } from '../setup/jupyter.js';
import { clusterLines, clusterStatus } from '../setup/spark.js';
import { clusterSettings } from '../setup/workers.js';
import { parseTimeLimit, withInterruptSignal } from '../util/time.js';
import { startLive } from '../output/live.js';
import { thousands } from '../util/count.js';

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
  /** Another of the week's setups (setup.variants); --light is --variant light. Remembered. */
  variant?: string;
  light?: boolean;
  /** Optional services (week 4's metabase) to start from now on, or to stop and forget. Remembered. */
  with?: string[];
  without?: string[];
  /** Week 6: 3 is the three-broker variant, 1 the week's own stack (setup/variant-flags.ts). Remembered. */
  brokers?: string;
  /** The student's GCP project and bucket, for a stack whose env names {gcp.project}/{gcp.bucket}. */
  gcpProject?: string;
  gcpBucket?: string;
  /** Week 5's Spark cluster: how many workers, and each one's cores and memory (remembered). */
  workers?: string;
  workerCores?: string;
  workerMemory?: string;
  /** Not a flag: the commands beside <week> (`status`), so `dec setup stauts` gets "did you mean status?". */
  subcommands?: readonly string[];
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
  /** The week's setup variant this stack is ("default" for the week's own stack), and the one remembered. */
  variant: string;
  remembered?: string;
  /** The variant came from the last setup, not from this command's flag or week name. */
  asLastTime: boolean;
}

/**
 * The week and its stack: the variant the flag names, else the one the ref names (`week2-light`), else
 * the one remembered from the last setup, else the week's own stack.
 */
async function resolveTarget(
  ctx: CommandContext,
  ref: string,
  wanted?: string,
  subcommands: readonly string[] = [],
): Promise<Target> {
  const project = projectFromEnv(ctx.env);
  const session = await openSession(ctx);
  const meant = misspeltSubcommand(session.course, ref, subcommands);
  if (meant) throw subcommandTypo('dec setup', ref, meant, subcommands);
  const { week, named, remembered, variant, stackId } = await weekStack(ctx.env, session.course, ref, wanted);
  if (named && wanted !== undefined && wanted !== named.variant)
    throw new DecError(
      `${ref} is the ${named.variant} setup of week ${weekLabel(named.week)}, and --variant ${wanted} asks for another.`,
      {
        hint: `Name the week instead: dec setup ${named.week.setup?.stack ?? weekLabel(named.week)} --variant ${wanted}`,
      },
    );
  const stack = stackId === undefined ? undefined : session.course.stacks[stackId];
  if (!stackId || !stack) {
    const { message, details, hint } = withoutStack(session.course, week);
    throw new DecError(message, { details, hint });
  }
  const asLastTime = wanted === undefined && named === undefined && remembered !== undefined;
  return { project, session, week, stackId, stack, variant, remembered, asLastTime };
}

/** What setup touches besides files: the Docker engine and the host's ports. Tests pass an in-memory engine. */
export interface SetupDeps {
  connect(endpoint: DockerEndpoint, timeoutMs: number): Promise<DockerClient>;
  hostPorts: Pick<HostPorts, 'inUse' | 'listener'>;
  /** Who runs dec and on which CPU (root needs no sudo; arm64 emulates amd64-only images); default: this process. */
  host?: HostFacts;
}

function realSetupDeps(ctx: CommandContext): SetupDeps {
  return { connect: connectDocker, hostPorts: realHostPorts(ctx.env, ctx.platform), host: PROCESS_HOST };
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

function applyProgress(ctx: CommandContext): { onEvent(event: ApplyEvent): void; fail(): void; stop(): void } {
  const live = startLive(ctx.terminal);
  let lastStep = -1;
  return {
    onEvent(event) {
      // A health wait carries the limit the wait itself uses: "waiting for pgdatabase: ... 12 s of 120 s".
      if (event.kind === 'step') live.step(event.text, { limitMs: event.limitMs });
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
    // What was happening stays as "✗ ... (after 12 s)" on its own row; the error follows on the next.
    fail: () => live.fail(),
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

export async function setup(
  ctx: CommandContext,
  ref: string,
  options: SetupOptions,
  deps: SetupDeps = realSetupDeps(ctx),
): Promise<number> {
  const target = await resolveTarget(ctx, ref, setupVariant(options), options.subcommands);
  const host = deps.host ?? PROCESS_HOST;
  if (options.down || options.destroy) {
    // These describe a stack to start; with --down they would be ignored while containers go.
    const starting = (
      [
        'printCompose',
        'load',
        'recreate',
        'reset',
        'gcpProject',
        'gcpBucket',
        'with',
        'without',
        'workers',
        'workerCores',
        'workerMemory',
      ] as const
    ).find((flag) => options[flag]);
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
      hint: stack.database?.sources?.length
        ? `The tables ${stackId} reads: dec data load --for ${stackId} (it says the size and asks first).`
        : 'Load into the week-1 Postgres: dec setup week1 --load ' + options.load + ' (or dec data load with --db).',
    });
  }
  const saved = await readOverrides(ctx.env, session.course.id, stackId);
  // --reset keeps the optional services that are on (--without turns one off).
  const base = options.reset ? { ...noOverrides(), optional: saved.optional } : saved;
  // The student's GCP project and bucket, as --env assignments that this run's own --env can still override.
  const gcp = gcpEnv(
    stackId,
    stack,
    base,
    options,
    usesGcp(stack) ? await gcloudProject(ctx.env, ctx.home, ctx.platform) : undefined,
  );
  // --reset forgets the remembered flags: the syllabus's settings, plus this run's flags.
  const flagged = applyFlags(
    base,
    {
      port: options.port,
      image: options.image,
      env: [...gcp.env, ...(options.env ?? [])],
      expose: options.expose,
      with: options.with,
      without: options.without,
    },
    stack,
  );
  // Week 5: --workers, --worker-cores, --worker-memory (checked against the engine) and JupyterLab's token.
  const cluster = await clusterSettings(flagged, options, stack, stackId, () =>
    engine(ctx, deps).then(
      (client) => client.info(),
      () => undefined,
    ),
  );
  const overrides = cluster.overrides;
  for (const warning of cluster.warnings) ctx.terminal.warn(warning);
  if (gcp.missing)
    ctx.terminal.warn(
      `No GCP project for ${stackId}: GCP_PROJECT_ID and GCP_GCS_BUCKET stay empty, so the DAGs that upload to GCS cannot work (the local-Postgres ones can). Give yours: dec setup ${stackId} --gcp-project <project id> (or gcloud config set project <project id> and run this again).`,
    );
  // The contexts of the images dec builds, with their digests (what tags the images).
  const builds = await resolveBuilds(stack, buildContextRoot(session.syllabus.path), overrides.images);
  const roots = bindRoots(ctx, session);
  const socket = await stackSocket(stack, ctx.env, ctx.platform, ctx.home);
  const desiredWith = (settings: Overrides) =>
    stackWith(ctx.env, session.course, stackId, settings, builds, roots, socket);
  const desired = desiredWith(overrides);
  // Not with --print-compose: its stdout is the Compose file (which has the folders' absolute paths).
  if (
    !session.workspace &&
    !options.printCompose &&
    desired.services.some((s) => s.binds.some((b) => b.from === 'workspace'))
  )
    ctx.terminal.print(
      ctx.terminal.style.dim(
        `No dec workspace here: the stack's folders are under the current folder, ${ctx.cwd} (in a workspace, under its root from any folder in it).`,
      ),
    );
  // --only: these services (and what they depend on) are planned, started and have their flags applied.
  const chosenNames = chosen(desired, only).map((s) => s.service);
  const partial = chosenNames.length < chosen(desired).length;
  if (overrides.expose !== saved.expose && partial) {
    throw new DecError(`--expose and --no-expose change every service of ${stackId}, and --only chose some.`, {
      hint: `Run it without --only: dec setup ${stackId} ${overrides.expose ? '--expose' : '--no-expose'}`,
    });
  }
  // The services whose containers this run's flags (or --reset) change: recreated to apply them.
  const applying = changedServices(desiredWith(saved), desired);
  // Flags are remembered once a run applied them: not by --dry-run or --print-compose, not by a failed
  // run (a mistyped image is not kept), and with --only only for the services it chose.
  const remember = async () => {
    // Without --only, every service's flags, an optional one's that is off included (its next start uses them).
    const applied = appliedOverrides(saved, overrides, only ? chosenNames : Object.keys(stack.services), stack);
    if (JSON.stringify(applied) !== JSON.stringify(saved))
      await saveOverrides(ctx.env, session.course.id, stackId, applied);
  };
  if (overrides.expose)
    ctx.terminal.warn('--expose: the ports are published on every network interface, not only on this machine.');

  if (options.printCompose) {
    // The socket of the engine dec would use (a unix one), for a service that controls Docker.
    const yaml = composeYaml(desired, socket, host.arch());
    ctx.terminal.emit({ schemaVersion: JSON_SCHEMA_VERSION, stack: stackId, format: 'compose', compose: yaml }, () =>
      yaml.trimEnd(),
    );
    return ExitCode.ok;
  }

  // Week 4: its database in week 1's Postgres and the dbt profile, before its containers (setup-database.ts).
  if (stack.database && !options.dryRun) {
    const { prepareStackDatabase } = await import('./setup-database.js');
    await prepareStackDatabase(ctx, session, stackId, stack.database, roots.workspace, (other) =>
      setup(ctx, other, {}, deps),
    );
  }

  // One setup per stack at a time (a --dry-run changes nothing and needs no lock).
  const release = options.dryRun ? undefined : await takeStackLock(ctx, target);
  try {
    const client = await engine(ctx, deps);
    await switchVariant(ctx, client, target, options.dryRun === true);
    const planned = await planUp(client, desired, {
      recreate: options.recreate === true,
      only,
      applying,
      turnOff: new Set(optionalServices('--without', options.without, stack)),
      repair: !options.dryRun,
      warn: (text) => ctx.terminal.warn(text),
    });
    const { plan } = planned;
    const lines = [
      ...(stack.database ? databasePlanLines(stack.database, roots.workspace) : []),
      ...planLines(plan, desired),
      ...planned.hostLines,
    ];
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
    const what = partial
      ? `${chosenNames.join(', ')} (${stackId}, --only) ${chosenNames.length > 1 ? 'are' : 'is'}`
      : `${desired.title} (${stackId}) is`;
    if (changesNothingAtAll(planned)) {
      ctx.terminal.emit(statusJson(target, desired, plan, []), () =>
        [
          `${style.green('✓')} ${what} up; nothing to change.`,
          ...differs.map(
            (a) =>
              `${style.yellow('!')} ${a.service.containerName} differs from the syllabus; dec setup ${stackId} --recreate replaces it (its volume is kept).`,
          ),
          '',
          ...renderNext(desired),
          ...jupyterLines(desired, ctx.terminal.personal),
        ].join('\n'),
      );
      await remember();
      if (differs.length === 0 && wholeStackUp(desired, planned.actual)) await markSetupDone(ctx, target);
      // The stack is set up: loading data (maybe long) does not hold up another setup.
      await release?.();
      const loaded = await loadData(ctx, loads);
      return loaded !== ExitCode.ok ? loaded : differs.length > 0 ? ExitCode.problems : ExitCode.ok;
    }

    await checkPorts(planned, desired, {
      hostPorts: deps.hostPorts,
      platform: ctx.platform,
      admin: processAdmin(ctx.env, ctx.platform, host.uid()),
    });
    const lighter = lighterVariantHint(session.course, target.week, stack.memoryGb);
    for (const warning of await resourceWarnings(client, stack, lighter)) ctx.terminal.warn(warning);
    // Before pulling: amd64-only images (the syllabus's `platforms`) on an arm64 machine run emulated.
    const emulated = emulationWarning(stackId, stack, host.arch(), ctx.platform);
    if (emulated) ctx.terminal.warn(emulated);
    const readyTimeoutMs = parseTimeLimit(options.timeout, {
      // The stack's own limit when --timeout is not given (Airflow's first start takes minutes).
      fallbackMs: (stack.readyTimeout && parseComposeDuration(stack.readyTimeout)) || DEFAULT_READY_S * 1000,
      minMs: 1000,
      maxMs: 3_600_000,
    });
    const reporter = applyProgress(ctx);
    let result;
    try {
      result = await withInterruptSignal((signal) =>
        up(client, desired, plan, {
          readyTimeoutMs,
          pullQuietMs: 120_000,
          signal,
          onEvent: reporter.onEvent,
          folderOwner: folderOwner(ctx.env),
        }),
      );
    } catch (error) {
      reporter.fail();
      throw error;
    } finally {
      reporter.stop();
    }
    await remember();
    const { outcomes } = result;
    if (result.wholeStackUp) await markSetupDone(ctx, target);
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
        ...jupyterLines(desired, ctx.terminal.personal).map((line) => `  ${line}`),
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

/**
 * A week with variants: the other variants must be down before this one starts (same ports, same work),
 * and a real run remembers the variant, so --down, --only and status find it without the flag. It is
 * remembered before anything starts: a run that fails halfway leaves containers --down must find.
 */
async function switchVariant(
  ctx: CommandContext,
  client: DockerClient,
  target: Target,
  dryRun: boolean,
): Promise<void> {
  if (weekVariants(target.week).length <= 1) return;
  const withContainers = new Set(
    (await client.listContainers())
      .filter((c) => projectOf(c.labels) === target.project)
      .map((c) => c.labels[DEC_LABELS.stack] ?? ''),
  );
  // The week's own by name too: after the --down, a bare `dec setup week2` would still mean the variant.
  const flag = ` ${variantFlagText(target.week, target.variant)}`;
  checkOtherVariants(
    target.week,
    target.variant,
    withContainers,
    `dec setup ${target.week.setup?.stack ?? target.stackId}${flag}`,
  );
  if (!dryRun && target.variant !== (target.remembered ?? DEFAULT_VARIANT))
    await rememberVariant(ctx.env, target.session.course.id, target.week, target.variant);
  if (target.asLastTime && target.variant !== DEFAULT_VARIANT)
    ctx.terminal.print(
      ctx.terminal.style.dim(
        `Week ${weekLabel(target.week)}: the ${target.variant} setup, as last time (${variantFlagText(target.week, DEFAULT_VARIANT)} for the week's own).`,
      ),
    );
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
  // A stack whose tools read tables of their own (week 4: production.trips_data_all): many GB, so named,
  // not offered; dec data load --for says the size and asks.
  if (target.stack.database?.sources?.length) {
    ctx.terminal.print(
      ctx.terminal.style.dim(
        `Load the tables ${target.stackId} reads: dec data load --for ${target.stackId} --dry-run (sizes), then without --dry-run`,
      ),
    );
    return [];
  }
  const week = weekLoads(target.week);
  if (week.length === 0) return [];
  const present = await tablesPresent(ctx, target, week);
  const loads = week.filter((l) => !present.some((p) => p.dataset === l.dataset));
  const { style } = ctx.terminal;
  if (present.length > 0) {
    ctx.terminal.print(
      style.dim(
        `Already in Postgres: ${present.map((p) => `${p.table} (${thousands(p.rows)} rows)`).join(', ')}; kept as they are (dec data load <dataset> would replace one).`,
      ),
    );
  }
  if (loads.length === 0) return [];
  const names = loads.map((l) => [l.dataset, ...l.months].join(' ')).join(', ');
  const commands = loads.map((l) => `dec data load ${[l.dataset, ...l.months].join(' ')}`).join(' && ');
  if (!ctx.terminal.interactive || ctx.terminal.json) {
    ctx.terminal.print(style.dim(`Load the week's data: ${commands}`));
    return [];
  }
  if (await ctx.prompt.confirm(`Load the week's data into Postgres now (${names})?`, '--load')) return loads;
  ctx.terminal.print(style.dim(`Later: ${commands}`));
  return [];
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
  outcomes: Array<{ container: string; action: string; readyMs?: number }>,
) {
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    syllabus: syllabusInfo(target.session),
    stack: target.stackId,
    network: desired.network,
    services: plan.services.map((a) => ({
      service: a.service.service,
      ...(a.service.replica !== undefined ? { replica: a.service.replica } : {}),
      container: a.service.containerName,
      image: a.service.image,
      action: outcomes.find((o) => o.container === a.service.containerName)?.action ?? a.kind,
      ports: a.service.ports,
      volumes: a.service.mounts,
      readyMs: outcomes.find((o) => o.container === a.service.containerName)?.readyMs ?? null,
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
  throw notConfirmed(`you typed "${typed.trim()}", not ${stackId}; its volumes stay`);
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
  // The one resolver setup and status use: the volume names follow the project and remembered flags.
  const desired = await runningStack(ctx.env, session.course, stackId);
  const removal = await planDown(client, desired, { only, destroy: options.destroy === true });
  const { containers, volumes, doomedVolumes } = removal;
  if (!dryRun) await withInterruptSignal((signal) => down(client, removal, signal));
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
      const services = await stackStatus(client, desired, containers, sizes);
      // Week 5: the workers the master counts alive, and the URLs.
      const cluster = services.some((s) => s.state === 'running') ? await clusterStatus(desired) : undefined;
      return {
        stack: target.stackId,
        week: target.week.number,
        title: desired.title,
        services,
        ...(cluster ? { cluster } : {}),
      };
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
          // Names as long as week 2's airflow-webserver stay in one column.
          ...s.services.map((svc, _, all) => {
            const nameOf = (o: typeof svc) => (o.replica === undefined ? o.service : `${o.service} #${o.replica}`);
            const width = Math.max(12, ...all.map((other) => displayWidth(nameOf(other))));
            const mark = svc.state === 'running' ? (svc.ready ? style.green('✓') : style.yellow('!')) : style.dim('○');
            const ports = svc.ports.map((p) => `${p.hostIp}:${p.host}->${p.container}`).join(', ');
            const volumes = svc.volumes.map((v) => `${v.name} (${size(v)})`).join(', ');
            const state = svc.state === 'missing' ? 'not set up' : svc.state;
            const name = nameOf(svc);
            return `  ${mark} ${padDisplay(name, width)} ${state}${svc.state === 'running' ? (svc.ready ? ', ready' : ', not ready') : ''}  ${style.dim(ports)}${volumes ? `  ${style.dim(volumes)}` : ''}`;
          }),
          ...(s.cluster ? clusterLines(s.cluster).map((line) => `  ${line}`) : []),
          ...(s.services.every((svc) => svc.state === 'missing') ? [`  Set it up: dec setup ${s.stack}`] : []),
        ].join('\n'),
      )
      .join('\n\n'),
  );
  return stacks.some((s) => s.services.some((svc) => svc.state === 'running' && !svc.ready))
    ? ExitCode.problems
    : ExitCode.ok;
}
