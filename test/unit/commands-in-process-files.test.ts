// More command handlers in-process on a temp dir (see commands-in-process.test.ts): the ones that only
// touch files. `dec init`, `dec homework init` / `status`, `dec data list` / `clean` need no process,
// socket or engine, so they run here in milliseconds with their real file effects checked.
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataClean, dataList } from '../../src/commands/data.js';
import { homeworkCheck, homeworkInit, homeworkStatus } from '../../src/commands/homework.js';
import { listWeeks } from '../../src/commands/weeks.js';
import { initWorkspace } from '../../src/commands/init.js';
import { dataFolder } from '../../src/data/datasets.js';
import { DecError } from '../../src/errors.js';
import { commandContexts } from '../helpers/command-context.js';

const contexts = commandContexts();
afterEach(() => contexts.cleanup());

describe('init and homework', () => {
  it('init makes the workspace; homework init 2 scaffolds inside it; status lists it as started', async () => {
    const ctx = contexts.make();
    await initWorkspace(ctx, undefined, {});
    expect(existsSync(join(ctx.cwd, '.dec', 'workspace.json'))).toBe(true);

    expect(await homeworkInit(ctx, '2', { student: 'Ada' })).toBe(0);
    const folder = join(ctx.cwd, 'homework', 'week2');
    expect(readFileSync(join(folder, 'answers.yaml'), 'utf8')).toContain('q1');
    expect(ctx.stdout()).toContain('homework/week2');

    await homeworkStatus(ctx);
    expect(ctx.stdout()).toMatch(/2 {2}Data ingestion +0\/\d+ answered/);
    expect(ctx.stdout()).toMatch(/3 {2}Data Warehouse +not started/);
  });

  it('status: headers and aligned columns, counts as check counts them, and "checked" goes stale when the answers change', async () => {
    const ctx = contexts.make();
    await initWorkspace(ctx, undefined, {});
    await homeworkInit(ctx, '4', {});
    const answers = join(ctx.cwd, 'homework', 'week4', 'answers.yaml');
    // Week 4: five graded questions, numbers and choices; a choice by its letter.
    writeFileSync(
      answers,
      'q1:\n  answer: 61648442\nq2:\n  answer: a\nq3: 43244696\nq4:\n  answer: ""\nq5:\n  answer:\n',
    );
    const start = ctx.stdout().length;
    await homeworkStatus(ctx);
    const lines = ctx.stdout().slice(start).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Week {2}Title +Answers +Due +Next$/);
    const week4 = lines.find((line) => /^ {3}4 {2}/.test(line))!;
    expect(week4).toMatch(/3\/5 answered +\S.* +dec homework check 4$/);
    // The columns line up: each row's Due starts where the header's does.
    const dueAt = lines[0]!.indexOf('Due');
    for (const line of lines.slice(1)) expect(line.slice(dueAt - 2, dueAt), line).toBe('  ');

    expect(await homeworkCheck(ctx, '4', {})).toBe(1);
    expect(ctx.stdout()).toContain('2 to fix (3 of 5 graded questions answered).');

    writeFileSync(answers, 'q1: 61648442\nq2: a\nq3: 43244696\nq4: 12\nq5: b\n');
    // Written before the check (the test's clock is fixed in 2022).
    utimesSync(answers, new Date('2022-01-31T00:00:00Z'), new Date('2022-01-31T00:00:00Z'));
    expect(await homeworkCheck(ctx, '4', {})).toBe(0);
    const before = ctx.stdout().length;
    await homeworkStatus(ctx);
    expect(ctx.stdout().slice(before)).toMatch(/ {3}4 {2}Analytics engineering +checked/);

    // Changed after the check: the check no longer speaks for these answers.
    writeFileSync(answers, 'q1: 61648442\nq2: a\nq3: 43244696\nq4: 13\nq5: b\n');
    const after = ctx.stdout().length;
    await homeworkStatus(ctx);
    expect(ctx.stdout().slice(after)).toMatch(
      / {3}4 {2}Analytics engineering +changed since the check +.*dec homework check 4/,
    );
    const listed = ctx.stdout().length;
    await listWeeks(ctx);
    expect(ctx.stdout().slice(listed)).toMatch(/Analytics engineering.* recheck/);
  });

  it('homework init --force names the backup it wrote', async () => {
    const ctx = contexts.make();
    await initWorkspace(ctx, undefined, {});
    await homeworkInit(ctx, '2', {});
    const readme = join(ctx.cwd, 'homework', 'week2', 'README.md');
    writeFileSync(readme, 'my own notes\n');
    const start = ctx.stdout().length;
    expect(await homeworkInit(ctx, '2', { force: true })).toBe(0);
    // The test's clock: 2022-02-01T10:00:00Z.
    expect(ctx.stdout().slice(start)).toContain(
      'README.md: overwritten (your version backed up as README.md.bak-2022-02-01T10-00-00Z)',
    );
    expect(readFileSync(`${readme}.bak-2022-02-01T10-00-00Z`, 'utf8')).toBe('my own notes\n');
  });

  it('homework init --dir cannot leave the workspace', async () => {
    const ctx = contexts.make();
    await initWorkspace(ctx, undefined, {});
    const refused = await homeworkInit(ctx, '2', { dir: '../elsewhere' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DecError);
    expect(existsSync(join(ctx.dir, 'elsewhere'))).toBe(false);
  });
});

describe('data list and clean', () => {
  function downloaded(env: NodeJS.ProcessEnv, file: string): string {
    const folder = dataFolder(env);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, file), 'x'.repeat(1024));
    return join(folder, file);
  }

  it('list shows a downloaded month; clean asks, and answered no deletes nothing', async () => {
    const ctx = contexts.make({ interactive: true, answers: [false] });
    const file = downloaded(ctx.env, 'yellow_tripdata_2021-01.csv.gz');
    await dataList(ctx);
    expect(ctx.stdout()).toContain('yellow');

    const declined = await dataClean(ctx, 'yellow', [], {}).catch((error: unknown) => error);
    expect(ctx.asked).toEqual(['Delete this download (0.0 MB)?']);
    expect((declined as DecError).message).toBe('Not confirmed: this download stays; nothing was changed.');
    expect((declined as DecError).exitCode).toBe(1);
    expect(existsSync(file)).toBe(true);
  });

  it('clean without a terminal refuses and names --yes; with --yes it deletes only that dataset', async () => {
    const script = contexts.make();
    const yellow = downloaded(script.env, 'yellow_tripdata_2021-01.csv.gz');
    const green = downloaded(script.env, 'green_tripdata_2021-01.csv.gz');
    const refused = await dataClean(script, 'yellow', [], {}).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DecError);
    expect((refused as DecError).hint).toContain('--yes');
    expect(existsSync(yellow)).toBe(true);

    await dataClean(script, 'yellow', [], { yes: true });
    expect(existsSync(yellow)).toBe(false);
    expect(existsSync(green)).toBe(true);
  });
});
