// dec setup week1 against the real engine, with a Postgres image built from this machine's binaries
// and a busybox stand-in for pgAdmin (no registry is reachable), passed with --image.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { queryCourseDatabase } from '../helpers/postgres.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  httpGetLocal,
  docker,
  dockerCli,
  ensureBusyboxImage,
  freePort,
  removeDecProject,
  requireDocker,
  waitUntil,
} from '../helpers/docker.js';
import {
  ensurePostgresImage,
  imageWithCommand,
  pgadminStandInCommand,
  POSTGRES_TEST_IMAGE,
  PGADMIN_TEST_IMAGE,
} from '../helpers/images.js';
import { DEC_BIN, makeSandbox, runDec, type RunResult, type Sandbox } from '../helpers/run.js';
import { noOverrides } from '../../src/setup/spec.js';
import { saveOverrides } from '../../src/setup/state.js';
import { lockStack } from '../../src/setup/lock.js';

const STANDIN = 'dec-test/pgadmin-standin:2';
const NEVER_READY = 'dec-test/never-ready:2';

let sandbox: Sandbox;
let pgPort: number;
let adminPort: number;

const removeStack = () => removeDecProject(sandbox.project);
/** The remembered flags of this suite's week-1 stack. */
const stateFile = () => join(sandbox.decHome, 'stacks', sandbox.project, 'dez-2022-week1.json');
/** The flags the suite's stack runs with (the images no registry has, the free ports). */
const baseFlags = () => [
  '--image',
  `pgdatabase=${POSTGRES_TEST_IMAGE}`,
  '--image',
  `pgadmin=${STANDIN}`,
  '--port',
  `pgdatabase=${pgPort}`,
  '--port',
  `pgadmin=${adminPort}`,
];
/** A name in this suite's own project: `<project>-week1-<name>`. */
const named = (name: string) => `${sandbox.project}-week1-${name}`;
const stackFilter = () => `label=dec.project=${sandbox.project}`;

const dec = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
  runDec(args, { cwd: sandbox.home, env: { ...sandbox.env, ...env }, timeoutMs: 120_000 });

const setup = (...extra: string[]) => dec(['setup', 'week1', ...extra]);

const query = <T = Record<string, unknown>>(sql: string) => queryCourseDatabase<T>(pgPort, sql);

async function stackContainers(): Promise<string[]> {
  return (await docker(['ps', '-a', '--filter', stackFilter(), '--format', '{{.Names}} {{.State}}']))
    .split('\n')
    .filter(Boolean)
    .sort();
}

async function volumeExists(name: string): Promise<boolean> {
  return (await dockerCli(['volume', 'inspect', name])).code === 0;
}

/** The flags of the suite's stack remembered, as if a first setup had applied them. */
const rememberBaseFlags = () =>
  saveOverrides(sandbox.env, 'dez-2022', 'week1', {
    ...noOverrides(),
    images: { pgdatabase: POSTGRES_TEST_IMAGE, pgadmin: STANDIN },
    ports: { pgdatabase: pgPort, pgadmin: adminPort },
  });

// Each test states the stack it starts from with one of these, so that it passes alone
// (`vitest run -t '<name>'`) as well as after the test before it; in file order they are cheap, since the
// test before left the stack that way (a setup with nothing to change takes a second or two).

/** No container, volume or network of the suite's project; the base flags remembered. */
async function fromNothing(): Promise<void> {
  await removeStack();
  await rememberBaseFlags();
}

/** Both services up with the base flags (and `extra`), and only those remembered. */
async function stackUp(...extra: string[]): Promise<void> {
  const run = await setup('--reset', ...baseFlags(), ...extra);
  expect(run.code, `the stack this test starts from: ${run.stderr}`).toBe(0);
}

/** Postgres up, pgAdmin's container gone (both flags still remembered: --only would remember only its own). */
async function postgresOnly(): Promise<void> {
  await stackUp();
  const down = await dec(['teardown', 'week1', '--only', 'pgadmin']);
  expect(down.code, down.stderr).toBe(0);
}

/** A table of the student's own in the stack's Postgres: `kept`, holding one row, 42. */
async function keptRow(): Promise<void> {
  await query('create table if not exists kept (id int)');
  await query('delete from kept');
  await query('insert into kept values (42)');
}

beforeAll(async () => {
  await requireDocker();
  await ensurePostgresImage();
  await ensureBusyboxImage();
  await imageWithCommand(STANDIN, PGADMIN_TEST_IMAGE, pgadminStandInCommand());
  await imageWithCommand(NEVER_READY, PGADMIN_TEST_IMAGE, ['sleep', '100000']);
  sandbox = makeSandbox();
  mkdirSync(sandbox.home, { recursive: true });
  pgPort = await freePort();
  adminPort = await freePort();
  // Remembered as if a first setup had applied them: every later run uses them without the flags.
  await rememberBaseFlags();
}, 240_000);

afterAll(async () => {
  await removeStack();
  rmSync(sandbox.root, { recursive: true, force: true });
}, 60_000);

// Each test may start Postgres from an empty volume: seconds when idle, far more on a loaded runner.
describe('dec setup week1', { timeout: 180_000 }, () => {
  it('--dry-run prints the plan and creates nothing', async () => {
    await fromNothing();
    const run = await setup('--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `create and start ${named('pgdatabase')} (${POSTGRES_TEST_IMAGE}, 127.0.0.1:${pgPort}->5432)`,
    );
    expect(await stackContainers()).toEqual([]);
    expect(await volumeExists(named('ny_taxi_postgres_data'))).toBe(false);
  });

  it('an unreachable engine is a clear error, exit 2', async () => {
    const run = await dec(['setup', 'week1'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Cannot reach the Docker engine');
    expect(run.stderr).not.toContain('    at ');
  });

  it('from nothing: both services ready, published on 127.0.0.1, with what to do next', async () => {
    await fromNothing();
    const run = await setup();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('is ready');
    // No terminal: no prompt, but the command to load the week's data.
    expect(run.stdout).toContain("Load the week's data: dec data load yellow 2021-01 && dec data load zones");
    expect(run.stdout).toContain(`psql -h localhost -p ${pgPort} -U root -d ny_taxi`);
    expect(run.stdout).toContain(`http://localhost:${adminPort}`);
    expect(run.stdout + run.stderr).not.toMatch(/password[^\n]*root/i);
    expect(await query('select 1 as one')).toEqual([{ one: 1 }]);
    expect((await httpGetLocal(adminPort, '/misc/ping')).status).toBe(200);
    const bindings = await docker(['inspect', '--format', '{{json .HostConfig.PortBindings}}', named('pgdatabase')]);
    expect(bindings).toContain('"HostIp":"127.0.0.1"');
    const labels = await docker(['inspect', '--format', '{{json .Config.Labels}}', named('pgdatabase')]);
    expect(labels).toContain('"dec.stack":"week1"');
    const aliases = await docker(['inspect', '--format', '{{json .NetworkSettings.Networks}}', named('pgdatabase')]);
    expect(aliases).toContain('pg-database');
    const servers = await docker(['exec', named('pgadmin'), 'cat', '/pgadmin4/servers.json']);
    expect(servers).toContain('"Host": "pgdatabase"');
    // The setup step is marked done in progress, and is not taken for a stale topic.
    expect(readFileSync(join(sandbox.decHome, 'progress.json'), 'utf8')).toContain('week-1/setup');
    const progress = JSON.parse((await dec(['progress', '--json'])).stdout) as { orphans: string[] };
    expect(progress.orphans).toEqual([]);
    const week = JSON.parse((await dec(['weeks', 'show', '1', '--json'])).stdout) as {
      week: { setupDoneAt: string | null };
    };
    expect(week.week.setupDoneAt).not.toBeNull();
  });

  // How fast the re-run is: bench/setup.mjs, against a check by hand in the same run.
  it('re-run with everything up: reports, changes nothing', async () => {
    await stackUp();
    const before = await docker(['ps', '--filter', stackFilter(), '--format', '{{.ID}} {{.CreatedAt}}']);
    const run = await setup();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('nothing to change');
    expect(await docker(['ps', '--filter', stackFilter(), '--format', '{{.ID}} {{.CreatedAt}}'])).toBe(before);
  });

  it('status lists each service, its readiness, ports and volume', async () => {
    await stackUp();
    const run = await dec(['setup', 'status', '1', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      stacks: Array<{
        services: Array<{
          service: string;
          state: string;
          ready: boolean;
          volumes: Array<{ name: string; created: boolean | null; bytes: number | null }>;
        }>;
      }>;
    };
    const services = doc.stacks[0]!.services;
    expect(services.map((s) => [s.service, s.state, s.ready])).toEqual([
      ['pgdatabase', 'running', true],
      ['pgadmin', 'running', true],
    ]);
    expect(services[0]!.volumes[0]).toMatchObject({ name: named('ny_taxi_postgres_data'), created: true });
  });

  it('data survives --down and a new setup', async () => {
    await stackUp();
    await keptRow();
    const down = await dec(['teardown', 'week1']);
    expect(down.code, down.stderr).toBe(0);
    expect(await stackContainers()).toEqual([]);
    expect(await volumeExists(named('ny_taxi_postgres_data'))).toBe(true);
    const again = await setup();
    expect(again.code, again.stderr).toBe(0);
    expect(await query('select id from kept')).toEqual([{ id: 42 }]);
  });

  it('after --down and a new setup, tables the week loads that hold rows are named, and not offered again', async () => {
    await stackUp();
    await query('drop table if exists zones');
    await query('create table zones (id int)');
    await query('insert into zones values (1), (2), (3)');
    expect((await dec(['teardown', 'week1'])).code).toBe(0);
    const again = await setup();
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Already in Postgres: zones (3 rows); kept as they are');
    expect(again.stdout).toContain("Load the week's data: dec data load yellow 2021-01\n");
    expect(again.stdout).not.toContain('dec data load zones');
    await query('drop table zones');
  });

  it('a stopped container is started again, with its data', async () => {
    await stackUp();
    await keptRow();
    await docker(['stop', named('pgdatabase')]);
    const run = await setup();
    expect(run.code, run.stderr).toBe(0);
    expect(await query('select id from kept')).toEqual([{ id: 42 }]);
  });

  it('a changed flag on a running stack: said in the plan (--dry-run too), applied by a recreate keeping the volume, then remembered', async () => {
    await stackUp();
    await keptRow();
    const before = readFileSync(stateFile(), 'utf8');
    const preview = await setup('--env', 'pgadmin.EXTRA=1', '--dry-run');
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain(`recreate ${named('pgadmin')} with the changed settings`);
    const compose = await setup('--env', 'pgadmin.EXTRA=1', '--print-compose');
    expect(compose.stdout).toContain('EXTRA');
    // Neither --dry-run nor --print-compose remembers a flag.
    expect(readFileSync(stateFile(), 'utf8')).toBe(before);
    const oldId = await docker(['inspect', '--format', '{{.Id}}', named('pgadmin')]);
    const run = await setup('--env', 'pgadmin.EXTRA=1');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${named('pgadmin')}: recreated with its volume`);
    expect(await docker(['inspect', '--format', '{{json .Config.Env}}', named('pgadmin')])).toContain('EXTRA=1');
    expect(await docker(['inspect', '--format', '{{.Id}}', named('pgadmin')])).not.toBe(oldId);
    expect(readFileSync(stateFile(), 'utf8')).toContain('EXTRA');
    expect(await stackContainers()).toEqual([`${named('pgadmin')} running`, `${named('pgdatabase')} running`]);
    expect(await query('select id from kept')).toEqual([{ id: 42 }]);
    // Nothing left to apply: the next run changes nothing.
    expect((await setup()).stdout).toContain('nothing to change');
  });

  it('a recreate whose new container never gets ready puts the old one back; the flag is not remembered', async () => {
    await stackUp();
    const oldId = (await docker(['inspect', '--format', '{{.Id}}', named('pgadmin')])).trim();
    const run = await setup('--image', `pgadmin=${NEVER_READY}`, '--timeout', '3');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(`The previous ${named('pgadmin')} was put back`);
    expect((await docker(['inspect', '--format', '{{.Id}} {{.State.Running}}', named('pgadmin')])).trim()).toBe(
      `${oldId} true`,
    );
    expect(await stackContainers()).toEqual([`${named('pgadmin')} running`, `${named('pgdatabase')} running`]);
    expect(readFileSync(stateFile(), 'utf8')).not.toContain(NEVER_READY);
  });

  it('a container that differs for another reason than this run is reported, and replaced only with --recreate', async () => {
    await stackUp();
    await keptRow();
    // As if the remembered settings had changed outside any run (by hand, or another version of dec).
    const file = JSON.parse(readFileSync(stateFile(), 'utf8')) as { env: Record<string, Record<string, string>> };
    file.env.pgadmin = { EXTRA: '2' };
    writeFileSync(stateFile(), JSON.stringify(file));
    const changed = await setup();
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('differs from the syllabus');
    const recreated = await setup('--recreate');
    expect(recreated.code, recreated.stderr).toBe(0);
    expect(await docker(['inspect', '--format', '{{json .Config.Env}}', named('pgadmin')])).toContain('EXTRA=2');
    expect(await query('select id from kept')).toEqual([{ id: 42 }]);
  });

  it('--reset forgets the remembered flags and applies the syllabus settings (plus the flags given with it)', async () => {
    // pgAdmin runs with a flag of an earlier run, remembered.
    await stackUp('--env', 'pgadmin.EXTRA=2');
    await keptRow();
    const run = await setup('--reset', ...baseFlags());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${named('pgadmin')}: recreated with its volume`);
    expect(await docker(['inspect', '--format', '{{json .Config.Env}}', named('pgadmin')])).not.toContain('EXTRA');
    expect(readFileSync(stateFile(), 'utf8')).not.toContain('EXTRA');
    expect(await query('select id from kept')).toEqual([{ id: 42 }]);
  });

  it('--down and --destroy with --dry-run change nothing, whatever the other flags', async () => {
    await stackUp();
    await keptRow();
    const before = await stackContainers();
    expect(before).toHaveLength(2);
    for (const flags of [
      ['--down', '--dry-run'],
      ['--destroy', '--yes', '--dry-run'],
      ['--destroy', '--dry-run'],
    ]) {
      const run = await setup(...flags);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('Nothing was changed');
      expect(await stackContainers()).toEqual(before);
      expect(await volumeExists(named('ny_taxi_postgres_data'))).toBe(true);
    }
    const teardown = await dec(['teardown', 'week1', '--destroy', '--yes', '--dry-run', '--json']);
    expect(JSON.parse(teardown.stdout)).toMatchObject({
      dryRun: true,
      removedVolumes: [named('ny_taxi_postgres_data'), named('pgadmin_data')],
    });
    expect(await stackContainers()).toEqual(before);
    expect(await query('select id from kept')).toEqual([{ id: 42 }]);
  });

  it('--down --only removes only those services; --print-compose with --down is refused, not done', async () => {
    await stackUp();
    const refused = await setup('--down', '--print-compose');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--print-compose does not go with --down');
    expect(await stackContainers()).toHaveLength(2);
    const down = await dec(['teardown', 'week1', '--only', 'pgadmin']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain(`removed 1 container (${named('pgadmin')})`);
    expect(await stackContainers()).toEqual([`${named('pgdatabase')} running`]);
    const back = await setup();
    expect(back.code, back.stderr).toBe(0);
    expect(await stackContainers()).toHaveLength(2);
  });

  it('--destroy needs --yes without a terminal, then removes the data', async () => {
    await stackUp();
    const refused = await setup('--destroy');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect(await volumeExists(named('ny_taxi_postgres_data'))).toBe(true);
    const destroyed = await setup('--destroy', '--yes');
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(await stackContainers()).toEqual([]);
    expect(await volumeExists(named('ny_taxi_postgres_data'))).toBe(false);
  });

  it('a port held by another listener: names it, suggests --port, changes nothing', async () => {
    await fromNothing();
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(pgPort, '127.0.0.1', resolve));
    try {
      const run = await setup();
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`port ${pgPort} (for pgdatabase) is held by`);
      expect(run.stderr).toContain(`--port pgdatabase=${pgPort + 1}`);
      expect(await stackContainers()).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('an interrupted first start leaves no half-initialised volume behind: the next setup logs in', async () => {
    await fromNothing();
    // --timeout 1 stops the wait while the entrypoint is still initialising the new volume (it takes
    // several seconds here); a volume left like that would refuse the login forever after.
    const cut = await setup('--only', 'pgdatabase', '--timeout', '1');
    if (cut.code !== 0) {
      expect(cut.code, cut.stderr).toBe(1);
      expect(cut.stderr).toContain(`the new volume ${named('ny_taxi_postgres_data')}`);
      expect(await volumeExists(named('ny_taxi_postgres_data'))).toBe(false);
    }
    const again = await setup('--only', 'pgdatabase');
    expect(again.code, again.stderr).toBe(0);
    expect(await query('select 1 as one')).toEqual([{ one: 1 }]);
  });

  it('a service that never gets ready: shows its logs, removes what this run created, keeps volumes', async () => {
    await postgresOnly();
    const run = await setup('--image', `pgadmin=${NEVER_READY}`, '--timeout', '4');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('pgadmin did not become ready');
    expect(run.stderr).toContain('Last 30 log lines');
    expect(await stackContainers()).toEqual([`${named('pgdatabase')} running`]);
    expect(await volumeExists(named('ny_taxi_postgres_data'))).toBe(true);
    // A failed run remembers none of its flags.
    expect(readFileSync(stateFile(), 'utf8')).not.toContain(NEVER_READY);
  });

  it('Ctrl-C while waiting: exit 130, the containers this run created are removed, volumes kept', async () => {
    await postgresOnly();
    const child = spawn(
      process.execPath,
      [DEC_BIN, 'setup', 'week1', '--image', `pgadmin=${NEVER_READY}`, '--timeout', '60'],
      {
        cwd: sandbox.home,
        env: sandbox.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await waitUntil(
        async () =>
          (await docker(['ps', '--filter', `name=${named('pgadmin')}`, '--filter', 'status=running', '-q'])).trim() ||
          undefined,
        {
          timeoutMs: 30_000,
          intervalMs: 200,
          what: 'the pgadmin container to run',
        },
      );
      child.kill('SIGINT');
      expect(await exited).toBe(130);
    } finally {
      child.kill('SIGKILL');
    }
    expect(stderr).toContain('Interrupted');
    expect(stderr).toContain('Removed the containers this run created');
    expect(await stackContainers()).toEqual([`${named('pgdatabase')} running`]);
    expect(await volumeExists(named('ny_taxi_postgres_data'))).toBe(true);
    expect(readFileSync(stateFile(), 'utf8')).not.toContain(NEVER_READY);
  });

  it('an image no registry has: retried, then a clear error; nothing left behind', async () => {
    await rememberBaseFlags();
    expect((await dec(['teardown', 'week1'])).code).toBe(0);
    const run = await setup('--only', 'pgdatabase', '--image', 'pgdatabase=dec-test/not-there:1');
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('Cannot pull dec-test/not-there:1 (tried 3 times)');
    expect(run.stderr).toContain('--image');
    expect(await stackContainers()).toEqual([]);
  });

  it('a password the existing data volume does not know: a quick, clear failure', async () => {
    // The volume initialised with the course password, no container.
    await stackUp();
    expect((await dec(['teardown', 'week1'])).code).toBe(0);
    // "Quick": well within the readiness timeout of 60 s, which a wrong password would otherwise wait out.
    const started = Date.now();
    const run = await dec(['setup', 'week1', '--only', 'pgdatabase', '--timeout', '60'], {
      DEC_PGDATABASE_POSTGRES_PASSWORD: 'not-the-first-one',
    });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('initialised with another one');
    expect(run.stderr).not.toContain('not-the-first-one');
  });

  it('a password from the environment is used, and neither printed nor stored', async () => {
    await rememberBaseFlags();
    expect((await dec(['setup', 'week1', '--destroy', '--yes'])).code).toBe(0);
    const run = await dec(['setup', 'week1', '--only', 'pgdatabase', '--image', `pgdatabase=${POSTGRES_TEST_IMAGE}`], {
      DEC_PGDATABASE_POSTGRES_PASSWORD: 'from-env-secret',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain('from-env-secret');
    expect(await docker(['inspect', '--format', '{{json .Config.Env}}', named('pgdatabase')])).toContain(
      'POSTGRES_PASSWORD=from-env-secret',
    );
    const stored = readFileSync(stateFile(), 'utf8');
    expect(stored).not.toContain('from-env-secret');
    // The next run without it does not take the container for one that differs.
    const without = await dec(['setup', 'week1', '--only', 'pgdatabase']);
    expect(without.code, without.stdout + without.stderr).toBe(0);
    expect(without.stdout).not.toContain('differs');
    expect((await dec(['setup', 'week1', '--destroy', '--yes'])).code).toBe(0);
  });

  it("--load puts a dataset into the stack's Postgres once it is up", async () => {
    await fromNothing();
    const zones =
      'LocationID,Borough,Zone,service_zone\n1,EWR,Newark Airport,EWR\n2,Queens,Jamaica Bay,Boro Zone\n3,Bronx,Allerton/Pelham Gardens,Boro Zone\n';
    const server = createHttpServer((req, res) => {
      if (req.url === '/taxi_zone_lookup.csv')
        res.writeHead(200, { 'content-length': Buffer.byteLength(zones) }).end(zones);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const fixture = join(sandbox.root, 'load-syllabus.yaml');
      const text = readFileSync(new URL('../../syllabus/dez-2022.yaml', import.meta.url), 'utf8')
        .replace('id: dez-2022', 'id: dez-2022-loadtest')
        .replace(
          'https://github.com/DataTalksClub/nyc-tlc-data/releases/download/misc/taxi_zone_lookup.csv',
          `http://127.0.0.1:${port}/taxi_zone_lookup.csv`,
        );
      writeFileSync(fixture, text);
      const run = await dec([
        'setup',
        'week1',
        '--syllabus',
        fixture,
        '--only',
        'pgdatabase',
        '--image',
        `pgdatabase=${POSTGRES_TEST_IMAGE}`,
        '--port',
        `pgdatabase=${pgPort}`,
        '--load',
        'zones',
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('3 rows from taxi_zone_lookup.csv into zones');
      expect(await query('select count(*)::int as n from zones')).toEqual([{ n: 3 }]);
    } finally {
      server.close();
      // The stack of another syllabus id: the next test starts from the suite's own.
      await removeStack();
    }
  });

  it("on a terminal, a setup offers to load the week's data not there yet; no changes nothing", async () => {
    // zones loaded (three rows), yellow not, and the containers gone: the setup on a terminal makes them.
    await stackUp();
    await query('drop table if exists zones');
    await query('create table zones (id int)');
    await query('insert into zones values (1), (2), (3)');
    expect((await dec(['teardown', 'week1'])).code).toBe(0);
    const command = [process.execPath, DEC_BIN, 'setup', 'week1'].map((part) => `'${part}'`).join(' ');
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      cwd: sandbox.home,
      env: { ...sandbox.env, TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    let screen = '';
    let answered = false;
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
      if (!answered && screen.includes('(y/N)')) {
        answered = true;
        child.stdin.write('n\r');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, screen).toBe(0);
    // zones is named with its rows, and only yellow is offered.
    expect(screen).toContain('Already in Postgres: zones (3 rows)');
    expect(screen).toContain("Load the week's data into Postgres now (yellow 2021-01)?");
    // No: the command to run later.
    expect(screen).toContain('Later: dec data load yellow 2021-01');
    expect(await stackContainers()).toHaveLength(2);
  });

  it('--print-compose holds no secret', async () => {
    await rememberBaseFlags();
    const run = await setup('--print-compose');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`container_name: ${named('pgdatabase')}`);
    expect(run.stdout).toContain(`127.0.0.1:${pgPort}:5432`);
    expect(run.stdout).not.toMatch(/POSTGRES_PASSWORD: root/);
  });
});

describe('dec setup week1 --only, in a project of its own', () => {
  it('starts the services named (repeatable, comma-separated), says only those, marks setup done only when all run', async () => {
    const own = makeSandbox();
    mkdirSync(own.home, { recursive: true });
    const run = (...args: string[]) =>
      runDec(['setup', 'week1', ...args], { cwd: own.home, env: own.env, timeoutMs: 120_000 });
    const flags = [
      '--image',
      `pgdatabase=${POSTGRES_TEST_IMAGE}`,
      '--image',
      `pgadmin=${STANDIN}`,
      '--port',
      `pgdatabase=${await freePort()}`,
      '--port',
      `pgadmin=${await freePort()}`,
    ];
    const progress = () => readFileSync(join(own.decHome, 'progress.json'), 'utf8');
    try {
      const one = await run('--only', 'pgdatabase', ...flags);
      expect(one.code, one.stderr).toBe(0);
      expect(one.stdout).toContain('pgdatabase (week1, --only) is ready.');
      expect(one.stdout).not.toContain(`${own.project}-week1-pgadmin`);
      expect(() => progress()).toThrow();
      // --only pgdatabase remembered only pgdatabase's flags: pgadmin's come again.
      const stored = readFileSync(join(own.decHome, 'stacks', own.project, 'dez-2022-week1.json'), 'utf8');
      expect(stored).toContain(POSTGRES_TEST_IMAGE);
      expect(stored).not.toContain(STANDIN);
      const both = await run('--only', 'pgdatabase,pgadmin', ...flags);
      expect(both.code, both.stderr).toBe(0);
      expect(both.stdout).toContain(`${own.project}-week1-pgadmin: created and started`);
      expect(both.stdout).not.toContain(`${own.project}-week1-pgdatabase: created`);
      expect(progress()).toContain('week-1/setup');
    } finally {
      await removeDecProject(own.project);
      own.cleanup();
    }
  }, 120_000);
});

describe('dec setup week1 twice at once, in a project of its own', () => {
  /** Creates a network through the API without the duplicate check, as a second racing setup did. */
  const createDuplicateNetwork = (name: string, labels: Record<string, string>): Promise<number> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ Name: name, CheckDuplicate: false, Labels: labels });
      const req = httpRequest(
        {
          socketPath: '/var/run/docker.sock',
          path: '/networks/create',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('timeout', () => req.destroy(new Error('the engine did not answer')));
      req.on('error', reject);
      req.end(body);
    });

  it('setups and teardowns wait for the holder of the stack lock (naming its pid); racing setups make one network; a duplicate network is repaired', async () => {
    const own = makeSandbox();
    mkdirSync(own.home, { recursive: true });
    await saveOverrides(own.env, 'dez-2022', 'week1', {
      ...noOverrides(),
      images: { pgdatabase: POSTGRES_TEST_IMAGE, pgadmin: STANDIN },
      ports: { pgdatabase: await freePort(), pgadmin: await freePort() },
    });
    const waiting = new RegExp(`Another dec setup week1 is running \\(pid ${process.pid}\\); waiting`);
    const waited = new Set<number>();
    // dec with a number: its stderr counts once it says it waits for the lock this test holds.
    const dec = (args: string[], id = 0) =>
      runDec(args, {
        cwd: own.home,
        env: own.env,
        timeoutMs: 120_000,
        onStderr: (stderr) => void (waiting.test(stderr) && waited.add(id)),
      });
    const run = (id?: number) => dec(['setup', 'week1', '--only', 'pgdatabase'], id);
    // The test holds the lock itself, as a setup under way would, for as long as it takes the others to
    // reach it (however slowly a loaded machine starts them): no race decides what is tested.
    const holdLock = () => lockStack(own.env, own.project, 'week1', { waitMs: 10_000, onWait: () => undefined });
    const untilWaiting = (...ids: number[]) =>
      waitUntil(async () => (ids.every((id) => waited.has(id)) ? true : undefined), {
        what: `dec ${ids.join(' and ')} to wait for the lock`,
        timeoutMs: 60_000,
      });
    const network = `${own.project}-pg-network`;
    const networks = async () =>
      (await docker(['network', 'ls', '--filter', `label=dec.project=${own.project}`, '--format', '{{.Name}}']))
        .split('\n')
        .filter(Boolean);
    try {
      let release = await holdLock();
      const racing = Promise.all([run(1), run(2)]);
      await untilWaiting(1, 2);
      await release();
      const [first, second] = await racing;
      expect(first.code, first.stderr).toBe(0);
      expect(second.code, second.stderr).toBe(0);
      expect(await networks()).toEqual([network]);
      // What two racing setups left before the lock: a second, empty network with the same name and labels.
      expect(await createDuplicateNetwork(network, { 'dec.project': own.project, 'dec.stack': 'week1' })).toBe(201);
      expect(await networks()).toEqual([network, network]);
      const repaired = await run();
      expect(repaired.code, repaired.stderr).toBe(0);
      expect(repaired.stderr).toContain(`There were 2 networks named ${network}`);
      expect(await networks()).toEqual([network]);
      // A teardown waits for a setup under way instead of racing it.
      release = await holdLock();
      const tearingDown = dec(['teardown', 'week1'], 3);
      await untilWaiting(3);
      await release();
      const tornDown = await tearingDown;
      expect(tornDown.code, tornDown.stderr).toBe(0);
      expect(tornDown.stdout).toContain(`removed 1 container (${own.project}-week1-pgdatabase)`);
    } finally {
      await removeDecProject(own.project);
      own.cleanup();
    }
  }, 120_000);
});
