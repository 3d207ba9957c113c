// dec homework init <week> | list | status | check <week>
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { CommandContext } from '../command-context.js';
import { DecError, ExitCode } from '../errors.js';
import { connectDocker, projectFromEnv, resolveDockerEndpoint } from '../docker/client.js';
import {
  ANSWERS_FILE,
  blockingChecks,
  checkForm,
  compareWithQuery,
  readAnswers,
  type QuestionCheck,
} from '../homework/check.js';
import { airflowStackOf, checkDags, type DagCheck, type SchedulerEngine } from '../homework/dags.js';
import { syncReadmeAnswers, type ReadmeSync } from '../homework/readme-answers.js';
import { openAnswerRunner, type Database } from '../homework/sandbox.js';
import {
  answersYaml,
  datasetUrls,
  dueDate,
  questionsMarkdown,
  renderTemplate,
  targetName,
  type TemplateValues,
} from '../homework/render.js';
import {
  applyFiles,
  checkNoEscape,
  inside,
  listTemplate,
  planFiles,
  readManifest,
  relativeShown,
  templateHashOf,
  type FileAction,
} from '../homework/scaffold.js';
import { homeworkBase, homeworkFolderName, homeworkOverview, type WeekHomework } from '../homework/overview.js';
import { JSON_SCHEMA_VERSION, homeworkJson } from '../output/json.js';
import { displayWidth, padDisplay, table } from '../output/render.js';
import { TEMPLATES_DIR } from '../paths.js';
import { parseDatabaseUrl } from '../postgres/login.js';
import { markDone, markUndone, stepKey } from '../progress/model.js';
import { updateProgress } from '../progress/store.js';
import { defaultDatabase } from '../setup/database.js';
import { noteOutsideWorkspace, openSession, readSessionProgress, syllabusInfo, type Session } from '../session.js';
import { weekLabel, type CourseWeek } from '../syllabus/course.js';
import { findWeek } from '../syllabus/query.js';
import type { Question } from '../syllabus/schema.js';
import { parseTimeLimit } from '../util/time.js';

export interface HomeworkInitOptions {
  dir?: string;
  force?: boolean;
  dryRun?: boolean;
  student?: string;
  project?: string;
  region?: string;
}

export interface CheckOptions {
  dir?: string;
  db?: string;
  timeout?: string;
}

function folderOf(session: Session, week: CourseWeek, dir: string | undefined): string {
  const root = homeworkBase(session);
  // --dir is read from where the student is, and must stay inside the workspace.
  const folder =
    dir === undefined
      ? join(root, 'homework', homeworkFolderName(week))
      : inside(root, resolve(session.ctx.cwd, dir), '--dir', dir);
  checkNoEscape(root, folder);
  return folder;
}

function weekWithHomework(session: Session, ref: string): CourseWeek {
  const week = findWeek(session.course, ref);
  if (!week.homework) {
    const weeks = session.course.weeks.filter((w) => w.homework).map((w) => weekLabel(w));
    throw new DecError(`Week ${weekLabel(week)} has no homework.`, {
      hint: `Weeks with homework: ${weeks.join(', ')}.`,
    });
  }
  return week;
}

function templateFiles(week: CourseWeek): { name: string; dir: string; files: string[] } {
  const name = week.homework?.template ?? week.id;
  const dir = join(TEMPLATES_DIR, 'homework', name);
  if (!existsSync(dir))
    throw new DecError(`There is no homework template "${name}" (looked in ${dir}).`, {
      hint: 'Set homework.template in the syllabus to a folder under templates/homework/.',
    });
  return { name, dir, files: listTemplate(dir) };
}

const ACTION_TEXT: Record<FileAction, string> = {
  create: 'created',
  update: 'updated (you had not changed it)',
  same: 'unchanged',
  kept: 'yours, kept as it is',
  sidecar: 'yours, kept; the new template version is next to it as .new',
  overwrite: 'overwritten (your version backed up as .bak-<time>)',
};

export async function homeworkInit(ctx: CommandContext, ref: string, options: HomeworkInitOptions): Promise<number> {
  const session = await openSession(ctx);
  const week = weekWithHomework(session, ref);
  const folder = folderOf(session, week, options.dir);
  noteOutsideWorkspace(session, relative(ctx.cwd, folder));
  const template = templateFiles(week);
  const questions = week.homework?.questions ?? [];
  const values: TemplateValues = {
    student: options.student ?? ctx.env.GIT_AUTHOR_NAME ?? ctx.env.USER ?? 'student',
    week: String(week.number),
    week_title: week.title,
    cohort: session.course.cohort ?? '',
    due: dueDate(session.course, week, session.workspace?.marker.startDate) ?? 'no deadline',
    gcp_project: options.project ?? 'your-gcp-project-id',
    region: options.region ?? 'europe-west6',
    dataset_urls: datasetUrls(session.course, week),
    questions: questionsMarkdown(questions),
  };
  const wanted: Record<string, string> = {};
  for (const file of template.files)
    wanted[targetName(file)] = renderTemplate(readFileSync(join(template.dir, file), 'utf8'), values);
  wanted[ANSWERS_FILE] = answersYaml(week, questions);
  // Each file, and each folder on its way, must not be a link out of the homework folder.
  for (const path of Object.keys(wanted)) checkNoEscape(folder, inside(folder, path, 'A template file'));
  const manifest = await readManifest(folder);
  const planned = planFiles(folder, wanted, manifest, options.force === true);
  const shown = relativeShown(ctx.cwd, folder);
  const { style } = ctx.terminal;
  const backups = options.dryRun
    ? []
    : await applyFiles(folder, planned, manifest, template.name, templateHashOf(wanted), ctx.now());
  // The backups are made in the order of the overwritten files: each line names its own.
  const backupOf = new Map(planned.filter((p) => p.action === 'overwrite').map((p, i) => [p.path, backups[i]]));
  const actionText = (p: (typeof planned)[number]) => {
    const backup = backupOf.get(p.path);
    return backup ? `overwritten (your version backed up as ${relativeShown(folder, backup)})` : ACTION_TEXT[p.action];
  };
  ctx.terminal.emit(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      syllabus: syllabusInfo(session),
      week: week.number,
      folder,
      dryRun: options.dryRun === true,
      files: planned.map((p) => ({ path: p.path, action: p.action })),
      backups,
    },
    () =>
      [
        `${options.dryRun ? style.bold('Would scaffold') : `${style.green('✓')} Homework for week ${weekLabel(week)}`} in ${shown}/`,
        ...planned.map(
          (p) =>
            `  ${p.action === 'sidecar' ? style.yellow('!') : p.action === 'create' || p.action === 'update' ? style.green('+') : style.dim('·')} ${p.path}: ${actionText(p)}`,
        ),
        ...(options.dryRun
          ? [style.dim('Nothing was written (--dry-run).')]
          : [
              '',
              `Answer in ${shown}/${ANSWERS_FILE} (and README.md for your repo), then: dec homework check ${week.number}`,
            ]),
      ].join('\n'),
  );
  return ExitCode.ok;
}

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

export async function homeworkStatus(ctx: CommandContext): Promise<number> {
  const session = await openSession(ctx);
  noteOutsideWorkspace(session);
  const state = await readSessionProgress(session);
  const rows = homeworkOverview(session, state.syllabi[session.course.id]?.done ?? {}, ctx.now());
  const { style } = ctx.terminal;
  const dueText = (row: WeekHomework) =>
    row.due === undefined
      ? ''
      : row.daysLeft === undefined
        ? row.due
        : row.daysLeft < 0
          ? style.red(`${row.due} (${days(-row.daysLeft)} late)`)
          : `${row.due} (${days(row.daysLeft)} left)`;
  ctx.terminal.emit(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      syllabus: syllabusInfo(session),
      homework: rows.map((r) => ({
        week: r.week.number,
        weekId: r.week.id,
        folder: r.folder,
        ...homeworkJson(r),
        checkedAt: r.checkedAt ?? null,
      })),
    },
    () =>
      table(
        [
          { header: 'Week', align: 'right' },
          { header: 'Title' },
          { header: 'Answers' },
          { header: 'Due' },
          { header: 'Next' },
        ],
        rows.map((r) => {
          const [state, next] = r.checkedAt
            ? r.changedSinceCheck
              ? [style.yellow('changed since the check'), `dec homework check ${r.week.number}`]
              : [style.green('checked'), '']
            : r.scaffolded
              ? [`${r.answered}/${r.total} answered`, `dec homework check ${r.week.number}`]
              : [style.dim('not started'), `dec homework init ${r.week.number}`];
          return [weekLabel(r.week), r.week.title, state, dueText(r), style.dim(next)];
        }),
        style,
      ),
  );
  return ExitCode.ok;
}

/** --db, else the Postgres of the week-1 stack as `dec setup` runs it (remembered port and login). */
async function database(ctx: CommandContext, session: Session, flag: string | undefined): Promise<Database> {
  return flag ? parseDatabaseUrl(flag) : defaultDatabase(ctx, session);
}

/** What `homework check` asks of Docker: the Airflow scheduler that parses a week's DAGs. Tests pass a fake. */
export interface HomeworkDeps {
  schedulerEngine(ctx: CommandContext): Promise<SchedulerEngine>;
}

const realHomeworkDeps: HomeworkDeps = {
  schedulerEngine: async (ctx) => connectDocker(await resolveDockerEndpoint(ctx.env, ctx.platform, ctx.home), 10_000),
};

/** The DAGs' import errors for a week whose stack runs Airflow; undefined for any other week. */
async function dagsOf(
  ctx: CommandContext,
  session: Session,
  week: CourseWeek,
  deps: HomeworkDeps,
): Promise<DagCheck | undefined> {
  const stack = airflowStackOf(session.course, week);
  if (stack === undefined) return undefined;
  const project = projectFromEnv(ctx.env);
  let engine: SchedulerEngine;
  try {
    engine = await deps.schedulerEngine(ctx);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    return { parsed: false, reason: `dec cannot use Docker (${reason})`, hint: 'Run `dec doctor --only docker`.' };
  }
  return checkDags(engine, { project, stack, setupCommand: `dec setup ${stack}` });
}

function dagLines(ctx: CommandContext, dags: DagCheck | undefined): string[] {
  if (!dags) return [];
  const { style } = ctx.terminal;
  if (!dags.parsed) return [`  ${style.dim('-')} DAGs not parsed: ${dags.reason}. ${dags.hint}`];
  // A path that is not mounted from this machine is shown as Airflow wrote it.
  const shown = (host: string | undefined, inContainer: string) =>
    host === undefined ? inContainer : relativeShown(ctx.cwd, host);
  const summary = `${dags.dags} loaded, ${dags.problems.length === 0 ? 'no import errors' : `${dags.problems.length} with import errors`}`;
  return [
    `  ${dags.problems.length === 0 ? style.green('✓') : style.red('✗')} DAGs in ${shown(dags.folder, dags.containerFolder)} as Airflow parses them (${dags.container}): ${summary}`,
    ...dags.problems.map(
      (p) => `      ${shown(p.file, p.containerPath)}${p.line === undefined ? '' : `:${p.line}`}: ${p.message}`,
    ),
  ];
}

const README = 'README.md';

/**
 * The README's answer slots brought in step with answers.yaml (the course platform reads the README).
 * Only a regular file in the folder (never through a link), and only the slots change.
 */
function syncReadme(
  folder: string,
  questions: readonly Question[],
  answers: Parameters<typeof syncReadmeAnswers>[2],
): (ReadmeSync & { file: string }) | undefined {
  const file = join(folder, README);
  try {
    if (!lstatSync(file).isFile()) return undefined;
  } catch {
    return undefined;
  }
  const synced = syncReadmeAnswers(readFileSync(file, 'utf8'), questions, answers);
  if (synced.changed.length > 0) writeFileSync(file, synced.text);
  return { ...synced, file };
}

function readmeLine(ctx: CommandContext, readme: ReturnType<typeof syncReadme>): string[] {
  if (!readme) return [];
  const { style } = ctx.terminal;
  if (readme.slots.length === 0)
    return [
      `  ${style.dim('-')} ${README} has no answer slots (<!-- dec:answer q1 --> ... <!-- /dec:answer q1 -->), so dec left it alone: copy your answers into it yourself.`,
    ];
  const edited = readme.edited.join(', ');
  return [
    readme.changed.length > 0
      ? `  ${style.green('✓')} ${README}: ${readme.changed.join(', ')} copied from ${ANSWERS_FILE} into ${readme.changed.length === 1 ? 'its slot' : 'their slots'}`
      : readme.edited.length < readme.slots.length
        ? `  ${style.green('✓')} ${README}: the answers in its slots match ${ANSWERS_FILE}`
        : '',
    ...(readme.edited.length > 0
      ? [
          `  ${style.yellow('!')} ${README}: the slot${readme.edited.length === 1 ? ` of ${edited} was` : `s of ${edited} were`} edited by hand, so dec left ${readme.edited.length === 1 ? 'it' : 'them'}: put the answer in ${ANSWERS_FILE} (or empty the slot) and check again`,
        ]
      : []),
  ].filter((line) => line !== '');
}

export async function homeworkCheck(
  ctx: CommandContext,
  ref: string,
  options: CheckOptions,
  deps: HomeworkDeps = realHomeworkDeps,
): Promise<number> {
  const session = await openSession(ctx);
  const week = weekWithHomework(session, ref);
  const folder = folderOf(session, week, options.dir);
  noteOutsideWorkspace(session, relative(ctx.cwd, folder));
  const answers = await readAnswers(folder);
  if (!answers) {
    throw new DecError(`There is no ${ANSWERS_FILE} in ${relativeShown(ctx.cwd, folder)}.`, {
      hint: `Scaffold the homework first: dec homework init ${week.number}`,
    });
  }
  const timeoutMs = parseTimeLimit(options.timeout, { fallbackMs: 10_000, minMs: 100, maxMs: 600_000 });
  const questions = week.homework?.questions ?? [];
  const readme = syncReadme(folder, questions, answers);
  const results: QuestionCheck[] = questions.map((q) => checkForm(q, answers[q.id]));
  const runsHere = (id: string) => (questions.find((q) => q.id === id)?.engine ?? 'postgres') === 'postgres';
  const sqlToRun = results.filter((r) => r.kind === 'sql' && r.status === 'pass' && runsHere(r.id));
  let db: Database | undefined;
  if (sqlToRun.length > 0) {
    db = await database(ctx, session, options.db);
    const runner = await openAnswerRunner(db, timeoutMs, (message) => ctx.terminal.warn(message));
    try {
      for (const result of sqlToRun) {
        const ran = await runner.run(answers[result.id]!.sql);
        const question = questions.find((q) => q.id === result.id)!;
        if ('problem' in ran) Object.assign(result, { status: 'fail', detail: ran.problem });
        else Object.assign(result, compareWithQuery(question, answers[result.id]!.answer, ran.result));
      }
    } finally {
      await runner.close();
    }
  }
  const dags = await dagsOf(ctx, session, week, deps);
  const dagProblems = dags?.parsed ? dags.problems.length : 0;
  const failed = blockingChecks(results);
  const passed = failed.length === 0 && dagProblems === 0;
  const practice = results.filter((r) => r.practice);
  const practiceFailed = practice.filter((r) => r.status === 'fail').length;
  const nothingGraded = results.every((r) => r.optional);
  // Counted as `homework status` counts: graded questions only.
  const graded = results.filter((r) => !r.optional);
  const answeredCount = `${graded.filter((r) => r.status !== 'unanswered').length} of ${graded.length} graded questions answered`;
  await updateProgress(session.progress.file, { now: ctx.now(), warn: (m) => ctx.terminal.warn(m) }, (state) => {
    // A passing check records its own time, even over an earlier one: "checked" means these answers.
    markUndone(state, session.course.id, [stepKey(week, 'homework')]);
    if (passed) markDone(state, session.course.id, [stepKey(week, 'homework')], ctx.now());
  });
  const { style } = ctx.terminal;
  const mark = { pass: style.green('✓'), fail: style.red('✗'), unanswered: style.red('✗'), skipped: style.dim('-') };
  ctx.terminal.emit(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      syllabus: syllabusInfo(session),
      week: week.number,
      folder,
      database: db?.shown ?? null,
      passed,
      questions: results,
      dags: dags ?? null,
      readme: readme
        ? { file: readme.file, slots: readme.slots, changed: readme.changed, edited: readme.edited }
        : null,
    },
    () =>
      [
        style.bold(`Homework week ${weekLabel(week)}: ${relativeShown(ctx.cwd, folder)}/${ANSWERS_FILE}`),
        ...results.map(
          (r, _, all) =>
            `  ${mark[r.status]} ${padDisplay(r.id, Math.max(4, ...all.map((o) => displayWidth(o.id))))} ${style.dim(r.kind.padEnd(7))} ${r.detail}${r.practice ? style.dim(" (dec's practice question, not scored)") : ''}`,
        ),
        ...dagLines(ctx, dags),
        ...readmeLine(ctx, readme),
        '',
        !passed
          ? style.red(`${failed.length + dagProblems} to fix (${answeredCount}).`)
          : nothingGraded
            ? style.green(
                `No question here is graded, so nothing blocks submitting${practice.length ? `; practice questions answered: ${practice.filter((r) => r.status !== 'skipped').length} of ${practice.length}` : ''}.`,
              )
            : style.green(
                `All answered and well-formed${db ? '; every query runs' : ''} (${answeredCount}). Ready to submit.`,
              ),
        ...(practiceFailed > 0
          ? [style.dim(`Practice questions to look at: ${practiceFailed} (dec's own; not submitted, not counted).`)]
          : []),
      ].join('\n'),
  );
  return passed ? ExitCode.ok : ExitCode.problems;
}
