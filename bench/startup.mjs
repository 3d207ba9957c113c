// Start-up benchmark: `dec --help` and `dec weeks list` against a bare `node -e 0`, measured in the
// same run, interleaved so machine noise hits all three alike. Median of RUNS runs each.
// Goal: at most 1.3× the baseline; 1.5× is the limit (exit 1 above it).
//   node bench/startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.argv[2] ?? 21);
const LIMIT = 1.5;
const GOAL = 1.3;
const bin = fileURLToPath(new URL('../bin/dec.cjs', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'dec-bench-'));
const env = { PATH: process.env.PATH, HOME: home, DEC_HOME: join(home, 'dec'), NO_COLOR: '1' };

const cases = {
  'node -e 0': ['-e', '0'],
  'dec --help': [bin, '--help'],
  'dec weeks list': [bin, 'weeks', 'list'],
};

function timeOnce(args) {
  const start = process.hrtime.bigint();
  // stdout is a pipe, as in `dec weeks list | less` or a script. On a terminal dec also loads
  // node:tty to confirm it is one (~2 ms more); /dev/null would count as a terminal candidate too.
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// Warm-up: fills the OS file cache (and dec's compiled-syllabus cache, as any second run would).
for (const args of Object.values(cases)) for (let i = 0; i < 3; i++) timeOnce(args);

const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let i = 0; i < RUNS; i++) for (const [name, args] of Object.entries(cases)) samples[name].push(timeOnce(args));
rmSync(home, { recursive: true, force: true });

const base = median(samples['node -e 0']);
let worst = 0;
console.log(`node ${process.version}, ${RUNS} runs each, median wall time`);
for (const [name, values] of Object.entries(samples)) {
  const ratio = median(values) / base;
  if (name !== 'node -e 0') worst = Math.max(worst, ratio);
  console.log(`${name.padEnd(16)} ${median(values).toFixed(1).padStart(7)} ms   ${ratio.toFixed(2)}×`);
}
console.log(
  worst <= GOAL
    ? `within the goal (≤ ${GOAL}×)`
    : worst <= LIMIT
      ? `within the limit (≤ ${LIMIT}×), above the goal (${GOAL}×)`
      : `OVER the limit of ${LIMIT}×`,
);
process.exitCode = worst <= LIMIT ? 0 : 1;
