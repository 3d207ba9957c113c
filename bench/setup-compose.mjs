// `dec setup` against Debian's docker-compose 1.29 on the same stack, side by side in one run (issue 12,
// "Speed"): a stand-in of week 2's shape (postgres, redis, an init job that must complete, then
// webserver, scheduler, worker, triggerer and flower; every service with a Docker health check, and the
// airflow-like ones from an image dec builds from a context), images present, fresh volumes each round.
//   dec:     `dec setup 1` until it exits (it returns once every service is healthy and the job is done)
//   compose: `docker-compose -p <name> -f <dec setup 1 --print-compose> up -d`, then polling
//            `docker inspect` until every service is healthy and the job exited 0
// The rounds alternate which goes first (the machine is noisy; medians are reported). Also: the re-run of
// `dec setup` on the running stack (goal < 1 s), and proof that an unchanged build context is not built
// again (the image id stays, no "building" step after the first round).
// Everything it makes carries the project dectest-bench-compose (names, the dec.project label, Compose's
// project; the Compose file gets the same label on its containers, volumes and network), so a test run of
// another session at the same time takes it for test-made, not for a student's (test/global-setup.ts);
// the base image carries dec.bench=setup-compose. All of it is removed at the end.
//   node bench/setup-compose.mjs [rounds]      (default 5; needs a Docker engine and docker-compose)
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const ROUNDS = Number(process.argv[2] ?? 5);
const PROJECT = 'dectest-bench-compose';
const STACK = 'bench';
const BASE = `${PROJECT}/busybox:1`;
const BUILT = `${PROJECT}/airflow`;
const BENCH_LABEL = 'dec.bench=setup-compose';
const COMPOSE = '/usr/bin/docker-compose';
const COMPOSE_PROJECT = `${PROJECT}-${STACK}`;
const bin = fileURLToPath(new URL('../bin/dec.cjs', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'dec-bench-compose-'));
const env = { ...process.env, DEC_HOME: join(work, 'dec-home'), DEC_PROJECT: PROJECT, NO_COLOR: '1' };
delete env.CI;

const run = (file, args, options = {}) =>
  spawnSync(file, args, { encoding: 'utf8', timeout: 180_000, env, cwd: work, ...options });
const docker = (...args) => run('docker', args, { timeout: 60_000 });
const dec = (...args) => run(process.execPath, [bin, '--syllabus', join(work, 'syllabus.yaml'), ...args]);

for (const [what, ok] of [
  ['a Docker engine (docker info)', docker('info').status === 0],
  [`${COMPOSE} (apt-get install docker-compose)`, run(COMPOSE, ['version']).status === 0],
  ['/bin/busybox (apt-get install busybox-static)', run('/bin/busybox', ['true']).status === 0],
]) {
  if (!ok) {
    console.error(`bench/setup-compose needs ${what}`);
    process.exit(2);
  }
}

// ---- the stand-in stack --------------------------------------------------------------------------------

/** The base image: busybox-static with its applets, imported (no registry needed). */
function importBase() {
  const root = join(work, 'rootfs');
  for (const sub of ['bin', 'etc', 'tmp']) mkdirSync(join(root, sub), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
  for (const applet of ['sh', 'sleep', 'touch', 'test', 'echo', 'cat', 'true'])
    symlinkSync('busybox', join(root, 'bin', applet));
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  const tar = spawnSync('tar', ['-C', root, '--owner=0', '--group=0', '--numeric-owner', '-c', '.'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const imported = spawnSync('docker', ['import', '--change', `LABEL ${BENCH_LABEL}`, '-', BASE], {
    input: tar.stdout,
    timeout: 60_000,
  });
  if (imported.status !== 0) throw new Error(`docker import failed: ${imported.stderr}`);
}

/** A long-running service that becomes healthy about a second after it starts (as a real one takes a while). */
const service = (name, extra = '') => `      ${name}:
        image: ${extra.includes('build:') ? BUILT : BASE}
${extra}        command: [sh, -c, "trap 'exit 0' TERM INT; sleep 1; touch /tmp/ok; while :; do sleep 1; done"]
        healthcheck:
          test: [CMD, test, -f, /tmp/ok]
          interval: 1s
          timeout: 2s
          retries: 30
          startPeriod: 0s
`;
const built = `        build:
          context: airflow
`;
const afterInit = `        dependsOn:
          airflow-init: completed
          postgres: healthy
          redis: healthy
`;

const SYLLABUS = `schemaVersion: 1
id: bench-compose
title: Bench course
stacks:
  ${STACK}:
    title: Week 2 stand-in
    network:
      name: bench-net
    services:
${service('postgres', '        volumes:\n          - name: pgdata\n            path: /data\n')}${service('redis')}      airflow-init:
        image: ${BUILT}
${built}        job: true
        command: [sh, -c, "sleep 1; echo initialised"]
        dependsOn:
          postgres: healthy
          redis: healthy
${service('airflow-webserver', built + afterInit)}${service('airflow-scheduler', built + afterInit)}${service('airflow-worker', built + afterInit)}${service('airflow-triggerer', built + afterInit)}${service('flower', built + afterInit)}weeks:
  - number: 1
    id: week-1
    title: First week
    topics:
      - title: Bench
    setup:
      summary: The stand-in stack.
      stack: ${STACK}
`;

function writeStack() {
  writeFileSync(join(work, 'syllabus.yaml'), SYLLABUS);
  mkdirSync(join(work, 'airflow'), { recursive: true });
  writeFileSync(join(work, 'airflow', 'Dockerfile'), `FROM ${BASE}\nRUN echo built > /built.txt\n`);
}

// ---- the two ways up -----------------------------------------------------------------------------------

const containers = () =>
  docker('ps', '-aq', '--filter', `name=^${PROJECT}-${STACK}-`).stdout.split('\n').filter(Boolean);

/** Every service healthy and the job exited 0, from one `docker inspect` of every container. */
function allReady(ids, expected) {
  if (ids.length < expected) return false;
  const states = docker(
    'inspect',
    '--format',
    '{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{end}}',
    ...ids,
  ).stdout;
  return states
    .split('\n')
    .filter(Boolean)
    .every((line) => {
      const [name, status, code, health] = line.split(' ');
      return name.endsWith('-airflow-init') ? status === 'exited' && code === '0' : health === 'healthy';
    });
}

const SERVICES = 8;

function withCompose(file) {
  const started = performance.now();
  const up = run(COMPOSE, ['-p', COMPOSE_PROJECT, '-f', file, 'up', '-d'], { env: { ...process.env } });
  if (up.status !== 0) throw new Error(`docker-compose up failed:\n${up.stderr}`);
  for (let i = 0; i < 1200; i++) {
    if (allReady(containers(), SERVICES)) {
      const ms = performance.now() - started;
      // Compose's own re-run on the stack that is up: its counterpart of dec's "nothing to change".
      const again = performance.now();
      const rerun = run(COMPOSE, ['-p', COMPOSE_PROJECT, '-f', file, 'up', '-d'], { env: { ...process.env } });
      if (rerun.status !== 0) throw new Error(`docker-compose up (again) failed:\n${rerun.stderr}`);
      return { ms, rerunMs: performance.now() - again };
    }
    spawnSync('sleep', ['0.05']);
  }
  throw new Error('the Compose stack did not become healthy within 2 minutes');
}

/** What starting any Node program costs on this machine now: the floor under dec's re-run. */
function nodeStart() {
  const started = performance.now();
  run(process.execPath, ['-e', '0']);
  return performance.now() - started;
}

function composeDown(file) {
  run(COMPOSE, ['-p', COMPOSE_PROJECT, '-f', file, 'down', '-v', '--remove-orphans', '-t', '2'], {
    env: { ...process.env },
  });
}

function withDec() {
  const started = performance.now();
  const up = dec('setup', '1');
  const ms = performance.now() - started;
  if (up.status !== 0) throw new Error(`dec setup failed:\n${up.stdout}\n${up.stderr}`);
  if (!allReady(containers(), SERVICES)) throw new Error('dec setup returned before every service was ready');
  const again = performance.now();
  const rerun = dec('setup', '1');
  const rerunMs = performance.now() - again;
  if (rerun.status !== 0 || !rerun.stdout.includes('nothing to change'))
    throw new Error(`the re-run changed something:\n${rerun.stdout}\n${rerun.stderr}`);
  return { ms, rerunMs, built: /building /.test(up.stderr + up.stdout) };
}

function decDown() {
  dec('setup', '1', '--destroy', '--yes');
}

/** The --print-compose file with dec.project on what Compose makes (see the top); nothing else changes. */
function labelled(text) {
  const file = parse(text);
  const label = { 'dec.project': PROJECT };
  for (const group of ['services', 'volumes', 'networks'])
    for (const entry of Object.values(file[group] ?? {})) entry.labels = { ...entry.labels, ...label };
  return stringify(file, { version: '1.1', lineWidth: 0 });
}

const imageId = (tag) => docker('image', 'inspect', '--format', '{{.Id}}', tag).stdout.trim();

// ---- the rounds ----------------------------------------------------------------------------------------

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const composeMs = [];
const decMs = [];
const rerunMs = [];
const composeRerunMs = [];
const nodeMs = [];
const builtImages = new Set();
let rebuilt = 0;
const composeFile = join(work, 'docker-compose.yaml');
try {
  importBase();
  writeStack();
  // The first setup builds the image (not timed): both sides then start with every image present.
  const first = dec('setup', '1');
  if (first.status !== 0) throw new Error(`the first dec setup failed:\n${first.stdout}\n${first.stderr}`);
  const printed = dec('setup', '1', '--print-compose');
  if (printed.status !== 0) throw new Error(`--print-compose failed: ${printed.stderr}`);
  writeFileSync(composeFile, labelled(printed.stdout));
  const tag = /image: (dectest-bench-compose\/airflow:\w+)/.exec(printed.stdout)?.[1];
  const builtId = imageId(tag);
  decDown();
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['dec', 'compose'] : ['compose', 'dec'];
    for (const side of order) {
      if (side === 'dec') {
        const result = withDec();
        decMs.push(result.ms);
        rerunMs.push(result.rerunMs);
        if (result.built) rebuilt++;
        decDown();
      } else {
        const result = withCompose(composeFile);
        composeMs.push(result.ms);
        composeRerunMs.push(result.rerunMs);
        nodeMs.push(nodeStart());
        composeDown(composeFile);
      }
    }
    builtImages.add(imageId(tag));
    process.stderr.write(
      `round ${round + 1}/${ROUNDS}: dec ${decMs.at(-1).toFixed(0)} ms, compose ${composeMs.at(-1).toFixed(0)} ms, re-run ${rerunMs.at(-1).toFixed(0)} ms (compose ${composeRerunMs.at(-1).toFixed(0)} ms, node -e 0 ${nodeMs.at(-1).toFixed(0)} ms)\n`,
    );
  }
  if (builtImages.size !== 1 || !builtImages.has(builtId) || rebuilt > 0)
    throw new Error(`the unchanged context was built again (${rebuilt} runs said "building"; ids ${[...builtImages]})`);
} finally {
  composeDown(composeFile);
  decDown();
  // Only the images this bench made: its own repository names (the base carries dec.bench, the built
  // one dec.project=dectest-bench-compose).
  const images = docker('images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${PROJECT}/*`);
  for (const image of images.stdout.split('\n').filter(Boolean)) docker('rmi', image);
  rmSync(work, { recursive: true, force: true });
}

const ratio = median(decMs) / median(composeMs);
console.log(
  `week-2-shaped stand-in: ${SERVICES - 1} services + an init job, images present, ${ROUNDS} rounds, medians`,
);
console.log(`docker-compose 1.29 up -d + wait for health   ${median(composeMs).toFixed(0).padStart(6)} ms`);
console.log(
  `dec setup                                     ${median(decMs).toFixed(0).padStart(6)} ms   ${ratio.toFixed(2)}x`,
);
console.log(`docker-compose up -d again (stack up)          ${median(composeRerunMs).toFixed(0).padStart(6)} ms`);
console.log(
  `dec setup re-run (nothing to change)          ${median(rerunMs).toFixed(0).padStart(6)} ms   ${(median(rerunMs) / median(composeRerunMs)).toFixed(2)}x`,
);
console.log(`node -e 0 (the floor of any re-run here)      ${median(nodeMs).toFixed(0).padStart(6)} ms`);
console.log(`unchanged build context: built once, same image id in every round, no "building" after the first`);
const ok = ratio <= 1.0 && median(rerunMs) < 1000;
console.log(ok ? 'within the goals (<= 1.0x, re-run < 1 s)' : 'OUTSIDE the goals (<= 1.0x, re-run < 1 s)');
process.exitCode = ok ? 0 : 1;
