// `dec setup <word>`: a misspelt subcommand (stauts) is told apart from a week or stack name.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { misspeltSubcommand, subcommandTypo } from '../../src/setup/setup-word.js';
import type { Course } from '../../src/syllabus/course.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';

function course(id: string): Course {
  const path = fileURLToPath(new URL(`../../syllabus/${id}.yaml`, import.meta.url));
  return parseSyllabus(readFileSync(path), `syllabus/${id}.yaml`);
}
const dez2022 = course('dez-2022');
const dez2026 = course('dez-2026');

describe('misspeltSubcommand', () => {
  it.each(['stauts', 'stats', 'statsu', 'Status ', 'satus'])('%s is a misspelt status', (word) => {
    expect(misspeltSubcommand(dez2022, word, ['status'])).toBe('status');
  });

  it.each(['1', 'week1', 'week-1', 'w6', 'week2-light', 'week6-three-brokers', 'week5-spark33', 'project'])(
    'a real week or stack name (%s) is never taken for a subcommand',
    (word) => {
      expect(misspeltSubcommand(dez2022, word, ['status'])).toBeUndefined();
    },
  );

  it.each(['module-1', 'm2', 'module7', '7'])('dez-2026: %s stays a week', (word) => {
    expect(misspeltSubcommand(dez2026, word, ['status'])).toBeUndefined();
  });

  it('a misspelt week stays a week (its own "did you mean" names it), and far words are nobody', () => {
    expect(misspeltSubcommand(dez2022, 'wek1', ['status'])).toBeUndefined();
    expect(misspeltSubcommand(dez2022, 'kafka', ['status'])).toBeUndefined();
    // No subcommands beside the word (dec teardown): nothing to suggest.
    expect(misspeltSubcommand(dez2022, 'stauts', [])).toBeUndefined();
  });

  it('the error names the command to run and exits 2', () => {
    const error = subcommandTypo('dec setup', 'stauts', 'status', ['status']);
    expect(error.message).toBe('dec setup has no week or command "stauts"; did you mean status?');
    expect(error.hint).toBe('Run: dec setup status');
    expect(error.exitCode).toBe(2);
  });
});
