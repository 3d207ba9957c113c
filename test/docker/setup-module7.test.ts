// dec setup module7 --syllabus dez-2026 (the streaming workshop: Redpanda, the Flink jobmanager and
// taskmanager, Postgres) and `dec run module7` against the real engine. No registry is reachable, so the
// images are stand-ins passed with --image (which also skips building the Flink image, FROM flink:2.2.0):
// Redpanda is busybox with a TCP listener on each of its ports (9092 for the host, 29092 in the network)
// and an `rpk`, the Flink image a busybox entrypoint that serves /overview on 8081 for `jobmanager`, runs
// for `taskmanager` and runs any other command as given, Postgres 18 the machine's own PostgreSQL with
// the 18 layout. What is proven is dec's part: the four services up and ready, the names the homework
// uses (workshop-redpanda-1, workshop-jobmanager-1) told as dec's, and `dec run module7` handing back the
// command's exit code. Every host port is a free one: Redpanda's first (8082) by --port redpanda=..., its
// others by --port redpanda.<container port>=..., and Redpanda advertises the moved Kafka port to the
// host. The file has its own sandbox (a dectest-* project);
// only that project's containers, volumes and network, and the anonymous volume the Postgres image's
// VOLUME makes (the stack gives it no named one, as the course), are removed, even when a test fails.
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, dockerCli, freePort, httpGetLocal, removeDecProject, requireDocker } from '../helpers/docker.js';
import { ensureStandIns2026, FLINK_STANDIN, mountsOf, networksOf, REDPANDA_STANDIN } from '../helpers/dez2026.js';
import { ensurePostgres18LayoutImage, POSTGRES18_LAYOUT_TEST_IMAGE } from '../helpers/images.js';
import { makeSandbox, noUnexpectedError, runDec, type RunResult } from '../helpers/run.js';

const box = makeSandbox();
const workspace = join(box.home, 'course');
const env: NodeJS.ProcessEnv = { ...box.env, NO_COLOR: '1' };
const ports = { redpanda: 0, kafka: 0, proxyInside: 0, kafkaInside: 0, jobmanager: 0, postgres: 0 };
/** Anonymous volumes of this project's containers, seen while they ran: removed in afterAll. */
const anonymous = new Set<string>();

const dec = (...args: string[]): Promise<RunResult> =>
  runDec(['--syllabus', 'dez-2026', ...args], { cwd: workspace, env, timeoutMs: 200_000 });
const named = (service: string) => `${box.project}-module7-${service}`;
const flags = () => [
  '--image',
  `redpanda=${REDPANDA_STANDIN}`,
  '--image',
  `jobmanager=${FLINK_STANDIN}`,
  '--image',
  `taskmanager=${FLINK_STANDIN}`,
  '--image',
  `postgres=${POSTGRES18_LAYOUT_TEST_IMAGE}`,
  '--port',
  `redpanda=${ports.redpanda}`,
  '--port',
  `redpanda.9092=${ports.kafka}`,
  '--port',
  `redpanda.28082=${ports.proxyInside}`,
  '--port',
  `redpanda.29092=${ports.kafkaInside}`,
  '--port',
  `jobmanager=${ports.jobmanager}`,
  '--port',
  `postgres=${ports.postgres}`,
];

async function containers(): Promise<string[]> {
  const out = await docker(['ps', '-a', '--filter', `label=dec.project=${box.project}`, '--format', '{{.Names}}']);
  return out.split('\n').filter(Boolean).sort();
}

async function rememberAnonymousVolumes(): Promise<void> {
  for (const name of await containers()) {
    for (const mount of await mountsOf(name)) {
      if (mount.Type === 'volume' && mount.Name && /^[0-9a-f]{64}$/.test(mount.Name)) anonymous.add(mount.Name);
    }
  }
}

/** Sends `text` to 127.0.0.1:port and resolves to what comes back first (the stand-in echoes). */
function echoFrom(port: number, text: string): Promise<string> {
  return new Promise((done, fail) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 5_000 });
    socket.once('connect', () => socket.write(text));
    socket.once('data', (data: Buffer) => {
      socket.destroy();
      done(data.toString());
    });
    socket.once('timeout', () => socket.destroy(new Error(`no answer on ${port}`)));
    socket.once('error', fail);
  });
}

beforeAll(async () => {
  await requireDocker();
  await Promise.all([ensurePostgres18LayoutImage(), ensureStandIns2026()]);
  // The workshop's folders, bound into the Flink containers (streaming/ and streaming/src/).
  mkdirSync(join(workspace, 'streaming', 'src', 'job'), { recursive: true });
  ports.redpanda = await freePort();
  ports.kafka = await freePort();
  ports.proxyInside = await freePort();
  ports.kafkaInside = await freePort();
  ports.jobmanager = await freePort();
  ports.postgres = await freePort();
}, 240_000);

afterAll(async () => {
  try {
    await rememberAnonymousVolumes().catch(() => {});
    await removeDecProject(box.project);
    for (const volume of anonymous) await dockerCli(['volume', 'rm', '-f', volume]);
  } finally {
    box.cleanup();
  }
}, 120_000);

describe(
  'dec setup module7 --syllabus dez-2026 (Redpanda, Flink, Postgres) and dec run module7',
  { timeout: 300_000 },
  () => {
    it('starts the four services, ready, and names the containers the homework calls workshop-*-1', async () => {
      const run = await dec('setup', 'module7', ...flags());
      await rememberAnonymousVolumes();
      expect(run.code, run.stderr).toBe(0);
      noUnexpectedError(run);
      expect(await containers()).toEqual(
        ['jobmanager', 'postgres', 'redpanda', 'taskmanager'].map((service) => named(service)),
      );
      // The workshop Postgres keeps its data in dec's named volume, so no teardown leaves an anonymous
      // volume of the image's behind.
      const postgresVolumes = (await mountsOf(named('postgres'))).filter((mount) => mount.Type === 'volume');
      expect(postgresVolumes.map((mount) => [mount.Name, mount.Destination])).toEqual([
        [named('workshop_postgres_data'), '/var/lib/postgresql'],
      ]);

      const status = await dec('setup', 'status', 'module7', '--json');
      expect(status.code, status.stderr).toBe(0);
      const doc = JSON.parse(status.stdout) as {
        stacks: Array<{ services: Array<{ service: string; state: string; ready: boolean }> }>;
      };
      expect(doc.stacks[0]!.services.map((s) => [s.service, s.state, s.ready]).sort()).toEqual(
        ['jobmanager', 'postgres', 'redpanda', 'taskmanager'].map((service) => [service, 'running', true]),
      );

      // The homework's names, told as dec's, and those are the real containers: `docker exec` as printed works.
      expect(run.stdout).toContain(
        `where it says workshop-redpanda-1 use ${named('redpanda')} (docker exec -it ${named('redpanda')} rpk version)`,
      );
      expect(run.stdout).toContain(`workshop-jobmanager-1 is ${named('jobmanager')}`);
      expect(run.stdout).toContain(`docker exec -it ${named('jobmanager')} flink run -py /opt/src/job/<job>.py`);
      expect(await docker(['exec', named('redpanda'), 'rpk', 'version'])).toContain('rpk stand-in');

      // Redpanda: the course's command reached the entrypoint, advertising the host port --port moved Kafka
      // to (and Pandaproxy's); Kafka answers there from the host and as redpanda:29092 inside the network.
      const args = (await docker(['exec', named('redpanda'), 'cat', '/tmp/args'])).trim();
      expect(args).toMatch(/^redpanda start /);
      expect(args).toContain(
        `--kafka-addr PLAINTEXT://0.0.0.0:29092,OUTSIDE://0.0.0.0:9092 --advertise-kafka-addr PLAINTEXT://redpanda:29092,OUTSIDE://localhost:${ports.kafka} `,
      );
      expect(args).toContain(
        `--advertise-pandaproxy-addr PLAINTEXT://redpanda:28082,OUTSIDE://localhost:${ports.redpanda} `,
      );
      expect(await echoFrom(ports.kafka, 'ping')).toBe('ping');
      expect((await docker(['port', named('redpanda'), '9092'])).trim()).toBe(`127.0.0.1:${ports.kafka}`);
      expect((await docker(['port', named('redpanda'), '29092'])).trim()).toBe(`127.0.0.1:${ports.kafkaInside}`);
      expect(run.stdout).toContain(`Redpanda:   localhost:${ports.kafka} from your machine`);
      const inside = await dockerCli(['exec', named('taskmanager'), 'sh', '-c', 'echo hello | nc redpanda 29092']);
      expect(inside.code, inside.stderr).toBe(0);
      expect(inside.stdout.trim()).toBe('hello');

      // Flink: the jobmanager's REST API (the readiness path) on the --port host port, the taskmanager
      // running with the course's arguments, the workshop's folders bound, all on the stack's network.
      expect((await httpGetLocal(ports.jobmanager, '/overview')).status).toBe(200);
      expect((await httpGetLocal(ports.jobmanager, '/args')).body.trim()).toBe('jobmanager');
      expect((await docker(['exec', named('taskmanager'), 'cat', '/tmp/args'])).trim()).toBe(
        'taskmanager --taskmanager.registration.timeout 5 min',
      );
      expect(await mountsOf(named('jobmanager'))).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Type: 'bind',
            Source: join(workspace, 'streaming'),
            Destination: '/opt/flink/usrlib',
          }),
          expect.objectContaining({
            Type: 'bind',
            Source: join(workspace, 'streaming', 'src'),
            Destination: '/opt/src',
          }),
        ]),
      );
      for (const service of ['redpanda', 'jobmanager', 'taskmanager', 'postgres']) {
        expect(Object.keys(await networksOf(named(service)))).toEqual([`${box.project}-streaming-network`]);
      }
      const toJobmanager = await dockerCli(['exec', named('taskmanager'), 'sh', '-c', 'echo | nc jobmanager 8081']);
      expect(toJobmanager.code, toJobmanager.stderr).toBe(0);

      // The workshop's Postgres: postgres/postgres/postgres on the --port host port.
      const db = new pg.Client({
        host: '127.0.0.1',
        port: ports.postgres,
        user: 'postgres',
        password: 'postgres',
        database: 'postgres',
        connectionTimeoutMillis: 5_000,
      });
      await db.connect();
      try {
        expect((await db.query<{ user: string }>('SELECT current_user AS user')).rows).toEqual([{ user: 'postgres' }]);
      } finally {
        await db.end();
      }
      const reach = await dockerCli(['exec', named('jobmanager'), 'sh', '-c', 'echo | nc postgres 5432']);
      expect(reach.code, reach.stderr).toBe(0);
    });

    it("dec run module7 <command> runs it in a one-off container of the jobmanager's image and exits with its code", async () => {
      // The stack as the test before left it (a setup with nothing to change when run in file order).
      const up = await dec('setup', 'module7', ...flags());
      await rememberAnonymousVolumes();
      expect(up.code, up.stderr).toBe(0);

      const ok = await dec('run', 'module7', 'sh', '-c', 'echo "in $(pwd)"; exit 0');
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('in /opt/src');
      for (const code of [3, 7]) {
        const failed = await dec('run', 'module7', 'sh', '-c', `exit ${code}`);
        expect(failed.code, failed.stderr).toBe(code);
        noUnexpectedError(failed);
      }
      // The one-off containers are gone; the stack's four are still there.
      const left = await docker([
        'ps',
        '-a',
        '--filter',
        `label=dec.project=${box.project}`,
        '--filter',
        'label=dec.run',
        '--format',
        '{{.Names}}',
      ]);
      expect(left.trim()).toBe('');
      expect(await containers()).toHaveLength(4);
    });
  },
);
