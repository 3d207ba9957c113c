// Live progress on a real pseudo-terminal (util-linux `script` provides one, 40 columns wide): the
// spinner of `dec data get` never draws a row wider than the terminal, a failure leaves a ✗ line and
// the error on rows of their own, and NO_COLOR keeps the plain lines of a log.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendSlowly } from '../helpers/http.js';
import { DEC_BIN, useSandbox, writeDatasetSyllabus } from '../helpers/run.js';

const box = useSandbox();
const BODY = randomBytes(300_000);
let server: Server;
let mirror = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (!req.url?.includes('2021-01')) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': BODY.length });
    // About 1.5 s: long enough for the spinner to draw a few frames.
    sendSlowly(res, BODY, 10, 150);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/u;

/** Runs dec on a 40-column pseudo-terminal; what the terminal received, and the exit code. */
function onTerminal(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; screen: string }> {
  const dec = [process.execPath, DEC_BIN, ...args].map((part) => `'${part}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', `stty cols 40 rows 24; exec ${dec}`, '/dev/null'], {
      cwd: box.cwd,
      env: { ...box.sandbox.env, TERM: 'xterm', HTTP_PROXY: '', http_proxy: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
  });
}

/** The rows the terminal drew: split at line ends and at every return to column 1, codes removed. */
function rows(screen: string): string[] {
  // eslint-disable-next-line no-control-regex
  return screen.split(/\r?\n|\r|\u001b\[1G/u).map((row) => stripVTControlCharacters(row));
}

function get(month: string, env?: NodeJS.ProcessEnv) {
  const syllabus = writeDatasetSyllabus(join(box.sandbox.root, 'syllabus.yaml'), mirror);
  return onTerminal(['data', 'get', 'yellow', month, '--syllabus', syllabus, '--timeout', '5'], env);
}

describe('live progress on a terminal', () => {
  it('shows a spinner with the download, within 40 columns, and shows the cursor again', async () => {
    const { code, screen } = await get('2021-01');
    expect(code, screen).toBe(0);
    const spinnerRows = rows(screen).filter((row) => SPINNER.test(row));
    expect(spinnerRows.some((row) => row.includes('yellow_tripdata_2021-01'))).toBe(true);
    for (const row of spinnerRows) expect(row.length, row).toBeLessThan(40);
    expect(screen).toContain('\u001b[?25h');
    expect(stripVTControlCharacters(screen)).toContain('✓');
  }, 40_000);

  it('on failure leaves a ✗ line, then the error on a row of its own', async () => {
    const { code, screen } = await get('2021-02');
    expect(code, screen).not.toBe(0);
    // What stays on each row: the text after the last return to column 1.
    const lines = screen.split(/\r?\n/u).map((line) => rows(line).at(-1)!.trim());
    const failed = lines.findIndex((line) => line.startsWith('✗ yellow_tripdata_2021-02'));
    expect(failed, screen).toBeGreaterThanOrEqual(0);
    expect(lines[failed]!.length).toBeLessThan(40);
    // The error follows on its own row, with no spinner frame on it.
    const error = lines.slice(failed + 1).find((line) => line.startsWith('✗'));
    expect(error, screen).toBeDefined();
    expect(error).not.toMatch(SPINNER);
  }, 40_000);

  it('with NO_COLOR keeps the plain lines: no spinner, no cursor codes', async () => {
    const { code, screen } = await get('2021-01', { NO_COLOR: '1' });
    expect(code, screen).toBe(0);
    expect(screen).not.toMatch(SPINNER);
    expect(screen).not.toContain('\u001b[?25l');
    expect(screen).toContain('… yellow_tripdata_2021-01.csv.gz: 0.3 of 0.3 MB');
  }, 40_000);
});
