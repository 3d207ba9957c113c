// `dec init` picks the course (issue 16): on a pseudo-terminal it asks (inquirer's select; the arrow key
// and Enter choose), and in a script it asks nothing, takes the 2022 course and says how to choose.
// The terminal is util-linux `script`, which runs the built dec on a pty and forwards our keys to it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEC_BIN, runDec, useSandbox } from '../helpers/run.js';

const SCRIPT = '/usr/bin/script';
const context = useSandbox();
const syllabusOf = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, '.dec', 'workspace.json'), 'utf8')) as { syllabus: string }).syllabus;

/** Runs `dec init <dir>` on a pty; once the question shows, presses the keys. */
function initOnTerminal(dir: string, keys: string[]): Promise<{ code: number | null; output: string }> {
  const { sandbox } = context;
  const command = `'${process.execPath}' '${DEC_BIN}' init '${dir}'`;
  return new Promise((resolve, reject) => {
    const child = spawn(SCRIPT, ['-qfec', command, '/dev/null'], {
      cwd: context.cwd,
      env: { ...sandbox.env, TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    let output = '';
    let pressed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!pressed && output.includes('Which course do you follow?')) {
        pressed = true;
        // One key at a time, as a person types: the prompt redraws between them.
        keys.forEach((key, index) => setTimeout(() => child.stdin.write(key), 300 * (index + 1)));
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('dec init chooses the course', () => {
  it.skipIf(!existsSync(SCRIPT))('on a terminal it asks; down and Enter choose the current course', async () => {
    const dir = join(context.cwd, 'on-terminal');
    const run = await initOnTerminal(dir, ['\u001b[B', '\r']);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('The 2022 cohort (dez-2022)');
    expect(run.output).toContain('The current course (dez-2026)');
    expect(syllabusOf(dir)).toBe('dez-2026');
  });

  it.skipIf(!existsSync(SCRIPT))('on a terminal, Enter alone takes the default, the 2022 course', async () => {
    const dir = join(context.cwd, 'default');
    const run = await initOnTerminal(dir, ['\r']);
    expect(run.code, run.output).toBe(0);
    expect(syllabusOf(dir)).toBe('dez-2022');
  });

  it('in a script it asks nothing, takes the 2022 course and says how to choose', async () => {
    const dir = join(context.cwd, 'scripted');
    const run = await runDec(['init', dir], { cwd: context.cwd, env: context.sandbox.env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('Which course');
    expect(run.stderr).toContain('For the current course: dec init --syllabus dez-2026');
    expect(syllabusOf(dir)).toBe('dez-2022');
  });
});
