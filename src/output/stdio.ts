// dec's standard streams: plain file descriptors rather than process.stdout/stderr, whose stream
// objects cost a few ms of every start. Used by the Terminal and by commander's own help output.
import { fstatSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { OutputStream } from './terminal.js';

/**
 * Whether a file descriptor is a terminal. Pipes and files are told apart by one fstat; only a
 * character device needs node:tty, which loads Node's net and stream modules (~2 ms of start-up).
 */
function isTerminal(fd: number): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  const { isatty } = createRequire(import.meta.url)('node:tty') as typeof import('node:tty');
  return isatty(fd);
}

/**
 * Writes straight to a file descriptor. Synchronous on purpose: a JSON document is never cut off at
 * exit, and dec skips building Node's stdout stream objects (a few ms of every start).
 */
function fdStream(fd: number, tty: () => { columns?: number }): OutputStream {
  return {
    isTTY: isTerminal(fd),
    /** Asked only for a live line: process.stderr's stream object costs a few ms to build. */
    get columns() {
      return this.isTTY ? tty().columns : undefined;
    },
    write(text: string) {
      const bytes = Buffer.from(text);
      let offset = 0;
      while (offset < bytes.length) {
        try {
          offset += writeSync(fd, bytes, offset);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          // The reader went away (`dec weeks list | head -3`): nothing more to say.
          if (code === 'EPIPE') return;
          // A non-blocking pipe that is full: wait a moment and go on.
          if (code !== 'EAGAIN') throw error;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        }
      }
    },
  };
}

const stdoutStream = fdStream(1, () => process.stdout);

export const stdio = {
  stdout: stdoutStream,
  stderr: fdStream(2, () => process.stderr),
  stdinIsTTY: () => isTerminal(0),
  /** Width for help text: the terminal's, else 80. */
  columns(): number {
    return stdoutStream.isTTY ? process.stdout.columns || 80 : 80;
  },
};
