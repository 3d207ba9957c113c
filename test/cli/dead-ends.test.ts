// No dead ends: what a student who mistypes, cancels or works outside a workspace sees, from the built dec.
import { describe, expect, it } from 'vitest';
import { runDec, useSandbox } from '../helpers/run.js';

const box = useSandbox();
const dec = (...args: string[]) => runDec(args, { cwd: box.cwd, env: box.sandbox.env });

describe('typos get the nearest command or option, and the command line to run', () => {
  it('dec weeks shwo 3: did you mean show?', async () => {
    const run = await dec('weeks', 'shwo', '3');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('dec weeks has no command "shwo"; did you mean show?');
    expect(run.stderr).toContain('Run: dec weeks show 3');
    expect(run.stderr).not.toContain('too many arguments');
  });

  it('dec progress dne 1: did you mean done?', async () => {
    const run = await dec('progress', 'dne', '1');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('did you mean done?');
    expect(run.stderr).toContain('Run: dec progress done 1');
  });

  it('dec doctor week 2 says --week 2', async () => {
    const run = await dec('doctor', 'week', '2');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('did you mean the option --week 2?');
    expect(run.stderr).toContain('Run: dec doctor --week 2');
  });

  it('dec setup week1 down keeps the week in the command to run', async () => {
    const run = await dec('setup', 'week1', 'down');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Run: dec setup week1 --down');
  });

  it('dec setup stauts: did you mean status? (and a real week is still a week)', async () => {
    for (const args of [
      ['setup', 'stauts'],
      ['setup', 'stauts', 'week1'],
    ]) {
      const run = await dec(...args);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/dec setup has no (week or )?command "stauts"; did you mean status\?/);
      expect(run.stderr).toContain(`Run: dec setup status${args.length > 2 ? ' week1' : ''}`);
      expect(run.stderr).not.toMatch(/There is no week|\n\s+at /);
    }
    // A week's name is never taken for the subcommand (--print-compose needs no engine).
    const week = await dec('setup', 'week1', '--print-compose');
    expect(week.code, week.stderr).toBe(0);
    expect(week.stdout).toContain('pgdatabase');
  });

  it("a subcommand's usage error points to its own help", async () => {
    const missing = await dec('progress', 'undo');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'week'");
    expect(missing.stderr).toContain('dec progress undo --help');
    const extra = await dec('weeks', 'show', '1', '2');
    expect(extra.stderr).toContain('dec weeks show takes <week>');
    expect(extra.stderr).toContain('dec weeks show --help');
    const unknown = await dec('homework', 'chek', '1');
    expect(unknown.stderr).toContain('Did you mean check?');
    expect(unknown.stderr).toContain('dec homework --help');
  });

  it('-v and -V print the version', async () => {
    for (const flag of ['-v', '-V', '--version']) {
      const run = await dec(flag);
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    }
  });
});

describe('progress undo of a whole week asks like reset', () => {
  it('without a terminal it refuses and names --yes; with --yes it undoes; a topic is never asked about', async () => {
    expect((await dec('progress', 'done', '2')).code).toBe(0);
    const refused = await dec('progress', 'undo', '2');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Pass --yes to confirm.');
    const one = await dec('progress', 'undo', '2', '1');
    expect(one.code, one.stderr).toBe(0);
    const all = await dec('progress', 'undo', '2', '--yes');
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('Marked not done: all');
    // Nothing done: nothing to lose, so nothing to ask.
    const again = await dec('progress', 'undo', '2');
    expect(again.code, again.stderr).toBe(0);
  });
});

describe('--db shorthands', () => {
  it('--db localhost:5432 gets the URL to write, in one line', async () => {
    const run = await dec('data', 'load', 'zones', '--db', 'localhost:5432');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--db "localhost:5432" is not a postgresql:// URL; write it as postgresql://root@localhost:5432/ny_taxi.',
    );
  });
});

describe('setup of a week without a local stack', () => {
  it('week 3 says what it needs instead and the command that helps', async () => {
    const run = await dec('setup', 'week3');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Week 3 has no local stack for dec to set up: Nothing local; BigQuery');
    expect(run.stderr).toContain('What week 3 needs instead:');
    expect(run.stderr).toContain('→ dec doctor --week 3');
    expect(run.stderr).toContain('terraform apply in homework/week1/terraform');
    expect(run.stderr).toContain('→ Start with: dec doctor --week 3');
  });
});

describe('outside a workspace', () => {
  it('says which progress it uses; once a workspace was used, names it, and a second homework copy is called one', async () => {
    const { mkdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const at = (cwd: string, ...args: string[]) => runDec(args, { cwd, env: box.sandbox.env });
    const elsewhere = join(box.cwd, 'elsewhere');
    mkdirSync(elsewhere);

    const first = await at(elsewhere, 'progress', 'done', '1', '1');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(
      `Not in a dec workspace: using your own progress file, ${join(box.sandbox.decHome, 'progress.json')}.`,
    );
    expect(first.stderr).toContain('To keep it with your course repo: dec init <folder>.');

    expect((await at(box.cwd, 'init', 'ws')).code).toBe(0);
    const ws = join(box.cwd, 'ws');
    const inside = await at(ws, 'homework', 'init', '1');
    expect(inside.code, inside.stderr).toBe(0);
    expect(inside.stderr).not.toContain('Not in a dec workspace');

    const json = await at(elsewhere, 'progress', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ scope: 'user' });
    expect(json.stderr).toBe('');
    const progress = await at(elsewhere, 'progress');
    expect(progress.code).toBe(0);
    expect(progress.stderr).toContain(`Your workspace (last used): ${ws}. Run dec there: cd ${ws}`);

    const copy = await at(elsewhere, 'homework', 'init', '1');
    expect(copy.code, copy.stderr).toBe(0);
    expect(copy.stderr).toContain(`using homework in ${join(elsewhere, 'homework', 'week1')}`);
    expect(copy.stderr).toContain('It has its own homework/week1: this is another copy.');
    for (const args of [
      ['homework', 'status'],
      ['homework', 'check', '1'],
      ['progress', 'export'],
    ]) {
      const run = await at(elsewhere, ...args);
      expect(run.stderr, args.join(' ')).toContain(`Your workspace (last used): ${ws}.`);
    }
  });
});
