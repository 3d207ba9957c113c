// Week 4's database in week 1's Postgres (src/setup/stack-database.ts) on a real PostgreSQL server made
// from this machine's binaries, with the course's login (root/root, database ny_taxi): `production` and
// its schema `trips_data_all` are made when missing and only then, ny_taxi keeps exactly what it had,
// and the dbt profile is written 0600 once, never over a student's file.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { prepareStackDatabase } from '../../src/commands/setup-database.js';
import { DecError } from '../../src/errors.js';
import { openSession } from '../../src/session.js';
import { noOverrides } from '../../src/setup/spec.js';
import { saveOverrides } from '../../src/setup/state.js';
import { commandContexts, type TestContextOptions } from '../helpers/command-context.js';
import { freePort } from '../helpers/docker.js';
import {
  dbtProfileYaml,
  ensureDatabase,
  writeDbtProfile,
  type PostgresAccess,
} from '../../src/setup/stack-database.js';
import { connectedClient, startPostgres, type RunningPostgres } from '../helpers/postgres.js';

let postgres: RunningPostgres;
let access: PostgresAccess;
const folders: string[] = [];

const PROFILE = { name: 'pg-dbt-workshop', folder: 'homework/week4', schema: 'dbt_dev', host: 'pgdatabase' };

async function query<T>(database: string, sql: string): Promise<T[]> {
  const client = await connectedClient(`postgres://root:root@127.0.0.1:${postgres.port}/${database}`);
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  postgres = await startPostgres({ user: 'root', password: 'root', database: 'ny_taxi' });
  access = { host: '127.0.0.1', port: postgres.port, user: 'root', password: 'root', database: 'ny_taxi' };
  await query('ny_taxi', 'create table yellow_taxi_trips (id int); insert into yellow_taxi_trips values (1), (2)');
}, 60_000);

afterAll(async () => {
  await postgres?.stop();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const made = mkdtempSync(join(tmpdir(), 'dec-dbt-profile-'));
  folders.push(made);
  return made;
}

describe('the database week 4 needs in week 1’s Postgres (real PostgreSQL)', () => {
  it('makes production and production.trips_data_all; a second run makes nothing; ny_taxi is as it was', async () => {
    const before = await query<{ nspname: string }>('ny_taxi', 'select nspname from pg_namespace order by 1');
    const first = await ensureDatabase(access, { name: 'production', schemas: ['trips_data_all'] });
    expect(first).toEqual({ createdDatabase: true, createdSchemas: ['trips_data_all'] });
    const schemas = await query<{ nspname: string }>(
      'production',
      "select nspname from pg_namespace where nspname = 'trips_data_all'",
    );
    expect(schemas).toHaveLength(1);
    const again = await ensureDatabase(access, { name: 'production', schemas: ['trips_data_all'] });
    expect(again).toEqual({ createdDatabase: false, createdSchemas: [] });
    expect(await query('ny_taxi', 'select nspname from pg_namespace order by 1')).toEqual(before);
    expect(await query('ny_taxi', 'select count(*)::int as n from yellow_taxi_trips')).toEqual([{ n: 2 }]);
  });

  it('keeps what a student put in production (a table in trips_data_all) and adds a schema that is missing', async () => {
    await query(
      'production',
      'create table trips_data_all.green_tripdata (id int); insert into trips_data_all.green_tripdata values (7)',
    );
    const run = await ensureDatabase(access, { name: 'production', schemas: ['trips_data_all', 'staging'] });
    expect(run).toEqual({ createdDatabase: false, createdSchemas: ['staging'] });
    expect(await query('production', 'select id from trips_data_all.green_tripdata')).toEqual([{ id: 7 }]);
  });

  it('a wrong password fails with Postgres’s refusal and makes nothing', async () => {
    await expect(ensureDatabase({ ...access, password: 'wrong' }, { name: 'other_db' })).rejects.toThrow(/password/);
    expect(await query('ny_taxi', "select 1 from pg_database where datname = 'other_db'")).toEqual([]);
  });
});

describe('the dbt profile', () => {
  const text = dbtProfileYaml(PROFILE, 'production', { user: 'root', password: 'r:o#ot' }, 'week4');

  it('is the profile the 2022 project expects, for dbt in the stack’s container', () => {
    expect(parse(text)).toEqual({
      'pg-dbt-workshop': {
        target: 'dev',
        outputs: {
          dev: {
            type: 'postgres',
            host: 'pgdatabase',
            port: 5432,
            user: 'root',
            password: 'r:o#ot',
            dbname: 'production',
            schema: 'dbt_dev',
            threads: 4,
            keepalives_idle: 0,
          },
        },
      },
      config: { send_anonymous_usage_stats: false },
    });
  });

  it('is written 0600 when missing, and never over an existing file (with or without the profile)', async () => {
    const dir = join(folder(), 'homework', 'week4');
    const written = await writeDbtProfile(dir, PROFILE.name, text);
    expect(written.kind).toBe('written');
    expect(statSync(written.path).mode & 0o777).toBe(0o600);
    writeFileSync(written.path, 'pg-dbt-workshop:\n  target: mine\n');
    expect((await writeDbtProfile(dir, PROFILE.name, text)).kind).toBe('kept');
    expect(readFileSync(written.path, 'utf8')).toBe('pg-dbt-workshop:\n  target: mine\n');
    writeFileSync(written.path, 'bq-dbt-workshop:\n  target: dev\n');
    expect((await writeDbtProfile(dir, PROFILE.name, text)).kind).toBe('other');
    expect(readFileSync(written.path, 'utf8')).toBe('bq-dbt-workshop:\n  target: dev\n');
  });
});

describe('dec setup week4 before its containers (in-process, real PostgreSQL for week 1)', () => {
  const SYLLABUS = fileURLToPath(new URL('../fixtures/syllabi/week4-stack.yaml', import.meta.url));
  const contexts = commandContexts();
  afterEach(() => contexts.cleanup());

  /** A context whose remembered week-1 port is `port` (as dec setup week1 --port would leave it). */
  async function contextOn(port: number, options: TestContextOptions = {}) {
    const ctx = contexts.make({ ...options, env: { DEC_SYLLABUS: SYLLABUS, DEC_PROJECT: 'dectest-week4-unit' } });
    await saveOverrides(ctx.env, 'week4-test', 'week1', { ...noOverrides(), ports: { pgdatabase: port } });
    const session = await openSession(ctx);
    return { ctx, session, spec: session.course.stacks.week4!.database! };
  }

  it('week 1 not running, in a script: says to run dec setup week1 (exit 1), asks nothing, writes nothing', async () => {
    const { ctx, session, spec } = await contextOn(await freePort());
    const started: string[] = [];
    const error = await prepareStackDatabase(ctx, session, 'week4', spec, ctx.cwd, async (s) => {
      started.push(s);
      return 0;
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecError);
    expect((error as DecError).message).toContain('nothing answers on 127.0.0.1');
    expect((error as DecError).hint).toContain('dec setup week1');
    expect((error as DecError).exitCode).toBe(1);
    expect(ctx.asked).toEqual([]);
    expect(started).toEqual([]);
    expect(existsSync(join(ctx.cwd, 'homework', 'week4', 'profiles.yml'))).toBe(false);
  });

  it('week 1 not running, at a terminal: offers to start it; yes starts it, then the database and profile are made', async () => {
    const { ctx, session, spec } = await contextOn(await freePort(), { interactive: true, answers: [true] });
    const started: string[] = [];
    await prepareStackDatabase(ctx, session, 'week4', spec, ctx.cwd, async (stack) => {
      started.push(stack);
      // What dec setup week1 leaves: its Postgres answering on the remembered port.
      await saveOverrides(ctx.env, 'week4-test', 'week1', { ...noOverrides(), ports: { pgdatabase: postgres.port } });
      return 0;
    });
    expect(ctx.asked).toEqual([
      'week4 uses the Postgres of week1, which is not running. Start it now (dec setup week1)?',
    ]);
    expect(started).toEqual(['week1']);
    expect(readFileSync(join(ctx.cwd, 'homework', 'week4', 'profiles.yml'), 'utf8')).toContain('pg-dbt-workshop:');
    expect(ctx.stderr()).toContain('wrote the dbt profile pg-dbt-workshop');
  });

  it('at a terminal, no: nothing is started and the error says how', async () => {
    const { ctx, session, spec } = await contextOn(await freePort(), { interactive: true, answers: [false] });
    await expect(prepareStackDatabase(ctx, session, 'week4', spec, ctx.cwd, async () => 0)).rejects.toThrow(
      /needs the Postgres of week1/,
    );
  });
});
