// dec data load --for <week> (the tables a week's stack reads, `database.sources`: week 4's dbt reads
// production.trips_data_all), and --dry-run of any load: what would be downloaded and loaded, with a
// size and a rough row count, asked before a real --for run starts. Each table is then loaded in its
// own transaction by the one loader (loadPaths in data.ts); downloads resume as dec data get's do.
import { existsSync, statSync } from 'node:fs';
import type { CommandContext } from '../command-context.js';
import { dataFile, type DataFile } from '../data/datasets.js';
import { checkName, type LoadResult } from '../data/load.js';
import {
  createDatabase,
  estimatedRows,
  monthSpans,
  selectSources,
  tablesReplaced,
  targetState,
  withDatabase,
  type TargetState,
} from '../data/sources.js';
import { DecError, ExitCode } from '../errors.js';
import { JSON_SCHEMA_VERSION } from '../output/json.js';
import { notConfirmed } from '../output/prompt.js';
import { parseDatabaseUrl } from '../postgres/login.js';
import type { Session } from '../session.js';
import { fetchAll, loadLines, loadPaths, megabytes, sourceOf, type DataLoadOptions } from './data.js';
import { thousands } from '../util/count.js';

/** A file of a planned load: in dec's cache already, or its size as the server gave it. */
type PlannedFile = DataFile & { cached: boolean; bytes?: number; status?: number };

/** One table to load: which files go into schema.table. */
export interface PlannedLoad {
  dataset: string;
  /** undefined: the connection's current schema (public). */
  schema?: string;
  table: string;
  months: string[];
  files: PlannedFile[];
}

/** Where the loads go: the server (a connection string), the database in it, and how to name it. */
export interface LoadTarget {
  server: string;
  database: string;
  /** The server without its password, for messages. */
  shown: string;
}

const qualified = (load: { schema?: string; table: string }) =>
  load.schema === undefined ? load.table : `${load.schema}.${load.table}`;

/** The loads with their files' sizes: from the cache, else a HEAD request each (all within 20 s). */
async function withSizes(
  ctx: CommandContext,
  loads: Array<Omit<PlannedLoad, 'files'> & { files: DataFile[] }>,
): Promise<PlannedLoad[]> {
  const missing = loads.flatMap((l) => l.files).filter((f) => !existsSync(f.path));
  const { remoteSizes } = await import('../data/download.js');
  if (missing.length > 0) ctx.terminal.progress(`asking the server the size of ${missing.length} files`);
  const sizes = await remoteSizes(
    missing.map((f) => f.url),
    // All of them within 20 s: an estimate is not worth a long wait on a slow network.
    { env: ctx.env, timeoutMs: 10_000, signal: AbortSignal.timeout(20_000), concurrency: 8 },
  );
  ctx.terminal.progressDone();
  return loads.map((load) => ({
    ...load,
    files: load.files.map((file) =>
      existsSync(file.path)
        ? { ...file, cached: true, bytes: statSync(file.path).size }
        : { ...file, cached: false, ...sizes.get(file.url) },
    ),
  }));
}

interface Totals {
  files: number;
  toDownload: number;
  downloadBytes: number;
  cachedBytes: number;
  unknown: number;
  rows: number;
}

function totalsOf(files: PlannedFile[]): Totals {
  const known = files.filter((f) => f.bytes !== undefined);
  return {
    files: files.length,
    toDownload: files.filter((f) => !f.cached).length,
    downloadBytes: known.filter((f) => !f.cached).reduce((sum, f) => sum + f.bytes!, 0),
    cachedBytes: known.filter((f) => f.cached).reduce((sum, f) => sum + f.bytes!, 0),
    unknown: files.length - known.length,
    rows: known.reduce((sum, f) => sum + estimatedRows(f.bytes!, f.fileName), 0),
  };
}

function filesText(t: Totals): string {
  const parts = [
    t.toDownload > 0
      ? `${t.toDownload} to download${t.downloadBytes > 0 ? ` (${megabytes(t.downloadBytes)})` : ''}`
      : '',
    t.files - t.toDownload > 0
      ? `${t.files - t.toDownload} downloaded already${t.cachedBytes > 0 ? ` (${megabytes(t.cachedBytes)})` : ''}`
      : '',
    t.unknown > 0 ? `size unknown for ${t.unknown}` : '',
  ].filter(Boolean);
  return `${t.files} file${t.files === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** The plan as the student reads it before anything happens (and as --dry-run prints it). */
function planLines(
  ctx: CommandContext,
  title: string,
  loads: PlannedLoad[],
  target: LoadTarget,
  state: TargetState,
  mode: 'replace' | 'append',
): string[] {
  const { style } = ctx.terminal;
  const all = totalsOf(loads.flatMap((l) => l.files));
  const schemas = [...new Set(loads.flatMap((l) => (l.schema === undefined ? [] : [l.schema])))];
  const where = state.error
    ? `${style.yellow('!')} ${target.shown} did not answer (${state.error})`
    : [
        `database ${target.database}: ${state.database ? 'exists' : 'missing, made first'}`,
        ...schemas.map(
          (schema) => `schema ${schema}: ${state.schemas.includes(schema) ? 'exists' : 'missing, made by the load'}`,
        ),
      ].join(' · ');
  return [
    `${title} → database ${target.database} of ${target.shown}`,
    ...loads.flatMap((load) => {
      const t = totalsOf(load.files);
      const name = qualified({ schema: load.schema ?? 'public', table: load.table });
      const exists = state.tables.includes(name);
      const effect = state.error
        ? mode === 'append'
          ? 'added to the table'
          : 'replaces the table if there is one'
        : !exists
          ? 'a new table'
          : mode === 'append'
            ? 'added to the table'
            : state.filled.includes(name)
              ? 'replaces the table and the rows it holds'
              : 'replaces the table (empty now)';
      return [
        `  ${style.bold(qualified(load))} ← ${load.dataset} ${monthSpans(load.months) || '(one file)'} · ${effect}`,
        `      ${filesText(t)}${t.rows > 0 ? ` · about ${thousands(t.rows)} rows` : ''}`,
        ...load.files
          .filter((f) => f.status !== undefined)
          .map(
            (f) =>
              `      ${style.yellow('!')} ${f.fileName}: the server answered ${f.status} (the download will say more)`,
          ),
      ];
    }),
    `  ${where}`,
    `In all: ${filesText(all)}${all.rows > 0 ? `; about ${thousands(all.rows)} rows (a rough estimate from the download size)` : ''}.`,
  ];
}

function planJson(loads: PlannedLoad[], target: LoadTarget, state: TargetState) {
  const all = totalsOf(loads.flatMap((l) => l.files));
  return {
    database: target.database,
    postgres: target.shown,
    databaseExists: state.error ? null : state.database,
    loads: loads.map((load) => ({
      dataset: load.dataset,
      table: qualified(load),
      months: load.months,
      files: load.files.map((f) => ({
        fileName: f.fileName,
        url: f.url,
        downloaded: f.cached,
        bytes: f.bytes ?? null,
      })),
      estimatedRows: totalsOf(load.files).rows,
    })),
    downloadBytes: all.downloadBytes,
    estimatedRows: all.rows,
  };
}

/** --dry-run of a load: the plan, read only (HEAD requests and catalog reads), then nothing. */
export async function dryRun(
  ctx: CommandContext,
  title: string,
  loads: Array<Omit<PlannedLoad, 'files'> & { files: DataFile[] }>,
  target: LoadTarget,
  mode: 'replace' | 'append',
): Promise<number> {
  const planned = await withSizes(ctx, loads);
  const state = await targetState(target.server, target.database, tablesOf(planned));
  ctx.terminal.emit({ schemaVersion: JSON_SCHEMA_VERSION, dryRun: true, ...planJson(planned, target, state) }, () =>
    [
      ...planLines(ctx, title, planned, target, state, mode),
      ctx.terminal.style.dim('Dry run: nothing was downloaded, and Postgres was not changed.'),
    ].join('\n'),
  );
  return ExitCode.ok;
}

function tablesOf(loads: PlannedLoad[]): Array<{ schema: string; table: string }> {
  return loads.map((l) => ({ schema: l.schema ?? 'public', table: l.table }));
}

/** The Postgres a stack's database lives in, as a connection string from the host. */
async function stackServer(ctx: CommandContext, session: Session, stack: string): Promise<LoadTarget> {
  const { postgresOf } = await import('./setup-database.js');
  const access = await postgresOf(ctx, session, stack);
  const e = encodeURIComponent;
  return {
    server: `postgresql://${e(access.user)}:${e(access.password)}@${access.host}:${access.port}/${e(access.database)}`,
    database: access.database,
    shown: `${stack}'s Postgres (${access.host}:${access.port})`,
  };
}

/**
 * dec data load --for <week> [dataset] [months...]: the week's stack's sources (all, or the dataset and
 * months named) into their tables, each table in one transaction. The database is made when missing
 * (it is the stack's own, as dec setup makes it), the schema by the load; no other database is touched.
 */
export async function loadSources(
  ctx: CommandContext,
  session: Session,
  ref: string,
  name: string | undefined,
  months: string[],
  options: DataLoadOptions,
): Promise<number> {
  if (options.file !== undefined)
    throw new DecError('--file and --for exclude each other.', {
      hint: `--for ${ref} loads the syllabus's sources; --file loads a file of yours (with --table).`,
    });
  const { weekStack } = await import('../setup/variant.js');
  const { stackId } = await weekStack(ctx.env, session.course, ref);
  const spec = stackId === undefined ? undefined : session.course.stacks[stackId]?.database;
  if (!stackId || !spec?.sources?.length)
    throw new DecError(`${ref} has no sources to load: its stack declares none.`, {
      hint: 'dec data load --for week4 loads the tables week 4 reads; for others name a dataset and months: dec data load yellow 2021-01',
    });
  let loads = selectSources(spec.sources, stackId, name, months);
  if (options.table !== undefined) {
    if (loads.length > 1)
      throw new DecError(`--table names one table, and this loads ${loads.length}.`, {
        hint: `Name one dataset too: dec data load --for ${ref} ${loads[0]!.dataset} --table ${options.table}`,
      });
    loads = [{ ...loads[0]!, table: options.table }];
  }
  const schema = options.schema;
  if (schema !== undefined) loads = loads.map((load) => ({ ...load, schema }));
  const database = options.database ?? spec.name;
  checkName(database, 'database');
  for (const load of loads) {
    checkName(load.schema, 'schema');
    checkName(load.table);
  }
  // Week 4's sources are 2019-2020 months, all on the course's mirror (csv.gz, as the course loaded them).
  const source = sourceOf(options.source) ?? 'mirror';
  const files = loads.map((load) => ({
    ...load,
    files: load.months.map((month) => dataFile(session.course, ctx.env, load.dataset, month, source)),
  }));
  const server =
    options.db !== undefined
      ? { server: options.db, database, shown: parseDatabaseUrl(options.db).shown }
      : { ...(await stackServer(ctx, session, spec.stack)), database };
  const mode = options.append ? 'append' : 'replace';
  const title = `${stackId}'s sources`;
  if (options.dryRun) return dryRun(ctx, title, files, server, mode);

  const planned = await withSizes(ctx, files);
  const state = await targetState(server.server, database, tablesOf(planned));
  if (state.error)
    throw new DecError(`${title} go into ${server.shown}, and it did not answer: ${state.error}.`, {
      hint: `Start it first (dec setup ${spec.stack}), or pass --db. Nothing was downloaded or changed.`,
    });
  // A database the student names must exist (a typo would make one nobody reads); the stack's own is made.
  if (!state.database && database !== spec.name)
    throw new DecError(`There is no database ${database} in ${server.shown}.`, {
      hint: `Check --database (psql -l lists them), or leave it out: ${stackId}'s sources go into ${spec.name}, made when missing.`,
    });
  ctx.terminal.error(planLines(ctx, title, planned, server, state, mode).join('\n'));
  // Asked only when tables that hold rows would be replaced; in a script (no terminal, CI) that needs --yes.
  const replaced = tablesReplaced(planned, state, mode);
  if (replaced.length > 0 && !options.yes) {
    const all = totalsOf(planned.flatMap((l) => l.files));
    const what =
      all.toDownload > 0
        ? `Download ${all.toDownload} file${all.toDownload === 1 ? '' : 's'}${all.downloadBytes > 0 ? ` (${megabytes(all.downloadBytes)})` : ''} and replace`
        : 'Replace';
    const tables = replaced.length === 1 ? replaced[0]! : `${replaced.slice(0, -1).join(', ')} and ${replaced.at(-1)!}`;
    if (
      !(await ctx.prompt.confirm(`${what} ${tables}, which ${replaced.length === 1 ? 'holds' : 'hold'} data?`, '--yes'))
    )
      throw notConfirmed(`${title} were not downloaded or loaded`);
  }
  let createdDatabase = false;
  if (!state.database) {
    createdDatabase = await createDatabase(server.server, database);
    if (createdDatabase)
      ctx.terminal.print(`${ctx.terminal.style.green('✓')} made database ${database} (it was missing)`);
  }
  const results: LoadResult[] = [];
  for (const load of planned) {
    await fetchAll(ctx, load.files, 30_000);
    const result = await loadPaths(
      ctx,
      load.files.map((f) => f.path),
      {
        connectionString: withDatabase(server.server, database),
        table: load.table,
        schema: load.schema,
        // The tools read them with unquoted names (dbt's vendorid, pulocationid).
        lowercaseColumns: true,
        mode,
      },
    );
    ctx.terminal.print(loadLines(ctx, result).join('\n'));
    results.push(result);
  }
  const rows = results.reduce((sum, r) => sum + r.rows, 0);
  ctx.terminal.emit(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      database,
      createdDatabase,
      tables: results.map((r) => ({
        table: r.table,
        rows: r.rows,
        createdSchema: r.createdSchema === true,
        loads: r.files.map((f) => ({ path: f.path, rows: f.rows })),
      })),
      rows,
    },
    () =>
      `${ctx.terminal.style.green('✓')} ${title}: ${results.length} table${results.length === 1 ? '' : 's'} in ${database}, ${thousands(rows)} rows`,
  );
  return ExitCode.ok;
}
