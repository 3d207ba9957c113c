// dec data end to end: synthetic samples, CSV, CSV.gz and Parquet loaded into a real PostgreSQL with the
// course's column types, a malformed row, an interrupted load, --append and --replace, and `dec data get`
// against a loopback HTTP server this test runs (never another address).
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { parquetWriteFile } from 'hyparquet-writer';
import pg from 'pg';
import lockfile from 'proper-lockfile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFiles, type LoadProgress } from '../../src/data/load.js';
import { runUnprivileged } from '../helpers/docker.js';
import { startPostgres } from '../helpers/postgres.js';
import { useTestPostgres } from '../helpers/postgres-file.js';
import { DEC_BIN, runDec, useSandbox, writeDatasetSyllabus, type RunResult } from '../helpers/run.js';
import { sendSlowly } from '../helpers/http.js';

const box = useSandbox();

const server = useTestPostgres({ user: 'root', password: 'root', database: 'ny_taxi', statementTimeoutMs: 20_000 });
let db = '';
beforeAll(() => {
  db = `postgresql://root:root@127.0.0.1:${server.postgres.port}/ny_taxi`;
});

const dec = (args: string[], timeoutMs = 60_000): Promise<RunResult> =>
  runDec(args, { cwd: box.cwd, env: box.sandbox.env, timeoutMs });

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await server.client.query(sql, params)).rows as T[];
}

async function count(table: string): Promise<number> {
  const [row] = await rows<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`);
  return Number(row!.n);
}

async function columns(table: string): Promise<Array<[string, string]>> {
  const found = await rows<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return found.map((c) => [c.column_name, c.data_type]);
}

async function exists(table: string): Promise<boolean> {
  const [row] = await rows<{ oid: string | null }>('SELECT to_regclass($1)::text AS oid', [`public.${table}`]);
  return row!.oid !== null;
}

/** Staging tables a load left behind (there must be none). */
async function stagingTables(): Promise<string[]> {
  const found = await rows<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'dec\\_staging%'",
  );
  return found.map((row) => row.name);
}

/** The yellow table as the course's pandas script makes it. */
const TS = 'timestamp without time zone';
const FLOAT = 'double precision';
const YELLOW_LAYOUT: Array<[string, string]> = [
  ['VendorID', 'bigint'],
  ['tpep_pickup_datetime', TS],
  ['tpep_dropoff_datetime', TS],
  ['passenger_count', 'bigint'],
  ['trip_distance', FLOAT],
  ['RatecodeID', 'bigint'],
  ['store_and_fwd_flag', 'text'],
  ['PULocationID', 'bigint'],
  ['DOLocationID', 'bigint'],
  ['payment_type', 'bigint'],
  ['fare_amount', FLOAT],
  ['extra', FLOAT],
  ['mta_tax', FLOAT],
  ['tip_amount', FLOAT],
  ['tolls_amount', FLOAT],
  ['improvement_surcharge', FLOAT],
  ['total_amount', FLOAT],
  ['congestion_surcharge', FLOAT],
];

async function sample(rowCount: number, name: string): Promise<string> {
  const out = join(box.cwd, name);
  const result = await dec(['data', 'sample', '--rows', String(rowCount), '--out', out], 120_000);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/SYNTHETIC/);
  return out;
}

/** A Parquet file of `n` rows: an INT64 id column and a DOUBLE amount column, in row groups of `rowGroup`. */
function numbersParquet(name: string, n: number, rowGroup: number, [id, amount]: [string, string]): string {
  const path = join(box.cwd, name);
  parquetWriteFile({
    filename: path,
    columnData: [
      { name: id, type: 'INT64', data: Array.from({ length: n }, (_, i) => BigInt(i % 265)) },
      { name: amount, type: 'DOUBLE', data: Array.from({ length: n }, (_, i) => i / 7) },
    ],
    rowGroupSize: rowGroup,
  });
  return path;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs dec, waits (bounded) until `underWay()` says the work has started, lets it go on for `settleMs`,
 * then sends SIGINT and waits (bounded) for it to end. Never leaves the process running.
 */
async function interruptDec(
  args: string[],
  underWay: () => Promise<boolean> | boolean,
  settleMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [DEC_BIN, ...args], {
    cwd: box.cwd,
    env: box.sandbox.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  try {
    const deadline = Date.now() + 20_000;
    let started = false;
    while (!(started = await underWay()) && !done && Date.now() < deadline) await pause(25);
    expect(started, `dec never got under way: ${stderr}`).toBe(true);
    await pause(settleMs);
    expect(done, `dec ended before it was interrupted: ${stderr}`).toBe(false);
    child.kill('SIGINT');
    const outcome = await Promise.race([exited, pause(20_000).then(() => 'timeout' as const)]);
    expect(outcome, 'dec did not stop within 20 s of SIGINT').not.toBe('timeout');
    return { ...(outcome as { code: number | null; signal: NodeJS.Signals | null }), stderr };
  } finally {
    if (!done) child.kill('SIGKILL');
    await Promise.race([exited, pause(5_000)]);
  }
}

async function load(file: string, table: string, ...extra: string[]): Promise<RunResult> {
  return dec(['data', 'load', '--file', file, '--table', table, '--db', db, ...extra]);
}

describe('dec data load', () => {
  it.each(['s.csv', 's.csv.gz'])('loads a synthetic %s with the course column types', async (name) => {
    const file = await sample(5000, name);
    const result = await load(file, 'yellow_taxi_trips');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`5,000 rows from ${name} into yellow_taxi_trips`);
    expect(await count('yellow_taxi_trips')).toBe(5000);
    expect(await columns('yellow_taxi_trips')).toEqual(YELLOW_LAYOUT);
    expect(await stagingTables()).toEqual([]);
    const [stats] = await rows<{ first: string; nulls: string; vendors: string }>(
      `SELECT to_char(min(tpep_pickup_datetime), 'YYYY-MM') AS first,
              count(*) FILTER (WHERE passenger_count IS NULL) AS nulls,
              count(DISTINCT "VendorID") AS vendors
         FROM yellow_taxi_trips`,
    );
    expect(stats!.first).toBe('2021-01');
    // The sample leaves ~2 % of passenger counts empty, as the real files do: they load as NULL.
    expect(Number(stats!.nulls)).toBeGreaterThan(0);
    expect(Number(stats!.vendors)).toBe(2);
  });

  it('one row is "1 row"; a header with an unnamed column says which (not "no CSV header line")', async () => {
    const one = join(box.cwd, 'one.csv');
    writeFileSync(one, 'a,b\n1,2\n');
    const loaded = await load(one, 'one_row');
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.stdout).toContain('1 row from one.csv into one_row');
    const trailing = join(box.cwd, 'trailing.csv');
    writeFileSync(trailing, 'a,b,\n1,2,\n');
    const refused = await load(trailing, 'one_row');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${trailing}: column 3 of the header line has no name.`);
  });

  it('reports the load as JSON', async () => {
    const file = await sample(300, 'j.csv');
    const result = await load(file, 'json_trips', '--json');
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as { table: string; loads: Array<{ rows: number; columns: unknown[] }> };
    expect(doc.table).toBe('json_trips');
    expect(doc.loads).toHaveLength(1);
    expect(doc.loads[0]!.rows).toBe(300);
    expect(doc.loads[0]!.columns).toHaveLength(YELLOW_LAYOUT.length);
  });

  it('adds with --append and starts over with --replace', async () => {
    const file = await sample(1000, 'a.csv');
    expect((await load(file, 'trips_ar')).code).toBe(0);
    expect(await count('trips_ar')).toBe(1000);
    const appended = await load(file, 'trips_ar', '--append');
    expect(appended.code, appended.stderr).toBe(0);
    expect(await count('trips_ar')).toBe(2000);
    const replaced = await load(file, 'trips_ar', '--replace');
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(await count('trips_ar')).toBe(1000);
    expect(await columns('trips_ar')).toEqual(YELLOW_LAYOUT);
    expect(await stagingTables()).toEqual([]);
  });

  it('a 63-character table name survives --append and --replace; a user table named like a staging table too', async () => {
    // Postgres cuts names at 63 bytes: a staging name made by appending to the table's name was the
    // table's own name, and the load dropped the table while reporting success.
    const table = `long_${'x'.repeat(58)}`;
    expect(table).toHaveLength(63);
    const file = await sample(100, 'long.csv');
    const first = await load(file, table);
    expect(first.code, first.stderr).toBe(0);
    expect(await count(table)).toBe(100);
    const appended = await load(file, table, '--append');
    expect(appended.code, appended.stderr).toBe(0);
    expect(await exists(table)).toBe(true);
    expect(await count(table)).toBe(200);
    const replaced = await load(file, table, '--replace');
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(await exists(table)).toBe(true);
    expect(await count(table)).toBe(100);
    expect(await columns(table)).toEqual(YELLOW_LAYOUT);

    // A student's own table with the name the old staging scheme used is never dropped or filled.
    await server.client.query('CREATE TABLE "mine__dec_load" (note text)');
    await server.client.query('INSERT INTO "mine__dec_load" VALUES (\'keep me\')');
    for (const mode of ['--replace', '--append']) {
      const result = await load(file, 'mine', mode);
      expect(result.code, result.stderr).toBe(0);
    }
    expect(await count('mine')).toBe(200);
    expect(await rows('SELECT note FROM "mine__dec_load"')).toEqual([{ note: 'keep me' }]);
    expect(await stagingTables()).toEqual([]);
  });

  it('stops at a malformed row, names its line and column, and leaves the table as it was', async () => {
    const good = await sample(200, 'good.csv');
    expect((await load(good, 'yellow_taxi_trips')).code).toBe(0);
    const before = await count('yellow_taxi_trips');
    expect(before).toBe(200);

    const lines = readFileSync(good, 'utf8').split('\n');
    // Header is line 1, so the 4th data line is line 5 of the file.
    lines[4] = lines[4]!.replace(/^\d+,/, 'abc,');
    const bad = join(box.cwd, 'bad.csv');
    writeFileSync(bad, lines.join('\n'));

    const result = await load(bad, 'yellow_taxi_trips');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('line 5');
    expect(result.stderr).toContain('VendorID');
    expect(result.stderr).toContain('abc');
    expect(result.stderr).toMatch(/left as it was/);
    expect(await count('yellow_taxi_trips')).toBe(before);
    expect(await columns('yellow_taxi_trips')).toEqual(YELLOW_LAYOUT);
    expect(await stagingTables()).toEqual([]);
  });

  it('leaves the previous table intact when a load is interrupted', async () => {
    const small = await sample(1000, 'small.csv');
    expect((await load(small, 'yellow_taxi_trips')).code).toBe(0);
    const before = await count('yellow_taxi_trips');
    const big = await sample(2_000_000, 'big.csv');

    // Once the COPY is under way, let it stream for ~300 ms.
    const copying = async () => {
      const [row] = await rows<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE query ILIKE 'COPY %' AND state = 'active'",
      );
      return Number(row!.n) > 0;
    };
    const { code, signal, stderr } = await interruptDec(
      ['data', 'load', '--file', big, '--table', 'yellow_taxi_trips', '--db', db],
      copying,
      300,
    );
    expect(code === 130 || signal === 'SIGINT', `exit ${code} ${signal}: ${stderr}`).toBe(true);
    if (code === 130) expect(stderr).toMatch(/Interrupted; the table was left as it was/);
    expect(stderr).not.toMatch(/Warning/);
    expect(await count('yellow_taxi_trips')).toBe(before);
    expect(await columns('yellow_taxi_trips')).toEqual(YELLOW_LAYOUT);
    expect(await stagingTables()).toEqual([]);
    // And the table is usable: the next load replaces it as usual.
    expect((await load(small, 'yellow_taxi_trips')).code).toBe(0);
    expect(await count('yellow_taxi_trips')).toBe(1000);
  }, 180_000);

  it('loads Parquet in the yellow layout: row count, timestamps and nulls round-trip', async () => {
    const n = 300;
    const base = Date.parse('2021-01-01T00:00:00Z');
    const pickups = Array.from({ length: n }, (_, i) => new Date(base + i * 61_001));
    const file = join(box.cwd, 'x.parquet');
    parquetWriteFile({
      filename: file,
      columnData: [
        { name: 'VendorID', data: Array.from({ length: n }, (_, i) => BigInt(1 + (i % 2))), type: 'INT64' },
        { name: 'tpep_pickup_datetime', data: pickups, type: 'TIMESTAMP' },
        {
          name: 'tpep_dropoff_datetime',
          data: pickups.map((d) => new Date(d.getTime() + 600_000)),
          type: 'TIMESTAMP',
        },
        // As in the TLC files: a double, with a null.
        {
          name: 'passenger_count',
          data: Array.from({ length: n }, (_, i) => (i === 7 ? null : 1 + (i % 3))),
          type: 'DOUBLE',
        },
        { name: 'trip_distance', data: Array.from({ length: n }, (_, i) => i / 10), type: 'DOUBLE' },
        { name: 'RatecodeID', data: Array.from({ length: n }, () => 1), type: 'DOUBLE' },
        {
          name: 'store_and_fwd_flag',
          data: Array.from({ length: n }, (_, i) => (i % 50 === 0 ? 'Y' : 'N')),
          type: 'STRING',
        },
        { name: 'PULocationID', data: Array.from({ length: n }, (_, i) => 1 + (i % 265)), type: 'INT32' },
        { name: 'DOLocationID', data: Array.from({ length: n }, (_, i) => 265 - (i % 265)), type: 'INT32' },
        { name: 'payment_type', data: Array.from({ length: n }, () => BigInt(1)), type: 'INT64' },
        { name: 'fare_amount', data: Array.from({ length: n }, (_, i) => i + 0.5), type: 'DOUBLE' },
        { name: 'extra', data: Array.from({ length: n }, () => 0.5), type: 'DOUBLE' },
        { name: 'mta_tax', data: Array.from({ length: n }, () => 0.5), type: 'DOUBLE' },
        { name: 'tip_amount', data: Array.from({ length: n }, () => 0), type: 'DOUBLE' },
        { name: 'tolls_amount', data: Array.from({ length: n }, () => 0), type: 'DOUBLE' },
        { name: 'improvement_surcharge', data: Array.from({ length: n }, () => 0.3), type: 'DOUBLE' },
        { name: 'total_amount', data: Array.from({ length: n }, (_, i) => i + 4.3), type: 'DOUBLE' },
        { name: 'congestion_surcharge', data: Array.from({ length: n }, () => 2.5), type: 'DOUBLE' },
      ],
    });
    const result = await load(file, 'p');
    expect(result.code, result.stderr).toBe(0);
    expect(await count('p')).toBe(n);
    expect(await columns('p')).toEqual(YELLOW_LAYOUT);
    const loaded = await rows<{ pickup: string; dropoff: string; passengers: string | null; flag: string }>(
      `SELECT to_char(tpep_pickup_datetime, 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS pickup,
              to_char(tpep_dropoff_datetime, 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS dropoff,
              passenger_count::text AS passengers, store_and_fwd_flag AS flag
         FROM p ORDER BY fare_amount`,
    );
    expect(loaded.map((r) => r.pickup)).toEqual(pickups.map((d) => d.toISOString().slice(0, 23)));
    expect(loaded[1]!.dropoff).toBe(new Date(pickups[1]!.getTime() + 600_000).toISOString().slice(0, 23));
    expect(loaded[7]!.passengers).toBeNull();
    expect(loaded.filter((r) => r.passengers === null)).toHaveLength(1);
    expect(loaded[8]!.passengers).toBe('3');
    expect(loaded[50]!.flag).toBe('Y');
  });

  it('reports progress as rows and a share of the file that only grows, for CSV, CSV.gz and Parquet', async () => {
    const csv = await sample(40_000, 'progress.csv');
    const gz = await sample(40_000, 'progress.csv.gz');
    const parquet = numbersParquet('progress.parquet', 40_000, 10_000, ['VendorID', 'trip_distance']);
    for (const path of [csv, gz, parquet]) {
      const seen: LoadProgress[] = [];
      const result = await loadFiles([path], {
        connectionString: db,
        table: 'progress_check',
        mode: 'replace',
        onProgress: (progress) => seen.push(progress),
      });
      expect(result.rows).toBe(40_000);
      expect(seen.length, path).toBeGreaterThan(1);
      // Rows are counted where they are made (CSV and Parquet alike go as binary COPY here; CSV sent
      // as text would give estimates, data-csv-binary.test.ts); they only grow, and the last report
      // is Postgres's exact count.
      const sending = seen.slice(0, -1);
      expect(
        sending.every((p) => !p.estimated),
        path,
      ).toBe(true);
      for (let i = 1; i < seen.length; i++) {
        if (i < sending.length) expect(seen[i]!.rows).toBeGreaterThanOrEqual(seen[i - 1]!.rows);
        expect(seen[i]!.fraction).toBeGreaterThanOrEqual(seen[i - 1]!.fraction);
      }
      expect(sending.at(-1)!.rows).toBeGreaterThan(40_000 * 0.9);
      expect(sending.at(-1)!.rows).toBeLessThan(40_000 * 1.1);
      expect(seen.at(-1)!.estimated).toBeFalsy();
      expect(seen.at(-1)!.rows).toBe(40_000);
      expect(seen.at(-1)!.fraction).toBeCloseTo(1, 1);
      expect(seen.every((p) => p.fraction >= 0 && p.fraction <= 1)).toBe(true);
    }
  });

  it('loads Parquet other tools wrote (pages v1 with nulls, ZSTD, LZ4) and refuses a nested one with exit 2', async () => {
    const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/parquet/${name}`, import.meta.url));
    // issue90: 6,144 doubles in DATA_PAGE v1 pages, 610 of them null.
    const plain = await load(fixture('issue90.parquet'), 'from_v1_pages');
    expect(plain.code, plain.stderr).toBe(0);
    expect(await count('from_v1_pages')).toBe(6144);
    // Columns the course's files do not have get the type their Parquet type stands for.
    expect((await columns('from_v1_pages')).map(([, type]) => type)).toContain('double precision');
    expect((await columns('from_v1_pages')).map(([, type]) => type)).not.toContain('text');
    const [nulls] = await rows<{ n: string }>(
      `SELECT count(*) AS n FROM from_v1_pages WHERE ${(await columns('from_v1_pages'))
        .map(([name]) => `"${name}" IS NULL`)
        .join(' OR ')}`,
    );
    expect(Number(nulls!.n)).toBeGreaterThan(0);
    for (const name of ['byte_stream_split.zstd.parquet', 'lz4_raw_compressed.parquet']) {
      const result = await load(fixture(name), 'other_codec');
      expect(result.code, result.stderr).toBe(0);
      expect(await count('other_codec')).toBeGreaterThan(0);
    }
    // The ZSTD file's float32 column: REAL, and its values the file's float32 values.
    await load(fixture('byte_stream_split.zstd.parquet'), 'floats');
    const [first] = await rows<{ f32: string; type: string }>(
      'SELECT f32::text AS f32, pg_typeof(f32)::text AS type FROM floats LIMIT 1',
    );
    const [expected] = (await parquetReadObjects({
      file: await asyncBufferFromFile(fixture('byte_stream_split.zstd.parquet')),
      compressors,
      rowEnd: 1,
    })) as Array<{ f32: number }>;
    expect(first!.type).toBe('real');
    expect(Math.fround(Number(first!.f32))).toBe(expected!.f32);
    const nested = await load(fixture('nullable.impala.parquet'), 'nested');
    expect(nested.code).toBe(2);
    expect(nested.stderr).toMatch(/is nested \(a list, map or struct\)/);
    expect(nested.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await exists('nested')).toBe(false);
  });

  // The real files come from ../shared, which is not part of the repository: the suite must pass without it.
  const shared = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
  const realSample = join(shared, 'yellow_tripdata_2020-07_sample.csv');
  const zonesCsv = join(shared, 'taxi_zone_lookup.csv');
  describe.skipIf(!existsSync(realSample) || !existsSync(zonesCsv))('the real files in ../shared/data', () => {
    it('loads the real yellow sample with the course column types', async () => {
      const expected =
        readFileSync(realSample, 'utf8')
          .split(/\r?\n/)
          .filter((line) => line !== '').length - 1;
      const result = await load(realSample, 'yellow_real');
      expect(result.code, result.stderr).toBe(0);
      expect(await count('yellow_real')).toBe(expected);
      expect(await columns('yellow_real')).toEqual(YELLOW_LAYOUT);
      // The first data line, value by value (the real files hold a few stray months, so no min/max check).
      const [header, line] = readFileSync(realSample, 'utf8').split(/\r?\n/);
      const first = Object.fromEntries(header!.split(',').map((name, i) => [name, line!.split(',')[i]]));
      const [match] = await rows<{ n: string }>(
        `SELECT count(*) AS n FROM yellow_real
          WHERE tpep_pickup_datetime = $1::timestamp AND tpep_dropoff_datetime = $2::timestamp
            AND trip_distance = $3::double precision AND "PULocationID" = $4::bigint AND total_amount = $5::double precision`,
        [
          first.tpep_pickup_datetime,
          first.tpep_dropoff_datetime,
          first.trip_distance,
          first.PULocationID,
          first.total_amount,
        ],
      );
      expect(Number(match!.n)).toBeGreaterThanOrEqual(1);
      const [july] = await rows<{ n: string }>(
        "SELECT count(*) AS n FROM yellow_real WHERE to_char(tpep_pickup_datetime, 'YYYY-MM') = '2020-07'",
      );
      expect(Number(july!.n)).toBeGreaterThan(expected / 2);
    });

    it('loads the zone lookup as zones with 265 rows', async () => {
      const result = await dec(['data', 'load', 'zones', '--file', zonesCsv, '--db', db]);
      expect(result.code, result.stderr).toBe(0);
      expect(await count('zones')).toBe(265);
      const types = Object.fromEntries((await columns('zones')).map(([name, type]) => [name.toLowerCase(), type]));
      expect(types).toEqual({ locationid: 'bigint', borough: 'text', zone: 'text', service_zone: 'text' });
    });
  });
});

describe('dec data get', () => {
  let server: Server | undefined;
  let port = 0;
  let served = Buffer.alloc(0);
  let servedLater: Buffer | undefined;
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const body =
        req.url === '/yellow_tripdata_2021-01.csv.gz'
          ? served
          : req.url === '/yellow_tripdata_2021-03.csv.gz'
            ? servedLater
            : undefined;
      if (body) {
        res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
        res.end(body);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('Not Found');
      }
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(0, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
  });

  const syllabus = () => writeDatasetSyllabus(join(box.sandbox.root, 'data-syllabus.yaml'), `http://127.0.0.1:${port}`);

  it('downloads into the cache once, lists it, names a missing month, and loads it', async () => {
    served = readFileSync(await sample(1000, 'served.csv.gz'));
    const fixture = syllabus();
    const cached = join(box.sandbox.decHome, 'cache', 'datasets', 'yellow_tripdata_2021-01.csv.gz');
    requests.length = 0;

    const first = await dec(['data', 'get', 'yellow', '2021-01', '--syllabus', fixture]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(cached);
    expect(readFileSync(cached).equals(served)).toBe(true);
    expect(existsSync(`${cached}.part`)).toBe(false);
    expect(requests).toEqual(['/yellow_tripdata_2021-01.csv.gz']);

    const again = await dec(['data', 'get', 'yellow', '2021-01', '--syllabus', fixture]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('yellow_tripdata_2021-01.csv.gz: already downloaded');
    expect(requests).toHaveLength(1);

    const list = await dec(['data', 'list', '--syllabus', fixture, '--json']);
    expect(list.code, list.stderr).toBe(0);
    const doc = JSON.parse(list.stdout) as {
      datasets: Array<{ name: string; mirror: string; table: string; downloaded: string[] }>;
    };
    expect(doc.datasets).toEqual([
      expect.objectContaining({
        name: 'yellow',
        mirror: `http://127.0.0.1:${port}/yellow_tripdata_{month}.csv.gz`,
        table: 'yellow_taxi_trips',
        downloaded: ['yellow_tripdata_2021-01.csv.gz'],
      }),
    ]);

    const missing = await dec(['data', 'get', 'yellow', '2021-02', '--syllabus', fixture]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`http://127.0.0.1:${port}/yellow_tripdata_2021-02.csv.gz`);
    expect(missing.stderr).toContain('404');
    // The mirror answered: "use --source mirror (the default)" would send the student in a circle.
    expect(missing.stderr).not.toMatch(/use --source mirror/);
    expect(missing.stderr).toContain('--source tlc');
    expect(requests).toHaveLength(2);
    expect(existsSync(join(box.sandbox.decHome, 'cache', 'datasets', 'yellow_tripdata_2021-02.csv.gz'))).toBe(false);

    const loaded = await dec(['data', 'load', 'yellow', '2021-01', '--syllabus', fixture, '--db', db]);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.stdout).toContain('1,000 rows from yellow_tripdata_2021-01.csv.gz into yellow_taxi_trips');
    expect(await count('yellow_taxi_trips')).toBe(1000);
    expect(await columns('yellow_taxi_trips')).toEqual(YELLOW_LAYOUT);
    // Loaded from the cache: no new download.
    expect(requests).toHaveLength(2);
  });

  it('loads several months in one transaction: all of them, or (a month missing) none', async () => {
    served = readFileSync(await sample(1000, 'served.csv.gz'));
    servedLater = readFileSync(await sample(700, 'later.csv.gz'));
    const fixture = syllabus();
    const both = await dec(['data', 'load', 'yellow', '2021-01', '2021-03', '--syllabus', fixture, '--db', db]);
    expect(both.code, both.stderr).toBe(0);
    expect(both.stdout).toContain('700 rows from yellow_tripdata_2021-03.csv.gz into yellow_taxi_trips');
    expect(both.stdout).toContain('1,700 rows in all, in one transaction');
    expect(await count('yellow_taxi_trips')).toBe(1700);
    // 2021-02 is not on the server: nothing is loaded, the table keeps its 1,700 rows.
    const gap = await dec(['data', 'load', 'yellow', '2021-01..2021-03', '--syllabus', fixture, '--db', db]);
    expect(gap.code).toBe(2);
    expect(gap.stderr).toContain('404');
    expect(await count('yellow_taxi_trips')).toBe(1700);
  });
});

describe('dec data get: two at once', () => {
  it('two dec data get of the same month at once: one download, a whole file, the second says it waited', async () => {
    const body = readFileSync(await sample(20_000, 'slow.csv.gz'));
    let requests = 0;
    const slow = createServer((_req, res) => {
      requests++;
      // About a second in 10 pieces, so the two runs overlap.
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
      sendSlowly(res, body, 10, 100);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', () => resolve()));
    try {
      const fixture = writeDatasetSyllabus(
        join(box.sandbox.root, 'slow-syllabus.yaml'),
        `http://127.0.0.1:${(slow.address() as AddressInfo).port}`,
      );
      const args = ['data', 'get', 'yellow', '2021-05', '--syllabus', fixture];
      const [a, b] = await Promise.all([dec(args), dec(args)]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      expect(requests).toBe(1);
      expect(`${a.stderr}${b.stderr}`).toContain('another dec is downloading this file: waiting for it to finish');
      const folder = join(box.sandbox.decHome, 'cache', 'datasets');
      expect(readFileSync(join(folder, 'yellow_tripdata_2021-05.csv.gz')).equals(body)).toBe(true);
      expect(readdirSync(folder).filter((f) => f.startsWith('yellow_tripdata_2021-05'))).toEqual([
        'yellow_tripdata_2021-05.csv.gz',
      ]);
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  }, 60_000);
});

describe('dec data get: Ctrl-C', () => {
  it('Ctrl-C during a download: exit 130 with a line saying what is kept, and the next get resumes', async () => {
    const body = readFileSync(await sample(200_000, 'interrupted.csv.gz'));
    const ranges: Array<string | undefined> = [];
    // About 10 s in 100 pieces: long enough to be interrupted.
    const slow = createServer((req, res) => {
      ranges.push(req.headers.range);
      const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
      res.writeHead(from ? 206 : 200, {
        'content-type': 'application/gzip',
        'content-length': body.length - from,
        etag: '"v1"',
        ...(from ? { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}),
      });
      const piece = Math.ceil(body.length / 100);
      let sent = from;
      const next = () => {
        if (res.destroyed) return;
        res.write(body.subarray(sent, sent + piece));
        sent += piece;
        if (sent < body.length) setTimeout(next, from ? 0 : 100);
        else res.end();
      };
      next();
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', () => resolve()));
    const folder = join(box.sandbox.decHome, 'cache', 'datasets');
    const part = join(folder, 'yellow_tripdata_2021-07.csv.gz.part');
    try {
      const fixture = writeDatasetSyllabus(
        join(box.sandbox.root, 'interrupt-syllabus.yaml'),
        `http://127.0.0.1:${(slow.address() as AddressInfo).port}`,
      );
      const args = ['data', 'get', 'yellow', '2021-07', '--syllabus', fixture];
      const child = spawn(process.execPath, [DEC_BIN, ...args], {
        cwd: box.cwd,
        env: box.sandbox.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.resume();
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('close', (code, signal) => resolve({ code, signal })),
      );
      try {
        const deadline = Date.now() + 20_000;
        while (!(existsSync(part) && statSync(part).size > 0) && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 25));
        child.kill('SIGINT');
        const outcome = await Promise.race([
          exited,
          new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 20_000)),
        ]);
        // Today's code: killed by the signal (signal-exit re-raised it), without a word.
        expect(outcome, stderr).toEqual({ code: 130, signal: null });
        expect(stderr).toMatch(/Interrupted; \d+ bytes are kept in .*\.part and the next run resumes from there/);
      } finally {
        child.kill('SIGKILL');
      }
      const resumed = await dec(args);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(readFileSync(join(folder, 'yellow_tripdata_2021-07.csv.gz')).equals(body)).toBe(true);
      expect(ranges[1]).toMatch(/^bytes=[1-9]\d*-$/);
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  }, 90_000);
});

describe('dec data sample', () => {
  it('Ctrl-C while writing: exit 130, no cut-off file under the final name, and data list shows nothing', async () => {
    const folder = join(box.sandbox.decHome, 'cache', 'datasets');
    // Once some bytes are written, interrupt.
    const written = () => (existsSync(folder) ? readdirSync(folder) : []).length > 0;
    const outcome = await interruptDec(['data', 'sample', '--rows', '20000000'], written, 200);
    expect(outcome).toMatchObject({ code: 130, signal: null });
    expect(outcome.stderr).toMatch(/Interrupted; .* was not written/);
    expect(existsSync(folder) ? readdirSync(folder) : []).toEqual([]);
    const list = await dec(['data', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const doc = JSON.parse(list.stdout) as { datasets: Array<{ name: string; downloaded: string[] }> };
    expect(doc.datasets.find((d) => d.name === 'yellow')?.downloaded).toEqual([]);
  }, 60_000);
});

describe('dec data clean', () => {
  it('deletes downloads (one month, or all) only when confirmed', async () => {
    const folder = join(box.sandbox.decHome, 'cache', 'datasets');
    mkdirSync(folder, { recursive: true });
    for (const file of ['yellow_tripdata_2021-01.csv.gz', 'yellow_tripdata_2021-03.parquet', 'taxi_zone_lookup.csv'])
      writeFileSync(join(folder, file), 'x'.repeat(1000));
    // A download cut off and killed: its .part file, the record of what it holds, and its lock.
    writeFileSync(join(folder, 'yellow_tripdata_2021-02.csv.gz.part'), 'x');
    writeFileSync(join(folder, 'yellow_tripdata_2021-02.csv.gz.part.json'), '{}');
    mkdirSync(join(folder, 'yellow_tripdata_2021-02.csv.gz.part.lock'));
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(join(folder, 'yellow_tripdata_2021-02.csv.gz.part.lock'), aMinuteAgo, aMinuteAgo); // stale

    const list = await dec(['data', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const listed = JSON.parse(list.stdout) as { datasets: Array<{ name: string; downloaded: string[] }> };
    expect(listed.datasets.find((d) => d.name === 'yellow')?.downloaded).toEqual([
      'yellow_tripdata_2021-01.csv.gz',
      'yellow_tripdata_2021-03.parquet',
    ]);

    const unconfirmed = await dec(['data', 'clean']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/Delete these 5 downloads .*needs a confirmation[\s\S]*--yes/);
    expect(readdirSync(folder)).toHaveLength(6);

    const oneMonth = await dec(['data', 'clean', 'yellow', '2021-03', '--yes']);
    expect(oneMonth.code, oneMonth.stderr).toBe(0);
    expect(oneMonth.stdout).toContain('Deleted 1 download (0.0 MB)');
    expect(readdirSync(folder).sort()).toEqual([
      'taxi_zone_lookup.csv',
      'yellow_tripdata_2021-01.csv.gz',
      'yellow_tripdata_2021-02.csv.gz.part',
      'yellow_tripdata_2021-02.csv.gz.part.json',
      'yellow_tripdata_2021-02.csv.gz.part.lock',
    ]);

    const all = await dec(['data', 'clean', '--yes', '--json']);
    expect(all.code, all.stderr).toBe(0);
    expect((JSON.parse(all.stdout) as { removed: Array<{ file: string }> }).removed.map((r) => r.file)).toEqual([
      'taxi_zone_lookup.csv',
      'yellow_tripdata_2021-01.csv.gz',
      'yellow_tripdata_2021-02.csv.gz.part',
      'yellow_tripdata_2021-02.csv.gz.part.json',
    ]);
    expect(readdirSync(folder)).toEqual([]);

    // A download under way (its lock held, here by this test) is left alone.
    writeFileSync(join(folder, 'yellow_tripdata_2021-04.csv.gz.part'), 'x');
    writeFileSync(join(folder, 'yellow_tripdata_2021-04.csv.gz.part.json'), '{}');
    const part = join(folder, 'yellow_tripdata_2021-04.csv.gz.part');
    const release = await lockfile.lock(part, { realpath: false, lockfilePath: `${part}.lock` });
    try {
      const busy = await dec(['data', 'clean', '--yes']);
      expect(busy.code, busy.stderr).toBe(0);
      expect(busy.stderr).toContain(
        'yellow_tripdata_2021-04.csv.gz.part: another dec is downloading it right now; left alone.',
      );
      expect(busy.stdout).toContain('Nothing to delete');
      expect(readdirSync(folder).sort()).toEqual([
        'yellow_tripdata_2021-04.csv.gz.part',
        'yellow_tripdata_2021-04.csv.gz.part.json',
        'yellow_tripdata_2021-04.csv.gz.part.lock',
      ]);
    } finally {
      await release();
    }

    const unknown = await dec(['data', 'clean', 'purple']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/purple/);
  });
});

describe('loadFiles: several files, one table', () => {
  const write = (name: string, text: string) => {
    const path = join(box.cwd, name);
    writeFileSync(path, text);
    return path;
  };
  const options = (mode: 'replace' | 'append') => ({ connectionString: db, table: 'drift', mode });

  /** Loads `paths` into drift and aborts (Ctrl-C) when `stopAt` says so: drift must be as it was. */
  async function expectInterrupted(
    paths: string[],
    mode: 'replace' | 'append',
    stopAt: (progress: LoadProgress) => boolean,
  ): Promise<void> {
    const before = await count('drift');
    const controller = new AbortController();
    const error = (await loadFiles(paths, {
      ...options(mode),
      signal: controller.signal,
      onProgress: (progress) => {
        if (stopAt(progress)) controller.abort();
      },
    }).catch((e: unknown) => e)) as Error & { exitCode?: number };
    expect(error.message).toMatch(/Interrupted; the table was left as it was/);
    expect(error.exitCode).toBe(130);
    expect(await count('drift')).toBe(before);
    expect(await stagingTables()).toEqual([]);
  }

  it('matches columns by name whatever their case and order; a column a file lacks is NULL there', async () => {
    const a = write('a.csv', 'PUlocationID,pickup_datetime,fare_amount\n1,2019-01-01 00:00:00,5\n');
    const b = write('b.csv', 'fare_amount,PULocationID,pickup_datetime,airport_fee\n7.5,2,2019-02-01 00:00:00,1.25\n');
    const result = await loadFiles([a, b], options('replace'));
    expect(result.rows).toBe(2);
    expect(await columns('drift')).toEqual([
      ['PUlocationID', 'bigint'],
      ['pickup_datetime', 'timestamp without time zone'],
      ['fare_amount', 'double precision'],
      ['airport_fee', 'double precision'],
    ]);
    const found = await rows<{ id: string; fare: number; fee: number | null }>(
      'SELECT "PUlocationID" AS id, fare_amount AS fare, airport_fee AS fee FROM drift ORDER BY 1',
    );
    expect(found).toEqual([
      { id: '1', fare: 5, fee: null },
      { id: '2', fare: 7.5, fee: 1.25 },
    ]);
    // Appending a file with yet another column adds it to the table.
    const c = write('c.csv', 'pickup_datetime,PULOCATIONID,tolls_amount\n2019-03-01 00:00:00,3,2\n');
    await loadFiles([c], options('append'));
    expect(await count('drift')).toBe(3);
    expect((await columns('drift')).map(([name]) => name)).toEqual([
      'PUlocationID',
      'pickup_datetime',
      'fare_amount',
      'airport_fee',
      'tolls_amount',
    ]);
  });

  it('an id column with decimals ("264.0", as pandas writes a column with gaps) becomes double precision', async () => {
    const notices: string[] = [];
    const clean = write('ids-clean.csv', 'PULocationID,fare_amount\n1,5\n');
    const floats = write('ids-floats.csv', 'PULocationID,fare_amount\n264.0,5\n,6\n7.5,1\n');
    const result = await loadFiles([clean, floats], { ...options('replace'), onNotice: (text) => notices.push(text) });
    expect(result.rows).toBe(4);
    expect(notices).toEqual([
      'PULocationID holds decimals such as "264.0": loading it as double precision, as pandas does; starting over.',
    ]);
    expect(await columns('drift')).toEqual([
      ['PULocationID', 'double precision'],
      ['fare_amount', 'double precision'],
    ]);
    // Not a number at all: still a bad row, with its line.
    const bad = write('ids-bad.csv', 'PULocationID,fare_amount\n1,5\nx,6\n');
    const error = (await loadFiles([bad], options('replace')).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/ids-bad\.csv at line 3/);
    expect(await count('drift')).toBe(4);
  });

  it('Ctrl-C during the second file: the rows of the first are not in the table either', async () => {
    const first = write('first.csv', 'PULocationID,fare_amount\n1,1\n');
    const second = await sample(300_000, 'second.csv');
    await expectInterrupted([first, second], 'append', ({ path, rows }) => path === second && rows > 20_000);
  });

  it('Ctrl-C during a Parquet file: interrupted cleanly, the file closed, the table as it was', async () => {
    const path = numbersParquet('interrupted.parquet', 300_000, 100_000, ['PULocationID', 'fare_amount']);
    await expectInterrupted([path], 'replace', ({ rows }) => rows > 20_000);
  });

  it('a table another session holds: a clear error within the lock timeout, not a wait forever', async () => {
    const holder = new pg.Client({ connectionString: db });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT count(*) FROM drift'); // holds ACCESS SHARE until the transaction ends
      const before = await count('drift');
      const file = write('held.csv', 'PULocationID,fare_amount\n11,1\n');
      const started = Date.now();
      const error = (await loadFiles([file], { ...options('replace'), lockTimeoutMs: 300 }).catch(
        (e: unknown) => e,
      )) as Error & { hint?: string };
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(error.message).toBe('drift is in use by another session; nothing was loaded.');
      expect(error.hint).toMatch(/psql or pgAdmin/);
      await holder.query('ROLLBACK');
      expect(await count('drift')).toBe(before);
      expect(await stagingTables()).toEqual([]);
    } finally {
      await holder.end();
    }
  });

  it('a bad row in the second file leaves the table as it was, without the first file either', async () => {
    const before = await count('drift');
    const good = write('good.csv', 'PULocationID,fare_amount\n9,1\n');
    const bad = write('bad.csv', 'PULocationID,fare_amount\n10,1\nnot-a-number,2\n');
    const error = (await loadFiles([good, bad], options('append')).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/bad\.csv at line 3/);
    expect(await count('drift')).toBe(before);
    expect(await stagingTables()).toEqual([]);
  });
});

describe('dec data: bad input', () => {
  it('refuses --replace with --append', async () => {
    const result = await dec(['data', 'load', '--file', 'x.csv', '--table', 't', '--replace', '--append', '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--replace and --append/);
  });

  it('a malformed --db URL is named without its password, as homework check does', async () => {
    const file = join(box.cwd, 'x.csv');
    writeFileSync(file, 'a\n1\n');
    for (const url of ['postgres://root:s3cret-pw@localhost:notaport/ny_taxi', 'host=localhost password=s3cret-pw']) {
      const result = await dec(['data', 'load', '--file', file, '--table', 't', '--db', url]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain('--db');
      expect(result.stderr).not.toContain('s3cret-pw');
      expect(result.stderr).not.toContain('unexpected error');
    }
  });

  it('names the datasets when one is unknown', async () => {
    for (const args of [
      ['data', 'get', 'purple', '2021-01'],
      ['data', 'load', 'purple', '2021-01', '--db', db],
    ]) {
      const result = await dec(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('"purple"');
      expect(result.stderr).toContain('yellow, green, fhv, fhvhv, zones');
    }
  });

  it('a --db that is not a Postgres URL: exit 2 before any download, one clear line, the password never shown', async () => {
    for (const url of [
      'postgres://root:s3cret@[::1:5432/ny_taxi', // "dec hit an unexpected error: Invalid URL"
      'postgresql://root:s3cret@127.0.0.1:99999/ny_taxi',
      'localhost:5432', // "getaddrinfo ENOTFOUND base"
      'http://root:s3cret@127.0.0.1/ny_taxi',
    ]) {
      const result = await dec(['data', 'load', 'yellow', '2021-01', '--db', url]);
      expect(result.code, `${url}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(/--db .* (is not a (valid|postgresql:\/\/) URL|has a port)/);
      expect(result.stderr).not.toMatch(/s3cret|unexpected error|ENOTFOUND/);
      expect(result.stderr.trim().split('\n')).toHaveLength(2);
    }
    expect(existsSync(join(box.sandbox.decHome, 'cache', 'datasets'))).toBe(false);
  });

  it('a refused login and a missing database say so (not "start it with dec setup week1")', async () => {
    const file = join(box.cwd, 'login.csv');
    writeFileSync(file, 'a\n1\n');
    const loadWith = (url: string) => dec(['data', 'load', '--file', file, '--table', 't', '--db', url]);
    const wrong = await loadWith(db.replace('root:root@', 'root:nope@'));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('Postgres refused the login: password authentication failed for user "root".');
    expect(wrong.stderr).toMatch(/Check the user and password/);
    expect(wrong.stderr).not.toMatch(/nope|dec setup week1`/);
    const missing = await loadWith(db.replace('/ny_taxi', '/nodb'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('database "nodb" does not exist');
    expect(missing.stderr).toMatch(/Check the database name/);
  });

  it('refuses a month that does not exist', async () => {
    for (const args of [
      ['data', 'get', 'yellow', '2021-13'],
      ['data', 'load', 'yellow', '2021-13', '--db', db],
    ]) {
      const result = await dec(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('"2021-13"');
    }
    // Nothing was downloaded (the check comes before any network).
    expect(existsSync(join(box.sandbox.decHome, 'cache', 'datasets'))).toBe(false);
  });
});

describe('dec data: what a student or the machine causes gets one or two clear lines, and nothing half-made', () => {
  /** One or two lines (message and hint), no "unexpected error", no stack trace. */
  function expectClear(result: RunResult): void {
    expect(result.stderr).not.toMatch(/unexpected error|please report/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr.trim().split('\n').length, result.stderr).toBeLessThanOrEqual(2);
  }

  /** Starts `dec args` and returns when it exits, with what it wrote to stderr. */
  function start(args: string[]): { exited: Promise<RunResult>; kill(): void; interrupt(): void } {
    const child = spawn(process.execPath, [DEC_BIN, ...args], {
      cwd: box.cwd,
      env: box.sandbox.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<RunResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
    return { exited, kill: () => child.kill('SIGKILL'), interrupt: () => child.kill('SIGINT') };
  }

  /** The pid of the backend running a COPY on `on`, once there is one (bounded wait). */
  async function copyingBackend(on: pg.Client): Promise<number> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const found = await on.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE query ILIKE 'COPY %' AND state = 'active'",
      );
      if (found.rows[0]) return found.rows[0].pid;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the load never started copying');
  }

  it('--file that is a folder or a fifo: exit 2 at once, saying what it is (a fifo is never opened)', async () => {
    const folder = join(box.cwd, 'trips.csv');
    mkdirSync(folder);
    const folderRun = await load(folder, 'trips_err');
    expect(folderRun.code).toBe(2);
    expect(folderRun.stderr).toContain(`${folder} is a folder, not a file dec can load.`);
    expectClear(folderRun);

    const fifo = join(box.cwd, 'pipe.csv');
    await new Promise<void>((resolve, reject) =>
      spawn('mkfifo', [fifo]).on('close', (code) => (code === 0 ? resolve() : reject(new Error('mkfifo failed')))),
    );
    // Today's code opened it and waited for a writer forever: bounded here.
    const fifoRun = await dec(['data', 'load', '--file', fifo, '--table', 'trips_err', '--db', db], 15_000);
    expect(fifoRun.code).toBe(2);
    expect(fifoRun.stderr).toContain(`${fifo} is a named pipe (fifo), not a file dec can load.`);
    expectClear(fifoRun);
  });

  it('a plain CSV named .gz, and a cut-off .gz: exit 2, saying which, the table as it was', async () => {
    const good = await sample(1000, 'good.csv');
    expect((await load(good, 'trips_err')).code).toBe(0);

    const plain = join(box.cwd, 'plain.csv.gz');
    writeFileSync(plain, readFileSync(good));
    const plainRun = await load(plain, 'trips_err');
    expect(plainRun.code).toBe(2);
    expect(plainRun.stderr).toContain(`${plain} is named .gz but is not gzip-compressed.`);
    expectClear(plainRun);

    const whole = await sample(200_000, 'whole.csv.gz');
    const cut = join(box.cwd, 'cut.csv.gz');
    writeFileSync(cut, readFileSync(whole).subarray(0, 200_000));
    const cutRun = await load(cut, 'trips_err');
    expect(cutRun.code).toBe(2);
    expect(cutRun.stderr).toContain(`${cut} is cut off: its gzip data ends early.`);
    expect(cutRun.stderr).not.toMatch(/fix or drop that row/i);
    expectClear(cutRun);

    expect(await count('trips_err')).toBe(1000);
    expect(await stagingTables()).toEqual([]);
    // Three loads and a 200,000-row sample: about 10 s on an idle machine, over 30 s at a load of 12.
  }, 90_000);

  it('Postgres ending the connection of a load (as a shutdown does): exit 2, "Postgres stopped", the table as it was', async () => {
    const good = await sample(1000, 'good.csv');
    expect((await load(good, 'trips_err')).code).toBe(0);
    const big = await sample(1_000_000, 'big.csv');
    const run = start(['data', 'load', '--file', big, '--table', 'trips_err', '--db', db]);
    try {
      const pid = await copyingBackend(server.client);
      await server.client.query('SELECT pg_terminate_backend($1)', [pid]);
      const result = await run.exited;
      expect(result.code, result.stderr).toBe(2);
      // The server's own words when its message is read first; the socket's when a write hits the closed
      // connection first (a race: both say the same thing to the student).
      expect(result.stderr).toMatch(
        /Postgres stopped during the load \((terminating connection due to administrator command|write EPIPE|(read|write) ECONNRESET)\)/,
      );
      expect(result.stderr).toMatch(/Nothing was loaded and trips_err was left as it was/);
      expect(result.stderr).not.toMatch(/fix or drop that row|download it again/i);
      expectClear(result);
    } finally {
      run.kill();
    }
    expect(await count('trips_err')).toBe(1000);
    expect(await stagingTables()).toEqual([]);
  }, 120_000);

  it('Postgres killed mid-load: exit 2, "Postgres stopped", not "fix or drop that row" nor "download it again"', async () => {
    const other = await startPostgres({ user: 'root', password: 'root', database: 'ny_taxi' });
    const otherDb = `postgresql://root:root@127.0.0.1:${other.port}/ny_taxi`;
    const watcher = new pg.Client({ connectionString: otherDb });
    watcher.on('error', () => undefined);
    const big = await sample(1_000_000, 'big.csv');
    const run = start(['data', 'load', '--file', big, '--table', 'trips_err', '--db', otherDb]);
    try {
      await watcher.connect();
      await copyingBackend(watcher);
      await watcher.end();
      await other.stop(); // immediate shutdown, then SIGKILL if it lingers
      const result = await run.exited;
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/Postgres stopped during the load/);
      expect(result.stderr).not.toMatch(/fix or drop that row|download it again/i);
      expectClear(result);
    } finally {
      run.kill();
      await watcher.end().catch(() => undefined);
      await other.stop();
    }
  }, 120_000);

  it('Ctrl-C while Postgres answers nothing (paused mid-load): exit 130 at once, and the table as it was', async () => {
    const other = await startPostgres({ user: 'root', password: 'root', database: 'ny_taxi' });
    const otherDb = `postgresql://root:root@127.0.0.1:${other.port}/ny_taxi`;
    const watcher = new pg.Client({ connectionString: otherDb });
    watcher.on('error', () => undefined);
    const good = await sample(1000, 'good.csv');
    const big = await sample(1_000_000, 'big.csv');
    let paused: number | undefined;
    try {
      expect((await dec(['data', 'load', '--file', good, '--table', 'trips_err', '--db', otherDb])).code).toBe(0);
      const run = start(['data', 'load', '--file', big, '--table', 'trips_err', '--db', otherDb]);
      try {
        await watcher.connect();
        paused = await copyingBackend(watcher);
        // As `docker pause` does to dec's Postgres: the backend stops, its socket stays open.
        process.kill(paused, 'SIGSTOP');
        await new Promise((resolve) => setTimeout(resolve, 500));
        run.interrupt();
        // Today's code waited for the paused server's answer to the COPY and then to its ROLLBACK: for ever.
        const result = await Promise.race([
          run.exited,
          new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 20_000)),
        ]);
        expect(result, 'dec was still waiting 20 s after Ctrl-C').toBeDefined();
        expect(result!.code, result!.stderr).toBe(130);
        expect(result!.stderr).toContain('Interrupted; the table was left as it was.');
        expectClear(result!);
      } finally {
        run.kill();
        if (paused !== undefined) process.kill(paused, 'SIGCONT');
      }
      const [row] = (await watcher.query<{ n: string }>('SELECT count(*) AS n FROM trips_err')).rows;
      expect(Number(row!.n)).toBe(1000);
    } finally {
      await watcher.end().catch(() => undefined);
      await other.stop();
    }
  }, 120_000);

  it('Postgres that takes no data (paused mid-load) and no Ctrl-C: a clear error after the stall limit, not a wait for ever', async () => {
    const other = await startPostgres({ user: 'root', password: 'root', database: 'ny_taxi' });
    const otherDb = `postgresql://root:root@127.0.0.1:${other.port}/ny_taxi`;
    const watcher = new pg.Client({ connectionString: otherDb });
    watcher.on('error', () => undefined);
    const big = await sample(1_000_000, 'big.csv');
    let paused: number | undefined;
    try {
      await watcher.connect();
      // In-process, to give it a short stall limit (60 s in dec).
      const loading = loadFiles([big], {
        connectionString: otherDb,
        table: 'stalled',
        mode: 'replace',
        stallMs: 2_000,
      });
      const outcome = loading.then(
        () => undefined,
        (error: unknown) => error as Error & { hint?: string },
      );
      paused = await copyingBackend(watcher);
      process.kill(paused, 'SIGSTOP');
      const error = await Promise.race([
        outcome,
        new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), 30_000)),
      ]);
      expect(error, 'the load was still waiting 30 s after Postgres stopped').not.toBe('waiting');
      expect((error as Error).message).toBe('Postgres stopped answering during the load: it took no data for 2 s.');
      expect((error as { hint: string }).hint).toMatch(/stalled was left as it was\. Is its container paused/);
    } finally {
      if (paused !== undefined) process.kill(paused, 'SIGCONT');
      await watcher.end().catch(() => undefined);
      await other.stop();
    }
  }, 120_000);

  // runUnprivileged: as nobody under root (root writes anywhere), else as the current user; runs everywhere.
  it('a cache folder dec cannot write: exit 2, naming the folder, for get and sample', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dec-nobody-data-'));
    try {
      const fixture = writeDatasetSyllabus(join(root, 'syllabus.yaml'), 'http://127.0.0.1:9');
      // As that user, DEC_HOME (their own) is made read-only first, then dec runs.
      const asUser = (args: string[]) =>
        runUnprivileged(
          '/bin/sh',
          ['-c', 'chmod a-w "$DEC_HOME" && exec "$@"', 'sh', process.execPath, DEC_BIN, ...args],
          {
            root,
          },
        );
      for (const args of [
        ['data', 'get', 'yellow', '2021-01', '--syllabus', fixture],
        ['data', 'sample', '--rows', '10'],
      ]) {
        const result = await asUser(args);
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
        expect(result.stderr).toMatch(
          new RegExp(
            `Cannot (create the folder for|write) ${result.decHome}/cache/datasets/\\S+: permission denied\\.`,
          ),
        );
        expectClear(result);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it('a --file and a cache folder dec cannot read: exit 2, naming them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dec-nobody-data-'));
    try {
      const trips = join(root, 'home', 'trips.csv');
      const cache = join(root, 'dec-home', 'cache', 'datasets');
      mkdirSync(dirname(trips), { recursive: true });
      mkdirSync(cache, { recursive: true });
      writeFileSync(trips, 'PULocationID,fare_amount\n1,2\n');
      // As that user (who owns both), `$1` is made unreadable first, then dec runs.
      const unreadable = (path: string, args: string[]) =>
        runUnprivileged(
          '/bin/sh',
          ['-c', 'chmod 000 "$1" && shift && exec "$@"', 'sh', path, process.execPath, DEC_BIN, ...args],
          { root },
        );
      const loaded = await unreadable(trips, ['data', 'load', '--file', trips, '--table', 't', '--db', db]);
      expect(loaded.code, loaded.stderr).toBe(2);
      expect(loaded.stderr).toContain(`Cannot read ${trips}: permission denied.`);
      expectClear(loaded);
      const listed = await unreadable(cache, ['data', 'list']);
      expect(listed.code, listed.stderr).toBe(2);
      expect(listed.stderr).toContain(`Cannot read ${cache}: permission denied.`);
      expectClear(listed);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
