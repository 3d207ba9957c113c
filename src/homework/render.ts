// Turns a week's homework into text: template placeholders, the questions block of the README and
// the answers file dec reads back. Pure functions.
import { monthsOf } from '../data/datasets.js';
import { questionRole, type Course, type CourseWeek } from '../syllabus/course.js';
import type { Question } from '../syllabus/schema.js';
import { answerSlot } from './readme-answers.js';

export const PLACEHOLDERS = [
  'student',
  'week',
  'week_title',
  'cohort',
  'due',
  'gcp_project',
  'region',
  'dataset_urls',
  'questions',
] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Record<Placeholder, string>;

/** `{{name}}` → value; `{{{{` and `}}}}` stand for literal `{{` and `}}` (dbt and Airflow Jinja). */
export function renderTemplate(text: string, values: TemplateValues): string {
  return text
    .split('{{{{')
    .map((part) =>
      part
        .split('}}}}')
        .map((piece) =>
          piece.replace(/\{\{([a-z_]+)\}\}/g, (whole, name: string) =>
            Object.hasOwn(values, name) ? values[name as Placeholder] : whole,
          ),
        )
        .join('}}'),
    )
    .join('{{');
}

/** Template files store dotfiles as _name (npm drops dotfiles from packages); __init__.py stays. */
export function targetName(templatePath: string): string {
  return templatePath
    .split('/')
    .map((part) => (/^_[^_]/.test(part) ? `.${part.slice(1)}` : part))
    .join('/');
}

function worth(q: Question): string {
  const role = questionRole(q);
  if (role === 'practice') return "practice: dec's own question, not scored";
  if (role === 'optional') return 'optional';
  return `${q.points ?? 1} point${(q.points ?? 1) === 1 ? '' : 's'}`;
}

const OWN_OPTIONS = "dec's options: the course's homework lists none (they were only in its form)";

export function questionsMarkdown(questions: readonly Question[]): string {
  if (questions.length === 0) return '_No questions for this homework._';
  return questions
    .map((q, index) => {
      const lines = [`### Question ${index + 1} (\`${q.id}\`, ${worth(q)})`, '', q.question];
      if (q.options) lines.push('', ...q.options.map((option) => `- [ ] ${option}`));
      if (q.ownOptions) lines.push('', `_(${OWN_OPTIONS})_`);
      // The answer and the query or command, kept in step with answers.yaml by `dec homework check`.
      lines.push('', answerSlot(q));
      return lines.join('\n');
    })
    .join('\n\n');
}

/** The answers file: one entry per question; `dec homework check` reads it. */
export function answersYaml(week: CourseWeek, questions: readonly Question[]): string {
  const lines = [
    `# Answers to the week ${week.number} homework (${week.title}).`,
    `# Fill in each answer; \`dec homework check ${week.number}\` checks them and runs the SQL.`,
    '# Keep the keys (q1, q2, ...). Quote answers that contain ": " or start with a special character.',
    '',
  ];
  for (const q of questions) {
    if (questionRole(q) === 'practice') lines.push("# Practice: dec's own question, not the course's; not scored.");
    lines.push(`# ${q.question.replace(/\s+/g, ' ')}`);
    if (q.options) lines.push(`# One of: ${q.options.join(' | ')}${q.ownOptions ? ` (${OWN_OPTIONS})` : ''}`);
    lines.push(`${q.id}:`, '  answer:');
    if (q.kind === 'sql') lines.push('  sql: |', '    -- the query you used');
    if (q.kind === 'command') lines.push('  command: |', '    # the command you ran');
    lines.push('');
  }
  return lines.join('\n');
}

export function datasetUrls(course: Course, week: CourseWeek): string {
  const lines: string[] = [];
  for (const use of week.datasets) {
    const dataset = course.datasets[use.dataset];
    if (!dataset) continue;
    if (!use.months || use.months.length === 0) {
      lines.push(`- ${dataset.title}: ${dataset.mirror ?? '(no URL in the syllabus)'}`);
      continue;
    }
    for (const span of use.months) {
      const months = monthsOf(span);
      const url = (month: string) => dataset.mirror?.replace('{month}', month) ?? '';
      lines.push(
        months.length <= 3
          ? months.map((m) => `- ${dataset.title} ${m}: ${url(m)}`).join('\n')
          : `- ${dataset.title} ${months[0]} to ${months.at(-1)}: ${url(months[0]!)} (change the month in the name)`,
      );
    }
  }
  return lines.length > 0 ? lines.join('\n') : '- No dataset for this week.';
}

/** A self-paced student's due date: as far from their start as the cohort's was from its start. */
export function dueDate(course: Course, week: CourseWeek, startDate: string | undefined): string | undefined {
  const due = week.homework?.due;
  if (!due) return undefined;
  if (!startDate || !course.start) return due.slice(0, 10);
  const offset = Date.parse(due) - Date.parse(`${course.start}T00:00:00Z`);
  return new Date(Date.parse(`${startDate}T00:00:00Z`) + offset).toISOString().slice(0, 10);
}
