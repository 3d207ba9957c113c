// Download benchmark (issue 11, "kept libraries"): what `dec data get` pays for its HTTP client, this
// checkout against another one (e.g. the hand-built node:http client undici replaced), in one run.
//   node bench/download.mjs [--against <checkout>]... [--runs 15] [--size-mb 1]
// A loopback HTTP server serves a file of --size-mb; each round runs every checkout's built
// bin/dec.cjs once (interleaved, so a busy machine slows them alike) into a fresh DEC_HOME.
// Per checkout, medians of: when the GET reaches the server (after spawning: start-up plus loading
// the HTTP client), the whole get (spawn → exit), and the CPU time dec used (user + system, through
// GNU time when installed: on a busy machine it says more than wall times). Build each checkout first.
// Exits 0 (it is a benchmark); 2 when it could not measure.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GNU_TIME = '/usr/bin/time';

function parseArgs(argv) {
  const options = { checkouts: [ROOT], runs: 15, sizeMb: 1 };
  for (let i = 0; i < argv.length; i++) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (name === '--against' && value) options.checkouts.push(resolve(value));
    else if (name === '--runs' && Number(value) >= 1) options.runs = Number(value);
    else if (name === '--size-mb' && Number(value) > 0) options.sizeMb = Number(value);
    else {
      console.error('usage: node bench/download.mjs [--against <checkout>]... [--runs N] [--size-mb N]');
      process.exit(2);
    }
    i++;
  }
  for (const checkout of options.checkouts) {
    if (!existsSync(join(checkout, 'dist', 'cli.cjs'))) {
      console.error(`${checkout} is not built: run npm run build there first.`);
      process.exit(2);
    }
  }
  return options;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const body = Buffer.alloc(Math.round(options.sizeMb * 1e6), 'x');
  let firstByteAt = 0;
  const server = createServer((_req, res) => {
    firstByteAt ||= performance.now();
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const scratch = mkdtempSync(join(tmpdir(), 'dec-bench-download-'));
  const syllabus = join(scratch, 'syllabus.yaml');
  const mirror = `http://127.0.0.1:${server.address().port}`;
  writeFileSync(
    syllabus,
    `schemaVersion: 1\nid: bench\ntitle: Bench\ndatasets:\n  yellow:\n    title: Yellow\n    mirror: ${mirror}/yellow_tripdata_{month}.csv.gz\nweeks:\n  - number: 1\n    id: week-1\n    title: One\n    topics:\n      - title: Load\n`,
  );
  const results = new Map(options.checkouts.map((checkout) => [checkout, { firstByte: [], whole: [], cpu: [] }]));
  const timed = existsSync(GNU_TIME);

  const runOnce = (checkout) =>
    new Promise((done, fail) => {
      const home = mkdtempSync(join(scratch, 'home-'));
      firstByteAt = 0;
      const started = performance.now();
      const cpuFile = join(home, 'cpu');
      const dec = [process.execPath, join(checkout, 'bin', 'dec.cjs'), 'data', 'get', 'yellow', '2021-01'];
      const [command, ...args] = timed ? [GNU_TIME, '-f', '%U %S', '-o', cpuFile, ...dec] : dec;
      const child = spawn(command, [...args, '--syllabus', syllabus], {
        env: { PATH: process.env.PATH, HOME: home, DEC_HOME: home, NO_COLOR: '1' },
        stdio: 'ignore',
      });
      child.on('error', fail);
      child.on('exit', (code) => {
        const ended = performance.now();
        const cpu = timed
          ? readFileSync(cpuFile, 'utf8')
              .trim()
              .split(/\s+/)
              .reduce((sum, seconds) => sum + Number(seconds) * 1000, 0)
          : NaN;
        rmSync(home, { recursive: true, force: true });
        if (code !== 0 || !firstByteAt) return fail(new Error(`${checkout}: dec data get exited ${code}`));
        done({ firstByte: firstByteAt - started, whole: ended - started, cpu });
      });
    });

  try {
    for (let round = 0; round <= options.runs; round++) {
      for (const checkout of options.checkouts) {
        const run = await runOnce(checkout);
        if (round === 0) continue; // a warm-up round: file system caches, V8's code cache
        results.get(checkout).firstByte.push(run.firstByte);
        results.get(checkout).whole.push(run.whole);
        results.get(checkout).cpu.push(run.cpu);
      }
    }
  } catch (error) {
    console.error(`Could not measure: ${error.message}`);
    process.exitCode = 2;
  } finally {
    server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  if (process.exitCode) return;
  console.log(`dec data get of ${options.sizeMb} MB over loopback, median of ${options.runs} runs:`);
  for (const [checkout, { firstByte, whole, cpu }] of results) {
    const cpuText = timed ? `, CPU ${median(cpu).toFixed(0)} ms` : '';
    console.log(
      `  ${checkout}: GET reaches the server after ${median(firstByte).toFixed(0)} ms, whole get ${median(whole).toFixed(0)} ms${cpuText}`,
    );
  }
}

await main();
