// Parquet as binary COPY, against a real PostgreSQL: the same TLC-like rows written as CSV and as
// Parquet in each layout writers make (row groups of many sizes, dictionary pages, ~1 MB pages, one
// plain page per column) load into identical tables (EXCEPT ALL both ways is empty); a damaged page
// and a cut-off file give a clear error and leave the table as it was; values a column cannot hold
// are reported with their row and column.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteFile } from 'hyparquet-writer';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFiles } from '../../src/data/load.js';
import { openParquet } from '../../src/data/parquet.js';
import { isDecError } from '../../src/errors.js';
import { usePostgresWithFolder } from '../helpers/postgres-file.js';

const db = usePostgresWithFolder('dec-parquet-layouts-');
const dir = db.dir;

const load = (paths: string[], table: string, onNotice?: (text: string) => void) =>
  loadFiles(paths, { connectionString: db.postgres.connectionString, table, mode: 'replace', onNotice });

async function query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  return (await db.client.query(sql)).rows as T[];
}

async function count(table: string): Promise<number> {
  return Number((await query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
}

/** Rows in one table and not the other, both ways, duplicates counted. */
async function difference(a: string, b: string): Promise<number> {
  const [row] = await query<{ n: string }>(
    `SELECT count(*) AS n FROM ((SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b})
       UNION ALL (SELECT * FROM ${b} EXCEPT ALL SELECT * FROM ${a})) AS d`,
  );
  return Number(row!.n);
}

// ---------------------------------------------------------------------------------------------
// TLC-like rows: int64 ids, timestamps in microseconds (plain, not only dictionary), doubles (whole
// ones in passenger_count, as the TLC stores it), a string flag, nulls in most columns.

const N = 30_000;
const MICROS_2024 = 1_704_067_200_000_000n;

/** A small deterministic generator, so a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

interface Trips {
  VendorID: (bigint | null)[];
  tpep_pickup_datetime: (bigint | null)[];
  tpep_dropoff_datetime: (bigint | null)[];
  passenger_count: (number | null)[];
  trip_distance: (number | null)[];
  store_and_fwd_flag: (string | null)[];
  PULocationID: (bigint | null)[];
  fare_amount: (number | null)[];
  airport_fee: (number | null)[];
}

function trips(n: number): Trips {
  const next = random(14);
  const maybe = <T>(value: T, nulls = 0.02): T | null => (next() < nulls ? null : value);
  const pickups = Array.from({ length: n }, () => MICROS_2024 + BigInt(Math.floor(next() * 2_678_400_000_000)));
  return {
    VendorID: pickups.map(() => maybe(BigInt(1 + Math.floor(next() * 2)))),
    tpep_pickup_datetime: pickups.map((p) => maybe(p, 0.001)),
    tpep_dropoff_datetime: pickups.map((p) => maybe(p + BigInt(Math.floor(next() * 3_600_000_000)))),
    passenger_count: pickups.map(() => maybe(Math.floor(next() * 6), 0.05)),
    trip_distance: pickups.map(() => maybe(next() * 30)), // full-precision doubles
    store_and_fwd_flag: pickups.map(() => maybe(next() < 0.03 ? 'Y' : 'N', 0.05)),
    PULocationID: pickups.map(() => maybe(BigInt(1 + Math.floor(next() * 265)), 0)),
    fare_amount: pickups.map(() => maybe(Math.round(next() * 10_000) / 100 - 5)),
    airport_fee: pickups.map(() => maybe(next() < 0.1 ? 1.75 : 0, 0.3)),
  };
}

const SCHEMA = [
  { name: 'schema', num_children: 9 },
  { name: 'VendorID', type: 'INT64', repetition_type: 'OPTIONAL' },
  ...['tpep_pickup_datetime', 'tpep_dropoff_datetime'].map((name) => ({
    name,
    type: 'INT64',
    repetition_type: 'OPTIONAL',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' },
  })),
  { name: 'passenger_count', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  { name: 'trip_distance', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  { name: 'store_and_fwd_flag', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'PULocationID', type: 'INT64', repetition_type: 'OPTIONAL' },
  { name: 'fare_amount', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  { name: 'airport_fee', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
] as const;

interface Layout {
  rowGroupSize: number;
  pageSize: number;
  /** PLAIN for every column, or the writer's choice (dictionary where it pays). */
  plain: boolean;
}

function writeParquet(path: string, data: Trips, layout: Layout): void {
  parquetWriteFile({
    filename: path,
    schema: SCHEMA as never,
    columnData: Object.entries(data).map(([name, values]) => ({
      name,
      data: values as never,
      ...(layout.plain ? { encoding: 'PLAIN' as const } : {}),
    })),
    rowGroupSize: layout.rowGroupSize,
    pageSize: layout.pageSize,
  });
}

function timestampText(micros: bigint): string {
  const millis = micros / 1000n;
  const fraction = String(micros % 1_000_000n).padStart(6, '0');
  return `${new Date(Number(millis)).toISOString().slice(0, 19).replace('T', ' ')}.${fraction}`;
}

function writeCsv(path: string, data: Trips): void {
  const names = Object.keys(data) as (keyof Trips)[];
  const lines = [names.join(',')];
  for (let i = 0; i < N; i++) {
    lines.push(
      names
        .map((name) => {
          const value = data[name][i];
          if (value === null || value === undefined) return '';
          if (name.endsWith('datetime')) return timestampText(value as bigint);
          return String(value);
        })
        .join(','),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

const data = trips(N);
const LAYOUTS: Record<string, Layout> = {
  // Scaled down with the rows: what 128K-row groups and ~1 MB pages are to a month of trips.
  'many row groups': { rowGroupSize: 4096, pageSize: 1024 * 1024, plain: false },
  'one row group, dictionary pages': { rowGroupSize: N, pageSize: 64 * 1024 * 1024, plain: false },
  'one row group, small pages': { rowGroupSize: N, pageSize: 16 * 1024, plain: false },
  'one row group, one plain page per column': { rowGroupSize: N, pageSize: 64 * 1024 * 1024, plain: true },
};

describe('Parquet layouts: the same table as the CSV of the same rows', () => {
  const csv = join(dir, 'trips.csv');

  beforeAll(async () => {
    writeCsv(csv, data);
    await load([csv], 'from_csv');
  }, 60_000);

  it('the CSV load has every row', async () => {
    expect(await count('from_csv')).toBe(N);
  });

  it.each(Object.entries(LAYOUTS))('%s', async (name, layout) => {
    const path = join(dir, `${name.replace(/\W+/g, '-')}.parquet`);
    writeParquet(path, data, layout);
    // The file has the layout it is named for.
    const metadata = parquetMetadata(readFileSync(path).buffer);
    expect(metadata.row_groups).toHaveLength(Math.ceil(N / layout.rowGroupSize));
    const encodings = new Set(metadata.row_groups.flatMap((g) => g.columns.flatMap((c) => c.meta_data!.encodings)));
    expect(encodings.has('RLE_DICTIONARY')).toBe(!layout.plain);
    // It goes as binary COPY: every column has a binary writer for the course's type.
    const file = await openParquet(path);
    const types = ['bigint', 'timestamp', 'timestamp', 'bigint', 'double precision', 'text', 'bigint'];
    expect(file.binary([...types, 'double precision', 'double precision'] as never)).toBeDefined();
    await file.close();

    const table = `layout_${Object.keys(LAYOUTS).indexOf(name)}`;
    const result = await load([path], table);
    expect(result.rows).toBe(N);
    expect(await count(table)).toBe(N);
    expect(await difference('from_csv', table)).toBe(0);
  });
});

describe('Parquet values a column cannot hold, and broken files', () => {
  const small = (name: string, override: Partial<Trips>, n = 100): string => {
    const path = join(dir, name);
    const rows = Object.fromEntries(Object.entries(data).map(([key, values]) => [key, values.slice(0, n)])) as Trips;
    writeParquet(path, { ...rows, ...override }, { rowGroupSize: n, pageSize: 1024 * 1024, plain: true });
    return path;
  };

  it('decimals in passenger_count: loaded as double precision, as pandas does, with a notice', async () => {
    const passengers = data.passenger_count.slice(0, 100).map((v, i) => (i === 40 ? 1.5 : v));
    const path = small('decimals.parquet', { passenger_count: passengers });
    const notices: string[] = [];
    expect((await load([path], 'decimals', (text) => notices.push(text))).rows).toBe(100);
    expect(notices).toEqual([
      'passenger_count holds decimals such as "1.5": loading it as double precision, as pandas does; starting over.',
    ]);
    const [row] = await query<{ type: string; n: string }>(
      'SELECT pg_typeof(passenger_count)::text AS type, count(*) FILTER (WHERE passenger_count = 1.5) AS n FROM decimals GROUP BY 1',
    );
    expect(row).toEqual({ type: 'double precision', n: '1' });
  });

  it('NaN in passenger_count: the row and column, and the table as it was', async () => {
    await load([small('good.parquet', {})], 'kept');
    const passengers = data.passenger_count.slice(0, 100).map((v, i) => (i === 57 ? Number.NaN : v));
    const error = await load([small('nan.parquet', { passenger_count: passengers })], 'kept').catch((e: unknown) => e);
    expect(isDecError(error)).toBe(true);
    expect((error as Error).message).toMatch(/nan\.parquet at row 58 \(column passenger_count\): .*"NaN"/);
    expect(await count('kept')).toBe(100);
  });

  it('a string Postgres refuses (not UTF-8): the row and column from Postgres', async () => {
    const path = join(dir, 'latin1.parquet');
    parquetWriteFile({
      filename: path,
      columnData: [
        { name: 'PULocationID', type: 'INT64', data: [1n, 2n, 3n] },
        {
          name: 'store_and_fwd_flag',
          type: 'BYTE_ARRAY',
          data: [Buffer.from('N'), Buffer.from('caf\xe9', 'latin1'), Buffer.from('Y')],
          encoding: 'PLAIN',
        },
      ],
    });
    const error = await load([path], 'kept').catch((e: unknown) => e);
    expect(isDecError(error)).toBe(true);
    expect((error as Error).message).toMatch(/latin1\.parquet at row 2 \(column store_and_fwd_flag\): invalid byte/);
    expect(await count('kept')).toBe(100);
  });

  it('a cut-off file: names the file and how to get it again; the table as it was', async () => {
    const whole = readFileSync(join(dir, 'good.parquet'));
    const path = join(dir, 'cut.parquet');
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length * 0.7)));
    const error = await load([path], 'kept').catch((e: unknown) => e);
    expect(isDecError(error)).toBe(true);
    expect((error as Error).message).toMatch(/cut\.parquet is not a readable Parquet file/);
    expect((error as { hint?: string }).hint).toMatch(/dec data get/);
    expect(await count('kept')).toBe(100);
  });

  it('a damaged page (its header overwritten): a clear error naming the file, not made-up rows', async () => {
    const path = join(dir, 'damaged.parquet');
    const bytes = readFileSync(join(dir, 'good.parquet'));
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    const fare = metadata.row_groups[0]!.columns[7]!.meta_data!;
    const start = Number(fare.dictionary_page_offset ?? fare.data_page_offset);
    bytes.fill(0xff, start, start + 24);
    writeFileSync(path, bytes);
    const error = await load([path], 'kept').catch((e: unknown) => e);
    expect(isDecError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /Could not read .*damaged\.parquet: a page of column fare_amount cannot be read \(.*\); is the file damaged or cut off\?/,
    );
    expect(await count('kept')).toBe(100);
  });

  it('a damaged page body (Snappy data overwritten): a clear error naming the file', async () => {
    const path = join(dir, 'damaged-body.parquet');
    const rows = Object.fromEntries(Object.entries(data).map(([key, values]) => [key, values.slice(0, 2000)]));
    writeParquet(path, rows as unknown as Trips, { rowGroupSize: 2000, pageSize: 1024 * 1024, plain: true });
    const bytes = readFileSync(path);
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    const distance = metadata.row_groups[0]!.columns[4]!.meta_data!;
    const start = Number(distance.data_page_offset);
    const middle = start + Math.floor(Number(distance.total_compressed_size) / 2);
    bytes.fill(0xff, middle, middle + 64);
    writeFileSync(path, bytes);
    const error = await load([path], 'kept').catch((e: unknown) => e);
    expect(isDecError(error)).toBe(true);
    expect((error as Error).message).toMatch(/damaged-body\.parquet: a page of column trip_distance cannot be read/);
    expect(await count('kept')).toBe(100);
  });
});
