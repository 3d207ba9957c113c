// Bind mounts and a second network (issue 12) against the real engine, with the stacks of
// test/fixtures/syllabi/binds-stack.yaml on the busybox test image: a service writes into a folder of the
// temp workspace (the file is there, owned by whoever runs dec), a read-only mount cannot be written,
// --destroy --yes leaves the folders and their files, a service joins another stack's network and reaches
// a container there by its alias, and a stack that needs that network says how to start it. Each case has
// its own sandbox (its own dectest-* project); only that project's resources are removed afterwards.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, ensureBusyboxImage, removeDecProject, requireDocker, waitUntil } from '../helpers/docker.js';
import { makeSandbox, noUnexpectedError, runDec, type RunResult, type Sandbox } from '../helpers/run.js';

const SYLLABUS = fileURLToPath(new URL('../fixtures/syllabi/binds-stack.yaml', import.meta.url));
const sandboxes: Sandbox[] = [];

/** A sandbox whose HOME holds a dec workspace folder, course/, where dec runs. */
function sandbox(): Sandbox & { workspace: string } {
  const made = makeSandbox();
  const workspace = join(made.home, 'course');
  mkdirSync(workspace, { recursive: true });
  sandboxes.push(made);
  return { ...made, workspace };
}

const envOf = (box: Sandbox, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...box.env,
  DEC_SYLLABUS: SYLLABUS,
  NO_COLOR: '1',
  ...extra,
});

const setup = (box: Sandbox & { workspace: string }, week: string, ...args: string[]): Promise<RunResult> =>
  runDec(['setup', week, ...args], { cwd: box.workspace, env: envOf(box), timeoutMs: 120_000 });

const named = (box: Sandbox, stack: string, service: string) => `${box.project}-${stack}-${service}`;

/** A file the container writes shortly after it starts. */
function fileSoon(path: string): Promise<string> {
  return waitUntil(async () => (existsSync(path) ? readFileSync(path, 'utf8') : undefined), {
    timeoutMs: 20_000,
    what: `${path} to be written`,
  });
}

beforeAll(async () => {
  await requireDocker();
  await ensureBusyboxImage();
}, 120_000);

afterAll(async () => {
  for (const box of sandboxes) {
    await removeDecProject(box.project);
    box.cleanup();
  }
}, 120_000);

describe('dec setup with bind mounts and another stack’s network (real engine)', { timeout: 180_000 }, () => {
  it('writes into the workspace folder (owned by the student); the read-only one cannot be written; --destroy keeps them', async () => {
    const b = sandbox();
    const run = await setup(b, '2');
    expect(run.code, run.stderr).toBe(0);
    noUnexpectedError(run);
    // The key folder is allowed to be missing: made empty, with a warning that names it and what fails.
    const credentials = join(b.home, '.google/credentials');
    expect(run.stderr).toContain(`${credentials} is empty (dec made it): the DAGs that upload to GCS`);
    expect(run.stderr).toContain('runner starts without it (dec setup week1');

    const out = join(b.workspace, 'homework/week-2/out');
    expect(await fileSoon(join(out, 'hello.txt'))).toBe('written\n');
    expect(statSync(join(out, 'hello.txt')).uid).toBe(process.getuid!());
    expect(statSync(out).uid).toBe(process.getuid!());
    expect(await fileSoon(join(out, 'conf-result'))).toBe('ro\n');
    expect(existsSync(join(b.workspace, 'homework/week-2/conf/probe'))).toBe(false);

    const mounts = JSON.parse(
      await docker(['inspect', '--format', '{{json .Mounts}}', named(b, 'week2', 'writer')]),
    ) as Array<{ Type: string; Source: string; Destination: string; RW: boolean }>;
    expect(mounts.map((m) => [m.Type, m.Source, m.Destination, m.RW]).sort()).toEqual(
      [
        ['bind', out, '/out', true],
        ['bind', join(b.workspace, 'homework/week-2/conf'), '/conf', false],
        ['bind', credentials, '/.google/credentials', false],
      ].sort(),
    );

    const destroy = await setup(b, '2', '--destroy', '--yes');
    expect(destroy.code, destroy.stderr).toBe(0);
    expect(destroy.stdout).toContain(`kept your folders: ${out}`);
    expect(readFileSync(join(out, 'hello.txt'), 'utf8')).toBe('written\n');
    expect(statSync(credentials).isDirectory()).toBe(true);
    expect((await docker(['ps', '-aq', '--filter', `label=dec.project=${b.project}`])).trim()).toBe('');
  });

  it('under sudo (SUDO_UID), the folders dec makes belong to that student', async () => {
    // Only root can give a folder away; anyone else gets their own (checked above).
    const asRoot = process.getuid!() === 0;
    const b = sandbox();
    const run = await runDec(['setup', '2', '--only', 'writer'], {
      cwd: b.workspace,
      env: envOf(b, asRoot ? { SUDO_UID: '65534', SUDO_GID: '65534' } : {}),
      timeoutMs: 120_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const owner = asRoot ? 65534 : process.getuid!();
    for (const folder of ['homework', 'homework/week-2', 'homework/week-2/out'])
      expect(statSync(join(b.workspace, folder)).uid).toBe(owner);
    expect(statSync(join(b.home, '.google/credentials')).uid).toBe(owner);
  });

  it("joins week1's network when it is up and reaches its container by its alias; teardown keeps that network", async () => {
    const b = sandbox();
    const week1 = await setup(b, '1');
    expect(week1.code, week1.stderr).toBe(0);
    const run = await setup(b, '2');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('which is not set up');

    const otherNetwork = `${b.project}-binds-other`;
    const networks = JSON.parse(
      await docker(['inspect', '--format', '{{json .NetworkSettings.Networks}}', named(b, 'week2', 'runner')]),
    ) as Record<string, { Aliases: string[] | null }>;
    expect(Object.keys(networks).sort()).toEqual([`${b.project}-binds-net`, otherNetwork].sort());
    expect(networks[otherNetwork]!.Aliases).toEqual(expect.arrayContaining(['runner', 'task-runner']));

    // From runner, week1's db answers by its alias; from db, runner answers by its name.
    const fetched = await waitUntil(
      async () => {
        const result = await docker([
          'exec',
          named(b, 'week2', 'runner'),
          '/bin/busybox',
          'wget',
          '-q',
          '-O',
          '-',
          'http://pgdatabase/index.html',
        ]).catch(() => undefined);
        return result?.includes('from-week1') ? result : undefined;
      },
      { timeoutMs: 20_000, what: 'runner to reach pgdatabase' },
    );
    expect(fetched).toContain('from-week1');
    expect(
      await docker(['exec', named(b, 'week1', 'db'), '/bin/busybox', 'ping', '-c', '1', '-W', '2', 'task-runner']),
    ).toContain('1 packets received');

    const destroy = await setup(b, '2', '--destroy', '--yes');
    expect(destroy.code, destroy.stderr).toBe(0);
    expect((await docker(['network', 'inspect', '--format', '{{.Name}}', otherNetwork])).trim()).toBe(otherNetwork);
    expect((await docker(['inspect', '--format', '{{.State.Status}}', named(b, 'week1', 'db')])).trim()).toBe(
      'running',
    );
  });

  it('a stack that needs another stack’s network that is not there: exit 1, names the stack and how to start it, nothing made', async () => {
    const b = sandbox();
    const run = await setup(b, '3');
    expect(run.code, run.stderr).toBe(1);
    noUnexpectedError(run);
    expect(run.stderr).toContain('Cannot start: another stack is not set up.');
    expect(run.stderr).toContain(`needy joins the network ${b.project}-binds-other of the week1 stack`);
    expect(run.stderr).toContain('Start it first: dec setup week1. Nothing was changed.');
    expect((await docker(['ps', '-aq', '--filter', `label=dec.project=${b.project}`])).trim()).toBe('');
    expect((await docker(['network', 'ls', '-q', '--filter', `label=dec.project=${b.project}`])).trim()).toBe('');
  });
});
