// The course as the rest of dec sees it: the validated syllabus with ids filled in and topics numbered.
// Plain JSON (no classes, no Dates) so it can be cached on disk as it is.
import {
  addDurations,
  formatDuration,
  formatTotal,
  parseDuration,
  type Duration,
  type DurationTotal,
} from './duration.js';
import type {
  Dataset,
  DatasetUse,
  Homework,
  Question,
  Section,
  Setup,
  Stack,
  SyllabusInput,
  TopicInput,
  ToolNeed,
  WeekInput,
} from './schema.js';

export interface CourseTopic extends TopicInput {
  id: string;
  /** 1-based position within its week, as students refer to it. */
  number: number;
}

export interface CourseWeek {
  number: number;
  /** Shown instead of the number (a workshop: W1). */
  label?: string;
  through?: number;
  id: string;
  module?: string;
  title: string;
  goal?: string;
  instructor?: string;
  duration?: string;
  sections: Section[];
  topics: CourseTopic[];
  tools: ToolNeed[];
  datasets: DatasetUse[];
  setup?: Setup;
  homework?: Homework;
  /** Lesson time, worked out once when the syllabus is compiled (parsing durations costs start-up). */
  time: { total?: DurationTotal; text: string };
}

export interface Course {
  id: string;
  title: string;
  cohort?: string;
  start?: string;
  source?: string;
  instructors: string[];
  prerequisites: string[];
  datasets: Record<string, Dataset>;
  stacks: Record<string, Stack>;
  weeks: CourseWeek[];
  upcoming?: { title: string; items: string[] };
}

function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

export function topicId(topic: TopicInput): string {
  return topic.id ?? (slugify(topic.title) || 'topic');
}

/** A topic the week needs done: taught to the cohort, and not extra knowledge. */
export function isRequired(topic: Pick<TopicInput, 'extra' | 'taught'>): boolean {
  return topic.extra !== true && topic.taught !== false;
}

/** graded: counts for the homework; optional: the course's bonus or ungraded one; practice: dec's own. */
export function questionRole(question: Pick<Question, 'optional' | 'practice'>): 'graded' | 'optional' | 'practice' {
  if (question.practice) return 'practice';
  return question.optional ? 'optional' : 'graded';
}

/**
 * Lesson time of a week: each section counts its stated time (or the sum of its topics when that is
 * larger, since the outline's figures are rough), plus topics outside sections. Extra topics don't
 * count, nor do topics that were never taught, nor a section none of whose topics was.
 */
export function weekDuration(week: Pick<CourseWeek, 'topics' | 'sections'>): DurationTotal | undefined {
  const durationOf = (topic: CourseTopic) => (topic.duration ? parseDuration(topic.duration) : undefined);
  const counted = week.topics.filter(isRequired);
  const loose = counted.filter((topic) => topic.section === undefined).map(durationOf);
  const neverTaught = (section: Section) => {
    const topics = week.topics.filter((topic) => topic.section === section.title);
    return topics.length > 0 && topics.every((topic) => topic.taught === false);
  };
  const sections = week.sections
    .filter((section) => !neverTaught(section))
    .map((section): Duration | undefined => {
      const parts = addDurations(counted.filter((topic) => topic.section === section.title).map(durationOf));
      const stated = section.duration ? parseDuration(section.duration) : undefined;
      if (!stated || stated.unit !== 'minutes') return parts && { ...parts, unit: 'minutes' };
      return { ...stated, min: Math.max(stated.min, parts?.min ?? 0), max: Math.max(stated.max, parts?.max ?? 0) };
    });
  return addDurations([...sections, ...loose]);
}

function durationText(week: Pick<CourseWeek, 'duration'>, total: DurationTotal | undefined): string {
  if (total) return formatTotal(total);
  const stated = week.duration ? parseDuration(week.duration) : undefined;
  return stated ? formatDuration(stated) : '';
}

function toWeek(input: WeekInput): CourseWeek {
  const sections = input.sections ?? [];
  const topics = input.topics.map((topic, index) => ({ ...topic, id: topicId(topic), number: index + 1 }));
  const total = weekDuration({ topics, sections });
  return {
    ...input,
    sections,
    topics,
    tools: input.tools ?? [],
    datasets: input.datasets ?? [],
    time: { total, text: durationText(input, total) },
  };
}

/**
 * Weeks by number; an entry with a label (a workshop) comes right after the numbered week just before
 * it in the file (first, when none is), since its number does not say where it belongs.
 */
function courseOrder(weeks: readonly WeekInput[]): WeekInput[] {
  const ordered = weeks.filter((week) => week.label === undefined).sort((a, b) => a.number - b.number);
  weeks.forEach((week, index) => {
    if (week.label === undefined) return;
    const previous = weeks.slice(0, index).findLast((w) => w.label === undefined);
    let position = previous ? ordered.indexOf(previous) + 1 : 0;
    // After the labelled entries already placed behind the same week, keeping the file's order.
    while (position < ordered.length && ordered[position]!.label !== undefined) position++;
    ordered.splice(position, 0, week);
  });
  return ordered;
}

export function toCourse(syllabus: SyllabusInput): Course {
  return {
    id: syllabus.id,
    title: syllabus.title,
    cohort: syllabus.cohort,
    start: syllabus.start,
    source: syllabus.source,
    instructors: syllabus.instructors ?? [],
    prerequisites: syllabus.prerequisites ?? [],
    datasets: syllabus.datasets ?? {},
    stacks: syllabus.stacks ?? {},
    weeks: courseOrder(syllabus.weeks).map(toWeek),
    upcoming: syllabus.upcoming,
  };
}

/** "7–9" for a span, "W1" for a labelled entry, "3" otherwise. */
export function weekLabel(week: Pick<CourseWeek, 'number' | 'through' | 'label'>): string {
  if (week.label !== undefined) return week.label;
  return week.through !== undefined && week.through !== week.number
    ? `${week.number}–${week.through}`
    : `${week.number}`;
}

/** How a command names the week: its number, or its id for a labelled entry (whose number is arbitrary). */
export function weekRef(week: Pick<CourseWeek, 'number' | 'id' | 'label'>): string {
  return week.label !== undefined ? week.id : String(week.number);
}
