// checkExcessWords on a small commander program shaped like dec's: a group with a default command, a
// group with its own action, and a leaf with options.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { DecError } from '../../src/errors.js';
import { guardTypos } from '../../src/util/typos.js';

function program(): { run: (...args: string[]) => Promise<string | undefined>; ran: string[] } {
  const ran: string[] = [];
  const build = () => {
    const root = new Command('dec').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    const weeks = root.command('weeks');
    weeks.command('list', { isDefault: true }).action(() => void ran.push('list'));
    weeks
      .command('show')
      .argument('<week>')
      .action(() => void ran.push('show'));
    const progress = root.command('progress').action(() => void ran.push('progress'));
    progress
      .command('done')
      .argument('<week>')
      .argument('[topics...]')
      .action(() => void ran.push('done'));
    root
      .command('doctor')
      .option('--week <week>')
      .option('--verbose')
      .action(() => void ran.push('doctor'));
    const setup = root
      .command('setup')
      .argument('[week]')
      .option('--down')
      .action(() => void ran.push('setup'));
    setup
      .command('status')
      .argument('[week]')
      .action(() => void ran.push('status'));
    guardTypos(root);
    return root;
  };
  return {
    ran,
    run: async (...args) => {
      try {
        await build().parseAsync(['node', 'dec', ...args]);
        return undefined;
      } catch (error) {
        if (error instanceof DecError) return `${error.message} | ${error.hint ?? ''}`;
        throw error;
      }
    },
  };
}

describe('guardTypos', () => {
  it('a misspelt subcommand that the default command would take: the nearest, with the line to run', async () => {
    const { run, ran } = program();
    expect(await run('weeks', 'shwo', '3')).toBe(
      'dec weeks has no command "shwo"; did you mean show? | Run: dec weeks show 3',
    );
    expect(await run('progress', 'dne', '1')).toBe(
      'dec progress has no command "dne"; did you mean done? | Run: dec progress done 1',
    );
    expect(await run('weeks', 'xyzzy')).toBe(
      'dec weeks has no command "xyzzy". | dec weeks --help lists them with examples.',
    );
    expect(ran).toEqual([]);
  });

  it('a group that also takes a word (dec setup <week>): a misspelt subcommand before another word', async () => {
    const { run, ran } = program();
    expect(await run('setup', 'stauts', 'week1')).toBe(
      'dec setup has no command "stauts"; did you mean status? | Run: dec setup status week1',
    );
    expect(ran).toEqual([]);
  });

  it('an option written without its dashes, with its value', async () => {
    const { run } = program();
    expect(await run('doctor', 'week', '2')).toMatch(/did you mean the option --week 2\? \| Run: dec doctor --week 2 /);
    expect(await run('doctor', 'verbos')).toMatch(/did you mean the option --verbose\? \| Run: dec doctor --verbose /);
    expect(await run('setup', 'week1', 'down')).toMatch(/Run: dec setup week1 --down /);
  });

  it('one word too many otherwise, and what the command takes', async () => {
    const { run } = program();
    expect(await run('weeks', 'show', '1', '2')).toBe(
      'dec weeks show takes <week>, and "2" is more than that. | dec weeks show --help shows what it takes, with examples.',
    );
  });

  it('lets through what commands take', async () => {
    const { run, ran } = program();
    for (const args of [
      ['weeks'],
      ['weeks', 'show', '3'],
      ['progress'],
      ['progress', 'done', '1', '2', '3'],
      ['setup', 'week1', '--down'],
      ['setup', 'status', 'week1'],
    ]) {
      expect(await run(...args)).toBeUndefined();
    }
    expect(ran).toEqual(['list', 'show', 'progress', 'done', 'setup', 'status']);
  });
});
