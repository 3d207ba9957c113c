// One-line descriptions shared by `weeks show`, `progress` and the Markdown export.
import type { Styles } from './terminal.js';
import type { NextStep } from '../progress/model.js';
import type { CourseWeek } from '../syllabus/course.js';
import type { ToolNeed } from '../syllabus/schema.js';

export function formatTools(tools: readonly ToolNeed[]): string {
  if (tools.length === 0) return 'nothing to install';
  return tools
    .map((tool) => `${tool.id}${tool.version ? ` ${tool.version}` : ''}${tool.required === false ? ' (optional)' : ''}`)
    .join(', ');
}

export function formatSetup(week: CourseWeek): string {
  if (!week.setup) return 'nothing to set up locally';
  return week.setup.summary;
}

function formatDue(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 10);
}

/** `selfPacedDue`: the student's own due date, in a workspace with a start date. */
export function formatHomework(week: CourseWeek, selfPacedDue?: string): string {
  const homework = week.homework;
  if (!homework) return 'none';
  const parts = [homework.summary];
  const questions = homework.questions ?? [];
  if (questions.length > 0) {
    const graded = questions.filter((q) => !q.optional).length;
    const extra = questions.length - graded;
    parts.push(`${graded} question${graded === 1 ? '' : 's'}${extra ? ` + ${extra} optional` : ''}`);
  }
  if (homework.due && selfPacedDue) parts.push(`due ${selfPacedDue} (the cohort's: ${formatDue(homework.due)})`);
  else if (homework.due) parts.push(`cohort due ${formatDue(homework.due)}`);
  return parts.join(' · ');
}

export function formatNextStep(next: NextStep | undefined, style: Styles): string {
  if (!next) return style.green('All done: every week is complete. Congratulations!');
  return `${style.bold('Next:')} week ${next.week.number}, topic ${next.topic.number}: ${next.topic.title}  ${style.dim(`(then: dec progress done ${next.week.number} ${next.topic.number})`)}`;
}
