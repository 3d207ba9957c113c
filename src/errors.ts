// One error type for everything the user can fix (DecError), and the two things the Docker engine does
// to a command (DockerUnavailable, EngineError). main.ts is the only place that catches them.
// The build makes this module dist/errors.cjs, one copy that both bundles (dist/cli.cjs and
// dist/commands.cjs) require (scripts/build.mjs), so `instanceof` holds across them: keep it small and
// free of imports other than types.
import type { DockerEndpoint } from './docker/client.js';

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

export function isDecError(error: unknown): error is DecError {
  return error instanceof DecError;
}

export type DockerFailure =
  | 'socket-missing'
  | 'permission-denied'
  | 'not-running'
  | 'no-answer'
  /** Something answers at the endpoint, but not the Docker API (a web server, an echo, another service). */
  | 'not-docker'
  | 'unknown';

/** The engine cannot be reached, or stopped answering (docker/engine-errors.ts sorts out which). */
export class DockerUnavailable extends Error {
  constructor(
    readonly failure: DockerFailure,
    readonly endpoint: DockerEndpoint,
    message: string,
  ) {
    super(message);
    this.name = 'DockerUnavailable';
  }
}

/** The engine answered, with an HTTP error status and a message. */
export class EngineError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** The code of a Node system error (ENOENT, EACCES, ...), if it is one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
