// One-line descriptions shared by `weeks show`, `progress` and the Markdown export.
import type { Styles } from './terminal.js';
import type { NextStep } from '../progress/model.js';
import { questionRole, type CourseWeek } from '../syllabus/course.js';
import type { Homework, ToolNeed } from '../syllabus/schema.js';

export function formatTools(tools: readonly ToolNeed[]): string {
  if (tools.length === 0) return 'nothing to install';
  return tools
    .map((tool) => `${tool.id}${tool.version ? ` ${tool.version}` : ''}${tool.required === false ? ' (optional)' : ''}`)
    .join(', ');
}

/**
 * The commands that set the week up: `dec setup <stack>` for its own stack, then each variant's
 * (`--light` for the light one, as the CLI spells it; `--variant <name>` for others). Empty without a stack.
 */
export function setupCommands(week: CourseWeek): Array<{ variant: string; command: string; summary: string }> {
  const setup = week.setup;
  if (setup?.stack === undefined) return [];
  const base = `dec setup ${setup.stack}`;
  return [
    { variant: 'default', command: base, summary: setup.summary },
    ...Object.entries(setup.variants ?? {}).map(([name, variant]) => ({
      variant: name,
      command: `${base} ${name === 'light' ? '--light' : `--variant ${name}`}`,
      summary: variant.summary,
    })),
  ];
}

export function formatSetup(week: CourseWeek): string {
  if (!week.setup) return 'nothing to set up locally';
  return week.setup.summary;
}

/** The course states its deadlines in Central European time, by name. */
const ZONE_NAMES: Record<string, string> = { '+01:00': 'CET', '+02:00': 'CEST', Z: 'UTC' };

/** "2022-04-04 22:00 CET": a cohort's deadline in the time zone the syllabus wrote it in. */
function formatDue(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
  if (!match) return iso;
  const [, date, time, offset = ''] = match;
  return `${date} ${time} ${ZONE_NAMES[offset] ?? `UTC${offset}`}`;
}

function countQuestions(questions: NonNullable<Homework['questions']>): string | undefined {
  const count = (role: ReturnType<typeof questionRole>) => questions.filter((q) => questionRole(q) === role).length;
  const graded = count('graded');
  const parts = [
    graded ? `${graded} question${graded === 1 ? '' : 's'}` : '',
    count('optional') ? `${count('optional')} optional` : '',
    count('practice') ? `${count('practice')} practice (dec's own, not scored)` : '',
  ].filter((part) => part !== '');
  return parts.length > 0 ? parts.join(' + ') : undefined;
}

/** `selfPacedDue`: the student's own due date, in a workspace with a start date. */
export function formatHomework(week: CourseWeek, selfPacedDue?: string): string {
  const homework = week.homework;
  if (!homework) return 'none';
  const parts = [homework.summary];
  const counted = countQuestions(homework.questions ?? []);
  if (counted) parts.push(counted);
  if (homework.due && selfPacedDue) parts.push(`due ${selfPacedDue} (the cohort's: ${formatDue(homework.due)})`);
  else if (homework.due) parts.push(`cohort due ${formatDue(homework.due)}`);
  return parts.join(' · ');
}

/** Where the cohort submitted, and the further deadlines (peer review, a second attempt), one per line. */
export function formatSubmissions(week: CourseWeek): string[] {
  const homework = week.homework;
  if (!homework) return [];
  const lines = homework.submit ? [`The cohort submitted at ${homework.submit}`] : [];
  for (const deadline of homework.deadlines ?? []) {
    const where = deadline.submit ? ` at ${deadline.submit}` : '';
    lines.push(`${deadline.title}: cohort due ${formatDue(deadline.due)}${where}`);
  }
  return lines;
}

export function formatNextStep(next: NextStep | undefined, style: Styles): string {
  if (!next) return style.green('All done: every week is complete. Congratulations!');
  return `${style.bold('Next:')} week ${next.week.number}, topic ${next.topic.number}: ${next.topic.title}  ${style.dim(`(then: dec progress done ${next.week.number} ${next.topic.number})`)}`;
}
