// One `dec setup` per stack at a time: two at once each created the network (two named pg-network, after
// which every setup failed with "network is ambiguous") and raced over the same containers. The lock is
// a folder in dec's state folder per project and stack (proper-lockfile: atomic mkdir, kept fresh while
// held, taken over when its holder died); the holder's pid sits next to it so the other run can name it.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DecError } from '../errors.js';
import { stateDir } from '../paths.js';

export interface StackLockOptions {
  /** How long to wait for the other run. */
  waitMs: number;
  /** Called once when another run holds the lock, with its pid when known. */
  onWait(pid: number | undefined): void;
}

function stackLockPath(env: NodeJS.ProcessEnv, project: string, stack: string): string {
  return join(stateDir(env), 'locks', `${project}-${stack}`);
}

function holderPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the stack's lock, waiting up to `waitMs` for another run; returns the release (safe to call twice). */
export async function lockStack(
  env: NodeJS.ProcessEnv,
  project: string,
  stack: string,
  options: StackLockOptions,
): Promise<() => Promise<void>> {
  const { default: lockfile } = await import('proper-lockfile');
  const base = stackLockPath(env, project, stack);
  const pidFile = `${base}.pid`;
  try {
    mkdirSync(join(stateDir(env), 'locks'), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new DecError(`Cannot create dec's lock folder in ${stateDir(env)}: ${(error as Error).message}`, {
      hint: 'Check the permissions of the dec state folder, or point DEC_HOME at a folder you own.',
    });
  }
  const lockOptions = {
    realpath: false,
    lockfilePath: `${base}.lock`,
    // Refreshed every 5 s while held; a holder that died leaves it stale after 15 s.
    stale: 15_000,
    update: 5_000,
    // Losing the lock mid-run (a suspended laptop) is not worth crashing a setup over.
    onCompromised: () => undefined,
  };
  const deadline = Date.now() + options.waitMs;
  let told = false;
  for (;;) {
    try {
      const release = await lockfile.lock(base, lockOptions);
      writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        rmSync(pidFile, { force: true });
        await release().catch(() => undefined);
      };
    } catch (error) {
      if ((error as { code?: string }).code !== 'ELOCKED') {
        throw new DecError(`Cannot take the lock of the ${stack} stack (${base}.lock): ${(error as Error).message}`, {
          hint: 'Check the permissions of the dec state folder, or point DEC_HOME at a folder you own.',
        });
      }
      const pid = holderPid(pidFile);
      if (!told) options.onWait(pid);
      told = true;
      if (Date.now() >= deadline) {
        throw new DecError(
          `Another dec setup of the ${stack} stack is still running${pid ? ` (pid ${pid})` : ''}; waited ${Math.round(options.waitMs / 1000)} s.`,
          {
            hint: `Let it finish, then run this again${pid ? `, or stop it: kill ${pid}` : ''}.`,
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
