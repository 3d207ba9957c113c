// One error type for everything the user can fix. main.ts is the only place that catches it.

export const ExitCode = {
  ok: 0,
  /** dec ran and found problems (failed checks, overdue work). */
  problems: 1,
  /** dec could not run: bad input, bad syllabus, unreadable files. */
  couldNotRun: 2,
  /** Interrupted by Ctrl-C. */
  interrupted: 130,
} as const;

export interface DecErrorOptions {
  /** One line telling how to fix it. */
  hint?: string;
  /** Extra lines, e.g. one per syllabus problem. */
  details?: string[];
  exitCode?: number;
  cause?: unknown;
}

export class DecError extends Error {
  readonly hint: string | undefined;
  readonly details: string[];
  readonly exitCode: number;

  constructor(message: string, options: DecErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DecError';
    this.hint = options.hint;
    this.details = options.details ?? [];
    this.exitCode = options.exitCode ?? ExitCode.couldNotRun;
  }
}

/**
 * By shape, not instanceof: the big commands are bundled separately (dist/commands.cjs) and have their
 * own copy of this class.
 */
export function isDecError(error: unknown): error is DecError {
  return (
    error instanceof Error &&
    error.name === 'DecError' &&
    typeof (error as Partial<DecError>).exitCode === 'number' &&
    Array.isArray((error as Partial<DecError>).details)
  );
}

/** The code of a Node system error (ENOENT, EACCES, ...), if it is one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
