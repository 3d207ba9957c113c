// `dec weeks show` names the command that sets a week up (with its variants), in text and in --json.
import { describe, expect, it } from 'vitest';
import { runDec, useSandbox } from '../helpers/run.js';

const box = useSandbox();
const show = (args: string[]) => runDec(['weeks', 'show', ...args], { cwd: box.cwd, env: box.sandbox.env });

interface ShowJson {
  week: { setupCommands: Array<{ variant: string; command: string; summary: string }> };
}

describe('dec weeks show: the setup command', () => {
  it('week 4 and week 2 (with --light) in text', async () => {
    const week4 = await show(['4']);
    expect(week4.stdout).toContain('set up with dec setup week4');
    const week2 = await show(['2']);
    expect(week2.stdout).toContain('set up with dec setup week2\n');
    expect(week2.stdout).toMatch(/\n\s+or dec setup week2 --light {2}\(light: /);
  });

  it('in --json, an additive setupCommands field; empty for a week without a stack', async () => {
    const week2 = JSON.parse((await show(['2', '--json'])).stdout) as ShowJson;
    expect(week2.week.setupCommands.map(({ variant, command }) => ({ variant, command }))).toEqual([
      { variant: 'default', command: 'dec setup week2' },
      { variant: 'light', command: 'dec setup week2 --light' },
    ]);
    const week3 = JSON.parse((await show(['3', '--json'])).stdout) as ShowJson;
    expect(week3.week.setupCommands).toEqual([]);
    expect((await show(['3'])).stdout).not.toContain('set up with');
  });

  it('under dez-2026: module 7', async () => {
    const module7 = await show(['7', '--syllabus', 'dez-2026']);
    expect(module7.stdout).toContain('set up with dec setup module7');
  });
});
