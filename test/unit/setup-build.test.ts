// A service's `build` (issue 12) against the engine in memory: the context's digest, the plan's build
// step, building before any container, no rebuild when nothing changed, a rebuild (and safe recreate)
// when a file changed, a failed build shown with its log and rolled back, Ctrl-C in a build, the schema's
// checks and --print-compose. The stack is test/fixtures/syllabi/build-stack.yaml; the context is
// written into a temp folder per test.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isDecError } from '../../src/errors.js';
import { actualState, applyPlan, type ApplyEvent, type ApplyOptions } from '../../src/setup/apply.js';
import { buildContextRoot, contextFiles, resolveBuilds } from '../../src/setup/build.js';
import { composeYaml } from '../../src/setup/compose.js';
import { changesNothing, planLines, planStack } from '../../src/setup/plan.js';
import { desiredStack, noOverrides, type DesiredStack } from '../../src/setup/spec.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { BUILTIN_SYLLABUS_DIR, TEMPLATES_DIR } from '../../src/paths.js';
import type { Stack } from '../../src/syllabus/schema.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { rejectedDecError } from '../helpers/errors.js';

const FIXTURE = new URL('../fixtures/syllabi/build-stack.yaml', import.meta.url);
const course = parseSyllabus(readFileSync(FIXTURE), 'build-stack.yaml');
const STACK = course.stacks.built!;
const APP = 'dec-built-app';
const folders: string[] = [];

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A temp folder standing for the syllabus's own, with the context app/ in it. */
function contextRoot(files: Record<string, string> = { Dockerfile: 'FROM dec-test/busybox:1\n', 'a.txt': 'one\n' }) {
  const root = mkdtempSync(join(tmpdir(), 'dec-build-unit-'));
  folders.push(root);
  mkdirSync(join(root, 'app', 'sub'), { recursive: true });
  for (const [path, content] of Object.entries(files)) writeFileSync(join(root, 'app', path), content);
  return root;
}

async function desired(root: string, stack: Stack = STACK): Promise<DesiredStack> {
  const builds = await resolveBuilds(stack, root);
  return desiredStack('built', stack, course.id, noOverrides(), 'dec', { uid: 1000, gid: 1000 }, builds);
}

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

async function apply(engine: FakeEngine, stack: DesiredStack, extra: Partial<ApplyOptions> = {}) {
  const plan = planStack(stack, await actualState(engine.client, stack), { recreate: false });
  return { plan, outcomes: await applyPlan(engine.client, stack, plan, options(engine, extra)) };
}

function withBuild(change: (build: NonNullable<Stack['services'][string]['build']>) => void): Stack {
  const stack = structuredClone(STACK);
  change(stack.services.app!.build!);
  return stack;
}

describe('the context digest', () => {
  it('tags the image <image>:<12 hex digits> and labels the container with it', async () => {
    const [app] = (await desired(contextRoot())).services;
    expect(app!.image).toMatch(/^dec-test\/setup-build:[0-9a-f]{12}$/);
    expect(app!.labels['dec.build']).toBe(app!.build!.digest);
    expect(app!.image.endsWith(app!.build!.digest)).toBe(true);
  });

  it('is the same for the same files, and changes with a file, a mode, a new file or a build setting', async () => {
    const root = contextRoot();
    const digest = async (stack: Stack = STACK) => (await desired(root, stack)).services[0]!.build!.digest;
    const first = await digest();
    expect(await digest()).toBe(first);
    const seen = new Set([first]);
    const changes: Array<() => Promise<string>> = [
      async () => (writeFileSync(join(root, 'app', 'a.txt'), 'two\n'), digest()),
      async () => (chmodSync(join(root, 'app', 'a.txt'), 0o755), digest()),
      async () => (writeFileSync(join(root, 'app', 'sub', 'b.txt'), 'new\n'), digest()),
      () => digest(withBuild((b) => (b.args = { GREETING: 'bye' }))),
      () => digest(withBuild((b) => (b.target = 'runtime'))),
      () => digest(withBuild((b) => (b.platform = 'linux/amd64'))),
    ];
    for (const change of changes) {
      const next = await change();
      expect(seen.has(next)).toBe(false);
      seen.add(next);
    }
  });

  it('is part of the config hash, so a changed context is a difference', async () => {
    const root = contextRoot();
    const before = (await desired(root)).services[0]!.configHash;
    writeFileSync(join(root, 'app', 'a.txt'), 'changed\n');
    expect((await desired(root)).services[0]!.configHash).not.toBe(before);
  });

  it('--image instead of the build: nothing is built or even looked for', async () => {
    const builds = await resolveBuilds(STACK, '/nonexistent', { app: 'dec-test/busybox:1' });
    expect(builds).toEqual({});
  });
});

describe('.dockerignore', () => {
  /** The paths contextFiles sends, in order. */
  async function sent(dir: string, dockerfile?: string): Promise<string[]> {
    const paths: string[] = [];
    for await (const file of contextFiles(dir, dockerfile)) paths.push(file.path);
    return paths;
  }

  function ignoringRoot(): string {
    const root = contextRoot({
      Dockerfile: 'FROM dec-test/busybox:1\n',
      'a.txt': 'one\n',
      'debug.log': 'noise\n',
      'keep.log': 'wanted\n',
      '.dockerignore': [
        '# comments and blank lines are skipped',
        '',
        '*.log',
        '!keep.log',
        '/secrets/',
        '**/__pycache__',
        'sub/*.tmp',
        'data/[a-c]?.csv',
        'Dockerfile',
      ].join('\n'),
    });
    const app = join(root, 'app');
    for (const folder of ['secrets', 'sub/__pycache__', '__pycache__', 'data', 'sub/deeper'])
      mkdirSync(join(app, folder), { recursive: true });
    writeFileSync(join(app, 'secrets', 'key.json'), '{}');
    writeFileSync(join(app, 'sub', '__pycache__', 'x.pyc'), 'x');
    writeFileSync(join(app, '__pycache__', 'y.pyc'), 'y');
    writeFileSync(join(app, 'sub', 'scratch.tmp'), 't');
    writeFileSync(join(app, 'sub', 'deeper', 'scratch.tmp'), 'kept: sub/*.tmp is one level');
    writeFileSync(join(app, 'sub', 'debug.log'), 'kept: *.log is the top level only, as in Docker');
    writeFileSync(join(app, 'data', 'a1.csv'), '1');
    writeFileSync(join(app, 'data', 'd1.csv'), 'kept: d is not in [a-c]');
    // An ignored link is not sent, so it is not refused either.
    symlinkSync('/etc/passwd', join(app, 'secrets', 'passwd'));
    return root;
  }

  it('leaves out what it lists (globs, **, a folder, character classes, ! exceptions); the Dockerfile and itself are always sent', async () => {
    const root = ignoringRoot();
    await resolveBuilds(STACK, root);
    expect(await sent(join(root, 'app'))).toEqual([
      '.dockerignore',
      'Dockerfile',
      'a.txt',
      'data/d1.csv',
      'keep.log',
      'sub/debug.log',
      'sub/deeper/scratch.tmp',
    ]);
  });

  it('an ignored file does not change the digest; a sent one, or the .dockerignore itself, does', async () => {
    const root = ignoringRoot();
    const digest = async () => (await desired(root)).services[0]!.build!.digest;
    const first = await digest();
    writeFileSync(join(root, 'app', 'debug.log'), 'more noise\n');
    writeFileSync(join(root, 'app', 'secrets', 'key.json'), '{"new": true}');
    writeFileSync(join(root, 'app', 'sub', '__pycache__', 'z.pyc'), 'z');
    expect(await digest()).toBe(first);
    writeFileSync(join(root, 'app', 'keep.log'), 'changed\n');
    const second = await digest();
    expect(second).not.toBe(first);
    writeFileSync(join(root, 'app', '.dockerignore'), '*.log\nsecrets\n');
    expect(await digest()).not.toBe(second);
  });

  it('without a .dockerignore every file is sent', async () => {
    const root = contextRoot({ Dockerfile: 'FROM x\n', 'debug.log': 'x' });
    expect(await sent(join(root, 'app'))).toEqual(['Dockerfile', 'debug.log']);
  });
});

describe('where the context is', () => {
  it('under templates/ for a built-in syllabus, next to the file for any other', () => {
    expect(buildContextRoot(join(BUILTIN_SYLLABUS_DIR, 'dez-2022.yaml'))).toBe(TEMPLATES_DIR);
    expect(buildContextRoot('/home/student/course/mine.yaml')).toBe('/home/student/course');
  });

  it('a missing folder, a missing Dockerfile, a link out of the folder and a link inside: clear errors', async () => {
    const missing = await rejectedDecError(resolveBuilds(STACK, join(tmpdir(), 'dec-no-such-folder')));
    expect(missing.message).toMatch(/^Cannot find the build context of app \(app, in .*\): .* is not a folder\.$/);

    const noDockerfile = await rejectedDecError(resolveBuilds(STACK, contextRoot({ 'a.txt': 'x' })));
    expect(noDockerfile.message).toMatch(/^The build context of app has no Dockerfile/);

    const outside = mkdtempSync(join(tmpdir(), 'dec-build-outside-'));
    folders.push(outside);
    writeFileSync(join(outside, 'Dockerfile'), 'FROM x\n');
    const root = mkdtempSync(join(tmpdir(), 'dec-build-unit-'));
    folders.push(root);
    symlinkSync(outside, join(root, 'app'));
    const escaped = await rejectedDecError(resolveBuilds(STACK, root));
    expect(escaped.message).toContain('leads outside');

    const linked = contextRoot();
    symlinkSync('/etc/passwd', join(linked, 'app', 'passwd'));
    const link = await rejectedDecError(resolveBuilds(STACK, linked));
    expect(link.message).toContain('holds passwd, which is not a regular file or folder');
  });
});

describe('the syllabus checks build', () => {
  const withService = (service: Record<string, unknown>): string => {
    const data = parse(readFileSync(FIXTURE, 'utf8')) as { stacks: { built: { services: Record<string, unknown> } } };
    data.stacks.built.services.app = { ...(data.stacks.built.services.app as object), ...service };
    try {
      parseSyllabus(Buffer.from(JSON.stringify(data)), 'build.yaml');
      return 'valid';
    } catch (error) {
      return isDecError(error) ? [error.message, ...error.details].join('\n') : String(error);
    }
  };

  it('rejects a tagged image name, a context that climbs out, an unknown key', () => {
    expect(withService({})).toBe('valid');
    expect(withService({ image: 'dec-test/setup-build:1' })).toMatch(
      /expected an image name without a tag for a built image .* e\.g\. "dec-test\/setup-build"/,
    );
    expect(withService({ build: { context: '../elsewhere' } })).toMatch(/expected a path relative to its folder/);
    expect(withService({ build: { context: '/abs' } })).toMatch(/expected a path relative to its folder/);
    expect(withService({ build: { context: 'app', network: 'host' } })).toMatch(/network/);
    expect(withService({ build: { context: 'app', platform: 'amd64' } })).toMatch(/linux\/amd64/);
  });
});

describe('the plan', () => {
  it('builds before creating; --dry-run says so; an image already built is "built, up to date"', async () => {
    const stack = await desired(contextRoot());
    const engine = new FakeEngine();
    const plan = planStack(stack, await actualState(engine.client, stack), { recreate: false });
    expect(plan.pullImages).toEqual([]);
    expect(planLines(plan, stack)).toEqual([
      'create network build-net',
      `build image ${stack.services[0]!.image} from ${stack.services[0]!.build!.dir} (Dockerfile)`,
      `create and start ${APP} (${stack.services[0]!.image})`,
    ]);
    engine.images.add(stack.services[0]!.image);
    const again = planStack(stack, await actualState(engine.client, stack), { recreate: false });
    expect(planLines(again, stack)).toContain(`image ${stack.services[0]!.image} built, up to date`);
  });
});

describe('apply', () => {
  it('builds the image (the context as a tar, the settings, labels) before creating the container', async () => {
    const engine = new FakeEngine();
    const stack = await desired(contextRoot());
    const events: ApplyEvent[] = [];
    await apply(engine, stack, { onEvent: (event) => events.push(event) });
    expect(engine.calls).toEqual([
      'network build-net',
      `build ${stack.services[0]!.image}`,
      `create ${APP}`,
      `start ${APP}`,
      `check ${APP}`,
    ]);
    const [build] = engine.builds;
    expect(build!.files).toEqual({ Dockerfile: 'FROM dec-test/busybox:1\n', 'a.txt': 'one\n' });
    expect(build!.spec).toMatchObject({
      dockerfile: 'Dockerfile',
      args: { GREETING: 'hello' },
      labels: { 'dec.project': 'dec', 'dec.stack': 'built', 'dec.build': stack.services[0]!.build!.digest },
    });
    expect(events.filter((e) => e.kind === 'build').map((e) => e.kind === 'build' && e.progress.step)).toEqual([1, 2]);
  });

  it('a second run with the same context builds nothing and changes nothing', async () => {
    const engine = new FakeEngine();
    const root = contextRoot();
    await apply(engine, await desired(root));
    engine.calls.length = 0;
    const stack = await desired(root);
    const plan = planStack(stack, await actualState(engine.client, stack), { recreate: false });
    expect(changesNothing(plan)).toBe(true);
    await applyPlan(engine.client, stack, plan, options(engine));
    expect(engine.calls).toEqual([]);
    expect(engine.builds).toHaveLength(1);
  });

  it('a changed file: built again, and the container recreated with the new image (the old one removed)', async () => {
    const engine = new FakeEngine();
    const root = contextRoot();
    const first = await desired(root);
    await apply(engine, first);
    writeFileSync(join(root, 'app', 'a.txt'), 'two\n');
    const second = await desired(root);
    engine.calls.length = 0;
    const { plan } = await apply(engine, second);
    expect(plan.services[0]).toMatchObject({ kind: 'recreate', reason: 'rebuilt' });
    expect(planLines(plan, second)).toContain(
      `recreate ${APP} with the rebuilt image; its volume is kept, and the old container is put back if the new one fails`,
    );
    expect(engine.calls).toEqual([
      `build ${second.services[0]!.image}`,
      `stop ${APP}`,
      `rename ${APP} ${APP}-old`,
      `create ${APP}`,
      `start ${APP}`,
      `check ${APP}`,
      `remove ${APP}-old`,
      `removeImage ${first.services[0]!.image}`,
    ]);
    expect(engine.byName(APP)!.spec.image).toBe(second.services[0]!.image);
    expect(engine.builds[1]!.files['a.txt']).toBe('two\n');
  });

  it('the image of the older context goes once the new one runs; one a container still uses, or without dec labels, stays', async () => {
    const engine = new FakeEngine();
    const root = contextRoot();
    const first = await desired(root);
    await apply(engine, first);
    const oldTag = first.services[0]!.image;
    // Not dec's: the same repository, no dec labels (a student's own build, say).
    engine.images.add('dec-test/setup-build:mine');
    // Built by dec for another project: not this stack's.
    engine.images.add('dec-test/setup-build:0123456789ab');
    engine.imageLabels.set('dec-test/setup-build:0123456789ab', {
      'dec.project': 'other',
      'dec.stack': 'built',
      'dec.build': 'x',
    });
    writeFileSync(join(root, 'app', 'a.txt'), 'two\n');
    const second = await desired(root);
    const steps: string[] = [];
    await apply(engine, second, { onEvent: (e) => e.kind === 'step' && steps.push(e.text) });
    expect(engine.images.has(oldTag)).toBe(false);
    expect(engine.images.has(second.services[0]!.image)).toBe(true);
    expect(engine.images.has('dec-test/setup-build:mine')).toBe(true);
    expect(engine.images.has('dec-test/setup-build:0123456789ab')).toBe(true);
    expect(steps).toContain(`removed the old image ${oldTag} (built from an older context)`);

    // A third context while a container (not the stack's) still runs the second image: it stays.
    engine.addContainer({ ...engine.byName(APP)!.spec, name: 'someone-else', labels: {} });
    writeFileSync(join(root, 'app', 'a.txt'), 'three\n');
    const third = await desired(root);
    await apply(engine, third);
    expect(engine.images.has(second.services[0]!.image)).toBe(true);
    expect(engine.images.has(third.services[0]!.image)).toBe(true);
  });

  it('a failure to remove old images is a warning: the stack is up', async () => {
    const engine = new FakeEngine();
    const root = contextRoot();
    await apply(engine, await desired(root));
    writeFileSync(join(root, 'app', 'a.txt'), 'two\n');
    const client = { ...engine.client, listImages: () => Promise.reject(new Error('the engine hiccuped')) };
    const second = await desired(root);
    const warnings: string[] = [];
    const plan = planStack(second, await actualState(client, second), { recreate: false });
    const outcomes = await applyPlan(client, second, plan, {
      ...options(engine),
      onEvent: (e) => e.kind === 'warn' && warnings.push(e.text),
    });
    expect(outcomes.map((o) => o.action)).toEqual(['recreate']);
    expect(warnings).toEqual(['The stack is up, but its old images could not be removed: the engine hiccuped']);
  });

  it('a failed build: its error and log tail, exit 1, nothing started, the new network removed', async () => {
    const engine = new FakeEngine();
    const stack = await desired(contextRoot());
    const log = Array.from({ length: 25 }, (_, i) => `line ${i + 1}`);
    engine.faults.buildFails['dec-test/setup-build'] = {
      error: "The command '/bin/sh -c make' returned a non-zero code: 2",
      log: log.slice(-20),
    };
    const error = await rejectedDecError(apply(engine, stack));
    expect(error.message).toBe(
      `Building ${stack.services[0]!.image} for app failed: The command '/bin/sh -c make' returned a non-zero code: 2`,
    );
    expect(error.exitCode).toBe(1);
    expect(error.details).toContain('Last 20 lines of the build log:');
    expect(error.details).toContain('  | line 25');
    expect(error.details).not.toContain('  | line 5');
    expect(error.hint).toContain('Nothing was started.');
    expect(engine.calls.some((c) => c.startsWith('create') || c.startsWith('start'))).toBe(false);
    expect(engine.containers.size).toBe(0);
    expect(engine.networks).toEqual([]);
  });

  it('a recreate whose build fails leaves the running container as it was', async () => {
    const engine = new FakeEngine();
    const root = contextRoot();
    await apply(engine, await desired(root));
    writeFileSync(join(root, 'app', 'a.txt'), 'broken\n');
    engine.faults.buildFails['dec-test/setup-build'] = { error: 'boom', log: ['boom'] };
    const before = engine.byName(APP)!;
    await rejectedDecError(apply(engine, await desired(root)));
    expect(engine.byName(APP)).toBe(before);
    expect(before.state).toBe('running');
  });

  it('a step that needed the network when none answers: one line that says so', async () => {
    const engine = new FakeEngine();
    const stack = await desired(contextRoot());
    engine.faults.buildFails['dec-test/setup-build'] = {
      error: "The command '/bin/sh -c pip install pandas' returned a non-zero code: 1",
      log: [
        'Step 3/4 : RUN pip install pandas',
        'WARNING: Retrying ... Failed to establish a new connection: [Errno -3] Temporary failure in name resolution',
        'ERROR: Could not find a version that satisfies the requirement pandas',
      ],
    };
    const error = await rejectedDecError(apply(engine, stack));
    expect(error.message).toMatch(
      /^Building dec-test\/setup-build:[0-9a-f]{12} needs the network, and it does not answer: /,
    );
    expect(error.exitCode).toBe(2);
    expect(error.details).toContain('  | Step 3/4 : RUN pip install pandas');
  });

  it('Ctrl-C during a build: exit 130 at once, the build request given the abort, nothing left', async () => {
    const engine = new FakeEngine();
    const stack = await desired(contextRoot());
    const controller = new AbortController();
    engine.faults.buildHangs.add('dec-test/setup-build');
    engine.faults.before = (call) => {
      if (call.startsWith('build ')) controller.abort();
    };
    const error = await rejectedDecError(apply(engine, stack, { signal: controller.signal }));
    expect(error.exitCode).toBe(130);
    expect(engine.containers.size).toBe(0);
    expect(engine.images.size).toBe(0);
    expect(engine.networks).toEqual([]);
  });
});

describe('--print-compose', () => {
  it('writes build: with the context, the Dockerfile, the args and the target, and the tagged image', async () => {
    const root = contextRoot();
    const stack = await desired(
      root,
      withBuild((b) => {
        b.dockerfile = 'Dockerfile';
        b.target = 'runtime';
        b.args = { GREETING: 'a $dollar' };
      }),
    );
    const compose = parse(composeYaml(stack)) as { services: Record<string, Record<string, unknown>> };
    expect(compose.services.app).toMatchObject({
      image: stack.services[0]!.image,
      build: {
        context: stack.services[0]!.build!.dir,
        dockerfile: 'Dockerfile',
        args: { GREETING: 'a $$dollar' },
        target: 'runtime',
      },
    });
  });
});
