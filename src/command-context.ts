// What every command gets: where it runs, its environment, its OS and home folder, its terminal, the
// questions it may ask and its clock. Commands take this instead of reaching for process.*, os or a
// prompt library, so tests can hand them anything (a temp dir, buffers, scripted answers).
import { createRequire } from 'node:module';
import { terminalPrompt, type Prompt } from './output/prompt.js';
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
  /** The OS dec runs on (Docker's default socket, the fixes it prints). */
  platform: NodeJS.Platform;
  /** The user's home folder: HOME, else USERPROFILE, else the OS's answer. */
  home: string;
  terminal: Terminal;
  /** Confirmations; they refuse without a person at the terminal. */
  prompt: Prompt;
  now: () => Date;
  options: GlobalOptions;
}

/** node:os is required only when the environment does not say: `dec --help` loads nothing more. */
function homeOf(env: NodeJS.ProcessEnv): string {
  return (
    env.HOME || env.USERPROFILE || (createRequire(import.meta.url)('node:os') as typeof import('node:os')).homedir()
  );
}

export function createCommandContext(options: GlobalOptions): CommandContext {
  const terminal = new Terminal({
    env: process.env,
    stdout: stdio.stdout,
    stderr: stdio.stderr,
    // Not process.stdin.isTTY: touching process.stdin builds a stream (~1.5 ms) on every run.
    stdinIsTTY: () => stdio.stdinIsTTY(),
    json: options.json === true,
    color: options.color,
  });
  return {
    cwd: process.cwd(),
    env: process.env,
    platform: process.platform,
    home: homeOf(process.env),
    now: () => new Date(),
    options,
    terminal,
    prompt: terminalPrompt(terminal),
  };
}
