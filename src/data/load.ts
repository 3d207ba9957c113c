// Loads a CSV, CSV.gz or Parquet file into Postgres with COPY FROM STDIN, streaming (memory stays
// flat whatever the file size): as binary COPY when dec can write every value in Postgres's binary
// format (Parquet: parquet.ts; CSV: csv-binary.ts, when the first megabyte takes its fast paths),
// else as CSV text that Postgres parses. The rows go into a staging table inside one transaction that then
// replaces (or appends to) the target, so a failed or interrupted load leaves the old table as it was.
import { randomBytes } from 'node:crypto';
import { createReadStream, openSync, readSync, closeSync, statSync, type ReadStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DecError, ExitCode, errorCode, isDecError } from '../errors.js';
import { fileSystemError, notAFileKind } from '../util/fs.js';
import { columnType, courseColumnType, type Column, type ColumnType } from './datasets.js';
import { csvCopySource, CsvDecimals, NotBinary } from './csv-binary.js';
import { openParquet, ParquetValueError, type ParquetFile, type RowCount } from './parquet.js';

type FileFormat = 'csv' | 'csv.gz' | 'parquet';

function formatOf(path: string): FileFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv.gz') || lower.endsWith('.gz')) return 'csv.gz';
  if (lower.endsWith('.parquet')) return 'parquet';
  if (lower.endsWith('.csv')) return 'csv';
  throw new DecError(`Cannot tell the format of ${path}.`, { hint: 'dec loads .csv, .csv.gz and .parquet files.' });
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A table, schema or database name dec puts into SQL (always quoted too): letters, digits and _, so
 * nothing a student types can end the identifier, and at most 63 characters.
 */
export function checkName(name: string, what: 'table' | 'schema' | 'database' = 'table'): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new DecError(`"${name}" is not a ${what} name dec accepts.`, {
      hint: `Use letters, digits and _ (not starting with a digit), e.g. --${what} ${{ table: 'yellow_taxi_trips', schema: 'trips_data_all', database: 'production' }[what]}.`,
    });
  }
  // Postgres would cut a longer name to 63 bytes: the rows would land in a table of another name.
  if (name.length > 63) {
    throw new DecError(`The ${what} name "${name}" has ${name.length} characters; Postgres allows at most 63.`, {
      hint: `Give a shorter --${what}.`,
    });
  }
}

/** The header line of a CSV or CSV.gz file, without reading the rest. */
async function csvHeader(path: string, format: 'csv' | 'csv.gz'): Promise<string[]> {
  let text = '';
  if (format === 'csv') {
    const fd = openSync(path, 'r');
    try {
      const buffer = Buffer.alloc(64 * 1024);
      const read = readSync(fd, buffer, 0, buffer.length, 0);
      text = buffer.subarray(0, read).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } else {
    const stream = createReadStream(path).pipe(createGunzip());
    for await (const chunk of stream) {
      text += (chunk as Buffer).toString('utf8');
      if (text.includes('\n') || text.length > 64 * 1024) break;
    }
    stream.destroy();
  }
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  const columns = line
    .replace(/^\uFEFF/, '')
    .split(',')
    .map((name) => name.trim().replace(/^"(.*)"$/, '$1'));
  if (columns.every((c) => c === ''))
    throw new DecError(`${path} has no CSV header line.`, { hint: 'The first line must name the columns.' });
  const unnamed = columns.indexOf('');
  if (unnamed >= 0) {
    throw new DecError(`${path}: column ${unnamed + 1} of the header line has no name.`, {
      hint: 'Name every column in the first line (a trailing comma makes an empty one).',
    });
  }
  return columns;
}

export interface LoadFilesOptions {
  connectionString: string;
  table: string;
  /**
   * The table's schema, made in the load's transaction when missing (so an interrupted load leaves
   * no empty schema either); default: the connection's current schema (public).
   */
  schema?: string;
  /**
   * Name the columns in lower case ("VendorID" → vendorid): SQL folds unquoted names to lower case, and
   * the course's dbt models read `vendorid`, `pulocationid`, which a "VendorID" column does not answer.
   */
  lowercaseColumns?: boolean;
  mode: 'replace' | 'append';
  signal?: AbortSignal;
  /** Something the student should know that is not an error (a column loaded with another type). */
  onNotice?(text: string): void;
  /** How long a COPY may go without Postgres taking data before the load fails (default 60 s). */
  stallMs?: number;
  /** How long to wait for the table when another session holds it (default 10 s). */
  lockTimeoutMs?: number;
  /** Rows of the current file sent so far, and how much of that file it is (0 to 1). */
  onProgress?(progress: LoadProgress): void;
}

export interface LoadProgress {
  path: string;
  rows: number;
  fraction: number;
  /**
   * `rows` is an estimate (CSV while it is sent: Postgres counts the rows, and counting line breaks
   * in every byte here cost 4-13% of dec's CPU); the last report of a file has the exact count.
   */
  estimated?: boolean;
}

interface LoadedFile {
  path: string;
  rows: number;
  /** The file's columns and the types they were given. */
  columns: Column[];
}

export interface LoadResult {
  /** As messages name it: schema.table when a schema was given. */
  table: string;
  rows: number;
  files: LoadedFile[];
  /** The schema did not exist and this load made it. */
  createdSchema?: boolean;
}

/** One file to load: its format and columns, read before anything touches the database. */
interface Input {
  path: string;
  format: FileFormat;
  parquet: ParquetFile | undefined;
  columns: Column[];
  /** A CSV file that goes as text: binary COPY of it met something Postgres's CSV parser must judge. */
  csvText?: boolean;
}

const INPUT_HINT = 'Check the path and the permissions of the file (ls -l).';

/** What a path that is not a regular file is, in words; undefined for a regular file. */
function notAFile(path: string): string | undefined {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    throw fileSystemError(error, 'read', path, INPUT_HINT);
  }
  return notAFileKind(stats);
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** Whether the file starts as gzip data does. */
function looksGzipped(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } catch (error) {
    throw fileSystemError(error, 'read', path, INPUT_HINT);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Checks that `path` is a regular file in the format its name says, before anything reads it: a folder
 * or a fifo would make the read fail oddly or block (and a blocked read would not even see Ctrl-C).
 */
function checkInputFile(path: string, format: FileFormat): void {
  const what = notAFile(path);
  if (what) {
    throw new DecError(`${path} is ${what}, not a file dec can load.`, {
      hint: 'Give the path of a .csv, .csv.gz or .parquet file.',
    });
  }
  if (format === 'csv.gz' && !looksGzipped(path)) {
    throw new DecError(`${path} is named .gz but is not gzip-compressed.`, {
      hint: 'If it is a plain CSV file, name it .csv; else compress it with gzip.',
    });
  }
}

/** A gzip stream's error (the data ends early, or is not gzip) as a DecError; undefined for other errors. */
function gzipProblem(error: unknown, path: string): DecError | undefined {
  const code = errorCode(error) ?? '';
  if (!code.startsWith('Z_')) return undefined;
  const cutOff = code === 'Z_BUF_ERROR' || /unexpected end/i.test((error as Error).message);
  return new DecError(
    cutOff
      ? `${path} is cut off: its gzip data ends early.`
      : `${path} is not valid gzip data (${(error as Error).message}).`,
    {
      hint: 'The table was left as it was. The file is incomplete or damaged: download or copy it again (dec data clean, then dec data get, for a course file).',
    },
  );
}

async function inputOf(path: string): Promise<Input> {
  const format = formatOf(path);
  checkInputFile(path, format);
  if (format === 'parquet') {
    const parquet = await openParquet(path);
    // Course columns keep the course's types, so a month gives the same table from CSV or Parquet.
    const columns = parquet.columns.map(({ name, type }) => ({ name, type: courseColumnType(name) ?? type }));
    return { path, format, parquet, columns };
  }
  let names: string[];
  try {
    names = await csvHeader(path, format);
  } catch (error) {
    throw gzipProblem(error, path) ?? fileSystemError(error, 'read', path, INPUT_HINT);
  }
  return { path, format, parquet: undefined, columns: names.map((name) => ({ name, type: columnType(name) })) };
}

/** An error Postgres sent (it has a severity), as opposed to one of the connection or of Node. */
interface ServerError {
  message: string;
  code?: string;
  where?: string;
  severity?: string;
}

function fromServer(error: unknown): error is ServerError & { code: string } {
  const e = error as ServerError;
  return typeof e?.severity === 'string' && typeof e.code === 'string';
}

/** A value in the file Postgres refused (a data exception, class 22, or a constraint, class 23). */
function isBadValue(error: unknown): error is ServerError {
  return fromServer(error) && /^2[23]/.test(error.code);
}

/**
 * Postgres went away or could not go on (stopped, killed, restarted, out of disk), or the connection
 * to it broke: nothing the file or the student's table did.
 */
function serverTrouble(error: unknown, table: string, committing: boolean): DecError | undefined {
  const message = (error as Error)?.message ?? String(error);
  const code = errorCode(error) ?? '';
  if (fromServer(error) && code.startsWith('53')) {
    return new DecError(`Postgres could not store the rows: ${message}.`, {
      hint: `${table} was left as it was. Free space where Postgres keeps its data (for dec's Postgres: docker system df), then run the same command again.`,
    });
  }
  const gone = fromServer(error)
    ? /^(57|08|58)/.test(code)
    : /Connection terminated|connection .*(closed|lost|ended)/i.test(message) ||
      ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT'].includes(code);
  if (!gone) return undefined;
  return new DecError(`Postgres stopped during the load (${message}).`, {
    hint: committing
      ? `It stopped while committing: check ${table} once Postgres runs again (dec setup week1 starts dec's), and load again if it is not as expected.`
      : `Nothing was loaded and ${table} was left as it was. Start Postgres again (dec setup week1 starts dec's), then run the same command again.`,
  });
}

/**
 * A value Postgres (or dec, for binary COPY) refused, with where it is: the line of a CSV file, the
 * row of a Parquet file sent as binary COPY (Postgres counts its rows as lines there).
 */
function badRow(error: { message: string; where?: string; code?: string }, path: string, unit = 'line'): DecError {
  const where = error.where ?? '';
  const line = /line (\d+)/.exec(where)?.[1];
  const column = /column (\w+)/.exec(where)?.[1];
  const at = line ? ` at ${unit} ${line}${column ? ` (column ${column})` : ''}` : '';
  return new DecError(`${path}${at}: ${error.message}.`, {
    hint: 'The table was left as it was. Fix or drop that row, or load the file with --table into a table of text columns.',
    exitCode: ExitCode.problems,
  });
}

/** A gzip file's text; a read error of the file ends the stream too (pipe() alone would drop it). */
function gunzipped(file: ReadStream): Transform {
  // 256 KB pieces rather than zlib's 16 KB: a fifth less CPU for dec's CSV encoder (csv-binary.ts).
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  file.on('error', (error) => gunzip.destroy(error));
  return file.pipe(gunzip);
}

/**
 * Loads files into one table in one transaction: all go into a staging table, which then replaces
 * the table (or is appended to it). A failure or Ctrl-C in any file leaves the table as it was, so
 * a table never holds some of the months asked for. Columns are matched by name, whatever their
 * case or order (the TLC's headers vary between years); a column one file lacks is NULL there.
 */
export async function loadFiles(paths: string[], options: LoadFilesOptions): Promise<LoadResult> {
  checkName(options.table);
  if (options.schema !== undefined) checkName(options.schema, 'schema');
  const inputs: Input[] = [];
  try {
    for (const path of paths) inputs.push(await inputOf(path));
    // By position (COPY's column list, Parquet's column order), so only the names change.
    if (options.lowercaseColumns)
      for (const input of inputs) input.columns = input.columns.map((c) => ({ ...c, name: c.name.toLowerCase() }));
    for (;;) {
      try {
        return await copyAll(inputs, options);
      } catch (error) {
        // Everything was rolled back: start again with the file as CSV text (no notice: nothing changes).
        if (error instanceof CsvAsText) {
          error.input.csvText = true;
          continue;
        }
        if (!(error instanceof DecimalsInWholeNumbers)) throw error;
        // An id column with "264.0" (a file written by pandas from a column with gaps): the course's
        // script makes such a column double precision too. Everything was rolled back; start again.
        retype(inputs, error.column, 'double precision');
        options.onNotice?.(
          `${error.column} holds decimals such as "${error.value}": loading it as double precision, as pandas does; starting over.`,
        );
      }
    }
  } finally {
    for (const input of inputs) await input.parquet?.close();
  }
}

/** A CSV file sent as binary COPY that must go as text instead (see copyFile): loadFiles starts over. */
class CsvAsText extends Error {
  constructor(readonly input: Input) {
    super(`${input.path} goes as CSV text`);
  }
}

/** A whole-number column met a value like "264.0": loadFiles retries with the column as double precision. */
class DecimalsInWholeNumbers extends Error {
  constructor(
    readonly column: string,
    readonly value: string,
  ) {
    super(`${column} holds decimals`);
  }
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** The column and value of a COPY error "invalid input syntax for type bigint", when the value is a number. */
function decimalsInWholeNumbers(error: {
  code?: string;
  message: string;
  where?: string;
}): DecimalsInWholeNumbers | undefined {
  if (error.code !== INVALID_TEXT || !/type bigint/.test(error.message)) return undefined;
  const found = /column ([^:]+): "(.*)"$/.exec(error.where ?? '');
  if (!found || !NUMBER.test(found[2]!)) return undefined;
  return new DecimalsInWholeNumbers(found[1]!, found[2]!);
}

function retype(inputs: Input[], column: string, type: ColumnType): void {
  const changed = inputs.flatMap((input) => input.columns).filter((c) => c.name.toLowerCase() === column.toLowerCase());
  if (changed.length === 0 || changed.every((c) => c.type === type)) throw new Error(`cannot retype column ${column}`);
  for (const c of changed) c.type = type;
}

type Client = import('pg').Client;

const LOCK_TIMEOUT_MS = 10_000;
const LOCK_NOT_AVAILABLE = '55P03';
const INVALID_TEXT = '22P02';

/** How long a COPY may go without Postgres taking any data before dec gives up on it. */
const COPY_STALL_MS = 60_000;

/** How long a ROLLBACK, and the goodbye to the server, may take before the connection is just cut. */
const CLOSE_WAIT_MS = 3_000;

function interrupted(committing: boolean, table: string): DecError {
  return new DecError(
    committing
      ? `Interrupted while Postgres was committing: ${table} holds either the new rows or the old ones; check it (SELECT count(*) FROM ${table}).`
      : 'Interrupted; the table was left as it was.',
    { exitCode: ExitCode.interrupted },
  );
}

/**
 * Cuts the connection: whatever Postgres is doing (a paused or hung server answers nothing, not even a
 * ROLLBACK), the open transaction ends with it, and Postgres rolls it back once it sees it gone.
 */
function cutConnection(client: Client): void {
  client.connection.stream.destroy();
}

/** Ends the connection politely when the server answers, and cuts it when it does not within `ms`. */
async function closeWithin(client: Client, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
  cutConnection(client);
}

/** `work`, or undefined when it takes longer than `ms` (or fails): for the best-effort ROLLBACK. */
async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Why the connection failed, with what to do: a refused login is not a stopped server. */
function connectError(error: unknown): DecError {
  const message = (error as Error).message;
  const code = errorCode(error);
  if (code === '28P01' || code === '28000') {
    return new DecError(`Postgres refused the login: ${message}.`, {
      hint: 'Check the user and password (in --db, or the ones dec setup week1 was given with --env).',
    });
  }
  if (code === '3D000') {
    return new DecError(`Cannot connect to Postgres: ${message}.`, {
      hint: 'Check the database name at the end of --db (dec setup week1 creates ny_taxi).',
    });
  }
  return new DecError(`Cannot connect to Postgres: ${message}`, {
    hint: 'Start it with `dec setup week1`, or pass --db postgresql://user:password@host:port/database.',
  });
}

async function connect(connectionString: string, signal: AbortSignal | undefined): Promise<Client> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  const cut = () => cutConnection(client);
  signal?.addEventListener('abort', cut, { once: true });
  try {
    await client.connect();
  } catch (error) {
    if (signal?.aborted) throw interrupted(false, '');
    throw connectError(error);
  } finally {
    signal?.removeEventListener('abort', cut);
  }
  return client;
}

/** Columns of a table by lower-cased name, to match headers whatever their case. */
class ColumnSet {
  readonly byKey = new Map<string, Column>();

  constructor(columns: Column[] = []) {
    for (const column of columns) this.add(column);
  }

  find(name: string): Column | undefined {
    return this.byKey.get(name.toLowerCase());
  }

  add(column: Column): void {
    if (!this.find(column.name)) this.byKey.set(column.name.toLowerCase(), column);
  }

  get all(): Column[] {
    return [...this.byKey.values()];
  }
}

function columnList(columns: Column[]): string {
  return columns.map((c) => quoteIdent(c.name)).join(', ');
}

/** Adds the columns `wanted` has and the table lacks; returns the table's names for `wanted`. */
async function addMissingColumns(client: Client, table: string, have: ColumnSet, wanted: Column[]): Promise<Column[]> {
  for (const column of wanted) {
    if (have.find(column.name)) continue;
    await client.query(`ALTER TABLE ${quoteIdent(table)} ADD COLUMN ${quoteIdent(column.name)} ${column.type}`);
    have.add(column);
  }
  return wanted.map((column) => have.find(column.name)!);
}

/**
 * A name for the staging table that no table has: short and random, never derived from the target's
 * name (Postgres cuts names at 63 bytes, so "<table>__suffix" can be the table itself). Only ever
 * created, never dropped when it exists: what is there is someone else's.
 */
async function freshStagingName(client: Client): Promise<string> {
  for (let tries = 0; tries < 5; tries++) {
    const name = `dec_staging_${randomBytes(8).toString('hex')}`;
    const { rows } = await client.query<{ taken: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = $1) AS taken',
      [name],
    );
    if (!rows[0]?.taken) return name;
  }
  throw new Error('could not find a free name for the staging table');
}

/** The table as messages name it. */
function shownTable(options: LoadFilesOptions): string {
  return options.schema === undefined ? options.table : `${options.schema}.${options.table}`;
}

/**
 * Makes the schema when missing (inside the load's transaction) and puts it alone on the search path,
 * so the staging table, the table and current_schema() below are all in it. True when it was made.
 */
async function enterSchema(client: Client, schema: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (!rowCount) await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
  return !rowCount;
}

async function copyAll(inputs: Input[], options: LoadFilesOptions): Promise<LoadResult> {
  const shown = shownTable(options);
  const client = await connect(options.connectionString, options.signal);
  let current = inputs[0]?.path ?? '';
  let committing = false;
  // Ctrl-C acts at once, whatever the server does: a query waiting on a paused Postgres would never return.
  const cut = () => cutConnection(client);
  options.signal?.addEventListener('abort', cut, { once: true });
  try {
    if (options.signal?.aborted) throw interrupted(false, shown);
    await client.query('BEGIN');
    // Replacing or appending needs the table's lock: a psql or pgAdmin session with an open
    // transaction on it would make the load wait forever without this.
    await client.query(`SET LOCAL lock_timeout = ${Math.round(options.lockTimeoutMs ?? LOCK_TIMEOUT_MS)}`);
    const createdSchema = options.schema === undefined ? undefined : await enterSchema(client, options.schema);
    const staging = await freshStagingName(client);
    const first = inputs[0]?.columns ?? [];
    await client.query(
      `CREATE TABLE ${quoteIdent(staging)} (${first.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`,
    );
    const stagingColumns = new ColumnSet(first);
    const files: LoadedFile[] = [];
    for (const input of inputs) {
      current = input.path;
      const targets = await addMissingColumns(client, staging, stagingColumns, input.columns);
      const rows = await copyFile(client, staging, targets, input, options);
      files.push({ path: input.path, rows, columns: input.columns });
    }
    await publish(client, staging, stagingColumns.all, options);
    committing = true;
    await client.query('COMMIT');
    return {
      table: shown,
      rows: files.reduce((sum, f) => sum + f.rows, 0),
      files,
      ...(createdSchema ? { createdSchema } : {}),
    };
  } catch (error) {
    if (options.signal?.aborted) throw interrupted(committing, shown);
    await settleWithin(client.query('ROLLBACK'), CLOSE_WAIT_MS);
    if (isDecError(error) || error instanceof DecimalsInWholeNumbers || error instanceof CsvAsText) throw error;
    const trouble = serverTrouble(error, shown, committing);
    if (trouble) throw trouble;
    const pgError = error as { message: string; code?: string };
    if (pgError.code === LOCK_NOT_AVAILABLE) {
      throw new DecError(`${shown} is in use by another session; nothing was loaded.`, {
        hint: 'Close the psql or pgAdmin session (or its open transaction) that uses it, then run the same command again.',
        exitCode: ExitCode.couldNotRun,
      });
    }
    throw new DecError(`Loading ${current} into ${shown} failed: ${pgError.message}`, {
      hint: 'The table was left as it was.',
      exitCode: pgError.code === '42804' || pgError.code === '42P01' ? ExitCode.problems : ExitCode.couldNotRun,
    });
  } finally {
    options.signal?.removeEventListener('abort', cut);
    await closeWithin(client, CLOSE_WAIT_MS);
  }
}

/** One file into the staging table with COPY, streaming; returns its row count. */
async function copyFile(
  client: Client,
  staging: string,
  targets: Column[],
  input: Input,
  options: LoadFilesOptions,
): Promise<number> {
  const { from: copyFrom } = await import('pg-copy-streams');
  const { path, parquet } = input;
  const types = targets.map((column) => column.type);
  // Parquet, and CSV, go as binary COPY when every column's values can be written as the staging
  // table's type (the TLC files' can), else as CSV text, which Postgres parses; rows are counted
  // where they are made (CSV text: estimated, see below).
  const produced: RowCount = { rows: 0 };
  // 256 KB pieces: each is encoded (csv-binary.ts) in about 2 ms, so Postgres is not left waiting.
  const file = parquet ? undefined : createReadStream(path, { highWaterMark: 256 * 1024 });
  const size = file ? statSync(path).size : 0;
  let binary = false;
  // CSV rows are estimated from the text sent and the line length of the first chunk; the last
  // report has Postgres's count.
  let csvText = false;
  let textBytes = 0;
  let linesPerByte: number | undefined;
  const rowsSent = () => (csvText ? Math.max(0, Math.floor(textBytes * (linesPerByte ?? 0)) - 1) : produced.rows);
  const fraction = () => {
    const done = file ? file.bytesRead / size : produced.rows / parquet!.rows;
    return Number.isFinite(done) ? Math.min(1, Math.max(0, done)) : 1;
  };
  // Postgres that takes no data for this long has stopped (a paused container keeps its socket open,
  // so nothing else would ever end the wait): the connection is cut, and the load rolled back.
  const stallMs = options.stallMs ?? COPY_STALL_MS;
  let stalled = false;
  let watchdog: NodeJS.Timeout | undefined;
  const rearm = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      stalled = true;
      cutConnection(client);
    }, stallMs);
  };
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      rearm();
      if (csvText) {
        linesPerByte ??= lineBreaks(chunk) / Math.max(1, chunk.length);
        textBytes += chunk.length;
      }
      options.onProgress?.({ path, rows: rowsSent(), fraction: fraction(), estimated: csvText });
      done(null, chunk);
    },
  });
  let copy: ReturnType<typeof copyFrom> | undefined;
  try {
    let source: Readable | AsyncIterable<Buffer>;
    if (parquet) {
      const rows = parquet.binary(types, produced);
      binary = rows !== undefined;
      source = Readable.from(rows ?? parquet.csv(produced));
    } else {
      const text = input.format === 'csv.gz' ? gunzipped(file!) : file!;
      const sent = await csvCopySource(text, input.csvText ? [] : types, produced);
      binary = sent.binary;
      csvText = !binary;
      source = sent.source;
    }
    const format = binary ? '(FORMAT binary)' : 'WITH (FORMAT csv, HEADER true)';
    copy = client.query(copyFrom(`COPY ${quoteIdent(staging)} (${columnList(targets)}) FROM STDIN ${format}`));
    rearm();
    await pipeline(source, counter, copy, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw interrupted(false, shownTable(options));
    if (stalled) {
      throw new DecError(`Postgres stopped answering during the load: it took no data for ${stallMs / 1000} s.`, {
        hint: `${shownTable(options)} was left as it was. Is its container paused (docker ps; docker unpause <name>) or the machine out of memory? Then run the same command again.`,
      });
    }
    if (error instanceof ParquetValueError) {
      if (error.decimals) throw new DecimalsInWholeNumbers(error.column, error.value);
      throw badRow({ message: error.message, where: `line ${error.row}, column ${error.column}` }, path, 'row');
    }
    if (error instanceof CsvDecimals) throw new DecimalsInWholeNumbers(targets[error.column]!.name, error.value);
    // A CSV file sent as binary met something only Postgres's CSV parser should judge (it says
    // where, as a line of the file): loadFiles starts over with the file as text.
    if (error instanceof NotBinary || (binary && !parquet && isBadValue(error))) throw new CsvAsText(input);
    if (isBadValue(error)) throw decimalsInWholeNumbers(error) ?? badRow(error, path, binary ? 'row' : 'line');
    // Postgres's other errors, and the connection's, are copyAll's to explain.
    if (fromServer(error) || serverTrouble(error, shownTable(options), false)) throw error;
    const mapped = gzipProblem(error, path) ?? fileSystemError(error, 'read', path, READ_HINT);
    throw mapped === error ? unreadable(path, error) : mapped;
  } finally {
    clearTimeout(watchdog);
    file?.destroy();
  }
  const rows = Number(copy?.rowCount ?? 0);
  options.onProgress?.({ path, rows, fraction: 1 });
  return rows;
}

/** Line breaks in a chunk (the first of a CSV file only, for the estimate). */
function lineBreaks(chunk: Buffer): number {
  let count = 0;
  for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) count++;
  return count;
}

const READ_HINT =
  'The table was left as it was. Check the file and its permissions (ls -l), then run the same command again.';

/** A file that failed while it was read, for a reason none of the above knows. */
function unreadable(path: string, error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  return new DecError(`Could not read ${path}: ${error.message}`, {
    hint: 'The table was left as it was. Is the file complete? Download or copy it again.',
  });
}

/** The staging table replaces the table, or its rows are added to it (columns matched by name). */
async function publish(client: Client, staging: string, columns: Column[], options: LoadFilesOptions): Promise<void> {
  const table = quoteIdent(options.table);
  if (options.mode === 'replace') {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.query(`ALTER TABLE ${quoteIdent(staging)} RENAME TO ${table}`);
    return;
  }
  await client.query(`CREATE TABLE IF NOT EXISTS ${table} (LIKE ${quoteIdent(staging)})`);
  const { rows } = await client.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    [options.table],
  );
  const existing = new ColumnSet(rows.map((row) => ({ name: row.name, type: 'text' as const })));
  const targets = await addMissingColumns(client, options.table, existing, columns);
  await client.query(
    `INSERT INTO ${table} (${columnList(targets)}) SELECT ${columnList(columns)} FROM ${quoteIdent(staging)}`,
  );
  await client.query(`DROP TABLE ${quoteIdent(staging)}`);
}
