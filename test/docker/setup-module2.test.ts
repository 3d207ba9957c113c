// dec setup module2 --syllabus dez-2026 (Kestra with its own Postgres 18, beside module 1) against the real
// engine. No registry is reachable: Kestra is a busybox stand-in that takes the stack's `server standalone`
// as kestra/kestra's entrypoint does and answers the readiness path the stack declares (/health on the
// management port 8081), Postgres 18 the machine's own PostgreSQL with the 18 layout, pgAdmin the busybox
// stand-in. What is proven is dec's part: the remap advice when 8080 is taken (18080, the course's), Kestra
// started only once its Postgres's Docker health check passed, the Docker socket mounted, and Kestra on
// pg-network beside module 1's Postgres. The file has its own sandbox (a dectest-* project); only that
// project's containers, volumes and networks are removed, in afterAll, even when a test fails.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, dockerCli, freePort, httpGetLocal, removeDecProject, requireDocker } from '../helpers/docker.js';
import {
  dockerTime,
  ensureStandIns2026,
  hostPortFree,
  KESTRA_HEALTH,
  KESTRA_STANDIN,
  mountsOf,
  networksOf,
  PGADMIN_STANDIN,
} from '../helpers/dez2026.js';
import { ensurePostgres18LayoutImage, POSTGRES18_LAYOUT_TEST_IMAGE } from '../helpers/images.js';
import { makeSandbox, noUnexpectedError, runDec, type RunResult } from '../helpers/run.js';

const box = makeSandbox();
const env: NodeJS.ProcessEnv = { ...box.env, NO_COLOR: '1' };
const ports = { pgdatabase: 0, pgadmin: 0, kestra: 0, management: 0 };

const dec = (...args: string[]): Promise<RunResult> =>
  runDec([...args, '--syllabus', 'dez-2026'], { cwd: box.home, env, timeoutMs: 200_000 });
const named = (stack: string, name: string) => `${box.project}-${stack}-${name}`;
const module1Flags = () => [
  '--image',
  `pgdatabase=${POSTGRES18_LAYOUT_TEST_IMAGE}`,
  '--image',
  `pgadmin=${PGADMIN_STANDIN}`,
  '--port',
  `pgdatabase=${ports.pgdatabase}`,
  '--port',
  `pgadmin=${ports.pgadmin}`,
];
const module2Images = () => [
  '--image',
  `kestra-postgres=${POSTGRES18_LAYOUT_TEST_IMAGE}`,
  '--image',
  `kestra=${KESTRA_STANDIN}`,
];

async function containers(stack: string): Promise<string[]> {
  const out = await docker([
    'ps',
    '-a',
    '--filter',
    `label=dec.project=${box.project}`,
    '--filter',
    `label=dec.stack=${stack}`,
    '--format',
    '{{.Names}}',
  ]);
  return out.split('\n').filter(Boolean).sort();
}

beforeAll(async () => {
  await requireDocker();
  await Promise.all([ensurePostgres18LayoutImage(), ensureStandIns2026()]);
  mkdirSync(box.home, { recursive: true });
  ports.pgdatabase = await freePort();
  ports.pgadmin = await freePort();
  ports.kestra = await freePort();
  ports.management = await freePort();
}, 240_000);

afterAll(async () => {
  try {
    await removeDecProject(box.project);
  } finally {
    box.cleanup();
  }
}, 120_000);

describe(
  'dec setup module2 --syllabus dez-2026 (Kestra, its Postgres 18, module 1 beside it)',
  { timeout: 300_000 },
  () => {
    it("when 8080 is taken: refused before anything starts, with the course's remap (--port kestra=18080)", async () => {
      // A listener of this test's own on 127.0.0.1:8080, only when 8080 is free; otherwise whatever holds it
      // already plays that part.
      let own: Server | undefined;
      if (await hostPortFree(8080)) {
        own = createServer((socket) => socket.destroy());
        await new Promise<void>((listening, failed) => {
          own!.once('error', failed);
          own!.listen(8080, '127.0.0.1', () => listening());
        });
      }
      try {
        const run = await dec('setup', 'module2', ...module2Images());
        expect(run.code, run.stderr).toBe(1);
        noUnexpectedError(run);
        expect(run.stderr).toContain("Cannot publish the module2 stack's ports:");
        expect(run.stderr).toContain('port 8080 (for kestra) is held by');
        expect(run.stderr).toContain('Use another port: dec setup module2 --port kestra=18080');
        expect(await containers('module2')).toEqual([]);
        const volumes = await docker(['volume', 'ls', '-q', '--filter', `label=dec.project=${box.project}`]);
        expect(volumes.trim()).toBe('');
        expect((await dockerCli(['network', 'inspect', `${box.project}-kestra-network`])).code).not.toBe(0);
      } finally {
        await new Promise<void>((closed) => (own ? own.close(() => closed()) : closed()));
      }
    });

    it('starts Kestra after its Postgres is healthy, with the Docker socket, on pg-network beside module 1', async () => {
      const first = await dec('setup', 'module1', ...module1Flags());
      expect(first.code, first.stderr).toBe(0);

      // Kestra's first port by --port kestra=..., its second (management, 8081) by --port kestra.8081=...
      const run = await dec(
        'setup',
        'module2',
        ...module2Images(),
        '--port',
        `kestra=${ports.kestra}`,
        '--port',
        `kestra.8081=${ports.management}`,
      );
      expect(run.code, run.stderr).toBe(0);
      noUnexpectedError(run);
      // Kestra runs task containers: said before it starts, and in the ready lines with the login.
      expect(run.stderr).toContain('kestra gets the Docker socket (/var/run/docker.sock');
      expect(run.stdout).toContain(`Kestra:     http://localhost:${ports.kestra}  (login admin@kestra.io`);
      expect(run.stdout).toContain('Kestra has the Docker socket mounted');
      expect(run.stdout).toContain(`http://localhost:${ports.kestra}/api/v1/flows/import`);
      expect(await containers('module2')).toEqual([named('module2', 'kestra'), named('module2', 'kestra-postgres')]);

      // The stand-in got the stack's command, answers the readiness path, and Kestra's own URL follows --port.
      expect(await httpGetLocal(ports.management, '/health')).toEqual({ status: 200, body: KESTRA_HEALTH });
      expect((await docker(['port', named('module2', 'kestra'), '8081'])).trim()).toBe(`127.0.0.1:${ports.management}`);
      expect((await httpGetLocal(ports.kestra, '/args')).body.trim()).toBe('server standalone');
      const kestraEnv = JSON.parse(
        await docker(['inspect', '--format', '{{json .Config.Env}}', named('module2', 'kestra')]),
      ) as string[];
      expect(kestraEnv.find((e) => e.startsWith('KESTRA_CONFIGURATION='))).toContain(
        `url: http://localhost:${ports.kestra}/`,
      );

      // Its own Postgres: healthy by its Docker health check before Kestra's container started.
      const health = JSON.parse(
        await docker(['inspect', '--format', '{{json .State.Health}}', named('module2', 'kestra-postgres')]),
      ) as { Status: string; Log: Array<{ End: string; ExitCode: number }> };
      expect(health.Status).toBe('healthy');
      const firstPass = health.Log.find((entry) => entry.ExitCode === 0);
      expect(firstPass, JSON.stringify(health.Log)).toBeDefined();
      const kestraStarted = (
        await docker(['inspect', '--format', '{{.State.StartedAt}}', named('module2', 'kestra')])
      ).trim();
      expect(dockerTime(kestraStarted)).toBeGreaterThanOrEqual(dockerTime(firstPass!.End));
      expect(await mountsOf(named('module2', 'kestra-postgres'))).toEqual([
        expect.objectContaining({
          Type: 'volume',
          Name: named('module2', 'kestra_postgres_data'),
          Destination: '/var/lib/postgresql',
        }),
      ]);

      // The Docker socket: the engine's own, bound at the same path, and a socket inside.
      const kestraMounts = await mountsOf(named('module2', 'kestra'));
      expect(kestraMounts).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Type: 'bind',
            Source: '/var/run/docker.sock',
            Destination: '/var/run/docker.sock',
          }),
        ]),
      );
      const socket = await dockerCli(['exec', named('module2', 'kestra'), 'sh', '-c', '[ -S /var/run/docker.sock ]']);
      expect(socket.code).toBe(0);

      // Beside module 1: Kestra on its own network and on pg-network, where module 1's Postgres answers as
      // pgdatabase:5432 (the flows' jdbc:postgresql://pgdatabase:5432/ny_taxi); its own Postgres as kestra-postgres.
      const networks = await networksOf(named('module2', 'kestra'));
      expect(Object.keys(networks).sort()).toEqual([`${box.project}-kestra-network`, `${box.project}-pg-network`]);
      for (const host of ['pgdatabase', 'kestra-postgres']) {
        const reach = await dockerCli(['exec', named('module2', 'kestra'), 'sh', '-c', `echo | nc ${host} 5432`]);
        expect(reach.code, `${host}: ${reach.stderr}`).toBe(0);
      }
      expect(await containers('module1')).toEqual([named('module1', 'pgadmin'), named('module1', 'pgdatabase')]);
    });
  },
);
