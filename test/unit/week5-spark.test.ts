// Week 5's Spark standalone cluster (issue 13), without an engine: the Dockerfiles dec ships against the
// facts of ../shared/course/stacks.md (B.3.1 the 2022 lessons' versions, B.3.2 the course's later
// cluster, B.3.3 the base-image traps), the week5 stacks in dez-2022.yaml (ports beside weeks 1, 2 and 6,
// names, readiness, tool), the worker flags (--workers, --worker-cores, --worker-memory), the master's
// /json/ page read for readiness, JupyterLab's token, and scaling 2 → 4 on the in-memory engine.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isDecError } from '../../src/errors.js';
import { planUp, stackStatus, up } from '../../src/setup/engine.js';
import { jupyterLines, withJupyterToken } from '../../src/setup/jupyter.js';
import { readyCheck } from '../../src/setup/ready.js';
import { clusterLines, clusterStatus, parseMasterJson, sparkCluster } from '../../src/setup/spark.js';
import { desiredStack, instancesOf, noOverrides, type DesiredStack, type Overrides } from '../../src/setup/spec.js';
import {
  applyWorkerFlags,
  clusterSettings,
  defaultWorkerMb,
  memoryMb,
  sparkMemory,
  workerService,
} from '../../src/setup/workers.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { applySeams, FakeEngine } from '../helpers/fake-engine.js';
import { REPO_ROOT } from '../helpers/run.js';

const course = parseSyllabus(readFileSync(join(REPO_ROOT, 'syllabus', 'dez-2022.yaml')), 'dez-2022.yaml');
const week5 = course.stacks.week5!;
const week5Later = course.stacks['week5-spark33']!;
const CONTEXT = join(REPO_ROOT, 'templates', 'stacks', 'week5-spark');
const dockerfile = (name: string) => readFileSync(join(CONTEXT, name), 'utf8');
const HOST = { uid: 1000, gid: 1000 };
const GiB = 1024 ** 3;

const errorText = (run: () => unknown): string => {
  try {
    run();
    return 'no error';
  } catch (error) {
    return isDecError(error) ? `${error.message} ${error.hint ?? ''}` : String(error);
  }
};

/** The value of `ARG name=value` in a Dockerfile. */
const arg = (text: string, name: string) => new RegExp(`^ARG ${name}=(\\S+)$`, 'm').exec(text)?.[1];

// stacks.md B.3.1 / B.3.3: the 2022 lessons' profile; B.3.2 / B.3.3: the course's later cluster.
const PROFILES = [
  {
    file: 'Dockerfile.spark-3.0',
    stack: week5,
    image: 'dec/spark-3.0',
    from: 'eclipse-temurin:11-jre-focal',
    spark: '3.0.3',
    hadoop: '3.2',
    py4j: 'py4j-0.10.9-src.zip',
  },
  {
    file: 'Dockerfile.spark-3.3',
    stack: week5Later,
    image: 'dec/spark-3.3',
    from: 'eclipse-temurin:17-jre-jammy',
    spark: '3.3.1',
    hadoop: '3',
    py4j: 'py4j-0.10.9.5-src.zip',
  },
] as const;

describe('the Spark images dec ships (stacks.md B.3)', () => {
  for (const profile of PROFILES) {
    it(`${profile.file}: Spark ${profile.spark} / Hadoop ${profile.hadoop} on ${profile.from}`, () => {
      const text = dockerfile(profile.file);
      // One base, pinned to its OS release: Java 11 for Spark 3.0 (8 or 11 only), Java 17 for 3.3; focal's
      // Python 3.8 and jammy's 3.10 take pip installs (the newest Ubuntu's 3.12 refuses them, PEP 668).
      expect(text.match(/^FROM .*$/gm)).toEqual([`FROM ${profile.from}`]);
      expect(arg(text, 'SPARK_VERSION')).toBe(profile.spark);
      expect(arg(text, 'HADOOP_VERSION')).toBe(profile.hadoop);
      expect(arg(text, 'JUPYTERLAB_VERSION')).toBe('3.6.1');
      // The Apache archive, the course's file name, checked against the published SHA-512.
      expect(text).toContain('https://archive.apache.org/dist/spark/spark-${SPARK_VERSION}');
      expect(text).toContain('spark-${SPARK_VERSION}-bin-hadoop${HADOOP_VERSION}');
      expect(text).toContain('sha512sum -c');
      // PySpark of exactly the cluster's version: Spark's own, checked at build time; its py4j named.
      expect(text).toContain(`python3 -c "import pyspark, sys; v = pyspark.__version__;`);
      expect(text).toContain("sys.exit(v != '${SPARK_VERSION}')");
      expect(text).toContain(profile.py4j);
      // Every pip install is pinned (no second Spark from pip).
      for (const [, args] of text.matchAll(/pip install ([^;]*);/g))
        for (const word of args!.trim().split(/\s+/))
          expect(word, args).toMatch(/^(?:--[a-z-]+|"[A-Za-z0-9_.-]+==[^"]+")$/);
      expect(text).not.toMatch(/pyspark==/);
      expect(text).toContain('ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/dec-spark"]');
      expect(text).toContain('VOLUME /opt/workspace');
    });

    it(`${profile.stack === week5 ? 'week5' : 'week5-spark33'} builds ${profile.file} once for master, workers and JupyterLab`, () => {
      for (const service of ['spark-master', 'spark-worker', 'jupyter']) {
        const spec = profile.stack.services[service]!;
        expect(spec.image, service).toBe(profile.image);
        expect(spec.build, service).toEqual({ context: 'stacks/week5-spark', dockerfile: profile.file });
      }
    });
  }

  it('the untagged or newest-Ubuntu bases of the course (17-jre, noble) are not used', () => {
    for (const { file } of PROFILES) {
      const from = /^FROM (.*)$/m.exec(dockerfile(file))![1]!;
      expect(from).toMatch(/-(focal|jammy)$/);
      expect(from).not.toMatch(/noble|latest/);
    }
  });

  it('the entrypoint starts each role in the foreground, logging to stdout, and runs anything else as given', () => {
    const script = dockerfile('entrypoint.sh');
    expect(script).toContain('org.apache.spark.deploy.master.Master');
    expect(script).toContain('org.apache.spark.deploy.worker.Worker');
    expect(script).toContain('jupyter lab --ip=0.0.0.0');
    expect(script).toContain('exec "$@"');
    expect(script).not.toMatch(/>>\s*\S*logs/);
    // The student's uid gets a name (Hadoop fails on a nameless one).
    expect(script).toContain('>> /etc/passwd');
  });
});

describe('the week5 stacks', () => {
  it('master, replicated workers and JupyterLab with the names Spark advertises and the course uses', () => {
    for (const stack of [week5, week5Later]) {
      expect(Object.keys(stack.services)).toEqual(['spark-master', 'spark-worker', 'jupyter']);
      const { 'spark-master': master, 'spark-worker': worker, jupyter } = stack.services;
      expect(master!.hostname).toBe('spark-master');
      expect(jupyter!.hostname).toBe('jupyter');
      // Replicas advertise their own addresses: one host name for all would send the master to any of them.
      expect(worker!.hostname).toBeUndefined();
      expect(worker!.replicas).toBe(2);
      expect(worker!.env).toMatchObject({ SPARK_MASTER_URL: 'spark://spark-master:7077', SPARK_WORKER_CORES: '1' });
      expect(jupyter!.env).toMatchObject({ MASTER: 'spark://spark-master:7077' });
      expect(jupyter!.secretEnv).toEqual(['JUPYTER_TOKEN']);
      expect(worker!.ready).toEqual({ sparkWorkers: { master: 'spark-master', port: 8080 } });
      expect(master!.ports).toEqual([
        { host: 8090, container: 8080 },
        { host: 7077, container: 7077 },
      ]);
      // The homework folder at the same path for the driver (JupyterLab, dec run) and the executors.
      expect(worker!.binds).toEqual(jupyter!.binds);
      expect(worker!.binds).toEqual([{ path: 'homework/week5', target: '/opt/workspace/week5' }]);
      expect(stack.tool).toMatchObject({ service: 'jupyter', workdir: '/opt/workspace/week5' });
      for (const service of Object.values(stack.services)) expect(service.user).toBe('{host.uid}:0');
    }
  });

  it('publishes no host port weeks 1, 2 and 6 use, and says where the course’s 8080 went', () => {
    const taken = new Set(
      ['week1', 'week2', 'week2-light', 'week6'].flatMap((id) =>
        Object.values(course.stacks[id]!.services).flatMap((s) => (s.ports ?? []).map((p) => p.host)),
      ),
    );
    for (const port of [8080, 8081, 8085, 9021, 5555, 9092, 2181, 5432])
      expect(taken.has(port), String(port)).toBe(true);
    for (const stack of [week5, week5Later]) {
      const ours = Object.values(stack.services).flatMap((s) => (s.ports ?? []).map((p) => p.host));
      expect(ours.filter((port) => taken.has(port))).toEqual([]);
      expect(stack.next!.join('\n')).toContain('8080');
    }
  });

  it('week 5 points at it, with the later versions as the spark33 variant', () => {
    const week = course.weeks.find((w) => w.number === 5)!;
    expect(week.setup?.stack).toBe('week5');
    expect(week.setup?.variants).toMatchObject({ spark33: { stack: 'week5-spark33' } });
    expect(week.setup?.ports?.map((p) => p.port)).toEqual([8090, 7077, 8888, 4040]);
  });

  it('the syllabus check refuses a sparkWorkers master that does not publish the port', () => {
    const text = readFileSync(join(REPO_ROOT, 'syllabus', 'dez-2022.yaml'), 'utf8').replace(
      'ready: { sparkWorkers: { master: spark-master, port: 8080 } }',
      'ready: { sparkWorkers: { master: spark-master, port: 9999 } }',
    );
    const message = errorText(() => parseSyllabus(Buffer.from(text), 'dez-2022.yaml'));
    expect(message).toContain('1 problem');
  });
});

describe('--workers, --worker-cores, --worker-memory', () => {
  const engine = { memTotal: 8 * GiB, cpus: 4 };

  it('finds the worker service by its readiness', () => {
    expect(workerService(week5)).toBe('spark-worker');
    expect(workerService(course.stacks.week1!)).toBeUndefined();
  });

  it('memory in Spark’s notation', () => {
    expect(memoryMb('2g')).toBe(2048);
    expect(memoryMb('1536m')).toBe(1536);
    expect(memoryMb('2GB')).toBe(2048);
    expect(memoryMb('lots')).toBeUndefined();
    expect(sparkMemory(2048)).toBe('2g');
    expect(sparkMemory(1536)).toBe('1536m');
  });

  it('the default memory: the engine’s less 2 GiB, shared, at most the course’s 4g, at least 512m', () => {
    expect(defaultWorkerMb({ memTotal: 8 * GiB, cpus: 4 }, 2)).toBe(3072);
    expect(defaultWorkerMb({ memTotal: 16 * GiB, cpus: 4 }, 2)).toBe(4096);
    expect(defaultWorkerMb({ memTotal: 4 * GiB, cpus: 2 }, 4)).toBe(512);
    // Docker Desktop's "8 GB" is a little less than 8 GiB.
    expect(defaultWorkerMb({ memTotal: 7.7 * GiB, cpus: 4 }, 2)).toBe(2816);
  });

  it('--workers sets the worker replicas only; the memory is derived once from the engine and remembered', () => {
    const { overrides, warnings } = applyWorkerFlags(noOverrides(), { workers: '3' }, week5, 'week5', engine);
    expect(overrides.replicas).toEqual({ 'spark-worker': 3 });
    expect(overrides.env['spark-worker']).toEqual({ SPARK_WORKER_MEMORY: '2g' });
    expect(warnings).toEqual([]);
    // Scaling later keeps the memory (so the running workers are not recreated).
    const again = applyWorkerFlags(overrides, { workers: '4' }, week5, 'week5', engine);
    expect(again.overrides.replicas).toEqual({ 'spark-worker': 4 });
    expect(again.overrides.env['spark-worker']).toEqual({ SPARK_WORKER_MEMORY: '2g' });
    // 4 × 2g on 8 GiB: said, not refused (Spark uses a worker's memory only for executors that ask).
    expect(again.warnings.join('\n')).toContain('4 workers × 2g is more than');
  });

  it('cores and memory as given, never more than the engine has', () => {
    const given = applyWorkerFlags(noOverrides(), { workerCores: '2', workerMemory: '1536m' }, week5, 'week5', engine);
    expect(given.overrides.env['spark-worker']).toEqual({ SPARK_WORKER_CORES: '2', SPARK_WORKER_MEMORY: '1536m' });
    expect(errorText(() => applyWorkerFlags(noOverrides(), { workerCores: '8' }, week5, 'week5', engine))).toContain(
      'the Docker engine has 4 CPUs',
    );
    expect(errorText(() => applyWorkerFlags(noOverrides(), { workerMemory: '9g' }, week5, 'week5', engine))).toContain(
      'the Docker engine has 8g',
    );
    expect(
      errorText(() => applyWorkerFlags(noOverrides(), { workerMemory: '100m' }, week5, 'week5', engine)),
    ).toContain('at least 512m');
    expect(errorText(() => applyWorkerFlags(noOverrides(), { workers: '0' }, week5, 'week5', engine))).toContain(
      'from 1 to 20',
    );
    expect(errorText(() => applyWorkerFlags(noOverrides(), { workers: 'two' }, week5, 'week5', engine))).toContain(
      '--workers: "two" is not a whole number',
    );
  });

  it('warns when the workers together offer more than the engine has', () => {
    const { warnings } = applyWorkerFlags(noOverrides(), { workers: '4', workerMemory: '3g' }, week5, 'week5', engine);
    expect(warnings.join('\n')).toContain('4 workers × 3g is more than');
  });

  it('refused on a stack without workers; nothing changes there without the flags', () => {
    expect(
      errorText(() => applyWorkerFlags(noOverrides(), { workers: '2' }, course.stacks.week1!, 'week1', engine)),
    ).toContain('--workers is for a Spark cluster, and the week1 stack has no Spark workers.');
    const same = noOverrides();
    expect(applyWorkerFlags(same, {}, course.stacks.week1!, 'week1', engine).overrides).toBe(same);
  });

  it('asks the engine only when it must; without one (offline --print-compose) the syllabus’s memory stays', async () => {
    let asked = 0;
    const size = () => {
      asked += 1;
      return Promise.resolve(undefined);
    };
    const offline = await clusterSettings(noOverrides(), {}, week5, 'week5', size);
    expect(asked).toBe(1);
    expect(offline.overrides.env['spark-worker']).toBeUndefined();
    const remembered: Overrides = { ...noOverrides(), env: { 'spark-worker': { SPARK_WORKER_MEMORY: '2g' } } };
    await clusterSettings(remembered, { workers: '3' }, week5, 'week5', size);
    expect(asked).toBe(1);
    await clusterSettings(noOverrides(), {}, course.stacks.week1!, 'week1', size);
    expect(asked).toBe(1);
  });
});

describe('JupyterLab’s token', () => {
  it('made once (random, as a remembered secret), then kept', () => {
    const first = withJupyterToken(noOverrides(), week5, (n) => Buffer.alloc(n, 7));
    expect(first.env.jupyter?.JUPYTER_TOKEN).toBe('07'.repeat(24));
    const second = withJupyterToken(first, week5, (n) => Buffer.alloc(n, 9));
    expect(second.env.jupyter?.JUPYTER_TOKEN).toBe('07'.repeat(24));
    expect(withJupyterToken(noOverrides(), course.stacks.week1!)).toEqual(noOverrides());
  });

  it('the link with the token only for a person at a terminal; elsewhere where to get it', () => {
    const overrides = withJupyterToken(noOverrides(), week5, (n) => Buffer.alloc(n, 1));
    const desired = desiredStack('week5', week5, course.id, overrides, 'dec', HOST);
    expect(jupyterLines(desired, true)).toEqual([
      `JupyterLab link (with its token; keep it to yourself): http://localhost:8888/lab?token=${'01'.repeat(24)}`,
    ]);
    const hidden = jupyterLines(desired, false).join('\n');
    expect(hidden).not.toContain('01'.repeat(24));
    expect(hidden).toContain('docker exec dec-week5-jupyter jupyter server list');
  });
});

// A Spark 3.0.3 master's /json/ page with two workers, one of them gone (trimmed to what dec reads).
const MASTER_JSON = JSON.stringify({
  url: 'spark://spark-master:7077',
  workers: [
    { id: 'worker-20220301-172.18.0.3-40001', host: '172.18.0.3', port: 40001, cores: 1, memory: 2048, state: 'ALIVE' },
    { id: 'worker-20220301-172.18.0.4-40002', host: '172.18.0.4', port: 40002, cores: 1, memory: 2048, state: 'DEAD' },
  ],
  aliveworkers: 1,
  cores: 1,
  coresused: 0,
  memory: 2048,
  memoryused: 0,
  activeapps: [],
  completedapps: [],
  status: 'ALIVE',
});

describe("the master's /json/ page", () => {
  it('reads aliveworkers, and counts ALIVE workers when a UI lacks it', () => {
    expect(parseMasterJson(MASTER_JSON)).toMatchObject({ status: 'ALIVE', aliveWorkers: 1 });
    expect(parseMasterJson(MASTER_JSON)!.workers.map((w) => w.state)).toEqual(['ALIVE', 'DEAD']);
    const older = JSON.parse(MASTER_JSON) as Record<string, unknown>;
    delete older.aliveworkers;
    expect(parseMasterJson(JSON.stringify(older))!.aliveWorkers).toBe(1);
    expect(parseMasterJson('<html>502 Bad Gateway</html>')).toBeUndefined();
    expect(parseMasterJson('{"status":"ALIVE"}')).toBeUndefined();
  });

  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  /** A master UI on a free loopback port that answers with `body()` (status 200) at /json/. */
  async function masterUi(body: () => string): Promise<number> {
    server = createServer((req, res) => {
      if (req.url !== '/json/') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(body());
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    return (server.address() as AddressInfo).port;
  }

  it('a worker is ready once the master counts as many alive as there are replicas (--workers)', async () => {
    let alive = 0;
    const port = await masterUi(() => JSON.stringify({ workers: [], aliveworkers: alive }));
    const withWorkers = (count: number, uiPort: number) =>
      desiredStack(
        'week5',
        week5,
        course.id,
        { ...noOverrides(), replicas: { 'spark-worker': count }, ports: { 'spark-master': uiPort } },
        'dec',
        HOST,
      );
    const worker = withWorkers(3, port).services.find((s) => s.service === 'spark-worker')!;
    expect(worker.readyHostPort).toBe(port);
    const check = readyCheck(instancesOf(worker)[2]!, 1000)!;
    expect(await check()).toBe(false);
    alive = 2;
    expect(await check()).toBe(false);
    alive = 3;
    expect(await check()).toBe(true);
    // No master answering: not ready (yet), never an error.
    const nobody = withWorkers(3, 1).services.find((s) => s.service === 'spark-worker')!;
    expect(await readyCheck(nobody, 500)!()).toBe(false);

    const status = await clusterStatus(withWorkers(3, port));
    expect(status).toMatchObject({ master: 'spark-master', workersWanted: 3, workersAlive: 3 });
    expect(clusterLines(status!)).toEqual([
      "Spark: 3 of 3 workers alive (as spark-master's UI counts them)",
      `spark-master: http://localhost:${port}`,
      'jupyter: http://localhost:8888',
    ]);
  });
});

describe('scaling the cluster on the in-memory engine', () => {
  const stackWith = (count: number): DesiredStack =>
    desiredStack('week5', week5, course.id, { ...noOverrides(), replicas: { 'spark-worker': count } }, 'dec', HOST, {
      'spark-master': { dir: CONTEXT, digest: 'abc123def456' },
      'spark-worker': { dir: CONTEXT, digest: 'abc123def456' },
      jupyter: { dir: CONTEXT, digest: 'abc123def456' },
    });

  it('the count is not in the config hash: 2 → 4 adds two workers and touches nothing else', async () => {
    const two = stackWith(2);
    const four = stackWith(4);
    expect(four.services.map((s) => s.configHash)).toEqual(two.services.map((s) => s.configHash));
    expect(sparkCluster(four)).toMatchObject({ workers: 'spark-worker', wanted: 4, uiPort: 8090 });

    const engine = new FakeEngine();
    engine.images.add(two.services[0]!.image);
    const first = await planUp(engine.client, two, { recreate: false, repair: true, warn: () => undefined });
    await up(engine.client, two, first.plan, applySeams(engine));
    const before = await engine.client.listContainers();
    expect(before.map((c) => c.name).sort()).toEqual(
      ['dec-week5-jupyter', 'dec-week5-spark-master', 'dec-week5-spark-worker-1', 'dec-week5-spark-worker-2'].sort(),
    );

    const scaled = await planUp(engine.client, four, { recreate: false, repair: true, warn: () => undefined });
    expect(scaled.plan.services.filter((a) => a.kind !== 'keep').map((a) => [a.kind, a.service.containerName])).toEqual(
      [
        ['create', 'dec-week5-spark-worker-3'],
        ['create', 'dec-week5-spark-worker-4'],
      ],
    );
    expect(scaled.plan.removeExtra).toEqual([]);
    await up(engine.client, four, scaled.plan, applySeams(engine));
    const after = await engine.client.listContainers();
    for (const container of before) expect(after.find((c) => c.name === container.name)?.id).toBe(container.id);
    expect(after).toHaveLength(6);
    const status = await stackStatus(engine.client, four, after, undefined);
    expect(status.filter((s) => s.service === 'spark-worker').map((s) => s.replica)).toEqual([1, 2, 3, 4]);
  });
});

describe('the remembered worker count', () => {
  it('round-trips in the 0600 settings file, and a bad count is damage, not a reset', async () => {
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { overridesPath, readOverrides, saveOverrides } = await import('../../src/setup/state.js');
    const home = await mkdtemp(join(tmpdir(), 'dec-unit-week5-'));
    try {
      const env = { DEC_HOME: home };
      const saved: Overrides = { ...noOverrides(), replicas: { 'spark-worker': 4 } };
      await saveOverrides(env, 'dez-2022', 'week5', saved);
      expect(await readOverrides(env, 'dez-2022', 'week5')).toEqual(saved);
      // Without --workers ever given, the file has no "replicas" (as before this flag existed).
      await saveOverrides(env, 'dez-2022', 'week1', noOverrides());
      expect(await readOverrides(env, 'dez-2022', 'week1')).toEqual(noOverrides());
      const path = overridesPath(env, 'dez-2022', 'week5');
      await writeFile(path, JSON.stringify({ version: 1, replicas: { 'spark-worker': 0 } }));
      expect(await readOverrides(env, 'dez-2022', 'week5').catch((e: unknown) => String(e))).toContain('damaged');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
