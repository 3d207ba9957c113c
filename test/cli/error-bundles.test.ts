// The built bundles share one error module (dist/errors.cjs, scripts/build.mjs): a DecError made in
// dist/commands.cjs is `instanceof` the DecError dist/cli.cjs catches, and nothing is matched by name.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type * as ErrorsModule from '../../src/errors.js';
import { DEC_BIN, REPO_ROOT } from '../helpers/run.js';

const load = createRequire(import.meta.url);
const errors = load(join(REPO_ROOT, 'dist', 'errors.cjs')) as typeof ErrorsModule;
const cli = load(join(REPO_ROOT, 'dist', 'cli.cjs')) as {
  reportError(error: unknown, argv: readonly string[]): number;
};
const commands = load(join(REPO_ROOT, 'dist', 'commands.cjs')) as {
  dataGet(ctx: unknown, name: string, months: string[], options: object): Promise<number>;
};

const argv = ['node', 'dec', '--no-color'];

/** What reportError writes to stderr, and the exit code it returns. */
function report(error: unknown): { code: number; stderr: string } {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: cli.reportError(error, argv), stderr };
  } finally {
    spy.mockRestore();
  }
}

describe('one error module for both bundles', () => {
  const home = mkdtempSync(join(tmpdir(), 'dec-bundles-'));
  afterEach(() => vi.restoreAllMocks());
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('a DecError thrown in the commands bundle is instanceof the DecError the cli bundle catches', async () => {
    const ctx = { cwd: home, env: { HOME: home, DEC_HOME: home }, now: () => new Date(), options: {}, terminal: {} };
    const thrown = await commands.dataGet(ctx, 'no-such-dataset', [], {}).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(errors.DecError);
    const { code, stderr } = report(thrown);
    expect(code).toBe(errors.ExitCode.couldNotRun);
    expect(stderr).toContain('There is no dataset "no-such-dataset"');
    expect(stderr).not.toContain('unexpected error');
  });

  it("the Docker engine's errors are told by class across the bundles", () => {
    const endpoint = { url: 'unix:///nowhere.sock', source: 'a test' };
    const unavailable = report(new errors.DockerUnavailable('not-running', endpoint, 'nothing answers'));
    expect(unavailable.stderr).toContain('The Docker engine stopped answering: nothing answers.');
    const refused = report(new errors.EngineError(500, 'something new'));
    expect(refused.stderr).toContain('The Docker engine refused: something new (HTTP 500).');
  });

  it('an error that only looks like a DecError (same name and fields) is not taken for one', () => {
    const lookalike = Object.assign(new Error('made elsewhere'), { name: 'DecError', exitCode: 1, details: [] });
    const { code, stderr } = report(lookalike);
    expect(code).toBe(errors.ExitCode.couldNotRun);
    expect(stderr).toContain('dec hit an unexpected error: made elsewhere');
    const engineLookalike = Object.assign(new Error('made elsewhere'), { name: 'EngineError', statusCode: 500 });
    expect(report(engineLookalike).stderr).toContain('dec hit an unexpected error');
  });
});

describe('bin/dec.cjs', () => {
  it('says in two lines that its own files are missing, exit 2, when dist/ is gone', () => {
    const install = mkdtempSync(join(tmpdir(), 'dec-no-dist-'));
    try {
      mkdirSync(join(install, 'bin'));
      copyFileSync(DEC_BIN, join(install, 'bin', 'dec.cjs'));
      const run = spawnSync(process.execPath, [join(install, 'bin', 'dec.cjs'), '--help'], {
        env: { PATH: process.env.PATH, HOME: install },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual([
        expect.stringContaining('✗ dec could not start: ENOENT'),
        '  → Its files (dist/) are missing or broken: reinstall dec, or run `npm run build` in a checkout.',
      ]);
    } finally {
      rmSync(install, { recursive: true, force: true });
    }
  });
});
