// dec setup module1 --syllabus dez-2026 (the course as taught now: Postgres 18 and pgAdmin) against the
// real engine. No registry is reachable: Postgres 18 is the machine's own PostgreSQL with the layout of
// the official 18 image (PGDATA under /var/lib/postgresql/<major>/docker, its VOLUME at
// /var/lib/postgresql; a volume at /var/lib/postgresql/data makes it refuse to start, as postgres:18
// does), and pgAdmin the busybox stand-in, both passed with --image. What is proven is dec's part: the
// named volume at /var/lib/postgresql keeps the data across --down and a new setup, pgAdmin gets its
// registered server, both are on pg-network. The file has its own sandbox (a dectest-* project); only
// that project's containers, volumes and network are removed, in afterAll, even when a test fails.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, dockerCli, freePort, removeDecProject, requireDocker } from '../helpers/docker.js';
import { ensureStandIns2026, mountsOf, networksOf, PGADMIN_STANDIN } from '../helpers/dez2026.js';
import { ensurePostgres18LayoutImage, POSTGRES18_LAYOUT_TEST_IMAGE } from '../helpers/images.js';
import { queryCourseDatabase } from '../helpers/postgres.js';
import { makeSandbox, noUnexpectedError, runDec, type RunResult } from '../helpers/run.js';

const box = makeSandbox();
const env: NodeJS.ProcessEnv = { ...box.env, NO_COLOR: '1' };
let pgPort = 0;
let adminPort = 0;

const dec = (...args: string[]): Promise<RunResult> =>
  runDec([...args, '--syllabus', 'dez-2026'], { cwd: box.home, env, timeoutMs: 150_000 });
/** `<project>-module1-<service or volume>`: the names dec gives in this sandbox's project. */
const named = (name: string) => `${box.project}-module1-${name}`;
const network = () => `${box.project}-pg-network`;
const flags = () => [
  '--image',
  `pgdatabase=${POSTGRES18_LAYOUT_TEST_IMAGE}`,
  '--image',
  `pgadmin=${PGADMIN_STANDIN}`,
  '--port',
  `pgdatabase=${pgPort}`,
  '--port',
  `pgadmin=${adminPort}`,
];

async function containers(): Promise<string[]> {
  const out = await docker(['ps', '-a', '--filter', `label=dec.project=${box.project}`, '--format', '{{.Names}}']);
  return out.split('\n').filter(Boolean).sort();
}

beforeAll(async () => {
  await requireDocker();
  await Promise.all([ensurePostgres18LayoutImage(), ensureStandIns2026()]);
  mkdirSync(box.home, { recursive: true });
  pgPort = await freePort();
  adminPort = await freePort();
}, 240_000);

afterAll(async () => {
  try {
    await removeDecProject(box.project);
  } finally {
    box.cleanup();
  }
}, 120_000);

// A first start runs initdb: seconds when idle, far more on a loaded runner.
describe(
  'dec setup module1 --syllabus dez-2026 (Postgres 18 layout, pgAdmin, pg-network)',
  { timeout: 240_000 },
  () => {
    it('starts Postgres with its named volume at /var/lib/postgresql and pgAdmin with the server registered, on pg-network', async () => {
      const run = await dec('setup', 'module1', ...flags());
      expect(run.code, run.stderr).toBe(0);
      noUnexpectedError(run);
      expect(run.stdout).toContain(`postgresql://root@localhost:${pgPort}/ny_taxi`);
      expect(run.stdout).toContain(`pgAdmin:    http://localhost:${adminPort}`);
      expect(run.stdout).toContain(`on the network ${network()}, Postgres is pgdatabase:5432`);
      expect(await containers()).toEqual([named('pgadmin'), named('pgdatabase')]);

      // The data: one mount, the named volume, at the 18 layout's /var/lib/postgresql (no anonymous
      // volume beside it), and the cluster in it under PGDATA.
      expect(await mountsOf(named('pgdatabase'))).toEqual([
        expect.objectContaining({
          Type: 'volume',
          Name: named('ny_taxi_postgres_data'),
          Destination: '/var/lib/postgresql',
        }),
      ]);
      expect(
        (await docker(['exec', named('pgdatabase'), 'cat', '/var/lib/postgresql/15/docker/PG_VERSION'])).trim(),
      ).toBe('15');
      const [login] = await queryCourseDatabase<{ db: string; user: string }>(
        pgPort,
        'SELECT current_database() AS db, current_user AS user',
      );
      expect(login).toEqual({ db: 'ny_taxi', user: 'root' });

      // pgAdmin: the registered server file, pointing at pgdatabase on the network with the course's login.
      const servers = JSON.parse(await docker(['exec', named('pgadmin'), 'cat', '/pgadmin4/servers.json'])) as {
        Servers: Record<string, Record<string, unknown>>;
      };
      expect(Object.values(servers.Servers)).toEqual([
        expect.objectContaining({ Host: 'pgdatabase', Port: 5432, MaintenanceDB: 'ny_taxi', Username: 'root' }),
      ]);
      expect(await mountsOf(named('pgadmin'))).toEqual([
        expect.objectContaining({ Type: 'volume', Name: named('pgadmin_data'), Destination: '/var/lib/pgadmin' }),
      ]);

      // pg-network: both on it, Postgres by the course's name, which pgAdmin reaches.
      expect(Object.keys(await networksOf(named('pgdatabase')))).toEqual([network()]);
      expect((await networksOf(named('pgdatabase')))[network()]).toContain('pgdatabase');
      expect(Object.keys(await networksOf(named('pgadmin')))).toEqual([network()]);
      const reach = await dockerCli(['exec', named('pgadmin'), 'sh', '-c', 'echo | nc pgdatabase 5432']);
      expect(reach.code, reach.stderr).toBe(0);
      // Published on 127.0.0.1 only.
      expect((await docker(['port', named('pgdatabase'), '5432'])).trim()).toBe(`127.0.0.1:${pgPort}`);
    });

    it('keeps a row in the volume across --down and a new setup', async () => {
      const up = await dec('setup', 'module1', ...flags());
      expect(up.code, up.stderr).toBe(0);
      await queryCourseDatabase(pgPort, 'CREATE TABLE IF NOT EXISTS kept (id int)');
      await queryCourseDatabase(pgPort, 'DELETE FROM kept');
      await queryCourseDatabase(pgPort, 'INSERT INTO kept VALUES (42)');

      const down = await dec('setup', 'module1', '--down');
      expect(down.code, down.stderr).toBe(0);
      expect(await containers()).toEqual([]);
      expect((await dockerCli(['volume', 'inspect', named('ny_taxi_postgres_data')])).code).toBe(0);

      // A new setup (the flags remembered) makes a new container on the same volume: the cluster is found,
      // not initialised again, and the row is there.
      const again = await dec('setup', 'module1');
      expect(again.code, again.stderr).toBe(0);
      expect(await queryCourseDatabase<{ id: number }>(pgPort, 'SELECT id FROM kept')).toEqual([{ id: 42 }]);
      const logs = await dockerCli(['logs', named('pgdatabase')]);
      expect(logs.stdout + logs.stderr).toContain('Skipping initialization');
    });
  },
);
