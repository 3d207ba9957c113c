// A CommandContext on a temp dir, for running command handlers in-process the way changesets tests
// its handlers: HOME and DEC_HOME inside the dir, a Terminal writing into buffers, and a prompt whose
// answers the test scripts (the real refusal rules apply: no person at the terminal, no question).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext, GlobalOptions } from '../../src/command-context.js';
import { terminalPrompt, type Asker } from '../../src/output/prompt.js';
import { Terminal, type OutputStream } from '../../src/output/terminal.js';

type Answer = boolean | string;

export interface TestContextOptions {
  /** Whether a person is at the terminal (stdin a TTY, CI unset); default false, as in a script. */
  interactive?: boolean;
  /** What the person answers, in order; a question beyond these fails the test. */
  answers?: Answer[];
  options?: GlobalOptions;
  /** Added to the temp env (HOME, DEC_HOME, NO_COLOR). */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  now?: Date;
}

export interface TestContext extends CommandContext {
  /** The temp dir: home/ is HOME, dec-home/ is DEC_HOME, work/ is the cwd. */
  dir: string;
  stdout(): string;
  stderr(): string;
  /** Every question put to the person, in order. */
  asked: string[];
}

function collector(): OutputStream & { text: string } {
  return {
    text: '',
    isTTY: false,
    write(chunk: string) {
      this.text += chunk;
    },
  };
}

/** Answers from the script, in order; a question the test did not expect is a failure, not a hang. */
function scriptedAsker(answers: Answer[], asked: string[]): Asker {
  const next = <T extends Answer>(message: string, kind: 'boolean' | 'string'): T => {
    asked.push(message);
    const answer = answers.shift();
    if (typeof answer !== kind) throw new Error(`unexpected question (no ${kind} answer scripted): ${message}`);
    return answer as T;
  };
  return {
    confirm: async (message) => next<boolean>(message, 'boolean'),
    input: async (message) => next<string>(message, 'string'),
    // The scripted answer is the chosen value.
    select: async (message) => next<string>(message, 'string'),
  };
}

/** Temp dirs for one test file; call cleanup() in afterEach. */
export function commandContexts(): { make(options?: TestContextOptions): TestContext; cleanup(): void } {
  const made: string[] = [];
  return {
    make(options = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'dec-in-process-'));
      made.push(dir);
      for (const folder of ['home', 'dec-home', 'work']) mkdirSync(join(dir, folder));
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: join(dir, 'home'),
        DEC_HOME: join(dir, 'dec-home'),
        NO_COLOR: '1',
        ...options.env,
      };
      const stdout = collector();
      const stderr = collector();
      const json = options.options?.json === true;
      const terminal = new Terminal({ env, stdout, stderr, stdinIsTTY: options.interactive === true, json });
      const asked: string[] = [];
      const now = options.now ?? new Date('2022-02-01T10:00:00Z');
      return {
        dir,
        cwd: join(dir, 'work'),
        env,
        platform: options.platform ?? 'linux',
        home: env.HOME!,
        terminal,
        prompt: terminalPrompt(terminal, scriptedAsker([...(options.answers ?? [])], asked)),
        now: () => now,
        options: options.options ?? {},
        stdout: () => stdout.text,
        stderr: () => stderr.text,
        asked,
      };
    },
    cleanup() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
