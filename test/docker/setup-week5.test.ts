// `dec setup week5` and `dec run week5` end to end (issue 13) on the real engine: the week5 stack of
// syllabus/dez-2022.yaml as it is, with only its images (the stand-in of test/helpers/spark.ts: a master
// whose /json/ page counts the workers that registered, workers that register late) and its host ports
// (free ones) replaced. Proves: setup returns only once the master counts N workers alive (not when
// their containers started), status shows the count and the URLs, --workers 4 adds exactly two
// containers and touches nothing else (and is remembered), the homework folder is the same folder for
// the tool's container and the workers, and `dec run week5` passes the exit code through. One sandbox
// (its own dectest-* project); only its resources are removed afterwards.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  docker,
  freePort,
  httpGetLocal,
  projectContainers,
  removeDecProject,
  requireDocker,
} from '../helpers/docker.js';
import { makeSandbox, noUnexpectedError, REPO_ROOT, runDec, type RunResult, type Sandbox } from '../helpers/run.js';
import { ensureSparkStandInImage } from '../helpers/spark.js';

const box: Sandbox = makeSandbox();
const workspace = join(box.home, 'course');
const homework = join(workspace, 'homework', 'week5');
const syllabusPath = join(box.root, 'dez-2022-week5.yaml');
const env: NodeJS.ProcessEnv = { ...box.env, DEC_SYLLABUS: syllabusPath, NO_COLOR: '1' };
let uiPort = 0;

const dec = (cwd: string, ...args: string[]): Promise<RunResult> => runDec(args, { cwd, env, timeoutMs: 150_000 });
const name = (service: string) => `${box.project}-week5-${service}`;

interface ServiceYaml {
  image: string;
  build?: unknown;
  ports?: Array<{ host: number; container: number }>;
}

/** dez-2022.yaml with week5's images replaced by the stand-in and its host ports by free ones. */
async function writeSyllabus(image: string): Promise<void> {
  const syllabus = parse(readFileSync(join(REPO_ROOT, 'syllabus', 'dez-2022.yaml'), 'utf8')) as {
    stacks: Record<string, { services: Record<string, ServiceYaml> }>;
  };
  for (const service of Object.values(syllabus.stacks.week5!.services)) {
    service.image = image;
    delete service.build;
    for (const port of service.ports ?? []) port.host = await freePort();
  }
  uiPort = syllabus.stacks.week5!.services['spark-master']!.ports![0]!.host;
  writeFileSync(syllabusPath, stringify(syllabus));
}

/** The sandbox project's containers, name → id. */
const containers = () => projectContainers(box.project);

async function aliveWorkers(): Promise<number> {
  const page = await httpGetLocal(uiPort, '/json/');
  return (JSON.parse(page.body) as { aliveworkers: number }).aliveworkers;
}

beforeAll(async () => {
  await requireDocker();
  await writeSyllabus(await ensureSparkStandInImage());
  mkdirSync(workspace, { recursive: true });
}, 120_000);

afterAll(async () => {
  await removeDecProject(box.project);
  box.cleanup();
}, 120_000);

describe(
  'dec setup week5: a Spark cluster whose readiness is the master’s count (real engine)',
  { timeout: 300_000 },
  () => {
    it('is ready only once the master counts both workers alive; status shows them and the URLs', async () => {
      const run = await dec(workspace, 'setup', 'week5');
      expect(run.code, run.stderr).toBe(0);
      noUnexpectedError(run);
      // Asked right away: the workers register 2 s after they start, so only a wait on the master's count
      // (not "the containers run") gives 2 here.
      expect(await aliveWorkers()).toBe(2);
      expect(run.stderr + run.stdout).toContain("the Spark master's UI (spark-master) counts 2 workers alive");
      expect(Object.keys(await containers()).sort()).toEqual(
        [name('spark-master'), name('spark-worker-1'), name('spark-worker-2'), name('jupyter')].sort(),
      );
      // Hostnames: the master and JupyterLab by service name (what Spark advertises).
      expect((await docker(['inspect', '--format', '{{.Config.Hostname}}', name('spark-master')])).trim()).toBe(
        'spark-master',
      );
      // Not a terminal: JupyterLab's token is not printed; where to get it is.
      expect(run.stdout).toContain(`docker exec ${name('jupyter')} jupyter server list`);
      expect(run.stdout).not.toMatch(/token=[0-9a-f]{48}/);

      const status = await dec(workspace, 'setup', 'status', 'week5', '--json');
      expect(status.code, status.stderr).toBe(0);
      const document = JSON.parse(status.stdout) as {
        stacks: Array<{ cluster?: { workersAlive: number; workersWanted: number; urls: Record<string, string> } }>;
      };
      expect(document.stacks[0]!.cluster).toMatchObject({
        workersAlive: 2,
        workersWanted: 2,
        urls: { 'spark-master': `http://localhost:${uiPort}` },
      });
      const text = await dec(workspace, 'setup', 'status', 'week5');
      expect(text.stdout).toContain("Spark: 2 of 2 workers alive (as spark-master's UI counts them)");
      expect(text.stdout).toMatch(/spark-worker #2 +running, ready/);
    });

    it('--workers 4 adds exactly two workers and touches nothing else; the count is remembered', async () => {
      const before = await containers();
      const run = await dec(workspace, 'setup', 'week5', '--workers', '4');
      expect(run.code, run.stderr).toBe(0);
      expect(await aliveWorkers()).toBe(4);
      const after = await containers();
      expect(Object.keys(after).sort()).toEqual(
        [...Object.keys(before), name('spark-worker-3'), name('spark-worker-4')].sort(),
      );
      for (const [container, id] of Object.entries(before)) expect(after[container], container).toBe(id);

      const again = await dec(workspace, 'setup', 'week5');
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('nothing to change');
      const status = await dec(workspace, 'setup', 'status', 'week5');
      expect(status.stdout).toContain('Spark: 4 of 4 workers alive');
    });

    it('dec run week5: spark-submit in homework/week5 with the cluster as MASTER; the workers see the same file; exit codes pass through', async () => {
      writeFileSync(join(homework, 'spark_homework.py'), 'print("hello")\n');
      const submit = await dec(homework, 'run', 'week5', 'spark-submit', 'spark_homework.py');
      expect(submit.code, submit.stderr).toBe(0);
      expect(submit.stdout).toContain(
        'submit spark_homework.py from /opt/workspace/week5 to spark://spark-master:7077',
      );
      expect(submit.stdout).toContain('"aliveworkers":4');
      const seen = await docker(['exec', name('spark-worker-2'), 'cat', '/opt/workspace/week5/spark_homework.py']);
      expect(seen).toBe('print("hello")\n');

      const failing = await dec(homework, 'run', 'week5', 'sh', '-c', 'echo out; exit 7');
      expect(failing.code).toBe(7);
      expect(failing.stdout).toBe('out\n');
      const missing = await dec(homework, 'run', 'week5', 'spark-submit', 'nothing.py');
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('spark-submit: no file nothing.py in /opt/workspace/week5');
    });
  },
);
