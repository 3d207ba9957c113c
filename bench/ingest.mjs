// Ingest benchmark (issues 6 and 14): `dec data load` against psql's \copy and the course's pandas
// script, on a synthetic yellow-taxi CSV of the real layout and the same rows as Parquet in four
// layouts, in one run against a throw-away local Postgres (the machine's own server binaries, no Docker).
//   node bench/ingest.mjs [rows] [--runs 3] [--pandas-rows N] [--no-pandas]
// rows: default 1,370,000 (yellow 2021-01). The Parquet files have the TLC's types (int64 ids,
// timestamps in microseconds, doubles, passenger_count and RatecodeID as doubles, a string flag) in
// four layouts: row groups of 128K rows; one row group with dictionary pages (timestamps plain, as
// in the TLC files); one row group with ~1 MB pages (the pyarrow/TLC layout); one row group with one
// PLAIN page per column (the worst case for memory). psql \copy CSV, psql \copy binary (the server's
// floor: a binary dump of the same rows), and dec on .csv, .csv.gz and each .parquet run --runs
// times each, interleaved, fresh tables; median, min, max. dec sends all of them as binary COPY (the
// CSV's values are plain: csv-binary.ts parses them while Postgres stores the previous rows, so on
// 2 CPUs the load takes about as long as the slower of the two). pandas runs once, on the first
// --pandas-rows rows if given (its time is then scaled up linearly, and the output says so).
// Peak memory is the max RSS of the loading process (GNU time -f %M, else VmHWM polled from /proc).
// Goals (issue 14): dec on Parquet ≤ 0.8× psql \copy CSV and ≤ 150 MB; on CSV ≤ 1.0× and ≤ 120 MB;
// dec ≥ 25× faster than pandas.
// Exits 0 whether or not the goals are met (it is a benchmark); 1 only when it could not measure.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { appendFile, chmod, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGzip } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEC = join(ROOT, 'bin', 'dec.cjs');
const PANDAS_SCRIPT = join(ROOT, 'bench', 'ingest_pandas.py');
const SYSTEM_PYTHON = '/usr/bin/python3';
const GNU_TIME = '/usr/bin/time';
const GOAL_CSV_VS_PSQL = 1.0;
const GOAL_PARQUET_VS_PSQL = 0.8;
const GOAL_VS_PANDAS = 25;
const GOAL_CSV_RSS_MB = 120;
const GOAL_PARQUET_RSS_MB = 150;
const IS_ROOT = process.getuid?.() === 0;

// ---------------------------------------------------------------------------------------------
// Arguments

function usage(problem) {
  if (problem) console.error(problem);
  console.error('usage: node bench/ingest.mjs [rows] [--runs N] [--pandas-rows N] [--no-pandas]');
  process.exit(2);
}

function parseArgs(argv) {
  const options = { rows: 1_370_000, runs: 3, pandasRows: undefined, pandas: true };
  const count = (name, text) => {
    const n = Number(String(text ?? '').replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 1) usage(`${name} needs a positive whole number, not "${text}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--help' || flag === '-h') usage();
    else if (flag === '--runs') options.runs = count('--runs', value());
    else if (flag === '--pandas-rows') options.pandasRows = count('--pandas-rows', value());
    else if (flag === '--no-pandas') options.pandas = false;
    else if (!flag.startsWith('-')) options.rows = count('rows', flag);
    else usage(`unknown option ${flag}`);
  }
  if (options.pandasRows !== undefined && options.pandasRows >= options.rows) options.pandasRows = undefined;
  return options;
}

const options = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------------------------------------
// Processes: every child we start is tracked, so Ctrl-C can stop it (and only it).

const children = new Set();

/** Runs a command; resolves with its exit code, output (tail) and wall time. Never rejects. */
function run(file, args, { env = process.env, cwd = ROOT, uid, gid, timeoutMs = 0, onSpawn } = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    let stdout = '';
    let stderr = '';
    const keep = (text, more) => (text + more).slice(-64 * 1024);
    let child;
    try {
      child = spawn(file, args, {
        env,
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(uid !== undefined ? { uid, gid } : {}),
      });
    } catch (error) {
      resolve({ code: null, stdout: '', stderr: error.message, seconds: 0, pid: undefined });
      return;
    }
    children.add(child);
    const timer = timeoutMs ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : undefined;
    onSpawn?.(child);
    child.stdout.on('data', (chunk) => (stdout = keep(stdout, chunk.toString())));
    child.stderr.on('data', (chunk) => (stderr = keep(stderr, chunk.toString())));
    child.on('error', (error) => (stderr = keep(stderr, error.message)));
    child.on('close', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      if (timer) clearTimeout(timer);
      children.delete(child);
      resolve({ code: code ?? (signal ? 128 : null), signal, stdout, stderr, seconds, pid: child.pid });
    });
  });
}

const tail = (text, lines = 12) => text.trim().split('\n').slice(-lines).join('\n');

/** GNU time if it works here; as root, installs Debian's `time` package when it is missing. */
function gnuTime() {
  const works = () => spawnSync(GNU_TIME, ['-f', '%M', '-o', '/dev/null', 'true']).status === 0;
  if (works()) return { path: GNU_TIME, installed: false };
  if (!IS_ROOT || !hasAptGet()) return undefined;
  console.log('installing GNU time (apt-get install time) to measure peak memory ...');
  aptInstall(['time']);
  return works() ? { path: GNU_TIME, installed: true } : undefined;
}

function hasAptGet() {
  return spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

function aptInstall(packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], { env, stdio: 'ignore' })
      .status === 0;
  if (install()) return true;
  spawnSync('apt-get', ['update', '-q'], { env, stdio: 'ignore' });
  return install();
}

const TIME = gnuTime();

/**
 * Runs a command and measures its wall time and peak RSS (KB): under GNU time (`-f %M -o file`),
 * else by polling VmHWM in /proc/<pid>/status.
 */
async function measured(file, args, runOptions = {}) {
  if (TIME) {
    const rssFile = join(runDir, `rss-${process.hrtime.bigint()}`);
    const result = await run(TIME.path, ['-f', '%M', '-o', rssFile, file, ...args], runOptions);
    const rssKb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    rmSync(rssFile, { force: true });
    return { ...result, rssKb: Number.isFinite(rssKb) ? rssKb : undefined };
  }
  let rssKb = 0;
  let pid;
  const poll = setInterval(() => {
    if (pid === undefined) return;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      rssKb = Math.max(rssKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // not started yet, or gone
    }
  }, 20);
  const result = await run(file, args, { ...runOptions, onSpawn: (child) => (pid = child.pid) });
  clearInterval(poll);
  return { ...result, rssKb: rssKb || undefined };
}

// ---------------------------------------------------------------------------------------------
// A throw-away Postgres, like test/helpers/postgres.ts: initdb in a temp folder owned by the postgres
// user when we are root, trust auth, a free port on 127.0.0.1, the Unix socket in the temp folder.

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findPostgresBinDir() {
  const complete = (dir) => ['initdb', 'pg_ctl', 'postgres', 'psql'].every((name) => isExecutable(join(dir, name)));
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || !isExecutable(join(dir, 'initdb'))) continue;
    try {
      const real = dirname(realpathSync(join(dir, 'initdb')));
      if (complete(real)) return real;
    } catch {
      // dangling link
    }
  }
  let versions = [];
  try {
    versions = readdirSync('/usr/lib/postgresql');
  } catch {
    // none
  }
  const found = versions
    .map((v) => join('/usr/lib/postgresql', v, 'bin'))
    .filter(complete)
    .sort((a, b) => Number(/postgresql\/(\d+)/.exec(b)?.[1]) - Number(/postgresql\/(\d+)/.exec(a)?.[1]));
  if (found[0]) return found[0];
  throw new Error(
    'PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql).',
  );
}

function serverAccount() {
  if (!IS_ROOT) return {};
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const fields = passwd.find((line) => line.startsWith(`${name}:`))?.split(':');
    const uid = Number(fields?.[2]);
    const gid = Number(fields?.[3]);
    if (fields && Number.isInteger(uid) && Number.isInteger(gid) && uid !== 0) return { name, uid, gid };
  }
  throw new Error('Running as root, and there is no "postgres" (nor "nobody") user to run PostgreSQL as.');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function postmasterPid(dataDir) {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function waitGone(pid, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
  return !isAlive(pid);
}

const SERVER_SETTINGS = ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off'];

/** Servers to kill if we exit without stopping them (a crash). */
const liveServers = new Map();
process.once('exit', () => {
  for (const [dir, dataDir] of liveServers) {
    const pid = postmasterPid(dataDir);
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

async function startPostgres() {
  const binDir = findPostgresBinDir();
  const account = serverAccount();
  const base = existsSync('/tmp') ? '/tmp' : tmpdir(); // short Unix socket path
  const dir = await mkdtemp(join(base, 'dec-bench-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  liveServers.set(dir, dataDir);
  const as = { uid: account.uid, gid: account.gid, cwd: dir };
  const pgEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LC_ALL: 'C', LANG: 'C' };

  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      const pid = postmasterPid(dataDir);
      if (pid !== undefined && isAlive(pid)) {
        await run(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', '-t', '10', 'stop'], {
          ...as,
          env: pgEnv,
          timeoutMs: 15_000,
        });
        if (!(await waitGone(pid, 2_000))) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
          await waitGone(pid, 5_000);
        }
      }
      liveServers.delete(dir);
      await rm(dir, { recursive: true, force: true });
    })());

  try {
    await chmod(dir, 0o700);
    if (account.uid !== undefined) await chown(dir, account.uid, account.gid);
    const initdb = await run(
      join(binDir, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--auth=trust'],
      { ...as, env: pgEnv, timeoutMs: 60_000 },
    );
    if (initdb.code !== 0) throw new Error(`initdb failed:\n${tail(initdb.stderr || initdb.stdout)}`);
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const settings = [
        `port = ${port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${dir.replace(/'/g, "''")}'`,
        ...SERVER_SETTINGS,
      ];
      await appendFile(join(dataDir, 'postgresql.conf'), `\n# dec ingest bench\n${settings.join('\n')}\n`);
      const start = await run(join(binDir, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', '-t', '20', 'start'], {
        ...as,
        env: pgEnv,
        timeoutMs: 30_000,
      });
      if (start.code === 0 && postmasterPid(dataDir) !== undefined) break;
      const log = await readFile(logFile, 'utf8').catch(() => '');
      const pid = postmasterPid(dataDir);
      if (pid !== undefined) {
        process.kill(pid, 'SIGKILL');
        await waitGone(pid, 5_000);
        await rm(join(dataDir, 'postmaster.pid'), { force: true });
      }
      if (!/already in use|could not bind/i.test(log) || attempt === 3) {
        throw new Error(
          `pg_ctl start failed:\n${tail(start.stderr || start.stdout)}\n--- server log ---\n${tail(log)}`,
        );
      }
    }
    const version = execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
    return { binDir, dir, port, version, stop, url: `postgresql://postgres@127.0.0.1:${port}/postgres` };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Input files, cached under the temp folder by row count.

const CACHE = join(tmpdir(), `dec-bench-ingest-${options.rows}`);
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

async function decSample(rows, path, env) {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  const part = `${path}.part`; // not .gz: dec writes plain CSV
  const result = await run(process.execPath, [DEC, 'data', 'sample', '--rows', String(rows), '--out', part], { env });
  if (result.code !== 0) throw new Error(`dec data sample failed:\n${tail(result.stderr || result.stdout)}`);
  renameSync(part, path);
}

async function gzipOf(csv, gz) {
  if (existsSync(gz)) return;
  await pipeline(createReadStream(csv), createGzip({ level: 6 }), createWriteStream(`${gz}.part`));
  renameSync(`${gz}.part`, gz);
}

/** hyparquet-writer from the project's node_modules (or NODE_PATH), if someone installed it. */
async function parquetWriter() {
  try {
    const resolved = createRequire(join(ROOT, 'package.json')).resolve('hyparquet-writer');
    const writer = await import(pathToFileURL(resolved).href);
    return typeof writer.parquetWriteFile === 'function' ? writer : undefined;
  } catch {
    return undefined;
  }
}

/** Parquet types as the TLC writes the yellow files (passenger_count and RatecodeID are doubles there). */
function parquetColumn(name) {
  if (['VendorID', 'PULocationID', 'DOLocationID', 'payment_type'].includes(name))
    return { name, type: 'INT64', repetition_type: 'OPTIONAL' };
  if (/datetime$/i.test(name)) {
    const logical_type = { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' };
    return { name, type: 'INT64', repetition_type: 'OPTIONAL', logical_type };
  }
  if (name === 'store_and_fwd_flag')
    return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' };
  return { name, type: 'DOUBLE', repetition_type: 'OPTIONAL' };
}

/** The layouts of issue 14; `plain`: every column PLAIN, else the writer's choice (dictionary where it pays). */
const LAYOUTS = [
  { key: 'rg128k', label: 'row groups of 128K rows', rowGroup: 131_072, pageSize: 1024 * 1024, plain: false },
  { key: 'dict', label: 'one row group, dictionary pages', rowGroup: Infinity, pageSize: 2 ** 30, plain: false },
  { key: 'pages1mb', label: 'one row group, ~1 MB pages', rowGroup: Infinity, pageSize: 1024 * 1024, plain: false },
  {
    key: 'plain',
    label: 'one row group, one plain page per column',
    rowGroup: Infinity,
    pageSize: 2 ** 30,
    plain: true,
  },
];

const parquetPath = (rows, layout) => join(CACHE, `yellow_synthetic_${rows}.${layout.key}.parquet`);

/** The CSV's rows as Parquet, in every layout (read once, written four times). */
async function parquetFiles(writer, csv, rows) {
  if (LAYOUTS.every((layout) => existsSync(parquetPath(rows, layout)))) return;
  const lines = createInterface({ input: createReadStream(csv), crlfDelay: Infinity });
  let columns;
  for await (const line of lines) {
    if (!columns) {
      columns = line.split(',').map((name) => ({ element: parquetColumn(name), data: [] }));
      continue;
    }
    if (!line) continue;
    const cells = line.split(',');
    for (let i = 0; i < columns.length; i++) {
      const { element, data } = columns[i];
      const cell = cells[i] ?? '';
      if (cell === '') data.push(null);
      else if (element.logical_type) data.push(BigInt(Date.parse(`${cell.replace(' ', 'T')}Z`)) * 1000n);
      else if (element.type === 'INT64') data.push(BigInt(cell));
      else if (element.type === 'DOUBLE') data.push(Number(cell));
      else data.push(cell);
    }
  }
  const schema = [{ name: 'schema', num_children: columns.length }, ...columns.map((c) => c.element)];
  for (const layout of LAYOUTS) {
    const path = parquetPath(rows, layout);
    if (existsSync(path)) continue;
    writer.parquetWriteFile({
      filename: `${path}.part`,
      schema,
      columnData: columns.map(({ element, data }) => ({
        name: element.name,
        data,
        ...(layout.plain ? { encoding: 'PLAIN' } : {}),
      })),
      rowGroupSize: Math.min(layout.rowGroup, rows),
      pageSize: layout.pageSize,
    });
    renameSync(`${path}.part`, path);
  }
}

// ---------------------------------------------------------------------------------------------
// The benchmark

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

let runDir;
let server;
let interrupted = false;

async function shutDown() {
  for (const child of children) child.kill('SIGTERM');
  await server?.stop().catch(() => undefined);
  if (runDir) rmSync(runDir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping the bench Postgres and removing its folder ...`);
    shutDown()
      .catch((error) => console.error(`could not clean up: ${error.message}`))
      .finally(() => process.exit(130));
  });
}

async function main() {
  const benchStarted = performance.now();
  runDir = await mkdtemp(join(tmpdir(), 'dec-bench-ingest-run-'));
  const env = { ...process.env, DEC_HOME: join(runDir, 'dec-home'), NO_COLOR: '1' };
  const notes = [];
  if (TIME?.installed) notes.push('installed Debian package "time" (GNU time) for peak memory');
  if (!TIME) notes.push('no GNU time: peak memory is VmHWM polled from /proc every 20 ms');

  // Files
  const rows = options.rows;
  const csv = join(CACHE, `yellow_synthetic_${rows}.csv`);
  const gz = `${csv}.gz`;
  const tiny = join(CACHE, 'yellow_synthetic_1000.csv');
  console.log(`input: ${rows.toLocaleString('en')} synthetic yellow trips, cached in ${CACHE}`);
  await decSample(rows, csv, env);
  await decSample(1000, tiny, env);
  await gzipOf(csv, gz);
  const writer = await parquetWriter();
  if (writer) await parquetFiles(writer, csv, rows);
  console.log(`  csv ${mb(statSync(csv).size)}, csv.gz ${mb(statSync(gz).size)}`);
  if (writer)
    for (const layout of LAYOUTS)
      console.log(`  parquet, ${layout.label}: ${mb(statSync(parquetPath(rows, layout)).size)}`);

  // pandas: only when the system python already has it (the bench installs nothing for it; the
  // table says why it was skipped).
  const pandas =
    options.pandas &&
    spawnSync(SYSTEM_PYTHON, ['-c', 'import pandas, sqlalchemy, psycopg2'], { stdio: 'ignore' }).status === 0;

  // Postgres
  server = await startPostgres();
  const psqlBin = join(server.binDir, 'psql');
  const psqlArgs = [
    '-X',
    '-q',
    '-v',
    'ON_ERROR_STOP=1',
    '-h',
    '127.0.0.1',
    '-p',
    String(server.port),
    '-U',
    'postgres',
    '-d',
    'postgres',
  ];
  const sql = async (text) => {
    const result = await run(psqlBin, [...psqlArgs, '-At', '-c', text], { env });
    if (result.code !== 0) throw new Error(`psql -c ${JSON.stringify(text)} failed:\n${tail(result.stderr)}`);
    return result.stdout.trim();
  };
  console.log(
    `postgres: ${server.version} on 127.0.0.1:${server.port} (${SERVER_SETTINGS.join(', ')}); ${cpus().length} CPUs; node ${process.version}`,
  );

  // The column types dec uses: a small dec load, whose table the psql runs copy with LIKE.
  const warm = await run(
    process.execPath,
    [DEC, 'data', 'load', '--file', tiny, '--table', 'yellow_schema', '--db', server.url],
    { env },
  );
  if (warm.code !== 0) throw new Error(`dec data load (warm-up) failed:\n${tail(warm.stderr || warm.stdout)}`);
  const types = await sql(
    "select string_agg(column_name || ' ' || data_type, ', ' order by ordinal_position) from information_schema.columns where table_name = 'yellow_schema'",
  );
  console.log(`dec's columns: ${types}`);

  // The same rows as Postgres's binary COPY format, for psql \copy binary (the server's floor).
  const binaryDump = join(runDir, `yellow_synthetic_${rows}.pgcopy`);
  await sql('CREATE TABLE yellow_dump (LIKE yellow_schema)');
  const dumped = await run(psqlBin, [
    ...psqlArgs,
    '-c',
    `\\copy yellow_dump FROM '${csv.replace(/'/g, "''")}' CSV HEADER`,
    '-c',
    `\\copy yellow_dump TO '${binaryDump.replace(/'/g, "''")}' (FORMAT binary)`,
  ]);
  if (dumped.code !== 0) throw new Error(`psql binary dump failed:\n${tail(dumped.stderr)}`);
  await sql('DROP TABLE yellow_dump');

  const decArgs = (file, table) => [DEC, 'data', 'load', '--file', file, '--table', table, '--db', server.url];
  const methods = [
    {
      key: 'psql',
      label: 'psql \\copy (csv)',
      table: 'yellow_taxi_trips_psql',
      prepare: () => sql('CREATE TABLE yellow_taxi_trips_psql (LIKE yellow_schema)'),
      command: [
        psqlBin,
        [...psqlArgs, '-c', `\\copy yellow_taxi_trips_psql FROM '${csv.replace(/'/g, "''")}' CSV HEADER`],
      ],
    },
    {
      key: 'psql-binary',
      label: 'psql \\copy (binary)',
      table: 'yellow_taxi_trips_psql_binary',
      prepare: () => sql('CREATE TABLE yellow_taxi_trips_psql_binary (LIKE yellow_schema)'),
      command: [
        psqlBin,
        [
          ...psqlArgs,
          '-c',
          `\\copy yellow_taxi_trips_psql_binary FROM '${binaryDump.replace(/'/g, "''")}' (FORMAT binary)`,
        ],
      ],
    },
    {
      key: 'csv',
      label: 'dec data load (csv)',
      table: 'yellow_taxi_trips',
      command: [process.execPath, decArgs(csv, 'yellow_taxi_trips')],
    },
    {
      key: 'gz',
      label: 'dec data load (csv.gz)',
      table: 'yellow_taxi_trips_gz',
      command: [process.execPath, decArgs(gz, 'yellow_taxi_trips_gz')],
    },
  ];
  if (writer) {
    for (const layout of LAYOUTS) {
      const table = `yellow_taxi_trips_${layout.key}`;
      methods.push({
        key: layout.key,
        parquet: true,
        label: `dec (parquet, ${layout.label})`,
        table,
        command: [process.execPath, decArgs(parquetPath(rows, layout), table)],
      });
    }
  }
  const benchTables = [...methods.map((m) => m.table), 'yellow_taxi_trips_pandas'];
  const fresh = () => sql(`DROP TABLE IF EXISTS ${benchTables.join(', ')}; CHECKPOINT`);
  const results = new Map(methods.map((m) => [m.key, { ...m, seconds: [], rssKb: [], failures: [] }]));

  /** One timed load: fresh tables and a checkpoint first (untimed), the row count checked after. */
  const once = async (method, command, expectedRows) => {
    await fresh();
    await method.prepare?.();
    const result = await measured(command[0], command[1], { env });
    if (interrupted) throw new Error('interrupted');
    if (result.code !== 0) return { failure: tail(result.stderr || result.stdout, 6) };
    const count = Number(await sql(`select count(*) from ${method.table}`));
    if (count !== expectedRows) return { failure: `${count} rows in ${method.table}, expected ${expectedRows}` };
    return result;
  };

  for (let round = 0; round < options.runs; round++) {
    // Interleaved, and each round starts with a different method, so drift hits them alike.
    const order = methods.map((_, i) => methods[(i + round) % methods.length]);
    for (const method of order) {
      process.stdout.write(`  run ${round + 1}/${options.runs}: ${method.label} ... `);
      const result = await once(method, method.command, rows);
      const slot = results.get(method.key);
      if (result.failure) {
        slot.failures.push(result.failure);
        console.log(`FAILED\n${result.failure.replace(/^/gm, '    ')}`);
      } else {
        slot.seconds.push(result.seconds);
        if (result.rssKb) slot.rssKb.push(result.rssKb);
        console.log(`${result.seconds.toFixed(2)} s, ${result.rssKb ? (result.rssKb / 1024).toFixed(0) : '?'} MB`);
      }
    }
  }

  // pandas, once
  let pandasResult;
  const pandasRows = options.pandasRows ?? rows;
  if (!options.pandas) console.log('  pandas: skipped (--no-pandas)');
  else if (!pandas) {
    console.log(
      '  pandas: skipped (/usr/bin/python3 cannot import pandas, sqlalchemy, psycopg2; Debian: apt-get install python3-pandas python3-sqlalchemy python3-psycopg2)',
    );
  } else {
    process.stdout.write(
      `  run 1/1: pandas (course's ingest_data.py logic, ${pandasRows.toLocaleString('en')} rows) ... `,
    );
    const method = { table: 'yellow_taxi_trips_pandas' };
    const args = ['-u', PANDAS_SCRIPT, '--db', server.url, '--table', method.table, '--file', csv];
    if (options.pandasRows) args.push('--rows', String(pandasRows));
    const result = await once(method, [SYSTEM_PYTHON, args], pandasRows);
    if (result.failure) {
      console.log(`FAILED\n${result.failure.replace(/^/gm, '    ')}`);
    } else {
      // Scaled up when limited: python's start-up (imports) once, the loading part ×rows/pandasRows.
      const scale = rows / pandasRows;
      const loading = Number(/seconds=([\d.]+)/.exec(result.stdout)?.[1] ?? result.seconds);
      const startup = Math.max(0, result.seconds - loading);
      pandasResult = {
        measured: result.seconds,
        startup,
        seconds: startup + loading * scale,
        scaled: scale !== 1,
        rssKb: result.rssKb,
      };
      console.log(`${result.seconds.toFixed(2)} s, ${result.rssKb ? (result.rssKb / 1024).toFixed(0) : '?'} MB`);
    }
  }

  // Table
  const psqlMedian = results.get('psql').seconds.length ? median(results.get('psql').seconds) : undefined;
  const versus = (seconds) => (psqlMedian ? `${(seconds / psqlMedian).toFixed(2)}×` : '?');
  const rowsOut = [];
  for (const slot of results.values()) {
    if (!slot.seconds.length) {
      rowsOut.push([slot.label, 'failed', '', '', '', '', '']);
      continue;
    }
    const s = median(slot.seconds);
    slot.median = s;
    slot.peakMb = slot.rssKb.length ? Math.max(...slot.rssKb) / 1024 : undefined;
    rowsOut.push([
      slot.label + (slot.seconds.length < options.runs ? ` (${slot.seconds.length} ok)` : ''),
      s.toFixed(2),
      Math.min(...slot.seconds).toFixed(2),
      Math.max(...slot.seconds).toFixed(2),
      Math.round(rows / s).toLocaleString('en'),
      slot.peakMb?.toFixed(0) ?? '?',
      versus(s),
    ]);
  }
  if (!writer) rowsOut.push(['parquet: skipped (no writer)', '', '', '', '', '', '']);
  if (pandasResult) {
    rowsOut.push([
      `pandas to_sql (csv)${pandasResult.scaled ? ' *' : ''}`,
      pandasResult.seconds.toFixed(2),
      '',
      '',
      Math.round(rows / pandasResult.seconds).toLocaleString('en'),
      pandasResult.rssKb ? (pandasResult.rssKb / 1024).toFixed(0) : '?',
      versus(pandasResult.seconds),
    ]);
  }
  const header = ['method', 'median s', 'min s', 'max s', 'rows/s', 'peak RSS MB', 'vs psql csv'];
  const widths = header.map((h, i) => Math.max(h.length, ...rowsOut.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(
    `\n${rows.toLocaleString('en')} rows; ${options.runs} interleaved runs each (pandas: 1 run); fresh tables, CHECKPOINT before each run`,
  );
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rowsOut) console.log(line(r));
  if (pandasResult?.scaled) {
    console.log(
      `* pandas loaded the first ${pandasRows.toLocaleString('en')} rows in ${pandasResult.measured.toFixed(2)} s; ` +
        `its loading time is scaled linearly ×${(rows / pandasRows).toFixed(2)} to ${rows.toLocaleString('en')} rows ` +
        `(python start-up, ${pandasResult.startup.toFixed(2)} s, counted once)`,
    );
  }
  console.log('Peak RSS: the loading client process (psql, node, python), not the Postgres server.');
  for (const slot of results.values()) {
    if (slot.seconds.length) console.log(`  ${slot.label}: ${slot.seconds.map((s) => s.toFixed(2)).join(', ')} s`);
    for (const failure of slot.failures) console.log(`  ${slot.label} FAILED: ${failure.split('\n')[0]}`);
  }

  // Goals
  const verdict = (ok, text) =>
    console.log(`  ${ok === undefined ? '[n/a]    ' : ok ? '[MET]    ' : '[NOT MET]'} ${text}`);
  console.log('\nGoals (issue 14):');
  const goal = (slot, limit, rssLimit) => {
    if (!slot?.median || !psqlMedian) return verdict(undefined, `${slot?.label ?? '?'}: not measured`);
    const ratio = slot.median / psqlMedian;
    verdict(
      ratio <= limit && (slot.peakMb ?? Infinity) <= rssLimit,
      `${slot.label}: ${ratio.toFixed(2)}× psql \\copy csv (goal ≤ ${limit}×), ${slot.peakMb?.toFixed(0) ?? '?'} MB (goal ≤ ${rssLimit} MB)`,
    );
  };
  goal(results.get('csv'), GOAL_CSV_VS_PSQL, GOAL_CSV_RSS_MB);
  goal(results.get('gz'), GOAL_CSV_VS_PSQL, GOAL_CSV_RSS_MB);
  for (const slot of results.values()) if (slot.parquet) goal(slot, GOAL_PARQUET_VS_PSQL, GOAL_PARQUET_RSS_MB);
  const dec = results.get('csv');
  if (dec.median && pandasResult) {
    const speedup = pandasResult.seconds / dec.median;
    verdict(
      speedup >= GOAL_VS_PANDAS,
      `dec ≥ ${GOAL_VS_PANDAS}× faster than pandas: ${speedup.toFixed(1)}× (${dec.median.toFixed(2)} s vs ${pandasResult.seconds.toFixed(2)} s${pandasResult.scaled ? ', pandas scaled from a prefix' : ''})`,
    );
  } else verdict(undefined, `dec ≥ ${GOAL_VS_PANDAS}× faster than pandas: not measured`);
  for (const note of notes) console.log(`note: ${note}`);
  console.log(`bench took ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
}

let status = 0;
try {
  await main();
} catch (error) {
  if (!interrupted) {
    console.error(`\ningest bench could not run: ${error.message}`);
    status = 1;
  }
} finally {
  if (!interrupted) await shutDown();
}
if (!interrupted) process.exit(status);
