// `dec setup week4` and `dec run week4` end to end (issue 13) with test/fixtures/syllabi/week4-stack.yaml:
// week 1's Postgres (the dec-test/postgres:15 stand-in, on a free host port) gets the database
// `production` and schema `trips_data_all`; the dbt profile lands 0600 in the homework folder and is
// kept on a re-run; the tool's one-off container sees it and reaches pgdatabase over pg-network; without
// week 1's Postgres, setup says to start it and changes nothing. One sandbox (its own dectest-* project).
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage, freePort, removeDecProject, requireDocker } from '../helpers/docker.js';
import { ensurePostgresImage } from '../helpers/images.js';
import { makeSandbox, noUnexpectedError, runDec, type RunResult, type Sandbox } from '../helpers/run.js';

const SYLLABUS = fileURLToPath(new URL('../fixtures/syllabi/week4-stack.yaml', import.meta.url));
const box: Sandbox = makeSandbox();
const workspace = join(box.home, 'course');
const profile = join(workspace, 'homework', 'week4', 'profiles.yml');
const env: NodeJS.ProcessEnv = { ...box.env, DEC_SYLLABUS: SYLLABUS, NO_COLOR: '1' };
let port = 0;

const dec = (...args: string[]): Promise<RunResult> => runDec(args, { cwd: workspace, env, timeoutMs: 150_000 });

async function query<T>(database: string, sql: string): Promise<T[]> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'root', password: 'root', database });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await requireDocker();
  await Promise.all([ensureBusyboxImage(), ensurePostgresImage()]);
  mkdirSync(workspace, { recursive: true });
  port = await freePort();
}, 300_000);

afterAll(async () => {
  await removeDecProject(box.project);
  box.cleanup();
}, 120_000);

describe('dec setup week4 on week 1’s Postgres (real engine)', { timeout: 300_000 }, () => {
  it('makes production.trips_data_all and the profile; dec run reaches pgdatabase with it; a re-run keeps both', async () => {
    const week1 = await dec('setup', '1', '--port', `pgdatabase=${port}`);
    expect(week1.code, week1.stderr).toBe(0);
    const week4 = await dec('setup', '4');
    expect(week4.code, week4.stderr).toBe(0);
    expect(week4.stderr).toContain('made database production and schema production.trips_data_all');
    expect(await query('production', "select 1 as ok from pg_namespace where nspname = 'trips_data_all'")).toEqual([
      { ok: 1 },
    ]);
    expect(statSync(profile).mode & 0o777).toBe(0o600);
    const written = readFileSync(profile, 'utf8');
    expect(written).toContain('pg-dbt-workshop:');
    expect(written).toContain('dbname: production');

    const run = await dec(
      'run',
      'week4',
      'sh',
      '-c',
      'head -3 "$DBT_PROFILES_DIR/profiles.yml" | tail -1; nc -w 2 pgdatabase 5432 </dev/null && echo reached pgdatabase',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('pg-dbt-workshop:\nreached pgdatabase\n');

    const again = await dec('setup', '4');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('kept your dbt profile pg-dbt-workshop');
    expect(readFileSync(profile, 'utf8')).toBe(written);
  });

  it('without week 1’s Postgres: says to start it (dec setup week1), exit 1, and makes nothing', async () => {
    const down = await dec('setup', '1', '--down');
    expect(down.code, down.stderr).toBe(0);
    const run = await dec('setup', '4', '--recreate');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('week4 needs the Postgres of week1');
    expect(run.stderr).toContain('dec setup week1');
    noUnexpectedError(run);
    expect(existsSync(profile)).toBe(true);
  });
});
