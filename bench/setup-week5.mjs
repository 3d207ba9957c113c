// `dec setup week5` against Debian's docker-compose 1.29 on the same Spark cluster, side by side in one run
// (issue 13, "Speed and scale"): the week5 stack of syllabus/dez-2022.yaml with only its images (a busybox
// stand-in of dec's Spark image: a master whose /json/ page counts the workers that registered, workers
// that register REGISTER_AFTER s after they start, as a JVM takes a while, and a JupyterLab that answers
// /api) and its host ports (free ones) replaced.
//   dec:     `dec setup week5` until it exits (it returns once the master counts every worker alive and
//            JupyterLab answers)
//   compose: `docker-compose -p <name> -f <dec setup week5 --print-compose> up -d`, then polling the
//            master's /json/ until it counts the workers and JupyterLab's /api until it answers
// Then scaling 2 -> 4 both ways: `dec setup week5 --workers 4` against `docker-compose up -d --scale
// spark-worker=4` plus the same wait (and proof that dec made exactly two containers and kept the others).
// The rounds alternate which goes first (the machine is noisy; medians are reported). Everything carries
// the project dectest-bench-week5 and is removed at the end.
//   node bench/setup-week5.mjs [rounds]      (default 3; needs a Docker engine and docker-compose)
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const ROUNDS = Number(process.argv[2] ?? 3);
const REGISTER_AFTER = 2; // the stand-in's default
const PROJECT = 'dectest-bench-week5';
const STACK = 'week5';
const IMAGE = `${PROJECT}/spark-standin:1`;
const BENCH_LABEL = 'dec.bench=setup-week5';
const COMPOSE = '/usr/bin/docker-compose';
const COMPOSE_PROJECT = `${PROJECT}-${STACK}`;
const repo = fileURLToPath(new URL('../', import.meta.url));
const bin = join(repo, 'bin', 'dec.cjs');
const work = mkdtempSync(join(tmpdir(), 'dec-bench-week5-'));
const token = 'bench'.repeat(8);
const env = { ...process.env, DEC_HOME: join(work, 'dec-home'), DEC_PROJECT: PROJECT, NO_COLOR: '1' };
delete env.CI;

const run = (file, args, options = {}) =>
  spawnSync(file, args, { encoding: 'utf8', timeout: 240_000, env, cwd: work, ...options });
const docker = (...args) => run('docker', args, { timeout: 60_000 });
const dec = (...args) => run(process.execPath, [bin, '--syllabus', join(work, 'syllabus.yaml'), ...args]);
const composeEnv = { ...process.env, JUPYTER_JUPYTER_TOKEN: token };
const compose = (...args) =>
  run(COMPOSE, ['-p', COMPOSE_PROJECT, '-f', join(work, 'docker-compose.yaml'), ...args], { env: composeEnv });

for (const [what, ok] of [
  ['a Docker engine (docker info)', docker('info').status === 0],
  [`${COMPOSE} (apt-get install docker-compose)`, run(COMPOSE, ['version']).status === 0],
  ['/bin/busybox (apt-get install busybox-static)', run('/bin/busybox', ['true']).status === 0],
]) {
  if (!ok) {
    console.error(`bench/setup-week5 needs ${what}`);
    process.exit(2);
  }
}

// ---- the stand-in image ----------------------------------------------------------------------------------

// The roles of templates/stacks/week5-spark/entrypoint.sh, in busybox sh: the tests' stand-in script.
// Its workers register STANDIN_REGISTER_AFTER (default 2) seconds after they start.
const ENTRYPOINT = readFileSync(new URL('../test/fixtures/spark-standin/dec-spark.sh', import.meta.url), 'utf8');

function buildImage() {
  const root = join(work, 'rootfs');
  for (const sub of ['bin', 'etc', 'tmp', 'www']) mkdirSync(join(root, sub), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
  symlinkSync('busybox', join(root, 'bin', 'sh'));
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(root, 'dec-spark'), ENTRYPOINT, { mode: 0o755 });
  const tar = spawnSync('tar', ['-C', root, '--owner=0', '--group=0', '--numeric-owner', '-c', '.'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const imported = spawnSync(
    'docker',
    [
      'import',
      '--change',
      `LABEL ${BENCH_LABEL}`,
      '--change',
      'ENTRYPOINT ["/bin/sh", "/dec-spark"]',
      '--change',
      'CMD ["master"]',
      '-',
      IMAGE,
    ],
    { input: tar.stdout, timeout: 60_000 },
  );
  if (imported.status !== 0) throw new Error(`docker import failed: ${imported.stderr}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

let uiPort = 0;
let jupyterPort = 0;

async function writeSyllabus() {
  const syllabus = parse(readFileSync(join(repo, 'syllabus', 'dez-2022.yaml'), 'utf8'));
  for (const service of Object.values(syllabus.stacks[STACK].services)) {
    service.image = IMAGE;
    delete service.build;
    for (const port of service.ports ?? []) port.host = await freePort();
  }
  uiPort = syllabus.stacks[STACK].services['spark-master'].ports[0].host;
  jupyterPort = syllabus.stacks[STACK].services.jupyter.ports[0].host;
  writeFileSync(join(work, 'syllabus.yaml'), stringify(syllabus));
  mkdirSync(join(work, 'homework', 'week5'), { recursive: true });
}

// ---- the waits -----------------------------------------------------------------------------------------

function get(port, path) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 1000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

async function aliveWorkers() {
  const page = await get(uiPort, '/json/');
  try {
    return page?.status === 200 ? JSON.parse(page.body).aliveworkers : -1;
  } catch {
    return -1;
  }
}

/** The master counts `workers` alive and JupyterLab answers: what dec's readiness waits for. */
async function clusterReady(workers) {
  return (await aliveWorkers()) === workers && (await get(jupyterPort, '/api'))?.status === 200;
}

async function waitCluster(workers) {
  for (let i = 0; i < 2400; i++) {
    if (await clusterReady(workers)) return;
    await sleep(50);
  }
  throw new Error(`the cluster did not count ${workers} workers within 2 minutes`);
}

const containers = () =>
  Object.fromEntries(
    docker('ps', '-a', '--filter', `name=^${PROJECT}-${STACK}-`, '--format', '{{.Names}} {{.ID}}')
      .stdout.split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ')),
  );

// ---- the two ways up -----------------------------------------------------------------------------------

async function withCompose() {
  const started = performance.now();
  const up = compose('up', '-d');
  if (up.status !== 0) throw new Error(`docker-compose up failed:\n${up.stderr}`);
  await waitCluster(2);
  const ms = performance.now() - started;
  const before = containers();
  const scaling = performance.now();
  const scaled = compose('up', '-d', '--scale', 'spark-worker=4');
  if (scaled.status !== 0) throw new Error(`docker-compose up --scale failed:\n${scaled.stderr}`);
  await waitCluster(4);
  const scaleMs = performance.now() - scaling;
  const after = containers();
  const kept = Object.entries(before).every(([name, id]) => after[name] === id);
  return { ms, scaleMs, kept };
}

function composeDown() {
  compose('down', '-v', '--remove-orphans', '-t', '2');
}

async function withDec() {
  const started = performance.now();
  const up = dec('setup', STACK, '--workers', '2');
  const ms = performance.now() - started;
  if (up.status !== 0) throw new Error(`dec setup failed:\n${up.stdout}\n${up.stderr}`);
  if (!(await clusterReady(2))) throw new Error('dec setup returned before the master counted 2 workers');
  const before = containers();
  const scaling = performance.now();
  const scaled = dec('setup', STACK, '--workers', '4');
  const scaleMs = performance.now() - scaling;
  if (scaled.status !== 0) throw new Error(`dec setup --workers 4 failed:\n${scaled.stdout}\n${scaled.stderr}`);
  if (!(await clusterReady(4))) throw new Error('dec setup --workers 4 returned before the master counted 4');
  const after = containers();
  const added = Object.keys(after).filter((name) => !(name in before));
  const kept = Object.entries(before).every(([name, id]) => after[name] === id);
  if (added.length !== 2 || !kept)
    throw new Error(`scaling 2 -> 4 added ${added.join(', ')}; kept the others: ${kept}`);
  return { ms, scaleMs };
}

function decDown() {
  dec('setup', STACK, '--destroy', '--yes');
}

/** The --print-compose file with dec.project on what Compose makes; nothing else changes. */
function labelled(text) {
  const file = parse(text);
  const label = { 'dec.project': PROJECT };
  for (const group of ['services', 'volumes', 'networks'])
    for (const entry of Object.values(file[group] ?? {})) entry.labels = { ...entry.labels, ...label };
  return stringify(file, { version: '1.1', lineWidth: 0 });
}

// ---- the rounds ----------------------------------------------------------------------------------------

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const composeMs = [];
const decMs = [];
const composeScaleMs = [];
const decScaleMs = [];
let composeKept = true;
try {
  buildImage();
  await writeSyllabus();
  const printed = dec('setup', STACK, '--print-compose');
  if (printed.status !== 0) throw new Error(`--print-compose failed: ${printed.stderr}`);
  writeFileSync(join(work, 'docker-compose.yaml'), labelled(printed.stdout));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['dec', 'compose'] : ['compose', 'dec'];
    for (const side of order) {
      if (side === 'dec') {
        const result = await withDec();
        decMs.push(result.ms);
        decScaleMs.push(result.scaleMs);
        decDown();
      } else {
        const result = await withCompose();
        composeMs.push(result.ms);
        composeScaleMs.push(result.scaleMs);
        composeKept &&= result.kept;
        composeDown();
      }
    }
    process.stderr.write(
      `round ${round + 1}/${ROUNDS}: up dec ${decMs.at(-1).toFixed(0)} ms, compose ${composeMs.at(-1).toFixed(0)} ms; 2 -> 4 dec ${decScaleMs.at(-1).toFixed(0)} ms, compose ${composeScaleMs.at(-1).toFixed(0)} ms\n`,
    );
  }
} finally {
  composeDown();
  decDown();
  docker('rmi', IMAGE);
  rmSync(work, { recursive: true, force: true });
}

const ratio = median(decMs) / median(composeMs);
const scaleRatio = median(decScaleMs) / median(composeScaleMs);
console.log(
  `week5 stand-in: master, 2 workers (registering ${REGISTER_AFTER} s after start), JupyterLab; images present, ${ROUNDS} rounds, medians`,
);
console.log(`docker-compose 1.29 up -d + wait for 2 alive   ${median(composeMs).toFixed(0).padStart(6)} ms`);
console.log(
  `dec setup week5 --workers 2                    ${median(decMs).toFixed(0).padStart(6)} ms   ${ratio.toFixed(2)}x`,
);
console.log(`docker-compose up --scale 4 + wait for 4 alive ${median(composeScaleMs).toFixed(0).padStart(6)} ms`);
console.log(
  `dec setup week5 --workers 4                    ${median(decScaleMs).toFixed(0).padStart(6)} ms   ${scaleRatio.toFixed(2)}x`,
);
console.log(
  `scaling 2 -> 4 added exactly two containers and kept the others (dec: checked every round; compose: ${composeKept})`,
);
const ok = ratio <= 1.0;
console.log(ok ? 'within the goal (<= 1.0x)' : 'OUTSIDE the goal (<= 1.0x)');
process.exitCode = ok ? 0 : 1;
