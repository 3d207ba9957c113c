// Colour, interactivity and JSON mode: the one place that decides them.
import { Writable } from 'node:stream';
import chalk from 'chalk';
import { describe, expect, it } from 'vitest';
import { Terminal, canPrompt, colorEnabled, makeStyles, type TerminalOptions } from '../../src/output/terminal.js';

/** A stream that keeps what is written to it. */
class Collector extends Writable {
  readonly chunks: string[] = [];
  isTTY: boolean;

  constructor(isTTY = false) {
    super();
    this.isTTY = isTTY;
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    callback();
  }

  get text(): string {
    return this.chunks.join('');
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

function terminal(overrides: Partial<TerminalOptions> = {}): { term: Terminal; stdout: Collector; stderr: Collector } {
  const stdout = (overrides.stdout as Collector | undefined) ?? new Collector();
  const stderr = (overrides.stderr as Collector | undefined) ?? new Collector();
  const term = new Terminal({ env: {}, stdinIsTTY: false, json: false, ...overrides, stdout, stderr });
  return { term, stdout, stderr };
}

describe('colorEnabled', () => {
  const tty = new Collector(true);
  const pipe = new Collector(false);

  it('follows whether stdout is a terminal', () => {
    expect(colorEnabled({ env: {}, stdout: tty })).toBe(true);
    expect(colorEnabled({ env: {}, stdout: pipe })).toBe(false);
  });

  it('lets NO_COLOR beat FORCE_COLOR and a terminal', () => {
    expect(colorEnabled({ env: { NO_COLOR: '1', FORCE_COLOR: '1' }, stdout: tty })).toBe(false);
    expect(colorEnabled({ env: { NO_COLOR: '1' }, stdout: tty })).toBe(false);
  });

  it('ignores an empty NO_COLOR, as no-color.org says', () => {
    expect(colorEnabled({ env: { NO_COLOR: '' }, stdout: tty })).toBe(true);
  });

  it('lets FORCE_COLOR turn colour on for a pipe, and FORCE_COLOR=0 turn it off for a terminal', () => {
    expect(colorEnabled({ env: { FORCE_COLOR: '1' }, stdout: pipe })).toBe(true);
    expect(colorEnabled({ env: { FORCE_COLOR: '0' }, stdout: tty })).toBe(false);
    expect(colorEnabled({ env: { FORCE_COLOR: 'false' }, stdout: tty })).toBe(false);
  });

  it('lets --no-color beat FORCE_COLOR and a terminal', () => {
    expect(colorEnabled({ env: {}, stdout: tty, color: false })).toBe(false);
    expect(colorEnabled({ env: { FORCE_COLOR: '1' }, stdout: tty, color: false })).toBe(false);
    expect(colorEnabled({ env: {}, stdout: tty, color: true })).toBe(true);
  });

  it('turns colour off for TERM=dumb, unless forced', () => {
    expect(colorEnabled({ env: { TERM: 'dumb' }, stdout: tty })).toBe(false);
    expect(colorEnabled({ env: { TERM: 'dumb', FORCE_COLOR: '1' }, stdout: tty })).toBe(true);
    expect(colorEnabled({ env: { TERM: 'xterm-256color' }, stdout: tty })).toBe(true);
  });
});

describe('canPrompt', () => {
  it('prompts only with stdin a terminal and no CI', () => {
    expect(canPrompt({ env: {}, stdinIsTTY: true })).toBe(true);
    expect(canPrompt({ env: {}, stdinIsTTY: false })).toBe(false);
    expect(canPrompt({ env: { CI: 'true' }, stdinIsTTY: true })).toBe(false);
    expect(canPrompt({ env: { CI: '1' }, stdinIsTTY: true })).toBe(false);
  });

  it('takes CI="", CI=0 and CI=false as no CI', () => {
    for (const CI of ['', '0', 'false']) expect(canPrompt({ env: { CI }, stdinIsTTY: true })).toBe(true);
  });
});

describe('Terminal', () => {
  it('prints nothing with print() in JSON mode, but printJson and emit write one document', () => {
    const { term, stdout } = terminal({ json: true });
    term.print('human text');
    term.print();
    expect(stdout.chunks).toEqual([]);

    term.printJson({ ok: true, weeks: [1] });
    expect(stdout.text).toBe('{\n  "ok": true,\n  "weeks": [\n    1\n  ]\n}\n');

    stdout.chunks.length = 0;
    term.emit({ a: 1 }, () => 'not this');
    expect(JSON.parse(stdout.text)).toEqual({ a: 1 });
  });

  it('prints human text, and emit renders it, outside JSON mode', () => {
    const { term, stdout } = terminal();
    term.print('hello');
    term.emit({ a: 1 }, () => 'rendered');
    expect(stdout.text).toBe('hello\nrendered\n');
  });

  it('writes warnings and errors to stderr, in JSON mode too', () => {
    const { term, stdout, stderr } = terminal({ json: true });
    term.warn('careful');
    term.error('broken');
    expect(stdout.chunks).toEqual([]);
    expect(stderr.text).toBe('! careful\nbroken\n');
  });

  it('has no ANSI codes when colour is off, however it was turned off', () => {
    const cases: Array<Partial<TerminalOptions>> = [
      { stdout: new Collector(false) },
      { stdout: new Collector(true), color: false },
      { stdout: new Collector(true), env: { NO_COLOR: '1', FORCE_COLOR: '3' } },
      { stdout: new Collector(true), env: { TERM: 'dumb' } },
    ];
    for (const overrides of cases) {
      const { term, stdout, stderr } = terminal(overrides);
      expect(term.color).toBe(false);
      term.print(`${term.style.bold('week 3')} ${term.style.green('done')} ${term.style.dim('30 min')}`);
      term.warn(term.style.red('stale'));
      expect(stdout.text).toBe('week 3 done 30 min\n');
      expect(stderr.text).toBe('! stale\n');
      expect(stdout.text + stderr.text).not.toMatch(ANSI);
    }
  });

  it('styles with ANSI codes when colour is on', () => {
    const { term, stdout } = terminal({ stdout: new Collector(true) });
    expect(term.color).toBe(true);
    term.print(term.style.green('done'));
    expect(stdout.text).toBe('\u001b[32mdone\u001b[39m\n');
  });

  it("styles through chalk at the level colorEnabled chose, whatever chalk's own detection says", () => {
    const detected = chalk.level;
    try {
      for (const level of [0, 3] as const) {
        chalk.level = level;
        const on = terminal({ stdout: new Collector(true) });
        on.term.print(`${on.term.style.bold('week 3')} ${on.term.style.red('late')} ${on.term.style.dim('x')}`);
        expect(on.stdout.text).toBe('\u001b[1mweek 3\u001b[22m \u001b[31mlate\u001b[39m \u001b[2mx\u001b[22m\n');
        const off = terminal({ stdout: new Collector(true), env: { NO_COLOR: '1' } });
        off.term.print(off.term.style.cyan('plain'));
        expect(off.stdout.text).toBe('plain\n');
      }
    } finally {
      chalk.level = detected;
    }
  });

  it('keeps nested styles intact (chalk reopens the outer style after an inner one closes)', () => {
    const style = makeStyles(true);
    expect(style.bold(`a ${style.dim('b')} c`)).toBe('\u001b[1ma \u001b[2mb\u001b[22m\u001b[1m c\u001b[22m');
    expect(makeStyles(false).bold(`a ${makeStyles(false).dim('b')} c`)).toBe('a b c');
  });

  it('is interactive only when it may prompt', () => {
    expect(terminal({ stdinIsTTY: true }).term.interactive).toBe(true);
    expect(terminal({ stdinIsTTY: true, env: { CI: 'true' } }).term.interactive).toBe(false);
    expect(terminal({ stdinIsTTY: false }).term.interactive).toBe(false);
  });
});

describe('progressReporter', () => {
  it('in a log: nothing within 5 s, then one line; the final state always', () => {
    const { term, stderr } = terminal();
    const report = term.progressReporter();
    let built = 0;
    for (let i = 0; i < 1000; i++) report(() => `step ${++built}`);
    expect(built).toBe(0); // the text is only built when shown
    report(() => 'done', true);
    expect(stderr.text).toBe('… done\n');
    expect(term.liveStatus).toBe(false);
  });

  it('nothing at all in --json mode', () => {
    const { term, stderr } = terminal({ json: true });
    term.progressReporter()(() => 'done', true);
    expect(stderr.text).toBe('');
  });
});
