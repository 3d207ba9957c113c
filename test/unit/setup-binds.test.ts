// Bind mounts, the Docker socket and other stacks' networks (issue 12) against the engine in memory and
// real temp folders: the schema's refusals, the desired spec and its hash, folders made (and owned) before
// anything is created, links out of the workspace refused, an optional network missing (a warning) or a
// required one (an error, nothing made), teardown keeping the folders and the other stack's network, and
// --print-compose. The stacks are test/fixtures/syllabi/binds-stack.yaml.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { setup, type SetupDeps } from '../../src/commands/setup.js';
import { isDecError } from '../../src/errors.js';
import { actualState, applyPlan, type ApplyEvent } from '../../src/setup/apply.js';
import { folderOwner, hostIds, prepareFolders, stackSocket } from '../../src/setup/binds.js';
import { stackWith } from '../../src/setup/state.js';
import { composeYaml } from '../../src/setup/compose.js';
import { planLines, planStack } from '../../src/setup/plan.js';
import { desiredStack, noOverrides, type DesiredStack } from '../../src/setup/spec.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import type { Stack } from '../../src/syllabus/schema.js';
import { commandContexts } from '../helpers/command-context.js';
import { FakeEngine } from '../helpers/fake-engine.js';

const FIXTURE = new URL('../fixtures/syllabi/binds-stack.yaml', import.meta.url);
const course = parseSyllabus(readFileSync(FIXTURE), 'binds-stack.yaml');
const HOST = { uid: 1234, gid: 5678 };
const IMAGE = 'dec-test/busybox:1';

const temps: string[] = [];
const contexts = commandContexts();
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
  contexts.cleanup();
});

function roots() {
  const dir = mkdtempSync(join(tmpdir(), 'dec-binds-'));
  temps.push(dir);
  const workspace = join(dir, 'course');
  const home = join(dir, 'home');
  mkdirSync(workspace);
  mkdirSync(home);
  return { dir, workspace, home };
}

function stackOf(id: string, where: { workspace: string; home: string }, stack: Stack = course.stacks[id]!) {
  return desiredStack(id, stack, course.id, noOverrides(), 'dec', HOST, {}, { roots: where, stacks: course.stacks });
}

function engineWith(...networks: string[]): FakeEngine {
  const engine = new FakeEngine();
  engine.images.add(IMAGE);
  for (const name of networks) engine.networks.push({ id: `other-${name}`, name, labels: {}, containers: 1 });
  return engine;
}

async function run(engine: FakeEngine, desired: DesiredStack, folderOwnerIs = folderOwner({})) {
  const events: ApplyEvent[] = [];
  const plan = planStack(desired, await actualState(engine.client, desired), { recreate: false });
  const outcome = await applyPlan(engine.client, desired, plan, {
    readyTimeoutMs: 10_000,
    pullQuietMs: 1000,
    signal: new AbortController().signal,
    onEvent: (event) => events.push(event),
    now: engine.now,
    sleep: engine.sleep,
    readyCheck: (service, id) => engine.readyCheck(service.service, id),
    folderOwner: folderOwnerIs,
  }).then(
    () => undefined,
    (error: unknown) => error,
  );
  const warnings = events.flatMap((e) => (e.kind === 'warn' ? [e.text] : []));
  return { error: outcome, warnings, events };
}

function decError(error: unknown) {
  if (!isDecError(error)) throw new Error(`expected a DecError, got ${String(error)}`);
  return [error.message, ...error.details, error.hint ?? ''].join('\n');
}

describe('the syllabus checks binds and networks', () => {
  const withWriter = (change: (stack: Stack) => void): string => {
    const syllabus = parse(readFileSync(FIXTURE, 'utf8')) as { stacks: Record<string, Stack> };
    change(syllabus.stacks.week2!);
    try {
      parseSyllabus(Buffer.from(JSON.stringify(syllabus)), 'binds-stack.yaml');
      return 'valid';
    } catch (error) {
      return isDecError(error) ? [error.message, ...error.details].join('\n') : String(error);
    }
  };

  it('accepts the fixture', () => {
    expect(withWriter(() => undefined)).toBe('valid');
  });

  it.each([
    ['a path that climbs out', 'homework/../../etc'],
    ['an absolute path', '/etc'],
    ['a Windows path', 'C:\\Users'],
    ['a bare ..', '..'],
  ])('refuses %s', (_, path) => {
    expect(withWriter((s) => (s.services.writer!.binds![0]!.path = path))).toContain(
      'expected a folder relative to its base, without ".."',
    );
  });

  it('refuses an unknown stack to join, and its own', () => {
    expect(withWriter((s) => (s.services.runner!.networks = [{ stack: 'week9' }]))).toContain('no stack "week9"');
    expect(withWriter((s) => (s.services.runner!.networks = [{ stack: 'week2' }]))).toContain(
      "always on its own stack's network",
    );
  });
});

describe('the desired spec', () => {
  it('bind sources are absolute, under the workspace or home; the other network by its name in the project', () => {
    const where = roots();
    const [writer, runner] = stackOf('week2', where).services;
    expect(writer!.binds.map((b) => [b.source, b.target, b.readOnly, b.ifMissing])).toEqual([
      [join(where.workspace, 'homework/week-2/out'), '/out', false, 'create'],
      [join(where.workspace, 'homework/week-2/conf'), '/conf', true, 'create'],
      [join(where.home, '.google/credentials'), '/.google/credentials', true, 'warn'],
    ]);
    expect(runner!.networks).toEqual([{ stack: 'week1', network: 'binds-other', optional: true }]);
    const other = desiredStack(
      'week2',
      course.stacks.week2!,
      course.id,
      noOverrides(),
      'dectest-9',
      HOST,
      {},
      {
        roots: where,
        stacks: course.stacks,
      },
    );
    expect(other.services[1]!.networks[0]!.network).toBe('dectest-9-binds-other');
  });

  it('a changed bind, read-only flag, socket or joined network changes the config hash (a recreate applies it)', () => {
    const where = roots();
    const hashes = (stack: Stack) => stackOf('week2', where, stack).services.map((s) => s.configHash);
    const [writer, runner] = hashes(course.stacks.week2!);
    const changed = (change: (stack: Stack) => void) => {
      const stack = structuredClone(course.stacks.week2!);
      change(stack);
      return hashes(stack);
    };
    expect(changed((s) => (s.services.writer!.binds![0]!.target = '/elsewhere'))[0]).not.toBe(writer);
    expect(changed((s) => (s.services.writer!.binds![0]!.readOnly = true))[0]).not.toBe(writer);
    expect(changed((s) => (s.services.runner!.dockerSocket = true))[1]).not.toBe(runner);
    expect(changed((s) => (s.services.runner!.networks![0]!.optional = false))[1]).not.toBe(runner);
    // Another workspace is another folder: the mount differs.
    expect(stackOf('week2', roots()).services[0]!.configHash).not.toBe(writer);
  });

  it("the socket's path is in the config hash of a dockerSocket service (another socket: a recreate), and only there", async () => {
    const where = roots();
    const stack = structuredClone(course.stacks.week2!);
    stack.services.runner!.dockerSocket = true;
    const withSocket = (socket?: string) =>
      desiredStack(
        'week2',
        stack,
        course.id,
        noOverrides(),
        'dec',
        HOST,
        {},
        { roots: where, stacks: course.stacks, socket },
      );
    const [writer, runner] = withSocket('/var/run/docker.sock').services;
    const moved = withSocket('/home/student/.docker/run/docker.sock').services;
    expect(moved[1]!.configHash).not.toBe(runner!.configHash);
    expect(moved[0]!.configHash).toBe(writer!.configHash);
    expect(withSocket('/var/run/docker.sock').services[1]!.configHash).toBe(runner!.configHash);
    // A running container made for the old socket is recreated without --recreate (the old path may be gone).
    const engine = engineWith('binds-other');
    const first = withSocket('/fake/docker.sock');
    expect((await run(engine, first)).error).toBeUndefined();
    expect(engine.byName('dec-week2-runner')!.spec.labels['dec.socket']).toBe('/fake/docker.sock');
    const again = withSocket('/other/docker.sock');
    const plan = planStack(again, await actualState(engine.client, again), { recreate: false });
    expect(plan.services.map((a) => [a.service.service, a.kind])).toEqual([
      ['writer', 'keep'],
      ['runner', 'recreate'],
    ]);
    expect(planLines(plan, again)).toContainEqual(
      expect.stringMatching(/^recreate dec-week2-runner with the Docker socket \/other\/docker.sock; /),
    );
    const unchanged = planStack(first, await actualState(engine.client, first), { recreate: false });
    expect(unchanged.services.map((a) => a.kind)).toEqual(['keep', 'keep']);
  });

  it('stackSocket: the unix socket dec would use, for a stack with a dockerSocket service only', async () => {
    const stack = structuredClone(course.stacks.week2!);
    expect(await stackSocket(stack, { DOCKER_HOST: 'unix:///tmp/x.sock' }, 'linux', '/home/s')).toBeUndefined();
    stack.services.runner!.dockerSocket = true;
    expect(await stackSocket(stack, { DOCKER_HOST: 'unix:///tmp/x.sock' }, 'linux', '/home/s')).toBe('/tmp/x.sock');
    expect(await stackSocket(stack, { DOCKER_HOST: 'tcp://127.0.0.1:2375' }, 'linux', '/home/s')).toBeUndefined();
  });
});

describe('apply', () => {
  it('makes the folders first, passes the binds (read-only ones too) to create, warns about the empty key folder', async () => {
    const where = roots();
    const engine = engineWith();
    const { error, warnings, events } = await run(engine, stackOf('week2', where));
    expect(error).toBeUndefined();

    for (const folder of ['homework/week-2/out', 'homework/week-2/conf'])
      expect(statSync(join(where.workspace, folder)).isDirectory()).toBe(true);
    expect(statSync(join(where.home, '.google/credentials')).isDirectory()).toBe(true);
    expect(events).toContainEqual({ kind: 'step', text: `made the folder ${join(where.workspace, 'homework')}` });

    expect(engine.byName('dec-week2-writer')!.spec.binds).toEqual([
      { source: join(where.workspace, 'homework/week-2/out'), target: '/out', readOnly: false },
      { source: join(where.workspace, 'homework/week-2/conf'), target: '/conf', readOnly: true },
      { source: join(where.home, '.google/credentials'), target: '/.google/credentials', readOnly: true },
    ]);
    expect(warnings).toContainEqual(
      `${join(where.home, '.google/credentials')} is empty (dec made it): the DAGs that upload to GCS will not find google_credentials.json. Put the files there; writer sees them without a restart.`,
    );
    // The first engine call comes after the folders: a refused folder leaves the engine untouched.
    expect(engine.calls[0]).toBe('network binds-net');
  });

  it('a key folder that holds the key: no warning; existing folders and files are left as they are', async () => {
    const where = roots();
    mkdirSync(join(where.home, '.google/credentials'), { recursive: true });
    writeFileSync(join(where.home, '.google/credentials/google_credentials.json'), '{}');
    mkdirSync(join(where.workspace, 'homework/week-2/out'), { recursive: true });
    writeFileSync(join(where.workspace, 'homework/week-2/out/mine.txt'), 'mine');
    const { error, warnings } = await run(engineWith(), stackOf('week2', where));
    expect(error).toBeUndefined();
    expect(warnings.filter((w) => w.includes('credentials'))).toEqual([]);
    expect(readFileSync(join(where.workspace, 'homework/week-2/out/mine.txt'), 'utf8')).toBe('mine');
  });

  it('a folder that is a link out of the workspace is refused before anything is made', async () => {
    const where = roots();
    const outside = join(where.dir, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, join(where.workspace, 'homework'));
    const engine = engineWith();
    const { error } = await run(engine, stackOf('week2', where));
    expect(decError(error)).toContain(
      `The folder homework/week-2/out that writer mounts passes through ${join(where.workspace, 'homework')}, a link that leads out of ${where.workspace}`,
    );
    expect(engine.calls).toEqual([]);
    expect(() => statSync(join(outside, 'week-2'))).toThrow();
  });

  it('a link that stays inside the workspace is followed', async () => {
    const where = roots();
    mkdirSync(join(where.workspace, 'real'));
    symlinkSync(join(where.workspace, 'real'), join(where.workspace, 'homework'));
    const { error } = await run(engineWith(), stackOf('week2', where));
    expect(error).toBeUndefined();
    expect(statSync(join(where.workspace, 'real/week-2/out')).isDirectory()).toBe(true);
  });

  it('a file where a folder should be: a clear error naming it, nothing created', async () => {
    const where = roots();
    writeFileSync(join(where.workspace, 'homework'), 'not a folder');
    const engine = engineWith();
    const { error } = await run(engine, stackOf('week2', where));
    expect(decError(error)).toContain(
      `${join(where.workspace, 'homework')} is a file, and writer mounts it as a folder`,
    );
    expect(engine.calls).toEqual([]);
  });

  it('folders dec makes belong to the student behind sudo (SUDO_UID), not to root', async () => {
    const where = roots();
    const uid = process.getuid!();
    // As root, chown to another user; as anyone else, to themselves (the only chown they may do).
    const student = uid === 0 ? { uid: 65534, gid: 65534 } : { uid, gid: process.getgid!() };
    const made = await prepareFolders(stackOf('week2', where).services, student);
    expect(made.created).toContain(join(where.workspace, 'homework/week-2/out'));
    for (const folder of made.created) expect(statSync(folder)).toMatchObject({ uid: student.uid, gid: student.gid });
  });

  it('folderOwner: SUDO_UID/SUDO_GID only when dec runs as root', () => {
    expect(folderOwner({ SUDO_UID: '1000', SUDO_GID: '1001' }, 0)).toEqual({ uid: 1000, gid: 1001 });
    expect(folderOwner({ SUDO_UID: '1000' }, 0)).toEqual({ uid: 1000, gid: 1000 });
    expect(folderOwner({ SUDO_UID: '1000' }, 1000)).toBeUndefined();
    expect(folderOwner({}, 0)).toBeUndefined();
    expect(folderOwner({ SUDO_UID: '0' }, 0)).toBeUndefined();
  });

  it('hostIds: {host.uid}/{host.gid} are the student behind sudo, like the folders', () => {
    expect(hostIds({ SUDO_UID: '1000', SUDO_GID: '1001' }, 0, 0)).toEqual({ uid: 1000, gid: 1001 });
    expect(hostIds({ SUDO_UID: '1000' }, 0, 0)).toEqual({ uid: 1000, gid: 1000 });
    expect(hostIds({}, 0, 0)).toEqual({ uid: 0, gid: 0 });
    expect(hostIds({ SUDO_UID: '1000', SUDO_GID: '1001' }, 1500, 1600)).toEqual({ uid: 1500, gid: 1600 });
  });

  it.runIf(process.getuid?.() === 0)(
    'as root under sudo, the stack runs the user {host.uid}:{host.gid} as the student (SUDO_UID/SUDO_GID)',
    () => {
      const where = roots();
      const underSudo = stackWith({ SUDO_UID: '1000', SUDO_GID: '1001' }, course, 'week2', noOverrides(), {}, where);
      expect(underSudo.services.find((s) => s.service === 'writer')!.user).toBe('1000:1001');
      const asRoot = stackWith({}, course, 'week2', noOverrides(), {}, where);
      expect(asRoot.services.find((s) => s.service === 'writer')!.user).toBe('0:0');
    },
  );

  it("joins the other stack's network with the service's names when it is there", async () => {
    const engine = engineWith('binds-other');
    const { error, warnings } = await run(engine, stackOf('week2', roots()));
    expect(error).toBeUndefined();
    expect(engine.byName('dec-week2-runner')!.networks).toEqual(['binds-net', 'binds-other']);
    expect(engine.calls).toContain('connect dec-week2-runner binds-other');
    expect(warnings.filter((w) => w.includes('binds-other'))).toEqual([]);
  });

  it('an optional network missing: a warning naming the stack and how to start it; the service starts without', async () => {
    const engine = engineWith();
    const { error, warnings } = await run(engine, stackOf('week2', roots()));
    expect(error).toBeUndefined();
    expect(warnings).toContain(
      'runner joins the network binds-other of the week1 stack, which is not set up: runner starts without it (dec setup week1, then run this again).',
    );
    expect(engine.byName('dec-week2-runner')!.networks).toEqual(['binds-net']);
    expect(engine.calls.filter((c) => c.startsWith('connect'))).toEqual([]);
  });

  it('a required network missing: a clear error naming the stack and dec setup week1; nothing created', async () => {
    const engine = engineWith();
    const { error } = await run(engine, stackOf('week3', roots()));
    const text = decError(error);
    expect(text).toContain('Cannot start: another stack is not set up.');
    expect(text).toContain('needy joins the network binds-other of the week1 stack, which is not set up');
    expect(text).toContain('Start it first: dec setup week1. Nothing was changed.');
    expect(engine.calls).toEqual([]);
  });

  it('a re-run joins the other network once it is there (the kept container is connected)', async () => {
    const where = roots();
    const engine = engineWith();
    await run(engine, stackOf('week2', where));
    engine.networks.push({ id: 'later', name: 'binds-other', labels: {}, containers: 1 });
    // Something else changes (--recreate of writer is not needed: any apply joins kept containers).
    const desired = stackOf('week2', where);
    const plan = planStack(desired, await actualState(engine.client, desired), { recreate: false });
    expect(plan.services.map((a) => a.kind)).toEqual(['keep', 'keep']);
    const { error } = await run(engine, desired);
    expect(error).toBeUndefined();
    expect(engine.byName('dec-week2-runner')!.networks).toEqual(['binds-net', 'binds-other']);
  });

  it('the Docker socket: the engine dec uses, said in the output; a tcp engine is refused before anything is made', async () => {
    const stack = structuredClone(course.stacks.week2!);
    stack.services.runner!.dockerSocket = true;
    const engine = engineWith('binds-other');
    const { error, warnings } = await run(engine, stackOf('week2', roots(), stack));
    expect(error).toBeUndefined();
    expect(engine.byName('dec-week2-runner')!.spec.binds).toEqual([
      { source: '/fake/docker.sock', target: '/var/run/docker.sock', readOnly: false },
    ]);
    expect(warnings).toContain(
      'runner gets the Docker socket (/fake/docker.sock at /var/run/docker.sock): it controls this Docker engine.',
    );

    const remote = engineWith('binds-other');
    const client = { ...remote.client, endpoint: { url: 'tcp://10.0.0.2:2376', source: 'DOCKER_HOST' } };
    const desired = stackOf('week2', roots(), stack);
    const refused = await applyPlan(
      client,
      desired,
      planStack(desired, await actualState(client, desired), { recreate: false }),
      {
        readyTimeoutMs: 1000,
        pullQuietMs: 1000,
        signal: new AbortController().signal,
        onEvent: () => undefined,
      },
    ).catch((e: unknown) => e);
    expect(decError(refused)).toContain('which is not a unix socket on this machine');
    expect(remote.calls).toEqual([]);
  });
});

describe('dec setup (in-process): teardown', () => {
  function deps(engine: FakeEngine): SetupDeps {
    return {
      connect: async () => engine.client,
      hostPorts: { inUse: async () => false, listener: async () => undefined },
    };
  }

  it('--destroy --yes keeps the folders and their files, and the other stack’s network; it says so', async () => {
    const engine = engineWith('binds-other');
    const ctx = contexts.make({ env: { DEC_SYLLABUS: FIXTURE.pathname } });
    expect(await setup(ctx, '2', {}, deps(engine))).toBe(0);
    const out = join(ctx.cwd, 'homework/week-2/out');
    writeFileSync(join(out, 'dag.py'), 'print(1)');
    expect(ctx.stdout()).toContain('No dec workspace here');

    const destroy = contexts.make({ env: { DEC_SYLLABUS: FIXTURE.pathname } });
    Object.assign(destroy, { cwd: ctx.cwd, home: ctx.home, env: { ...ctx.env } });
    expect(await setup(destroy, '2', { destroy: true, yes: true }, deps(engine))).toBe(0);
    expect(destroy.stdout()).toContain(`kept your folders: ${out}`);
    expect(readFileSync(join(out, 'dag.py'), 'utf8')).toBe('print(1)');
    expect(engine.networks.map((n) => n.name)).toContain('binds-other');
    expect(engine.calls.filter((c) => c.startsWith('removeNetwork'))).toEqual([]);
    expect([...engine.containers.values()].filter((c) => c.name.startsWith('dec-week2'))).toEqual([]);
  });

  it('a re-run after the other stack came up joins its network (not "nothing to change"); --dry-run says so', async () => {
    const engine = engineWith();
    const first = contexts.make({ env: { DEC_SYLLABUS: FIXTURE.pathname, NO_COLOR: '1' } });
    const planned = contexts.make({ env: { DEC_SYLLABUS: FIXTURE.pathname } });
    Object.assign(planned, { cwd: first.cwd, home: first.home, env: { ...first.env } });
    expect(await setup(planned, '2', { dryRun: true }, deps(engine))).toBe(0);
    expect(planned.stdout()).toContain(`make the folder ${join(first.cwd, 'homework/week-2/out')}`);
    expect(() => statSync(join(first.cwd, 'homework'))).toThrow();
    expect(await setup(first, '2', {}, deps(engine))).toBe(0);
    expect(first.stderr()).toContain('runner starts without it (dec setup week1, then run this again)');
    engine.networks.push({ id: 'later', name: 'binds-other', labels: {}, containers: 1 });
    const again = (options: { dryRun?: boolean }) => {
      const ctx = contexts.make({ env: { DEC_SYLLABUS: FIXTURE.pathname } });
      Object.assign(ctx, { cwd: first.cwd, home: first.home, env: { ...first.env } });
      return { ctx, code: setup(ctx, '2', options, deps(engine)) };
    };
    const dry = again({ dryRun: true });
    expect(await dry.code).toBe(0);
    expect(dry.ctx.stdout()).toContain('connect dec-week2-runner to the network binds-other (week1)');
    const run = again({});
    expect(await run.code).toBe(0);
    expect(run.ctx.stdout()).not.toContain('nothing to change');
    expect(engine.byName('dec-week2-runner')!.networks).toEqual(['binds-net', 'binds-other']);
  });

  it('in a workspace, the folders are under its root from any folder inside it', async () => {
    const engine = engineWith();
    const ctx = contexts.make({ env: { DEC_SYLLABUS: FIXTURE.pathname } });
    mkdirSync(join(ctx.cwd, '.dec'));
    writeFileSync(
      join(ctx.cwd, '.dec/workspace.json'),
      JSON.stringify({ version: 1, syllabus: FIXTURE.pathname, startDate: '2022-01-17' }),
    );
    const inside = join(ctx.cwd, 'notes/deeper');
    mkdirSync(inside, { recursive: true });
    Object.assign(ctx, { cwd: inside });
    expect(await setup(ctx, '2', {}, deps(engine))).toBe(0);
    expect(ctx.stdout()).not.toContain('No dec workspace here');
    expect(statSync(join(ctx.dir, 'work/homework/week-2/out')).isDirectory()).toBe(true);
    expect(() => statSync(join(inside, 'homework'))).toThrow();
  });

  it('the --destroy confirmation names the folders it keeps', async () => {
    const engine = engineWith();
    const ctx = contexts.make({ interactive: true, answers: ['no'], env: { DEC_SYLLABUS: FIXTURE.pathname } });
    // Answered with another name: nothing is deleted, and the no exits 1 (src/output/prompt.ts notConfirmed).
    const declined = await setup(ctx, '2', { destroy: true }, deps(engine)).catch((error: unknown) => error);
    expect(declined).toMatchObject({ exitCode: 1 });
    expect(ctx.asked[0]).toContain(`Your folders stay: ${join(ctx.cwd, 'homework/week-2/out')}`);
  });
});

describe('--print-compose', () => {
  it('writes binds with absolute host paths (ro where read-only) and the other network as external', () => {
    const where = roots();
    const stack = structuredClone(course.stacks.week2!);
    stack.services.runner!.dockerSocket = true;
    const text = composeYaml(stackOf('week2', where, stack), '/run/user/1000/docker.sock');
    const compose = parse(text) as {
      services: Record<string, { volumes?: string[]; networks: Record<string, { aliases: string[] }> }>;
      networks: Record<string, { name: string; external?: boolean }>;
    };
    expect(compose.services.writer!.volumes).toEqual([
      `${join(where.workspace, 'homework/week-2/out')}:/out`,
      `${join(where.workspace, 'homework/week-2/conf')}:/conf:ro`,
      `${join(where.home, '.google/credentials')}:/.google/credentials:ro`,
    ]);
    expect(compose.services.runner!.volumes).toEqual(['/run/user/1000/docker.sock:/var/run/docker.sock']);
    expect(compose.services.runner!.networks).toEqual({
      'binds-net': { aliases: ['runner', 'task-runner'] },
      'binds-other': { aliases: ['runner', 'task-runner'] },
    });
    expect(compose.networks).toEqual({
      'binds-net': { name: 'binds-net' },
      'binds-other': { name: 'binds-other', external: true },
    });
    expect(text).toContain('#   binds-other: dec setup week1 (dec starts without it; Compose cannot)');
    expect(text).toContain(`#   mkdir -p ${join(where.workspace, 'homework/week-2/out')}`);
  });
});
