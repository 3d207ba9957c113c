// Week 2's own declaration (syllabus/dez-2022.yaml: the week2 and week2-light stacks, and
// templates/stacks/week2-airflow), checked for what can be checked without the Airflow image (no
// registry here): plan, start order, env, mounts, health checks, ports, user, networks, the Dockerfile's
// pins against ../shared/course/stacks.md B.1; and the setup variant (--light / --variant): flags,
// remembered for --down and status, --dry-run for both, refused while the other one is up, named in the
// memory warning. The commands run in-process against the engine in memory (test/helpers/fake-engine.ts).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runInStack } from '../../src/commands/run.js';
import { setup, setupStatus, type SetupDeps } from '../../src/commands/setup.js';
import type { ContainerRunner, OneOffSpec } from '../../src/docker/runner.js';
import { DecError } from '../../src/errors.js';
import { homeworkFolderName } from '../../src/homework/overview.js';
import { gcloudProject, gcpEnv } from '../../src/setup/gcp.js';
import { planLines, planStack } from '../../src/setup/plan.js';
import { desiredStack, noOverrides, type DesiredService, type DesiredStack } from '../../src/setup/spec.js';
import {
  checkOtherVariants,
  lighterVariantHint,
  rememberedVariant,
  rememberVariant,
  variantFlag,
  variantOfStack,
  variantStack,
} from '../../src/setup/variant.js';
import type { CourseWeek } from '../../src/syllabus/course.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { commandContexts } from '../helpers/command-context.js';
import { FakeEngine } from '../helpers/fake-engine.js';

const SYLLABUS = new URL('../../syllabus/dez-2022.yaml', import.meta.url);
const course = parseSyllabus(readFileSync(SYLLABUS), 'dez-2022.yaml');
const week2 = course.weeks.find((w) => w.number === 2)!;
const HOST = { uid: 1234, gid: 5678 };
const ROOTS = { workspace: '/ws', home: '/home/student' };
const CONTEXT = { dir: '/dec/templates/stacks/week2-airflow', digest: '0123456789ab' };
const AIRFLOW = [
  'airflow-init',
  'airflow-webserver',
  'airflow-scheduler',
  'airflow-worker',
  'airflow-triggerer',
  'flower',
];
const LIGHT_AIRFLOW = ['webserver', 'scheduler'];

function desired(stackId: 'week2' | 'week2-light', overrides = noOverrides()): DesiredStack {
  const stack = course.stacks[stackId]!;
  const builds = Object.fromEntries(
    Object.entries(stack.services)
      .filter(([, s]) => s.build)
      .map(([name]) => [name, CONTEXT]),
  );
  return desiredStack(stackId, stack, course.id, overrides, 'dec', HOST, builds, {
    roots: ROOTS,
    stacks: course.stacks,
  });
}

function service(stack: DesiredStack, name: string): DesiredService {
  const found = stack.services.find((s) => s.service === name);
  if (!found) throw new Error(`no service ${name}`);
  return found;
}

describe('week 2: the official CeleryExecutor stack', () => {
  const official = desired('week2');

  it('is the week’s stack, with the course’s seven services and the airflow-init job', () => {
    expect(week2.setup?.stack).toBe('week2');
    expect(official.services.map((s) => s.service).sort()).toEqual(['postgres', 'redis', ...AIRFLOW].sort());
    expect(official.services.filter((s) => s.job).map((s) => s.service)).toEqual(['airflow-init']);
    expect(course.stacks.week2?.memoryGb).toBe(5);
  });

  it('starts postgres and redis, then the init job, then the Airflow services, each waiting as the course’s compose does', () => {
    const order = official.services.map((s) => s.service);
    expect(order.indexOf('airflow-init')).toBeGreaterThan(order.indexOf('postgres'));
    expect(order.indexOf('airflow-init')).toBeGreaterThan(order.indexOf('redis'));
    expect(service(official, 'airflow-init').waitsFor).toEqual({ redis: 'healthy', postgres: 'healthy' });
    for (const name of AIRFLOW.slice(1)) {
      expect(order.indexOf(name)).toBeGreaterThan(order.indexOf('airflow-init'));
      expect(service(official, name).waitsFor).toEqual({
        redis: 'healthy',
        postgres: 'healthy',
        'airflow-init': 'completed',
      });
    }
  });

  it('plans one build of the course image for every Airflow service, the job before the webserver and scheduler', () => {
    const plan = planStack(
      official,
      { containers: [], networkExists: false, volumes: {}, images: {} },
      { recreate: false },
    );
    expect(plan.builds).toHaveLength(1);
    const images = new Set(AIRFLOW.map((name) => service(official, name).image));
    expect([...images]).toEqual(['dec/airflow:0123456789ab']);
    const lines = planLines(plan, official);
    expect(lines.filter((l) => l.startsWith('build image dec/airflow:0123456789ab'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('pull image')).sort()).toEqual([
      'pull image postgres:13',
      'pull image redis:6.2',
    ]);
    const at = (text: string) => lines.findIndex((l) => l.includes(text));
    expect(at('run the job dec-week2-airflow-init')).toBeGreaterThan(at('dec-week2-postgres'));
    expect(at('run the job dec-week2-airflow-init')).toBeLessThan(at('dec-week2-airflow-webserver'));
    expect(at('run the job dec-week2-airflow-init')).toBeLessThan(at('dec-week2-airflow-scheduler'));
  });

  it('publishes only the webserver (8080) and flower (5555), on 127.0.0.1; the metadata Postgres is not published', () => {
    const published = official.services.flatMap((s) => s.ports.map((p) => ({ service: s.service, ...p })));
    expect(published).toEqual([
      { service: 'airflow-webserver', hostIp: '127.0.0.1', host: 8080, container: 8080 },
      { service: 'flower', hostIp: '127.0.0.1', host: 5555, container: 5555 },
    ]);
    expect(week2.setup?.ports).toEqual([
      { port: 8080, service: 'airflow-webserver' },
      { port: 5555, service: 'flower' },
    ]);
  });

  it('has the course’s environment, with the student’s ids and never the instructor’s project', () => {
    const text = readFileSync(SYLLABUS, 'utf8');
    expect(text).not.toMatch(/pivotal-surfer/);
    for (const name of AIRFLOW.slice(1)) {
      const env = service(official, name).env;
      expect(env).toMatchObject({
        AIRFLOW__CORE__EXECUTOR: 'CeleryExecutor',
        AIRFLOW__CORE__SQL_ALCHEMY_CONN: 'postgresql+psycopg2://airflow:airflow@postgres/airflow',
        AIRFLOW__CELERY__RESULT_BACKEND: 'db+postgresql://airflow:airflow@postgres/airflow',
        AIRFLOW__CELERY__BROKER_URL: 'redis://:@redis:6379/0',
        AIRFLOW__CORE__FERNET_KEY: '',
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION: 'true',
        AIRFLOW__CORE__LOAD_EXAMPLES: 'false',
        AIRFLOW__API__AUTH_BACKEND: 'airflow.api.auth.backend.basic_auth',
        GOOGLE_APPLICATION_CREDENTIALS: '/.google/credentials/google_credentials.json',
        AIRFLOW_CONN_GOOGLE_CLOUD_DEFAULT:
          'google-cloud-platform://?extra__google_cloud_platform__key_path=/.google/credentials/google_credentials.json',
      });
    }
    expect(service(official, 'airflow-worker').env.DUMB_INIT_SETSID).toBe('0');
    expect(service(official, 'airflow-init').env).toMatchObject({
      _AIRFLOW_DB_UPGRADE: 'true',
      _AIRFLOW_WWW_USER_CREATE: 'true',
      _AIRFLOW_WWW_USER_USERNAME: 'airflow',
      _AIRFLOW_WWW_USER_PASSWORD: 'airflow',
      AIRFLOW_UID: '1234',
    });
  });

  it('the student’s project and bucket fill GCP_PROJECT_ID and GCP_GCS_BUCKET: flag, else remembered, else gcloud’s; empty and said when none', () => {
    const stack = course.stacks.week2!;
    const detected = gcpEnv('week2', stack, noOverrides(), {}, 'student-proj-42');
    expect(detected.missing).toBe(false);
    expect(detected.env).toContain('airflow-worker.GCP_PROJECT_ID=student-proj-42');
    expect(detected.env).toContain('airflow-worker.GCP_GCS_BUCKET=dtc_data_lake_student-proj-42');
    // Every Airflow service that runs DAG code or parses it (init has none of it).
    expect(detected.env.filter((e) => e.includes('GCP_PROJECT_ID')).map((e) => e.split('.')[0])).toEqual(
      AIRFLOW.slice(1),
    );

    const remembered = noOverrides();
    remembered.env['airflow-worker'] = { GCP_PROJECT_ID: 'chosen-earlier', GCP_GCS_BUCKET: 'my_bucket' };
    const kept = gcpEnv('week2', stack, remembered, {}, 'student-proj-42');
    expect(kept.env.some((e) => e.startsWith('airflow-worker.'))).toBe(false);

    const flagged = gcpEnv('week2', stack, remembered, { gcpProject: 'flag-project' }, 'student-proj-42');
    expect(flagged.env).toContain('airflow-worker.GCP_PROJECT_ID=flag-project');
    expect(flagged.env).toContain('airflow-worker.GCP_GCS_BUCKET=dtc_data_lake_flag-project');
    const bucketOnly = gcpEnv('week2', stack, remembered, { gcpBucket: 'other_bucket' }, undefined);
    expect(bucketOnly.env).toContain('airflow-worker.GCP_GCS_BUCKET=other_bucket');
    expect(bucketOnly.env.some((e) => e.startsWith('airflow-worker.GCP_PROJECT_ID'))).toBe(false);

    const none = gcpEnv('week2', stack, noOverrides(), {}, undefined);
    expect(none.missing).toBe(true);
    expect(none.env).toContain('airflow-worker.GCP_PROJECT_ID=');
    expect(none.env.every((e) => !e.includes('{gcp.'))).toBe(true);

    expect(() => gcpEnv('week2', stack, noOverrides(), { gcpProject: 'Not A Project' }, undefined)).toThrow(
      /is not a GCP project id/,
    );
    expect(() => gcpEnv('week1', course.stacks.week1!, noOverrides(), { gcpProject: 'my-project' }, undefined)).toThrow(
      /the week1 stack uses no GCP project/,
    );
  });

  it('the worker and scheduler join week 1’s pg-network when it is up, with PG_* for the course’s local-ingestion DAG', () => {
    for (const name of ['airflow-worker', 'airflow-scheduler']) {
      const runner = service(official, name);
      expect(runner.networks).toEqual([{ stack: 'week1', network: 'pg-network', optional: true }]);
      expect(runner.env).toMatchObject({
        PG_HOST: 'pgdatabase',
        PG_PORT: '5432',
        PG_USER: 'root',
        PG_PASSWORD: 'root',
        PG_DATABASE: 'ny_taxi',
      });
      expect(runner.secretEnv).toContain('PG_PASSWORD');
    }
    for (const name of ['postgres', 'redis', 'airflow-init', 'airflow-webserver', 'airflow-triggerer', 'flower'])
      expect(service(official, name).networks).toEqual([]);
  });

  it('mounts dags, logs and plugins from the week-2 homework folder and the key folder read-only, allowed missing', () => {
    const folder = `homework/${homeworkFolderName(week2)}`;
    expect(folder).toBe('homework/week2');
    for (const name of AIRFLOW.slice(1)) {
      const binds = service(official, name).binds.map((b) => ({
        source: b.source,
        target: b.target,
        readOnly: b.readOnly,
        ifMissing: b.ifMissing,
      }));
      expect(binds).toEqual([
        { source: `/ws/${folder}/dags`, target: '/opt/airflow/dags', readOnly: false, ifMissing: 'create' },
        { source: `/ws/${folder}/logs`, target: '/opt/airflow/logs', readOnly: false, ifMissing: 'create' },
        { source: `/ws/${folder}/plugins`, target: '/opt/airflow/plugins', readOnly: false, ifMissing: 'create' },
        {
          source: '/home/student/.google/credentials',
          target: '/.google/credentials',
          readOnly: true,
          ifMissing: 'warn',
        },
      ]);
      expect(service(official, name).binds[3]?.withoutIt).toMatch(/google_credentials\.json/);
    }
    // The job runs as root: it mounts none of the student's folders, so it cannot leave root's files there.
    expect(service(official, 'airflow-init').binds).toEqual([]);
    // The homework template writes its DAG into the folder setup mounts.
    const template = new URL('../../templates/homework/week-2/dags/data_ingestion_dag.py', import.meta.url);
    const dag = readFileSync(template, 'utf8');
    expect(dag).toMatch(/with DAG\(/);
    // The course mirror (the S3 URL of the 2022 DAG answers 403), .csv.gz kept, and curl -f so a 404 fails.
    expect(dag).toContain('"https://github.com/DataTalksClub/nyc-tlc-data/releases/download/" + DATASET');
    expect(dag).toContain('_tripdata_" + MONTH + ".csv.gz"');
    expect(dag).toContain('"curl -sSLf " + URL');
  });

  it('runs the Airflow services as the student with group 0 (the course’s AIRFLOW_UID), the job as root', () => {
    for (const name of AIRFLOW.slice(1)) expect(service(official, name).user).toBe('1234:0');
    expect(service(official, 'airflow-init').user).toBe('0:0');
    expect(course.stacks.week2?.services['airflow-webserver']?.user).toBe('{host.uid:-50000}:0');
  });

  it('has the course’s health checks (a start period added, since dec stops at unhealthy)', () => {
    const checks = Object.fromEntries(official.services.map((s) => [s.service, s.healthcheck]));
    expect(checks.postgres).toMatchObject({ test: ['CMD', 'pg_isready', '-U', 'airflow'], interval: '5s', retries: 5 });
    expect(checks.redis).toMatchObject({
      test: ['CMD', 'redis-cli', 'ping'],
      interval: '5s',
      timeout: '30s',
      retries: 50,
    });
    const airflow = { interval: '10s', timeout: '10s', retries: 5, startPeriod: '60s' };
    expect(checks['airflow-webserver']).toEqual({
      test: ['CMD', 'curl', '--fail', 'http://localhost:8080/health'],
      ...airflow,
    });
    expect(checks['airflow-scheduler']).toEqual({
      test: ['CMD-SHELL', 'airflow jobs check --job-type SchedulerJob --hostname "$HOSTNAME"'],
      ...airflow,
    });
    expect(checks['airflow-worker']).toEqual({
      test: ['CMD-SHELL', 'celery --app airflow.executors.celery_executor.app inspect ping -d "celery@$HOSTNAME"'],
      ...airflow,
    });
    expect(checks['airflow-triggerer']).toEqual({
      test: ['CMD-SHELL', 'airflow jobs check --job-type TriggererJob --hostname "$HOSTNAME"'],
      ...airflow,
    });
    expect(checks.flower).toEqual({ test: ['CMD', 'curl', '--fail', 'http://localhost:5555/'], ...airflow });
    expect(checks['airflow-init']).toBeUndefined();
    for (const name of ['postgres', 'redis', ...AIRFLOW.slice(1)])
      expect(service(official, name).restart).toBe('always');
  });

  it('the init job keeps the course’s checks: Airflow 2.2.0 or later (exit 1), AIRFLOW_UID, memory, CPUs, disk; then the entrypoint', () => {
    const init = service(official, 'airflow-init');
    expect(init.entrypoint).toEqual(['/bin/bash', '-c']);
    const script = init.command?.[0] ?? '';
    expect(script).toContain('airflow_version=$(gosu airflow airflow version)');
    expect(script).toContain('min_airflow_version=2.2.0');
    expect(script).toMatch(/Too old Airflow version[\s\S]*exit 1/);
    expect(script).toContain('if [[ -z "${AIRFLOW_UID}" ]]');
    expect(script).toContain('if (( mem_available < 4000 ))');
    expect(script).toContain('if (( cpus_available < 2 ))');
    expect(script).toContain('if (( disk_available < one_meg * 10 ))');
    expect(script.trimEnd().endsWith('exec /entrypoint airflow version')).toBe(true);
    // dec makes the folders, owned by the student: no chown of them as root.
    expect(script).not.toMatch(/chown|\/sources/);
  });

  it('prints the web URL and login, how to trigger a DAG, where the dags folder is', () => {
    const next = official.next.join('\n');
    expect(next).toMatch(/http:\/\/localhost:\{airflow-webserver\.8080\}.*login airflow \/ airflow/);
    expect(next).toMatch(/airflow dags trigger <dag_id>/);
    expect(next).toMatch(/homework\/week2\/dags/);
    expect(next).toMatch(/http:\/\/localhost:\{flower\.5555\}/);
  });
});

describe('week 2: the light variant (the course’s no-frills LocalExecutor stack)', () => {
  const light = desired('week2-light');

  it('is postgres, webserver and scheduler from the same image, 4 GiB, admin/admin', () => {
    expect(week2.setup?.variants?.light).toMatchObject({ stack: 'week2-light', dockerMemoryGb: 4 });
    expect(course.stacks['week2-light']?.memoryGb).toBe(4);
    expect(light.services.map((s) => s.service)).toEqual(['postgres', 'webserver', 'scheduler']);
    expect(service(light, 'webserver').image).toBe(service(desired('week2'), 'airflow-webserver').image);
    expect(service(light, 'webserver').env).toMatchObject({
      AIRFLOW__CORE__EXECUTOR: 'LocalExecutor',
      _AIRFLOW_DB_UPGRADE: 'true',
      _AIRFLOW_WWW_USER_CREATE: 'true',
      _AIRFLOW_WWW_USER_USERNAME: 'admin',
      _AIRFLOW_WWW_USER_PASSWORD: 'admin',
      AIRFLOW__CORE__SQL_ALCHEMY_CONN: 'postgresql+psycopg2://airflow:airflow@postgres:5432/airflow',
    });
    expect(light.next.join('\n')).toMatch(/login admin \/ admin/);
  });

  it('the scheduler starts once the webserver (which upgrades the database) is healthy; it runs the tasks and joins pg-network', () => {
    expect(service(light, 'webserver').waitsFor).toEqual({ postgres: 'healthy' });
    expect(service(light, 'scheduler').waitsFor).toEqual({ webserver: 'healthy' });
    expect(service(light, 'scheduler').networks).toEqual([{ stack: 'week1', network: 'pg-network', optional: true }]);
    expect(service(light, 'scheduler').env).toMatchObject({ PG_HOST: 'pgdatabase', PG_PORT: '5432' });
    expect(service(light, 'webserver').networks).toEqual([]);
  });

  it('publishes only 8080 on 127.0.0.1, runs as the student, mounts the same folders', () => {
    expect(light.services.flatMap((s) => s.ports)).toEqual([{ hostIp: '127.0.0.1', host: 8080, container: 8080 }]);
    for (const name of LIGHT_AIRFLOW) {
      expect(service(light, name).user).toBe('1234:0');
      expect(service(light, name).binds.map((b) => b.source)).toEqual(
        service(desired('week2'), 'airflow-worker').binds.map((b) => b.source),
      );
      expect(service(light, name).restart).toBe('on-failure');
    }
    expect(service(light, 'webserver').healthcheck).toEqual({
      test: ['CMD', 'curl', '--fail', 'http://localhost:8080/health'],
      interval: '10s',
      timeout: '10s',
      retries: 5,
      startPeriod: '60s',
    });
  });

  it('has its own network and volume: the two variants never share data or a network', () => {
    expect(light.network).not.toBe(desired('week2').network);
    expect(light.volumes).toEqual(['dec-week2-light-postgres-db-volume']);
    expect(desired('week2').volumes).toEqual(['dec-week2-postgres-db-volume']);
  });
});

describe('the course image (templates/stacks/week2-airflow) against stacks.md B.1.1', () => {
  const dockerfile = readFileSync(new URL('../../templates/stacks/week2-airflow/Dockerfile', import.meta.url), 'utf8');
  const requirements = readFileSync(
    new URL('../../templates/stacks/week2-airflow/requirements.txt', import.meta.url),
    'utf8',
  )
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'));

  it('is apache/airflow:2.2.3 with Cloud SDK 322.0.0 (x86_64, installed quietly, then gcloud --version)', () => {
    expect(dockerfile).toMatch(/^FROM apache\/airflow:2\.2\.3$/m);
    expect(dockerfile).toMatch(/^ARG CLOUD_SDK_VERSION=322\.0\.0$/m);
    expect(dockerfile).toContain('google-cloud-sdk-${CLOUD_SDK_VERSION}-linux-x86_64.tar.gz');
    expect(dockerfile).toContain('&& gcloud --version');
    expect(dockerfile).toMatch(/^ENV AIRFLOW_HOME=\/opt\/airflow$/m);
    expect(dockerfile).toMatch(/^ENV GCLOUD_HOME=\/home\/google-cloud-sdk$/m);
  });

  it('installs the google provider, pyarrow, pandas, SQLAlchemy and psycopg2 with Airflow 2.2.3’s constraints, Airflow pinned on the same line', () => {
    expect(requirements).toEqual([
      'apache-airflow-providers-google',
      'pyarrow',
      'pandas',
      'sqlalchemy',
      'psycopg2-binary',
    ]);
    expect(dockerfile).toMatch(/^ARG AIRFLOW_VERSION=2\.2\.3$/m);
    const install = dockerfile.slice(dockerfile.indexOf('pip install'));
    expect(install).toMatch(
      /^pip install --no-cache-dir --user "apache-airflow==\$\{AIRFLOW_VERSION\}" -r \/requirements\.txt/,
    );
    expect(install).toContain(
      '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-${AIRFLOW_VERSION}/constraints-${PYTHON_VERSION}.txt"',
    );
    // The build fails if Airflow moved anyway.
    expect(install).toContain('test "$(pip show apache-airflow | sed -n \'s/^Version: //p\')" = "${AIRFLOW_VERSION}"');
    // pip as the airflow user, whose ~/.local holds Airflow (not root's site-packages).
    expect(dockerfile.lastIndexOf('USER airflow')).toBeLessThan(dockerfile.indexOf('pip install'));
    expect(dockerfile.lastIndexOf('USER root')).toBeLessThan(dockerfile.lastIndexOf('USER airflow'));
  });

  it('is the context every Airflow service of both variants builds', () => {
    for (const stackId of ['week2', 'week2-light'] as const)
      for (const spec of Object.values(course.stacks[stackId]!.services).filter((s) => s.build))
        expect(spec).toMatchObject({ image: 'dec/airflow', build: { context: 'stacks/week2-airflow' } });
  });
});

describe('choosing a variant', () => {
  it('--variant <name>, or --light for light; both at once only when they agree', () => {
    expect(variantFlag({})).toBeUndefined();
    expect(variantFlag({ light: true })).toBe('light');
    expect(variantFlag({ variant: 'default' })).toBe('default');
    expect(variantFlag({ variant: 'light', light: true })).toBe('light');
    expect(() => variantFlag({ variant: 'default', light: true })).toThrow(/--light is --variant light/);
  });

  it('names the stack of each variant; an unknown one lists those the week has; a week without variants says so', () => {
    expect(variantStack(week2, 'default')).toBe('week2');
    expect(variantStack(week2, 'light')).toBe('week2-light');
    const unknown = (() => {
      try {
        variantStack(week2, 'tiny');
      } catch (error) {
        return error as DecError;
      }
      throw new Error('expected an error');
    })();
    expect(unknown.message).toBe('Week 2 has no setup variant "tiny".');
    expect(unknown.details?.map((d) => d.trim().split(':')[0])).toEqual(['default', 'light']);
    const week1 = course.weeks.find((w) => w.number === 1) as CourseWeek;
    expect(() => variantStack(week1, 'light')).toThrow(/has one setup only/);
    expect(variantOfStack(course, 'week2-light')).toMatchObject({ week: { number: 2 }, variant: 'light' });
    expect(variantOfStack(course, 'week2')).toBeUndefined();
  });

  it('refuses a variant while another one of the week has containers, naming the command that takes it down', () => {
    expect(() => checkOtherVariants(week2, 'light', new Set(['week1']), 'dec setup week2 --light')).not.toThrow();
    expect(() => checkOtherVariants(week2, 'light', new Set(['week2']), 'dec setup week2 --light')).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/The default setup of week 2 \(week2\) has containers/),
        hint: 'dec setup week2 --variant default --down (its data is kept), then dec setup week2 --light',
      }),
    );
    expect(() => checkOtherVariants(week2, 'default', new Set(['week2-light']), 'dec setup week2')).toThrow(
      expect.objectContaining({ hint: 'dec setup week2-light --down (its data is kept), then dec setup week2' }),
    );
  });

  it('names the light variant when memory is short for the official one', () => {
    expect(lighterVariantHint(course, week2, 5)).toBe(
      'With less memory, the light setup needs 4 GiB: dec setup week2 --light',
    );
    expect(lighterVariantHint(course, week2, 4)).toBeUndefined();
  });
});

describe('variants in a syllabus of one’s own', () => {
  /** The variants test fixture with its week's setup replaced. */
  function problems(setupYaml: string): string[] {
    const text = readFileSync(new URL('../fixtures/syllabi/variants-stack.yaml', import.meta.url), 'utf8');
    const start = text.indexOf('    setup:\n');
    try {
      parseSyllabus(Buffer.from(text.slice(0, start) + setupYaml), 'variants.yaml');
    } catch (error) {
      return [(error as DecError).message, ...((error as DecError).details ?? [])];
    }
    return [];
  }

  it('a variant names an existing stack other than the week’s own, the week has its own, and none is called default', () => {
    expect(
      problems(
        '    setup:\n      summary: s\n      stack: full\n      variants:\n        light: { summary: l, stack: lite }\n',
      ),
    ).toEqual([]);
    expect(
      problems(
        '    setup:\n      summary: s\n      stack: full\n      variants:\n        light: { summary: l, stack: lit }\n',
      ).join('\n'),
    ).toMatch(/no stack "lit" under the top-level "stacks"; did you mean "lite"\?/);
    expect(
      problems(
        '    setup:\n      summary: s\n      stack: full\n      variants:\n        light: { summary: l, stack: full }\n',
      ).join('\n'),
    ).toMatch(/full is the week's own stack; a variant names another one/);
    expect(
      problems('    setup:\n      summary: s\n      variants:\n        light: { summary: l, stack: lite }\n').join(
        '\n',
      ),
    ).toMatch(/give the week its own `stack` too/);
    expect(
      problems(
        '    setup:\n      summary: s\n      stack: full\n      variants:\n        default: { summary: l, stack: lite }\n',
      ).join('\n'),
    ).toMatch(/"default" names the week's own stack/);
  });
});

describe('the student’s gcloud project, read from gcloud’s files', () => {
  const contexts = commandContexts();
  afterEach(() => contexts.cleanup());

  it('CLOUDSDK_CORE_PROJECT, else the active configuration’s [core] project; nothing when there is none', async () => {
    const ctx = contexts.make();
    const folder = join(ctx.home, '.config', 'gcloud');
    expect(await gcloudProject({}, ctx.home, 'linux')).toBeUndefined();
    mkdirSync(join(folder, 'configurations'), { recursive: true });
    writeFileSync(join(folder, 'configurations', 'config_default'), '[core]\nproject = default-proj\n');
    expect(await gcloudProject({}, ctx.home, 'linux')).toBe('default-proj');
    writeFileSync(join(folder, 'active_config'), 'work\n');
    writeFileSync(
      join(folder, 'configurations', 'config_work'),
      '[compute]\nproject = not-this\n[core]\naccount = me@example.com\nproject = work-proj-1\n',
    );
    expect(await gcloudProject({}, ctx.home, 'linux')).toBe('work-proj-1');
    expect(await gcloudProject({ CLOUDSDK_CORE_PROJECT: 'env-proj' }, ctx.home, 'linux')).toBe('env-proj');
    expect(await gcloudProject({ CLOUDSDK_ACTIVE_CONFIG_NAME: '../x' }, ctx.home, 'linux')).toBeUndefined();
  });
});

describe('dec setup week2 in-process (the engine in memory)', () => {
  const contexts = commandContexts();
  afterEach(() => contexts.cleanup());

  function engineDeps(memGb = 8): { engine: FakeEngine; deps: SetupDeps } {
    const engine = new FakeEngine();
    const client = {
      ...engine.client,
      info: async () => ({ ...(await engine.client.info()), memTotal: memGb * 1024 ** 3 }),
    };
    return {
      engine,
      deps: { connect: async () => client, hostPorts: { inUse: async () => false, listener: async () => undefined } },
    };
  }

  /** A one-off container that exits 0 at once, recording what it was made from. */
  function exitingRunner(): { runner: ContainerRunner; specs: OneOffSpec[] } {
    const specs: OneOffSpec[] = [];
    let exit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    const runner: ContainerRunner = {
      create: async (spec) => (specs.push(spec), 'one-off'),
      connect: async () => undefined,
      attach: async () => ({
        stdout: new PassThrough(),
        stderr: new PassThrough(),
        ended: exited.then(() => undefined),
      }),
      start: async () => void setImmediate(() => exit(0)),
      wait: () => exited,
      kill: async () => exit(130),
      resize: async () => undefined,
      remove: async () => undefined,
    };
    return { runner, specs };
  }

  it('dec run week2 runs in the variant set up last (and dec run week2-light names it)', async () => {
    const { engine, deps } = engineDeps(4);
    const ctx = contexts.make();
    expect(await setup(ctx, 'week2', { light: true }, deps)).toBe(0);
    const client = engine.client;
    for (const ref of ['week2', 'week2-light']) {
      const { runner, specs } = exitingRunner();
      const io = { stdout: new PassThrough(), stderr: new PassThrough() };
      const code = await runInStack(ctx, ref, ['airflow', 'dags', 'list'], {
        connect: async () => ({ client, runner }),
        io: () => io,
      });
      expect(code).toBe(0);
      expect(specs[0]?.image).toBe(engine.byName('dec-week2-light-scheduler')!.spec.image);
      expect(specs[0]?.command).toEqual(['airflow', 'dags', 'list']);
    }
  });

  function stacksOf(engine: FakeEngine): string[] {
    return [...new Set([...engine.containers.values()].map((c) => c.spec.labels['dec.stack'] ?? ''))];
  }

  it('--dry-run plans each variant; neither is remembered', async () => {
    const { engine, deps } = engineDeps();
    const official = contexts.make({ options: { json: true }, env: { CLOUDSDK_CORE_PROJECT: 'student-proj-42' } });
    expect(await setup(official, '2', { dryRun: true }, deps)).toBe(0);
    const plan = JSON.parse(official.stdout()) as { stack: string; plan: string[] };
    expect(plan.stack).toBe('week2');
    expect(plan.plan.filter((l) => l.startsWith('build image dec/airflow:'))).toHaveLength(1);
    expect(plan.plan).toContain(
      'run the job dec-week2-airflow-init once, to completion (' +
        plan.plan.find((l) => l.startsWith('build'))!.split(' ')[2] +
        ')',
    );
    expect(plan.plan.filter((l) => l.startsWith('make the folder')).length).toBe(4);

    const light = contexts.make({ options: { json: true } });
    expect(await setup(light, '2', { dryRun: true, light: true }, deps)).toBe(0);
    const lightPlan = JSON.parse(light.stdout()) as { stack: string; plan: string[] };
    expect(lightPlan.stack).toBe('week2-light');
    expect(lightPlan.plan.filter((l) => l.startsWith('create and start')).map((l) => l.split(' ')[3])).toEqual([
      'dec-week2-light-postgres',
      'dec-week2-light-webserver',
      'dec-week2-light-scheduler',
    ]);
    expect(light.stderr()).toMatch(/No GCP project for week2-light/);
    expect(engine.calls).toEqual([]);
    expect(await rememberedVariant(light.env, course.id, week2)).toBeUndefined();
  });

  it('--light sets up the light stack and remembers it: status and --down find it without the flag; the official one is refused until it is down', async () => {
    const { engine, deps } = engineDeps(4);
    const ctx = contexts.make({ env: { CLOUDSDK_CORE_PROJECT: 'student-proj-42' } });
    expect(await setup(ctx, 'week2', { light: true }, deps)).toBe(0);
    expect(stacksOf(engine)).toEqual(['week2-light']);
    expect(await rememberedVariant(ctx.env, course.id, week2)).toBe('light');
    expect(ctx.stdout()).toMatch(/login admin \/ admin/);
    expect(ctx.stdout()).toMatch(/GCP_PROJECT_ID=student-proj-42, GCP_GCS_BUCKET=dtc_data_lake_student-proj-42/);
    const scheduler = engine.byName('dec-week2-light-scheduler')!;
    expect(scheduler.spec.env).toMatchObject({
      GCP_PROJECT_ID: 'student-proj-42',
      GCP_GCS_BUCKET: 'dtc_data_lake_student-proj-42',
    });
    // The folders are the homework folder's (no workspace here: under the current folder), made by dec.
    expect(scheduler.spec.binds?.slice(0, 3).map((b) => b.source)).toEqual(
      ['dags', 'logs', 'plugins'].map((f) => join(ctx.cwd, 'homework', 'week2', f)),
    );
    for (const f of ['dags', 'logs', 'plugins']) expect(existsSync(join(ctx.cwd, 'homework', 'week2', f))).toBe(true);
    expect(ctx.stderr()).toMatch(/google_credentials\.json/);
    expect(engine.builds).toHaveLength(1);

    const status = contexts.make({ options: { json: true }, env: { DEC_HOME: ctx.env.DEC_HOME! } });
    await setupStatus(status, '2', deps);
    const stacks = (
      JSON.parse(status.stdout()) as { stacks: Array<{ stack: string; services: Array<{ service: string }> }> }
    ).stacks;
    expect(stacks.map((s) => s.stack)).toEqual(['week2-light']);

    // The official setup while the light one runs: refused before anything is made.
    const calls = engine.calls.length;
    const refused = await setup(ctx, '2', { variant: 'default' }, deps).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DecError);
    expect((refused as DecError).hint).toBe(
      'dec setup week2-light --down (its data is kept), then dec setup week2 --variant default',
    );
    expect(engine.calls.length).toBe(calls);
    expect(await rememberedVariant(ctx.env, course.id, week2)).toBe('light');

    // A plain re-run is the light one again, and says so.
    const before = ctx.stdout().length;
    expect(await setup(ctx, '2', {}, deps)).toBe(0);
    expect(ctx.stdout().slice(before)).toMatch(/the light setup, as last time[\s\S]*nothing to change/);
    expect(stacksOf(engine)).toEqual(['week2-light']);

    const beforeDown = ctx.stdout().length;
    expect(await setup(ctx, '2', { down: true }, deps)).toBe(0);
    expect(ctx.stdout().slice(beforeDown)).toMatch(/week2-light: removed 3 containers/);
    expect(engine.containers.size).toBe(0);
    expect([...engine.volumes.keys()]).toContain('dec-week2-light-postgres-db-volume');
  });

  it('--only and --print-compose act on the chosen variant; the Compose file alone is on stdout outside a workspace', async () => {
    const { engine, deps } = engineDeps();
    const only = contexts.make({ options: { json: true } });
    expect(await setup(only, '2', { light: true, only: 'webserver', dryRun: true }, deps)).toBe(0);
    const plan = (JSON.parse(only.stdout()) as { plan: string[] }).plan;
    expect(plan.filter((l) => l.startsWith('create and start')).map((l) => l.split(' ')[3])).toEqual([
      'dec-week2-light-postgres',
      'dec-week2-light-webserver',
    ]);
    const compose = contexts.make();
    expect(await setup(compose, 'week2-light', { printCompose: true, gcpProject: 'my-proj-123' }, deps)).toBe(0);
    expect(compose.stdout()).toMatch(/^# docker-compose\.yaml for the dec stack "week2-light"/);
    expect(compose.stdout()).toContain('GCP_PROJECT_ID: my-proj-123');
    expect(engine.calls).toEqual([]);
  });

  it('status lines up week 2’s long service names in one column', async () => {
    const { deps } = engineDeps();
    const ctx = contexts.make();
    await setupStatus(ctx, '2', deps);
    expect(ctx.stdout()).toContain('  ○ postgres          not set up');
    expect(ctx.stdout()).toContain('  ○ airflow-webserver not set up');
  });

  it('a stack’s readyTimeout is the limit when --timeout is not given (week 2’s Airflow: 5 minutes)', async () => {
    expect(course.stacks.week2?.readyTimeout).toBe('5m');
    expect(course.stacks['week2-light']?.readyTimeout).toBe('5m');
    const ctx = contexts.make();
    const fixture = readFileSync(new URL('../fixtures/syllabi/variants-stack.yaml', import.meta.url), 'utf8');
    const syllabus = join(ctx.dir, 'variants.yaml');
    const full = '      name: variants-full-net\n';
    writeFileSync(syllabus, fixture.replace(full, `${full}    readyTimeout: 1s\n`));
    const { engine, deps } = engineDeps();
    engine.faults.healthyAfter.web = Infinity;
    const slow = contexts.make({ options: { syllabus } });
    const refused = await setup(slow, '1', {}, deps).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DecError);
    expect((refused as DecError).message).toMatch(/not ready within 1 s/);
  });

  it('with less than 5 GiB for Docker, the official setup’s memory warning names --light', async () => {
    const { deps } = engineDeps(4);
    const ctx = contexts.make({ env: { CLOUDSDK_CORE_PROJECT: 'student-proj-42' } });
    expect(await setup(ctx, '2', {}, deps)).toBe(0);
    expect(ctx.stderr()).toMatch(
      /The Docker engine has 4\.0 GiB of memory; this stack wants 5 GiB .* With less memory, the light setup needs 4 GiB: dec setup week2 --light/,
    );
    expect(await rememberedVariant(ctx.env, course.id, week2)).toBeUndefined();
    await rememberVariant(ctx.env, course.id, week2, 'light');
    expect(await rememberedVariant(ctx.env, course.id, week2)).toBe('light');
  });
});
