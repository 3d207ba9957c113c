// dec setup under faults a student (or their machine) causes, against the real engine: each gets one or
// two lines saying what is wrong and what to do, the right exit code, and nothing half-made. Every
// Docker resource here is this file's own: its sandboxes' dectest-* projects, or labelled dec.test=1.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { queryCourseDatabase } from '../helpers/postgres.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  docker,
  dockerCli,
  ensureBusyboxImage,
  freePort,
  removeDecProject,
  requireDocker,
  TEST_LABEL,
  waitUntil,
} from '../helpers/docker.js';
import { ensurePostgresImage, imageWithCommand, PGADMIN_TEST_IMAGE, POSTGRES_TEST_IMAGE } from '../helpers/images.js';
import { DEC_BIN, makeSandbox, noUnexpectedError, runDec, type RunResult, type Sandbox } from '../helpers/run.js';

const NEVER_READY = 'dec-test/never-ready:2';
const NO_COMMAND = 'dec-test/no-command:1';

const sandboxes: Sandbox[] = [];
/** Foreign containers this file made (labelled dec.test=1), removed after each test. */
const foreign: string[] = [];
const servers: Array<HttpServer | Server> = [];
const children: ChildProcess[] = [];

function sandbox(): Sandbox {
  const made = makeSandbox();
  mkdirSync(made.home, { recursive: true });
  sandboxes.push(made);
  return made;
}

const dec = (box: Sandbox, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<RunResult> =>
  runDec(args, { cwd: box.home, env: { ...box.env, ...env }, timeoutMs });

/** The args of `dec setup week1 --only pgdatabase` with this machine's Postgres image on `port`. */
const postgresArgs = (port: number): string[] => [
  'setup',
  'week1',
  '--only',
  'pgdatabase',
  '--image',
  `pgdatabase=${POSTGRES_TEST_IMAGE}`,
  '--port',
  `pgdatabase=${port}`,
];

/** `dec setup week1 --only pgdatabase` with this machine's Postgres image on a free port, plus `extra`. */
async function setupPostgres(box: Sandbox, ...extra: string[]): Promise<RunResult> {
  return dec(box, [...postgresArgs(await freePort()), ...extra]);
}

/** Every container, volume and network of the sandbox's project, as "kind name". */
async function projectResources(box: Sandbox): Promise<string[]> {
  const filter = `label=dec.project=${box.project}`;
  const list = async (kind: string, args: string[]) =>
    (await docker([...args, '--filter', filter]))
      .split('\n')
      .filter(Boolean)
      .map((name) => `${kind} ${name}`);
  return [
    ...(await list('container', ['ps', '-a', '--format', '{{.Names}}'])),
    ...(await list('volume', ['volume', 'ls', '--format', '{{.Name}}'])),
  ].sort();
}

/** A container that is not dec's (no dec labels; dec.test=1 so the suite knows it as its own). */
async function foreignContainer(name: string, args: string[] = [], cmd: string[] = ['sleep', '100000']) {
  foreign.push(name);
  await docker(['create', '--name', name, '--label', `${TEST_LABEL}=1`, ...args, PGADMIN_TEST_IMAGE, ...cmd]);
  return (await docker(['inspect', '--format', '{{.Id}}', name])).trim();
}

/** An image without CMD or ENTRYPOINT, as `docker import` without --change makes one. */
async function ensureNoCommandImage(): Promise<void> {
  if ((await dockerCli(['image', 'inspect', NO_COMMAND])).code === 0) return;
  const source = `dec-test-nocmd-src-${process.pid}`;
  await docker(['create', '--name', source, PGADMIN_TEST_IMAGE, 'sh']);
  try {
    const exporter = spawn('docker', ['export', source], { stdio: ['ignore', 'pipe', 'inherit'] });
    const importer = spawn('docker', ['import', '-', NO_COMMAND], { stdio: ['pipe', 'ignore', 'inherit'] });
    exporter.stdout.pipe(importer.stdin);
    const code = await new Promise<number | null>((resolve) => importer.on('close', resolve));
    if (code !== 0) throw new Error(`docker import exited with ${String(code)}`);
  } finally {
    await dockerCli(['rm', '-f', source]);
  }
}

function listen<T extends HttpServer | Server>(server: T): Promise<number> {
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

/**
 * A registry on 127.0.0.1 (the engine trusts loopback registries over plain HTTP). "broken": the
 * manifest is there but its blobs are not, so the engine answers the pull with 200 and then reports the
 * failure inside the progress stream. "hang": it never answers the manifest request.
 */
async function fakeRegistry(mode: 'broken' | 'hang'): Promise<{ port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = createHttpServer((req: IncomingMessage, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.url === '/v2/') {
      res.writeHead(200, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' });
      return res.end('{}');
    }
    if (mode === 'hang') return; // the manifest never comes
    if (req.url?.includes('/manifests/')) {
      const body = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          size: 10,
          digest: `sha256:${'a'.repeat(64)}`,
        },
        layers: [
          {
            mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
            size: 100,
            digest: `sha256:${'b'.repeat(64)}`,
          },
        ],
      });
      res.writeHead(200, {
        'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
        'content-length': Buffer.byteLength(body),
        'docker-content-digest': `sha256:${createHash('sha256').update(body).digest('hex')}`,
      });
      return res.end(req.method === 'HEAD' ? undefined : body);
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown' }] }));
  });
  const port = await listen(server);
  return { port, requests };
}

/** The built CLI, spawned as a student's shell would (so signals can be sent to it). */
function spawnDec(
  box: Sandbox,
  args: string[],
): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [DEC_BIN, ...args], {
    cwd: box.home,
    env: box.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

beforeAll(async () => {
  await requireDocker();
  await ensureBusyboxImage();
  await ensurePostgresImage();
  await imageWithCommand(NEVER_READY, PGADMIN_TEST_IMAGE, ['sleep', '100000']);
  await ensureNoCommandImage();
}, 240_000);

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const server of servers.splice(0)) {
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close();
  }
  for (const name of foreign.splice(0)) await dockerCli(['rm', '-f', name]);
}, 60_000);

afterAll(async () => {
  for (const box of sandboxes) {
    await removeDecProject(box.project);
    box.cleanup();
  }
}, 120_000);

describe('dec setup: what the engine refuses, told plainly (nothing half-made)', () => {
  it("a container with dec's name that dec did not make: says so and how to rename it; never removes it", async () => {
    const box = sandbox();
    const name = `${box.project}-week1-pgdatabase`;
    const id = await foreignContainer(name);
    const run = await setupPostgres(box);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`A container named ${name} already exists, and dec did not make it`);
    expect(run.stderr).toContain(`docker rename ${name}`);
    noUnexpectedError(run);
    expect((await docker(['inspect', '--format', '{{.Id}}', name])).trim()).toBe(id);
    // Its volume was new and never held data: removed with the rollback.
    expect(await projectResources(box)).toEqual([]);
  });

  it('an image reference with capitals: refused up front with the rule, exit 2, nothing made', async () => {
    const box = sandbox();
    for (const extra of [[], ['--dry-run']]) {
      const run = await dec(box, [
        'setup',
        'week1',
        '--only',
        'pgdatabase',
        '--image',
        'pgdatabase=Postgres:13',
        ...extra,
      ]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain('"Postgres:13" is not a valid image reference: image names must be lowercase');
      expect(run.stderr).toContain('postgres:13');
      noUnexpectedError(run);
    }
    expect(await projectResources(box)).toEqual([]);
    expect((await dockerCli(['network', 'inspect', `${box.project}-pg-network`])).code).not.toBe(0);
  });

  it('an image with no command: names the image and why, nothing made', async () => {
    const box = sandbox();
    const run = await dec(box, ['setup', 'week1', '--only', 'pgdatabase', '--image', `pgdatabase=${NO_COMMAND}`]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`The image ${NO_COMMAND} has no command to run (no CMD or ENTRYPOINT)`);
    expect(run.stderr).toContain('docker import');
    noUnexpectedError(run);
    expect(await projectResources(box)).toEqual([]);
  });

  it('an error inside the pull stream is the pull failure (not a 404 on create later)', async () => {
    const box = sandbox();
    const registry = await fakeRegistry('broken');
    const image = `127.0.0.1:${registry.port}/dectest/broken:1`;
    const run = await dec(box, ['setup', 'week1', '--only', 'pgdatabase', '--image', `pgdatabase=${image}`]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`Cannot pull ${image}`);
    expect(run.stderr).toContain('unknown blob');
    noUnexpectedError(run);
    expect(registry.requests.some((r) => r.includes('/manifests/'))).toBe(true);
    expect(await projectResources(box)).toEqual([]);
  });

  it('DOCKER_HOST at something that is not Docker: "is not a Docker engine", the variable to fix, exit 2, fast', async () => {
    const box = sandbox();
    const web = createHttpServer((_req, res) =>
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not Found</body></html>'),
    );
    const echo = createServer((socket) => socket.pipe(socket));
    for (const port of [await listen(web), await listen(echo)]) {
      const started = Date.now();
      const run = await dec(box, ['setup', 'week1', '--dry-run'], { DOCKER_HOST: `tcp://127.0.0.1:${port}` });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`tcp://127.0.0.1:${port} (from DOCKER_HOST) is not a Docker engine`);
      expect(run.stderr).toContain('DOCKER_HOST');
      noUnexpectedError(run);
      const doctor = await dec(box, ['doctor', '--only', 'docker-engine'], { DOCKER_HOST: `tcp://127.0.0.1:${port}` });
      expect(doctor.code, doctor.stderr).toBe(1);
      expect(doctor.stdout).toContain('is not a Docker engine');
      expect(doctor.stdout).toContain('[not-docker]');
    }
  });

  it("a port held by another dec project's week-1 Postgres: names that container and project, --port hint, exit 1, nothing made", async () => {
    const first = sandbox();
    const second = sandbox();
    const port = await freePort();
    const args = postgresArgs(port);
    const up = await dec(first, args);
    expect(up.code, up.stderr).toBe(0);
    const held = await dec(second, args);
    expect(held.code, held.stderr).toBe(1);
    expect(held.stderr).toContain(
      `port ${port} (for pgdatabase) is held by dec's week1 container ${first.project}-week1-pgdatabase (project ${first.project})`,
    );
    expect(held.stderr).toContain(`--port pgdatabase=${port + 1}`);
    expect(held.stderr).toContain(`DEC_PROJECT=${first.project} dec setup week1 --down`);
    noUnexpectedError(held);
    expect(await projectResources(second)).toEqual([]);
    expect(await docker(['network', 'ls', '-q', '--filter', `label=dec.project=${second.project}`])).toBe('');
  });

  it('a port held by a paused container or a docker-proxy no container owns: says unpause / restart, never kill', async () => {
    const box = sandbox();
    const port = await freePort();
    const name = `dec-test-paused-${process.pid}`;
    await foreignContainer(name, ['-p', `127.0.0.1:${port}:80`], ['httpd', '-f', '-p', '80', '-h', '/www']);
    await docker(['start', name]);
    await docker(['pause', name]);
    const held = await dec(box, postgresArgs(port));
    expect(held.code, held.stderr).toBe(1);
    expect(held.stderr).toContain(`is held by the container ${name}`);
    expect(held.stderr).toContain('(paused)');
    expect(held.stderr).toContain(`docker unpause ${name}`);
    expect(held.stderr).not.toMatch(/kill/);
    await docker(['unpause', name]);
    await docker(['rm', '-f', name]);

    // A docker-proxy left behind by the engine (here one started by hand, which no container owns).
    const proxyPort = await freePort();
    const proxy = spawn(
      '/usr/sbin/docker-proxy',
      [
        '-proto',
        'tcp',
        '-host-ip',
        '127.0.0.1',
        '-host-port',
        String(proxyPort),
        '-container-ip',
        '127.0.0.1',
        '-container-port',
        '9',
      ],
      // It reports "started" to its parent (dockerd) on fd 3, and stops without one.
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] },
    );
    children.push(proxy);
    await waitUntil(
      () =>
        new Promise<true | undefined>((resolve) => {
          const probe = createServer();
          probe.once('error', () => resolve(true));
          probe.listen(proxyPort, '127.0.0.1', () => probe.close(() => resolve(undefined)));
        }),
      { timeoutMs: 5000, what: 'docker-proxy to listen' },
    );
    const leaked = await dec(box, postgresArgs(proxyPort));
    expect(leaked.code, leaked.stderr).toBe(1);
    expect(leaked.stderr).toContain('a docker-proxy');
    expect(leaked.stderr).toContain('that no container owns');
    expect(leaked.stderr).toContain('restart docker');
    expect(await projectResources(box)).toEqual([]);
  });
});

describe('dec setup: a stack whose surroundings changed behind its back', () => {
  let box: Sandbox;
  let pgPort: number;
  const named = (name: string) => `${box.project}-week1-${name}`;

  const query = <T = Record<string, unknown>>(sql: string) => queryCourseDatabase<T>(pgPort, sql);

  beforeAll(async () => {
    box = sandbox();
    pgPort = await freePort();
    const run = await dec(box, postgresArgs(pgPort));
    expect(run.code, run.stderr).toBe(0);
    await query('create table kept (id int); insert into kept values (42)');
  }, 180_000);

  it('its network removed while it was stopped: setup recreates the network and reconnects, data kept', async () => {
    await docker(['stop', named('pgdatabase')]);
    await docker(['network', 'rm', `${box.project}-pg-network`]);
    const run = await dec(box, ['setup', 'week1', '--only', 'pgdatabase']);
    expect(run.code, run.stderr).toBe(0);
    noUnexpectedError(run);
    expect(await query('select id from kept')).toEqual([{ id: 42 }]);
    const networks = await docker(['inspect', '--format', '{{json .NetworkSettings.Networks}}', named('pgdatabase')]);
    expect(networks).toContain(`"${box.project}-pg-network"`);
    expect(networks).toContain('pg-database');
  }, 120_000);

  it('its own container paused: "unpause it", not "kill docker-proxy"', async () => {
    await docker(['pause', named('pgdatabase')]);
    try {
      const run = await dec(box, ['setup', 'week1', '--only', 'pgdatabase']);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`${named('pgdatabase')} is paused`);
      expect(run.stderr).toContain(`docker unpause ${named('pgdatabase')}`);
      expect(run.stderr).not.toMatch(/kill/);
      noUnexpectedError(run);
    } finally {
      await docker(['unpause', named('pgdatabase')]);
    }
    expect(await query('select id from kept')).toEqual([{ id: 42 }]);
  }, 60_000);

  it('--destroy while another container uses the volume: names it, and removes nothing', async () => {
    const user = `dec-test-volume-user-${process.pid}`;
    await foreignContainer(user, ['-v', `${named('ny_taxi_postgres_data')}:/data`]);
    const run = await dec(box, ['setup', 'week1', '--destroy', '--yes']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`${named('ny_taxi_postgres_data')} is used by ${user}`);
    expect(run.stderr).toContain('nothing was removed');
    noUnexpectedError(run);
    expect((await docker(['inspect', '--format', '{{.State.Status}}', named('pgdatabase')])).trim()).toBe('running');
    expect(await query('select id from kept')).toEqual([{ id: 42 }]);
  }, 60_000);
});

describe('dec setup: Ctrl-C and SIGHUP', () => {
  it('Ctrl-C during a pull acts within a second, exit 130, nothing left', async () => {
    const box = sandbox();
    const registry = await fakeRegistry('hang');
    const image = `127.0.0.1:${registry.port}/dectest/slow:1`;
    const run = spawnDec(box, ['setup', 'week1', '--only', 'pgdatabase', '--image', `pgdatabase=${image}`]);
    await waitUntil(async () => (registry.requests.some((r) => r.includes('/manifests/')) ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the engine to ask the registry for the manifest',
    });
    const sent = Date.now();
    run.child.kill('SIGINT');
    expect(await run.exited, run.stderr()).toBe(130);
    expect(Date.now() - sent).toBeLessThan(3000);
    expect(run.stderr()).toContain('Interrupted');
    expect(await projectResources(box)).toEqual([]);
  }, 60_000);

  for (const signals of [
    ['SIGINT', 'SIGINT'],
    ['SIGHUP', 'SIGINT'],
  ] as const) {
    it(`${signals.join(' then ')} while waiting for a service: the rollback still completes, nothing left`, async () => {
      const box = sandbox();
      const run = spawnDec(box, [
        'setup',
        'week1',
        '--only',
        'pgdatabase',
        '--image',
        `pgdatabase=${NEVER_READY}`,
        '--port',
        `pgdatabase=${await freePort()}`,
        '--timeout',
        '60',
      ]);
      await waitUntil(
        async () =>
          (
            await docker(['ps', '-q', '--filter', `label=dec.project=${box.project}`, '--filter', 'status=running'])
          ).trim() || undefined,
        { timeoutMs: 30_000, what: 'the container to run' },
      );
      run.child.kill(signals[0]);
      // The rollback stops the container (sleep ignores SIGTERM: a 3 s grace) while the next signal comes.
      await new Promise((resolve) => setTimeout(resolve, 300));
      run.child.kill(signals[1]);
      expect(await run.exited, run.stderr()).toBe(130);
      expect(run.stderr()).toContain('Removed the containers this run created');
      expect(await projectResources(box)).toEqual([]);
    }, 60_000);
  }
});
