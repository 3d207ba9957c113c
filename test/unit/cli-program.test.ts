// buildProgram builds only the command group being run; the others are stubs. These tests keep the
// stubs honest: dec --help, built from stubs, says exactly what the full program says.
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';

const argv = (...words: string[]) => ['node', 'dec', ...words];

describe('buildProgram', () => {
  it('lists the groups in dec --help exactly as the fully built program does', () => {
    const full = buildProgram();
    const stubs = buildProgram(argv('--help'));
    expect(stubs.helpInformation()).toBe(full.helpInformation());
    expect(stubs.commands.map((command) => command.name())).toEqual(full.commands.map((command) => command.name()));
  });

  it('builds in full only the group being run, also when asked through dec help <group>', () => {
    const options = (words: string[], group: string) =>
      buildProgram(argv(...words)).commands.find((command) => command.name() === group)!.options.length;
    expect(options(['setup', 'week1'], 'setup')).toBeGreaterThan(3);
    expect(options(['help', 'setup'], 'setup')).toBeGreaterThan(3);
    expect(options(['--syllabus', 'setup', 'weeks'], 'setup')).toBe(0);
    expect(options(['weeks', 'list'], 'setup')).toBe(0);
  });
});
