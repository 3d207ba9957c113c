// The setup apply loop against an engine in memory (test/helpers/fake-engine.ts): ordering, pulls with
// retries, rollback, Ctrl-C at every step, recreate and --only, in milliseconds and without a clock.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { actualState, applyPlan, repairNetwork, type ApplyEvent, type ApplyOptions } from '../../src/setup/apply.js';
import { planStack, type PlanOptions } from '../../src/setup/plan.js';
import { desiredStack, noOverrides, type DesiredStack, type Overrides } from '../../src/setup/spec.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { rejectedDecError } from '../helpers/errors.js';

const course = parseSyllabus(readFileSync(new URL('../../syllabus/dez-2022.yaml', import.meta.url)), 'dez-2022.yaml');
const week1 = (overrides: Overrides = noOverrides()) =>
  desiredStack('week1', course.stacks.week1!, course.id, overrides);
const PG = 'dec-week1-pgdatabase';
const ADMIN = 'dec-week1-pgadmin';
const PG_VOLUME = 'dec-week1-ny_taxi_postgres_data';
const ADMIN_VOLUME = 'dec-week1-pgadmin_data';

function options(engine: FakeEngine, extra: Partial<ApplyOptions> = {}): ApplyOptions & { events: ApplyEvent[] } {
  const events: ApplyEvent[] = [];
  return {
    readyTimeoutMs: 10_000,
    pullQuietMs: 1000,
    signal: new AbortController().signal,
    onEvent: (event) => events.push(event),
    now: engine.now,
    sleep: engine.sleep,
    readyCheck: (service, id) => engine.readyCheck(service.service, id),
    events,
    ...extra,
  };
}

async function apply(
  engine: FakeEngine,
  desired: DesiredStack = week1(),
  plan: Partial<PlanOptions> = {},
  extra: Partial<ApplyOptions> = {},
) {
  const planned = planStack(desired, await actualState(engine.client, desired), { recreate: false, ...plan });
  return applyPlan(engine.client, desired, planned, options(engine, extra));
}

/** A stack brought up from nothing, with its calls log cleared. */
async function upAlready(desired = week1()): Promise<FakeEngine> {
  const engine = new FakeEngine();
  await apply(engine, desired);
  engine.calls.length = 0;
  return engine;
}

describe('applyPlan from nothing', () => {
  it('network, volumes, pulls, then each service created, started and waited on, in dependency order', async () => {
    const engine = new FakeEngine();
    const outcomes = await apply(engine);
    expect(engine.calls).toEqual([
      'network pg-network',
      `volume ${PG_VOLUME}`,
      `volume ${ADMIN_VOLUME}`,
      'pull postgres:13',
      'pull dpage/pgadmin4:8.14',
      `create ${PG}`,
      `start ${PG}`,
      `check ${PG}`,
      `create ${ADMIN}`,
      `files ${ADMIN}`,
      `start ${ADMIN}`,
      `check ${ADMIN}`,
    ]);
    expect(outcomes.map((o) => [o.service, o.action])).toEqual([
      ['pgdatabase', 'create'],
      ['pgadmin', 'create'],
    ]);
    expect([...engine.containers.values()].map((c) => [c.name, c.state])).toEqual([
      [PG, 'running'],
      [ADMIN, 'running'],
    ]);
  });

  it('waits for readiness by polling with the injected sleep, and reports the time it took', async () => {
    const engine = new FakeEngine();
    engine.faults.readyAfter.pgdatabase = 5;
    const run = options(engine);
    const desired = week1();
    await applyPlan(
      engine.client,
      desired,
      planStack(desired, await actualState(engine.client, desired), { recreate: false }),
      run,
    );
    expect(engine.calls.filter((c) => c === `check ${PG}`)).toHaveLength(6);
    expect(run.events).toContainEqual({ kind: 'ready', service: 'pgdatabase', ms: 500 });
  });
});

describe('pulls', () => {
  it('a pull that fails twice is retried with a growing pause, then works', async () => {
    const engine = new FakeEngine();
    engine.faults.pullFailures['postgres:13'] = 2;
    await apply(engine);
    expect(engine.calls.filter((c) => c === 'pull postgres:13')).toHaveLength(3);
    expect(engine.sleeps.slice(0, 2)).toEqual([1000, 2000]);
    expect(engine.byName(PG)?.state).toBe('running');
  });

  it('a pull that always fails: three tries, a clear error, and the volumes this run made are removed', async () => {
    const engine = new FakeEngine();
    engine.faults.pullFailures['dpage/pgadmin4:8.14'] = Infinity;
    const error = await rejectedDecError(apply(engine));
    expect(error.message).toBe(
      'Cannot pull dpage/pgadmin4:8.14 (tried 3 times): pull access denied for dpage/pgadmin4:8.14',
    );
    expect(engine.calls.filter((c) => c.startsWith('pull dpage'))).toHaveLength(3);
    expect(engine.containers.size).toBe(0);
    expect([...engine.volumes.keys()]).toEqual([]);
  });
});

describe('rollback', () => {
  it('a service that never gets ready: its logs, the containers this run made removed, new unready volumes too', async () => {
    const engine = new FakeEngine();
    engine.faults.readyAfter.pgadmin = Infinity;
    const error = await rejectedDecError(apply(engine));
    expect(error.message).toBe(
      'pgadmin did not become ready: it was not ready within 10 s (waiting until HTTP answers on /misc/ping).',
    );
    expect(error.exitCode).toBe(1);
    expect(error.details).toContain(`  | logs of ${ADMIN}`);
    expect(engine.containers.size).toBe(0);
    // pgdatabase got ready, so its new volume may hold data: kept. pgadmin's never did: removed.
    expect([...engine.volumes.keys()]).toEqual([PG_VOLUME]);
    expect(error.details.at(-1)).toContain(`the new volume ${ADMIN_VOLUME}`);
    // The network this run made goes too: a failed first setup leaves nothing behind.
    expect(engine.calls.slice(-6)).toEqual([
      `stop ${ADMIN}`,
      `remove ${ADMIN}`,
      `stop ${PG}`,
      `remove ${PG}`,
      `removeVolume ${ADMIN_VOLUME}`,
      `removeNetwork n1`,
    ]);
    expect(engine.networks).toEqual([]);
  });

  it('a network that was there before the run stays', async () => {
    const engine = new FakeEngine();
    await engine.client.createNetwork('pg-network', { 'dec.project': 'dec', 'dec.stack': 'week1' });
    engine.faults.readyAfter.pgadmin = Infinity;
    await rejectedDecError(apply(engine));
    expect(engine.networks.map((n) => n.name)).toEqual(['pg-network']);
  });

  it('volumes that existed before the run are kept, even for a service that never got ready', async () => {
    const engine = new FakeEngine();
    engine.volumes.set(PG_VOLUME, {});
    engine.faults.readyAfter.pgdatabase = Infinity;
    await rejectedDecError(apply(engine));
    expect(engine.volumes.has(PG_VOLUME)).toBe(true);
    expect(engine.volumes.has(ADMIN_VOLUME)).toBe(false);
  });

  it('a container that exits on start: said at once, not after the timeout', async () => {
    const engine = new FakeEngine();
    engine.faults.exitsOnStart.add('pgdatabase');
    const error = await rejectedDecError(apply(engine));
    expect(error.message).toBe('pgdatabase did not become ready: its container stopped (exited).');
    expect(engine.clock).toBe(0);
    expect(engine.containers.size).toBe(0);
  });

  it('a readiness verdict that will never change (a refused password) fails at once', async () => {
    const engine = new FakeEngine();
    engine.faults.readyVerdict.pgdatabase = 'Postgres refuses the password';
    const error = await rejectedDecError(apply(engine));
    expect(error.message).toBe('pgdatabase did not become ready: Postgres refuses the password.');
    expect(engine.clock).toBe(0);
  });

  it('a create that fails: what this run made is removed; the running containers of an earlier run stay', async () => {
    const engine = await upAlready();
    const admin = engine.byName(ADMIN)!;
    engine.containers.delete(admin.id);
    engine.volumes.delete(ADMIN_VOLUME);
    engine.faults.createFails.pgadmin = 'no space left on device';
    await expect(apply(engine)).rejects.toThrow('no space left on device');
    expect([...engine.containers.values()].map((c) => [c.name, c.state])).toEqual([[PG, 'running']]);
    expect([...engine.volumes.keys()]).toEqual([PG_VOLUME]);
  });
});

describe('Ctrl-C', () => {
  // Every engine call of a setup from nothing, each the one during which the student presses Ctrl-C.
  const steps = [
    'network pg-network',
    `volume ${PG_VOLUME}`,
    `volume ${ADMIN_VOLUME}`,
    'pull postgres:13',
    'pull dpage/pgadmin4:8.14',
    `create ${PG}`,
    `start ${PG}`,
    `create ${ADMIN}`,
    `files ${ADMIN}`,
    `start ${ADMIN}`,
  ];
  it.each(steps)('during "%s": exit 130, no container left, the new volumes removed', async (step) => {
    const engine = new FakeEngine();
    const controller = new AbortController();
    engine.faults.before = (call) => {
      if (call === step) controller.abort();
    };
    const error = await rejectedDecError(apply(engine, week1(), {}, { signal: controller.signal }));
    expect(error.message).toBe('Interrupted.');
    expect(error.exitCode).toBe(130);
    expect(engine.containers.size).toBe(0);
    // pgdatabase's volume stays once pgdatabase was ready (it may hold data).
    const pgReady = steps.indexOf(step) > steps.indexOf(`start ${PG}`);
    expect([...engine.volumes.keys()]).toEqual(pgReady ? [PG_VOLUME] : []);
    expect(
      engine.calls.slice(engine.calls.indexOf(step) + 1).some((c) => c.startsWith('create') || c.startsWith('pull')),
    ).toBe(false);
  });
});

describe('recreate', () => {
  const withExtra = () => week1({ ...noOverrides(), env: { pgadmin: { EXTRA: '1' } } });

  it('a container that differs is left alone without --recreate, and replaced with it, keeping its volume', async () => {
    const engine = await upAlready();
    const kept = await apply(engine, withExtra());
    expect(kept.map((o) => o.action)).toEqual(['keep', 'differs']);
    expect(engine.calls).toEqual([]);
    const replaced = await apply(engine, withExtra(), { recreate: true });
    expect(replaced.map((o) => o.action)).toEqual(['keep', 'recreate']);
    expect(engine.byName(ADMIN)?.spec.env.EXTRA).toBe('1');
    expect(engine.calls).not.toContain(`removeVolume ${ADMIN_VOLUME}`);
    expect(engine.volumes.has(ADMIN_VOLUME)).toBe(true);
  });

  it('a service whose settings this run changes is recreated without --recreate: old set aside, new ready, old removed', async () => {
    const engine = await upAlready();
    const old = engine.byName(ADMIN)!;
    const outcomes = await apply(engine, withExtra(), { applying: new Set(['pgadmin']) });
    expect(outcomes.map((o) => o.action)).toEqual(['keep', 'recreate']);
    expect(engine.calls).toEqual([
      `stop ${ADMIN}`,
      `rename ${ADMIN} ${ADMIN}-old`,
      `create ${ADMIN}`,
      `files ${ADMIN}`,
      `start ${ADMIN}`,
      `check ${ADMIN}`,
      `remove ${ADMIN}-old`,
    ]);
    expect(engine.containers.has(old.id)).toBe(false);
    expect(engine.byName(ADMIN)?.spec.env.EXTRA).toBe('1');
  });

  it.each([
    ['never gets ready', (engine: FakeEngine) => (engine.faults.readyAfter.pgadmin = Infinity)],
    ['cannot be created', (engine: FakeEngine) => (engine.faults.createFails.pgadmin = 'no space left on device')],
    [
      'exits at once',
      (engine: FakeEngine) => {
        engine.faults.exitsOnStart.add('pgadmin');
        // Only the replacement exits: the old container, once back, runs as before.
        engine.faults.before = (call) => {
          if (call === `rename ${ADMIN}-old ${ADMIN}`) engine.faults.exitsOnStart.clear();
        };
      },
    ],
  ])('a replacement that %s: the old container gets its name back and runs again', async (_, fault) => {
    const engine = await upAlready();
    const old = engine.byName(ADMIN)!;
    fault(engine);
    await expect(apply(engine, withExtra(), { applying: new Set(['pgadmin']) })).rejects.toThrow();
    expect(engine.byName(ADMIN)).toBe(old);
    expect(old.state).toBe('running');
    expect(old.spec.env.EXTRA).toBeUndefined();
    expect([...engine.containers.values()].map((c) => c.name)).toEqual([PG, ADMIN]);
    expect(engine.volumes.has(ADMIN_VOLUME)).toBe(true);
  });

  it('the error says the old container was put back', async () => {
    const engine = await upAlready();
    engine.faults.readyAfter.pgadmin = Infinity;
    const error = await rejectedDecError(apply(engine, withExtra(), { applying: new Set(['pgadmin']) }));
    expect(error.details.at(-1)).toContain(`The previous ${ADMIN} was put back.`);
  });

  it('Ctrl-C during a recreate puts the old container back', async () => {
    const engine = await upAlready();
    const old = engine.byName(ADMIN)!;
    const controller = new AbortController();
    engine.faults.before = (call) => {
      if (call === `start ${ADMIN}` && engine.byName(`${ADMIN}-old`)) controller.abort();
    };
    const error = await rejectedDecError(
      apply(engine, withExtra(), { applying: new Set(['pgadmin']) }, { signal: controller.signal }),
    );
    expect(error.exitCode).toBe(130);
    expect(engine.byName(ADMIN)).toBe(old);
    expect(old.state).toBe('running');
  });

  it('a later service failing puts back a container already replaced in the same run', async () => {
    const engine = await upAlready();
    const oldPg = engine.byName(PG)!;
    const both = week1({ ...noOverrides(), env: { pgdatabase: { EXTRA: '1' }, pgadmin: { EXTRA: '1' } } });
    engine.faults.readyAfter.pgadmin = Infinity;
    await rejectedDecError(apply(engine, both, { applying: new Set(['pgdatabase', 'pgadmin']) }));
    expect(engine.byName(PG)).toBe(oldPg);
    expect(oldPg.state).toBe('running');
    expect(engine.containers.size).toBe(2);
  });
});

describe('--only', () => {
  it('pgadmin brings pgdatabase along (it depends on it), nothing else', async () => {
    const engine = new FakeEngine();
    const outcomes = await apply(engine, week1(), { only: ['pgadmin'] });
    expect(outcomes.map((o) => o.service)).toEqual(['pgdatabase', 'pgadmin']);
  });

  it('pgdatabase alone: pgadmin is not created, its image not pulled', async () => {
    const engine = new FakeEngine();
    await apply(engine, week1(), { only: ['pgdatabase'] });
    expect(engine.calls).not.toContain('pull dpage/pgadmin4:8.14');
    expect(engine.byName(ADMIN)).toBeUndefined();
  });
});

describe('repairNetwork', () => {
  const labels = { 'dec.project': 'dec', 'dec.stack': 'week1' };

  it('two networks of this project with one name: the one containers use stays, the empty one goes', async () => {
    const engine = new FakeEngine();
    engine.networks.push(
      { id: 'empty-one', name: 'pg-network', labels, containers: 0 },
      { id: 'used-one', name: 'pg-network', labels, containers: 2 },
    );
    expect(await repairNetwork(engine.client, week1())).toContain('removed the empty empty-one');
    expect(engine.networks.map((n) => n.id)).toEqual(['used-one']);
  });

  it("a duplicate that is not this project's is not removed: a clear error", async () => {
    const engine = new FakeEngine();
    engine.networks.push(
      { id: 'ours', name: 'pg-network', labels, containers: 0 },
      { id: 'theirs', name: 'pg-network', labels: {}, containers: 0 },
    );
    await expect(repairNetwork(engine.client, week1())).rejects.toThrow('2 Docker networks named pg-network');
    expect(engine.networks).toHaveLength(2);
  });

  it('one network: nothing to do', async () => {
    const engine = new FakeEngine();
    engine.networks.push({ id: 'only', name: 'pg-network', labels, containers: 1 });
    expect(await repairNetwork(engine.client, week1())).toBeUndefined();
    expect(engine.calls).toEqual([]);
  });
});
