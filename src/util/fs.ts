// Small file helpers shared by the stores. Writes are atomic: temp file, fsync, rename.
// Reads use node:fs (sync): node:fs/promises costs ~2 ms to load, and a CLI has nothing to overlap.
import { readFileSync, type Stats } from 'node:fs';
import { DecError, errorCode, isDecError } from '../errors.js';

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
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
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

/** What each file-system error the student can act on means, and what to do about it. */
const FILE_SYSTEM_ERRORS: Record<string, { reason: string; hint: string }> = {
  EACCES: {
    reason: 'permission denied',
    hint: 'Check the permissions (ls -l), or set DEC_HOME to a folder you can write.',
  },
  EPERM: {
    reason: 'operation not permitted',
    hint: 'Check the permissions (ls -l), or set DEC_HOME to a folder you can write.',
  },
  EROFS: { reason: 'the file system is read-only', hint: 'Set DEC_HOME to a folder on a writable disk.' },
  ENOSPC: {
    reason: 'the disk is full',
    hint: "Free some space (dec data clean deletes earlier downloads), or keep dec's data elsewhere with DEC_HOME=<folder>.",
  },
  EDQUOT: {
    reason: 'the disk quota is used up',
    hint: 'Free some space, or set DEC_HOME to a folder on another disk.',
  },
  EISDIR: { reason: 'it is a folder, not a file', hint: 'Give the path of a file.' },
  ENOTDIR: { reason: 'a part of the path is a file, not a folder', hint: 'Check the path.' },
  // mkdir -p meets a file where a folder should be
  EEXIST: { reason: 'a file is in the way of a folder on that path', hint: 'Check the path.' },
  ENOENT: { reason: 'there is no such file or folder', hint: 'Check the path.' },
};

/**
 * A file-system error (EACCES, ENOSPC, EISDIR, ENOTDIR, EROFS, ...) as a DecError saying what could not
 * be done to which path, and what to do; any other error is returned as it is, to be thrown on.
 * `hint` replaces the generic advice where the caller knows better.
 */
export function fileSystemError(error: unknown, action: string, path: string, hint?: string): unknown {
  if (isDecError(error)) return error;
  const known = FILE_SYSTEM_ERRORS[errorCode(error) ?? ''];
  if (!known) return error;
  return new DecError(`Cannot ${action} ${path}: ${known.reason}.`, { hint: hint ?? known.hint, cause: error });
}

/** What a path that is not a regular file is, in words ("a folder", "a named pipe (fifo)", ...); undefined for a file. */
export function notAFileKind(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (fifo)';
  if (stats.isSocket()) return 'a socket';
  return 'a device';
}
