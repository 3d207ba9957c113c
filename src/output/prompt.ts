// Asks only when a person is at the terminal; otherwise fails at once with the flag to pass.
// Commands ask through ctx.prompt (a Prompt), so a test can answer; @inquirer/prompts is loaded only
// when a question is really put to a person.
import { DecError, ExitCode } from '../errors.js';
import type { Terminal } from './terminal.js';

/** The questions a command may ask. Each fails with a DecError naming `flagHint` when dec cannot ask. */
export interface Prompt {
  /** Yes or no; no unless the student says yes. */
  confirm(question: string, flagHint: string): Promise<boolean>;
  /** A line the student types (setup --destroy asks for the stack's name). */
  input(question: string, flagHint: string): Promise<string>;
  /**
   * One of `choices` (dec init asks which course). Unlike the others it never fails: without a person
   * at the terminal it returns undefined, and the command takes its default (and says how to choose).
   */
  select(question: string, choices: readonly Choice[], initial: string): Promise<string | undefined>;
}

export interface Choice {
  value: string;
  name: string;
  description?: string;
}

/** Who answers once dec has decided it may ask: a person through @inquirer/prompts, or a test's script. */
export interface Asker {
  confirm(message: string): Promise<boolean>;
  input(message: string): Promise<string>;
  select(message: string, choices: readonly Choice[], initial: string): Promise<string>;
}

/**
 * The student answered no to a confirmation: nothing was changed, and the exit code (1) tells a script
 * that what it asked for did not happen. `what` says what was not done.
 */
export function notConfirmed(what: string): DecError {
  return new DecError(`Not confirmed: ${what}; nothing was changed.`, { exitCode: ExitCode.problems });
}

/** Ctrl-C at a prompt changes nothing and exits with 130. */
function cancelled(error: unknown): never {
  if (error instanceof Error && error.name === 'ExitPromptError') {
    throw new DecError('Cancelled; nothing was changed.', { exitCode: ExitCode.interrupted });
  }
  throw error;
}

/** A person at the terminal, through @inquirer/prompts on stderr (stdout may be piped). */
const inquirerAsker: Asker = {
  async confirm(message) {
    const { confirm } = await import('@inquirer/prompts');
    return confirm({ message, default: false }, { output: process.stderr }).catch(cancelled);
  },
  async input(message) {
    const { input } = await import('@inquirer/prompts');
    return input({ message }, { output: process.stderr }).catch(cancelled);
  },
  async select(message, choices, initial) {
    const { select } = await import('@inquirer/prompts');
    return select({ message, choices: [...choices], default: initial }, { output: process.stderr }).catch(cancelled);
  },
};

export function terminalPrompt(terminal: Terminal, asker: Asker = inquirerAsker): Prompt {
  const canAsk = () => terminal.interactive && !terminal.json;
  const refuseUnlessInteractive = (question: string, flagHint: string): void => {
    if (canAsk()) return;
    throw new DecError(
      `${question} needs a confirmation, and dec cannot ask here (no terminal, CI is set, or --json).`,
      { hint: `Pass ${flagHint} to confirm.` },
    );
  };
  return {
    async confirm(question, flagHint) {
      refuseUnlessInteractive(question, flagHint);
      return asker.confirm(question);
    },
    async input(question, flagHint) {
      refuseUnlessInteractive(question, flagHint);
      return asker.input(question);
    },
    async select(question, choices, initial) {
      return canAsk() ? asker.select(question, choices, initial) : undefined;
    },
  };
}
