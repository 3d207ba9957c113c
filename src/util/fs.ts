// Small file helpers shared by the stores. Writes are atomic: temp file, fsync, rename.
// Reads use node:fs (sync): node:fs/promises costs ~2 ms to load, and a CLI has nothing to overlap.
import { readFileSync, type Stats } from 'node:fs';
import { DecError, errorCode, isDecError } from '../errors.js';
import { systemErrorMeaning } from '../system-errors.js';

/** Reads a text file, or undefined when it does not exist. Other failures become a DecError. */
export async function readTextIfExists(path: string, what: string): Promise<string | undefined> {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new DecError(`Cannot read ${what} ${path}: ${(error as Error).message}`, {
      hint: "Check the file's permissions (ls -l) and that it is a regular file.",
      cause: error,
    });
  }
}

/** Writes via a temp file that is fsynced and renamed over the target, so a crash never leaves half a file. */
export async function writeFileAtomic(path: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const { default: writeFileAtomicImpl } = await import('write-file-atomic');
  try {
    await writeFileAtomicImpl(path, content, { mode, fsync: true });
  } catch (error) {
    throw new DecError(`Cannot write ${path}: ${(error as Error).message}`, {
      hint:
        errorCode(error) === 'EACCES' || errorCode(error) === 'EROFS'
          ? 'The folder is not writable; check its permissions or run dec from a folder you own.'
          : undefined,
      cause: error,
    });
  }
}

/** A filesystem-safe timestamp, e.g. 2026-11-24T21-03-05Z. */
export function fileTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

/**
 * Where dec's own folders are concerned, advice that beats the general one (src/system-errors.ts has
 * what each code means): point DEC_HOME elsewhere, or free space with dec data clean.
 */
const FOLDER_HINTS: Record<string, string> = {
  EACCES: 'Check the permissions (ls -l), or set DEC_HOME to a folder you can write.',
  EPERM: 'Check the permissions (ls -l), or set DEC_HOME to a folder you can write.',
  EROFS: 'Set DEC_HOME to a folder on a writable disk.',
  ENOSPC:
    "Free some space (dec data clean deletes earlier downloads), or keep dec's data elsewhere with DEC_HOME=<folder>.",
  EDQUOT: 'Free some space, or set DEC_HOME to a folder on another disk.',
  EISDIR: 'Give the path of a file.',
  ENOTDIR: 'Check the path.',
  ENOENT: 'Check the path.',
};

/** The codes a student can act on; others (EMFILE, EIO, ...) go on to main.ts's fallback as they are. */
const FILE_SYSTEM_CODES = new Set([...Object.keys(FOLDER_HINTS), 'EEXIST']);

/**
 * A file-system error (EACCES, ENOSPC, EISDIR, ENOTDIR, EROFS, ...) as a DecError saying what could not
 * be done to which path, and what to do; any other error is returned as it is, to be thrown on.
 * `hint` replaces the generic advice where the caller knows better.
 */
export function fileSystemError(error: unknown, action: string, path: string, hint?: string): unknown {
  if (isDecError(error)) return error;
  const code = errorCode(error);
  const known = systemErrorMeaning(code);
  if (!known || !FILE_SYSTEM_CODES.has(code!)) return error;
  // mkdir -p meets a file where a folder should be.
  const reason = code === 'EEXIST' ? 'a file is in the way of a folder on that path' : known.meaning;
  return new DecError(`Cannot ${action} ${path}: ${reason}.`, {
    hint: hint ?? FOLDER_HINTS[code!] ?? 'Check the path.',
    cause: error,
  });
}

/** What a path that is not a regular file is, in words ("a folder", "a named pipe (fifo)", ...); undefined for a file. */
export function notAFileKind(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (fifo)';
  if (stats.isSocket()) return 'a socket';
  return 'a device';
}
