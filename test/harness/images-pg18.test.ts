// The stand-in for `postgres:18` (test/helpers/images.ts, POSTGRES18_LAYOUT_TEST_IMAGE), proven against the
// real engine where the dez-2026 stacks depend on it: the layout of the official image from 18 on (PGDATA
// /var/lib/postgresql/<major>/docker, the VOLUME at /var/lib/postgresql), the same variables as the classic
// test image, a volume at /var/lib/postgresql keeping the cluster, and the refusal to start on a volume at
// /var/lib/postgresql/data (the layout up to 17), as postgres:18 refuses it.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, dockerCli, freePort, requireDocker, waitUntil } from '../helpers/docker.js';
import {
  POSTGRES18_LAYOUT_TEST_IMAGE,
  createTestVolume,
  ensurePostgres18LayoutImage,
  startPostgresContainer,
  waitForPostgres,
} from '../helpers/images.js';

const tag = `${process.pid}`;
const PGDATA = '/var/lib/postgresql/15/docker';
/** What this file made, removed in afterAll (containers first: a volume in use cannot be removed). */
const made = { containers: [] as string[], volumes: [] as string[] };

beforeAll(async () => {
  await requireDocker();
  await ensurePostgres18LayoutImage();
}, 120_000);

afterAll(async () => {
  if (made.containers.length > 0) await dockerCli(['rm', '-f', '-v', ...made.containers], 60_000);
  if (made.volumes.length > 0) await dockerCli(['volume', 'rm', '-f', ...made.volumes], 60_000);
}, 60_000);

async function volume(name: string): Promise<string> {
  const full = await createTestVolume(`${name}-${tag}`);
  made.volumes.push(full);
  return full;
}

async function query(port: number, sql: string): Promise<Array<Record<string, unknown>>> {
  const db = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'root',
    password: 'root',
    database: 'ny_taxi',
    connectionTimeoutMillis: 3_000,
  });
  try {
    await db.connect();
    return (await db.query(sql)).rows as Array<Record<string, unknown>>;
  } finally {
    await db.end().catch(() => {});
  }
}

const COURSE_ENV = { POSTGRES_USER: 'root', POSTGRES_PASSWORD: 'root', POSTGRES_DB: 'ny_taxi' };

describe('PostgreSQL test image with the layout of postgres:18', { timeout: 120_000 }, () => {
  it('has PGDATA under /var/lib/postgresql/<major>/docker and its VOLUME at /var/lib/postgresql', async () => {
    const format = '{{json .Config.Volumes}}|{{json .Config.Env}}|{{.Config.StopSignal}}|{{json .Config.Entrypoint}}';
    const [volumes, env, stopSignal, entrypoint] = (
      await docker(['image', 'inspect', '--format', format, POSTGRES18_LAYOUT_TEST_IMAGE])
    )
      .trim()
      .split('|');
    expect(Object.keys(JSON.parse(volumes ?? '{}') as object)).toEqual(['/var/lib/postgresql']);
    expect(JSON.parse(env ?? '[]')).toContain(`PGDATA=${PGDATA}`);
    expect(stopSignal).toBe('SIGINT');
    expect(JSON.parse(entrypoint ?? '')).toEqual(['/usr/local/bin/docker-entrypoint.sh']);
  });

  it('keeps the cluster in a volume at /var/lib/postgresql, initialised once', async () => {
    const data = await volume('pg18-data');
    const port = await freePort();
    const first = await startPostgresContainer({
      name: `pg18-first-${tag}`,
      image: POSTGRES18_LAYOUT_TEST_IMAGE,
      env: COURSE_ENV,
      volume: data,
      mountAt: '/var/lib/postgresql',
      port,
    });
    made.containers.push(first.name);
    await waitForPostgres(first.name);
    await query(port, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('from the first container')");
    expect((await docker(['exec', first.name, 'cat', `${PGDATA}/PG_VERSION`])).trim()).toBe('15');
    await first.remove();

    // A new container on the same volume finds the cluster and does not initialise it again.
    const second = await startPostgresContainer({
      name: `pg18-second-${tag}`,
      image: POSTGRES18_LAYOUT_TEST_IMAGE,
      env: { ...COURSE_ENV, POSTGRES_PASSWORD: 'ignored once initialised' },
      volume: data,
      mountAt: '/var/lib/postgresql',
      port,
    });
    made.containers.push(second.name);
    await waitForPostgres(second.name);
    expect(await query(port, 'SELECT v FROM kept')).toEqual([{ v: 'from the first container' }]);
    const logs = await dockerCli(['logs', second.name]);
    expect(logs.stdout + logs.stderr).toContain('Skipping initialization');
  });

  it('refuses to start on a volume at /var/lib/postgresql/data, as postgres:18 does', async () => {
    const legacy = await volume('pg18-legacy');
    const container = await startPostgresContainer({
      name: `pg18-legacy-${tag}`,
      image: POSTGRES18_LAYOUT_TEST_IMAGE,
      env: COURSE_ENV,
      volume: legacy,
      mountAt: '/var/lib/postgresql/data',
    });
    made.containers.push(container.name);
    const exitCode = await waitUntil(
      async () => {
        const out = await docker(['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', container.name]);
        const [running, code] = out.trim().split(' ');
        return running === 'false' ? Number(code) : undefined;
      },
      { timeoutMs: 30_000, what: `${container.name} stopped` },
    );
    expect(exitCode).toBe(1);
    const logs = await dockerCli(['logs', container.name]);
    expect(logs.stderr).toContain('Error: in 18+');
    expect(logs.stderr).toContain('/var/lib/postgresql/data (unused mount/volume)');
  });
});
