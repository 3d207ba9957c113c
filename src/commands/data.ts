// dec data list | get | load | sample
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { CommandContext } from '../command-context.js';
import {
  dataFile,
  dataFolder,
  datasetOf,
  defaultTable,
  monthsOf,
  type DataFile,
  type Source,
} from '../data/datasets.js';
import type { LoadResult } from '../data/load.js';
import { DecError, ExitCode } from '../errors.js';
import { JSON_SCHEMA_VERSION } from '../output/json.js';
import { startLive } from '../output/live.js';
import { bar } from '../output/render.js';
import { notConfirmed } from '../output/prompt.js';
import { openSession, syllabusInfo, type Session } from '../session.js';
import { fileSystemError } from '../util/fs.js';
import { parseTimeLimit, withInterruptSignal } from '../util/time.js';
import { parseDatabaseUrl } from '../postgres/login.js';
import { MIRROR_LAST_MONTH, planSources } from '../data/source.js';
import { thousands } from '../util/count.js';

export interface GetOptions {
  source?: string;
  timeout?: string;
}

export interface DataLoadOptions {
  table?: string;
  db?: string;
  replace?: boolean;
  append?: boolean;
  file?: string;
  source?: string;
  /** A schema in the database (made when missing); default public. */
  schema?: string;
  /** Another database of the same Postgres (--db's, or the week-1 one); it must exist. */
  database?: string;
  /** The sources a week's stack declares (database.sources), e.g. week4. */
  for?: string;
  dryRun?: boolean;
  yes?: boolean;
}

/** --source as given; undefined: the mirror, or the TLC for months the mirror cannot have (data/source.ts). */
export function sourceOf(text: string | undefined): Source | undefined {
  if (text === undefined) return undefined;
  if (text === 'mirror') return 'mirror';
  if (text === 'tlc') return 'tlc';
  throw new DecError(`--source "${text}" is neither mirror nor tlc.`, {
    hint: `mirror: the course's csv.gz copies (default, up to ${MIRROR_LAST_MONTH}); tlc: the TLC's parquet files (default after it).`,
  });
}

export async function dataList(ctx: CommandContext): Promise<number> {
  const session = await openSession(ctx);
  const folder = dataFolder(ctx.env);
  const cached = cachedFiles(folder);
  const datasets = Object.entries(session.course.datasets).map(([name, dataset]) => {
    const files = cached.filter((f) => !isPartial(f.file) && belongsTo(f.file, name, []));
    return {
      name,
      title: dataset.title,
      mirror: dataset.mirror ?? null,
      tlc: dataset.tlc ?? null,
      table: defaultTable(name),
      downloaded: files.map((f) => f.file),
      bytes: totalBytes(files),
    };
  });
  const { style } = ctx.terminal;
  ctx.terminal.emit(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      syllabus: syllabusInfo(session),
      folder,
      datasets,
    },
    () =>
      [
        ...datasets.flatMap((d) => [
          `${style.bold(d.name.padEnd(7))} ${d.title} ${style.dim(`→ table ${d.table}`)}`,
          `        mirror ${d.mirror ?? '—'}`,
          ...(d.tlc ? [`        tlc    ${d.tlc}`] : []),
          `        ${d.downloaded.length > 0 ? `downloaded: ${d.downloaded.join(', ')} (${megabytes(d.bytes)})` : style.dim('nothing downloaded yet')}`,
        ]),
        '',
        style.dim(
          `Downloads are kept in ${folder} (${megabytes(totalBytes(cached))}; dec data clean frees it). Synthetic samples (dec data sample) are named *_synthetic_*.`,
        ),
      ].join('\n'),
  );
  return ExitCode.ok;
}

/**
 * The files in dec's download cache (partial downloads and their records too), sorted, with their
 * sizes; read once. Not the locks of downloads under way (`*.lock` folders).
 */
interface CachedFile {
  file: string;
  bytes: number;
}

function cachedFiles(folder: string): CachedFile[] {
  if (!existsSync(folder)) return [];
  try {
    return readdirSync(folder)
      .filter((file) => !file.endsWith('.lock'))
      .sort()
      .map((file) => ({ file, bytes: statSync(join(folder, file)).size }));
  } catch (error) {
    throw fileSystemError(
      error,
      'read',
      folder,
      "Check the folder's permissions (ls -ld), or set DEC_HOME to a folder you own.",
    );
  }
}

/** A download or sample not complete yet: `.part`, and the record beside it (`.part.json`). */
function isPartial(file: string): boolean {
  return file.endsWith('.part') || file.endsWith('.part.json');
}

function totalBytes(files: Array<{ bytes: number }>): number {
  return files.reduce((sum, f) => sum + f.bytes, 0);
}

/** A size as dec prints downloads: MB, or GB from a gigabyte (week 4's sources run to many GB). */
export function megabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Whether a file in the cache belongs to `dataset` (and to one of `months`, when given); .part files too. */
function belongsTo(file: string, dataset: string | undefined, months: string[]): boolean {
  if (dataset === undefined) return true;
  const prefix = dataset === 'zones' ? 'taxi_zone' : `${dataset}_tripdata_`;
  if (!file.startsWith(prefix)) return false;
  return months.length === 0 || months.some((month) => file.startsWith(`${prefix}${month}.`));
}

/** Whether a running dec holds the lock of this .part file (or of the .part file this record is of). */
async function beingDownloaded(folder: string, file: string): Promise<boolean> {
  const part = join(folder, file.replace(/\.part\.json$/, '.part'));
  if (!part.endsWith('.part')) return false;
  const { default: lockfile } = await import('proper-lockfile');
  return lockfile.check(part, { realpath: false, lockfilePath: `${part}.lock`, stale: 10_000 }).catch(() => false);
}

export async function dataClean(
  ctx: CommandContext,
  dataset: string | undefined,
  monthSpecs: string[],
  options: { yes?: boolean },
): Promise<number> {
  const session = await openSession(ctx);
  if (dataset !== undefined) datasetOf(session.course, dataset); // a clear error for an unknown name
  const months = monthSpecs.flatMap(monthsOf);
  const folder = dataFolder(ctx.env);
  const files: CachedFile[] = [];
  for (const cached of cachedFiles(folder).filter((f) => belongsTo(f.file, dataset, months))) {
    if (!(await beingDownloaded(folder, cached.file))) files.push(cached);
    else ctx.terminal.warn(`${cached.file}: another dec is downloading it right now; left alone.`);
  }
  const bytes = totalBytes(files);
  const size = megabytes(bytes);
  if (files.length > 0 && !options.yes) {
    ctx.terminal.error(files.map((f) => `  ${f.file} (${megabytes(f.bytes)})`).join('\n'));
    const which = files.length === 1 ? 'this download' : `these ${files.length} downloads`;
    if (!(await ctx.prompt.confirm(`Delete ${which} (${size})?`, '--yes'))) {
      throw notConfirmed(`${which} stay${files.length === 1 ? 's' : ''}`);
    }
  }
  for (const { file } of files) {
    try {
      rmSync(join(folder, file), { force: true });
      // The lock a killed download left (a running one recreates it, or finds its file gone).
      if (file.endsWith('.part')) rmSync(join(folder, `${file}.lock`), { recursive: true, force: true });
    } catch (error) {
      throw fileSystemError(error, 'delete', join(folder, file));
    }
  }
  ctx.terminal.emit({ schemaVersion: JSON_SCHEMA_VERSION, folder, removed: files, bytes }, () =>
    files.length === 0
      ? `Nothing to delete in ${folder}.`
      : `${ctx.terminal.style.green('✓')} Deleted ${files.length} download${files.length === 1 ? '' : 's'} (${size}) from ${folder}; dec data get fetches them again.`,
  );
  return ExitCode.ok;
}

function specs(
  session: Session,
  ctx: CommandContext,
  name: string,
  monthSpecs: string[],
  explicit: Source | undefined,
) {
  const dataset = datasetOf(session.course, name);
  const source = explicit ?? 'mirror';
  const monthly = (source === 'tlc' ? dataset.tlc : dataset.mirror)?.includes('{month}') ?? false;
  if (!monthly) return [dataFile(session.course, ctx.env, name, undefined, source)];
  if (monthSpecs.length === 0)
    throw new DecError(`Say which months of ${name}.`, {
      hint: `For example: dec data get ${name} 2021-01, or 2019-01..2019-12`,
    });
  const months = monthSpecs.flatMap(monthsOf);
  const plan = planSources(name, dataset, months, explicit);
  if (plan.note) ctx.terminal.warn(plan.note);
  return months.map((month) => dataFile(session.course, ctx.env, name, month, plan.byMonth.get(month) ?? source));
}

export async function fetchAll(ctx: CommandContext, files: DataFile[], stallMs: number): Promise<void> {
  const { download } = await import('../data/download.js');
  const { placeShipped, shippedCopy } = await import('../data/shipped.js');
  const live = startLive(ctx.terminal);
  try {
    await withInterruptSignal(async (signal) => {
      for (const file of files) {
        if (existsSync(file.path)) {
          live.step(`${file.fileName}: already downloaded`);
          continue;
        }
        live.step(`${file.fileName}: downloading`, { log: false });
        // A file dec ships (the zone lookup) is tried once, briefly: offline, the copy stands in at once.
        const shipped = file.month === undefined ? shippedCopy(file.fileName) : undefined;
        const fetched = download(file.url, file.path, {
          stallMs: shipped ? Math.min(stallMs, 10_000) : stallMs,
          attempts: shipped ? 1 : 5,
          backoffMs: 1000,
          signal,
          env: ctx.env,
          // The TLC's advice (use the mirror) is wrong when the mirror is what answered 404.
          notFoundHint:
            file.source === 'mirror'
              ? `Check that ${file.dataset} has that month on the course mirror, or try the TLC's own files: --source tlc.`
              : undefined,
          onProgress: ({ received, total }) =>
            live.detail(() => {
              const size = total ? ` of ${(total / 1e6).toFixed(1)}` : '';
              const text = `${file.fileName}: ${(received / 1e6).toFixed(1)}${size} MB`;
              return withBar(ctx, total ? received / total : undefined, text);
            }, received === total),
          onNotice: (text) => ctx.terminal.warn(`${file.fileName}: ${text}`),
        });
        if (!shipped) {
          await fetched;
          continue;
        }
        try {
          await fetched;
        } catch (error) {
          if (signal.aborted) throw error;
          const why = error instanceof Error ? error.message.replace(/\.$/, '') : String(error);
          placeShipped(shipped.path, file.path);
          ctx.terminal.warn(
            `${file.fileName}: the download failed (${why}); using the copy that ships with dec (${shipped.what}, the same file).`,
          );
        }
      }
    });
  } catch (error) {
    live.fail();
    throw error;
  }
  live.stop();
}

/** A status text, with a bar in front on a terminal when the share done is known. */
function withBar(ctx: CommandContext, fraction: number | undefined, text: string): string {
  return ctx.terminal.liveStatus && fraction !== undefined
    ? `${bar(fraction * 100, 20, ctx.terminal.style)} ${text}`
    : text;
}

export async function dataGet(
  ctx: CommandContext,
  name: string,
  months: string[],
  options: GetOptions,
): Promise<number> {
  const session = await openSession(ctx);
  const files = specs(session, ctx, name, months, sourceOf(options.source));
  const stallMs = parseTimeLimit(options.timeout, { fallbackMs: 30_000, minMs: 100, maxMs: 600_000 });
  await fetchAll(ctx, files, stallMs);
  const fetched = files.map((f) => ({ url: f.url, path: f.path, bytes: statSync(f.path).size }));
  ctx.terminal.emit(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      files: fetched,
    },
    () => fetched.map((f) => `${ctx.terminal.style.green('✓')} ${f.path} (${megabytes(f.bytes)})`).join('\n'),
  );
  return ExitCode.ok;
}

/** --db, else the week-1 Postgres as `dec setup` runs it. */
async function connectionString(ctx: CommandContext, session: Session, db: string | undefined): Promise<string> {
  // Checked before anything connects; a malformed URL is named without its password.
  if (db) return parseDatabaseUrl(db).connectionString;
  const { defaultDatabase } = await import('../setup/database.js');
  return (await defaultDatabase(ctx, session)).connectionString;
}

/** --db, else the week-1 Postgres, with how messages name it (no password). */
async function serverOf(
  ctx: CommandContext,
  session: Session,
  db: string | undefined,
): Promise<{ server: string; shown: string }> {
  if (db) return { server: db, shown: parseDatabaseUrl(db).shown };
  const { defaultDatabase } = await import('../setup/database.js');
  const found = await defaultDatabase(ctx, session);
  return { server: found.connectionString, shown: found.shown };
}

export async function dataLoad(
  ctx: CommandContext,
  name: string | undefined,
  months: string[],
  options: DataLoadOptions,
): Promise<number> {
  if (options.replace && options.append)
    throw new DecError('--replace and --append exclude each other.', { hint: 'Pick one; --replace is the default.' });
  // Before any download: a month of data is a long wait to learn the URL was mistyped.
  if (options.db !== undefined) parseDatabaseUrl(options.db);
  const session = await openSession(ctx);
  if (options.for !== undefined) {
    const { loadSources } = await import('./data-sources.js');
    return loadSources(ctx, session, options.for, name, months, options);
  }
  // Names go into SQL (quoted too): refused before any download.
  const { checkName } = await import('../data/load.js');
  if (options.table !== undefined) checkName(options.table);
  if (options.schema !== undefined) checkName(options.schema, 'schema');
  if (options.database !== undefined) checkName(options.database, 'database');
  const paths: string[] = [];
  let files: DataFile[];
  let table = options.table;
  if (options.file) {
    const path = resolve(ctx.cwd, options.file);
    if (!existsSync(path))
      throw new DecError(`There is no file ${options.file}.`, {
        hint: 'Give the path of a .csv, .csv.gz or .parquet file.',
      });
    const { pathToFileURL } = await import('node:url');
    files = [
      { dataset: name ?? 'file', source: 'mirror', url: pathToFileURL(path).href, fileName: basename(path), path },
    ];
    table ??= name ? defaultTable(name) : undefined;
    if (!table)
      throw new DecError('--file needs --table (or a dataset name) to know where the rows go.', {
        hint: 'For example: dec data load --file trips.csv --table yellow_taxi_trips',
      });
  } else {
    if (!name)
      throw new DecError('Say which dataset to load, or --file.', {
        hint: 'For example: dec data load yellow 2021-01',
      });
    files = specs(session, ctx, name, months, sourceOf(options.source));
    table ??= defaultTable(name);
  }
  if (options.dryRun) {
    const { dryRun } = await import('./data-sources.js');
    const server = await serverOf(ctx, session, options.db);
    const database = options.database ?? decodeURIComponent(new URL(server.server).pathname.slice(1));
    const load = {
      dataset: name ?? 'file',
      schema: options.schema,
      table,
      months: files.flatMap((f) => (f.month ? [f.month] : [])),
      files,
    };
    return dryRun(ctx, `dec data load`, [load], { ...server, database }, options.append ? 'append' : 'replace');
  }
  let target = await connectionString(ctx, session, options.db);
  const { databaseMustExist, declaredSource, withDatabase } = await import('../data/sources.js');
  if (options.database !== undefined) {
    target = withDatabase(target, options.database);
    await databaseMustExist(target, options.database);
  }
  // A table a stack's tools read (week 4's production.trips_data_all.yellow_tripdata): named as --for names it.
  const readBy = declaredSource(session.course.stacks, target, options.schema, table);
  if (readBy)
    ctx.terminal.print(
      ctx.terminal.style.dim(
        `${readBy} reads this table: its columns are named in lower case, as --for ${readBy} names them.`,
      ),
    );
  if (!options.file) await fetchAll(ctx, files, 30_000);
  paths.push(...files.map((f) => f.path));
  const result = await loadPaths(ctx, paths, {
    connectionString: target,
    table,
    schema: options.schema,
    lowercaseColumns: readBy !== undefined,
    mode: options.append ? 'append' : 'replace',
  });
  ctx.terminal.emit(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      table: result.table,
      rows: result.rows,
      ...(options.schema !== undefined ? { createdSchema: result.createdSchema === true } : {}),
      loads: result.files.map((f) => ({ path: f.path, rows: f.rows, columns: f.columns })),
    },
    () => loadLines(ctx, result).join('\n'),
  );
  return ExitCode.ok;
}

/** What a load did, for the terminal: a line per file, the total, and the schema it made. */
export function loadLines(ctx: CommandContext, result: LoadResult): string[] {
  const { style } = ctx.terminal;
  return [
    ...(result.createdSchema ? [`${style.green('✓')} made schema ${result.table.split('.')[0]} (it was missing)`] : []),
    ...result.files.map((f) => `${style.green('✓')} ${rowCount(f.rows)} from ${basename(f.path)} into ${result.table}`),
    ...(result.files.length > 1 ? [`${style.green('✓')} ${rowCount(result.rows)} in all, in one transaction`] : []),
  ];
}

/**
 * Loads files into one table in one transaction (src/data/load.ts), with a live line per file: the
 * table gets every month asked for, or stays as it was.
 */
export async function loadPaths(
  ctx: CommandContext,
  paths: string[],
  target: {
    connectionString: string;
    table: string;
    schema?: string;
    lowercaseColumns?: boolean;
    mode: 'replace' | 'append';
  },
): Promise<LoadResult> {
  const { loadFiles } = await import('../data/load.js');
  const shown = target.schema === undefined ? target.table : `${target.schema}.${target.table}`;
  const live = startLive(ctx.terminal);
  live.step(`loading into ${shown}`, { log: false });
  let result;
  try {
    result = await withInterruptSignal((signal) =>
      loadFiles(paths, {
        ...target,
        signal,
        onNotice: (text) => ctx.terminal.warn(text),
        onProgress: ({ path, rows, fraction, estimated }) =>
          live.detail(() => {
            const which = paths.length > 1 ? ` (file ${paths.indexOf(path) + 1} of ${paths.length})` : '';
            const count = `${estimated ? 'about ' : ''}${thousands(rows)} rows`;
            const text = `${basename(path)}${which}: ${Math.floor(fraction * 100)}% · ${count}`;
            return withBar(ctx, fraction, text);
          }),
      }),
    );
  } catch (error) {
    live.fail();
    throw error;
  }
  live.stop();
  return result;
}

function rowCount(rows: number): string {
  return `${thousands(rows)} row${rows === 1 ? '' : 's'}`;
}

/**
 * The zone lookup beside the sample, where `dec data load zones` finds it without a network, so week 1's
 * joins work offline. Undefined when the syllabus has no zones dataset or dec ships no copy of its file.
 */
async function sampleZones(ctx: CommandContext): Promise<{ path: string; what: string; placed: boolean } | undefined> {
  const session = await openSession(ctx);
  if (!session.course.datasets.zones) return undefined;
  const file = dataFile(session.course, ctx.env, 'zones', undefined, 'mirror');
  const { placeShipped, shippedCopy } = await import('../data/shipped.js');
  const shipped = shippedCopy(file.fileName);
  if (!shipped) return undefined;
  if (existsSync(file.path)) return { path: file.path, what: shipped.what, placed: false };
  placeShipped(shipped.path, file.path);
  return { path: file.path, what: shipped.what, placed: true };
}

export async function dataSample(
  ctx: CommandContext,
  rows: string | undefined,
  out: string | undefined,
): Promise<number> {
  const count = rows === undefined ? 10_000 : Number(rows);
  if (!Number.isInteger(count) || count < 1 || count > 50_000_000)
    throw new DecError(`--rows "${rows}" is not a row count.`, { hint: 'For example --rows 100000' });
  const path = out ? resolve(ctx.cwd, out) : join(dataFolder(ctx.env), `yellow_tripdata_synthetic_${count}.csv.gz`);
  const { writeSyntheticYellow } = await import('../data/synthetic.js');
  await withInterruptSignal((signal) => writeSyntheticYellow(path, count, { signal }));
  const zones = await sampleZones(ctx);
  const { style } = ctx.terminal;
  ctx.terminal.emit(
    { schemaVersion: JSON_SCHEMA_VERSION, path, rows: count, synthetic: true, zones: zones?.path ?? null },
    () =>
      [
        `${style.green('✓')} ${thousands(count)} SYNTHETIC yellow trips (made up, same layout) in ${path}`,
        ...(zones
          ? [
              `${style.green('✓')} ${zones.what} (real, shipped with dec) in ${zones.path}${zones.placed ? '' : ' (already there)'}`,
            ]
          : []),
        `Load them: dec data load --file ${path} --table yellow_taxi_trips${zones ? ' && dec data load zones' : ''}`,
      ].join('\n'),
  );
  return ExitCode.ok;
}
