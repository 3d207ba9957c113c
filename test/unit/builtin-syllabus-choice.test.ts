// Choosing a built-in course by its id (issue 16): --syllabus dez-2026, DEC_SYLLABUS=dez-2026 and
// `dec init`, which asks a person at the terminal (a scripted prompt here) and takes the 2022 default
// in a script, saying how to choose. `dec weeks list` says which course it shows; progress stays per course.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { homeworkInit } from '../../src/commands/homework.js';
import { initWorkspace } from '../../src/commands/init.js';
import { markTopics } from '../../src/commands/progress.js';
import { listWeeks, showWeek } from '../../src/commands/weeks.js';
import { setup, type SetupDeps } from '../../src/commands/setup.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { BUILTIN_SYLLABUS_DIR } from '../../src/paths.js';
import { BUILTIN_COURSES, loadSyllabus, resolveSyllabusSource } from '../../src/syllabus/load.js';
import { terminalPrompt, type Asker, type Choice } from '../../src/output/prompt.js';
import { Terminal } from '../../src/output/terminal.js';
import { commandContexts, type TestContextOptions } from '../helpers/command-context.js';

const contexts = commandContexts();
afterEach(() => contexts.cleanup());

const marker = (cwd: string) =>
  JSON.parse(readFileSync(join(cwd, '.dec', 'workspace.json'), 'utf8')) as { syllabus: string };

describe('a built-in syllabus by its id', () => {
  it('--syllabus dez-2026 and DEC_SYLLABUS=dez-2026 find the file shipped with dec, before any path', async () => {
    const byFlag = resolveSyllabusSource('dez-2026', {}, '/tmp', undefined);
    expect(byFlag).toEqual({ path: join(BUILTIN_SYLLABUS_DIR, 'dez-2026.yaml'), origin: 'flag' });
    const byEnv = resolveSyllabusSource(undefined, { DEC_SYLLABUS: 'dez-2026' }, '/tmp', undefined);
    expect(byEnv).toEqual({ path: join(BUILTIN_SYLLABUS_DIR, 'dez-2026.yaml'), origin: 'env' });
    const ctx = contexts.make();
    expect((await loadSyllabus(byEnv, ctx.env, ctx.cwd)).course.id).toBe('dez-2026');
  });

  it('dec weeks list shows the chosen course and says why, and how to follow the other', async () => {
    const byFlag = contexts.make({ options: { syllabus: 'dez-2026' } });
    await listWeeks(byFlag);
    expect(byFlag.stdout()).toMatch(
      /Data Engineering Zoomcamp \(2026\)\nSyllabus dez-2026 \(chosen by --syllabus\); another course: --syllabus dez-2022/,
    );
    expect(byFlag.stdout()).toMatch(
      /\n {3}2 {2}Workflow Orchestration[^\n]*\n {2}W1 {2}Workshop: data ingestion with dlt/,
    );

    const byEnv = contexts.make({ env: { DEC_SYLLABUS: 'dez-2026' } });
    await listWeeks(byEnv);
    expect(byEnv.stdout()).toContain('Syllabus dez-2026 (chosen by DEC_SYLLABUS)');

    const byDefault = contexts.make();
    await listWeeks(byDefault);
    expect(byDefault.stdout()).toContain(
      'Syllabus dez-2022 (the default); another course: --syllabus dez-2026, or dec init',
    );
  });

  it('weeks show takes a module name and tells the workshop by its id', async () => {
    const ctx = contexts.make({ options: { syllabus: 'dez-2026' } });
    await showWeek(ctx, 'm2');
    expect(ctx.stdout()).toMatch(/^Week 2: Workflow Orchestration/);
    await showWeek(ctx, 'workshop-1');
    expect(ctx.stdout()).toMatch(/Week W1: Workshop: data ingestion with dlt/);
    expect(ctx.stdout()).toContain('dec progress done workshop-1 <number|title>');
  });
});

describe('dec init chooses the course', () => {
  const init = async (options: TestContextOptions) => {
    const ctx = contexts.make(options);
    await initWorkspace(ctx, undefined, {});
    return ctx;
  };

  it('asks a person at the terminal, offering both courses with the 2022 one first (the default)', async () => {
    const ctx = await init({ interactive: true, answers: ['dez-2026'] });
    expect(ctx.asked).toEqual(['Which course do you follow?']);
    expect(marker(ctx.cwd).syllabus).toBe('dez-2026');
    expect(ctx.stdout()).toContain('syllabus   dez-2026 (Data Engineering Zoomcamp)');
  });

  it('in a script takes the 2022 course and says how to choose the current one', async () => {
    const ctx = await init({ interactive: false });
    expect(ctx.asked).toEqual([]);
    expect(marker(ctx.cwd).syllabus).toBe('dez-2022');
    expect(ctx.stderr()).toContain(
      'Following the 2022 course (dez-2022), the default. For the current course: dec init --syllabus dez-2026',
    );
  });

  it('with --json asks nothing either, even at a terminal', async () => {
    const ctx = await init({ interactive: true, options: { json: true } });
    expect(ctx.asked).toEqual([]);
    expect(marker(ctx.cwd).syllabus).toBe('dez-2022');
    // stdout holds one JSON document and stderr stays empty: the hint is in the document.
    expect(ctx.stderr()).toBe('');
    expect(JSON.parse(ctx.stdout())).toMatchObject({
      syllabusChosenBy: 'default',
      syllabusHint: expect.stringContaining('dec init --syllabus dez-2026') as unknown,
    });
  });

  it('--syllabus dez-2026 or DEC_SYLLABUS=dez-2026 choose without asking, and store the id (not a path)', async () => {
    const byFlag = await init({ interactive: true, options: { syllabus: 'dez-2026' } });
    expect(byFlag.asked).toEqual([]);
    expect(marker(byFlag.cwd).syllabus).toBe('dez-2026');
    const byEnv = await init({ interactive: true, env: { DEC_SYLLABUS: 'dez-2026' } });
    expect(byEnv.asked).toEqual([]);
    expect(marker(byEnv.cwd).syllabus).toBe('dez-2026');
    expect(byEnv.stderr()).toBe('');
  });

  it('init --force without a choice keeps the workspace’s course instead of falling back to the default', async () => {
    const ctx = await init({ options: { syllabus: 'dez-2026' } });
    const again = { ...ctx, options: {} };
    await initWorkspace(again, undefined, { force: true });
    expect(marker(ctx.cwd).syllabus).toBe('dez-2026');
  });
});

describe('prompt.select', () => {
  const sink = { isTTY: false, write: () => true };
  const promptFor = (interactive: boolean, seen: unknown[]) => {
    const terminal = new Terminal({ env: {}, stdout: sink, stderr: sink, stdinIsTTY: interactive, json: false });
    const asker: Asker = {
      confirm: async () => false,
      input: async () => '',
      select: async (message: string, choices: readonly Choice[], initial: string) => {
        seen.push({ message, choices: choices.map((c) => c.value), initial });
        return 'dez-2026';
      },
    };
    return terminalPrompt(terminal, asker);
  };

  it('puts the choices and the default to a person at the terminal', async () => {
    const seen: unknown[] = [];
    expect(await promptFor(true, seen).select('Which course?', BUILTIN_COURSES, 'dez-2022')).toBe('dez-2026');
    expect(seen).toEqual([{ message: 'Which course?', choices: ['dez-2022', 'dez-2026'], initial: 'dez-2022' }]);
  });

  it('asks nobody without a terminal: undefined, so the command takes its default', async () => {
    const seen: unknown[] = [];
    expect(await promptFor(false, seen).select('Which course?', BUILTIN_COURSES, 'dez-2022')).toBeUndefined();
    expect(seen).toEqual([]);
  });
});

describe('progress and homework per course', () => {
  it('progress marked under dez-2026 is kept under its id and never shows in dez-2022', async () => {
    const current = contexts.make({ options: { syllabus: 'dez-2026' } });
    await markTopics(current, 'm1', ['1'], { undo: false });
    const file = JSON.parse(readFileSync(join(current.env.DEC_HOME!, 'progress.json'), 'utf8')) as {
      syllabi: Record<string, { done: Record<string, string> }>;
    };
    expect(Object.keys(file.syllabi)).toEqual(['dez-2026']);
    expect(Object.keys(file.syllabi['dez-2026']!.done)).toEqual(['module-1/course-introduction']);

    const old = { ...current, options: {} };
    await listWeeks(old);
    expect(current.stdout()).toMatch(/Data Engineering Zoomcamp \(2022\)[\s\S]*Next: week 1, topic 1/);
  });

  it('homework init scaffolds a module from the 2026 template, for the public-repo submission', async () => {
    const ctx = contexts.make({ options: { syllabus: 'dez-2026' } });
    await initWorkspace(ctx, undefined, {});
    expect(await homeworkInit(ctx, 'm1', { student: 'Ada' })).toBe(0);
    const readme = readFileSync(join(ctx.cwd, 'homework', 'week1', 'README.md'), 'utf8');
    expect(readme).toMatch(/# Homework: Containerization and Infrastructure as Code/);
    expect(readme).toMatch(/python:3\.13/);
    expect(readme).toMatch(/Due: no deadline/);
  });

  it('the workshop gets its own folder, homework/workshop-1 (not one named after its arbitrary number)', async () => {
    const ctx = contexts.make({ options: { syllabus: 'dez-2026' } });
    await initWorkspace(ctx, undefined, {});
    expect(await homeworkInit(ctx, 'workshop-1', { student: 'Ada' })).toBe(0);
    const readme = readFileSync(join(ctx.cwd, 'homework', 'workshop-1', 'README.md'), 'utf8');
    expect(readme).toMatch(/# Homework: Workshop: data ingestion with dlt/);
  });
});

describe('the stacks, planned and printed without any image (no registry here)', () => {
  const printed = async (ref: string) => {
    const ctx = contexts.make({
      options: { syllabus: 'dez-2026' },
      env: { DOCKER_HOST: 'unix:///var/run/docker.sock' },
    });
    expect(await setup(ctx, ref, { printCompose: true })).toBe(0);
    return ctx.stdout();
  };

  it('module 1 prints Postgres 18 on its /var/lib/postgresql volume and pgAdmin on 8085', async () => {
    const compose = await printed('module-1');
    expect(compose).toContain('image: postgres:18');
    expect(compose).toContain('dec-module1-ny_taxi_postgres_data:/var/lib/postgresql');
    expect(compose).toContain('127.0.0.1:8085:80');
  });

  it('module 2 prints Kestra with the Docker socket, its healthchecked Postgres and pg-network beside', async () => {
    const compose = await printed('m2');
    expect(compose).toContain('image: kestra/kestra:v1.1');
    expect(compose).toContain('/var/run/docker.sock:/var/run/docker.sock');
    expect(compose).toMatch(/kestra-postgres:\s+condition: service_healthy/);
    expect(compose).toContain('127.0.0.1:8080:8080');
    expect(compose).toContain('pg-network');
    // The secret configuration (basic auth, the database password) is never printed.
    expect(compose).not.toContain('Admin1234!');
  });

  it('module 7 prints Redpanda and the Flink image built from the Dockerfile dec ships', async () => {
    const compose = await printed('7');
    expect(compose).toContain('image: redpandadata/redpanda:v25.3.9');
    expect(compose).toMatch(/build:\s+context: .*templates\/stacks\/flink\s+dockerfile: Dockerfile.flink/);
    expect(compose).toMatch(/image: dec\/pyflink-workshop:[0-9a-f]{12}/);
    expect(compose).toContain('container_name: dec-module7-jobmanager');
  });
});

describe('the stacks planned against an empty engine (--dry-run; nothing pulled or built)', () => {
  const plan = async (ref: string) => {
    const engine = new FakeEngine();
    const deps: SetupDeps = {
      connect: async () => engine.client,
      hostPorts: { inUse: async () => false, listener: async () => undefined },
    };
    const ctx = contexts.make({ options: { syllabus: 'dez-2026', json: true } });
    expect(await setup(ctx, ref, { dryRun: true }, deps)).toBe(0);
    expect(engine.calls.filter((call) => /^(create|start|pull|build)/.test(call))).toEqual([]);
    return JSON.parse(ctx.stdout()) as { stack: string; plan: string[] };
  };

  it('module 1: the network, both volumes, Postgres before pgAdmin', async () => {
    const { stack, plan: lines } = await plan('m1');
    expect(stack).toBe('module1');
    const text = lines.join('\n');
    expect(text).toContain('create network pg-network');
    expect(lines.indexOf('create and start dec-module1-pgdatabase (postgres:18, 127.0.0.1:5432->5432)')).toBeLessThan(
      lines.indexOf('create and start dec-module1-pgadmin (dpage/pgadmin4:9.10, 127.0.0.1:8085->80)'),
    );
    expect(text).toContain('create volume dec-module1-ny_taxi_postgres_data');
  });

  it("module 2: Kestra's Postgres first, then Kestra", async () => {
    const { stack, plan: lines } = await plan('module-2');
    expect(stack).toBe('module2');
    const text = lines.join('\n');
    expect(text).toContain('create volume dec-module2-kestra_postgres_data');
    expect(lines.indexOf('create and start dec-module2-kestra-postgres (postgres:18)')).toBeLessThan(
      lines.indexOf(
        'create and start dec-module2-kestra (kestra/kestra:v1.1, 127.0.0.1:8080->8080, 127.0.0.1:8081->8081)',
      ),
    );
    expect(lines.indexOf('create and start dec-module2-kestra-postgres (postgres:18)')).toBeGreaterThanOrEqual(0);
  });

  it('module 7: Redpanda, the job manager, the task manager and Postgres', async () => {
    const { stack, plan: lines } = await plan('7');
    expect(stack).toBe('module7');
    expect(lines).toContain('pull image redpandadata/redpanda:v25.3.9');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^build image dec\/pyflink-workshop:[0-9a-f]{12} from .*templates\/stacks\/flink \(Dockerfile.flink\)$/,
      ),
    );
    const started = lines.filter((line) => line.startsWith('create and start')).map((line) => line.split(' ')[3]);
    expect(started).toEqual([
      'dec-module7-redpanda',
      'dec-module7-jobmanager',
      'dec-module7-taskmanager',
      'dec-module7-postgres',
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/^make the folder .*\/work\/streaming\/src$/));
  });
});
