// The homework README the course platform reads, kept in step with answers.yaml by `dec homework check`
// (the built binary, a temp HOME): the answer slots follow answers.yaml, the student's own text around
// them never changes, a slot edited by hand is left and reported, a README without slots gets a hint.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noUnexpectedError, runDec, useSandbox } from '../helpers/run.js';

const box = useSandbox();
const dec = (args: string[]) =>
  runDec(args, { cwd: join(box.cwd, 'course'), env: { ...box.sandbox.env, NO_COLOR: '1' } });

/** A workspace with week 1's homework scaffolded; the folder. */
async function scaffolded(): Promise<string> {
  expect((await runDec(['init', 'course'], { cwd: box.cwd, env: box.sandbox.env })).code).toBe(0);
  const init = await dec(['homework', 'init', '1']);
  expect(init.code, init.stderr).toBe(0);
  return join(box.cwd, 'course', 'homework', 'week1');
}

// Only the command questions: nothing to run, so no database is needed.
const ANSWERS =
  'q1:\n  answer: "Google Cloud SDK 528.0.0"\n  command: gcloud --version\nq2:\n  answer: Apply complete\n';

/** The README with each slot replaced by its id: the student's part. */
const outside = (text: string) => text.replace(/<!-- dec:answer (\S+)[^]*?<!-- \/dec:answer \1 -->/g, '<slot $1>');

describe('dec homework check and the README', () => {
  it('copies the answers into their slots and keeps the text the student wrote around them', async () => {
    const folder = await scaffolded();
    const readme = join(folder, 'README.md');
    const own = `My notes: pgcli, not psql.\n\n${readFileSync(readme, 'utf8')}\n## Reflections\n\nDocker on WSL was slow.\n`;
    writeFileSync(readme, own);
    writeFileSync(join(folder, 'answers.yaml'), ANSWERS);

    const check = await dec(['homework', 'check', '1']);
    noUnexpectedError(check);
    expect(check.stdout).toContain('README.md: q1, q2 copied from answers.yaml into their slots');
    const synced = readFileSync(readme, 'utf8');
    expect(synced).toContain(
      '**Answer:** Google Cloud SDK 528.0.0\n\nCommand used:\n\n```shell\ngcloud --version\n```',
    );
    expect(synced).toContain('**Answer:** Apply complete');
    expect(outside(synced)).toBe(outside(own));

    // In step: the next check writes nothing and says so; --json tells the same.
    const again = await dec(['homework', 'check', '1', '--json']);
    const report = JSON.parse(again.stdout) as { readme: { changed: string[]; slots: string[] } };
    expect(report.readme.changed).toEqual([]);
    expect(report.readme.slots).toContain('q1');
    expect(readFileSync(readme, 'utf8')).toBe(synced);

    // A slot the student edited by hand is theirs: left, and reported.
    writeFileSync(readme, synced.replace('**Answer:** Apply complete', '**Answer:** Apply complete! (typed here)'));
    writeFileSync(join(folder, 'answers.yaml'), ANSWERS.replace('Apply complete', 'Apply complete, 2 added'));
    const edited = await dec(['homework', 'check', '1']);
    expect(edited.stdout).toContain('README.md: the slot of q2 was edited by hand, so dec left it');
    expect(readFileSync(readme, 'utf8')).toContain('Apply complete! (typed here)');
  });

  it('leaves a README without slots alone, with a one-line hint', async () => {
    const folder = await scaffolded();
    const readme = join(folder, 'README.md');
    writeFileSync(readme, '# My homework\n\n**Answer:** my own way\n');
    writeFileSync(join(folder, 'answers.yaml'), ANSWERS);
    const check = await dec(['homework', 'check', '1']);
    noUnexpectedError(check);
    expect(check.stdout).toMatch(/README\.md has no answer slots .*so dec left it alone/u);
    expect(readFileSync(readme, 'utf8')).toBe('# My homework\n\n**Answer:** my own way\n');
  });
});
