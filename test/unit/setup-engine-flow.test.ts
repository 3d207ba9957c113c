// The engine's flow (src/setup/engine.ts: planUp, up, planDown, down, stackStatus) against the engine in
// memory (test/helpers/fake-engine.ts), in milliseconds: parallel starts, ordering by dependency and
// condition, jobs, health waits, rollback, retries, Ctrl-C, recreate, re-runs, down and status. No wall
// clock: the fake's clock moves only when the loop sleeps. The stack is test/fixtures/syllabi/flow-stack.yaml:
// db (health check) and cache are independent; migrate (a job) waits for db healthy; app for migrate
// completed and cache started.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApplyOptions } from '../../src/setup/apply.js';
import { resolveBuilds } from '../../src/setup/build.js';
import { changesNothingAtAll, down, planDown, planUp, stackStatus, up } from '../../src/setup/engine.js';
import type { PlanOptions } from '../../src/setup/plan.js';
import { desiredStack, noOverrides, type DesiredStack } from '../../src/setup/spec.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import type { Stack } from '../../src/syllabus/schema.js';
import { applySeams as seams, FakeEngine } from '../helpers/fake-engine.js';
import { rejectedDecError } from '../helpers/errors.js';

const course = parseSyllabus(
  readFileSync(new URL('../fixtures/syllabi/flow-stack.yaml', import.meta.url)),
  'flow-stack.yaml',
);
const HOST = { uid: 1000, gid: 1000 };
const flow = (stack: Stack = course.stacks.flow!): DesiredStack =>
  desiredStack('flow', stack, course.id, noOverrides(), 'dec', HOST);
const DB = 'dec-flow-db';
const CACHE = 'dec-flow-cache';
const MIGRATE = 'dec-flow-migrate';
const APP = 'dec-flow-app';

/** A copy of the fixture's stack with `change` applied to it. */
function variant(change: (stack: Stack) => void): Stack {
  const stack = structuredClone(course.stacks.flow!);
  change(stack);
  return stack;
}

async function bringUp(
  engine: FakeEngine,
  desired: DesiredStack = flow(),
  plan: Partial<PlanOptions> = {},
  extra: Partial<ApplyOptions> = {},
) {
  const warnings: string[] = [];
  const planned = await planUp(engine.client, desired, {
    recreate: false,
    repair: true,
    warn: (text) => warnings.push(text),
    ...plan,
  });
  const options = seams(engine, extra);
  const result = await up(engine.client, desired, planned.plan, options);
  return { planned, result, events: options.events, warnings };
}

const at = (engine: FakeEngine, call: string) => {
  const index = engine.calls.indexOf(call);
  if (index < 0) throw new Error(`no call "${call}" in ${engine.calls.join(', ')}`);
  return index;
};

describe('up: parallel starts in dependency order', () => {
  it('two independent services both start before either is ready; each is said ready once', async () => {
    const engine = new FakeEngine();
    engine.faults.healthyAfter.db = 3;
    engine.faults.readyAfter.cache = 2;
    const { result, events } = await bringUp(engine);
    const firstReady = engine.calls.findIndex((c) => c.startsWith('ready '));
    expect(at(engine, `start ${DB}`)).toBeLessThan(firstReady);
    expect(at(engine, `start ${CACHE}`)).toBeLessThan(firstReady);
    // One line per service ready (the job says "completed" instead).
    expect(
      events
        .filter((e) => e.kind === 'ready')
        .map((e) => (e as { service: string }).service)
        .sort(),
    ).toEqual(['app', 'cache', 'db']);
    expect(events.filter((e) => e.kind === 'step' && e.text.startsWith('migrate completed'))).toHaveLength(1);
    expect(result.outcomes.map((o) => [o.service, o.action, o.readyMs !== undefined])).toEqual([
      ['db', 'create', true],
      ['cache', 'create', true],
      ['migrate', 'create', true],
      ['app', 'create', true],
    ]);
    expect(result.wholeStackUp).toBe(true);
  });

  it('a service whose dependency is ready starts without waiting for an unrelated slow one', async () => {
    const engine = new FakeEngine();
    const withWeb = variant((s) => (s.services.web = { image: 'flow/app:1', dependsOn: ['cache'] }));
    engine.faults.healthyAfter.db = 30;
    await bringUp(engine, flow(withWeb));
    // web waits for cache alone; the job (and app after it) wait for the slow db.
    expect(at(engine, 'create dec-flow-web')).toBeLessThan(at(engine, 'ready db'));
    expect(at(engine, 'ready db')).toBeLessThan(at(engine, `create ${MIGRATE}`));
  });

  it('a job runs once its dependency is healthy, and its dependents start only after it completed', async () => {
    const engine = new FakeEngine();
    engine.faults.healthyAfter.db = 4;
    engine.faults.jobRunsFor.migrate = 3;
    await bringUp(engine);
    expect(at(engine, `ready db`)).toBeLessThan(at(engine, `create ${MIGRATE}`));
    expect(engine.byName(MIGRATE)).toMatchObject({ state: 'exited', exitCode: 0 });
    expect(at(engine, `start ${MIGRATE}`)).toBeLessThan(at(engine, `create ${APP}`));
  });

  it('a "started" condition does not wait for the dependency to be ready', async () => {
    const engine = new FakeEngine();
    engine.faults.readyAfter.cache = 50;
    await bringUp(engine);
    // app needs migrate completed (quick) and cache only started: it is created while cache still warms up.
    expect(at(engine, `create ${APP}`)).toBeLessThan(at(engine, 'ready cache'));
  });

  it('waits on several services at once: the time is the slowest one, not the sum', async () => {
    const engine = new FakeEngine();
    const slow = variant((s) => {
      delete s.services.migrate;
      delete s.services.app;
    });
    engine.faults.healthyAfter.db = 10;
    engine.faults.readyAfter.cache = 10;
    const { result } = await bringUp(engine, flow(slow));
    const [db, cache] = result.outcomes;
    // Each poll of either moves the shared fake clock, so both finish at about the same moment.
    expect(Math.abs(db!.readyMs! - cache!.readyMs!)).toBeLessThanOrEqual(200);
  });
});

describe('up: failures roll back everything this run made', () => {
  it('a job that exits 1: its log is shown, nothing after it starts, every container and new volume is removed', async () => {
    const engine = new FakeEngine();
    engine.faults.jobExit.migrate = 1;
    engine.faults.logs.migrate = 'migrating\nERROR: relation exists';
    const error = await rejectedDecError(bringUp(engine));
    expect(error.message).toBe('The job migrate failed: it exited with code 1.');
    expect(error.details).toContain('  | ERROR: relation exists');
    expect(engine.calls).not.toContain(`create ${APP}`);
    expect(engine.containers.size).toBe(0);
    expect(engine.networks).toEqual([]);
    // db became ready, so its new volume may hold data: it stays.
    expect(engine.volumes.has('dec-flow-db-data')).toBe(true);
  });

  it('an unhealthy service stops the independent one that is still starting, and the first failure is the error', async () => {
    const engine = new FakeEngine();
    engine.faults.unhealthy.db = 'db-ping: connection refused';
    engine.faults.readyAfter.cache = 1000;
    const error = await rejectedDecError(bringUp(engine));
    expect(error.message).toBe('db did not become ready: its health check failed 3 times in a row.');
    expect(error.details).toContain('  | db-ping: connection refused');
    // cache was waited on at the same time and stopped at its next poll, not after its 1000 polls.
    expect(engine.calls.filter((c) => c === `check ${CACHE}`).length).toBeLessThan(10);
    expect(engine.containers.size).toBe(0);
    expect(error.details.at(-1)).toMatch(/^Removed the containers this run created/);
    // Neither became ready: their new volumes held no data and went too.
    expect([...engine.volumes.keys()]).toEqual([]);
  });

  it('a create that fails for one service: the other, already started, is removed too', async () => {
    const engine = new FakeEngine();
    engine.faults.createFails.cache = 'no space left on device';
    const error = await bringUp(engine).catch((e: unknown) => e);
    expect(String(error)).toContain('no space left on device');
    expect(engine.containers.size).toBe(0);
  });

  it('a service not ready in time: its wait ends at the limit on the injected clock', async () => {
    const engine = new FakeEngine();
    engine.faults.readyAfter.cache = Infinity;
    const error = await rejectedDecError(bringUp(engine, flow(), {}, { readyTimeoutMs: 5000 }));
    expect(error.message).toMatch(/^cache did not become ready: it was not ready within 5 s/);
    expect(engine.clock).toBeLessThan(60_000);
    expect(engine.containers.size).toBe(0);
  });
});

describe('up: retries and Ctrl-C', () => {
  it('a pull that fails twice is retried after 1 s and 2 s (injected sleep), then the stack comes up', async () => {
    const engine = new FakeEngine();
    engine.faults.pullFailures['flow/app:1'] = 2;
    await bringUp(engine);
    expect(engine.calls.filter((c) => c === 'pull flow/app:1')).toHaveLength(3);
    expect(engine.sleeps.slice(0, 2)).toEqual([1000, 2000]);
    expect(engine.byName(APP)?.state).toBe('running');
  });

  it('Ctrl-C during the health waits: exit 130, no container made after it, nothing left', async () => {
    const engine = new FakeEngine();
    engine.faults.healthyAfter.db = Infinity;
    const controller = new AbortController();
    let polls = 0;
    engine.faults.before = (call) => {
      if (call === `inspect ${DB}` && ++polls === 4) controller.abort();
    };
    const error = await rejectedDecError(bringUp(engine, flow(), {}, { signal: controller.signal }));
    expect(error.exitCode).toBe(130);
    expect(engine.calls).not.toContain(`create ${MIGRATE}`);
    expect(engine.containers.size).toBe(0);
    expect(engine.networks).toEqual([]);
  });

  it('Ctrl-C before anything: nothing is made at all', async () => {
    const engine = new FakeEngine();
    const controller = new AbortController();
    engine.faults.before = (call) => {
      if (call.startsWith('pull ')) controller.abort();
    };
    const error = await rejectedDecError(bringUp(engine, flow(), {}, { signal: controller.signal }));
    expect(error.exitCode).toBe(130);
    expect(engine.calls.filter((c) => c.startsWith('create '))).toEqual([]);
  });
});

describe('up: builds', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  /** The stack with app's image built from a context app/ in a temp folder. */
  async function built(): Promise<DesiredStack> {
    const stack = variant((s) => {
      s.services.app!.image = 'flow/app';
      s.services.app!.build = { context: 'app' };
    });
    const root = mkdtempSync(join(tmpdir(), 'dec-flow-build-'));
    roots.push(root);
    mkdirSync(join(root, 'app'));
    writeFileSync(join(root, 'app', 'Dockerfile'), 'FROM dec-test/busybox:1\n');
    return desiredStack('flow', stack, course.id, noOverrides(), 'dec', HOST, await resolveBuilds(stack, root));
  }

  it('builds after the pulls and before any container; a re-run does not build again', async () => {
    const engine = new FakeEngine();
    const desired = await built();
    await bringUp(engine, desired);
    const build = engine.calls.findIndex((c) => c.startsWith('build flow/app:'));
    expect(build).toBeGreaterThan(engine.calls.lastIndexOf('pull flow/cache:1'));
    expect(build).toBeLessThan(engine.calls.findIndex((c) => c.startsWith('create ')));
    engine.calls.length = 0;
    await bringUp(engine, desired);
    expect(engine.calls.filter((c) => c.startsWith('build '))).toEqual([]);
  });

  it('a failed build starts nothing: its log is the message, the network and volumes go again', async () => {
    const engine = new FakeEngine();
    engine.faults.buildFails['flow/app'] = {
      error: 'The command returned a non-zero code: 1',
      log: ['Step 2/2 : RUN false'],
    };
    const error = await rejectedDecError(bringUp(engine, await built()));
    expect(error.message).toMatch(/^Building flow\/app:\w+ for app failed/);
    expect(error.details).toContain('  | Step 2/2 : RUN false');
    expect(engine.calls.filter((c) => c.startsWith('create '))).toEqual([]);
    expect(engine.networks).toEqual([]);
    expect(engine.volumes.size).toBe(0);
  });

  it('Ctrl-C in a build: exit 130, nothing created', async () => {
    const engine = new FakeEngine();
    engine.faults.buildHangs.add('flow/app');
    const controller = new AbortController();
    engine.faults.before = (call) => {
      if (call.startsWith('build ')) setTimeout(() => controller.abort(), 0);
    };
    const error = await rejectedDecError(bringUp(engine, await built(), {}, { signal: controller.signal }));
    expect(error.exitCode).toBe(130);
    expect(engine.calls.filter((c) => c.startsWith('create '))).toEqual([]);
    expect(engine.networks).toEqual([]);
  });
});

describe('re-runs and recreate', () => {
  const changedApp = variant((s) => (s.services.app!.env = { MODE: 'new' }));

  it('a second run changes nothing: the job is skipped, nothing is created or started', async () => {
    const engine = new FakeEngine();
    await bringUp(engine);
    engine.calls.length = 0;
    const planned = await planUp(engine.client, flow(), { recreate: false, repair: true, warn: () => undefined });
    expect(changesNothingAtAll(planned)).toBe(true);
    expect(planned.plan.services.map((a) => a.kind)).toEqual(['keep', 'keep', 'keep', 'keep']);
  });

  it('a changed setting recreates that container alone: the old one aside until the new one is ready, then removed', async () => {
    const engine = new FakeEngine();
    await bringUp(engine);
    const oldApp = engine.byName(APP)!.id;
    const others = [DB, CACHE].map((name) => engine.byName(name)!.id);
    engine.calls.length = 0;
    const { result } = await bringUp(engine, flow(changedApp), { applying: new Set(['app']) });
    expect(result.outcomes.map((o) => o.action)).toEqual(['keep', 'keep', 'keep', 'recreate']);
    expect(others.every((id) => engine.containers.get(id)?.state === 'running')).toBe(true);
    expect(result.outcomes.find((o) => o.service === 'app')?.action).toBe('recreate');
    expect(engine.calls).toContain(`rename ${APP} ${APP}-old`);
    expect(engine.containers.has(oldApp)).toBe(false);
    expect(engine.byName(APP)?.state).toBe('running');
  });

  it('a recreate whose new container fails puts the old one back, running', async () => {
    const engine = new FakeEngine();
    await bringUp(engine);
    const oldApp = engine.byName(APP)!.id;
    engine.faults.exitsOnStart.add('app');
    // The new container exits at once; the old one, put back, starts as it did.
    engine.faults.before = (call) => {
      if (call === `rename ${APP}-old ${APP}`) engine.faults.exitsOnStart.delete('app');
    };
    const error = await rejectedDecError(bringUp(engine, flow(changedApp), { recreate: true }));
    expect(error.details.at(-1)).toContain(`The previous ${APP} was put back.`);
    expect(engine.byName(APP)?.id).toBe(oldApp);
    expect(engine.byName(APP)?.state).toBe('running');
  });

  it('a network a duplicate setup made twice is repaired before planning, with a warning', async () => {
    const engine = new FakeEngine();
    await bringUp(engine);
    const labels = { 'dec.project': 'dec', 'dec.stack': 'flow' };
    engine.networks.push({ id: 'n-extra', name: 'flow-net', labels, containers: 0 });
    engine.networks[0]!.containers = 4;
    const { warnings } = await bringUp(engine);
    expect(warnings).toEqual([expect.stringContaining('There were 2 networks named flow-net')]);
    expect(engine.networks.map((n) => n.id)).not.toContain('n-extra');
  });
});

describe('down and status', () => {
  it('status lists each service: running and ready, the job completed; missing before a setup', async () => {
    const engine = new FakeEngine();
    const before = await stackStatus(engine.client, flow(), await engine.client.listContainers(), {});
    expect(before.map((s) => s.state)).toEqual(['missing', 'missing', 'missing', 'missing']);
    await bringUp(engine);
    const status = await stackStatus(engine.client, flow(), await engine.client.listContainers(), {
      'dec-flow-db-data': 1e6,
    });
    expect(status.map((s) => [s.service, s.container, s.state])).toEqual([
      ['db', DB, 'running'],
      ['cache', CACHE, 'running'],
      ['migrate', MIGRATE, 'completed'],
      ['app', APP, 'running'],
    ]);
    expect(status[0]!.volumes).toEqual([{ name: 'dec-flow-db-data', path: '/data', bytes: 1e6, created: true }]);
    expect(status[3]!.ports).toEqual([{ host: 18080, container: 8080, hostIp: '127.0.0.1' }]);
  });

  it('down removes the containers and keeps the volumes; --destroy deletes them', async () => {
    const engine = new FakeEngine();
    await bringUp(engine);
    const kept = await planDown(engine.client, flow(), { destroy: false });
    expect(kept.doomedVolumes).toEqual([]);
    await down(engine.client, kept, new AbortController().signal);
    expect(engine.containers.size).toBe(0);
    expect([...engine.volumes.keys()].sort()).toEqual(['dec-flow-cache-data', 'dec-flow-db-data']);
    await bringUp(engine);
    const destroy = await planDown(engine.client, flow(), { destroy: true });
    await down(engine.client, destroy, new AbortController().signal);
    expect([...engine.volumes.keys()]).toEqual([]);
  });

  it('--only takes down those services alone', async () => {
    const engine = new FakeEngine();
    await bringUp(engine);
    const removal = await planDown(engine.client, flow(), { only: ['app'], destroy: false });
    expect(removal.containers.map((c) => c.name)).toEqual([APP]);
  });

  it('--destroy refuses, before removing anything, when a container of someone else uses a volume', async () => {
    const engine = new FakeEngine();
    await bringUp(engine);
    const listed = engine.client.listContainers;
    engine.client.listContainers = async () => [
      ...(await listed()),
      { id: 'x1', name: 'mine', image: 'x', state: 'running', labels: {}, ports: [], volumes: ['dec-flow-db-data'] },
    ];
    const error = await rejectedDecError(planDown(engine.client, flow(), { destroy: true }));
    expect(error.message).toMatch(/^Cannot delete the flow stack's data/);
    expect(engine.containers.size).toBe(4);
  });

  it('Ctrl-C during down: the container at hand is removed, the rest stays for the next run', async () => {
    const engine = new FakeEngine();
    await bringUp(engine);
    const controller = new AbortController();
    engine.faults.before = (call) => {
      if (call.startsWith('remove ')) controller.abort();
    };
    const removal = await planDown(engine.client, flow(), { destroy: true });
    const error = await rejectedDecError(down(engine.client, removal, controller.signal));
    expect(error.exitCode).toBe(130);
    expect(engine.containers.size).toBe(3);
    expect(engine.volumes.size).toBe(2);
  });
});
