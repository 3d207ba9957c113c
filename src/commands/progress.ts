// dec progress [--where] | done | undo | reset | export
import type { CommandContext } from '../command-context.js';
import { DecError } from '../errors.js';
import { JSON_SCHEMA_VERSION, homeworkJson, nextStepJson, weekSummaryJson } from '../output/json.js';
import { homeworkCell, homeworkOverview } from '../homework/overview.js';
import { bar, statusText, table } from '../output/render.js';
import { markDone, markUndone, reset, summarize, topicKey } from '../progress/model.js';
import { updateProgress } from '../progress/store.js';
import { weekLabel } from '../syllabus/course.js';
import { findTopics, findWeek } from '../syllabus/query.js';
import { noteOutsideWorkspace, openSession, readSessionProgress, syllabusInfo, type Session } from '../session.js';
import { formatNextStep } from '../output/course-format.js';
import { notConfirmed } from '../output/prompt.js';
import { count } from '../util/count.js';

function writeOptions(session: Session) {
  const { ctx } = session;
  return { now: ctx.now(), warn: (message: string) => ctx.terminal.warn(message) };
}

export async function showWhere(ctx: CommandContext): Promise<void> {
  const session = await openSession(ctx);
  const { file, scope } = session.progress;
  ctx.terminal.emit(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      file,
      scope,
      workspace: session.workspace?.root ?? null,
      syllabus: syllabusInfo(session),
    },
    () => file,
  );
}

export async function showProgress(ctx: CommandContext): Promise<void> {
  const session = await openSession(ctx);
  noteOutsideWorkspace(session);
  const state = await readSessionProgress(session);
  const progress = summarize(session.course, state);
  const homework = homeworkOverview(session, state.syllabi[session.course.id]?.done ?? {}, ctx.now());
  const homeworkOf = (id: string) => homework.find((h) => h.week.id === id);
  const nextId = progress.next?.week.id;
  const { style } = ctx.terminal;
  ctx.terminal.emit(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      syllabus: syllabusInfo(session),
      file: session.progress.file,
      scope: session.progress.scope,
      overall: { done: progress.done, total: progress.total, percent: progress.percent },
      weeks: progress.weeks.map((w) => ({
        ...weekSummaryJson(w, nextId),
        homework: homeworkJson(homeworkOf(w.week.id)),
      })),
      next: nextStepJson(progress.next),
      orphans: progress.orphans,
    },
    () => {
      const lines = [
        `${style.bold(session.course.title)}  ${bar(progress.percent, 24, style)} ${progress.percent}% ${style.dim(`(${progress.done} of ${count(progress.total, 'topic')})`)}`,
        '',
        table(
          [
            { header: 'Week', align: 'right' },
            { header: 'Title' },
            { header: 'Progress' },
            { header: 'Done', align: 'right' },
            { header: 'Status' },
            { header: 'Homework' },
          ],
          progress.weeks.map((w) => [
            weekLabel(w.week),
            w.week.title,
            `${bar(w.percent, 16, style)} ${String(w.percent).padStart(3)}%`,
            `${w.done}/${w.total}`,
            statusText(w.status, style),
            homeworkCell(homeworkOf(w.week.id)),
          ]),
          style,
        ),
        '',
        formatNextStep(progress.next, style),
      ];
      if (progress.orphans.length > 0) {
        lines.push(
          '',
          style.yellow(
            `${progress.orphans.length} saved entr${progress.orphans.length === 1 ? 'y is' : 'ies are'} for topics this syllabus no longer has (kept in ${session.progress.file}):`,
          ),
          ...progress.orphans.map((key) => `  ${key}`),
        );
      }
      return lines.join('\n');
    },
  );
}

export interface MarkOptions {
  undo: boolean;
  /** undo of a whole week: do not ask first. */
  yes?: boolean;
}

export async function markTopics(
  ctx: CommandContext,
  weekRef: string,
  topicRefs: string[],
  options: MarkOptions,
): Promise<void> {
  const session = await openSession(ctx);
  noteOutsideWorkspace(session);
  const week = findWeek(session.course, weekRef);
  const topics = findTopics(week, topicRefs);
  const keys = topics.map((topic) => topicKey(week, topic));
  if (options.undo && topicRefs.length === 0 && !options.yes) {
    // A whole week undone is a reset of it: asked like `dec progress reset <week>` (--yes in scripts).
    const done = (await readSessionProgress(session)).syllabi[session.course.id]?.done ?? {};
    const marked = keys.filter((key) => done[key] !== undefined).length;
    const scope = `week ${weekLabel(week)} (${week.title})`;
    if (
      marked > 0 &&
      !(await ctx.prompt.confirm(
        marked === 1
          ? `Mark the done topic of week ${weekLabel(week)} not done?`
          : `Mark the ${marked} done topics of week ${weekLabel(week)} not done?`,
        '--yes',
      ))
    ) {
      throw notConfirmed(`the progress of ${scope} stays as it was`);
    }
  }
  const state = await updateProgress(session.progress.file, writeOptions(session), (current) => {
    if (options.undo) markUndone(current, session.course.id, keys);
    else markDone(current, session.course.id, keys, ctx.now());
    return current;
  });
  const progress = summarize(session.course, state);
  const weekProgress = progress.weeks.find((w) => w.week.id === week.id)!;
  const { style } = ctx.terminal;
  const verb = options.undo ? 'not done' : 'done';
  ctx.terminal.emit(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      syllabus: syllabusInfo(session),
      file: session.progress.file,
      action: options.undo ? 'undo' : 'done',
      week: weekSummaryJson(weekProgress, progress.next?.week.id),
      topics: topics.map((topic) => ({ number: topic.number, id: topic.id, title: topic.title })),
      next: nextStepJson(progress.next),
    },
    () => {
      const what =
        topicRefs.length === 0
          ? topics.length === 1
            ? `the one topic of week ${weekLabel(week)}`
            : `all ${topics.length} topics of week ${weekLabel(week)}`
          : topics.map((t) => `${t.number}. ${t.title}`).join('; ');
      return [
        `${options.undo ? style.yellow('○') : style.green('✓')} Marked ${verb}: ${what}`,
        `Week ${weekLabel(week)}: ${bar(weekProgress.percent, 16, style)} ${weekProgress.percent}% (${weekProgress.done}/${weekProgress.total}), ${statusText(weekProgress.status, style)}`,
        formatNextStep(progress.next, style),
      ].join('\n');
    },
  );
}

export async function resetProgress(ctx: CommandContext, weekRef: string | undefined, yes: boolean): Promise<void> {
  const session = await openSession(ctx);
  noteOutsideWorkspace(session);
  const week = weekRef === undefined ? undefined : findWeek(session.course, weekRef);
  const scope = week ? `week ${weekLabel(week)} (${week.title})` : `all of ${session.course.title}`;
  if (!yes && !(await ctx.prompt.confirm(`Reset the progress of ${scope}?`, '--yes'))) {
    throw notConfirmed(`the progress of ${scope} stays as it was`);
  }
  const removed = await updateProgress(session.progress.file, writeOptions(session), (state) =>
    reset(state, session.course.id, week?.id),
  );
  ctx.terminal.emit(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      syllabus: syllabusInfo(session),
      file: session.progress.file,
      action: 'reset',
      week: week?.id ?? null,
      removed,
    },
    () => `Reset ${scope}: ${count(removed, 'topic')} marked not done.`,
  );
}

export async function exportProgress(ctx: CommandContext, format: string): Promise<void> {
  if (format !== 'markdown' && format !== 'md') {
    throw new DecError(`Unknown export format "${format}".`, { hint: 'Use --format markdown.' });
  }
  const session = await openSession(ctx);
  noteOutsideWorkspace(session);
  const progress = summarize(session.course, await readSessionProgress(session));
  const lines = [
    `## ${session.course.title} progress`,
    '',
    `Overall: ${progress.percent}% (${progress.done} of ${count(progress.total, 'topic')})`,
  ];
  for (const w of progress.weeks) {
    lines.push('', `### Week ${weekLabel(w.week)}: ${w.week.title} (${w.percent}%)`, '');
    for (const { topic, doneAt } of w.topics) {
      const untaught = topic.taught === false ? ' _(planned, not taught)_' : '';
      lines.push(`- [${doneAt ? 'x' : ' '}] ${topic.title}${topic.extra ? ' _(extra)_' : ''}${untaught}`);
    }
  }
  const markdown = lines.join('\n');
  ctx.terminal.emit(
    { schemaVersion: JSON_SCHEMA_VERSION, syllabus: syllabusInfo(session), format: 'markdown', markdown },
    () => markdown,
  );
}
