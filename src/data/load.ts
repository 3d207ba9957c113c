// Loads a CSV, CSV.gz or Parquet file into Postgres with COPY FROM STDIN, streaming (memory stays
// flat whatever the file size). The rows go into a staging table inside one transaction that then
// replaces (or appends to) the target, so a failed or interrupted load leaves the old table as it was.
import { createReadStream, openSync, readSync, closeSync, statSync, type ReadStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DecError, ExitCode } from '../errors.js';
import { columnType, courseColumnType, type Column } from './datasets.js';
import { openParquet, type ParquetFile } from './parquet.js';

export type FileFormat = 'csv' | 'csv.gz' | 'parquet';

export function formatOf(path: string): FileFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv.gz') || lower.endsWith('.gz')) return 'csv.gz';
  if (lower.endsWith('.parquet')) return 'parquet';
  if (lower.endsWith('.csv')) return 'csv';
  throw new DecError(`Cannot tell the format of ${path}.`, { hint: 'dec loads .csv, .csv.gz and .parquet files.' });
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function checkTableName(table: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) {
    throw new DecError(`"${table}" is not a table name dec accepts.`, {
      hint: 'Use letters, digits and _, e.g. --table yellow_taxi_trips.',
    });
  }
}

/** The header line of a CSV or CSV.gz file, without reading the rest. */
export async function csvHeader(path: string, format: 'csv' | 'csv.gz'): Promise<string[]> {
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
  if (columns.length === 0 || columns.some((c) => c === ''))
    throw new DecError(`${path} has no CSV header line.`, { hint: 'The first line must name the columns.' });
  return columns;
}

export interface LoadOptions {
  connectionString: string;
  table: string;
  mode: 'replace' | 'append';
  signal?: AbortSignal;
  /** Rows sent so far, and how much of the file that is (0 to 1). */
  onProgress?(progress: LoadProgress): void;
}

export interface LoadProgress {
  rows: number;
  fraction: number;
}

export interface LoadResult {
  table: string;
  rows: number;
  columns: Column[];
}

function badRow(error: { message: string; where?: string; code?: string }, path: string): DecError {
  const where = error.where ?? '';
  const line = /line (\d+)/.exec(where)?.[1];
  const column = /column (\w+)/.exec(where)?.[1];
  const at = line ? ` at line ${line}${column ? ` (column ${column})` : ''}` : '';
  return new DecError(`${path}${at}: ${error.message}.`, {
    hint: 'The table was left as it was. Fix or drop that row, or load the file with --table into a table of text columns.',
    exitCode: ExitCode.problems,
  });
}

/** A gzip file's text; a read error of the file ends the stream too (pipe() alone would drop it). */
function gunzipped(file: ReadStream): Transform {
  const gunzip = createGunzip();
  file.on('error', (error) => gunzip.destroy(error));
  return file.pipe(gunzip);
}

export async function loadFile(path: string, options: LoadOptions): Promise<LoadResult> {
  checkTableName(options.table);
  const format = formatOf(path);
  const parquet = format === 'parquet' ? await openParquet(path) : undefined;
  try {
    return await copyInto(path, format, parquet, options);
  } finally {
    await parquet?.close();
  }
}

async function copyInto(
  path: string,
  format: FileFormat,
  parquet: ParquetFile | undefined,
  options: LoadOptions,
): Promise<LoadResult> {
  const columns: Column[] = parquet
    ? parquet.columns.map(({ name, type }) => ({ name, type: courseColumnType(name) ?? type }))
    : (await csvHeader(path, format as 'csv' | 'csv.gz')).map((name) => ({ name, type: columnType(name) }));
  const staging = `${options.table}__dec_load`;
  const { default: pg } = await import('pg');
  const { from: copyFrom } = await import('pg-copy-streams');
  const client = new pg.Client({ connectionString: options.connectionString, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new DecError(`Cannot connect to Postgres: ${(error as Error).message}`, {
      hint: 'Start it with `dec setup week1`, or pass --db postgresql://user:password@host:port/database.',
    });
  }
  try {
    await client.query('BEGIN');
    await client.query(`DROP TABLE IF EXISTS ${quoteIdent(staging)}`);
    await client.query(
      `CREATE TABLE ${quoteIdent(staging)} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`,
    );
    const copy = client.query(copyFrom(`COPY ${quoteIdent(staging)} FROM STDIN WITH (FORMAT csv, HEADER true)`));
    const file = parquet ? undefined : createReadStream(path, { highWaterMark: 1024 * 1024 });
    const size = file ? statSync(path).size : 0;
    let lines = 0;
    const fraction = () => {
      const done = file ? file.bytesRead / size : (lines - 1) / parquet!.rows;
      return Number.isFinite(done) ? Math.min(1, Math.max(0, done)) : 1;
    };
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
        options.onProgress?.({ rows: Math.max(0, lines - 1), fraction: fraction() });
        done(null, chunk);
      },
    });
    const source = parquet ? Readable.from(parquet.csv()) : format === 'csv.gz' ? gunzipped(file!) : file!;
    try {
      await pipeline(source, counter, copy, { signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted)
        throw new DecError('Interrupted; the table was left as it was.', { exitCode: ExitCode.interrupted });
      const pgError = error as { message: string; where?: string; code?: string };
      if (pgError.code) throw badRow(pgError, path);
      throw new DecError(`Could not read ${path}: ${pgError.message}`, {
        hint: 'Is the file complete? Download it again with dec data get.',
      });
    }
    const rows = Number(copy.rowCount ?? 0);
    if (options.mode === 'replace') {
      await client.query(`DROP TABLE IF EXISTS ${quoteIdent(options.table)}`);
      await client.query(`ALTER TABLE ${quoteIdent(staging)} RENAME TO ${quoteIdent(options.table)}`);
    } else {
      await client.query(`CREATE TABLE IF NOT EXISTS ${quoteIdent(options.table)} (LIKE ${quoteIdent(staging)})`);
      await client.query(`INSERT INTO ${quoteIdent(options.table)} SELECT * FROM ${quoteIdent(staging)}`);
      await client.query(`DROP TABLE ${quoteIdent(staging)}`);
    }
    await client.query('COMMIT');
    return { table: options.table, rows, columns };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof DecError) throw error;
    const pgError = error as { message: string; code?: string };
    throw new DecError(`Loading ${path} into ${options.table} failed: ${pgError.message}`, {
      hint: 'The table was left as it was.',
      exitCode: pgError.code === '42804' || pgError.code === '42P01' ? ExitCode.problems : ExitCode.couldNotRun,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}
