// Asks only when a person is at the terminal; otherwise fails at once with the flag to pass.
import { DecError, ExitCode } from '../errors.js';
import type { Terminal } from './terminal.js';

export async function confirm(terminal: Terminal, question: string, flagHint: string): Promise<boolean> {
  if (!terminal.interactive || terminal.json) {
    throw new DecError(
      `${question} needs a confirmation, and dec cannot ask here (no terminal, CI is set, or --json).`,
      {
        hint: `Pass ${flagHint} to confirm.`,
      },
    );
  }
  const { confirm: ask } = await import('@inquirer/prompts');
  try {
    return await ask({ message: question, default: false }, { output: process.stderr });
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') {
      throw new DecError('Cancelled; nothing was changed.', { exitCode: ExitCode.interrupted });
    }
    throw error;
  }
}
