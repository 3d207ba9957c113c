// Once per `vitest run`: the suite must leave every Docker resource it did not create as it found it.
//
// Before the first test file, the containers (with their state), volumes and networks that are not the
// suite's own (labels dec.test=1 or dec.project=dectest-*) are listed; after the last one, each must
// still be there, unchanged, or the run fails naming what was touched. On a student's machine these are
// their course stacks. In CI (DEC_TEST_STUDENT_STACK=1, set by .ci/run), a real week-1 Postgres under
// dec's default project, with a table in it, stands in for the student's: it must come through the whole
// suite with its container running and its table intact; this file removes it afterwards.
//
// vitest.config.ts names this file on the root project, so it runs once for the whole run whichever
// projects are in it; a run without the docker and harness projects (no Docker there) skips it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { docker, dockerAnswers, dockerCli, freePort } from './helpers/docker.js';
import { ensurePostgresImage, POSTGRES_TEST_IMAGE } from './helpers/images.js';
import { queryCourseDatabase } from './helpers/postgres.js';
import { TEST_PROJECT_PREFIX } from './helpers/project.js';

const DEC_BIN = new URL('../bin/dec.cjs', import.meta.url).pathname;

type Snapshot = Map<string, string>;

function ours(labels: string): boolean {
  return labels
    .split(',')
    .some((label) => label === 'dec.test=1' || label.startsWith(`dec.project=${TEST_PROJECT_PREFIX}`));
}

/** kind:name → state, for every resource that is not the suite's own. */
async function snapshot(): Promise<Snapshot> {
  const found: Snapshot = new Map();
  const list = async (kind: string, args: string[]) => {
    for (const line of (await docker(args)).split('\n')) {
      const [name, state, labels = ''] = line.split('\t');
      if (name && !ours(labels)) found.set(`${kind} ${name}`, state ?? '');
    }
  };
  await list('container', ['ps', '-a', '--format', '{{.Names}}\t{{.State}}\t{{.Labels}}']);
  await list('volume', ['volume', 'ls', '--format', '{{.Name}}\t-\t{{.Labels}}']);
  await list('network', ['network', 'ls', '--format', '{{.Name}}\t{{.ID}}\t{{.Labels}}']);
  return found;
}

function touched(before: Snapshot, after: Snapshot): string[] {
  return [...before].flatMap(([resource, state]) => {
    const now = after.get(resource);
    if (now === undefined) return [`${resource} was removed`];
    return now === state ? [] : [`${resource} went from ${state} to ${now}`];
  });
}

interface StudentStack {
  port: number;
  home: string;
}

const STUDENT = { container: 'dec-week1-pgdatabase', volume: 'dec-week1-ny_taxi_postgres_data', network: 'pg-network' };

const studentQuery = (port: number, sql: string) => queryCourseDatabase(port, sql);

/** A real week-1 Postgres in dec's default project, as a student has it, with a table of their work. */
async function startStudentStack(): Promise<StudentStack | undefined> {
  for (const args of [
    ['container', 'inspect', STUDENT.container],
    ['volume', 'inspect', STUDENT.volume],
    ['network', 'inspect', STUDENT.network],
  ]) {
    // Someone's real stack is here: it is theirs, and the snapshot guards it anyway.
    if ((await dockerCli(args)).code === 0) return undefined;
  }
  await ensurePostgresImage();
  const home = mkdtempSync(join(tmpdir(), 'dec-student-'));
  const port = await freePort();
  const env = { PATH: process.env.PATH, HOME: home, DEC_HOME: join(home, '.dec'), LANG: 'C.UTF-8' };
  const args = ['setup', 'week1', '--only', 'pgdatabase', '--image', `pgdatabase=${POSTGRES_TEST_IMAGE}`];
  await new Promise<void>((done, fail) =>
    execFile(
      process.execPath,
      [DEC_BIN, ...args, '--port', `pgdatabase=${port}`],
      { cwd: home, env, timeout: 180_000 },
      (error, _stdout, stderr) =>
        error ? fail(new Error(`could not start the stand-in student stack: ${stderr || error.message}`)) : done(),
    ),
  );
  await studentQuery(port, "create table student_work (note text); insert into student_work values ('week 1 done')");
  return { port, home };
}

async function checkAndRemoveStudentStack(stack: StudentStack): Promise<string[]> {
  const problems: string[] = [];
  try {
    const rows = await studentQuery(stack.port, 'select note from student_work');
    if (JSON.stringify(rows) !== JSON.stringify([{ note: 'week 1 done' }]))
      problems.push(`the student's table changed: ${JSON.stringify(rows)}`);
  } catch (error) {
    problems.push(`the student's Postgres or table is gone: ${(error as Error).message}`);
  }
  await dockerCli(['rm', '-f', STUDENT.container]);
  await dockerCli(['volume', 'rm', STUDENT.volume]);
  await dockerCli(['network', 'rm', STUDENT.network]);
  rmSync(stack.home, { recursive: true, force: true });
  return problems;
}

/** The projects whose tests make Docker containers, volumes and networks. */
const DOCKER_PROJECTS = new Set(['docker', 'harness']);

export default async function globalSetup(root: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!root.vitest.projects.some((project) => DOCKER_PROJECTS.has(project.name))) return undefined;
  if (!(await dockerAnswers())) return undefined; // the Docker suites say so themselves, loudly
  const student = process.env.DEC_TEST_STUDENT_STACK === '1' ? await startStudentStack() : undefined;
  const before = await snapshot();
  return async () => {
    const problems = touched(before, await snapshot());
    if (student) problems.push(...(await checkAndRemoveStudentStack(student)));
    if (problems.length > 0) {
      throw new Error(`The test suite touched Docker resources it did not create:\n  ${problems.join('\n  ')}`);
    }
  };
}
