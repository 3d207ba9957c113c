// The workspace dec was last used in, remembered in the user's state folder, so that a command run
// outside any workspace can say which progress it uses and where the student's course repo is, instead
// of quietly starting a second, empty record (or homework folder) in the wrong place.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../paths.js';
import { markerPathFor } from './workspace.js';

const FILE = 'last-workspace.json';

function fileOf(env: NodeJS.ProcessEnv): string {
  return join(stateDir(env), FILE);
}

function readRoot(env: NodeJS.ProcessEnv): string | undefined {
  try {
    const data = JSON.parse(readFileSync(fileOf(env), 'utf8')) as { root?: unknown };
    return typeof data.root === 'string' ? data.root : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Remembers `root` as the workspace last used. Only a change is written, and a state folder dec cannot
 * write costs nothing but the memory: this must never fail a command.
 */
export function rememberWorkspace(env: NodeJS.ProcessEnv, root: string): void {
  if (readRoot(env) === root) return;
  try {
    const file = fileOf(env);
    mkdirSync(stateDir(env), { recursive: true });
    const part = `${file}.${process.pid}.tmp`;
    writeFileSync(part, `${JSON.stringify({ root })}\n`);
    renameSync(part, file);
  } catch {
    // Not remembered: the next note names no workspace, nothing else changes.
  }
}

/** The workspace last used, if it is still one. */
export function lastWorkspace(env: NodeJS.ProcessEnv): string | undefined {
  const root = readRoot(env);
  return root !== undefined && existsSync(markerPathFor(root)) ? root : undefined;
}

/**
 * The note for a command run outside any workspace: which state it uses, and the workspace last used.
 * `progressFile`: the user-level progress file; `homework`: the folder a homework command uses here,
 * and whether the last workspace already has that week's (so this one would be a second copy).
 */
export function outsideWorkspaceNote(
  env: NodeJS.ProcessEnv,
  state: { progressFile: string; homework?: { here: string; relative: string } },
): string {
  const last = lastWorkspace(env);
  const what = state.homework
    ? `homework in ${state.homework.here}, progress in ${state.progressFile}`
    : `your own progress file, ${state.progressFile}`;
  const head = `Not in a dec workspace: using ${what}.`;
  if (last === undefined)
    return `${head} To keep ${state.homework ? 'them' : 'it'} with your course repo: dec init <folder>.`;
  const twin =
    state.homework && existsSync(join(last, state.homework.relative))
      ? ` It has its own ${state.homework.relative}: this is another copy.`
      : '';
  return `${head} Your workspace (last used): ${last}.${twin} Run dec there: cd ${last}`;
}
