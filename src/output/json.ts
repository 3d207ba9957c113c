// Shapes of the --json documents. Every document starts with schemaVersion; bump it only when a
// field changes meaning or goes away (adding fields is compatible).
import type { WeekProgress, NextStep } from '../progress/model.js';
import { weekLabel } from '../syllabus/course.js';

export const JSON_SCHEMA_VERSION = 1;

export function weekSummaryJson(progress: WeekProgress, nextWeekId: string | undefined) {
  const { week } = progress;
  return {
    number: week.number,
    through: week.through ?? null,
    label: weekLabel(week),
    id: week.id,
    module: week.module ?? null,
    title: week.title,
    topics: week.topics.length,
    duration: progress.duration
      ? {
          text: progress.durationText,
          minMinutes: progress.duration.min,
          maxMinutes: progress.duration.max,
          open: progress.duration.open,
        }
      : progress.durationText
        ? { text: progress.durationText, minMinutes: null, maxMinutes: null, open: false }
        : null,
    done: progress.done,
    total: progress.total,
    percent: progress.percent,
    status: progress.status,
    next: week.id === nextWeekId,
  };
}

export function nextStepJson(next: NextStep | undefined) {
  if (!next) return null;
  return {
    week: next.week.number,
    weekId: next.week.id,
    topic: next.topic.number,
    topicId: next.topic.id,
    title: next.topic.title,
    command: `dec progress done ${next.week.number} ${next.topic.number}`,
  };
}

/** Where a week's homework stands, for the JSON of weeks list and progress. */
export function homeworkJson(
  row:
    | {
        scaffolded: boolean;
        answered: number;
        total: number;
        checkedAt?: string;
        changedSinceCheck: boolean;
        due?: string;
        daysLeft?: number;
      }
    | undefined,
) {
  if (!row) return null;
  return {
    scaffolded: row.scaffolded,
    answered: row.answered,
    questions: row.total,
    checked: row.checkedAt !== undefined && !row.changedSinceCheck,
    changedSinceCheck: row.changedSinceCheck,
    due: row.due ?? null,
    daysLeft: row.daysLeft ?? null,
  };
}
