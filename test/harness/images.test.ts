// The locally built images of test/helpers/images.ts, proven against the real engine: the PostgreSQL test
// image behaves like the official `postgres` image where `dec setup week1` depends on it (variables, TCP
// logins with a password, a named volume that keeps the data and is not initialised twice), and the busybox
// pgAdmin stand-in answers (or never answers) HTTP.
import { execFile } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  httpGetLocal,
  docker,
  dockerCli,
  ensureBusyboxImage,
  freePort,
  removeTestContainers,
  requireDocker,
  runContainer,
  waitUntil,
} from '../helpers/docker.js';
import {
  PGADMIN_TEST_IMAGE,
  POSTGRES_TEST_IMAGE,
  POSTGRES_UID,
  createTestVolume,
  ensurePostgresImage,
  neverReadyCommand,
  pgadminStandInCommand,
  removeTestVolumes,
  startPostgresContainer,
  waitForPostgres,
} from '../helpers/images.js';

const tag = `${process.pid}`;
let buildMs = 0;

beforeAll(async () => {
  await requireDocker();
  const started = Date.now();
  await Promise.all([ensurePostgresImage(), ensureBusyboxImage()]);
  buildMs = Date.now() - started;
}, 120_000);

afterAll(async () => {
  // Containers first (a volume in use cannot be removed); both steps run even when one fails.
  const results = await Promise.allSettled([removeTestContainers()]);
  results.push(...(await Promise.allSettled([removeTestVolumes()])));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}, 60_000);

interface Login {
  port: number;
  user?: string;
  password?: string;
  database?: string;
}

function client({ port, user = 'root', password = 'root', database = 'ny_taxi' }: Login): pg.Client {
  return new pg.Client({ host: '127.0.0.1', port, user, password, database, connectionTimeoutMillis: 3_000 });
}

/** Runs `sql` over TCP and returns the rows; the client is always closed. */
async function query<T extends object>(login: Login, sql: string, values: unknown[] = []): Promise<T[]> {
  const db = client(login);
  try {
    await db.connect();
    return (await db.query<T>(sql, values)).rows;
  } finally {
    await db.end().catch(() => {});
  }
}

/** Waits (bounded) until root/root can log in to ny_taxi over TCP; resolves to the ms it took. */
async function waitForLogin(port: number, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  await waitUntil(async () => ((await query({ port }, 'SELECT 1')).length > 0 ? true : undefined), {
    timeoutMs,
    intervalMs: 200,
    what: `a login as root to ny_taxi on 127.0.0.1:${port}`,
  });
  return Date.now() - started;
}

/** The SQLSTATE of a failed login (or 'connected'). */
async function loginError(login: Login): Promise<string> {
  const db = client(login);
  try {
    await db.connect();
    return 'connected';
  } catch (error) {
    return String((error as { code?: unknown }).code ?? (error as Error).message);
  } finally {
    await db.end().catch(() => {});
  }
}

function psql(port: number, sql: string, password = 'root'): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      'psql',
      ['-h', '127.0.0.1', '-p', String(port), '-U', 'root', '-d', 'ny_taxi', '-X', '-tA', '-v', 'ON_ERROR_STOP=1'],
      {
        env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' },
        timeout: 15_000,
        killSignal: 'SIGKILL',
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    ).stdin?.end(sql);
  });
}

async function containerState(name: string): Promise<{ running: boolean; exitCode: number }> {
  const out = await docker(['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', name]);
  const [running, exitCode] = out.trim().split(' ');
  return { running: running === 'true', exitCode: Number(exitCode) };
}

// Generous limits: a first initdb takes seconds on an idle machine and much longer on a loaded CI runner.
describe('PostgreSQL test image', { timeout: 120_000 }, () => {
  it('is built from the local binaries, small, with the official interface', async () => {
    console.log(`images ready in ${buildMs} ms`);
    const format =
      '{{.Size}}|{{json .Config.Entrypoint}}|{{json .Config.Cmd}}|{{json .Config.ExposedPorts}}|' +
      '{{json .Config.Volumes}}|{{.Config.StopSignal}}|{{json .Config.Env}}';
    const [size, entrypoint, cmd, ports, volumes, stopSignal, env] = (
      await docker(['image', 'inspect', '--format', format, POSTGRES_TEST_IMAGE])
    )
      .trim()
      .split('|');
    console.log(`${POSTGRES_TEST_IMAGE}: ${(Number(size) / 1e6).toFixed(1)} MB`);
    expect(Number(size)).toBeLessThan(150e6);
    expect(JSON.parse(entrypoint ?? '')).toEqual(['/usr/local/bin/docker-entrypoint.sh']);
    expect(JSON.parse(cmd ?? '')).toEqual(['postgres']);
    expect(Object.keys(JSON.parse(ports ?? '{}') as object)).toEqual(['5432/tcp']);
    expect(Object.keys(JSON.parse(volumes ?? '{}') as object)).toEqual(['/var/lib/postgresql/data']);
    expect(stopSignal).toBe('SIGINT');
    expect(JSON.parse(env ?? '[]')).toContain('PGDATA=/var/lib/postgresql/data');
  });

  it('is not built again when present (idempotent, concurrent calls share one build)', async () => {
    // docker import makes a new image id each time: the same id after is proof nothing was built.
    const before = (await docker(['image', 'inspect', '--format', '{{.Id}}', POSTGRES_TEST_IMAGE])).trim();
    await expect(Promise.all([ensurePostgresImage(), ensurePostgresImage()])).resolves.toEqual([
      POSTGRES_TEST_IMAGE,
      POSTGRES_TEST_IMAGE,
    ]);
    expect((await docker(['image', 'inspect', '--format', '{{.Id}}', POSTGRES_TEST_IMAGE])).trim()).toBe(before);
  });

  it('runs PostgreSQL 15 with pg_isready and psql on PATH, as uid 999', async () => {
    const name = await runContainer({ name: `pg-tools-${tag}`, image: POSTGRES_TEST_IMAGE, cmd: ['sleep', '60'] });
    // `exec` goes around the entrypoint: PATH from the image config is what finds the binaries.
    const version = await dockerCli(['exec', name, 'psql', '--version']);
    expect(version.stdout).toMatch(/psql \(PostgreSQL\) 15\./);
    const isready = await dockerCli(['exec', name, 'pg_isready']);
    expect(isready.code).toBe(2); // no server: "no response"
    expect((await docker(['exec', name, 'id', '-u', 'postgres'])).trim()).toBe(String(POSTGRES_UID));
  });

  /** A container on a new named volume, started with the course credentials, accepting logins. */
  async function courseContainer(name: string): Promise<{ volume: string; port: number; name: string }> {
    const volume = await createTestVolume(`pgdata-${name}-${tag}`);
    const port = await freePort();
    const container = await startPostgresContainer({
      name: `pg-${name}-${tag}`,
      env: { POSTGRES_USER: 'root', POSTGRES_PASSWORD: 'root', POSTGRES_DB: 'ny_taxi' },
      volume,
      port,
    });
    const tookMs = await waitForLogin(port);
    console.log(`${container.name}: first start (initdb) to first login: ${tookMs} ms`);
    return { volume, port, name: container.name };
  }

  // One running server shared by the read-only tests below (an explicit fixture: each initdb costs
  // seconds); the test that stops and replaces a container makes its own.
  describe('with POSTGRES_USER=root POSTGRES_PASSWORD=root POSTGRES_DB=ny_taxi on a named volume', () => {
    let port = 0;
    let first = '';

    beforeAll(async () => {
      ({ port, name: first } = await courseContainer('first'));
    }, 120_000);

    it('accepts root/root on 127.0.0.1 to ny_taxi (pg)', async () => {
      const [row] = await query<{ db: string; user: string; version: string; encoding: string; tz: string }>(
        { port },
        "SELECT current_database() AS db, current_user AS user, current_setting('server_version') AS version, " +
          "pg_encoding_to_char(encoding) AS encoding, current_setting('TimeZone') AS tz " +
          'FROM pg_database WHERE datname = current_database()',
      );
      expect(row).toMatchObject({ db: 'ny_taxi', user: 'root', encoding: 'UTF8' });
      expect(row?.version).toMatch(/^15\./);
      // The system tzdata is in the image: named time zones work.
      const [zoned] = await query<{ t: string }>(
        { port },
        "SELECT to_char(timestamptz '2021-01-01 00:00:00+00' AT TIME ZONE 'America/New_York', 'HH24') AS t",
      );
      expect(zoned?.t).toBe('19');
    });

    it('accepts psql from the host, and pg_isready in the container says accepting', async () => {
      const result = await psql(port, 'SELECT current_database(), current_user;');
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe('ny_taxi|root');
      const ready = await dockerCli(['exec', first, 'pg_isready', '-U', 'root', '-d', 'ny_taxi']);
      expect(ready.stdout).toMatch(/accepting connections/);
      expect(ready.code).toBe(0);
    });

    it('refuses a wrong password (28P01) and an unknown database (3D000)', async () => {
      expect(await loginError({ port, password: 'wrong' })).toBe('28P01');
      expect(await loginError({ port, user: 'postgres', password: 'root' })).toBe('28P01'); // no such role
      expect(await loginError({ port, database: 'nope' })).toBe('3D000');
      const result = await psql(port, 'SELECT 1;', 'wrong');
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/password authentication failed for user "root"/);
    });

    it('runs postgres as PID 1 and user postgres, and logs like the official image', async () => {
      const [row] = await query<{ pid: number }>({ port }, 'SELECT pg_backend_pid() AS pid');
      expect(row?.pid).toBeGreaterThan(1);
      const status = await docker(['exec', first, 'cat', '/proc/1/status']);
      expect(status).toMatch(new RegExp(`^Uid:\\s+${POSTGRES_UID}\\s`, 'm'));
      expect(await docker(['exec', first, 'cat', '/proc/1/comm'])).toMatch(/^postgres/);
      const logs = await dockerCli(['logs', first]);
      expect(logs.stdout + logs.stderr).toMatch(/PostgreSQL init process complete; ready for start up\./);
      expect(logs.stdout + logs.stderr).toMatch(/database system is ready to accept connections/);
    });

    it('keeps the data on the volume when the container is replaced, without a second initdb', async () => {
      const { volume, port, name: replaced } = await courseContainer('replaced');
      await query({ port }, 'CREATE TABLE trips (id int PRIMARY KEY, fare numeric)');
      await query({ port }, 'INSERT INTO trips VALUES ($1, $2), ($3, $4)', [1, '12.5', 2, '7.25']);

      // A clean stop (STOPSIGNAL SIGINT: fast shutdown): postgres exits 0 by itself, not 137 from the
      // SIGKILL at the end of the grace period.
      await docker(['stop', '--time', '20', replaced], 40_000);
      expect(await containerState(replaced)).toEqual({ running: false, exitCode: 0 });
      await docker(['rm', '-v', replaced]);

      // Other credentials now: they must be ignored, the cluster on the volume is kept as it is.
      const second = await startPostgresContainer({
        name: `pg-second-${tag}`,
        env: { POSTGRES_USER: 'other', POSTGRES_PASSWORD: 'other', POSTGRES_DB: 'elsewhere' },
        volume,
        port,
      });
      await waitForPostgres(second.name, 60_000);
      await waitForLogin(port);
      const rows = await query<{ id: number; fare: string }>({ port }, 'SELECT id, fare FROM trips ORDER BY id');
      expect(rows).toEqual([
        { id: 1, fare: '12.5' },
        { id: 2, fare: '7.25' },
      ]);
      expect(await loginError({ port, user: 'other', password: 'other', database: 'postgres' })).toBe('28P01');
      const logs = await dockerCli(['logs', second.name]);
      expect(logs.stdout + logs.stderr).toMatch(/appears to contain a database; Skipping initialization/);
      expect(logs.stdout + logs.stderr).not.toMatch(/init process complete/);
    }, 120_000);
  });

  it('refuses to initialise without POSTGRES_PASSWORD (exit 1, the official message)', async () => {
    const container = await startPostgresContainer({
      name: `pg-nopass-${tag}`,
      env: { POSTGRES_PASSWORD: '' },
    });
    const state = await waitUntil(
      async () => {
        const now = await containerState(container.name);
        return now.running ? undefined : now;
      },
      { timeoutMs: 10_000, what: 'the container without a password to exit' },
    );
    expect(state.exitCode).toBe(1);
    const logs = await dockerCli(['logs', container.name]);
    expect(logs.stderr).toMatch(/superuser password is not specified/);
  });

  it('defaults POSTGRES_DB to POSTGRES_USER (anonymous volume, removed with the container)', async () => {
    const container = await startPostgresContainer({
      name: `pg-defaults-${tag}`,
      env: { POSTGRES_USER: 'root', POSTGRES_PASSWORD: 'secret' },
    });
    await waitForPostgres(container.name, 60_000);
    const [row] = await query<{ db: string }>(
      { port: container.port, password: 'secret', database: 'root' },
      'SELECT current_database() AS db',
    );
    expect(row?.db).toBe('root');
    await container.remove();
  });
});

// "Stops at once": the stand-in's trap ends it with 0 on SIGTERM; ignored, docker would SIGKILL it after
// the grace period (exit 137), and every teardown would wait those 10 s.
const STOPPED_BY_ITS_TRAP = { running: false, exitCode: 0 };

describe('pgAdmin stand-in (busybox test image)', () => {
  it('answers 200 on /misc/ping and / on port 80, and stops at once', async () => {
    const port = await freePort();
    const name = await runContainer({
      name: `pgadmin-${tag}`,
      image: PGADMIN_TEST_IMAGE,
      cmd: pgadminStandInCommand(),
      publish: [{ host: port, container: 80 }],
    });
    const ping = await waitUntil(async () => httpGetLocal(port, '/misc/ping'), {
      timeoutMs: 10_000,
      what: 'the pgAdmin stand-in to answer',
    });
    expect(ping).toEqual({ status: 200, body: 'PING' });
    expect((await httpGetLocal(port, '/')).status).toBe(200);
    await docker(['stop', '--time', '10', name], 30_000);
    expect(await containerState(name)).toEqual(STOPPED_BY_ITS_TRAP);
  });

  it('with a start delay answers only after it', async () => {
    const port = await freePort();
    await runContainer({
      name: `pgadmin-slow-${tag}`,
      image: PGADMIN_TEST_IMAGE,
      cmd: pgadminStandInCommand({ startDelaySeconds: 2 }),
      publish: [{ host: port, container: 80 }],
    });
    const started = Date.now();
    await expect(httpGetLocal(port, '/misc/ping')).rejects.toThrow();
    await waitUntil(async () => httpGetLocal(port, '/misc/ping'), { timeoutMs: 10_000, what: 'the slow stand-in' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('neverReadyCommand keeps running without answering HTTP, and stops at once', async () => {
    const port = await freePort();
    const name = await runContainer({
      name: `pgadmin-never-${tag}`,
      image: PGADMIN_TEST_IMAGE,
      cmd: neverReadyCommand(),
      publish: [{ host: port, container: 80 }],
    });
    await new Promise((wake) => setTimeout(wake, 1_500));
    expect((await containerState(name)).running).toBe(true);
    await expect(httpGetLocal(port, '/misc/ping')).rejects.toThrow();
    await docker(['stop', '--time', '10', name], 30_000);
    expect(await containerState(name)).toEqual(STOPPED_BY_ITS_TRAP);
  });
});
