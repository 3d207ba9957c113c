// Week 4's database in week 1's Postgres (src/setup/stack-database.ts) on a real PostgreSQL server made
// from this machine's binaries, with the course's login (root/root, database ny_taxi): `production` and
// its schema `trips_data_all` are made when missing and only then, ny_taxi keeps exactly what it had,
// and the dbt profile is written 0600 once, never over a student's file.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
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

const PROFILE = { name: 'pg-dbt-workshop', folder: 'homework/week-4', schema: 'dbt_dev', host: 'pgdatabase' };

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
    const dir = join(folder(), 'homework', 'week-4');
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
