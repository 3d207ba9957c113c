// The entry point: runs the program and is the one place that turns errors into messages and exit codes.
import { CommanderError } from 'commander';
import { buildProgram } from './cli.js';
import { DecError, DockerUnavailable, EngineError, ExitCode } from './errors.js';
import { describeSystemError } from './system-errors.js';
import { colorEnabled, makeStyles } from './output/terminal.js';

function wantsDebug(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return argv.includes('--debug') || (env.DEC_DEBUG !== undefined && env.DEC_DEBUG !== '' && env.DEC_DEBUG !== '0');
}

function red(text: string, argv: readonly string[]): string {
  const color = colorEnabled({ env: process.env, stdout: process.stderr, color: !argv.includes('--no-color') });
  return makeStyles(color).red(text);
}

/** Prints an error the way a student can act on it and returns the exit code. */
export function reportError(error: unknown, argv: readonly string[]): number {
  const debug = wantsDebug(argv, process.env);
  const write = (text: string) => process.stderr.write(`${text}\n`);
  if (error instanceof CommanderError) {
    // Commander has already printed its message (unknown command, missing argument, --help, --version).
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.couldNotRun;
  }
  if (error instanceof DecError) {
    write(red(`✗ ${error.message}`, argv));
    for (const line of error.details) write(line);
    if (error.hint) write(`  → ${error.hint}`);
    if (debug && error.stack) write(`\n${error.stack}`);
    return error.exitCode;
  }
  // The engine failing mid-command (after dec reached it) is the machine, not a bug in dec.
  if (error instanceof DockerUnavailable) {
    write(red(`✗ The Docker engine stopped answering: ${error.message}.`, argv));
    write(
      '  → Start it again (`dec doctor --only docker` says how), then run the same command: dec picks up from what exists.',
    );
    if (debug && error.stack) write(`\n${error.stack}`);
    return ExitCode.couldNotRun;
  }
  // The engine refused something dec did not foresee (the common refusals are told in engine-errors.ts).
  if (error instanceof EngineError) {
    const status = error.statusCode;
    write(red(`✗ The Docker engine refused: ${error.message}${status ? ` (HTTP ${status})` : ''}.`, argv));
    write(
      '  → If you changed something by hand (docker rm, prune, pause), undo it or run `dec setup <week> --down`, then run again; if not, run with --debug and report it.',
    );
    if (debug && error.stack) write(`\n${error.stack}`);
    return ExitCode.couldNotRun;
  }
  // A file or the machine refused (permissions, a full disk, a read-only folder): not a bug in dec.
  const system = describeSystemError(error);
  if (system) {
    write(red(`✗ ${system.message}`, argv));
    write(`  → ${system.hint}`);
    if (debug && error instanceof Error && error.stack) write(`\n${error.stack}`);
    return ExitCode.couldNotRun;
  }
  write(red(`✗ dec hit an unexpected error: ${error instanceof Error ? error.message : String(error)}`, argv));
  if (debug && error instanceof Error && error.stack) write(error.stack);
  else write('  → Run again with --debug for details, and please report it with that output.');
  return ExitCode.couldNotRun;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  // -V, commander's usual version flag, as well as -v (the one dec lists).
  if (argv.length === 3 && argv[2] === '-V') argv = [...argv.slice(0, 2), '--version'];
  const program = buildProgram(argv);
  try {
    // `dec` alone is a request for orientation, not a usage error.
    if (argv.length <= 2) {
      program.outputHelp();
      return ExitCode.ok;
    }
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    return reportError(error, argv);
  }
}
