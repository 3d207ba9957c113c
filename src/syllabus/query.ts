// Pure look-ups on a Course: which week a student means, which topics.
import { DecError } from '../errors.js';
import { nearest } from '../util/nearest.js';
import { weekLabel, type Course, type CourseTopic, type CourseWeek } from './course.js';

const WEEK_NUMBER = /^(?:week[-_ ]?|w)?(\d{1,2})$/i;
/** `module-2`, `module2`, `m2`: the current course's names for its parts. */
const MODULE_NUMBER = /^(?:module[-_ ]?|m)(\d{1,2})$/i;

function validWeeks(course: Course): string {
  return course.weeks.map((week) => `${weekLabel(week)} (${week.id}) ${week.title}`).join('; ');
}

/** A week by `3`, `week3`, `week-3`, `w3`, its id or its module id (`module-2`, `module2`, `m2`). */
export function findWeek(course: Course, ref: string): CourseWeek {
  const wanted = ref.trim().toLowerCase();
  const byNumber = WEEK_NUMBER.exec(wanted);
  const byModule = MODULE_NUMBER.exec(wanted);
  const moduleId = byModule ? `module-${Number(byModule[1])}` : undefined;
  const week = byNumber
    ? course.weeks.find((w) => Number(byNumber[1]) >= w.number && Number(byNumber[1]) <= (w.through ?? w.number))
    : course.weeks.find((w) => w.id === wanted || w.module === wanted || (moduleId && w.module === moduleId));
  if (week) return week;
  // A number names a neighbour by number (module-5 is not "module-1" away from module-4 and module-6).
  const wantedNumber = byModule ? Number(byModule[1]) : byNumber ? Number(byNumber[1]) : undefined;
  const neighbours = wantedNumber === undefined ? [] : numberedNeighbours(course, wantedNumber, byModule !== null);
  const suggestion =
    neighbours.length > 0
      ? neighbours.join(' or ')
      : nearest(
          wanted,
          course.weeks.flatMap((w) => [w.id, ...(w.module ? [w.module] : [])]),
        );
  throw new DecError(
    `There is no week "${ref}" in ${course.title}${suggestion ? `; did you mean ${neighbours.length > 0 ? suggestion : `"${suggestion}"`}?` : '.'}`,
    {
      details: [`Valid weeks: ${validWeeks(course)}.`],
      hint: 'Name a week by its number (3), as week3, week-3 or w3, by its module (module-3, m3) or by its id.',
    },
  );
}

/**
 * The weeks (or modules) numbered closest to `wanted` on either side, as a student would name them:
 * `module-4 (week 4)`, `module-6 (week 5)`.
 */
function numberedNeighbours(course: Course, wanted: number, byModule: boolean): string[] {
  const numbered = course.weeks.flatMap((w) => {
    if (!byModule)
      return w.label === undefined ? [{ number: w.through ?? w.number, name: `week ${weekLabel(w)}` }] : [];
    const match = w.module === undefined ? null : /^module-(\d+)$/.exec(w.module);
    return match ? [{ number: Number(match[1]), name: `${w.module} (week ${weekLabel(w)})` }] : [];
  });
  const below = numbered.filter((w) => w.number < wanted).sort((a, b) => b.number - a.number)[0];
  const above = numbered.filter((w) => w.number > wanted).sort((a, b) => a.number - b.number)[0];
  return [below, above].flatMap((w) => (w ? [w.name] : []));
}

function topicList(week: CourseWeek, topics: readonly CourseTopic[] = week.topics): string[] {
  return topics.map((topic) => `  ${topic.number}. ${topic.title}`);
}

/** A topic by its number within the week, or by a unique piece of its title or id. */
export function findTopic(week: CourseWeek, ref: string): CourseTopic {
  const wanted = ref.trim().toLowerCase();
  if (/^\d+$/.test(wanted)) {
    const topic = week.topics[Number(wanted) - 1];
    if (topic) return topic;
    throw new DecError(`Week ${weekLabel(week)} has topics 1–${week.topics.length}, not ${ref}.`, {
      details: topicList(week),
      hint: `Pick a number from the list, e.g. dec progress done ${week.number} 1`,
    });
  }
  // Tiers keep short names usable: an exact title beats a title that starts with it beats a substring.
  const tiers = [
    week.topics.filter((t) => t.title.toLowerCase() === wanted || t.id === wanted),
    week.topics.filter((t) => t.title.toLowerCase().startsWith(wanted)),
    week.topics.filter((t) => t.title.toLowerCase().includes(wanted) || t.id.includes(wanted)),
  ];
  for (const matches of tiers) {
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw new DecError(`"${ref}" matches ${matches.length} topics of week ${weekLabel(week)}:`, {
        details: topicList(week, matches),
        hint: "Use the topic's number or a longer piece of its title.",
      });
    }
  }
  const count = week.topics.length;
  throw new DecError(
    `No topic of week ${weekLabel(week)} matches "${ref}". Its ${count} topic${count === 1 ? '' : 's'}:`,
    {
      details: topicList(week),
      hint: "Use the topic's number or a piece of its title.",
    },
  );
}

/** Topics named on the command line; none means the whole week. */
export function findTopics(week: CourseWeek, refs: readonly string[]): CourseTopic[] {
  if (refs.length === 0) return week.topics;
  const found = refs.map((ref) => findTopic(week, ref));
  return [...new Map(found.map((topic) => [topic.id, topic])).values()];
}
