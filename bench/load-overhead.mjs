// What every `dec data load` pays before its first row: start-up, loading its modules, connecting,
// the staging table and the commit, measured on a 1,000-row CSV, against `psql \copy` of the same file
// and (with --against) another build of dec, interleaved in one run; medians of wall and CPU time.
//   node bench/load-overhead.mjs --db postgresql://root:root@localhost:5432/ny_taxi [--runs 15]
//        [--against /path/to/other/checkout]
// The database is only written to in tables named dec_bench_overhead_*, dropped at the end.
// Needs psql and GNU time (/usr/bin/time) for the CPU figures. Exits 1 only when it cannot measure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? args[at + 1] : fallback;
};
const db = option('--db', process.env.DEC_BENCH_DB ?? 'postgresql://root:root@localhost:5432/ny_taxi');
const runs = Number(option('--runs', '15'));
const against = option('--against', undefined);
if (!existsSync('/usr/bin/time')) {
  console.error('needs GNU time (/usr/bin/time: apt-get install time)');
  process.exit(1);
}

// 1,000 rows of the yellow layout, made by dec itself (dec data sample writes the same shape).
const scratch = mkdtempSync(join(tmpdir(), 'dec-bench-overhead-'));
const csv = join(scratch, 'yellow_1000.csv');
const header =
  'VendorID,tpep_pickup_datetime,tpep_dropoff_datetime,passenger_count,trip_distance,RatecodeID,store_and_fwd_flag,PULocationID,DOLocationID,payment_type,fare_amount,extra,mta_tax,tip_amount,tolls_amount,improvement_surcharge,total_amount,congestion_surcharge';
const rows = Array.from(
  { length: 1000 },
  (_, i) =>
    `1,2021-01-01 00:${String(i % 60).padStart(2, '0')}:00,2021-01-01 01:00:00,1,2.5,1,N,${(i % 265) + 1},42,1,10.5,0.5,0.5,2,0,0.3,13.8,2.5`,
);
writeFileSync(csv, `${header}\n${rows.join('\n')}\n`);

const psqlTable = 'dec_bench_overhead_psql';
const psql = (sql) => spawnSync('psql', [db, '-qAtc', sql], { encoding: 'utf8', timeout: 30_000 });
const decLoad = (root, table) => [
  process.execPath,
  [join(root, 'bin', 'dec.cjs'), 'data', 'load', '--file', csv, '--table', table, '--db', db],
];
const contenders = [
  { label: 'node -e 0', command: () => [process.execPath, ['-e', '0']] },
  {
    label: 'psql \\copy',
    prepare: () => psql(`CREATE TABLE IF NOT EXISTS ${psqlTable} (LIKE dec_bench_overhead_this)`),
    command: () => ['psql', [db, '-qc', `\\copy ${psqlTable} FROM '${csv}' CSV HEADER`]],
  },
  { label: 'dec data load (this build)', command: () => decLoad(ROOT, 'dec_bench_overhead_this') },
];
if (against)
  contenders.push({ label: `dec data load (${against})`, command: () => decLoad(against, 'dec_bench_overhead_other') });

function measure({ command }) {
  const [file, argv] = command();
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S', file, ...argv], { encoding: 'utf8', timeout: 60_000 });
  const wall = performance.now() - started;
  if (result.status !== 0) throw new Error(`${file} ${argv.join(' ')} failed:\n${result.stderr}`);
  const [user, system] = result.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { wall, cpu: (user + system) * 1000 };
}

const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
try {
  // The first dec load makes the table psql's copies are shaped like; a warm-up for every contender.
  measure(contenders[2]);
  for (const contender of contenders) {
    contender.prepare?.();
    measure(contender);
    contender.wall = [];
    contender.cpu = [];
  }
  for (let run = 0; run < runs; run++) {
    for (const contender of contenders) {
      const { wall, cpu } = measure(contender);
      contender.wall.push(wall);
      contender.cpu.push(cpu);
    }
  }
  console.log(`${runs} interleaved runs of a 1,000-row CSV load into ${db.replace(/:[^:@/]*@/, ':***@')}`);
  console.log('contender'.padEnd(48), 'wall ms', ' cpu ms');
  for (const { label, wall, cpu } of contenders) {
    console.log(label.padEnd(48), median(wall).toFixed(0).padStart(7), median(cpu).toFixed(0).padStart(7));
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  psql(
    `DROP TABLE IF EXISTS ${psqlTable}; DROP TABLE IF EXISTS dec_bench_overhead_this; DROP TABLE IF EXISTS dec_bench_overhead_other`,
  );
  rmSync(scratch, { recursive: true, force: true });
}
