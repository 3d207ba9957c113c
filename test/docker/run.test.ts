// `dec run <week> <command...>` (issue 13) against the real engine, with test/fixtures/syllabi/run-stack.yaml
// on the busybox test image: the command's exit code and its stdout/stderr come back as they happen, the
// arguments arrive verbatim (dec's own option names included), the week's homework folder is the working
// folder (the matching subfolder when dec runs in one), and Ctrl-C (SIGINT to dec) stops the command and
// exits 130. Every one-off container is gone afterwards. One sandbox (its own dectest-* project) for
// the file; only its resources are removed.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, ensureBusyboxImage, removeDecProject, requireDocker } from '../helpers/docker.js';
import { DEC_BIN, makeSandbox, noUnexpectedError, runDec, type RunResult, type Sandbox } from '../helpers/run.js';

const SYLLABUS = fileURLToPath(new URL('../fixtures/syllabi/run-stack.yaml', import.meta.url));
const box: Sandbox = makeSandbox();
const workspace = join(box.home, 'course');
const homework = join(workspace, 'homework', 'week-1');
const env: NodeJS.ProcessEnv = { ...box.env, DEC_SYLLABUS: SYLLABUS, NO_COLOR: '1' };

const dec = (args: string[], cwd = workspace): Promise<RunResult> => runDec(args, { cwd, env, timeoutMs: 60_000 });

/** The one-off containers of this sandbox's project (none must be left). */
async function runContainers(): Promise<string[]> {
  const names = await docker([
    'ps',
    '-a',
    '--filter',
    `label=dec.project=${box.project}`,
    '--filter',
    'label=dec.run',
    '--format',
    '{{.Names}}',
  ]);
  return names.split('\n').filter(Boolean);
}

/** `dec run 1 <command>` as a shell runs it; SIGINT is sent once `ready` is on its stdout. */
function interrupted(command: string[], ready: string) {
  const child = spawn(process.execPath, [DEC_BIN, 'run', '1', ...command], {
    cwd: workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!sent && stdout.includes(ready)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise<RunResult & { sent: boolean }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, sent });
    }),
  );
}

/** `dec run 1 <command>` on a pseudo-terminal (util-linux `script`); `keys` are typed once `ready` is on screen. */
function onTerminal(command: string[], ready: string, keys: string): Promise<{ code: number | null; screen: string }> {
  const line = [process.execPath, DEC_BIN, 'run', '1', ...command]
    .map((part) => `'${part.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', line, '/dev/null'], {
      cwd: workspace,
      env: { ...env, TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let screen = '';
    let typed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
      if (!typed && screen.includes(ready)) {
        typed = true;
        child.stdin.write(keys);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
  });
}

beforeAll(async () => {
  await requireDocker();
  await ensureBusyboxImage();
  mkdirSync(workspace, { recursive: true });
}, 120_000);

afterAll(async () => {
  await removeDecProject(box.project);
  box.cleanup();
}, 120_000);

describe('dec run (real engine)', { timeout: 120_000 }, () => {
  it('before the stack is set up: says to run dec setup, exit 2', async () => {
    const run = await dec(['run', '1', 'sh', '-c', 'echo never']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('The week1 stack is not set up');
    expect(run.stderr).toContain('dec setup week1');
    expect(run.stdout).toBe('');
    noUnexpectedError(run);
  });

  it('passes the exit code through and streams stdout and stderr apart; the env of the tool service is there', async () => {
    const up = await dec(['setup', '1']);
    expect(up.code, up.stderr).toBe(0);
    const run = await dec(['run', '1', 'sh', '-c', 'echo to-out; echo to-err >&2; echo "$TOOL_GREETING"; exit 7']);
    expect(run.code).toBe(7);
    expect(run.stdout).toBe('to-out\nhello-from-the-stack\n');
    expect(run.stderr).toBe('to-err\n');
    expect(await runContainers()).toEqual([]);
  });

  it('passes the arguments after the week verbatim, dec’s own option names and -- included', async () => {
    const run = await dec([
      'run',
      'week1',
      'sh',
      '-c',
      'for a in "$@"; do echo "[$a]"; done',
      'x',
      '--debug',
      '--json',
      'is_test_run: false',
      '--',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('[--debug]\n[--json]\n[is_test_run: false]\n[--]\n');
    const separated = await dec(['run', '1', '--', 'sh', '-c', 'echo after-dashes']);
    expect(separated.stdout).toBe('after-dashes\n');
  });

  it('streams output while the command runs (not at its end)', async () => {
    const child = spawn(process.execPath, [DEC_BIN, 'run', '1', 'sh', '-c', 'echo first; sleep 30; echo second'], {
      cwd: workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let closed = false;
    const done = new Promise<number | null>((resolve) =>
      child.on('close', (code) => {
        closed = true;
        resolve(code);
      }),
    );
    const first = await new Promise<boolean>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('first')) resolve(closed);
      });
    });
    // "first" arrived while the command was still running (it sleeps 30 s before "second").
    expect(first).toBe(false);
    child.kill('SIGINT');
    expect(await done).toBe(130);
  });

  it('runs in the week’s homework folder, mounted: files go both ways; in a subfolder, in the matching one', async () => {
    writeFileSync(join(homework, 'from-host.txt'), 'written on the host\n');
    const run = await dec([
      'run',
      '1',
      'sh',
      '-c',
      'pwd; cat from-host.txt; echo from the container > made-inside.txt',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('/work\nwritten on the host\n');
    expect(readFileSync(join(homework, 'made-inside.txt'), 'utf8')).toBe('from the container\n');
    const models = join(homework, 'models', 'staging');
    mkdirSync(models, { recursive: true });
    const inner = await dec(['run', '1', 'sh', '-c', 'pwd'], models);
    expect(inner.stdout).toBe('/work/models/staging\n');
  });

  it('Ctrl-C: the command gets SIGINT (its trap runs), dec exits 130, the container is gone', async () => {
    const run = await interrupted(
      ['sh', '-c', 'trap "echo got-sigint; exit 5" INT; echo started; while :; do sleep 1; done'],
      'started',
    );
    expect(run.sent).toBe(true);
    expect(run.code).toBe(130);
    expect(run.stdout).toContain('got-sigint');
    expect(await runContainers()).toEqual([]);
  });

  it('a TTY only when stdin is one: at a terminal the command has one, and Ctrl-C typed there reaches it (exit 130)', async () => {
    const piped = await dec(['run', '1', 'sh', '-c', 'if test -t 1; then echo tty; else echo no-tty; fi']);
    expect(piped.stdout).toBe('no-tty\n');
    const typed = await onTerminal(
      [
        'sh',
        '-c',
        'test -t 0 && test -t 1 && echo has-a-tty; trap "echo got-int; exit 9" INT; echo ready; while :; do sleep 1; done',
      ],
      'ready',
      '\u0003',
    );
    expect(typed.screen).toContain('has-a-tty');
    expect(typed.screen).toContain('got-int');
    expect(typed.code).toBe(130);
    expect(await runContainers()).toEqual([]);
  });

  it('Ctrl-C stops a command that does not handle SIGINT too (it is not PID 1)', async () => {
    const run = await interrupted(['sh', '-c', 'echo started; exec sleep 300'], 'started');
    expect(run.code).toBe(130);
    expect(await runContainers()).toEqual([]);
    noUnexpectedError(run);
  });
});
