// `dec setup <week>` takes a free-form word beside its own subcommands (`dec setup status`), so a
// misspelt subcommand (`dec setup stauts`) reaches the week look-up. Pure: decides, from the course,
// whether the word was meant as one of those subcommands.
import { DecError } from '../errors.js';
import type { Course } from '../syllabus/course.js';
import { findWeek } from '../syllabus/query.js';
import { editDistance, nearest } from '../util/nearest.js';
import { variantOfStack } from './variant.js';

function namesWeek(course: Course, word: string): boolean {
  if (variantOfStack(course, word)) return true;
  try {
    findWeek(course, word);
    return true;
  } catch {
    return false;
  }
}

/** What a student may type for a week or its stack, for the "closer to a week?" comparison. */
function weekWords(course: Course): string[] {
  return course.weeks.flatMap((week) => [
    week.id,
    ...(week.module ? [week.module] : []),
    ...(week.setup?.stack ? [week.setup.stack] : []),
    ...Object.values(week.setup?.variants ?? {}).map((variant) => variant.stack),
  ]);
}

/**
 * The subcommand `word` was meant as, when it names no week or stack of the course and is closer to a
 * subcommand than to any week's name (`stauts` → status; `week-1`, `1`, `week2-light` → undefined).
 */
export function misspeltSubcommand(course: Course, word: string, subcommands: readonly string[]): string | undefined {
  if (subcommands.length === 0 || namesWeek(course, word)) return undefined;
  const meant = nearest(word, subcommands);
  if (meant === undefined) return undefined;
  const typed = word.trim().toLowerCase();
  const toWeek = Math.min(...weekWords(course).map((name) => editDistance(typed, name.toLowerCase())));
  // As close to a week as to the subcommand: the week look-up's own "did you mean" says which week.
  return editDistance(typed, meant) < toWeek ? meant : undefined;
}

/** The error for `dec <command> <word>` where `word` is a misspelt subcommand of `command`. */
export function subcommandTypo(command: string, word: string, meant: string, subcommands: readonly string[]): DecError {
  return new DecError(`${command} has no week or command "${word}"; did you mean ${meant}?`, {
    details: [
      `Its command${subcommands.length === 1 ? '' : 's'}: ${subcommands.join(', ')}; anything else names a week (dec weeks list shows them).`,
    ],
    hint: `Run: ${command} ${meant}`,
  });
}
