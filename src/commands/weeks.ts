// dec weeks list / dec weeks show <week>
import type { CommandContext } from '../command-context.js';
import { JSON_SCHEMA_VERSION, nextStepJson, weekSummaryJson } from '../output/json.js';
import { bar, statusText, table } from '../output/render.js';
import { summarize, type CourseProgress, type WeekProgress } from '../progress/model.js';
import { weekLabel, weekRef, type CourseWeek } from '../syllabus/course.js';
import { findWeek } from '../syllabus/query.js';
import { openSession, readSessionProgress, syllabusInfo, type Session } from '../session.js';
import { BUILTIN_COURSES } from '../syllabus/load.js';
import {
  formatHomework,
  formatNextStep,
  formatSetup,
  setupCommands,
  formatSubmissions,
  formatTools,
} from '../output/course-format.js';
import { homeworkCell, homeworkOverview, type WeekHomework } from '../homework/overview.js';
import { dueDate } from '../homework/render.js';
import { homeworkJson } from '../output/json.js';

async function load(
  ctx: CommandContext,
): Promise<{ session: Session; progress: CourseProgress; homework: WeekHomework[] }> {
  const session = await openSession(ctx);
  const state = await readSessionProgress(session);
  const homework = homeworkOverview(session, state.syllabi[session.course.id]?.done ?? {}, ctx.now());
  return { session, progress: summarize(session.course, state), homework };
}

export async function listWeeks(ctx: CommandContext): Promise<void> {
  const { session, progress, homework } = await load(ctx);
  const homeworkOf = (id: string) => homework.find((h) => h.week.id === id);
  const { course } = session;
  const nextId = progress.next?.week.id;
  const { style } = ctx.terminal;
  ctx.terminal.emit(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      syllabus: syllabusInfo(session),
      weeks: progress.weeks.map((w) => ({
        ...weekSummaryJson(w, nextId),
        homework: homeworkJson(homeworkOf(w.week.id)),
      })),
      overall: { done: progress.done, total: progress.total, percent: progress.percent },
      next: nextStepJson(progress.next),
      upcoming: course.upcoming ?? null,
    },
    () => {
      const rows = progress.weeks.map((w) => [
        weekLabel(w.week),
        w.week.title,
        String(w.week.topics.length),
        w.durationText || style.dim('—'),
        `${bar(w.percent, 10, style)} ${String(w.percent).padStart(3)}%`,
        statusText(w.status, style),
        homeworkCell(homeworkOf(w.week.id)),
        w.week.id === nextId ? style.cyan('← next') : '',
      ]);
      const lines = [
        style.bold(`${course.title}${course.cohort ? ` (${course.cohort})` : ''}`),
        style.dim(courseLine(session)),
        '',
        table(
          [
            { header: 'Week', align: 'right' },
            { header: 'Title' },
            { header: 'Topics', align: 'right' },
            { header: 'Time' },
            { header: 'Progress' },
            { header: 'Status' },
            { header: 'Homework' },
            { header: '' },
          ],
          rows,
          style,
        ),
      ];
      if (course.upcoming)
        lines.push('', `${style.dim(`${course.upcoming.title}:`)} ${course.upcoming.items.join(', ')}`);
      lines.push('', formatNextStep(progress.next, style), style.dim('Details of a week: dec weeks show <week>'));
      return lines.join('\n');
    },
  );
}

const CHOSEN_BY: Record<Session['syllabus']['origin'], string> = {
  flag: 'chosen by --syllabus',
  env: 'chosen by DEC_SYLLABUS',
  workspace: "this workspace's course",
  default: 'the default',
};

/** Which course this is and why, and how to follow another (the built-in ones by id). */
function courseLine(session: Session): string {
  const { course, syllabus } = session;
  const others = BUILTIN_COURSES.filter((c) => c.value !== course.id).map((c) => c.value);
  const switchTo =
    others.length === 0
      ? ''
      : syllabus.origin === 'workspace'
        ? `; another course: dec init --force --syllabus ${others.join(' or ')}`
        : `; another course: --syllabus ${others.join(' or ')}, or dec init`;
  return `Syllabus ${course.id} (${CHOSEN_BY[syllabus.origin]})${switchTo}`;
}

function weekDetailJson(week: CourseWeek, progress: WeekProgress, nextId: string | undefined) {
  return {
    ...weekSummaryJson(progress, nextId),
    goal: week.goal ?? null,
    instructor: week.instructor ?? null,
    sections: week.sections,
    topicList: progress.topics.map(({ topic, doneAt }) => ({
      number: topic.number,
      id: topic.id,
      title: topic.title,
      duration: topic.duration ?? null,
      section: topic.section ?? null,
      extra: topic.extra === true,
      taught: topic.taught !== false,
      note: topic.note ?? null,
      done: doneAt !== undefined,
      doneAt: doneAt ?? null,
    })),
    tools: week.tools,
    datasets: week.datasets,
    setup: week.setup ?? null,
    /** The commands that set the week up (its own stack first, then its variants); empty without a stack. */
    setupCommands: setupCommands(week),
    setupDoneAt: progress.setupDoneAt ?? null,
    homework: week.homework ?? null,
  };
}

export async function showWeek(ctx: CommandContext, ref: string): Promise<void> {
  const { session, progress } = await load(ctx);
  const week = findWeek(session.course, ref);
  const weekProgress = progress.weeks.find((w) => w.week.id === week.id)!;
  const { style } = ctx.terminal;
  ctx.terminal.emit(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      syllabus: syllabusInfo(session),
      week: weekDetailJson(week, weekProgress, progress.next?.week.id),
    },
    () => {
      const lines = [
        style.bold(`Week ${weekLabel(week)}: ${week.title}`) +
          style.dim(`  (${week.id}${week.module ? `, ${week.module}` : ''})`),
      ];
      if (week.goal) lines.push(`Goal:        ${week.goal}`);
      if (week.instructor) lines.push(`Instructor:  ${week.instructor}`);
      const time = weekProgress.durationText || (week.duration ?? '');
      if (time) lines.push(`Time:        ${time}`);
      lines.push(
        `Progress:    ${bar(weekProgress.percent, 20, style)} ${weekProgress.percent}% (${weekProgress.done}/${weekProgress.total}), ${statusText(weekProgress.status, style)}`,
      );
      lines.push('', style.bold('Topics'));
      let section: string | undefined;
      for (const { topic, doneAt } of weekProgress.topics) {
        if (topic.section !== section) {
          section = topic.section;
          const stated = week.sections.find((s) => s.title === section)?.duration;
          if (section !== undefined) lines.push(`  ${style.bold(section)}${stated ? style.dim(` (${stated})`) : ''}`);
          else lines.push('');
        }
        const mark = doneAt ? style.green('✓') : style.dim('○');
        const indent = section !== undefined ? '    ' : '  ';
        const extra = topic.extra ? style.dim(' [extra]') : '';
        const untaught = topic.taught === false ? style.dim(' [planned, not taught]') : '';
        const duration = topic.duration ? style.dim(` (${topic.duration})`) : '';
        lines.push(
          `${indent}${mark} ${String(topic.number).padStart(2)}. ${topic.title}${duration}${extra}${untaught}`,
        );
        if (topic.note) lines.push(style.dim(`${indent}      ${topic.note}`));
      }
      if (week.topics.some((topic) => topic.taught === false)) {
        const cohort = session.course.cohort ? `${session.course.cohort} ` : '';
        lines.push(
          style.dim(
            `  Planned, not taught: in the course's planning outline, but no ${cohort}lesson covered it; not needed to finish the week.`,
          ),
        );
      }
      lines.push('', `${style.bold('Needs:')}     ${formatTools(week.tools)}`);
      const setupDone = weekProgress.setupDoneAt
        ? ` ${style.green('✓')} ${style.dim(`(up on ${weekProgress.setupDoneAt.slice(0, 10)})`)}`
        : '';
      lines.push(`${style.bold('Setup:')}     ${formatSetup(week)}${setupDone}`);
      const commands = setupCommands(week);
      if (commands.length > 0) {
        const [own, ...variants] = commands;
        lines.push(`           ${style.dim('set up with')} ${style.cyan(own!.command)}`);
        for (const variant of variants)
          lines.push(
            `           ${style.dim('or')} ${style.cyan(variant.command)}  ${style.dim(`(${variant.variant}: ${variant.summary})`)}`,
          );
      }
      const selfPaced = session.workspace
        ? dueDate(session.course, week, session.workspace.marker.startDate)
        : undefined;
      lines.push(`${style.bold('Homework:')}  ${formatHomework(week, selfPaced)}`);
      for (const line of formatSubmissions(week)) lines.push(`           ${line}`);
      if (weekProgress.status !== 'done') {
        lines.push(
          '',
          style.dim(
            `Mark a topic done: dec progress done ${weekRef(week)} <number|title>; the whole week: dec progress done ${weekRef(week)}`,
          ),
        );
      }
      return lines.join('\n');
    },
  );
}
