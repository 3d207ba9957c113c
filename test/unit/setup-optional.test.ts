// Optional services (`optional: true`, week 4's Metabase) on the engine in memory
// (test/helpers/fake-engine.ts), with the flow fixture plus an optional `dash` service: off unless the
// student asked (--with, remembered in the stack's settings), never planned or pulled while off, kept by
// a plain re-run that does not name it, removed only by --without (volume kept) or --down, shown by
// status while a container of it is there; the flags, the settings file, the next: lines, Compose's
// profile and the syllabus checks.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeYaml } from '../../src/setup/compose.js';
import { changesNothingAtAll, down, planDown, planUp, stackStatus, up } from '../../src/setup/engine.js';
import { appliedOverrides, applyFlags } from '../../src/setup/options.js';
import { chosen, planLines, type PlanOptions } from '../../src/setup/plan.js';
import { desiredStack, noOverrides, renderNext, type DesiredStack, type Overrides } from '../../src/setup/spec.js';
import { readOverrides, saveOverrides } from '../../src/setup/state.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import type { Stack } from '../../src/syllabus/schema.js';
import { applySeams, FakeEngine } from '../helpers/fake-engine.js';
import { thrownDecError } from '../helpers/errors.js';

const course = parseSyllabus(
  readFileSync(new URL('../fixtures/syllabi/flow-stack.yaml', import.meta.url)),
  'flow-stack.yaml',
);
const HOST = { uid: 1000, gid: 1000 };
const DASH = 'dec-flow-dash';

/** The flow stack plus `dash`: optional, published on 13000, with a volume, and a next: line of its own. */
function withDash(): Stack {
  const stack = structuredClone(course.stacks.flow!);
  stack.services.dash = {
    image: 'flow/dash:1',
    optional: true,
    ports: [{ host: 13000, container: 3000 }],
    volumes: [{ name: 'dash-data', path: '/data' }],
  };
  stack.next = ['App:  http://localhost:{app.8080}', 'Dash: http://localhost:{dash.3000} (its data: {dash.MB_DB})'];
  return stack;
}
const STACK = withDash();

const desired = (optional?: string[]): DesiredStack =>
  desiredStack('flow', STACK, course.id, { ...noOverrides(), ...(optional ? { optional } : {}) }, 'dec', HOST);

async function bringUp(engine: FakeEngine, stack: DesiredStack, plan: Partial<PlanOptions> = {}) {
  const planned = await planUp(engine.client, stack, { recreate: false, repair: true, warn: () => undefined, ...plan });
  await up(engine.client, stack, planned.plan, applySeams(engine));
  return planned;
}

describe('an optional service that is off', () => {
  it('is not planned, pulled or given a volume; the dry run says it is left out', async () => {
    const engine = new FakeEngine();
    const stack = desired();
    expect(stack.services.find((s) => s.service === 'dash')?.optional).toBe('off');
    expect(chosen(stack).map((s) => s.service)).not.toContain('dash');
    const { plan } = await bringUp(engine, stack);
    expect(plan.services.map((a) => a.service.service)).not.toContain('dash');
    expect(plan.pullImages).not.toContain('flow/dash:1');
    expect(plan.createVolumes).not.toContain('dec-flow-dash-data');
    expect(engine.calls.filter((c) => c.includes('dash'))).toEqual([]);
    expect(planLines(plan, stack)).toContain('leave out the optional dash (--with dash starts it)');
  });

  it('status leaves it out while it has no container', async () => {
    const engine = new FakeEngine();
    await bringUp(engine, desired());
    const status = await stackStatus(engine.client, desired(), await engine.client.listContainers(), undefined);
    expect(status.map((s) => s.service)).toEqual(['db', 'cache', 'migrate', 'app']);
  });

  it('next: leaves out its lines and says how to start it', () => {
    expect(renderNext(desired())).toEqual([
      'App:  http://localhost:18080',
      'dash:        optional, not started: dec setup flow --with dash',
    ]);
    expect(renderNext(desired(['dash']))).toEqual([
      'App:  http://localhost:18080',
      'Dash: http://localhost:13000 (its data: {dash.MB_DB})',
    ]);
  });
});

describe('an optional service turned on (--with)', () => {
  it('is pulled, created with its volume and started; status shows it', async () => {
    const engine = new FakeEngine();
    const { plan } = await bringUp(engine, desired(['dash']));
    expect(plan.pullImages).toContain('flow/dash:1');
    expect(plan.createVolumes).toContain('dec-flow-dash-data');
    expect(engine.byName(DASH)?.state).toBe('running');
    const status = await stackStatus(engine.client, desired(['dash']), await engine.client.listContainers(), undefined);
    expect(status.find((s) => s.service === 'dash')).toMatchObject({ container: DASH, state: 'running' });
  });

  it('a later run where it is off (no --with remembered) leaves its container alone, and status still shows it', async () => {
    const engine = new FakeEngine();
    await bringUp(engine, desired(['dash']));
    const calls = engine.calls.length;
    const planned = await planUp(engine.client, desired(), { recreate: false, repair: true, warn: () => undefined });
    expect(changesNothingAtAll(planned)).toBe(true);
    expect(planned.plan.removeExtra).toEqual([]);
    await up(engine.client, desired(), planned.plan, applySeams(engine));
    expect(engine.calls.slice(calls).filter((c) => c.includes('dash'))).toEqual([]);
    expect(engine.byName(DASH)?.state).toBe('running');
    const status = await stackStatus(engine.client, desired(), await engine.client.listContainers(), undefined);
    expect(status.find((s) => s.service === 'dash')).toMatchObject({ state: 'running' });
  });

  it('a stopped container of it is started again by a plain run while it is on', async () => {
    const engine = new FakeEngine();
    await bringUp(engine, desired(['dash']));
    engine.byName(DASH)!.state = 'exited';
    const { plan } = await bringUp(engine, desired(['dash']));
    expect(plan.services.find((a) => a.service.service === 'dash')?.kind).toBe('start');
    expect(engine.byName(DASH)?.state).toBe('running');
  });

  it('--without removes its container and keeps its volume', async () => {
    const engine = new FakeEngine();
    await bringUp(engine, desired(['dash']));
    const { plan } = await bringUp(engine, desired(), { turnOff: new Set(['dash']) });
    expect(plan.removeExtra.map((c) => c.name)).toEqual([DASH]);
    expect(planLines(plan, desired())).toContain(
      `remove ${DASH} (--without dash; its volumes are kept, --with dash brings it back)`,
    );
    expect(engine.byName(DASH)).toBeUndefined();
    expect(engine.volumes.has('dec-flow-dash-data')).toBe(true);
    expect(engine.byName('dec-flow-app')?.state).toBe('running');
  });

  it('--down removes it with the rest; its volume is named as kept only once it exists', async () => {
    const engine = new FakeEngine();
    await bringUp(engine, desired());
    const before = await planDown(engine.client, desired(), { destroy: false });
    expect(before.volumes).not.toContain('dec-flow-dash-data');
    await bringUp(engine, desired(['dash']));
    const removal = await planDown(engine.client, desired(['dash']), { destroy: false });
    expect(removal.containers.map((c) => c.name)).toContain(DASH);
    expect(removal.volumes).toContain('dec-flow-dash-data');
    await down(engine.client, removal, new AbortController().signal);
    expect(engine.byName(DASH)).toBeUndefined();
  });
});

describe('--with and --without (options.ts) and the remembered settings (state.ts)', () => {
  it('--with turns it on, a later run without flags keeps it, --without turns it off', () => {
    const on = applyFlags(noOverrides(), { with: ['dash'] }, STACK);
    expect(on.optional).toEqual(['dash']);
    const again = applyFlags(on, {}, STACK);
    expect(again.optional).toEqual(['dash']);
    const off = applyFlags(again, { without: 'dash' }, STACK);
    expect(off.optional).toBeUndefined();
    // --only does not lose it: --with says what a plain run starts.
    expect(appliedOverrides(noOverrides(), on, ['db'], STACK).optional).toEqual(['dash']);
  });

  it('refuses a service that is not optional, an unknown one, and --with and --without of the same', () => {
    expect(thrownDecError(() => applyFlags(noOverrides(), { with: ['db'] }, STACK)).message).toMatch(
      /--with: db is not an optional service .* it always starts/,
    );
    expect(thrownDecError(() => applyFlags(noOverrides(), { with: ['dahs'] }, STACK)).message).toMatch(
      /no service "dahs".*Did you mean dash/,
    );
    expect(
      thrownDecError(() => applyFlags(noOverrides(), { with: ['dash'], without: ['dash'] }, STACK)).message,
    ).toMatch(/opposite/);
  });

  let home: string | undefined;
  afterEach(() => {
    if (home) rmSync(home, { recursive: true, force: true });
    home = undefined;
  });

  it('is remembered in the stack settings file; a file without it (older dec) reads as none on', async () => {
    home = mkdtempSync(join(tmpdir(), 'dec-optional-'));
    const env = { DEC_HOME: home };
    const on: Overrides = { ...noOverrides(), optional: ['dash'] };
    await saveOverrides(env, 'flow-test', 'flow', on);
    expect((await readOverrides(env, 'flow-test', 'flow')).optional).toEqual(['dash']);
    await saveOverrides(env, 'flow-test', 'flow', noOverrides());
    const read = await readOverrides(env, 'flow-test', 'flow');
    expect(read).toEqual(noOverrides());
  });
});

describe('--print-compose and the syllabus checks', () => {
  it('puts an optional service in a Compose profile of its name, and the header says how to start it', () => {
    const text = composeYaml(desired());
    const compose = parse(text) as { services: Record<string, { profiles?: string[] }> };
    expect(compose.services.dash?.profiles).toEqual(['dash']);
    expect(compose.services.app?.profiles).toBeUndefined();
    expect(text).toContain('--profile dash up -d');
  });

  const syllabus = (services: string, tool = '') =>
    `schemaVersion: 1
id: optional-test
title: Optional test
stacks:
  s:
    title: S
    network: { name: s-net }${tool}
    services:
${services}
weeks:
  - number: 1
    id: week-1
    title: W
    topics: [{ title: Hello }]
    setup: { summary: S, stack: s }
`;

  /** The syllabus check's problems, one text. */
  const problems = (text: string) => {
    const error = thrownDecError(() => parseSyllabus(Buffer.from(text), 'x.yaml'));
    return [error.message, ...(error.details ?? [])].join('\n');
  };

  it('refuses a service that always starts depending on an optional one, and an optional tool service', () => {
    const depends = syllabus(
      '      dash: { image: a:1, optional: true }\n      app: { image: b:1, dependsOn: [dash] }',
    );
    expect(problems(depends)).toMatch(
      /dash is optional \(started only with --with dash\), so app, which always starts, cannot depend on it/,
    );
    const tool = syllabus('      dash: { image: a:1, optional: true }', '\n    tool: { service: dash }');
    expect(problems(tool)).toMatch(/tool.service.*dash is optional/s);
  });
});
