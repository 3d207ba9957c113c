// dec setup week6 (the course's Kafka stack) against the real engine. No registry is reachable, so one
// busybox stand-in plays every service: it answers TCP and HTTP on the ports ZooKeeper, the broker,
// Schema Registry and Control Center use. What is checked is dec's part: four services started in
// dependency order on one network, each waited on through its published port, the broker told the
// host port clients use (--port changes it), and topics' volumes kept by teardown.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cuttingDockerProxy,
  docker,
  dockerCli,
  ensureBusyboxImage,
  freePort,
  removeDecProject,
  requireDocker,
} from '../helpers/docker.js';
import { imageWithCommand, PGADMIN_TEST_IMAGE } from '../helpers/images.js';
import { makeSandbox, runDec, type RunResult, type Sandbox } from '../helpers/run.js';
import { noOverrides } from '../../src/setup/spec.js';
import { saveOverrides } from '../../src/setup/state.js';

const STANDIN = 'dec-test/kafka-standin:1';
/** Runs and listens on nothing. */
const SILENT = 'dec-test/silent:1';
const SERVICES = ['zookeeper', 'broker', 'schema-registry', 'control-center'] as const;
const VOLUMES = ['zookeeper_data', 'zookeeper_log', 'broker_data'];

/** busybox httpd on every port of the stack (container side), stopping at once on SIGTERM. */
const STANDIN_COMMAND = [
  'sh',
  '-c',
  "trap 'kill $pids 2>/dev/null; exit 0' TERM INT; " +
    '/bin/busybox mkdir -p /www && echo -n ok > /www/index.html && echo -n [] > /www/subjects && ' +
    'for port in 2181 9092 29092 8081 9021; do httpd -f -p $port -h /www & pids="$pids $!"; done; wait',
];

let sandbox: Sandbox;
const ports: Record<string, number> = {};

const dec = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
  runDec(args, { cwd: sandbox.home, env: { ...sandbox.env, ...env }, timeoutMs: 120_000 });

const removeStack = () => removeDecProject(sandbox.project);
/** A name in this suite's own project: `<project>-week6-<name>`. */
const named = (name: string) => `${sandbox.project}-week6-${name}`;
const stackFilter = () => `label=dec.project=${sandbox.project}`;

/** The stand-in for every service, on the free ports. */
const flags = () =>
  SERVICES.flatMap((service) => ['--image', `${service}=${STANDIN}`, '--port', `${service}=${ports[service]}`]);

// Each test states the stack it starts from, so that it passes alone (`vitest run -t '<name>'`) as well as
// after the test before it (which left the stack that way, so these cost little in file order).

/** The four services up and ready, their flags remembered. */
async function stackUp(): Promise<void> {
  const run = await dec(['setup', 'week6', ...flags()]);
  expect(run.code, `the stack this test starts from: ${run.stderr}`).toBe(0);
}

/** Nothing of the suite's project; the flags remembered, as a first setup with them leaves them. */
async function fromNothing(): Promise<void> {
  await removeStack();
  await saveOverrides(sandbox.env, 'dez-2022', 'week6', {
    ...noOverrides(),
    images: Object.fromEntries(SERVICES.map((service) => [service, STANDIN])),
    ports: { ...ports },
  });
}

beforeAll(async () => {
  await requireDocker();
  await ensureBusyboxImage();
  await imageWithCommand(STANDIN, PGADMIN_TEST_IMAGE, STANDIN_COMMAND);
  sandbox = makeSandbox();
  mkdirSync(sandbox.home, { recursive: true });
  for (const service of SERVICES) ports[service] = await freePort();
}, 240_000);

afterAll(async () => {
  await removeStack();
  rmSync(sandbox.root, { recursive: true, force: true });
}, 60_000);

// Each test may start Postgres from an empty volume: seconds when idle, far more on a loaded runner.
describe('dec setup week6', { timeout: 180_000 }, () => {
  it('starts the four services, ready, with the broker advertising the host port', async () => {
    await removeStack();
    const run = await dec(['setup', 'week6', ...flags()]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`localhost:${ports.broker} from your machine; broker:29092 from containers`);
    expect(run.stdout).toContain(`http://localhost:${ports['control-center']}`);

    const env = await docker(['inspect', '--format', '{{json .Config.Env}}', named('broker')]);
    expect(env).toContain(
      `KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://broker:29092,PLAINTEXT_HOST://localhost:${ports.broker}`,
    );
    // Inside the network the course's names work: schema-registry reaches broker:29092.
    expect(
      await docker([
        'exec',
        named('schema-registry'),
        '/bin/busybox',
        'wget',
        '-qO-',
        'http://broker:29092/index.html',
      ]),
    ).toBe('ok');
    // Published on 127.0.0.1 only.
    expect((await docker(['port', named('broker'), '9092'])).trim()).toBe(`127.0.0.1:${ports.broker}`);

    const status = await dec(['setup', 'status', '6', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const doc = JSON.parse(status.stdout) as {
      stacks: Array<{ services: Array<{ service: string; state: string; ready: boolean }> }>;
    };
    expect(doc.stacks[0]!.services.map((s) => [s.service, s.state, s.ready])).toEqual(
      SERVICES.map((service) => [service, 'running', true]),
    );
  }, 180_000);

  it('a stand-in that does not listen is not ready, though Docker publishes (and proxies) its port', async () => {
    await stackUp();
    // Runs, stops at once on SIGTERM, and listens on nothing: docker-proxy still accepts on the host port.
    await imageWithCommand(SILENT, PGADMIN_TEST_IMAGE, [
      'sh',
      '-c',
      "trap 'exit 0' TERM INT; while true; do sleep 1; done",
    ]);
    const silentPort = await freePort();
    const run = await dec([
      'setup',
      'week6',
      '--only',
      'zookeeper',
      '--image',
      `zookeeper=${SILENT}`,
      '--port',
      `zookeeper=${silentPort}`,
      '--timeout',
      '3',
    ]);
    expect(run.code, run.stdout).toBe(1);
    expect(run.stderr).toContain('zookeeper did not become ready');
    // The zookeeper that listens (the stand-in the stack ran with) is back, ready.
    const status = JSON.parse((await dec(['setup', 'status', '6', '--json'])).stdout) as {
      stacks: Array<{ services: Array<{ service: string; state: string; ready: boolean }> }>;
    };
    expect(status.stacks[0]!.services.find((s) => s.service === 'zookeeper')).toMatchObject({
      state: 'running',
      ready: true,
    });
  }, 60_000);

  it('--load is refused before anything starts: the stack has no Postgres', async () => {
    const run = await dec(['setup', 'week6', '--load', 'zones']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--load needs a Postgres, and the week6 stack has none.');
    expect(run.stderr).toContain('dec setup week1 --load zones');
  });

  it('teardown removes the containers and keeps the topics (volumes); --destroy --yes deletes them', async () => {
    await stackUp();
    const down = await dec(['teardown', 'week6']);
    expect(down.code, down.stderr).toBe(0);
    expect((await docker(['ps', '-aq', '--filter', stackFilter()])).trim()).toBe('');
    for (const volume of VOLUMES) expect((await dockerCli(['volume', 'inspect', named(volume)])).code).toBe(0);
    // --destroy deletes them, only when confirmed (no terminal here: --yes).
    const unconfirmed = await dec(['teardown', 'week6', '--destroy']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/--yes/);
    for (const volume of VOLUMES) expect((await dockerCli(['volume', 'inspect', named(volume)])).code).toBe(0);
    const destroyed = await dec(['teardown', 'week6', '--destroy', '--yes']);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    for (const volume of VOLUMES) expect((await dockerCli(['volume', 'inspect', named(volume)])).code).not.toBe(0);
  }, 120_000);

  it('the engine going away at any step: a clear error (exit 2), and the next run picks up from there', async () => {
    await fromNothing();
    const socket = join(sandbox.root, 'engine.sock');
    const outcomes: string[] = [];
    // Cut after 3 requests (before anything is made) up to 24 (containers half made): every step.
    for (const cutAfter of [3, 6, 9, 12, 15, 18, 21, 24]) {
      const proxy = await cuttingDockerProxy(socket, cutAfter);
      try {
        const run = await dec(['setup', 'week6'], { DOCKER_HOST: `unix://${socket}` });
        outcomes.push(run.code === 0 ? 'done' : 'cut');
        if (run.code !== 0) {
          expect(run.code, `cut after ${cutAfter}: ${run.stderr}`).toBe(2);
          expect(run.stderr).toMatch(/The Docker engine stopped answering|Cannot reach the Docker engine/);
          expect(run.stderr).not.toMatch(/unexpected error|\n\s+at /);
        }
      } finally {
        await proxy.close();
      }
    }
    // Most runs are cut (the stack has four containers to make); a run may finish before its cut.
    expect(outcomes.filter((o) => o === 'cut').length, outcomes.join(' ')).toBeGreaterThanOrEqual(4);
    const again = await dec(['setup', 'week6']);
    expect(again.code, again.stderr).toBe(0);
    const status = JSON.parse((await dec(['setup', 'status', '6', '--json'])).stdout) as {
      stacks: Array<{ services: Array<{ state: string; ready: boolean }> }>;
    };
    expect(status.stacks[0]!.services.every((s) => s.state === 'running' && s.ready)).toBe(true);
  }, 240_000);
});
