// The start-up guard: `dec --help` and `dec weeks list` (the built binary, for either built-in course) may load only the modules
// below. A heavy import on the start path (dockerode, pg, yaml, zod, @inquirer/prompts, execa, the
// commands bundle) fails here, every time, instead of showing up as noise in bench/startup.mjs.
// test/helpers/module-recorder.cjs, preloaded with --require, records what Node's loader loads.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEC_BIN, REPO_ROOT } from '../helpers/run.js';

const RECORDER = fileURLToPath(new URL('../helpers/module-recorder.cjs', import.meta.url));

/**
 * What the two commands may load. Adding to it is a decision about start-up: measure with
 * `npm run bench:startup` first, and prefer a lazy `await import()` inside the command that needs it.
 */
const ALLOWED = new Set([
  // The shim, then the CLI bundle (commander is bundled into it; Node 22+ requires it, Node 20 compiles
  // it through node:vm with V8's code cache), and the one error module both bundles share.
  'bin/dec.cjs',
  'dist/cli.cjs',
  'dist/errors.cjs',
  // Builtins: files and paths (the syllabus cache in dist/syllabus-cache, progress), the shim's code
  // cache (module, vm), the bundle's import.meta.url (url), the terminal (tty, process, events), the
  // state folder (os) and formatting (util).
  'node:events',
  'node:fs',
  'node:module',
  'node:os',
  'node:path',
  'node:process',
  'node:tty',
  'node:url',
  'node:util',
  'node:vm',
]);

const home = mkdtempSync(join(tmpdir(), 'dec-startup-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Runs the built dec with the recorder preloaded; the modules it loaded, repo-relative. */
function modulesLoadedBy(args: string[], colour: Record<string, string> = { NO_COLOR: '1' }): string[] {
  const log = join(home, `modules-${args.join('-')}-${Object.keys(colour).join('')}.json`);
  const run = spawnSync(process.execPath, [DEC_BIN, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      DEC_HOME: join(home, 'dec'),
      ...colour,
      NODE_OPTIONS: `--require ${JSON.stringify(RECORDER)}`,
      DEC_TEST_MODULE_LOG: log,
    },
    // Pipes, as in `dec weeks list | less`.
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(run.status, run.stderr).toBe(0);
  const loaded = JSON.parse(readFileSync(log, 'utf8')) as string[];
  return loaded.map((name) => (name.startsWith('node:') ? name : relative(REPO_ROOT, name)));
}

describe('start-up loads only what it needs', () => {
  // The current course too: its compiled cache ships in dist/syllabus-cache like the default's.
  it.each(['--help', 'weeks list', 'weeks list --syllabus dez-2026'])('dec %s', (command) => {
    const loaded = modulesLoadedBy(command.split(' '));
    // The recorder works: it saw the shim and the shared error module.
    expect(loaded).toEqual(expect.arrayContaining(['bin/dec.cjs', 'dist/errors.cjs']));
    expect(loaded.filter((name) => !ALLOWED.has(name))).toEqual([]);
  });

  // chalk is out of dist/cli.cjs (dist/vendor/chalk.cjs): plain text above never loads it, colour does.
  it('dec weeks list with colour loads chalk, and only then', () => {
    const loaded = modulesLoadedBy(['weeks', 'list'], { FORCE_COLOR: '1' });
    expect(loaded.filter((name) => !ALLOWED.has(name))).toEqual(['dist/vendor/chalk.cjs']);
  });
});
