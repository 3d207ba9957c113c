// The confirmation prompt on a real pseudo-terminal (util-linux `script` provides one): yes resets,
// no and Ctrl-C change nothing.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEC_BIN, runDec, useSandbox } from '../helpers/run.js';

const box = useSandbox();

/** Runs dec under a pseudo-terminal and types `keys` once the question is on screen. */
function runOnTerminal(args: string[], keys: string): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, DEC_BIN, ...args].map((part) => `'${part}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      cwd: box.cwd,
      env: { ...box.sandbox.env, TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    let screen = '';
    let typed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
      if (!typed && screen.includes('(y/N)')) {
        typed = true;
        child.stdin.write(keys);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
  });
}

async function doneCount(): Promise<number> {
  const result = await runDec(['progress', '--json'], { cwd: box.cwd, env: box.sandbox.env });
  return (JSON.parse(result.stdout) as { overall: { done: number } }).overall.done;
}

describe('dec progress undo <week> on a terminal', () => {
  it('asks like reset: no keeps the week and exits 1, yes undoes it', async () => {
    await runDec(['progress', 'done', '1'], { cwd: box.cwd, env: box.sandbox.env });
    const no = await runOnTerminal(['progress', 'undo', '1'], 'n\r');
    expect(no.code).toBe(1);
    expect(no.screen).toContain('Mark the 9 done topics of week 1 not done?');
    expect(no.screen).toContain(
      'Not confirmed: the progress of week 1 (Introduction & Prerequisites) stays as it was; nothing was changed.',
    );
    expect(await doneCount()).toBe(8);
    const yes = await runOnTerminal(['progress', 'undo', '1'], 'y\r');
    expect(yes.code).toBe(0);
    expect(await doneCount()).toBe(0);
  });
});

describe('dec progress reset on a terminal', () => {
  it('asks, and resets on yes', async () => {
    await runDec(['progress', 'done', '1'], { cwd: box.cwd, env: box.sandbox.env });
    const result = await runOnTerminal(['progress', 'reset', '1'], 'y\r');
    expect(result.code).toBe(0);
    expect(result.screen).toContain('Reset the progress of week 1');
    expect(await doneCount()).toBe(0);
  });

  it('changes nothing on no, and exits 1 saying so', async () => {
    await runDec(['progress', 'done', '1'], { cwd: box.cwd, env: box.sandbox.env });
    const result = await runOnTerminal(['progress', 'reset'], 'n\r');
    expect(result.code).toBe(1);
    expect(result.screen).toContain('nothing was changed.');
    expect(await doneCount()).toBe(8); // week 1: 9 topics, one of them extra
  });

  it('Ctrl-C cancels with exit 130 and changes nothing', async () => {
    await runDec(['progress', 'done', '1'], { cwd: box.cwd, env: box.sandbox.env });
    const result = await runOnTerminal(['progress', 'reset'], '\u0003');
    expect(result.code).toBe(130);
    expect(result.screen).toContain('Cancelled; nothing was changed.');
    expect(await doneCount()).toBe(8); // week 1: 9 topics, one of them extra
  });
});
