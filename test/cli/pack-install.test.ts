// dec as students install it: `npm pack`'s tarball (only what runs), installed globally on a clean
// prefix, then `dec doctor`, `dec weeks list` and `npx dezoomcamp-cli weeks list` from that install.
// Everything goes to a temp folder: the prefix, HOME, and npm's cache, which starts as a copy of the
// machine's own (the one CI's `npm ci` filled), so the dependencies' tarballs come from it. npm still
// asks the registry for the dependencies' metadata (a global install of a local tarball has no lock;
// `npm ci` caches tarballs, not metadata): this test needs the npm registry, as `npm ci` does.
import { execFile, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_NAME } from '../../src/version.js';
import { REPO_ROOT } from '../helpers/run.js';

const INSTALL_MS = 240_000;
const work = mkdtempSync(join(tmpdir(), 'dec-pack-'));
const prefix = join(work, 'prefix');
const home = join(work, 'home');
const cache = join(work, 'npm-cache');
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
};

const machineEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(npm_|DEC_|HOME$|XDG_|CI$)/iu.test(key)),
);

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

/**
 * npm (or another tool) with the machine's PATH and registry, and everything else in the temp folder.
 * Asynchronous, so the test worker keeps answering vitest during a long install; killed when late.
 */
function run(command: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd ?? work,
        env: {
          // The machine's network settings (proxies, extra CA certificates) carry over; npm's own do not.
          ...machineEnv,
          PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
          HOME: home,
          DEC_HOME: join(home, 'dec'),
          NO_COLOR: '1',
          npm_config_cache: cache,
          npm_config_prefix: prefix,
          npm_config_registry: registry,
          npm_config_update_notifier: 'false',
        },
        encoding: 'utf8',
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({
          status: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          stdout,
          stderr,
          error: error ?? undefined,
        }),
    );
  });
}

const explain = (result: Ran) =>
  `exit ${result.status} ${result.error?.message ?? ''}\n${result.stdout}\n${result.stderr}`;

/** The machine's own npm settings (its cache and registry), asked before HOME moves; no log file is written. */
function npmConfig(key: string): string {
  const result = spawnSync('npm', ['config', 'get', key, '--logs-max=0'], { encoding: 'utf8', timeout: 30_000 });
  return result.status === 0 ? result.stdout.trim() : '';
}
const registry = npmConfig('registry') || 'https://registry.npmjs.org/';

let tarball = '';
let packed: { size: number; unpackedSize: number; files: Array<{ path: string }> };
let installMs = 0;

beforeAll(async () => {
  mkdirSync(home, { recursive: true });
  const machineCache = join(npmConfig('cache'), '_cacache');
  if (existsSync(machineCache)) cpSync(machineCache, join(cache, '_cacache'), { recursive: true });
  // dist/ is built (the cli project's rule); scripts would rebuild it under the other tests' feet.
  const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO_ROOT });
  expect(pack.status, explain(pack)).toBe(0);
  [packed] = JSON.parse(pack.stdout) as [typeof packed];
  tarball = join(work, `${pkg.name}-${pkg.version}.tgz`);
  const started = Date.now();
  const install = await run(
    'npm',
    ['install', '--global', '--prefix', prefix, tarball, '--prefer-offline', '--no-audit', '--no-fund'],
    { timeoutMs: INSTALL_MS },
  );
  installMs = Date.now() - started;
  expect(install.status, explain(install)).toBe(0);
}, INSTALL_MS + 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the npm package', () => {
  it(`is ${PACKAGE_NAME} (dec on the registry is another package), with dec as its command`, () => {
    expect(pkg.name).toBe(PACKAGE_NAME);
    expect(pkg.bin.dec).toBe('bin/dec.cjs');
    // The same program under the package's name: `npx dezoomcamp-cli` runs it.
    expect(pkg.bin[PACKAGE_NAME]).toBe('bin/dec.cjs');
  });

  it('holds only what runs: no sources, tests, source maps or V8 caches of the machine that built it', () => {
    const files = packed.files.map((file) => file.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/dec.cjs',
        'dist/cli.cjs',
        'dist/commands.cjs',
        'dist/errors.cjs',
        // The YAML parser and validator: loaded for a syllabus with no compiled cache entry.
        'dist/compile.cjs',
        'dist/vendor/dockerode.cjs',
        'syllabus/dez-2022.yaml',
        'templates/homework/week-1/README.md',
      ]),
    );
    const extra = files.filter(
      (file) =>
        !/^(bin|dist|syllabus|templates)\//u.test(file) && !['package.json', 'README.md', 'LICENSE'].includes(file),
    );
    expect(extra).toEqual([]);
    expect(files.filter((file) => /\.map$|v8-cache/u.test(file))).toEqual([]);
    // Sizes as measured when this test was written: 615 kB packed, 2.4 MB unpacked.
    expect(statSync(tarball).size).toBeLessThan(1_000_000);
    expect(packed.unpackedSize).toBeLessThan(4_000_000);
    console.info(
      `${PACKAGE_NAME}: ${(statSync(tarball).size / 1e3).toFixed(0)} kB packed, ` +
        `${(packed.unpackedSize / 1e6).toFixed(1)} MB unpacked, ${files.length} files; ` +
        `installed globally in ${(installMs / 1000).toFixed(1)} s`,
    );
  });

  it('installed globally on a clean prefix: dec weeks list', async () => {
    const weeks = await run(join(prefix, 'bin', 'dec'), ['weeks', 'list']);
    expect(weeks.status, explain(weeks)).toBe(0);
    expect(weeks.stdout).toContain('Data Engineering Zoomcamp');
  });

  it('installed globally: a syllabus of your own is parsed and validated (dist/compile.cjs and yaml load)', async () => {
    const syllabus = join(mkdtempSync(join(work, 'own-syllabus-')), 'my-course.yaml');
    copyFileSync(join(REPO_ROOT, 'test', 'fixtures', 'syllabi', 'valid-base.yaml'), syllabus);
    const weeks = await run(join(prefix, 'bin', 'dec'), ['weeks', 'list', '--syllabus', syllabus]);
    expect(weeks.status, explain(weeks)).toBe(0);
    expect(weeks.stdout).toContain('Tiny course');
    writeFileSync(syllabus, readFileSync(syllabus, 'utf8').replace('duration: 10 min', 'duration: soon-ish'));
    const invalid = await run(join(prefix, 'bin', 'dec'), ['weeks', 'list', '--syllabus', syllabus]);
    expect(invalid.status, explain(invalid)).toBe(2);
    expect(invalid.stderr).toMatch(/my-course\.yaml:\d+:\d+ .*expected a duration/);
  });

  it('installed globally: dec doctor runs its checks (the commands bundle and its dependencies load)', async () => {
    const doctor = await run(join(prefix, 'bin', 'dec'), ['doctor', '--json'], { timeoutMs: 120_000 });
    // 0 or 1: the checks ran (this machine may lack what a student needs); 2 would be "could not run".
    expect([0, 1], explain(doctor)).toContain(doctor.status);
    const report = JSON.parse(doctor.stdout) as { probes?: unknown[] };
    expect(Array.isArray(report.probes) && report.probes.length > 0, doctor.stdout).toBe(true);
    expect(doctor.stderr).not.toContain('unexpected error');
  }, 150_000);

  it(`npx ${PACKAGE_NAME} weeks list runs the installed dec, without installing anything`, async () => {
    const cwd = mkdtempSync(join(work, 'elsewhere-'));
    const npx = await run('npx', ['--no', PACKAGE_NAME, 'weeks', 'list'], { cwd });
    expect(npx.status, explain(npx)).toBe(0);
    expect(npx.stdout).toContain('Data Engineering Zoomcamp');
  });
});
