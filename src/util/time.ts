// Time limits given on the command line, and Ctrl-C as an AbortSignal: shared by every command that
// waits on something (doctor, setup, homework check, data).
import { DecError, ExitCode } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

export interface TimeLimit {
  /** When the flag is not given. */
  fallbackMs: number;
  minMs: number;
  maxMs: number;
}

/** "3", "3s", "1.5s", "500ms" or "3m" → milliseconds; a bare number is seconds. */
export function parseTimeLimit(text: string | undefined, limit: TimeLimit): number {
  if (text === undefined) return limit.fallbackMs;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(text.trim());
  const ms = match ? Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1000) : NaN;
  if (!(ms >= limit.minMs && ms <= limit.maxMs)) {
    const span = (value: number) => (value >= 60_000 ? `${value / 60_000} min` : `${value / 1000} s`);
    throw new DecError(`--timeout "${text}" is not a time between ${span(limit.minMs)} and ${span(limit.maxMs)}.`, {
      hint: 'Give seconds, or a unit: --timeout 30, --timeout 500ms, --timeout 3m.',
    });
  }
  return ms;
}

/**
 * Runs `work` with a signal that Ctrl-C (or SIGTERM) aborts, so it can stop cleanly; a second Ctrl-C
 * ends dec at once (exit 130, exit handlers such as lock releases still run).
 *
 * The listener stays installed until `work` is done: once dec has no listener of its own for the
 * signal, signal-exit (proper-lockfile's, while a download holds its lock) re-raises it, and dec died
 * of the first Ctrl-C without saying what it kept.
 */
export async function withInterruptSignal<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
