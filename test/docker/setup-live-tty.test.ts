// dec setup's live progress on a real pseudo-terminal (util-linux `script`, 60 columns) when the work
// fails: what was happening stays as a "✗ ... (after N s)" line of its own, and the error follows on
// its own row, never on the spinner's. Every Docker resource here is this file's own sandbox project's.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage, freePort, removeDecProject, requireDocker } from '../helpers/docker.js';
import { imageWithCommand, PGADMIN_TEST_IMAGE } from '../helpers/images.js';
import { DEC_BIN, makeSandbox, type Sandbox } from '../helpers/run.js';

const NEVER_READY = 'dec-test/never-ready:2';
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/u;
const COLUMNS = 60;
let sandbox: Sandbox;

beforeAll(async () => {
  await requireDocker();
  await ensureBusyboxImage();
  await imageWithCommand(NEVER_READY, PGADMIN_TEST_IMAGE, ['sleep', '100000']);
  sandbox = makeSandbox();
  mkdirSync(sandbox.home, { recursive: true });
}, 240_000);

afterAll(async () => {
  await removeDecProject(sandbox.project);
  rmSync(sandbox.root, { recursive: true, force: true });
}, 60_000);

/** Runs dec on a pseudo-terminal; what the terminal received, and the exit code. */
function onTerminal(args: string[]): Promise<{ code: number | null; screen: string }> {
  const dec = [process.execPath, DEC_BIN, ...args].map((part) => `'${part}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', `stty cols ${COLUMNS} rows 24; exec ${dec}`, '/dev/null'], {
      cwd: sandbox.home,
      env: { ...sandbox.env, TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
  });
}

/** What stays on each row: the text after the last return to column 1, codes removed. */
function finalRows(screen: string): string[] {
  return screen.split(/\r?\n/u).map((line) =>
    stripVTControlCharacters(
      // eslint-disable-next-line no-control-regex
      line.split(/\r|\u001b\[1G/u).at(-1)!,
    ).trim(),
  );
}

describe('dec setup on a terminal', () => {
  it('a health wait that runs out leaves "✗ waiting for ... (after N s)", then the error on a row of its own', async () => {
    const port = await freePort();
    const { code, screen } = await onTerminal([
      'setup',
      'week1',
      '--only',
      'pgdatabase',
      '--image',
      `pgdatabase=${NEVER_READY}`,
      '--port',
      `pgdatabase=${port}`,
      '--timeout',
      '3',
    ]);
    expect(code, screen).not.toBe(0);
    // The spinner was shown, with the limit.
    expect(stripVTControlCharacters(screen)).toMatch(/waiting for pgdatabase.* of 3 s/u);
    // Never an impossible "8 s of 3 s" while the last look, the log tail and the clean-up run.
    for (const [shown, elapsed, limit] of stripVTControlCharacters(screen).matchAll(/(\d+) s of (\d+) s/gu))
      expect(Number(elapsed), shown).toBeLessThanOrEqual(Number(limit));
    const rows = finalRows(screen);
    const failed = rows.findIndex((row) => row.startsWith('✗ waiting for pgdatabase'));
    expect(failed, screen).toBeGreaterThanOrEqual(0);
    expect(rows[failed], screen).toMatch(/\(after \d+ s\)$/u);
    expect(rows[failed]!.length).toBeLessThan(COLUMNS);
    // The error follows on its own row, with no spinner frame on it; the cursor is shown again.
    const error = rows.slice(failed + 1).find((row) => row.startsWith('✗'));
    expect(error, screen).toBeDefined();
    expect(error).not.toMatch(SPINNER);
    expect(error).not.toContain('waiting for');
    expect(screen).toContain('\u001b[?25h');
  }, 180_000);
});
