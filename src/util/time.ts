// Time limits given on the command line, and Ctrl-C as an AbortSignal: shared by every command that
// waits on something (doctor, setup, homework check, data).
import { DecError } from '../errors.js';

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

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface InterruptOptions {
  /**
   * After the first signal, further ones are held off this long while `work` undoes what it made (a
   * second Ctrl-C must not leave half-made containers and volumes); after that, one ends the process.
   */
  graceMs?: number;
  /** Where the one-line note about a held-off signal goes. */
  note?: (text: string) => void;
  /** The clock for the grace period (injected by tests). */
  now?: () => number;
  /** The process whose signals count (injected by tests). */
  process?: SignalSource;
}

export interface SignalSource {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

/**
 * Runs `work` with a signal that Ctrl-C, SIGTERM or SIGHUP (the terminal closed) aborts, so it can stop
 * cleanly. Until `work` settles, dec keeps the signals: more of them do not kill it halfway through its
 * clean-up, within a bounded grace period.
 */
export async function withInterruptSignal<T>(
  work: (signal: AbortSignal) => Promise<T>,
  options: InterruptOptions = {},
): Promise<T> {
  const graceMs = options.graceMs ?? 60_000;
  const source: SignalSource = options.process ?? process;
  const note = options.note ?? ((text: string) => void process.stderr.write(`${text}\n`));
  const controller = new AbortController();
  let firstAt: number | undefined;
  let noted = false;
  const now = options.now ?? Date.now;
  const stop = (signal: NodeJS.Signals) => {
    if (firstAt === undefined) {
      firstAt = now();
      controller.abort();
      return;
    }
    if (now() - firstAt > graceMs) {
      // The clean-up is stuck past its bound: the student may leave (exit code as the shell's for SIGINT).
      source.exit(128 + (signal === 'SIGHUP' ? 1 : signal === 'SIGTERM' ? 15 : 2));
    }
    if (!noted && signal !== 'SIGHUP') {
      noted = true;
      note('Stopping: dec is cleaning up what this run started, so nothing is left half-made (a few seconds).');
    }
  };
  for (const name of STOP_SIGNALS) source.on(name, stop);
  try {
    return await work(controller.signal);
  } finally {
    for (const name of STOP_SIGNALS) source.off(name, stop);
  }
}
