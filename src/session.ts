// What most commands start from: the workspace (if any), the syllabus and the progress file.
import { join } from 'node:path';
import type { CommandContext } from './command-context.js';
import { readProgress, progressLocation, type ProgressLocation } from './progress/store.js';
import type { ProgressState } from './progress/model.js';
import { loadSyllabus, resolveSyllabusSource, displayPath, type LoadedSyllabus } from './syllabus/load.js';
import type { Course } from './syllabus/course.js';
import { findWorkspace, type Workspace } from './workspace/workspace.js';
import { outsideWorkspaceNote, rememberWorkspace } from './workspace/last-used.js';

export interface Session {
  ctx: CommandContext;
  workspace: Workspace | undefined;
  syllabus: LoadedSyllabus;
  course: Course;
  progress: ProgressLocation;
}

export async function openSession(ctx: CommandContext): Promise<Session> {
  const workspace = await findWorkspace(ctx.cwd);
  const source = resolveSyllabusSource(ctx.options.syllabus, ctx.env, ctx.cwd, workspace);
  const syllabus = await loadSyllabus(source, ctx.env, ctx.cwd);
  if (workspace) rememberWorkspace(ctx.env, workspace.root);
  return { ctx, workspace, syllabus, course: syllabus.course, progress: progressLocation(workspace, ctx.env) };
}

/**
 * Outside a workspace, says on stderr which progress (and homework folder) a command uses, and names
 * the workspace last used (not with --json: its document names the file and scope). `homework`: the folder a homework command works in, relative to here.
 */
export function noteOutsideWorkspace(session: Session, homework?: string): void {
  const { ctx } = session;
  // A JSON document names the file and its scope itself; stderr stays quiet for scripts.
  if (session.workspace || ctx.terminal.json) return;
  ctx.terminal.warn(
    outsideWorkspaceNote(ctx.env, {
      progressFile: session.progress.file,
      ...(homework ? { homework: { here: join(ctx.cwd, homework), relative: homework } } : {}),
    }),
  );
}

export function readSessionProgress(session: Session): Promise<ProgressState> {
  const { ctx } = session;
  return readProgress(session.progress.file, { now: ctx.now(), warn: (message) => ctx.terminal.warn(message) });
}

/** The `syllabus` block every JSON document carries. */
export function syllabusInfo(session: Session): { id: string; title: string; path: string; origin: string } {
  return {
    id: session.course.id,
    title: session.course.title,
    path: displayPath(session.syllabus.path, session.ctx.cwd),
    origin: session.syllabus.origin,
  };
}
