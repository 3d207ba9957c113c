// The doctor's checks for week 2's Airflow, read off the syllabus as the week-2 stack declares it: Docker
// memory (5 GB, or the light variant's 4 GB with `--variant light`), ports 8080 and 5555 (free, or held by
// the week's own containers, of either variant), the key file the containers mount (a warning that says
// what will not work), and room in Docker's data root for the built image (about 2 GB).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { needsOf } from '../../src/doctor/needs.js';
import { gcpCredentials } from '../../src/doctor/probes/cloud.js';
import { dockerMemory } from '../../src/doctor/probes/docker.js';
import { ports } from '../../src/doctor/probes/ports.js';
import { resources } from '../../src/doctor/probes/system.js';
import type { Needs } from '../../src/doctor/types.js';
import type { CourseWeek } from '../../src/syllabus/course.js';
import type { Stack } from '../../src/syllabus/schema.js';
import { container, fakeProbeContext, reachableEngine, tempDirs } from '../helpers/probe-context.js';

const GIB = 1024 ** 3;
const temp = tempDirs();
afterEach(() => temp.cleanup());

const KEY_INSIDE = '/.google/credentials/google_credentials.json';
const WITHOUT_KEY = 'the DAGs that talk to GCP (GCS uploads, BigQuery) find no key';
const credentialsBind = {
  from: 'home',
  path: '.google/credentials',
  target: '/.google/credentials',
  readOnly: true,
  ifMissing: 'warn',
  withoutIt: WITHOUT_KEY,
};
const airflow = (extra: Record<string, unknown> = {}) => ({
  image: 'dec-week2-airflow',
  build: { context: 'stacks/week2-airflow' },
  env: { GOOGLE_APPLICATION_CREDENTIALS: KEY_INSIDE },
  binds: [{ path: 'homework/week2/dags', target: '/opt/airflow/dags' }, credentialsBind],
  ...extra,
});

/** Week 2's two stacks as the syllabus declares them (the parts the doctor reads). */
const STACKS = {
  week2: {
    title: 'Airflow',
    network: { name: 'airflow-network' },
    memoryGb: 5,
    services: {
      postgres: { image: 'postgres:13' },
      'airflow-webserver': airflow({ ports: [{ host: 8080, container: 8080 }] }),
      'airflow-scheduler': airflow(),
      flower: airflow({ ports: [{ host: 5555, container: 5555 }] }),
    },
  },
  'week2-light': {
    title: 'Airflow, light',
    network: { name: 'airflow-light-network' },
    memoryGb: 4,
    services: {
      postgres: { image: 'postgres:13' },
      webserver: airflow({ ports: [{ host: 8080, container: 8080 }] }),
      scheduler: airflow(),
    },
  },
} as unknown as Record<string, Stack>;

const WEEK2 = {
  number: 2,
  id: 'week-2',
  title: 'Data ingestion',
  sections: [],
  topics: [],
  tools: [{ id: 'docker' }, { id: 'gcloud', required: false }],
  datasets: [],
  time: { text: '' },
  setup: {
    summary: 'Airflow',
    stack: 'week2',
    ports: [
      { port: 8080, service: 'airflow-webserver' },
      { port: 5555, service: 'flower' },
    ],
    dockerMemoryGb: 5,
    variants: { light: { summary: 'LocalExecutor', stack: 'week2-light' } },
  },
} as unknown as CourseWeek;

const week2Needs = (): Needs => needsOf([WEEK2], STACKS);

describe("week 2's needs, from the syllabus", () => {
  it('memory 5 GiB with the light variant at 4; ports 8080 and 5555 once each, the variant counted as its own', () => {
    const needs = week2Needs();
    expect(needs.dockerMemoryGb).toBe(5);
    expect(needs.memory).toEqual([
      { week: 2, stack: 'week2', gb: 5, lighter: [{ name: 'light', stack: 'week2-light', gb: 4 }] },
    ]);
    expect(needs.ports.map((p) => [p.port, p.service, p.stack, p.managed, p.variantStacks])).toEqual([
      [8080, 'airflow-webserver', 'week2', true, ['week2-light']],
      [5555, 'flower', 'week2', true, ['week2-light']],
    ]);
  });

  it('the key file the containers read, as a host file, once for both variants; the built image', () => {
    const needs = week2Needs();
    expect(needs.mountedKeys).toEqual([
      {
        week: 2,
        stack: 'week2',
        from: 'home',
        path: '.google/credentials/google_credentials.json',
        withoutIt: WITHOUT_KEY,
      },
    ]);
    expect(needs.builds).toEqual([{ week: 2, stack: 'week2' }]);
  });
});

describe('docker-memory for week 2', () => {
  const memory = (gib: number, platform: NodeJS.Platform = 'linux') =>
    dockerMemory.run(
      fakeProbeContext({ platform, needs: week2Needs(), engine: reachableEngine({ info: { memTotal: gib * GIB } }) }),
    );

  it('5 GiB or more → ok', async () => {
    expect(await memory(7.7)).toMatchObject({ status: 'ok', detail: expect.stringContaining('need 5 GiB') });
  });

  it('between 4 and 5 → warn, naming the light variant and its flag', async () => {
    const result = await memory(4.6, 'darwin');
    expect(result.status).toBe('warn');
    expect(result.detail).toContain("week 2's setup needs 5 GiB, its light variant 4 GiB");
    expect(result.fix?.command).toBe('dec setup week2 --variant light');
    expect(result.fix?.text).toContain('Settings → Resources → Memory');
  });

  it('under 4 → fail; the fix still names the light variant and what it needs', async () => {
    const result = await memory(3.2);
    expect(result).toMatchObject({ status: 'fail', wanted: '>= 5 GiB' });
    expect(result.fix?.text).toContain("Week 2's light setup needs 4 GB (dec setup week2 --variant light)");
  });
});

describe('ports 8080 and 5555', () => {
  const run = (holders: ReturnType<typeof container>[]) =>
    ports.run(
      fakeProbeContext({ needs: week2Needs(), containers: holders, engine: reachableEngine({ containers: holders }) }),
    );

  it("held by the light variant's webserver → ok (the week's own)", async () => {
    const light = container({
      name: 'dec-week2-light-webserver',
      hostPorts: [8080],
      labels: { 'dec.stack': 'week2-light', 'dec.service': 'webserver' },
    });
    expect((await run([light])).status).toBe('ok');
  });

  it("held by another dec stack → not the week's own", async () => {
    const pgadmin = container({
      name: 'dec-week1-pgadmin',
      hostPorts: [8080],
      labels: { 'dec.stack': 'week1', 'dec.service': 'pgadmin' },
    });
    const result = await run([pgadmin]);
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('8080 (week2)');
  });
});

describe("the key week 2's Airflow mounts", () => {
  function validKey(path: string): string {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(
      path,
      JSON.stringify({ type: 'service_account', project_id: 'p', client_email: 'x@p.iam', private_key: 'k' }),
    );
    chmodSync(path, 0o600);
    return path;
  }
  const check = (home: string, env: NodeJS.ProcessEnv = {}) =>
    gcpCredentials.run(
      fakeProbeContext({ home, env: { PATH: '', HOME: home, ...env }, needs: week2Needs(), readDisk: true }),
    );

  it('none anywhere → warn with the path and what will not work', async () => {
    const home = temp.make();
    const result = await check(home);
    expect(result.status).toBe('warn');
    expect(result.detail).toBe(
      `GOOGLE_APPLICATION_CREDENTIALS is not set and there is no key at ~/.google/credentials/google_credentials.json: ${WITHOUT_KEY}`,
    );
    expect(result.fix?.auto).toEqual({ kind: 'mkdir-700', path: join(home, '.google', 'credentials') });
  });

  it('GOOGLE_APPLICATION_CREDENTIALS names a good key elsewhere → warn: the containers read the mounted path; copy it there', async () => {
    const home = temp.make();
    const elsewhere = validKey(join(home, 'keys', 'my-key.json'));
    mkdirSync(join(home, '.google', 'credentials'), { recursive: true });
    const result = await check(home, { GOOGLE_APPLICATION_CREDENTIALS: elsewhere });
    expect(result.status).toBe('warn');
    expect(result.detail).toContain(
      "but week 2's stack (week2) reads ~/.google/credentials/google_credentials.json, which is missing",
    );
    expect(result.fix?.command).toBe(
      `cp ${elsewhere} ${join(home, '.google', 'credentials', 'google_credentials.json')}`,
    );
  });

  it('the key where the stack reads it → ok, whichever the variable names', async () => {
    const home = temp.make();
    const mounted = validKey(join(home, '.google', 'credentials', 'google_credentials.json'));
    const elsewhere = validKey(join(home, 'keys', 'my-key.json'));
    expect((await check(home, { GOOGLE_APPLICATION_CREDENTIALS: elsewhere })).status).toBe('ok');
    expect((await check(home, { GOOGLE_APPLICATION_CREDENTIALS: mounted })).status).toBe('ok');
  });
});

describe("room for week 2's image in Docker's data root", () => {
  const run = (dockerFreeGib: number) =>
    resources.run(
      fakeProbeContext({
        needs: week2Needs(),
        engine: reachableEngine({ info: { rootDir: '/var/lib/docker' } }),
        machine: {
          freeBytes: async (path: string) => (path === '/var/lib/docker' ? dockerFreeGib * GIB : 100 * GIB),
        },
      }),
    );

  it('under 2 GiB where Docker keeps images → fail naming the image and the folder', async () => {
    const result = await run(1.4);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain("week 2's image (week2) needs about 2 GiB there to build");
    expect(result.fix?.text).toContain('/var/lib/docker');
  });

  it('enough → not this failure', async () => {
    expect((await run(50)).status).toBe('ok');
  });
});
