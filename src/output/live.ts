// Live work (pulls, builds, health waits, downloads, loads) on a terminal: an ora spinner with what is
// happening, how long it has taken and, where there is one, the limit. In a log, a pipe or --json the
// plain lines of Terminal.progress() stay exactly as they were. ora is loaded only when a spinner is
// shown, so neither the start path nor a script pays for it.
import { createRequire } from 'node:module';
import { clearLine, cursorTo, moveCursor } from 'node:readline';
import type { Ora } from 'ora';
import { displayWidth, fitWidth } from './render.js';
import type { OutputStream, Terminal } from './terminal.js';

export interface Live {
  /**
   * New work: the clock restarts; `limitMs` adds "of N s". A "… text" line in a log, as before, unless
   * `log: false` (work whose progress lines say enough there).
   */
  step(text: string, options?: { limitMs?: number; log?: boolean }): void;
  /**
   * Progress of the same work (bytes, rows, a build step): on a terminal the text changes and the clock
   * runs on; in a log at most a line every 5 s, and a `final` one always. Built only when shown.
   */
  detail(text: () => string, final?: boolean): void;
  /** A piece of the work finished: a "✓ text" line that stays on a terminal, a "… text" line in a log. */
  done(text: string): void;
  /**
   * The work failed: what was happening stays as "✗ text (after 12 s)" on its own line, so the error
   * printed next starts on a fresh row. Nothing more in a log (its last line already says it).
   */
  fail(): void;
  /** The work is over: the live line is cleared (the command prints its result). */
  stop(): void;
}

export interface LiveOptions {
  /** The clock (tests pass their own). */
  now?: () => number;
}

/** "12 s", "2 min 5 s": short enough to sit at the end of a status line. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds <= 120) return `${seconds} s`;
  const rest = seconds % 60;
  return `${Math.floor(seconds / 60)} min${rest > 0 ? ` ${rest} s` : ''}`;
}

/**
 * The time taken against the limit: "12 s of 120 s" within it, and once the limit has passed (the last
 * look, the log tail and the clean-up still run) "4 s, past the 3 s limit", never "4 s of 3 s".
 */
function againstLimit(elapsedMs: number, limitMs: number): string {
  const elapsed = formatDuration(elapsedMs);
  const limit = formatDuration(limitMs);
  return elapsedMs > limitMs && elapsed !== limit ? `${elapsed}, past the ${limit} limit` : `${elapsed} of ${limit}`;
}

/** The live line's text: what is happening, then the time taken and the limit, cut to the width. */
export function liveText(text: string, elapsedMs: number, limitMs: number | undefined, width: number): string {
  const time =
    limitMs !== undefined ? againstLimit(elapsedMs, limitMs) : elapsedMs >= 1000 ? formatDuration(elapsedMs) : '';
  if (time === '') return fitWidth(text, width);
  const whole = `${text} … ${time}`;
  if (displayWidth(whole) <= width) return whole;
  // The clock is what changes: the text gives way first, and the clock only when nothing else fits.
  const room = width - time.length - 1;
  return room >= 12 ? `${fitWidth(text, room)} ${time}` : fitWidth(whole, width);
}

/** The final line of failed work: what was happening, cut so that "(after 12 s)" stays in `width`. */
function failedText(text: string, elapsedMs: number, width: number): string {
  if (elapsedMs < 1000) return fitWidth(text, width);
  const after = `(after ${formatDuration(elapsedMs)})`;
  const room = width - after.length - 1;
  return room >= 12 ? `${fitWidth(text, room)} ${after}` : fitWidth(`${text} ${after}`, width);
}

/** Writes through the Terminal's stderr; ora moves the cursor through node:readline's helpers. */
function oraStream(stream: OutputStream, columns: number): NodeJS.WritableStream {
  const target = {
    isTTY: true,
    columns,
    write(text: string) {
      stream.write(text);
      return true;
    },
    cursorTo(x: number) {
      return cursorTo(target as unknown as NodeJS.WritableStream, x);
    },
    moveCursor(dx: number, dy: number) {
      return moveCursor(target as unknown as NodeJS.WritableStream, dx, dy);
    },
    clearLine(dir: -1 | 0 | 1) {
      return clearLine(target as unknown as NodeJS.WritableStream, dir);
    },
  };
  return target as unknown as NodeJS.WritableStream;
}

/** Plain lines, as Terminal.progress() has always written them: for logs, pipes and dumb terminals. */
function loggedLive(terminal: Terminal): Live {
  const report = terminal.progressReporter();
  return {
    step: (text, options) => {
      if (options?.log !== false) terminal.progress(text);
    },
    detail: (text, final) => report(text, final),
    done: (text) => terminal.progress(text),
    fail: () => terminal.progressDone(),
    stop: () => terminal.progressDone(),
  };
}

export function startLive(terminal: Terminal, options: LiveOptions = {}): Live {
  const stream = terminal.liveStream();
  if (!stream) return loggedLive(terminal);
  const now = options.now ?? Date.now;
  const columns = stream.columns && stream.columns > 0 ? stream.columns : 80;
  const { style } = terminal;
  // Loaded here, synchronously, so the commands that report progress keep their plain signatures.
  const { default: ora, spinners } = createRequire(import.meta.url)('ora') as typeof import('ora');
  let current = { text: '', since: now(), limitMs: undefined as number | undefined };
  let spinner: Ora | undefined;
  let release: (() => void) | undefined;
  // The frame, a space and one spare column: a line that reaches the last column wraps on some terminals.
  const width = Math.max(10, columns - 3);
  const textNow = () => liveText(current.text, now() - current.since, current.limitMs, width);
  const show = () => {
    if (!spinner) {
      spinner = ora({
        stream: oraStream(stream, columns),
        isEnabled: true,
        // dec's prompts (inquirer) own stdin; raw mode here would also swallow Ctrl-C.
        discardStdin: false,
        // The frames are styled by the Terminal's chalk: terminal.ts alone decides colour.
        color: false,
        spinner: { ...spinners.dots, frames: spinners.dots.frames.map((frame) => style.cyan(frame)) },
        text: textNow(),
      }).start();
      const shown = spinner;
      release = terminal.holdLive({ clear: () => shown.clear(), render: () => shown.render() });
    } else spinner.text = textNow();
  };
  // The clock on the line moves even when the work reports nothing (a health wait, a quiet build step).
  const tick = setInterval(() => spinner && (spinner.text = textNow()), 1000);
  tick.unref();
  const end = (finalLine?: string) => {
    clearInterval(tick);
    release?.();
    release = undefined;
    if (!spinner) return;
    if (finalLine === undefined) spinner.stop();
    else spinner.stopAndPersist({ symbol: '', text: finalLine });
    spinner = undefined;
  };
  return {
    step(text, stepOptions) {
      current = { text, since: now(), limitMs: stepOptions?.limitMs };
      show();
    },
    detail(text) {
      current = { ...current, text: text() };
      show();
    },
    done(text) {
      // The finished piece is printed above the live line (through holdLive), which goes on.
      current = { ...current, text: '' };
      terminal.error(`${style.green('✓')} ${fitWidth(text, columns - 3)}`);
    },
    fail() {
      const after = now() - current.since;
      const what = current.text === '' ? undefined : current.text;
      end(what && `${style.red('✗')} ${failedText(what, after, columns - 3)}`);
    },
    stop: () => end(),
  };
}
