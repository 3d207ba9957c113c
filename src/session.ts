// What most commands start from: the workspace (if any), the syllabus and the progress file.
import type { CommandContext } from './command-context.js';
import { readProgress, progressLocation, type ProgressLocation } from './progress/store.js';
import type { ProgressState } from './progress/model.js';
import { loadSyllabus, resolveSyllabusSource, displayPath, type LoadedSyllabus } from './syllabus/load.js';
import type { Course } from './syllabus/course.js';
import { findWorkspace, type Workspace } from './workspace/workspace.js';

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
  return { ctx, workspace, syllabus, course: syllabus.course, progress: progressLocation(workspace, ctx.env) };
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
