// dec setup week6 --brokers 3 (the three-broker variant, for the replication lesson) against the real
// engine. No registry is reachable, so one busybox stand-in plays every service, answering TCP and HTTP
// on the ports ZooKeeper, the brokers, Schema Registry and Control Center use. What is checked is dec's
// part: six containers on the variant's own network, each broker with its id and host port and
// advertising that port, every broker reachable by name (broker-1 also as `broker`), the lesson's
// commands printed with the real container name, the variant remembered (a plain `dec setup week6` and
// --down act on it; a stopped broker is started again), and the one-broker stack refused while it runs.
// Its own sandbox project; only that project's resources are removed.
import { mkdirSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, ensureBusyboxImage, freePort, removeDecProject, requireDocker } from '../helpers/docker.js';
import { imageWithCommand, PGADMIN_TEST_IMAGE } from '../helpers/images.js';
import { makeSandbox, noUnexpectedError, runDec, type RunResult, type Sandbox } from '../helpers/run.js';

const STANDIN = 'dec-test/kafka-standin:1';
const STACK = 'week6-three-brokers';
const SERVICES = ['zookeeper', 'broker-1', 'broker-2', 'broker-3', 'schema-registry', 'control-center'] as const;
const BROKERS = ['broker-1', 'broker-2', 'broker-3'] as const;

/** busybox httpd on every port of the stack (container side), stopping at once on SIGTERM (as setup-week6's). */
const STANDIN_COMMAND = [
  'sh',
  '-c',
  "trap 'kill $pids 2>/dev/null; exit 0' TERM INT; " +
    '/bin/busybox mkdir -p /www && echo -n ok > /www/index.html && echo -n [] > /www/subjects && ' +
    'for port in 2181 9092 29092 8081 9021; do httpd -f -p $port -h /www & pids="$pids $!"; done; wait',
];

let sandbox: Sandbox;
const ports: Record<string, number> = {};

const dec = (...args: string[]): Promise<RunResult> =>
  runDec(args, { cwd: sandbox.home, env: { ...sandbox.env, NO_COLOR: '1' }, timeoutMs: 120_000 });
const named = (service: string) => `${sandbox.project}-${STACK}-${service}`;

/** The stand-in for every service, on free ports. */
const flags = () =>
  SERVICES.flatMap((service) => ['--image', `${service}=${STANDIN}`, '--port', `${service}=${ports[service]}`]);

/** The sandbox project's containers: name → state. */
async function containers(): Promise<Record<string, string>> {
  const out = await docker([
    'ps',
    '-a',
    '--filter',
    `label=dec.project=${sandbox.project}`,
    '--format',
    '{{.Names}} {{.State}}',
  ]);
  return Object.fromEntries(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ') as [string, string]),
  );
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
  await removeDecProject(sandbox.project);
  rmSync(sandbox.root, { recursive: true, force: true });
}, 120_000);

describe('dec setup week6 --brokers 3 (real engine)', { timeout: 300_000 }, () => {
  it('starts three brokers with their ids and host ports, prints the lesson, and is remembered', async () => {
    const run = await dec('setup', 'week6', '--brokers', '3', ...flags());
    expect(run.code, run.stderr).toBe(0);
    noUnexpectedError(run);
    expect(await containers()).toEqual(Object.fromEntries(SERVICES.map((s) => [named(s), 'running'])));

    // Each broker: its id, container port 9092 on its own host port (127.0.0.1), advertising that port.
    for (const [index, broker] of BROKERS.entries()) {
      const env = JSON.parse(await docker(['inspect', '--format', '{{json .Config.Env}}', named(broker)])) as string[];
      expect(env).toEqual(
        expect.arrayContaining([
          `KAFKA_BROKER_ID=${index + 1}`,
          `KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://${broker}:29092,PLAINTEXT_HOST://localhost:${ports[broker]}`,
          'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=3',
          'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=2',
        ]),
      );
      expect((await docker(['port', named(broker), '9092'])).trim()).toBe(`127.0.0.1:${ports[broker]}`);
    }
    // The variant's own network, with every service on it under its name; broker-1 is also `broker`.
    const network = `${sandbox.project}-kafka-replication-network`;
    const members = await docker(['network', 'inspect', '--format', '{{range .Containers}}{{.Name}} {{end}}', network]);
    expect(members.trim().split(' ').sort()).toEqual(SERVICES.map(named).sort());
    for (const host of ['broker', ...BROKERS])
      expect(
        await docker([
          'exec',
          named('schema-registry'),
          '/bin/busybox',
          'wget',
          '-qO-',
          `http://${host}:29092/index.html`,
        ]),
        host,
      ).toBe('ok');
    const sr = JSON.parse(
      await docker(['inspect', '--format', '{{json .Config.Env}}', named('schema-registry')]),
    ) as string[];
    expect(sr).toContain(
      'SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS=PLAINTEXT://broker-1:29092,PLAINTEXT://broker-2:29092,PLAINTEXT://broker-3:29092',
    );

    // The lesson, with dec's container name and the host ports the brokers really have.
    expect(run.stdout).toContain(`docker stop ${named('broker-2')}`);
    expect(run.stdout).toContain('--replication-factor 3');
    expect(run.stdout).toContain(
      `localhost:${ports['broker-1']},localhost:${ports['broker-2']},localhost:${ports['broker-3']}`,
    );
    expect(run.stdout).toContain('the course runs one broker');

    const status = await dec('setup', 'status', '6', '--json');
    expect(status.code, status.stderr).toBe(0);
    const doc = JSON.parse(status.stdout) as {
      stacks: Array<{ stack: string; services: Array<{ service: string; state: string; ready: boolean }> }>;
    };
    expect(doc.stacks[0]!.stack).toBe(STACK);
    expect(doc.stacks[0]!.services.map((s) => [s.service, s.state, s.ready])).toEqual(
      SERVICES.map((s) => [s, 'running', true]),
    );

    // The one-broker stack (same host ports) is refused while this one has containers; nothing of it is made.
    const refused = await dec('setup', 'week6', '--brokers', '1');
    expect(refused.code).toBe(2);
    noUnexpectedError(refused);
    expect(refused.stderr).toContain(`dec setup ${STACK} --down (its data is kept), then dec setup week6 --brokers 1`);
    expect(Object.keys(await containers()).every((name) => name.startsWith(`${sandbox.project}-${STACK}-`))).toBe(true);

    // The lesson's step 4: a broker stopped by hand; a plain `dec setup week6` (the variant, remembered) starts it.
    await docker(['stop', '-t', '1', named('broker-2')]);
    expect((await containers())[named('broker-2')]).toBe('exited');
    const again = await dec('setup', 'week6');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('the three-brokers setup, as last time (--brokers 1 for the week');
    expect((await containers())[named('broker-2')]).toBe('running');

    // --down without the flag takes the variant down, keeping each broker's volume.
    const down = await dec('setup', 'week6', '--down');
    expect(down.code, down.stderr).toBe(0);
    expect(await containers()).toEqual({});
    for (const broker of BROKERS)
      expect(await docker(['volume', 'ls', '-q', '--filter', `name=${named(`${broker}_data`)}`])).toContain(
        named(`${broker}_data`),
      );
    // Then --brokers 1 plans the course's one-broker stack.
    const single = await dec('setup', 'week6', '--brokers', '1', '--dry-run');
    expect(single.code, single.stderr).toBe(0);
    expect(single.stdout).toContain(`${sandbox.project}-week6-broker (`);
    expect(await containers()).toEqual({});
  });
});
