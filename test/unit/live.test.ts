// Live work on a terminal (ora, through src/output/live.ts) and the plain lines of a log, on fake
// streams: a terminal of a given width, and a pipe.
import { stripVTControlCharacters } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatDuration, liveText, startLive } from '../../src/output/live.js';
import { displayWidth, fitWidth } from '../../src/output/render.js';
import { Terminal, type OutputStream } from '../../src/output/terminal.js';

interface FakeStream extends OutputStream {
  text: string;
}

function stream(isTTY: boolean, columns?: number): FakeStream {
  return {
    text: '',
    isTTY,
    columns,
    write(chunk: string) {
      this.text += chunk;
    },
  };
}

function terminalOn(options: { tty: boolean; columns?: number; env?: NodeJS.ProcessEnv; json?: boolean }) {
  const stdout = stream(options.tty, options.columns);
  const stderr = stream(options.tty, options.columns);
  const term = new Terminal({ env: options.env ?? {}, stdout, stderr, stdinIsTTY: false, json: options.json ?? false });
  return { term, stdout, stderr };
}

/** What a terminal shows row by row: text between line feeds and returns to column 1, codes removed. */
function rows(output: string): string[] {
  // eslint-disable-next-line no-control-regex
  return output.split(/\n|\u001b\[1G|\r/).map((row) => stripVTControlCharacters(row));
}

/** The screen's last lines: rows that ended with a line feed (the spinner's row is rewritten in place). */
function finalLines(output: string): string[] {
  return stripVTControlCharacters(output)
    .split('\n')
    .slice(0, -1)
    .map((line) => line.replace(/^.*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] [^✓✗!]*/u, ''));
}

describe('liveText', () => {
  it('says what is happening, the time taken and the limit', () => {
    expect(liveText('waiting for pgdatabase: Postgres answers', 12_400, 120_000, 100)).toBe(
      'waiting for pgdatabase: Postgres answers … 12 s of 120 s',
    );
    expect(liveText('pulling postgres:13: 40% of 150 MB', 65_000, undefined, 100)).toBe(
      'pulling postgres:13: 40% of 150 MB … 65 s',
    );
    // No clock in the first second of work without a limit: it would only flicker.
    expect(liveText('network pg-network', 300, undefined, 100)).toBe('network pg-network');
  });

  it('never shows more time taken than the limit: past it, it says so', () => {
    const text = 'waiting for pgdatabase: Postgres answers';
    expect(liveText(text, 3_000, 3_000, 100)).toBe(`${text} … 3 s of 3 s`);
    // Over by less than the second shown: still "3 s of 3 s", not "3 s, past the 3 s limit".
    expect(liveText(text, 3_900, 3_000, 100)).toBe(`${text} … 3 s of 3 s`);
    expect(liveText(text, 8_200, 3_000, 100)).toBe(`${text} … 8 s, past the 3 s limit`);
    expect(liveText(text, 130_000, 120_000, 100)).toBe(`${text} … 2 min 10 s, past the 120 s limit`);
    const narrow = liveText(text, 8_200, 3_000, 40);
    expect(narrow).toMatch(/8 s, past the 3 s limit$/u);
    expect(displayWidth(narrow)).toBeLessThanOrEqual(40);
  });

  it('cuts the text, not the clock, to fit a narrow terminal', () => {
    const line = liveText('waiting for pgdatabase: Postgres answers on 5432', 12_000, 120_000, 40);
    expect(line).toBe('waiting for pgdatabase: P… 12 s of 120 s');
    expect(displayWidth(line)).toBeLessThanOrEqual(40);
    expect(displayWidth(liveText('a very long status line indeed', 5000, 600_000, 16))).toBeLessThanOrEqual(16);
  });

  it('formats long durations in minutes', () => {
    expect(formatDuration(120_000)).toBe('120 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(600_000)).toBe('10 min');
  });
});

describe('displayWidth and fitWidth', () => {
  it('count wide characters as two columns and escape codes as none', () => {
    expect(displayWidth('数据')).toBe(4);
    expect(displayWidth('🚕 taxi')).toBe(7);
    expect(displayWidth('\u001b[32mdone\u001b[39m')).toBe(4);
    expect(displayWidth('é')).toBe(1); // e + combining accent
  });

  it('cut at the width with "…" and close any colour left open', () => {
    expect(fitWidth('short', 10)).toBe('short');
    expect(fitWidth('yellow_tripdata_2021-01.csv.gz', 10)).toBe('yellow_tr…');
    expect(fitWidth('数据工程训练营', 7)).toBe('数据工…');
    const cut = fitWidth('\u001b[36m████████\u001b[39m rows', 5);
    expect(cut).toBe('\u001b[36m████…\u001b[0m');
    expect(displayWidth(cut)).toBe(5);
  });
});

describe('startLive on a terminal', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 0;
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => vi.useRealTimers());

  it('shows a spinner with the step, the time taken and the limit, updated as time goes by', () => {
    const { term, stderr } = terminalOn({ tty: true, columns: 80 });
    const live = startLive(term, { now });
    live.step('waiting for pgdatabase: Postgres answers', { limitMs: 120_000 });
    clock = 12_000;
    vi.advanceTimersByTime(1100); // the clock's tick, then a frame
    expect(stripVTControlCharacters(stderr.text)).toContain('waiting for pgdatabase: Postgres answers … 12 s of 120 s');
    expect(stderr.text).toContain('\u001b[36m'); // the frame, in the Terminal's cyan
    live.stop();
    // Stopped: the row is cleared and nothing more is drawn.
    const after = stderr.text.length;
    vi.advanceTimersByTime(5000);
    expect(stderr.text.length).toBe(after);
    expect(stderr.text.endsWith('\u001b[?25h')).toBe(true); // the cursor is shown again
  });

  it('never draws a row wider than a narrow terminal', () => {
    const { term, stderr } = terminalOn({ tty: true, columns: 30 });
    const live = startLive(term, { now });
    live.step('waiting for pgdatabase: Postgres answers on port 5432', { limitMs: 120_000 });
    live.detail(() => 'yellow_tripdata_2021-01.csv.gz: 12.0 of 21.7 MB (a long detail)');
    clock = 3000;
    vi.advanceTimersByTime(1500);
    live.done('pgdatabase is ready after a rather long wait (4.1 s)');
    live.stop();
    for (const row of rows(stderr.text)) expect(displayWidth(row), row).toBeLessThan(30);
  });

  it('turns the line into a final ✗ line on failure, so the error that follows gets its own row', () => {
    const { term, stderr } = terminalOn({ tty: true, columns: 80 });
    const live = startLive(term, { now });
    live.step('yellow_tripdata_2021-01.csv.gz: downloading', { log: false });
    clock = 12_000;
    live.fail();
    term.error('✗ The download stalled.');
    expect(finalLines(stderr.text)).toEqual([
      '✗ yellow_tripdata_2021-01.csv.gz: downloading (after 12 s)',
      '✗ The download stalled.',
    ]);
  });

  it('on a narrow terminal the ✗ line gives up the text, not the time it took', () => {
    const { term, stderr } = terminalOn({ tty: true, columns: 40 });
    const live = startLive(term, { now });
    live.step('waiting for pgdatabase: Postgres answers a query with the configured login', { limitMs: 3000 });
    clock = 8_000;
    live.fail();
    const [line] = finalLines(stderr.text);
    // The time it took, with no "of 3 s" (the error below says the limit it ran out of).
    expect(line).toMatch(/^✗ waiting for pgdatabase.*… \(after 8 s\)$/u);
    expect(displayWidth(line!)).toBeLessThan(40);
  });

  it('prints warnings and finished steps above the live line, never on it', () => {
    const { term, stderr, stdout } = terminalOn({ tty: true, columns: 80 });
    const live = startLive(term, { now });
    live.step('pulling postgres:13');
    term.warn('The Docker engine has 1.9 GiB of memory');
    live.done('pgdatabase is ready (4.1 s)');
    term.print('a result on stdout');
    live.stop();
    expect(finalLines(stderr.text)).toEqual([
      '! The Docker engine has 1.9 GiB of memory',
      '✓ pgdatabase is ready (4.1 s)',
    ]);
    // Each line was written after the live row was cleared: a clear-line code comes right before it.
    expect(stderr.text).toContain('\u001b[0K\u001b[33m!\u001b[39m The Docker engine');
    expect(stderr.text).toContain('\u001b[0K\u001b[32m✓\u001b[39m pgdatabase');
    expect(stdout.text).toBe('a result on stdout\n');
  });

  it('does not take stdin (inquirer prompts own it) and starts no spinner twice', () => {
    const listeners = process.stdin.listenerCount('data');
    const { term, stderr } = terminalOn({ tty: true, columns: 80 });
    const live = startLive(term, { now });
    live.step('one');
    live.step('two');
    expect(process.stdin.listenerCount('data')).toBe(listeners);
    live.stop();
    expect(stderr.text.split('\u001b[?25l')).toHaveLength(2); // the cursor hidden once
  });
});

describe('startLive in a log, a pipe, with NO_COLOR and in --json mode', () => {
  it('keeps the plain lines', () => {
    for (const options of [{ tty: false }, { tty: true, env: { NO_COLOR: '1' } }]) {
      const { term, stderr } = terminalOn(options);
      const live = startLive(term);
      live.step('network pg-network');
      live.step('waiting for pgdatabase: Postgres answers', { limitMs: 120_000 });
      live.step('yellow_tripdata_2021-01.csv.gz: downloading', { log: false });
      live.detail(() => 'a detail within 5 s is not logged');
      live.detail(() => 'the final detail is', true);
      live.done('pgdatabase is ready (4.1 s)');
      live.fail();
      expect(stderr.text).toBe(
        [
          '… network pg-network',
          '… waiting for pgdatabase: Postgres answers',
          '… the final detail is',
          '… pgdatabase is ready (4.1 s)',
          '',
        ].join('\n'),
      );
    }
  });

  it('says nothing in --json mode', () => {
    const { term, stderr, stdout } = terminalOn({ tty: true, json: true });
    const live = startLive(term);
    live.step('network pg-network');
    live.detail(() => 'done', true);
    live.done('ready');
    live.stop();
    expect(stderr.text + stdout.text).toBe('');
  });
});
