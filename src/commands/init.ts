// dec init [dir]: make the student's course repo a workspace.
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { CommandContext } from '../command-context.js';
import { DecError } from '../errors.js';
import { JSON_SCHEMA_VERSION } from '../output/json.js';
import { DEFAULT_SYLLABUS_ID, TEMPLATES_DIR } from '../paths.js';
import { progressLocation, readProgress, updateProgress } from '../progress/store.js';
import { BUILTIN_COURSES, builtinSyllabusPath, loadSyllabus, resolveSyllabusSource } from '../syllabus/load.js';
import { readTextIfExists, writeFileAtomic } from '../util/fs.js';
import { rememberWorkspace } from '../workspace/last-used.js';
import { DEC_VERSION } from '../version.js';
import {
  WORKSPACE_DIR,
  WORKSPACE_FORMAT,
  findWorkspace,
  isRealDay,
  markerPathFor,
  parseMarker,
  type Workspace,
  type WorkspaceMarker,
} from '../workspace/workspace.js';
import { count } from '../util/count.js';

export interface WorkspaceInitOptions {
  start?: string;
  force?: boolean;
}

const GITIGNORE_MARK = '# Added by `dec init`.';

function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function checkStart(start: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || !isRealDay(start)) {
    throw new DecError(`--start "${start}" is not a date.`, {
      hint: 'Give it as YYYY-MM-DD, e.g. --start 2026-01-12.',
    });
  }
  return start;
}

/** A built-in id stays an id; a file is stored relative to the workspace so the repo can move. */
function storedChoice(choice: string, root: string, cwd: string): string {
  if (builtinSyllabusPath(choice)) return choice;
  const rel = relative(root, resolve(cwd, choice));
  return rel.split(sep).join('/');
}

type ChosenBy = 'flag' | 'env' | 'workspace' | 'asked' | 'default';

/**
 * --syllabus, then DEC_SYLLABUS, then the workspace's own choice (init --force keeps it); else a person at
 * the terminal picks a course, and a script gets the default with a note on how to choose (on stderr, or
 * in the JSON document with --json, whose stderr stays empty).
 */
async function syllabusChoice(
  ctx: CommandContext,
  root: string,
  existing: WorkspaceMarker | undefined,
): Promise<{ syllabus: string; chosenBy: ChosenBy; hint?: string }> {
  if (ctx.options.syllabus) return { syllabus: storedChoice(ctx.options.syllabus, root, ctx.cwd), chosenBy: 'flag' };
  if (ctx.env.DEC_SYLLABUS) return { syllabus: storedChoice(ctx.env.DEC_SYLLABUS, root, ctx.cwd), chosenBy: 'env' };
  if (existing) return { syllabus: existing.syllabus, chosenBy: 'workspace' };
  const picked = await ctx.prompt.select('Which course do you follow?', BUILTIN_COURSES, DEFAULT_SYLLABUS_ID);
  if (picked !== undefined) return { syllabus: picked, chosenBy: 'asked' };
  const others = BUILTIN_COURSES.filter((course) => course.value !== DEFAULT_SYLLABUS_ID).map((c) => c.value);
  const hint = `For the current course: dec init --syllabus ${others.join(' or ')} (--force changes an existing workspace; your progress is kept per course).`;
  if (!ctx.terminal.json) ctx.terminal.warn(`Following the 2022 course (${DEFAULT_SYLLABUS_ID}), the default. ${hint}`);
  return { syllabus: DEFAULT_SYLLABUS_ID, chosenBy: 'default', hint };
}

async function addGitignore(root: string): Promise<'created' | 'extended' | 'kept'> {
  const path = join(root, '.gitignore');
  const template = await readFile(join(TEMPLATES_DIR, 'workspace', '_gitignore'), 'utf8');
  const current = await readTextIfExists(path, '.gitignore');
  if (current === undefined) {
    await writeFileAtomic(path, template);
    return 'created';
  }
  if (current.includes(GITIGNORE_MARK)) return 'kept';
  await appendFile(path, `${current.endsWith('\n') || current === '' ? '' : '\n'}\n${template}`);
  return 'extended';
}

/** Progress made before the workspace existed is copied in, so nothing is lost by running init later. */
async function carryOverProgress(ctx: CommandContext, workspace: Workspace, syllabusId: string): Promise<number> {
  const from = progressLocation(undefined, ctx.env).file;
  const to = progressLocation(workspace, ctx.env).file;
  if (from === to || existsSync(to)) return 0;
  const options = { now: ctx.now(), warn: (message: string) => ctx.terminal.warn(message) };
  const earlier = (await readProgress(from, options)).syllabi[syllabusId];
  if (!earlier || Object.keys(earlier.done).length === 0) return 0;
  await updateProgress(to, options, (state) => {
    state.syllabi[syllabusId] = { done: { ...earlier.done } };
  });
  return Object.keys(earlier.done).length;
}

export async function initWorkspace(
  ctx: CommandContext,
  dir: string | undefined,
  options: WorkspaceInitOptions,
): Promise<void> {
  const root = resolve(ctx.cwd, dir ?? '.');
  const markerPath = markerPathFor(root);
  const existingText = await readTextIfExists(markerPath, 'workspace file');
  const existing = existingText === undefined ? undefined : parseMarker(existingText, markerPath);
  const enclosing = existing ? undefined : await findWorkspace(root);
  if (enclosing) {
    throw new DecError(`${root} is inside the workspace ${enclosing.root}.`, {
      hint: `Use that workspace (commands find it from any folder inside), or init a folder outside it.`,
    });
  }
  if (existing && !options.force) {
    ctx.terminal.emit(
      { schemaVersion: JSON_SCHEMA_VERSION, root, created: false, marker: existing },
      () =>
        `${root} is already a dec workspace (syllabus ${existing.syllabus}, started ${existing.startDate}). Nothing changed; --force rewrites its settings and keeps your progress.`,
    );
    return;
  }
  const choice = await syllabusChoice(ctx, root, existing);
  const syllabus = choice.syllabus;
  const marker: WorkspaceMarker = {
    version: WORKSPACE_FORMAT,
    syllabus,
    startDate: options.start !== undefined ? checkStart(options.start) : (existing?.startDate ?? localDate(ctx.now())),
    createdWith: `dec ${DEC_VERSION}`,
  };
  const workspace: Workspace = { root, markerPath, marker };
  // Refuse a broken syllabus now rather than on every later command.
  const loaded = await loadSyllabus(resolveSyllabusSource(undefined, {}, root, workspace), ctx.env, ctx.cwd);
  try {
    await mkdir(join(root, WORKSPACE_DIR), { recursive: true });
  } catch (error) {
    throw new DecError(`Cannot create ${join(root, WORKSPACE_DIR)}: ${(error as Error).message}`, {
      hint: 'Pick a folder you can write to.',
    });
  }
  await writeFileAtomic(markerPath, `${JSON.stringify(marker, null, 2)}\n`);
  rememberWorkspace(ctx.env, root);
  const gitignore = await addGitignore(root);
  const carried = await carryOverProgress(ctx, workspace, loaded.course.id);
  const { style } = ctx.terminal;
  ctx.terminal.emit(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      root,
      created: true,
      marker,
      gitignore,
      carriedOverTopics: carried,
      syllabusChosenBy: choice.chosenBy,
      ...(choice.hint ? { syllabusHint: choice.hint } : {}),
    },
    () =>
      [
        `${style.green('✓')} ${existing ? 'Updated' : 'Created'} the dec workspace in ${root}`,
        `  syllabus   ${marker.syllabus} (${loaded.course.title})`,
        `  started    ${marker.startDate}`,
        `  .gitignore ${gitignore}`,
        ...(carried > 0
          ? [
              `  progress   ${count(carried, 'topic')} you had marked done ${carried === 1 ? 'was' : 'were'} copied into .dec/progress.json`,
            ]
          : []),
        '',
        `Commit .dec/ with your course repo: your progress travels with it.`,
        `Next: ${dir && dir !== '.' ? `cd ${dir} && ` : ''}dec weeks list`,
      ].join('\n'),
  );
}
