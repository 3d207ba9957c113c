// What `dec setup <week>` says for a week dec has no stack for (week 3's BigQuery, week 5's local
// Spark, the project): what the week needs instead and the command that helps with each, read off the
// syllabus (tools, data, homework), so a week that gains a stack or a syllabus that differs says its own.
import { homeworkFolderName } from '../homework/overview.js';
import { weekLabel, type Course, type CourseWeek } from '../syllabus/course.js';

/** Tools of the cloud weeks: the doctor checks them, and week 1's Terraform makes what they use. */
const CLOUD_TOOLS = new Set(['gcloud', 'bq', 'gsutil', 'terraform']);

export interface WithoutStack {
  message: string;
  details: string[];
  hint: string;
}

export function withoutStack(course: Course, week: CourseWeek): WithoutStack {
  const label = weekLabel(week);
  const ref = week.label === undefined && week.id !== 'project' ? String(week.number) : week.id;
  const details: string[] = [`What week ${label} needs instead:`];
  const line = (what: string, text: string, command?: string) =>
    details.push(`  ${`${what}:`.padEnd(10)} ${text}${command ? `\n  ${' '.repeat(10)} → ${command}` : ''}`);

  const tools = week.tools.map((t) => (t.required === false ? `${t.id} (optional)` : t.id));
  if (tools.length > 0) line('tools', tools.join(', '), `dec doctor --week ${ref}  (checks each, says how to fix it)`);

  // The cloud: the bucket and dataset come from the Terraform of the first week that teaches it.
  const cloud = week.tools.some((t) => CLOUD_TOOLS.has(t.id));
  const terraformWeek = course.weeks.find((w) => w.tools.some((t) => t.id === 'terraform') && w.homework);
  if (cloud && terraformWeek && terraformWeek !== week) {
    const folder = `homework/${homeworkFolderName(terraformWeek)}/terraform`;
    line(
      'cloud',
      `your GCP bucket and BigQuery dataset, from the Terraform of week ${weekLabel(terraformWeek)}'s homework`,
      `dec homework init ${terraformWeek.number}, then terraform init && terraform apply in ${folder}`,
    );
  }

  for (const use of week.datasets) {
    const months = use.months ?? [];
    const first = months[0]?.split('..')[0];
    line(
      'data',
      `${course.datasets[use.dataset]?.title ?? use.dataset}${months.length > 0 ? ` ${months.join(', ')}` : ''}`,
      `dec data get ${use.dataset}${first ? ` ${first}` : ''}${months.length > 1 || months[0]?.includes('..') ? '  (one month to start)' : ''}`,
    );
  }

  if (week.homework) line('homework', week.homework.summary, `dec homework init ${ref}`);

  const withStacks = course.weeks
    .filter((w) => w.setup?.stack && course.stacks[w.setup.stack])
    .map((w) => `week ${weekLabel(w)}`);
  details.push(
    withStacks.length > 0
      ? `Weeks with a local stack: ${withStacks.join(', ')}.`
      : 'This syllabus defines no local stacks.',
  );

  const summary = week.setup?.summary;
  return {
    message: `Week ${label} has no local stack for dec to set up${summary ? `: ${summary}` : ''}.`,
    details,
    hint: tools.length > 0 ? `Start with: dec doctor --week ${ref}` : `See the week: dec weeks show ${ref}`,
  };
}
