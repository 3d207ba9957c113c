// A workspace whose .dec folder the user may not write: the built dec refuses with exit 2, naming the
// folder, and writes nothing. Root writes whatever a folder's mode says, so under root (CI, the dev
// container) dec runs as nobody; otherwise as the current user (runUnprivileged). Either way it runs.
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runUnprivileged } from '../helpers/docker.js';
import { DEC_BIN } from '../helpers/run.js';

it('a workspace whose .dec folder is read-only: exit 2 naming the folder, nothing written', async () => {
  const root = await mkdtemp(join(tmpdir(), 'dec-cli-progress-read-only-'));
  try {
    const dec = (args: string[], cwd?: string) => runUnprivileged(process.execPath, [DEC_BIN, ...args], { root, cwd });
    const init = await dec(['init', 'ws', '--start', '2026-01-12']);
    expect(init.code, init.stderr).toBe(0);
    const ws = join(init.home, 'ws');
    const progress = join(ws, '.dec', 'progress.json');
    // Writable, the same user can mark a week done: the failure below is the folder's mode, nothing else.
    const done = await dec(['progress', 'done', '1'], ws);
    expect(done.code, done.stderr).toBe(0);
    const before = await readFile(progress, 'utf8');

    await chmod(join(ws, '.dec'), 0o555);
    const refused = await dec(['progress', 'done', '2'], ws);
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    expect(refused.stderr).toContain(progress);
    expect(refused.stderr).toMatch(/EACCES|permission denied/i);
    expect(refused.stderr).toContain("Check the folder's permissions");
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(refused.stderr).not.toContain('unexpected error');
    expect(await readFile(progress, 'utf8')).toBe(before);
    expect((await readdir(join(ws, '.dec'))).sort()).toEqual(['progress.json', 'workspace.json']);
  } finally {
    await chmod(join(root, 'home', 'ws', '.dec'), 0o755).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  }
}, 60_000);
