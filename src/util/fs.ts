// Small file helpers shared by the stores. Writes are atomic: temp file, fsync, rename.
// Reads use node:fs (sync): node:fs/promises costs ~2 ms to load, and a CLI has nothing to overlap.
import { readFileSync } from 'node:fs';
import { DecError, errorCode } from '../errors.js';

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
