// The progress file: in the workspace (it travels with the student's repo) or in the user's state
// folder. Reads never crash on a bad file: it is moved aside, the student is told where, and dec goes
// on from empty. Writes happen under a lock and are atomic, so concurrent dec runs all persist.
import { accessSync, constants, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DecError } from '../errors.js';
import { stateDir } from '../paths.js';
import { fileTimestamp, readTextIfExists, writeFileAtomic } from '../util/fs.js';
import { WORKSPACE_DIR, type Workspace } from '../workspace/workspace.js';
import { PROGRESS_FORMAT, emptyProgress, type ProgressState } from './model.js';
import { UPDATE_COMMAND } from '../version.js';

const PROGRESS_FILE = 'progress.json';

export interface ProgressLocation {
  file: string;
  scope: 'workspace' | 'user';
}

export function progressLocation(workspace: Workspace | undefined, env: NodeJS.ProcessEnv): ProgressLocation {
  return workspace
    ? { file: join(workspace.root, WORKSPACE_DIR, PROGRESS_FILE), scope: 'workspace' }
    : { file: join(stateDir(env), PROGRESS_FILE), scope: 'user' };
}

/** Returns the state, or a reason it is unusable. */
function decode(text: string): ProgressState | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return 'it is not valid JSON';
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'it is not a JSON object';
  const { version, syllabi } = data as Partial<ProgressState>;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return 'it has no valid "version"';
  if (typeof syllabi !== 'object' || syllabi === null || Array.isArray(syllabi)) return 'it has no "syllabi" object';
  for (const entry of Object.values(syllabi)) {
    const done = (entry as Partial<ProgressState['syllabi'][string]>)?.done;
    if (typeof done !== 'object' || done === null || Object.values(done).some((at) => typeof at !== 'string')) {
      return 'a syllabus entry has no valid "done" map';
    }
  }
  return { version, syllabi } as ProgressState;
}

export interface ReadOptions {
  now: Date;
  /** Told where a damaged file went. */
  warn: (message: string) => void;
}

export async function readProgress(file: string, options: ReadOptions): Promise<ProgressState> {
  const text = await readTextIfExists(file, 'progress file');
  if (text === undefined) return emptyProgress();
  const state = decode(text);
  if (typeof state !== 'string') {
    if (state.version > PROGRESS_FORMAT) {
      throw new DecError(`The progress file ${file} was written by a newer dec (format ${state.version}).`, {
        hint: `Update dec (${UPDATE_COMMAND}); dec leaves the file untouched.`,
      });
    }
    return state;
  }
  const aside = `${file}.corrupt-${fileTimestamp(options.now)}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    throw new DecError(
      `The progress file ${file} is damaged (${state}) and could not be moved aside: ${(error as Error).message}`,
      {
        hint: 'Move or delete it yourself, then run dec again.',
      },
    );
  }
  options.warn(
    `The progress file was damaged (${state}); it was moved to ${aside} and dec starts from empty progress.`,
  );
  return emptyProgress();
}

export function encodeProgress(state: ProgressState): string {
  // Sorted keys keep the file stable in git diffs of the student's repo.
  const syllabi = Object.fromEntries(
    Object.keys(state.syllabi)
      .sort()
      .map((id) => {
        const done = state.syllabi[id]!.done;
        return [
          id,
          {
            done: Object.fromEntries(
              Object.keys(done)
                .sort()
                .map((key) => [key, done[key]]),
            ),
          },
        ];
      }),
  );
  return `${JSON.stringify({ version: PROGRESS_FORMAT, syllabi }, null, 2)}\n`;
}

const LOCK_WAIT_MS = 10_000;

/** Read-modify-write under an exclusive lock; returns what `change` returned. */
export async function updateProgress<T>(
  file: string,
  options: ReadOptions,
  change: (state: ProgressState) => T,
): Promise<T> {
  const { default: lockfile } = await import('proper-lockfile');
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    throw new DecError(`Cannot create the folder for ${file}: ${(error as Error).message}`, {
      hint: "Check the folder's permissions, or set DEC_HOME to a folder you can write.",
    });
  }
  try {
    // Checked first: the lock would retry a permission error for LOCK_WAIT_MS, then blame another dec.
    accessSync(dirname(file), constants.W_OK);
  } catch (error) {
    throw new DecError(`Cannot write to the folder of ${file}: ${(error as Error).message}`, {
      hint: "Check the folder's permissions, or set DEC_HOME to a folder you can write.",
    });
  }
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, {
      realpath: false,
      lockfilePath: `${file}.lock`,
      stale: 10_000,
      retries: { retries: Math.ceil(LOCK_WAIT_MS / 100), minTimeout: 20, maxTimeout: 100, factor: 1.3 },
    });
  } catch (error) {
    throw new DecError(`Another dec is still writing ${file} (waited ${LOCK_WAIT_MS / 1000} s).`, {
      hint: `Try again in a moment. If no dec is running, remove the folder ${file}.lock.`,
      cause: error,
    });
  }
  try {
    const state = await readProgress(file, options);
    const result = change(state);
    await writeFileAtomic(file, encodeProgress(state));
    return result;
  } finally {
    await release().catch(() => undefined);
  }
}
