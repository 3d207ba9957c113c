// Node system errors (EACCES, ENOSPC, EROFS, ...) told as what is wrong and what to do. main.ts uses
// this as its fallback for one that reaches it, so "dec hit an unexpected error" stays for real bugs.

interface SystemError {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
  address?: string;
  port?: number;
}

/** What each code means, and what a student can do about it ({path} is the file concerned). */
const MEANINGS: Record<string, { meaning: string; hint: string }> = {
  EACCES: {
    meaning: 'permission denied',
    hint: 'Check who owns {path} and its permissions (ls -ld {path}); dec runs as you, not root.',
  },
  EPERM: { meaning: 'operation not permitted', hint: 'Check who owns {path} and its permissions (ls -ld {path}).' },
  ENOSPC: {
    meaning: 'the disk is full',
    hint: 'Free some disk space (df -h shows how much is left), then run again.',
  },
  EDQUOT: { meaning: 'your disk quota is used up', hint: 'Free some space in your quota, then run again.' },
  EROFS: {
    meaning: 'the file system is read-only',
    hint: 'Use a writable folder (DEC_HOME, or run from another folder).',
  },
  ENOENT: { meaning: 'no such file or folder', hint: 'Check that {path} exists.' },
  ENOTDIR: {
    meaning: 'a part of the path is a file, not a folder',
    hint: 'Check {path}: a file stands where a folder should be.',
  },
  EISDIR: { meaning: 'it is a folder, where a file was expected', hint: 'Give a file, not a folder.' },
  EEXIST: { meaning: 'it already exists', hint: 'Move {path} away, or choose another name.' },
  ENOTEMPTY: { meaning: 'the folder is not empty', hint: 'Empty or move {path}, then run again.' },
  EMFILE: { meaning: 'too many files are open', hint: 'Raise the limit (ulimit -n 4096), then run again.' },
  ENFILE: { meaning: 'the system has too many files open', hint: 'Close other programs, then run again.' },
  EIO: {
    meaning: 'an input/output error (the disk or device failed)',
    hint: 'Check the disk (dmesg), then run again.',
  },
  EBUSY: { meaning: 'it is busy (in use by another program)', hint: 'Close what uses {path}, then run again.' },
  ENAMETOOLONG: { meaning: 'the name is too long', hint: 'Use a shorter path.' },
  ELOOP: { meaning: 'too many symbolic links', hint: 'Check the links in {path}.' },
  ETXTBSY: { meaning: 'the file is being run', hint: 'Stop the program that uses {path}, then run again.' },
  EXDEV: {
    meaning: 'it cannot be moved across file systems',
    hint: 'Keep DEC_HOME and the folder you work in on one disk.',
  },
  ECONNREFUSED: { meaning: 'the connection was refused', hint: 'Check that the server at {path} runs.' },
  ECONNRESET: {
    meaning: 'the connection was cut',
    hint: 'Run again; if it keeps happening, check the network or the server.',
  },
  ETIMEDOUT: { meaning: 'the connection timed out', hint: 'Check the network, then run again.' },
  ENOTFOUND: { meaning: 'the host name does not resolve', hint: 'Check the host name and your network.' },
  EPIPE: { meaning: 'the other end closed the connection', hint: 'Run again.' },
};

function asSystemError(error: unknown): SystemError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  // Node's system errors carry an errno code and the system call that failed.
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code) || typeof syscall !== 'string') return undefined;
  return error as SystemError;
}

/** What an errno code means and the general advice for it; undefined for a code not listed. */
export function systemErrorMeaning(code: string | undefined): { meaning: string; hint: string } | undefined {
  return code === undefined ? undefined : MEANINGS[code];
}

/** The message and hint for a Node system error; undefined when it is not one. */
export function describeSystemError(error: unknown): { message: string; hint: string } | undefined {
  const system = asSystemError(error);
  if (!system) return undefined;
  const known = MEANINGS[system.code];
  const where =
    system.path ??
    (system.address ? `${system.address}${system.port === undefined ? '' : `:${system.port}`}` : undefined);
  const meaning = known?.meaning ?? 'the system refused';
  const action = `${system.syscall}${where ? ` ${where}` : ''}`;
  return {
    message: `Cannot ${action}: ${meaning} (${system.code}).`,
    hint: (known?.hint ?? 'Fix the cause above, then run again.').replaceAll('{path}', where ?? 'the file'),
  };
}
