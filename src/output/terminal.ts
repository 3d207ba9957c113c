// The one place that decides colour, interactivity and JSON mode. Everything that prints asks it.
import type { ChalkInstance } from 'chalk';

export interface TerminalOptions {
  env: NodeJS.ProcessEnv;
  stdout: OutputStream;
  stderr: OutputStream;
  /** Looked up only when dec wants to prompt. */
  stdinIsTTY: boolean | (() => boolean);
  json: boolean;
  /** false when --no-color was given. */
  color?: boolean;
}

/** Where text goes: process.stdout, a file descriptor writer, or a test's collector. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** The terminal's width, when it is one. */
  columns?: number;
}

/** A live line on stderr (output/live.ts) that other output must not land on. */
export interface LiveLine {
  clear(): void;
  render(): void;
}

export interface Styles {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
}

/** Colour off (a pipe, a log, NO_COLOR): the text as it is, and chalk is never loaded. */
const PLAIN: Styles = {
  bold: (text) => text,
  dim: (text) => text,
  green: (text) => text,
  yellow: (text) => text,
  red: (text) => text,
  cyan: (text) => text,
};

/**
 * chalk, loaded the first time colour is on: `dec --help` or `dec weeks list` in a pipe (and the
 * start-up benchmark) never evaluates it. A require the bundler sees (scripts/build.mjs bundles chalk
 * into dist/cli.cjs as a lazily run module); vitest's module runner provides `require` too.
 */
function loadChalk(level: 1): ChalkInstance {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose, see above
  const { Chalk } = require('chalk') as typeof import('chalk');
  return new Chalk({ level });
}

/**
 * Styles through chalk, at the level colorEnabled decided: 0 (plain text, without chalk) or 1 (the 16
 * basic colours, all dec uses). Never chalk's own detection, which would read argv and the environment
 * a second way.
 */
export function makeStyles(enabled: boolean): Styles {
  if (!enabled) return PLAIN;
  const chalk = loadChalk(1);
  return {
    bold: (text) => chalk.bold(text),
    dim: (text) => chalk.dim(text),
    green: (text) => chalk.green(text),
    yellow: (text) => chalk.yellow(text),
    red: (text) => chalk.red(text),
    cyan: (text) => chalk.cyan(text),
  };
}

/** NO_COLOR beats everything, then --no-color, then FORCE_COLOR, then "is stdout a terminal". */
export function colorEnabled(options: Pick<TerminalOptions, 'env' | 'stdout' | 'color'>): boolean {
  const { env } = options;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (options.color === false) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.TERM === 'dumb') return false;
  return options.stdout.isTTY === true;
}

/** Prompts only with a person at a terminal: never when stdin is not a TTY or CI is set. */
export function canPrompt(options: Pick<TerminalOptions, 'env' | 'stdinIsTTY'>): boolean {
  const ci = options.env.CI;
  const stdinIsTTY = typeof options.stdinIsTTY === 'function' ? options.stdinIsTTY() : options.stdinIsTTY;
  return stdinIsTTY && (ci === undefined || ci === '' || ci === '0' || ci === 'false');
}

export class Terminal {
  readonly color: boolean;
  readonly json: boolean;
  readonly style: Styles;
  readonly #options: TerminalOptions;
  readonly #stdout: TerminalOptions['stdout'];
  readonly #stderr: TerminalOptions['stderr'];

  constructor(options: TerminalOptions) {
    this.json = options.json;
    this.color = colorEnabled(options);
    this.style = makeStyles(this.color);
    this.#options = options;
    this.#stdout = options.stdout;
    this.#stderr = options.stderr;
  }

  /** Whether dec may ask a question; decided when asked, since looking at stdin has a cost. */
  get interactive(): boolean {
    return canPrompt(this.#options);
  }

  #live: LiveLine | undefined;

  /** Writes around the live line, if one is shown: cleared first, drawn again below the text. */
  #write(stream: OutputStream, text: string): void {
    const live = this.#live;
    live?.clear();
    stream.write(text);
    live?.render();
  }

  /** Human output on stdout; silent in --json mode so stdout holds one JSON document. */
  print(text = ''): void {
    if (!this.json) this.#write(this.#stdout, `${text}\n`);
  }

  /** Warnings and notices go to stderr, in every mode. */
  warn(text: string): void {
    this.#write(this.#stderr, `${this.style.yellow('!')} ${text}\n`);
  }

  error(text: string): void {
    this.#write(this.#stderr, `${text}\n`);
  }

  /** stderr, when live work may be shown on it with a spinner (output/live.ts): a terminal, with colour. */
  liveStream(): OutputStream | undefined {
    return this.liveStatus ? this.#stderr : undefined;
  }

  /**
   * While a live line is shown, every print, warning and error clears it first and draws it again
   * after, so no text lands on the spinner's row. Returns the release.
   */
  holdLive(line: LiveLine): () => void {
    this.#live = line;
    return () => {
      if (this.#live === line) this.#live = undefined;
    };
  }

  #progressShown = false;

  /**
   * A one-line status for long work (pulls, waits): rewritten in place on a terminal, one line each
   * on stderr otherwise, nothing in --json mode (stdout holds the document).
   */
  progress(text: string): void {
    if (this.json) return;
    if (this.#stderrIsTTY()) {
      this.#stderr.write(`\r\u001b[2K${this.style.dim('…')} ${text}`);
      this.#progressShown = true;
    } else {
      this.#stderr.write(`… ${text}\n`);
    }
  }

  /**
   * Whether a person reads stdout at a terminal (not a pipe, a log, CI or --json): the only place dec
   * shows a login link with its token (week 5's JupyterLab).
   */
  get personal(): boolean {
    return !this.json && this.#options.stdout.isTTY === true && this.interactive;
  }

  /** Whether progress() rewrites one status line in place (a terminal), rather than adding lines. */
  get liveStatus(): boolean {
    return !this.json && this.#stderrIsTTY();
  }

  /**
   * progress() for work that reports often (bytes, rows): at most 5 times a second on a terminal,
   * every 5 s in a log, so a script's output gets a few lines rather than hundreds. `final` shows
   * the last state whatever the time. The text is only built when it is shown.
   */
  progressReporter(): (text: () => string, final?: boolean) => void {
    const every = this.liveStatus ? 200 : 5000;
    let shown = Date.now();
    return (text, final = false) => {
      const now = Date.now();
      if (!final && now - shown < every) return;
      shown = now;
      this.progress(text());
    };
  }

  /** Clears the status line, if one is shown. */
  progressDone(): void {
    if (this.#progressShown) this.#stderr.write('\r\u001b[2K');
    this.#progressShown = false;
  }

  #stderrIsTTY(): boolean {
    return this.#options.stderr.isTTY === true && this.color;
  }

  /** The one JSON document of a read command. */
  printJson(document: object): void {
    this.#write(this.#stdout, `${JSON.stringify(document, null, 2)}\n`);
  }

  /** Human text or JSON, whichever mode we are in. */
  emit(document: object, render: () => string): void {
    if (this.json) this.printJson(document);
    else this.print(render());
  }
}
