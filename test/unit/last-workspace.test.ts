// The workspace last used: remembered only on change, never failing a command, forgotten when it is gone.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lastWorkspace, outsideWorkspaceNote, rememberWorkspace } from '../../src/workspace/last-used.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function temp(): { env: NodeJS.ProcessEnv; ws: string; root: string } {
  const root = mkdtempSync(join(tmpdir(), 'dec-last-ws-'));
  roots.push(root);
  const ws = join(root, 'ws');
  mkdirSync(join(ws, '.dec'), { recursive: true });
  writeFileSync(join(ws, '.dec', 'workspace.json'), '{}');
  return { env: { DEC_HOME: join(root, 'state') }, ws, root };
}

describe('last workspace', () => {
  it('is remembered, and forgotten once its marker is gone', () => {
    const { env, ws } = temp();
    expect(lastWorkspace(env)).toBeUndefined();
    rememberWorkspace(env, ws);
    expect(lastWorkspace(env)).toBe(ws);
    rmSync(join(ws, '.dec'), { recursive: true });
    expect(lastWorkspace(env)).toBeUndefined();
  });

  it('never fails a command when the state folder cannot be written', () => {
    const { env, ws, root } = temp();
    const file = join(root, 'not-a-folder');
    writeFileSync(file, 'x');
    expect(() => rememberWorkspace({ DEC_HOME: file }, ws)).not.toThrow();
    mkdirSync(env.DEC_HOME!);
    chmodSync(env.DEC_HOME!, 0o500);
    try {
      expect(() => rememberWorkspace(env, ws)).not.toThrow();
    } finally {
      chmodSync(env.DEC_HOME!, 0o700);
    }
  });

  it('writes only a change', () => {
    const { env, ws } = temp();
    rememberWorkspace(env, ws);
    const file = join(env.DEC_HOME!, 'last-workspace.json');
    writeFileSync(file, `${JSON.stringify({ root: ws })}\n`, { mode: 0o400 });
    chmodSync(file, 0o400);
    rememberWorkspace(env, ws); // same root: not rewritten (a write would replace the file's mode)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ root: ws });
    expect(statSync(file).mode & 0o777).toBe(0o400);
  });
});

describe('outsideWorkspaceNote', () => {
  it('names the progress file, and dec init when no workspace was used', () => {
    const { env } = temp();
    expect(outsideWorkspaceNote(env, { progressFile: '/s/progress.json' })).toBe(
      'Not in a dec workspace: using your own progress file, /s/progress.json. To keep it with your course repo: dec init <folder>.',
    );
  });

  it('names the last workspace, and calls a homework folder it already has another copy', () => {
    const { env, ws } = temp();
    rememberWorkspace(env, ws);
    mkdirSync(join(ws, 'homework', 'week1'), { recursive: true });
    const note = outsideWorkspaceNote(env, {
      progressFile: '/s/progress.json',
      homework: { here: '/here/homework/week1', relative: 'homework/week1' },
    });
    expect(note).toBe(
      `Not in a dec workspace: using homework in /here/homework/week1, progress in /s/progress.json. Your workspace (last used): ${ws}. It has its own homework/week1: this is another copy. Run dec there: cd ${ws}`,
    );
  });
});
