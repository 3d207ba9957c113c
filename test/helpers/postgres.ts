// A real, throw-away PostgreSQL server on 127.0.0.1 for e2e tests, from the machine's own server
// binaries (no Docker). Runs as the `postgres` user when the tests run as root (postgres refuses
// root). Every step is bounded; a failed start cleans up after itself; a worker that exits without
// calling stop() still kills its servers and removes their folders.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { appendFile, chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { freePort } from './docker.js';

// One free-port helper for both (docker.ts's never hands the same port out twice).
export { freePort };

/** Folders of test servers start with this, so a leftover can be found: ls -d /tmp/dec-test-pg-*. */
const POSTGRES_DIR_PREFIX = 'dec-test-pg-';

export interface PostgresOptions {
  /** Superuser name; default "postgres". */
  user?: string;
  /** When set, TCP logins need it (scram-sha-256); otherwise TCP logins are trusted. */
  password?: string;
  /** A database created after start (besides "postgres"). */
  database?: string;
}

export interface RunningPostgres {
  host: '127.0.0.1';
  port: number;
  user: string;
  password?: string;
  /** The database asked for, or "postgres". */
  database: string;
  /** The postmaster's pid (it owns the listening socket). */
  pid: number;
  /** postgres://user[:password]@127.0.0.1:port/database */
  connectionString: string;
  /** The temp folder with data/, the log and the Unix socket. */
  dir: string;
  binDir: string;
  /** Stops the server (immediate mode, then SIGKILL if needed) and removes the folder. Idempotent. */
  stop(): Promise<void>;
}

const INITDB_TIMEOUT_MS = 60_000;
const PG_CTL_WAIT_S = 20;
const START_ATTEMPTS = 3;

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasServerBinaries(dir: string): boolean {
  return ['initdb', 'pg_ctl', 'postgres'].every((name) => isExecutable(join(dir, name)));
}

function versionOf(dir: string): number {
  const match = /postgresql\/(\d+(?:\.\d+)?)\//.exec(dir) ?? /pgsql-(\d+)/.exec(dir);
  return match?.[1] ? Number(match[1]) : 0;
}

/**
 * The folder holding initdb, pg_ctl and postgres: initdb's real folder when it is on PATH
 * (Debian's /usr/local/bin links point into /usr/lib/postgresql/N/bin), else the newest
 * /usr/lib/postgresql/N/bin (or /usr/pgsql-N/bin). Throws a clear error when there is none.
 */
function findPostgresBinDir(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const initdb = join(dir, 'initdb');
    if (!isExecutable(initdb)) continue;
    try {
      const real = dirname(realpathSync(initdb));
      if (hasServerBinaries(real)) return real;
    } catch {
      // a dangling link: keep looking
    }
  }
  const candidates: string[] = [];
  const list = (parent: string, toBin: (entry: string) => string): void => {
    try {
      for (const entry of readdirSync(parent)) candidates.push(toBin(entry));
    } catch {
      // parent missing
    }
  };
  list('/usr/lib/postgresql', (entry) => join('/usr/lib/postgresql', entry, 'bin'));
  list('/usr', (entry) => (entry.startsWith('pgsql') ? join('/usr', entry, 'bin') : ''));
  const found = candidates.filter((dir) => dir && hasServerBinaries(dir));
  found.sort((a, b) => versionOf(b) - versionOf(a));
  if (found[0]) return found[0];
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH nor under /usr/lib/postgresql/*/bin. ' +
      'Install them (Debian: apt-get install postgresql) to run the tests that need a real PostgreSQL.',
  );
}

/** The account the server runs as: ourselves, or `postgres` (else `nobody`) when we are root. */
function serverAccount(): RunAs & { name: string } {
  if (process.getuid?.() !== 0) return { name: 'current user' };
  let passwd = '';
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    // no /etc/passwd: handled below
  }
  for (const name of ['postgres', 'nobody']) {
    const line = passwd.split('\n').find((row) => row.startsWith(`${name}:`));
    const fields = line?.split(':');
    const uid = Number(fields?.[2]);
    const gid = Number(fields?.[3]);
    if (fields && Number.isInteger(uid) && Number.isInteger(gid) && uid !== 0) return { name, uid, gid };
  }
  throw new Error('Running as root, and neither a "postgres" nor a "nobody" user exists to run PostgreSQL as.');
}

function run(file: string, args: string[], as: RunAs, cwd: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        cwd,
        // A clean environment: no PGPORT/PGDATA/PGHOST from the developer's shell.
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, LC_ALL: 'C', LANG: 'C' },
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        encoding: 'utf8',
        maxBuffer: 4 * 1024 * 1024,
        ...(as.uid !== undefined ? { uid: as.uid } : {}),
        ...(as.gid !== undefined ? { gid: as.gid } : {}),
      },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
        if (!err) return resolve({ code: 0, stdout, stderr, timedOut: false });
        resolve({
          code: typeof err.code === 'number' ? err.code : null,
          stdout,
          stderr: stderr || err.message,
          timedOut: err.killed === true,
        });
      },
    );
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie nobody reaps (PID 1 in some containers) counts as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isAlive(pid);
}

function killNow(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Servers not stopped yet; killed when the worker exits (a test that forgot stop(), a crash). */
const live = new Map<string, () => number | undefined>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [dir, pid] of live) {
      killNow(pid());
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

function quoteConf(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export async function startPostgres(options: PostgresOptions = {}): Promise<RunningPostgres> {
  const binDir = findPostgresBinDir();
  const account = serverAccount();
  const user = options.user ?? 'postgres';
  // /tmp keeps the Unix socket path short (108-byte limit) and is traversable by the postgres user.
  const base = existsSync('/tmp') ? '/tmp' : tmpdir();
  const dir = await mkdtemp(join(base, POSTGRES_DIR_PREFIX));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  installExitHook();
  live.set(dir, () => postmasterPid(dataDir));

  const cleanup = async (): Promise<void> => {
    const pid = postmasterPid(dataDir);
    if (pid !== undefined && isAlive(pid)) {
      await run(
        join(binDir, 'pg_ctl'),
        ['-D', dataDir, '-m', 'immediate', '-w', '-t', '10', 'stop'],
        account,
        dir,
        15_000,
      );
      if (!(await waitGone(pid, 2_000))) {
        killNow(pid);
        await waitGone(pid, 5_000);
      }
    }
    live.delete(dir);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await chmod(dir, 0o700);
    if (account.uid !== undefined && account.gid !== undefined) await chown(dir, account.uid, account.gid);

    const initdbArgs = ['-D', dataDir, '-U', user, '-E', 'UTF8', '--locale=C', '--no-sync', '--auth-local=trust'];
    if (options.password !== undefined) {
      const pwfile = join(dir, 'pwfile');
      await writeFile(pwfile, `${options.password}\n`, { mode: 0o600 });
      if (account.uid !== undefined && account.gid !== undefined) await chown(pwfile, account.uid, account.gid);
      initdbArgs.push('--auth-host=scram-sha-256', `--pwfile=${pwfile}`);
    } else {
      initdbArgs.push('--auth-host=trust');
    }
    const initdb = await run(join(binDir, 'initdb'), initdbArgs, account, dir, INITDB_TIMEOUT_MS);
    if (initdb.code !== 0) {
      throw new Error(
        `initdb failed${initdb.timedOut ? ' (timed out)' : ''}:\n${tail(initdb.stderr || initdb.stdout)}`,
      );
    }
    await rm(join(dir, 'pwfile'), { force: true });

    let port = 0;
    let lastError = '';
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      port = await freePort();
      // Later lines win, so each attempt appends its port. No pg_ctl -o: that string goes through a shell.
      const settings = [
        `port = ${port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = ${quoteConf(dir)}`,
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
      ];
      await appendFile(join(dataDir, 'postgresql.conf'), `\n# dec test server\n${settings.join('\n')}\n`);
      const start = await run(
        join(binDir, 'pg_ctl'),
        ['-D', dataDir, '-l', logFile, '-w', '-t', String(PG_CTL_WAIT_S), 'start'],
        account,
        dir,
        (PG_CTL_WAIT_S + 10) * 1000,
      );
      if (start.code === 0 && postmasterPid(dataDir) !== undefined) break;
      const log = await readFile(logFile, 'utf8').catch(() => '');
      lastError = `pg_ctl start failed${start.timedOut ? ' (timed out)' : ''}:\n${tail(start.stderr || start.stdout)}\n--- server log ---\n${tail(log)}`;
      // A half-started server: stop it before trying again or giving up.
      const pid = postmasterPid(dataDir);
      if (pid !== undefined) {
        killNow(pid);
        await waitGone(pid, 5_000);
        await rm(join(dataDir, 'postmaster.pid'), { force: true });
      }
      const portTaken = /could not bind|Address already in use|already in use/i.test(log);
      if (!portTaken || attempt === START_ATTEMPTS) throw new Error(lastError);
      port = 0;
    }
    const pid = postmasterPid(dataDir);
    if (!port || pid === undefined) throw new Error(lastError || 'PostgreSQL did not start');

    const database = options.database ?? 'postgres';
    if (database !== 'postgres') {
      const created = await run(
        join(binDir, 'createdb'),
        ['-h', dir, '-p', String(port), '-U', user, database],
        account,
        dir,
        15_000,
      );
      if (created.code !== 0) throw new Error(`createdb ${database} failed:\n${tail(created.stderr)}`);
    }

    let stopping: Promise<void> | undefined;
    const auth =
      options.password !== undefined
        ? `${encodeURIComponent(user)}:${encodeURIComponent(options.password)}`
        : encodeURIComponent(user);
    return {
      host: '127.0.0.1',
      port,
      user,
      ...(options.password !== undefined ? { password: options.password } : {}),
      database,
      pid,
      connectionString: `postgres://${auth}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
      dir,
      binDir,
      stop: () => (stopping ??= cleanup()),
    };
  } catch (error) {
    await cleanup().catch(() => undefined);
    throw error;
  }
}

/**
 * Runs `sql` as the course's login (root/root on ny_taxi), on 127.0.0.1:`port`: a dec-made week-1
 * Postgres. One connection per call, closed afterwards.
 */
export async function queryCourseDatabase<T = Record<string, unknown>>(port: number, sql: string): Promise<T[]> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'root',
    password: 'root',
    database: 'ny_taxi',
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * A connected client for a test's own server, kept for the whole file (close it with `end()` in
 * afterAll). Errors after connecting (the server stopped by the test) are the test's to see in its
 * queries, not an unhandled 'error' event.
 */
export async function connectedClient(
  connectionString: string,
  options: { statementTimeoutMs?: number } = {},
): Promise<import('pg').Client> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString,
    connectionTimeoutMillis: 10_000,
    ...(options.statementTimeoutMs !== undefined ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
