// The stack engine v2 parts (issue 12, step 1) against the engine in memory: one-shot jobs, Docker
// health checks, dependsOn conditions, user/entrypoint/restart/hostname; from the syllabus schema through
// the desired spec and plan to apply and --print-compose. The stack is test/fixtures/syllabi/engine2-stack.yaml:
// init (a job) → web (health check; waits for init completed) → client (waits for web healthy).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isDecError } from '../../src/errors.js';
import { actualState, applyPlan, healthcheckSpec, type ApplyOptions } from '../../src/setup/apply.js';
import { composeYaml } from '../../src/setup/compose.js';
import { planLines, planStack, type PlanOptions } from '../../src/setup/plan.js';
import { serviceReady } from '../../src/setup/ready.js';
import { desiredStack, noOverrides, fillHostIds, type DesiredStack, type Overrides } from '../../src/setup/spec.js';
import { parseComposeDuration } from '../../src/syllabus/duration.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import type { Stack } from '../../src/syllabus/schema.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { rejectedDecError } from '../helpers/errors.js';

const FIXTURE = new URL('../fixtures/syllabi/engine2-stack.yaml', import.meta.url);
const course = parseSyllabus(readFileSync(FIXTURE), 'engine2-stack.yaml');
const HOST = { uid: 1234, gid: 5678 };
const engine2 = (overrides: Overrides = noOverrides(), stack: Stack = course.stacks.engine2!) =>
  desiredStack('engine2', stack, course.id, overrides, 'dec', HOST);
const INIT = 'dec-engine2-init';
const WEB = 'dec-engine2-web';
const CLIENT = 'dec-engine2-client';
const VOLUME = 'dec-engine2-shared';

function options(engine: FakeEngine, extra: Partial<ApplyOptions> = {}): ApplyOptions {
  return {
    readyTimeoutMs: 10_000,
    pullQuietMs: 1000,
    signal: new AbortController().signal,
    onEvent: () => undefined,
    now: engine.now,
    sleep: engine.sleep,
    readyCheck: (service, id) => engine.readyCheck(service.service, id),
    ...extra,
  };
}

async function plan(engine: FakeEngine, desired: DesiredStack = engine2(), extra: Partial<PlanOptions> = {}) {
  return planStack(desired, await actualState(engine.client, desired), { recreate: false, ...extra });
}

async function apply(
  engine: FakeEngine,
  desired: DesiredStack = engine2(),
  planOptions: Partial<PlanOptions> = {},
  extra: Partial<ApplyOptions> = {},
) {
  return applyPlan(engine.client, desired, await plan(engine, desired, planOptions), options(engine, extra));
}

/** A copy of the fixture's stack with `change` applied to it (for conditions the fixture does not use). */
function variant(change: (stack: Stack) => void): Stack {
  const stack = structuredClone(course.stacks.engine2!);
  change(stack);
  return stack;
}

describe('the desired spec', () => {
  it('carries the job, health check, conditions, user, entrypoint, restart and hostname', () => {
    const [init, web, client] = engine2().services;
    expect(init).toMatchObject({ job: true, user: '0:0', entrypoint: ['/bin/sh', '-c'], restart: 'no' });
    expect(init!.labels['dec.job']).toBe('1');
    expect(web).toMatchObject({
      job: false,
      user: '65534:65534',
      hostname: 'web-host',
      restart: 'always',
      healthcheck: {
        test: ['CMD-SHELL', expect.stringContaining('test -f /shared/web-up')],
        interval: '1s',
        timeout: '2s',
        retries: 2,
        startPeriod: '0s',
      },
      dependsOn: ['init'],
      waitsFor: { init: 'completed' },
    });
    expect(web!.labels['dec.job']).toBeUndefined();
    // {host.uid} is the student's own id, the group as written.
    expect(client).toMatchObject({ user: '1234:0', restart: 'unless-stopped', waitsFor: { web: 'healthy' } });
  });

  it('the short form of dependsOn waits for the dependency to be ready, as before', () => {
    const stack = variant((s) => (s.services.client!.dependsOn = ['web']));
    expect(engine2(noOverrides(), stack).services[2]).toMatchObject({ dependsOn: ['web'], waitsFor: { web: 'ready' } });
  });

  it.each([
    ['healthcheck', (s: Stack) => (s.services.web!.healthcheck!.retries = 5)],
    ['user', (s: Stack) => (s.services.web!.user = '1:1')],
    ['entrypoint', (s: Stack) => (s.services.web!.entrypoint = ['/bin/sh'])],
    ['restart', (s: Stack) => (s.services.web!.restart = 'on-failure')],
    ['hostname', (s: Stack) => (s.services.web!.hostname = 'other')],
    ['job', (s: Stack) => (s.services.web!.job = true)],
  ])('a changed %s changes the config hash (so it is seen as a difference)', (_, change) => {
    const before = engine2().services.find((s) => s.service === 'web')!.configHash;
    const after = engine2(noOverrides(), variant(change)).services.find((s) => s.service === 'web')!.configHash;
    expect(after).not.toBe(before);
  });

  it("today's stacks keep their config hash, so their running containers are not taken for different", () => {
    const dez = parseSyllabus(readFileSync(new URL('../../syllabus/dez-2022.yaml', import.meta.url)), 'dez-2022.yaml');
    const week1 = desiredStack('week1', dez.stacks.week1!, dez.id, noOverrides());
    // The hash the engine before v2 computed for these settings.
    expect(week1.services.map((s) => [s.service, s.configHash, s.restart])).toEqual([
      ['pgdatabase', 'caca6d670c47e01d', 'unless-stopped'],
      ['pgadmin', 'c7ad4c9242553523', 'unless-stopped'],
    ]);
  });
});

describe('{host.uid} and {host.gid}', () => {
  it("are filled in the syllabus's env values too (the course's AIRFLOW_UID), not in the student's --env", () => {
    const stack = variant((s) => (s.services.init!.env = { AIRFLOW_UID: '{host.uid}', GID: '{host.gid}' }));
    const overrides = { ...noOverrides(), env: { web: { MINE: '{host.uid}' } } };
    const [init, web] = engine2(overrides, stack).services;
    expect(init!.env).toEqual({ AIRFLOW_UID: '1234', GID: '5678' });
    expect(web!.env).toEqual({ MINE: '{host.uid}' });
  });

  it.each([
    ['{host.uid}:0', { uid: 1000, gid: 1000 }, '1000:0'],
    ['{host.uid}:{host.gid}', { uid: 501, gid: 20 }, '501:20'],
    // Windows has no such ids: the default after :-, else 1000.
    ['{host.uid:-50000}:0', {}, '50000:0'],
    ['{host.uid}:{host.gid}', {}, '1000:1000'],
    ['{host.uid:-50000}:0', { uid: 1001 }, '1001:0'],
    ['airflow', { uid: 1000 }, 'airflow'],
  ])('%s with host ids %j is %s', (user, host, expected) => {
    expect(fillHostIds(user, host)).toBe(expected);
  });
});

describe('the syllabus checks them', () => {
  const withStack = (change: (stack: Stack) => void): string => {
    const text = readFileSync(FIXTURE, 'utf8');
    const syllabus = parse(text) as { stacks: { engine2: Stack } };
    change(syllabus.stacks.engine2);
    try {
      parseSyllabus(Buffer.from(JSON.stringify(syllabus)), 'engine2-stack.yaml');
      return 'valid';
    } catch (error) {
      return isDecError(error) ? [error.message, ...error.details].join('\n') : String(error);
    }
  };

  it('accepts the fixture', () => {
    expect(withStack(() => undefined)).toBe('valid');
  });

  it.each([
    [
      '"healthy" on a service without a health check',
      (s: Stack) => (s.services.client!.dependsOn = { init: 'healthy' }),
      '"healthy" needs a healthcheck on init',
    ],
    [
      '"completed" on a service that is not a job',
      (s: Stack) => (s.services.client!.dependsOn = { web: 'completed' }),
      '"completed" is for a job (job: true), and web is a service',
    ],
    ['a job that restarts', (s: Stack) => (s.services.init!.restart = 'always'), 'a job runs once'],
    [
      'an unknown condition',
      (s: Stack) => ((s.services.client!.dependsOn as object) = { web: 'ready' }),
      'dependsOn: expected a list of services, e.g. [postgres], or each with a condition',
    ],
    ['a duration without a unit', (s: Stack) => (s.services.web!.healthcheck!.interval = '10'), 'e.g. "10s"'],
    [
      'a duration as a number',
      (s: Stack) => ((s.services.web!.healthcheck!.interval as unknown) = 10),
      'healthcheck.interval: expected string, got number 10',
    ],
    [
      'a test that is neither CMD nor CMD-SHELL',
      (s: Stack) => (s.services.web!.healthcheck!.test = ['NONE', 'x']),
      '["CMD", program, args...]',
    ],
    ['a user that is not one', (s: Stack) => (s.services.web!.user = 'root; rm -rf /'), 'expected "uid", "uid:gid"'],
    ['an unknown dependency', (s: Stack) => (s.services.web!.dependsOn = { nope: 'started' }), 'no service "nope"'],
  ])('rejects %s', (_, change, message) => {
    expect(withStack(change)).toContain(message);
  });

  it.each([
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1h', 3_600_000],
    ['0s', 0],
  ])('reads the Compose duration %s as %d ms', (text, ms) => {
    expect(parseComposeDuration(text)).toBe(ms);
  });

  it.each(['10', '10 s', 's', '-1s', ''])('refuses %j as a Compose duration', (text) => {
    expect(parseComposeDuration(text)).toBeUndefined();
  });
});

describe('apply: order, jobs and health', () => {
  it('the job runs to completion, then web starts and is waited on until healthy, then client', async () => {
    const engine = new FakeEngine();
    engine.faults.healthyAfter.web = 3;
    const outcomes = await apply(engine);
    expect(engine.calls).toEqual([
      'network engine2-net',
      `volume ${VOLUME}`,
      'pull dec-test/busybox:1',
      `create ${INIT}`,
      `start ${INIT}`,
      `create ${WEB}`,
      `start ${WEB}`,
      // The host-side check (the test's) is asked only once the health check passed.
      `check ${WEB}`,
      `create ${CLIENT}`,
      `start ${CLIENT}`,
      `check ${CLIENT}`,
    ]);
    expect(engine.byName(INIT)).toMatchObject({ state: 'exited', exitCode: 0 });
    expect(engine.byName(WEB)!.inspections).toBeGreaterThan(3);
    expect(engine.byName(CLIENT)!.state).toBe('running');
    expect(outcomes.map((o) => [o.service, o.action, o.readyMs !== undefined])).toEqual([
      ['init', 'create', true],
      ['web', 'create', true],
      ['client', 'create', true],
    ]);
  });

  it('client is not created while web is still starting (healthy is waited for)', async () => {
    const engine = new FakeEngine();
    engine.faults.healthyAfter.web = 4;
    const seen: string[] = [];
    engine.faults.before = (call) => {
      if (call === `create ${CLIENT}`) seen.push(`web inspected ${engine.byName(WEB)!.inspections} times`);
    };
    await apply(engine);
    expect(seen).toEqual(['web inspected 5 times']);
  });

  it('the container gets the health check (in ms), user, entrypoint, restart and hostname', async () => {
    const engine = new FakeEngine();
    await apply(engine);
    expect(engine.byName(WEB)!.spec).toMatchObject({
      healthcheck: { test: ['CMD-SHELL', expect.any(String)], intervalMs: 1000, timeoutMs: 2000, retries: 2 },
      user: '65534:65534',
      restart: 'always',
      hostname: 'web-host',
    });
    expect(engine.byName(INIT)!.spec).toMatchObject({ entrypoint: ['/bin/sh', '-c'], restart: 'no', user: '0:0' });
    expect(healthcheckSpec({ test: ['CMD', 'true'], startPeriod: '1m30s' })).toEqual({
      test: ['CMD', 'true'],
      intervalMs: undefined,
      timeoutMs: undefined,
      retries: undefined,
      startPeriodMs: 90_000,
    });
  });

  it('a job that runs a while is waited on; its time is reported', async () => {
    const engine = new FakeEngine();
    engine.faults.jobRunsFor.init = 4;
    const outcomes = await apply(engine);
    expect(outcomes[0]).toMatchObject({ service: 'init', readyMs: 400 });
  });

  it('a job that fails: its last 20 log lines, nothing after it created, what this run made removed', async () => {
    const engine = new FakeEngine();
    engine.faults.jobExit.init = 1;
    engine.faults.logs.init = Array.from({ length: 30 }, (_, i) => `init line ${i + 1}`).join('\n');
    const error = await rejectedDecError(apply(engine));
    expect(error.message).toBe('The job init failed: it exited with code 1.');
    expect(error.exitCode).toBe(1);
    expect(error.details[0]).toBe('Last 20 log lines:');
    expect(error.details.slice(1, 21)).toEqual(Array.from({ length: 20 }, (_, i) => `  | init line ${i + 11}`));
    expect(error.hint).toContain('Nothing that needs it was started');
    expect(engine.calls.some((c) => c.includes(WEB) || c.includes(CLIENT))).toBe(false);
    // As for a service that never became ready: its container and the new volume go, and the new network.
    expect(engine.containers.size).toBe(0);
    expect([...engine.volumes.keys()]).toEqual([]);
    expect(engine.networks).toEqual([]);
    expect(error.details.at(-1)).toContain('Removed the containers this run created');
  });

  it('a job that never ends: the readiness timeout, said as a job', async () => {
    const engine = new FakeEngine();
    engine.faults.jobRunsFor.init = Infinity;
    const error = await rejectedDecError(apply(engine));
    expect(error.message).toBe('init did not become ready: it did not finish within 10 s.');
    expect(engine.containers.size).toBe(0);
  });

  it('an unhealthy service: said at once with the last health check output; rolled back', async () => {
    const engine = new FakeEngine();
    engine.faults.unhealthy.web = 'web: not serving yet';
    const error = await rejectedDecError(apply(engine));
    expect(error.message).toBe('web did not become ready: its health check failed 2 times in a row.');
    expect(error.details[0]).toMatch(/^Health check: CMD-SHELL test -f \/shared\/web-up/);
    expect(error.details.slice(1, 3)).toEqual(['Last health check output:', '  | web: not serving yet']);
    expect(error.details).toContain(`  | logs of ${WEB}`);
    expect(error.exitCode).toBe(1);
    expect(engine.clock).toBe(0);
    expect(engine.byName(CLIENT)).toBeUndefined();
    expect(engine.containers.size).toBe(0);
    // init completed, so the volume it wrote to is kept (it may hold its work); nothing else is left.
    expect([...engine.volumes.keys()]).toEqual([VOLUME]);
  });

  it('a health check that hangs in "starting": the readiness timeout, naming the health check', async () => {
    const engine = new FakeEngine();
    engine.faults.healthyAfter.web = Infinity;
    const error = await rejectedDecError(apply(engine));
    expect(error.message).toBe(
      'web did not become ready: it was not ready within 10 s (waiting until its health check passes).',
    );
    expect(engine.containers.size).toBe(0);
  });

  it.each([
    ['a health wait', 'web', (engine: FakeEngine) => (engine.faults.healthyAfter.web = Infinity)],
    ['a job run', 'init', (engine: FakeEngine) => (engine.faults.jobRunsFor.init = Infinity)],
  ])('Ctrl-C during %s: exit 130, nothing left but what was there', async (_, service, hang) => {
    const engine = new FakeEngine();
    hang(engine);
    const controller = new AbortController();
    let polls = 0;
    engine.faults.before = (call) => {
      if (call === `inspect dec-engine2-${service}` && ++polls === 3) controller.abort();
    };
    const error = await rejectedDecError(apply(engine, engine2(), {}, { signal: controller.signal }));
    expect(error.exitCode).toBe(130);
    expect(polls).toBe(3);
    expect(engine.containers.size).toBe(0);
    expect(engine.networks).toEqual([]);
  });

  it('"started" does not wait: the dependent starts while the dependency is still starting', async () => {
    const stack = variant((s) => (s.services.client!.dependsOn = { web: 'started' }));
    const engine = new FakeEngine();
    engine.faults.healthyAfter.web = 5;
    const seen: number[] = [];
    engine.faults.before = (call) => {
      if (call === `create ${CLIENT}`) seen.push(engine.byName(WEB)!.inspections);
    };
    const outcomes = await apply(engine, engine2(noOverrides(), stack));
    // Created before web's health check passed (web is waited on meanwhile, so it may have been looked at).
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeLessThanOrEqual(5);
    // Still, every service this run started is waited on before the setup says it is ready.
    expect(engine.byName(WEB)!.inspections).toBeGreaterThan(5);
    expect(outcomes.every((o) => o.readyMs !== undefined)).toBe(true);
  });
});

describe('re-runs', () => {
  async function upAlready(): Promise<FakeEngine> {
    const engine = new FakeEngine();
    await apply(engine);
    engine.calls.length = 0;
    return engine;
  }

  it('a job that succeeded with the same settings is skipped; its exited container (and log) stays', async () => {
    const engine = await upAlready();
    const init = engine.byName(INIT)!;
    const planned = await plan(engine);
    expect(planned.services.map((a) => [a.service.service, a.kind])).toEqual([
      ['init', 'keep'],
      ['web', 'keep'],
      ['client', 'keep'],
    ]);
    expect(planLines(planned, engine2())).toEqual([
      `skip the job ${INIT} (it completed with these settings)`,
      `keep ${WEB} (running, as the syllabus says)`,
      `keep ${CLIENT} (running, as the syllabus says)`,
    ]);
    await apply(engine);
    expect(engine.calls).toEqual([]);
    expect(engine.byName(INIT)).toBe(init);
    expect(init).toMatchObject({ state: 'exited', exitCode: 0 });
  });

  it('a job whose container exited with another code runs again (and what waits for it follows)', async () => {
    const engine = await upAlready();
    const init = engine.byName(INIT)!;
    init.exitCode = 3;
    const planned = await plan(engine);
    expect(planned.services[0]!.kind).toBe('start');
    expect(planLines(planned, engine2())[0]).toBe(`run the job ${INIT} again (it did not complete last time)`);
    await apply(engine);
    expect(engine.calls).toEqual([`start ${INIT}`]);
    expect(init).toMatchObject({ state: 'exited', exitCode: 0 });
  });

  it('a job whose settings changed is run again by a recreate; the old one goes once the new one succeeded', async () => {
    const engine = await upAlready();
    const old = engine.byName(INIT)!;
    const changed = engine2({ ...noOverrides(), env: { init: { EXTRA: '1' } } });
    await apply(engine, changed, { applying: new Set(['init']) });
    expect(engine.calls).toEqual([
      `stop ${INIT}`,
      `rename ${INIT} ${INIT}-old`,
      `create ${INIT}`,
      `start ${INIT}`,
      `remove ${INIT}-old`,
    ]);
    expect(engine.containers.has(old.id)).toBe(false);
    expect(engine.byName(INIT)).toMatchObject({ state: 'exited', exitCode: 0 });
  });

  it('a changed job that fails: the old (succeeded) one is put back', async () => {
    const engine = await upAlready();
    const old = engine.byName(INIT)!;
    engine.faults.jobExit.init = 2;
    const changed = engine2({ ...noOverrides(), env: { init: { EXTRA: '1' } } });
    const error = await rejectedDecError(apply(engine, changed, { applying: new Set(['init']) }));
    expect(error.message).toBe('The job init failed: it exited with code 2.');
    expect(engine.byName(INIT)).toBe(old);
    expect(old).toMatchObject({ state: 'exited', exitCode: 0 });
  });

  it('--dry-run says a new job runs once', async () => {
    const engine = new FakeEngine();
    expect((await plan(engine)).services.length).toBe(3);
    expect(planLines(await plan(engine), engine2())).toContain(
      `run the job ${INIT} once, to completion (dec-test/busybox:1)`,
    );
  });
});

describe('dec setup status: ready by the health check', () => {
  it('a running service is ready only while Docker says healthy; a job is never "ready"', async () => {
    const engine = new FakeEngine();
    const desired = engine2();
    await apply(engine, desired);
    const [init, web, client] = desired.services;
    const summary = (name: string) => engine.summary(engine.byName(name)!);
    expect(await serviceReady(engine.client, web!, summary(WEB))).toBe(true);
    expect(await serviceReady(engine.client, client!, summary(CLIENT))).toBe(true);
    expect(await serviceReady(engine.client, init!, summary(INIT))).toBe(false);
    engine.faults.unhealthy.web = 'web: not serving yet';
    expect(await serviceReady(engine.client, web!, summary(WEB))).toBe(false);
  });
});

describe('--print-compose', () => {
  interface ComposeService {
    healthcheck?: Record<string, unknown>;
    depends_on?: string[] | Record<string, { condition: string }>;
    user?: string;
    entrypoint?: string[];
    restart?: string;
    hostname?: string;
  }
  const compose = (stack?: Stack) =>
    (parse(composeYaml(engine2(noOverrides(), stack))) as { services: Record<string, ComposeService> }).services;

  it('writes the health check, conditions, user, entrypoint, restart and hostname as Compose reads them', () => {
    const { init, web, client } = compose();
    expect(init).toMatchObject({ user: '0:0', entrypoint: ['/bin/sh', '-c'], restart: 'no' });
    expect(web).toMatchObject({
      user: '65534:65534',
      hostname: 'web-host',
      restart: 'always',
      depends_on: { init: { condition: 'service_completed_successfully' } },
      healthcheck: { interval: '1s', timeout: '2s', retries: 2, start_period: '0s' },
    });
    // $ is doubled: Compose would otherwise substitute $WEB_SICK from the host.
    expect((web!.healthcheck!.test as string[])[1]).toContain('"$$WEB_SICK" != 1');
    expect(client).toMatchObject({ user: '1234:0', depends_on: { web: { condition: 'service_healthy' } } });
  });

  it('the short form waits in Compose for what dec waits for: a job completed, a health check passed', () => {
    const { client } = compose(variant((s) => (s.services.client!.dependsOn = ['web', 'init'])));
    expect(client!.depends_on).toEqual({
      web: { condition: 'service_healthy' },
      init: { condition: 'service_completed_successfully' },
    });
  });

  it('only "started" conditions stay a plain list', () => {
    const { client } = compose(variant((s) => (s.services.client!.dependsOn = { web: 'started' })));
    expect(client!.depends_on).toEqual(['web']);
  });
});
