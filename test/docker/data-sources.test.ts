// dec data load --for week4 (the sources week 4's dbt reads: production.trips_data_all) and the generic
// --database / --schema / --dry-run, on a real PostgreSQL from this machine's binaries (the course's
// login: root/root, database ny_taxi) and a loopback HTTP mirror this test runs. The database and
// schema are made when missing, ny_taxi keeps exactly what it had, a re-run replaces (or --append adds
// to) each table, Ctrl-C leaves the table as it was, --dry-run and a refused prompt change nothing,
// only replacing a table that holds rows is asked about (--yes in a script), and names that are not
// plain identifiers are refused before anything is downloaded.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dataLoad } from '../../src/commands/data.js';
import { loadFiles } from '../../src/data/load.js';
import { writeSyntheticYellow } from '../../src/data/synthetic.js';
import { DecError } from '../../src/errors.js';
import { noOverrides } from '../../src/setup/spec.js';
import { saveOverrides } from '../../src/setup/state.js';
import { commandContexts } from '../helpers/command-context.js';
import { connectedClient, startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { DEC_BIN, makeSandbox, runDec, type RunResult, type Sandbox } from '../helpers/run.js';

// One sandbox for the file: its download cache carries over from test to test, as a student's does.
let sandbox: Sandbox;
let cwd = '';
const contexts = commandContexts();

let postgres: RunningPostgres;
let server: Server;
let mirror = '';
let db = '';
/** Every request the mirror got: "GET /yellow_tripdata_2019-01.csv.gz". */
const requests: string[] = [];
/** What the mirror serves, by path. */
const files = new Map<string, Buffer>();

const FHV_HEADER =
  'dispatching_base_num,pickup_datetime,dropOff_datetime,PUlocationID,DOlocationID,SR_Flag,Affiliated_base_number';

function fhvMonth(month: string, rows: number): Buffer {
  const lines = Array.from(
    { length: rows },
    (_, i) =>
      `B0000${i % 9},${month}-0${1 + (i % 9)} 00:1${i % 10}:00,${month}-0${1 + (i % 9)} 00:5${i % 10}:00,,${1 + (i % 265)},,B0000${i % 9}`,
  );
  return gzipSync(`${[FHV_HEADER, ...lines].join('\n')}\n`);
}

/** The week-4 shape: week 1's Postgres, and week 4's stack declaring its database and sources. */
function writeSyllabus(): string {
  const path = join(sandbox.root, 'sources-syllabus.yaml');
  writeFileSync(
    path,
    `schemaVersion: 1
id: sources-test
title: Sources test course
datasets:
  yellow:
    title: Yellow
    mirror: ${mirror}/yellow_tripdata_{month}.csv.gz
  green:
    title: Green
    mirror: ${mirror}/green_tripdata_{month}.csv.gz
  fhv:
    title: FHV
    mirror: ${mirror}/fhv_tripdata_{month}.csv.gz
stacks:
  week1:
    title: Postgres
    network: { name: pg-network }
    services:
      pgdatabase:
        image: dec-test/postgres:15
        env: { POSTGRES_USER: root, POSTGRES_PASSWORD: root, POSTGRES_DB: ny_taxi }
        secretEnv: [POSTGRES_PASSWORD]
        ports: [{ host: 5432, container: 5432 }]
        ready: { postgres: { user: root, password: root, database: ny_taxi } }
  week4:
    title: dbt stand-in
    network: { name: dbt-network }
    database:
      stack: week1
      name: production
      schemas: [trips_data_all]
      sources:
        - { dataset: yellow, schema: trips_data_all, table: yellow_tripdata, months: ['2019-01..2019-02'] }
        - { dataset: green, schema: trips_data_all, table: green_tripdata, months: ['2019-01..2019-02'] }
        - { dataset: fhv, schema: trips_data_all, table: fhv_tripdata, months: ['2019-01'] }
    services:
      dbt:
        image: dec-test/busybox:1
        job: true
        command: [sh, -c, 'echo dbt stand-in']
weeks:
  - number: 1
    id: week-1
    title: First week
    topics: [{ title: Postgres }]
    setup: { summary: Postgres., stack: week1 }
  - number: 4
    id: week-4
    title: Fourth week
    topics: [{ title: dbt }]
    setup: { summary: dbt., stack: week4 }
`,
  );
  return path;
}

let syllabus = '';

beforeAll(async () => {
  sandbox = makeSandbox();
  cwd = join(sandbox.root, 'work');
  mkdirSync(cwd, { recursive: true });
  postgres = await startPostgres({ user: 'root', password: 'root', database: 'ny_taxi' });
  db = `postgresql://root:root@127.0.0.1:${postgres.port}/ny_taxi`;
  // What a student has in week 1: a table in ny_taxi that no week-4 load may touch.
  await query('ny_taxi', 'create table yellow_taxi_trips (id int); insert into yellow_taxi_trips values (1), (2), (3)');
  for (const [name, rows] of [
    ['yellow_tripdata_2019-01', 300],
    ['yellow_tripdata_2019-02', 200],
    ['green_tripdata_2019-01', 120],
    ['green_tripdata_2019-02', 80],
  ] as const) {
    const path = join(sandbox.root, `${name}.csv.gz`);
    await writeSyntheticYellow(path, rows, { month: name.slice(-7) });
    files.set(`/${name}.csv.gz`, readFileSync(path));
  }
  files.set('/fhv_tripdata_2019-01.csv.gz', fhvMonth('2019-01', 50));
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const body = files.get(req.url ?? '');
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  syllabus = writeSyllabus();
}, 120_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await postgres?.stop();
  sandbox?.cleanup();
}, 60_000);

afterEach(() => contexts.cleanup());

async function query<T = Record<string, unknown>>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = await connectedClient(`postgresql://root:root@127.0.0.1:${postgres.port}/${database}`);
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

async function count(table: string): Promise<number> {
  const [row] = await query<{ n: number }>('production', `select count(*)::int as n from ${table}`);
  return row!.n;
}

async function databases(): Promise<string[]> {
  return (await query<{ datname: string }>('ny_taxi', 'select datname from pg_database order by 1')).map(
    (r) => r.datname,
  );
}

/** ny_taxi as a student left it: its schemas, tables and the rows of the week-1 table. */
async function nyTaxi(): Promise<unknown> {
  return {
    schemas: await query('ny_taxi', "select nspname from pg_namespace where nspname not like 'pg_%' order by 1"),
    tables: await query(
      'ny_taxi',
      "select schemaname, tablename from pg_tables where schemaname not in ('pg_catalog', 'information_schema') order by 1, 2",
    ),
    rows: await query('ny_taxi', 'select count(*)::int as n from yellow_taxi_trips'),
  };
}

async function schemaExists(database: string, schema: string): Promise<boolean> {
  if (!(await databases()).includes(database)) return false;
  return (await query(database, 'select 1 from pg_namespace where nspname = $1', [schema])).length === 1;
}

const dec = (args: string[], timeoutMs = 60_000): Promise<RunResult> =>
  runDec([...args, '--syllabus', syllabus], { cwd, env: sandbox.env, timeoutMs });

const cached = (file: string) => join(sandbox.decHome, 'cache', 'datasets', file);
const gets = () => requests.filter((r) => r.startsWith('GET '));

describe('dec data load --for week4 (real PostgreSQL, a loopback mirror)', () => {
  it('--dry-run names every file with its size and what would be made, and changes nothing', async () => {
    const before = await nyTaxi();
    requests.length = 0;
    const run = await dec(['data', 'load', '--for', 'week4', '--db', db, '--dry-run']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("week4's sources → database production of postgresql://root:***@127.0.0.1");
    expect(run.stdout).toMatch(/trips_data_all\.yellow_tripdata ← yellow 2019-01\.\.2019-02 · a new table/);
    expect(run.stdout).toMatch(/trips_data_all\.green_tripdata ← green 2019-01\.\.2019-02/);
    expect(run.stdout).toMatch(/trips_data_all\.fhv_tripdata ← fhv 2019-01 · a new table/);
    expect(run.stdout).toContain('database production: missing, made first');
    expect(run.stdout).toContain('schema trips_data_all: missing, made by the load');
    const total = [...files.values()].reduce((sum, f) => sum + f.length, 0);
    expect(run.stdout).toContain(`In all: 5 files: 5 to download (${(total / 1e6).toFixed(1)} MB)`);
    expect(run.stdout).toMatch(/about [\d,]+ rows \(a rough estimate from the download size\)/);
    expect(run.stdout).toContain('Dry run: nothing was downloaded');
    // Only asked for sizes: nothing downloaded, nothing made.
    expect(gets()).toEqual([]);
    expect(requests.filter((r) => r.startsWith('HEAD '))).toHaveLength(5);
    expect(existsSync(cached('yellow_tripdata_2019-01.csv.gz'))).toBe(false);
    expect(await databases()).not.toContain('production');
    expect(await nyTaxi()).toEqual(before);

    const json = await dec(['data', 'load', '--for', 'week4', '--db', db, '--dry-run', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as {
      dryRun: boolean;
      database: string;
      loads: Array<{ table: string; months: string[] }>;
    };
    expect(doc.dryRun).toBe(true);
    expect(doc.database).toBe('production');
    expect(doc.loads.map((l) => [l.table, l.months])).toEqual([
      ['trips_data_all.yellow_tripdata', ['2019-01', '2019-02']],
      ['trips_data_all.green_tripdata', ['2019-01', '2019-02']],
      ['trips_data_all.fhv_tripdata', ['2019-01']],
    ]);
  });

  it('in a script without --yes, when nothing would be replaced: no question, the plan, then the load', async () => {
    const run = await dec(['data', 'load', '--for', 'week4', '--db', db]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/trips_data_all\.yellow_tripdata ← yellow 2019-01\.\.2019-02 · a new table/);
    expect(run.stderr).not.toContain('--yes');
    expect(run.stdout).toContain("week4's sources: 3 tables in production, 750 rows");
    // Back to a server without production, for the test after.
    await query('ny_taxi', 'drop database production');
  });

  it('--yes: makes production and trips_data_all (and says so), loads the three tables; ny_taxi as it was', async () => {
    const before = await nyTaxi();
    requests.length = 0;
    const run = await dec(['data', 'load', '--for', 'week4', '--db', db, '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('made database production (it was missing)');
    expect(run.stdout).toContain('made schema trips_data_all (it was missing)');
    expect(run.stdout).toContain('300 rows from yellow_tripdata_2019-01.csv.gz into trips_data_all.yellow_tripdata');
    expect(run.stdout).toContain('50 rows from fhv_tripdata_2019-01.csv.gz into trips_data_all.fhv_tripdata');
    expect(run.stdout).toContain("week4's sources: 3 tables in production, 750 rows");
    // Progress per month on stderr (a log, not a terminal here).
    expect(run.stderr).toContain('yellow_tripdata_2019-02.csv.gz');
    // The run before downloaded them: from the cache now.
    expect(gets()).toEqual([]);
    expect(await count('trips_data_all.yellow_tripdata')).toBe(500);
    expect(await count('trips_data_all.green_tripdata')).toBe(200);
    expect(await count('trips_data_all.fhv_tripdata')).toBe(50);
    // The columns dbt's staging models cast (unquoted: vendorid, pulocationid): lower case, the course's types.
    const yellow = await query<{ column_name: string }>(
      'production',
      "select column_name from information_schema.columns where table_schema = 'trips_data_all' and table_name = 'yellow_tripdata' order by ordinal_position",
    );
    expect(yellow.map((c) => c.column_name).slice(0, 3)).toEqual([
      'vendorid',
      'tpep_pickup_datetime',
      'tpep_dropoff_datetime',
    ]);
    expect(
      await query(
        'production',
        'select count(*)::int as n from trips_data_all.yellow_tripdata where vendorid is not null and pulocationid > 0',
      ),
    ).toEqual([{ n: 500 }]);
    const types = await query<{ column_name: string; data_type: string }>(
      'production',
      "select column_name, data_type from information_schema.columns where table_schema = 'trips_data_all' and table_name = 'fhv_tripdata' order by ordinal_position",
    );
    expect(types.map((t) => [t.column_name, t.data_type])).toEqual([
      ['dispatching_base_num', 'text'],
      ['pickup_datetime', 'timestamp without time zone'],
      ['dropoff_datetime', 'timestamp without time zone'],
      ['pulocationid', 'bigint'],
      ['dolocationid', 'bigint'],
      ['sr_flag', 'text'],
      ['affiliated_base_number', 'text'],
    ]);
    // Nothing left behind, nothing in public, and week 1's database exactly as it was.
    expect(await query('production', "select tablename from pg_tables where tablename like 'dec_staging%'")).toEqual(
      [],
    );
    expect(await query('production', "select tablename from pg_tables where schemaname = 'public'")).toEqual([]);
    expect(await nyTaxi()).toEqual(before);
  });

  it('in a script, replacing tables that hold rows needs --yes: refused with exit 2 and nothing changed; an empty one is not asked about', async () => {
    requests.length = 0;
    const refused = await dec(['data', 'load', '--for', 'week4', 'yellow', '2019-01', '--db', db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('replaces the table and the rows it holds');
    expect(refused.stderr).toContain('Replace trips_data_all.yellow_tripdata, which holds data?');
    expect(refused.stderr).toContain('Pass --yes to confirm');
    expect(await count('trips_data_all.yellow_tripdata')).toBe(500);
    // With CI set as well; and every table that holds rows is named.
    const ci = await runDec(['data', 'load', '--for', 'week4', '--db', db, '--syllabus', syllabus], {
      cwd,
      env: { ...sandbox.env, CI: 'true' },
    });
    expect(ci.code).toBe(2);
    expect(ci.stderr).toContain(
      'Replace trips_data_all.yellow_tripdata, trips_data_all.green_tripdata and trips_data_all.fhv_tripdata, which hold data?',
    );
    // An empty table is replaced without a question.
    await query('production', 'truncate trips_data_all.fhv_tripdata');
    const empty = await dec(['data', 'load', '--for', 'week4', 'fhv', '--db', db]);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stderr).toContain('replaces the table (empty now)');
    expect(await count('trips_data_all.fhv_tripdata')).toBe(50);
    expect(gets()).toEqual([]);
  });

  it('a re-run replaces each table with the months asked for; --append adds; downloads come from the cache', async () => {
    requests.length = 0;
    const again = await dec(['data', 'load', '--for', 'week4', 'yellow', '2019-01', '--db', db, '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('replaces the table');
    expect(again.stdout).not.toContain('made schema');
    expect(await count('trips_data_all.yellow_tripdata')).toBe(300);
    expect(await count('trips_data_all.green_tripdata')).toBe(200);
    const added = await dec(['data', 'load', '--for', 'week4', 'yellow', '2019-02', '--db', db, '--append']);
    expect(added.code, added.stderr).toBe(0);
    expect(await count('trips_data_all.yellow_tripdata')).toBe(500);
    // Months alone: each source's own among them (FHV has no 2019-02).
    const month = await dec(['data', 'load', '--for', 'week4', '2019-02', '--db', db, '--yes']);
    expect(month.code, month.stderr).toBe(0);
    expect(await count('trips_data_all.yellow_tripdata')).toBe(200);
    expect(await count('trips_data_all.green_tripdata')).toBe(80);
    expect(await count('trips_data_all.fhv_tripdata')).toBe(50);
    expect(gets()).toEqual([]);
  });

  it('Ctrl-C during a load leaves that table as it was (and a schema it was making is not there)', async () => {
    const big = join(sandbox.root, 'big.csv.gz');
    await writeSyntheticYellow(big, 600_000, { month: '2019-03' });
    files.set('/yellow_tripdata_2019-03.csv.gz', readFileSync(big));
    const before = await count('trips_data_all.yellow_tripdata');
    // Downloaded first, so the interrupt lands in the COPY.
    expect((await dec(['data', 'get', 'yellow', '2019-03'])).code).toBe(0);
    for (const schema of ['trips_data_all', 'fresh_schema']) {
      const child = spawn(
        process.execPath,
        [
          DEC_BIN,
          'data',
          'load',
          '--for',
          'week4',
          'yellow',
          '2019-03',
          '--schema',
          schema,
          '--db',
          db,
          '--yes',
          '--syllabus',
          syllabus,
        ],
        { cwd, env: sandbox.env, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      try {
        const deadline = Date.now() + 30_000;
        const copying = async () =>
          (
            await query<{ n: number }>(
              'ny_taxi',
              "select count(*)::int as n from pg_stat_activity where query ilike 'COPY %' and state = 'active'",
            )
          )[0]!.n > 0;
        // dec is in the load (the download step said so) and its COPY runs.
        const loading = async () => stderr.includes('already downloaded') && (await copying());
        while (!(await loading()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
        await new Promise((r) => setTimeout(r, 200));
        child.kill('SIGINT');
        expect(await exited, stderr).toBe(130);
      } finally {
        child.kill('SIGKILL');
      }
      expect(stderr).toContain('Interrupted; the table was left as it was.');
    }
    expect(await count('trips_data_all.yellow_tripdata')).toBe(before);
    expect(await schemaExists('production', 'fresh_schema')).toBe(false);
    expect(await query('production', "select tablename from pg_tables where tablename like 'dec_staging%'")).toEqual(
      [],
    );
  }, 180_000);

  it('at a terminal: asks only before replacing a table that holds rows; "no" changes nothing (exit 1), "yes" replaces', async () => {
    await query('ny_taxi', 'drop database production');
    const terminal = (answers: boolean[]) => contexts.make({ interactive: true, answers, options: { syllabus } });
    // A new table: loaded into the stack's own Postgres without a question.
    const first = terminal([]);
    // Week 1's Postgres as dec setup runs it: its remembered port (no --db).
    await saveOverrides(first.env, 'sources-test', 'week1', { ...noOverrides(), ports: { pgdatabase: postgres.port } });
    expect(await dataLoad(first, 'green', ['2019-01'], { for: '4' })).toBe(0);
    expect(first.asked).toEqual([]);
    expect(first.stderr()).toContain(`week1's Postgres (127.0.0.1:${postgres.port})`);
    expect(await count('trips_data_all.green_tripdata')).toBe(120);
    // Now it holds rows: asked, with the download when there is one.
    const question =
      /^(Download 1 file \([\d.]+ MB\) and replace|Replace) trips_data_all\.green_tripdata, which holds data\?$/;
    const no = terminal([false]);
    await saveOverrides(no.env, 'sources-test', 'week1', { ...noOverrides(), ports: { pgdatabase: postgres.port } });
    const refused = await dataLoad(no, 'green', ['2019-02'], { for: '4' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DecError);
    expect((refused as DecError).exitCode).toBe(1);
    expect((refused as DecError).message).toContain('nothing was changed');
    expect(no.asked).toEqual([expect.stringMatching(question)]);
    expect(await count('trips_data_all.green_tripdata')).toBe(120);
    const yes = terminal([true]);
    await saveOverrides(yes.env, 'sources-test', 'week1', { ...noOverrides(), ports: { pgdatabase: postgres.port } });
    expect(await dataLoad(yes, 'green', ['2019-02'], { for: '4' })).toBe(0);
    expect(yes.asked).toEqual([expect.stringMatching(question)]);
    expect(await count('trips_data_all.green_tripdata')).toBe(80);
  });
});

describe('dec data load --database / --schema, and the names it accepts', () => {
  it('loads a month into another database and schema (made when missing); a --database that is not there is refused', async () => {
    const run = await dec([
      'data',
      'load',
      'yellow',
      '2019-01',
      '--db',
      db,
      '--database',
      'production',
      '--schema',
      'staging_x',
      '--table',
      'my_yellow',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('made schema staging_x (it was missing)');
    expect(run.stdout).toContain('300 rows from yellow_tripdata_2019-01.csv.gz into staging_x.my_yellow');
    expect(await count('staging_x.my_yellow')).toBe(300);

    // By hand into a table week 4 reads: the same lower-case columns as --for gives.
    const byHand = await dec([
      'data',
      'load',
      'yellow',
      '2019-01',
      '--db',
      db,
      '--database',
      'production',
      '--schema',
      'trips_data_all',
      '--table',
      'yellow_tripdata',
    ]);
    expect(byHand.code, byHand.stderr).toBe(0);
    expect(byHand.stdout).toContain('week4 reads this table: its columns are named in lower case');
    expect(await count('trips_data_all.yellow_tripdata where vendorid is not null')).toBe(300);

    const missing = await dec(['data', 'load', 'yellow', '2019-01', '--db', db, '--database', 'prodution']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('There is no database prodution in that Postgres.');
    expect(await databases()).not.toContain('prodution');

    const dry = await dec([
      'data',
      'load',
      'yellow',
      '2019-01',
      '--db',
      db,
      '--database',
      'production',
      '--schema',
      'staging_x',
      '--table',
      'my_yellow',
      '--dry-run',
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('staging_x.my_yellow ← yellow 2019-01 · replaces the table');
    expect(dry.stdout).toContain('1 downloaded already');
  });

  it.each([
    [
      ['--schema', 'x;drop schema trips_data_all cascade'],
      '"x;drop schema trips_data_all cascade" is not a schema name dec accepts.',
    ],
    [['--schema', 'Trips"Data'], '"Trips"Data" is not a schema name dec accepts.'],
    [['--table', 'a"; drop table x; --'], 'is not a table name dec accepts.'],
    [['--database', 'production"; drop database ny_taxi; --'], 'is not a database name dec accepts.'],
    [['--schema', 's'.repeat(64)], 'Postgres allows at most 63'],
  ])('refuses %j before any download or change', async (flags, message) => {
    requests.length = 0;
    const before = await databases();
    for (const forWeek of [[], ['--for', 'week4']]) {
      const run = await dec(['data', 'load', 'yellow', '2019-01', ...forWeek, '--db', db, '--yes', ...flags]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).not.toContain('unexpected error');
    }
    expect(requests).toEqual([]);
    expect(await databases()).toEqual(before);
  });

  it('loadFiles in a schema it makes, aborted mid-COPY: neither the table nor the schema is there', async () => {
    const big = join(sandbox.root, 'abort.csv');
    await writeSyntheticYellow(big, 200_000);
    const abort = new AbortController();
    const error = await loadFiles([big], {
      connectionString: db.replace(/\/ny_taxi$/, '/production'),
      schema: 'aborted_schema',
      table: 't',
      mode: 'replace',
      signal: abort.signal,
      onProgress: ({ rows }) => {
        if (rows > 20_000) abort.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecError);
    expect(await schemaExists('production', 'aborted_schema')).toBe(false);
  });
});
