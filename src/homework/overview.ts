// Where each week's homework stands, from small files only (no YAML parser, no hashing), so that
// `dec weeks list` and `dec progress` can show it and still start fast.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stepKey } from '../progress/model.js';
import type { Session } from '../session.js';
import { questionRole, type CourseWeek } from '../syllabus/course.js';
import { ANSWERS_FILE, countAnswered, readAnswersText } from './check.js';
import { dueDate } from './render.js';

export const MANIFEST = '.dec-homework.json';

/** homework/week1 … homework/week6, homework/project; a labelled entry by its id (homework/workshop-1). */
export function homeworkFolderName(week: CourseWeek): string {
  return week.id === 'project' || week.label !== undefined ? week.id : `week${week.number}`;
}

/** The workspace, or the current folder outside one. */
export function homeworkBase(session: Session): string {
  return session.workspace?.root ?? session.ctx.cwd;
}

export interface WeekHomework {
  week: CourseWeek;
  folder: string;
  scaffolded: boolean;
  answered: number;
  total: number;
  checkedAt?: string;
  /** answers.yaml changed after the check: the check no longer says anything about it. */
  changedSinceCheck: boolean;
  due?: string;
  daysLeft?: number;
}

/** Per week with homework; reads only small files (no YAML parser), so `weeks list` can use it. */
export function homeworkOverview(session: Session, done: Record<string, string>, now: Date): WeekHomework[] {
  return session.course.weeks
    .filter((w) => w.homework)
    .map((week) => {
      const folder = join(homeworkBase(session), 'homework', homeworkFolderName(week));
      const scaffolded = existsSync(join(folder, MANIFEST));
      const questions = week.homework?.questions ?? [];
      const checkedAt = done[stepKey(week, 'homework')];
      let answered = 0;
      let changedSinceCheck = false;
      // Only a scaffolded folder has answers; not reading the others keeps `weeks list` quick.
      if (scaffolded) {
        const file = join(folder, ANSWERS_FILE);
        try {
          answered = countAnswered(readAnswersText(file) ?? '', questions);
          // A second's slack: the check's own time is stored to the millisecond, the file's may be rounded.
          changedSinceCheck = checkedAt !== undefined && statSync(file).mtimeMs > Date.parse(checkedAt) + 1000;
        } catch {
          answered = 0;
        }
      }
      const due = dueDate(session.course, week, session.workspace?.marker.startDate);
      const daysLeft =
        due === undefined ? undefined : Math.ceil((Date.parse(`${due}T23:59:59Z`) - now.getTime()) / 86_400_000);
      return {
        week,
        folder,
        scaffolded,
        answered,
        // Graded questions only, as `homework check` counts them: optional and practice ones never block.
        total: questions.filter((q) => questionRole(q) === 'graded').length,
        checkedAt,
        changedSinceCheck,
        due,
        daysLeft,
      };
    });
}

/** One word for a table cell: none, to do, 3/6, checked, recheck (answers changed after the check). */
export function homeworkCell(row: WeekHomework | undefined): string {
  if (!row) return '';
  if (row.checkedAt) return row.changedSinceCheck ? 'recheck' : 'checked';
  if (!row.scaffolded) return 'to do';
  return `${row.answered}/${row.total}`;
}
