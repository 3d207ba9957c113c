// A stack service whose image dec builds (issue 12, `build`), against the real engine: the stack of
// test/fixtures/syllabi/build-stack.yaml, copied into a temp folder with its context `app/` written next
// to it (FROM the busybox test image, a COPY, a RUN that writes a file). Built once, not again; a changed
// file rebuilds and recreates; a failing RUN and a FROM that no registry serves fail clearly and leave
// nothing. Each case has its own sandbox (dectest-* project); its containers, volumes, networks and the
// images built with its dec.project label are removed afterwards, nothing else.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docker,
  dockerCli,
  ensureBusyboxImage,
  removeContainer,
  removeDecProject,
  requireDocker,
  runContainer,
  waitUntil,
} from '../helpers/docker.js';
import { DEC_BIN, makeSandbox, noUnexpectedError, runDec, type RunResult, type Sandbox } from '../helpers/run.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/syllabi/build-stack.yaml', import.meta.url));
const IMAGE = 'dec-test/setup-build';
const sandboxes: Sandbox[] = [];
const children: ChildProcess[] = [];

const GOOD_DOCKERFILE = [
  'FROM dec-test/busybox:1',
  'ARG GREETING',
  'COPY greeting.txt /app/greeting.txt',
  'RUN echo "$GREETING, built" > /built.txt',
  '',
].join('\n');

/** A sandbox with the fixture syllabus and its context app/ (this Dockerfile, greeting.txt). */
function sandbox(dockerfile = GOOD_DOCKERFILE): Sandbox & { syllabus: string; context: string } {
  const made = makeSandbox();
  mkdirSync(made.home, { recursive: true });
  sandboxes.push(made);
  const syllabus = join(made.root, 'course', 'build-stack.yaml');
  const context = join(made.root, 'course', 'app');
  mkdirSync(context, { recursive: true });
  copyFileSync(FIXTURE, syllabus);
  writeFileSync(join(context, 'Dockerfile'), dockerfile);
  writeFileSync(join(context, 'greeting.txt'), 'greeting one\n');
  return { ...made, syllabus, context };
}

const setup = (box: Sandbox & { syllabus: string }, ...args: string[]): Promise<RunResult> =>
  runDec(['setup', '1', ...args], {
    cwd: box.home,
    env: { ...box.env, DEC_SYLLABUS: box.syllabus, NO_COLOR: '1' },
    timeoutMs: 120_000,
  });

const container = (box: Sandbox) => `${box.project}-built-app`;

async function inspect(name: string, format: string): Promise<string> {
  return (await docker(['inspect', '--format', format, name])).trim();
}

/** The sandbox project's containers, volumes and networks, and the images it built. */
async function projectResources(box: Sandbox): Promise<string[]> {
  const filter = `label=dec.project=${box.project}`;
  const list = async (args: string[]) => (await docker([...args, '--filter', filter])).split('\n').filter(Boolean);
  return [
    ...(await list(['ps', '-a', '--format', '{{.Names}}'])).map((name) => `container ${name}`),
    ...(await list(['volume', 'ls', '--format', '{{.Name}}'])).map((name) => `volume ${name}`),
    ...(await list(['network', 'ls', '--format', '{{.Name}}'])).map((name) => `network ${name}`),
    ...(await list(['images', '--format', '{{.Repository}}:{{.Tag}}'])).map((name) => `image ${name}`),
  ].sort();
}

beforeAll(async () => {
  await requireDocker();
  await ensureBusyboxImage();
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const box of sandboxes) {
    await removeDecProject(box.project);
    // The images this sandbox's builds made (tagged dec-test/setup-build:<digest>, labelled with its project).
    const images = (await docker(['images', '-q', '--filter', `label=dec.project=${box.project}`]))
      .split('\n')
      .filter(Boolean);
    if (images.length > 0) await docker(['rmi', '-f', ...new Set(images)]);
    box.cleanup();
  }
}, 120_000);

describe('dec setup builds a service image (real engine)', { timeout: 180_000 }, () => {
  const shared = { box: undefined as ReturnType<typeof sandbox> | undefined, imageId: '', tag: '' };

  it('builds the image before creating the container, which runs it', async () => {
    const box = sandbox();
    shared.box = box;
    const dry = await setup(box, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`build image ${IMAGE}:[0-9a-f]{12} from ${box.context} \\(Dockerfile\\)`));

    const run = await setup(box);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/building dec-test\/setup-build:[0-9a-f]{12}/);
    expect(run.stderr).toMatch(/step \d+\/\d+ (FROM|ARG|COPY|RUN)/);
    shared.tag = await inspect(container(box), '{{.Config.Image}}');
    expect(shared.tag).toMatch(new RegExp(`^${IMAGE}:[0-9a-f]{12}$`));
    shared.imageId = await inspect(shared.tag, '{{.Id}}');
    expect(await inspect(container(box), '{{.State.Status}}')).toBe('running');
    // The COPY and the RUN (with its build argument) made it into the image.
    const logs = await docker(['logs', container(box)]);
    expect(logs).toContain('greeting one');
    expect(logs).toContain('hello, built');
  });

  it('a second setup does not build again: same image, no build step, "built, up to date"', async () => {
    const box = shared.box!;
    const dry = await setup(box, '--dry-run');
    expect(dry.stdout).toContain(`image ${shared.tag} built, up to date`);
    const started = await inspect(container(box), '{{.State.StartedAt}}');
    const run = await setup(box);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('nothing to change');
    expect(run.stderr).not.toContain('building');
    expect(await inspect(shared.tag, '{{.Id}}')).toBe(shared.imageId);
    expect(await inspect(container(box), '{{.State.StartedAt}}')).toBe(started);
  });

  it('a changed file of the context builds a new image and recreates the container with it', async () => {
    const box = shared.box!;
    const before = await inspect(container(box), '{{.Id}}');
    writeFileSync(join(box.context, 'greeting.txt'), 'greeting two\n');
    const dry = await setup(box, '--dry-run');
    expect(dry.stdout).toContain(`recreate ${container(box)} with the rebuilt image`);
    const run = await setup(box);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('building');
    const tag = await inspect(container(box), '{{.Config.Image}}');
    expect(tag).not.toBe(shared.tag);
    expect(await inspect(container(box), '{{.Id}}')).not.toBe(before);
    expect(await docker(['logs', container(box)])).toContain('greeting two');
    // Only the new container is left (the old one, moved aside during the recreate, is gone).
    expect((await projectResources(box)).filter((r) => r.startsWith('container '))).toEqual([
      `container ${container(box)}`,
    ]);
  });

  it("the older context's image is removed once the new one runs; one a container still uses stays", async () => {
    const box = shared.box!;
    const current = await inspect(container(box), '{{.Config.Image}}');
    // The first context's image went after the recreate above; the current one is there.
    expect((await dockerCli(['image', 'inspect', shared.tag])).code).not.toBe(0);
    expect((await projectResources(box)).filter((r) => r.startsWith('image '))).toEqual([`image ${current}`]);
    // Someone else's container (not the stack's) runs the current image: the next rebuild keeps it.
    const other = await runContainer({ name: `keeps-image-${process.pid}`, image: current, cmd: ['sleep', '60'] });
    try {
      writeFileSync(join(box.context, 'greeting.txt'), 'greeting three\n');
      const run = await setup(box);
      expect(run.code, run.stderr).toBe(0);
      const newest = await inspect(container(box), '{{.Config.Image}}');
      expect(newest).not.toBe(current);
      expect((await projectResources(box)).filter((r) => r.startsWith('image '))).toEqual(
        [`image ${current}`, `image ${newest}`].sort(),
      );
      await removeContainer(other);
      // Nothing uses it any more: the next run that builds removes it.
      writeFileSync(join(box.context, 'greeting.txt'), 'greeting four\n');
      const again = await setup(box);
      expect(again.code, again.stderr).toBe(0);
      const last = await inspect(container(box), '{{.Config.Image}}');
      expect((await projectResources(box)).filter((r) => r.startsWith('image '))).toEqual([`image ${last}`]);
      // The base image (no dec labels for this stack) is untouched.
      expect((await dockerCli(['image', 'inspect', 'dec-test/busybox:1'])).code).toBe(0);
    } finally {
      await removeContainer(other);
    }
  });

  it('.dockerignore: the files it lists are not sent to the engine, and changing one builds nothing', async () => {
    const box = sandbox(
      [
        'FROM dec-test/busybox:1',
        'COPY . /ctx/',
        'COPY greeting.txt /app/greeting.txt',
        'RUN echo "$(echo /ctx/*)" > /built.txt',
        '',
      ].join('\n'),
    );
    writeFileSync(join(box.context, '.dockerignore'), '*.secret\nscratch/\n');
    writeFileSync(join(box.context, 'key.secret'), 'do not send\n');
    mkdirSync(join(box.context, 'scratch'));
    writeFileSync(join(box.context, 'scratch', 'big.bin'), 'x'.repeat(1000));
    const run = await setup(box);
    expect(run.code, run.stderr).toBe(0);
    const listed = await docker(['logs', container(box)]);
    expect(listed).toContain('/ctx/greeting.txt');
    expect(listed).not.toContain('key.secret');
    expect(listed).not.toContain('scratch');
    writeFileSync(join(box.context, 'key.secret'), 'changed, still not sent\n');
    const again = await setup(box);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing to change');
    expect(again.stderr).not.toContain('building');
  });

  it('a failing RUN: the error and the log tail shown, exit 1, nothing left (not even an image)', async () => {
    const box = sandbox(
      ['FROM dec-test/busybox:1', 'RUN echo "compiling the thing"; echo "the thing is broken"; exit 3', ''].join('\n'),
    );
    const run = await setup(box);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(
      /Building dec-test\/setup-build:[0-9a-f]{12} for app failed: .*returned a non-zero code: 3/,
    );
    expect(run.stderr).toMatch(/Last \d+ lines? of the build log:/);
    expect(run.stderr).toContain('| the thing is broken');
    expect(run.stderr).toContain('Nothing was started.');
    noUnexpectedError(run);
    expect(await projectResources(box)).toEqual([]);
  });

  it('a FROM of an image that is not here (no registry answers): one clear line, exit 2, nothing left', async () => {
    const box = sandbox(['FROM dec-test/not-present-anywhere:1', 'RUN true', ''].join('\n'));
    const run = await setup(box);
    expect(run.code, run.stderr).toBe(2);
    const first = run.stderr.split('\n').find((line) => line.includes('Building'));
    expect(first).toMatch(/Building dec-test\/setup-build:[0-9a-f]{12} needs the network, and it does not answer: /);
    expect(run.stderr).toMatch(/\| Step 1\/\d+ : FROM dec-test\/not-present-anywhere:1/);
    noUnexpectedError(run);
    expect(await projectResources(box)).toEqual([]);
  });

  it('Ctrl-C during a build: exit 130 within seconds, the build stopped, nothing left', async () => {
    const box = sandbox(
      ['FROM dec-test/busybox:1', `RUN echo started; sleep 90; echo ${buildMarker()}`, ''].join('\n'),
    );
    const child = spawn(process.execPath, [DEC_BIN, 'setup', '1'], {
      cwd: box.home,
      env: { ...box.env, DEC_SYLLABUS: box.syllabus, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.resume();
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const running = async () =>
      (await docker(['ps', '-a', '--no-trunc', '--format', '{{.Command}}'])).includes(buildMarker());
    // The RUN step's container is up (it holds the marker in its command).
    await waitUntil(async () => ((await running()) ? true : undefined), {
      timeoutMs: 60_000,
      what: 'the RUN step to start',
    });
    const sent = Date.now();
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(Date.now() - sent).toBeLessThan(20_000);
    expect(stderr).toContain('Interrupted');
    // The engine stops the build when the request is closed: its step's container goes.
    await waitUntil(async () => ((await running()) ? undefined : true), {
      timeoutMs: 30_000,
      what: 'the build step to stop',
    });
    expect(await projectResources(box)).toEqual([]);
  });
});

/** A word only this test process's interrupted build has in its RUN command. */
function buildMarker(): string {
  return `dec-build-ctrl-c-${process.pid}`;
}
