// One dec setup per stack at a time: the second is told who holds the stack (its pid).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockStack } from '../../src/setup/lock.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  const folder = mkdtempSync(join(tmpdir(), 'dec-lock-'));
  folders.push(folder);
  return { DEC_HOME: folder };
}

describe('lockStack', () => {
  it('a second setup of the same stack waits, then says another is running, with its pid', async () => {
    const home = env();
    const release = await lockStack(home, 'dec', 'week1', { waitMs: 0, onWait: () => undefined });
    const waited: Array<number | undefined> = [];
    await expect(lockStack(home, 'dec', 'week1', { waitMs: 0, onWait: (pid) => waited.push(pid) })).rejects.toThrow(
      `Another dec setup of the week1 stack is still running (pid ${process.pid})`,
    );
    expect(waited).toEqual([process.pid]);
    await release();
    const again = await lockStack(home, 'dec', 'week1', { waitMs: 0, onWait: () => undefined });
    await again();
  });

  it('other stacks and other projects are not held up', async () => {
    const home = env();
    const release = await lockStack(home, 'dec', 'week1', { waitMs: 0, onWait: () => undefined });
    const other = await lockStack(home, 'dec', 'week6', { waitMs: 0, onWait: () => undefined });
    const project = await lockStack(home, 'dectest-1', 'week1', { waitMs: 0, onWait: () => undefined });
    await Promise.all([release(), other(), project()]);
  });
});
