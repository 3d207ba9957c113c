// Runs the built dec binary the way a student's shell would, in a throw-away HOME.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect } from 'vitest';
import { TEST_PROJECT_PREFIX } from './project.js';

export const DEC_BIN = fileURLToPath(new URL('../../bin/dec.cjs', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  /**
   * DEC_PROJECT for every dec this sandbox runs: the namespace of the Docker containers, volumes and
   * networks it makes (`<project>-week1-pgdatabase`), so the suite never touches a student's own `dec`.
   */
  project: string;
  root: string;
  home: string;
  decHome: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

let sandboxes = 0;

/** A temp HOME and DEC_HOME, its own DEC_PROJECT, and a minimal environment that cannot see the developer's own. */
export function makeSandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'dec-e2e-'));
  const home = join(root, 'home');
  const decHome = join(root, 'dec-home');
  const project = `${TEST_PROJECT_PREFIX}${process.pid}-${++sandboxes}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    DEC_HOME: decHome,
    DEC_PROJECT: project,
    LANG: 'C.UTF-8',
  };
  return { project, root, home, decHome, env, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function runDec(
  args: string[],
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    timeoutMs?: number;
    /** Called with everything dec has written to stderr so far, as it arrives. */
    onStderr?: (stderr: string) => void;
  },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEC_BIN, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 20_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A fresh sandbox and working folder for each test of the calling file, removed afterwards. */
export function useSandbox(): { readonly sandbox: Sandbox; readonly cwd: string } {
  let current: { sandbox: Sandbox; cwd: string } | undefined;
  beforeEach(() => {
    const sandbox = makeSandbox();
    const cwd = join(sandbox.root, 'work');
    mkdirSync(cwd, { recursive: true });
    current = { sandbox, cwd };
  });
  afterEach(() => current?.sandbox.cleanup());
  return {
    get sandbox() {
      return current!.sandbox;
    },
    get cwd() {
      return current!.cwd;
    },
  };
}

/** Writes a one-week syllabus whose yellow dataset comes from `mirror` (a base URL); returns its path. */
export function writeDatasetSyllabus(path: string, mirror: string): string {
  writeFileSync(
    path,
    [
      'schemaVersion: 1',
      'id: data-test',
      'title: Data test course',
      'datasets:',
      '  yellow:',
      '    title: Yellow taxi trip records',
      `    mirror: ${mirror}/yellow_tripdata_{month}.csv.gz`,
      'weeks:',
      '  - number: 1',
      '    id: week-1',
      '    title: First week',
      '    topics:',
      '      - title: Load the data',
      '',
    ].join('\n'),
  );
  return path;
}

/** What a student caused is told plainly: never dec's "unexpected error", never a stack trace. */
export function noUnexpectedError(run: RunResult): void {
  expect(run.stderr).not.toContain('unexpected error');
  expect(run.stderr).not.toContain('    at ');
}
