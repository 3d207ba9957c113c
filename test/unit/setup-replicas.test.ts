// Replicas of a service (issue 12: Spark workers next) against the engine in memory: the syllabus's
// limits (no published ports, no job), one container per replica with its name and label, dependents
// waiting for every replica, scaling up adding containers and touching nothing else, scaling down
// removing the extra ones (never a volume), status per replica, --dry-run and --print-compose.
// The stack is test/fixtures/syllabi/flow-stack.yaml with a replicated worker added.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isDecError } from '../../src/errors.js';
import { composeYaml } from '../../src/setup/compose.js';
import { down, planDown, planUp, stackStatus, up } from '../../src/setup/engine.js';
import { planLines, wholeStackUp } from '../../src/setup/plan.js';
import { desiredStack, instancesOf, noOverrides, REPLICA_LABEL, type DesiredStack } from '../../src/setup/spec.js';
import { actualState } from '../../src/setup/apply.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import type { Stack } from '../../src/syllabus/schema.js';
import { applySeams as seams, FakeEngine } from '../helpers/fake-engine.js';

const FIXTURE = new URL('../fixtures/syllabi/flow-stack.yaml', import.meta.url);
const TEXT = readFileSync(FIXTURE, 'utf8');
const course = parseSyllabus(Buffer.from(TEXT), 'flow-stack.yaml');
const HOST = { uid: 1000, gid: 1000 };

/** The fixture's stack plus `worker` with this many replicas (unset: one plain container), and `report` waiting for it. */
function withWorkers(replicas: number | undefined): Stack {
  const stack = structuredClone(course.stacks.flow!);
  stack.services.worker = {
    image: 'flow/app:1',
    ...(replicas !== undefined ? { replicas } : {}),
    volumes: [{ name: 'scratch', path: '/scratch' }],
    dependsOn: ['db'],
  };
  stack.services.report = { image: 'flow/app:1', dependsOn: ['worker'] };
  return stack;
}
/** 'plain': worker without `replicas` (one container named as the service). */
const flow = (replicas: number | 'plain' = 3): DesiredStack =>
  desiredStack('flow', withWorkers(replicas === 'plain' ? undefined : replicas), course.id, noOverrides(), 'dec', HOST);
const worker = (n: number) => `dec-flow-worker-${n}`;

async function bringUp(engine: FakeEngine, desired: DesiredStack) {
  const planned = await planUp(engine.client, desired, { recreate: false, repair: true, warn: () => undefined });
  const options = seams(engine);
  const result = await up(engine.client, desired, planned.plan, options);
  return { planned, result, events: options.events };
}

/** The syllabus with `worker` (given as YAML lines under services) checked: 'valid' or its error lines. */
function check(serviceLines: string[]): string {
  const text = TEXT.replace('    services:\n', `    services:\n${serviceLines.map((l) => `      ${l}`).join('\n')}\n`);
  try {
    parseSyllabus(Buffer.from(text), 'flow-stack.yaml');
    return 'valid';
  } catch (error) {
    return isDecError(error) ? [error.message, ...error.details].join('\n') : String(error);
  }
}

describe('the syllabus checks replicas', () => {
  it('a replicated service cannot publish ports: refused at the ports, with file:line:column and the way out', () => {
    const result = check([
      'worker:',
      '  image: flow/app:1',
      '  replicas: 2',
      '  ports:',
      '    - host: 18081',
      '      container: 8080',
    ]);
    expect(result).toMatch(
      /flow-stack\.yaml:17:11 {2}stacks\.flow\.services\.worker\.ports: a service with replicas: 2 cannot publish ports: every replica would need the same host port\. Drop `ports` \(other services reach the replicas by the service name\), or set replicas: 1$/m,
    );
  });

  it('one replica may publish ports; a job cannot have replicas; 0 replicas is no count', () => {
    expect(
      check(['worker:', '  image: flow/app:1', '  replicas: 1', '  ports:', '    - { host: 1, container: 2 }']),
    ).toBe('valid');
    expect(check(['worker:', '  image: flow/app:1', '  job: true', '  replicas: 2'])).toMatch(
      /services\.worker\.replicas: a job runs once: it cannot have replicas/,
    );
    expect(check(['worker:', '  image: flow/app:1', '  replicas: 0'])).toMatch(/services\.worker\.replicas/);
  });
});

describe('the desired spec', () => {
  it('one container per replica: named <service>-<n>, labelled with n, all reached by the service name', () => {
    const service = flow(3).services.find((s) => s.service === 'worker')!;
    const instances = instancesOf(service);
    expect(instances.map((i) => [i.containerName, i.labels[REPLICA_LABEL], i.aliases[0]])).toEqual([
      [worker(1), '1', 'worker'],
      [worker(2), '2', 'worker'],
      [worker(3), '3', 'worker'],
    ]);
    expect(new Set(instances.map((i) => i.configHash)).size).toBe(1);
  });

  it('the count is not in the config hash (scaling touches no container), being replicated is', () => {
    const hash = (replicas: number | 'plain') =>
      flow(replicas).services.find((s) => s.service === 'worker')!.configHash;
    expect(hash(2)).toBe(hash(5));
    expect(hash('plain')).not.toBe(hash(1));
  });
});

describe('up with replicas', () => {
  it('creates and starts every replica; a dependent waits for all of them; one ready line each', async () => {
    const engine = new FakeEngine();
    engine.faults.readyAfter.worker = 2;
    const { result, events } = await bringUp(engine, flow(3));
    for (const n of [1, 2, 3]) {
      expect(engine.byName(worker(n))).toMatchObject({ state: 'running' });
      expect(engine.byName(worker(n))!.spec.labels[REPLICA_LABEL]).toBe(String(n));
      expect(engine.byName(worker(n))!.spec.aliases).toContain('worker');
      expect(engine.calls.indexOf(`ready worker #${n}`)).toBeLessThan(engine.calls.indexOf('create dec-flow-report'));
    }
    expect(events.filter((e) => e.kind === 'ready' && e.service.startsWith('worker'))).toHaveLength(3);
    expect(result.outcomes.filter((o) => o.service === 'worker').map((o) => o.container)).toEqual([
      worker(1),
      worker(2),
      worker(3),
    ]);
    expect(result.wholeStackUp).toBe(true);
    // One volume, shared by the replicas.
    expect([...engine.volumes.keys()].filter((v) => v.includes('scratch'))).toEqual(['dec-flow-scratch']);
  });

  it('scaling up adds the new replicas and touches nothing else', async () => {
    const engine = new FakeEngine();
    await bringUp(engine, flow(3));
    const ids = [...engine.containers.keys()];
    engine.calls.length = 0;
    const { planned } = await bringUp(engine, flow(5));
    expect(planLines(planned.plan, flow(5))).toEqual([
      ...Array.from({ length: 7 }, () => expect.stringMatching(/^(keep|skip) /)),
      `create and start ${worker(4)} (flow/app:1)`,
      `create and start ${worker(5)} (flow/app:1)`,
      'keep dec-flow-report (running, as the syllabus says)',
    ]);
    expect(engine.calls.filter((c) => !c.startsWith('check ') && !c.startsWith('ready '))).toEqual([
      `create ${worker(4)}`,
      `create ${worker(5)}`,
      `start ${worker(4)}`,
      `start ${worker(5)}`,
    ]);
    expect(ids.every((id) => engine.containers.get(id)?.state !== undefined)).toBe(true);
  });

  it('scaling down removes the extra replicas (never the volume); --dry-run says so first', async () => {
    const engine = new FakeEngine();
    await bringUp(engine, flow(3));
    const first = engine.byName(worker(1))!.id;
    const planned = await planUp(engine.client, flow(1), { recreate: false, repair: false, warn: () => undefined });
    expect(planLines(planned.plan, flow(1))).toContain(
      `remove ${worker(2)} (worker runs 1 container now; volumes are kept)`,
    );
    expect(wholeStackUp(flow(1), await actualState(engine.client, flow(1)))).toBe(false);
    engine.calls.length = 0;
    await bringUp(engine, flow(1));
    expect(engine.calls).toEqual([
      `stop ${worker(2)}`,
      `remove ${worker(2)}`,
      `stop ${worker(3)}`,
      `remove ${worker(3)}`,
    ]);
    expect(engine.byName(worker(1))?.id).toBe(first);
    expect(engine.volumes.has('dec-flow-scratch')).toBe(true);
    expect(wholeStackUp(flow(1), await actualState(engine.client, flow(1)))).toBe(true);
  });

  it('going from one plain container to replicas replaces it by the numbered ones', async () => {
    const engine = new FakeEngine();
    await bringUp(engine, flow('plain'));
    expect(engine.byName('dec-flow-worker')).toBeDefined();
    await bringUp(engine, flow(2));
    expect(engine.byName('dec-flow-worker')).toBeUndefined();
    expect([worker(1), worker(2)].map((name) => engine.byName(name)?.state)).toEqual(['running', 'running']);
  });

  it('a replica that never gets ready rolls back all of them', async () => {
    const engine = new FakeEngine();
    engine.faults.exitsOnStart.add('worker');
    const error = await up(
      engine.client,
      flow(2),
      (await planUp(engine.client, flow(2), { recreate: false, repair: true, warn: () => undefined })).plan,
      seams(engine),
    ).catch((e: unknown) => e);
    expect(isDecError(error) && error.message).toMatch(/^worker did not become ready: its container stopped/);
    expect(engine.containers.size).toBe(0);
  });
});

describe('status, down and --print-compose', () => {
  it('status lists each replica', async () => {
    const engine = new FakeEngine();
    await bringUp(engine, flow(2));
    const status = await stackStatus(engine.client, flow(2), await engine.client.listContainers(), undefined);
    expect(status.filter((s) => s.service === 'worker').map((s) => [s.replica, s.container, s.state])).toEqual([
      [1, worker(1), 'running'],
      [2, worker(2), 'running'],
    ]);
  });

  it('--down removes every replica', async () => {
    const engine = new FakeEngine();
    await bringUp(engine, flow(2));
    const removal = await planDown(engine.client, flow(2), { only: ['worker'], destroy: false });
    expect(removal.containers.map((c) => c.name).sort()).toEqual([worker(1), worker(2)]);
    await down(engine.client, removal, new AbortController().signal);
    expect(engine.byName(worker(1))).toBeUndefined();
  });

  it('--print-compose scales the service instead of naming its container (Compose v2 names them as dec does)', () => {
    const text = composeYaml(flow(3));
    const compose = parse(text) as { services: Record<string, Record<string, unknown>> };
    expect(compose.services.worker).toMatchObject({ scale: 3 });
    expect(compose.services.worker).not.toHaveProperty('container_name');
    expect(compose.services.db).toHaveProperty('container_name', 'dec-flow-db');
    // No top-level name (docker-compose 1.29 refuses it): the header gives the project for -p.
    const project = /docker compose -p (\S+) up -d/.exec(text)?.[1];
    expect(`${project}-worker-3`).toBe(worker(3));
  });
});
