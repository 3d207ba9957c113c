// What every command gets: where it runs, its environment, its terminal and its clock.
// Commands take this instead of reaching for process.*, so tests can hand them anything.
import { stdio } from './output/stdio.js';
import { Terminal } from './output/terminal.js';

export interface GlobalOptions {
  syllabus?: string;
  json?: boolean;
  color?: boolean;
  debug?: boolean;
}

export interface CommandContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  terminal: Terminal;
  now: () => Date;
  options: GlobalOptions;
}

export function createCommandContext(options: GlobalOptions): CommandContext {
  return {
    cwd: process.cwd(),
    env: process.env,
    now: () => new Date(),
    options,
    terminal: new Terminal({
      env: process.env,
      stdout: stdio.stdout,
      stderr: stdio.stderr,
      // Not process.stdin.isTTY: touching process.stdin builds a stream (~1.5 ms) on every run.
      stdinIsTTY: () => stdio.stdinIsTTY(),
      json: options.json === true,
      color: options.color,
    }),
  };
}
