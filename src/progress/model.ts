// Progress as data, with no I/O: which topics of which syllabus are done, and what that adds up to.
import type { DurationTotal } from '../syllabus/duration.js';
import { isRequired, type Course, type CourseTopic, type CourseWeek } from '../syllabus/course.js';

export const PROGRESS_FORMAT = 1;

/** One file can hold progress for several syllabi; they never mix because each has its own entry. */
export interface ProgressState {
  version: number;
  syllabi: Record<string, SyllabusProgress>;
}

interface SyllabusProgress {
  /** "weekId/topicId" → when it was marked done (ISO time). */
  done: Record<string, string>;
}

export type WeekStatus = 'not started' | 'in progress' | 'done';

export function emptyProgress(): ProgressState {
  return { version: PROGRESS_FORMAT, syllabi: {} };
}

export function topicKey(week: Pick<CourseWeek, 'id'>, topic: Pick<CourseTopic, 'id'>): string {
  return `${week.id}/${topic.id}`;
}

/** Steps of a week that are not topics (e.g. its local setup); they don't count towards percent. */
export type WeekStep = 'setup' | 'homework';

export function stepKey(week: Pick<CourseWeek, 'id'>, step: WeekStep): string {
  return `${week.id}/${step}`;
}

function doneOf(state: ProgressState, syllabusId: string): Record<string, string> {
  return state.syllabi[syllabusId]?.done ?? {};
}

/** Marks topics done (keeping the first time each was done) and returns the keys that changed. */
export function markDone(state: ProgressState, syllabusId: string, keys: readonly string[], now: Date): string[] {
  const entry = (state.syllabi[syllabusId] ??= { done: {} });
  const changed = keys.filter((key) => entry.done[key] === undefined);
  for (const key of changed) entry.done[key] = now.toISOString();
  return changed;
}

export function markUndone(state: ProgressState, syllabusId: string, keys: readonly string[]): string[] {
  const entry = state.syllabi[syllabusId];
  if (!entry) return [];
  const changed = keys.filter((key) => entry.done[key] !== undefined);
  for (const key of changed) delete entry.done[key];
  return changed;
}

/** Clears one week (by its id prefix) or the whole syllabus; returns how many entries went. */
export function reset(state: ProgressState, syllabusId: string, weekId?: string): number {
  const entry = state.syllabi[syllabusId];
  if (!entry) return 0;
  const keys = Object.keys(entry.done).filter((key) => weekId === undefined || key.startsWith(`${weekId}/`));
  for (const key of keys) delete entry.done[key];
  return keys.length;
}

interface TopicProgress {
  topic: CourseTopic;
  doneAt?: string;
}

export interface WeekProgress {
  week: CourseWeek;
  topics: TopicProgress[];
  /** Counted over the required topics (see isRequired): not extra knowledge, and taught. */
  done: number;
  total: number;
  percent: number;
  status: WeekStatus;
  /** Lesson time where the syllabus gives it. */
  duration?: DurationTotal;
  /** When `dec setup` last brought the week's stack up. */
  setupDoneAt?: string;
  durationText: string;
}

export interface NextStep {
  week: CourseWeek;
  topic: CourseTopic;
}

export interface CourseProgress {
  weeks: WeekProgress[];
  done: number;
  total: number;
  percent: number;
  next?: NextStep;
  /** Entries for topics this syllabus no longer has: kept in the file, reported here. */
  orphans: string[];
}

function percent(done: number, total: number): number {
  return total === 0 ? 0 : Math.floor((done / total) * 100);
}

function weekProgress(week: CourseWeek, done: Record<string, string>): WeekProgress {
  const topics = week.topics.map((topic) => ({ topic, doneAt: done[topicKey(week, topic)] }));
  // Extra and never-taught topics don't count, unless a week has nothing else.
  const required = topics.filter((t) => isRequired(t.topic));
  const counted = required.length > 0 ? required : topics;
  const doneCount = counted.filter((t) => t.doneAt !== undefined).length;
  const anyDone = topics.some((t) => t.doneAt !== undefined);
  const status: WeekStatus =
    counted.length > 0 && doneCount === counted.length ? 'done' : anyDone ? 'in progress' : 'not started';
  return {
    week,
    topics,
    done: doneCount,
    total: counted.length,
    percent: percent(doneCount, counted.length),
    status,
    duration: week.time.total,
    durationText: week.time.text,
    setupDoneAt: done[stepKey(week, 'setup')],
  };
}

export function summarize(course: Course, state: ProgressState): CourseProgress {
  const done = doneOf(state, course.id);
  const weeks = course.weeks.map((week) => weekProgress(week, done));
  const known = new Set(
    course.weeks.flatMap((week) => [
      ...week.topics.map((topic) => topicKey(week, topic)),
      stepKey(week, 'setup'),
      stepKey(week, 'homework'),
    ]),
  );
  const firstOpen = weeks.find((w) => w.status !== 'done');
  const open = firstOpen?.topics.filter((t) => t.doneAt === undefined) ?? [];
  const nextTopic = open.find((t) => isRequired(t.topic)) ?? open[0];
  const doneTotal = weeks.reduce((sum, w) => sum + w.done, 0);
  const total = weeks.reduce((sum, w) => sum + w.total, 0);
  return {
    weeks,
    done: doneTotal,
    total,
    percent: percent(doneTotal, total),
    next: firstOpen && nextTopic ? { week: firstOpen.week, topic: nextTopic.topic } : undefined,
    orphans: Object.keys(done)
      .filter((key) => !known.has(key))
      .sort(),
  };
}
