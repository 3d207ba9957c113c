// dec doctor against `gcloud --version`, side by side in one run (interleaved, median of RUNS).
// Goal from the issue: the whole doctor takes no longer than gcloud --version alone.
//   node bench/doctor.mjs [runs]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.argv[2] ?? 7);
const bin = fileURLToPath(new URL('../bin/dec.cjs', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'dec-bench-doctor-'));
const env = { ...process.env, DEC_HOME: join(home, 'dec'), NO_COLOR: '1' };

const cases = {
  'gcloud --version': ['gcloud', ['--version']],
  'dec doctor': [process.execPath, [bin, 'doctor']],
};

function timeOnce([file, args]) {
  const start = process.hrtime.bigint();
  const result = spawnSync(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error) throw result.error;
  // dec doctor exits 1 when a required check fails; that is a verdict, not a failure to run.
  if (result.status !== 0 && !(file === process.execPath && result.status === 1)) {
    throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return ms;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

for (const command of Object.values(cases)) timeOnce(command);
const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let i = 0; i < RUNS; i++)
  for (const [name, command] of Object.entries(cases)) samples[name].push(timeOnce(command));
rmSync(home, { recursive: true, force: true });

const gcloud = median(samples['gcloud --version']);
const doctor = median(samples['dec doctor']);
console.log(`node ${process.version}, ${RUNS} runs each, median wall time`);
for (const [name, values] of Object.entries(samples)) {
  console.log(
    `${name.padEnd(18)} ${median(values).toFixed(0).padStart(6)} ms   (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})`,
  );
}
console.log(
  doctor <= gcloud
    ? `dec doctor is within gcloud --version (${(doctor / gcloud).toFixed(2)}×)`
    : `dec doctor is SLOWER than gcloud --version (${(doctor / gcloud).toFixed(2)}×)`,
);
process.exitCode = doctor <= gcloud ? 0 : 1;
