// The stack engine v2 parts (issue 12, step 1) against the real engine: a one-shot job, a Docker health
// check, dependsOn conditions (completed, healthy), user, entrypoint, restart and hostname, with the
// stack of test/fixtures/syllabi/engine2-stack.yaml on the busybox test image. Each case has its own
// sandbox (its own dectest-* project), and only that project's resources are removed afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, ensureBusyboxImage, removeDecProject, requireDocker, waitUntil } from '../helpers/docker.js';
import { DEC_BIN, makeSandbox, noUnexpectedError, runDec, type RunResult, type Sandbox } from '../helpers/run.js';

const SYLLABUS = fileURLToPath(new URL('../fixtures/syllabi/engine2-stack.yaml', import.meta.url));
const sandboxes: Sandbox[] = [];
const children: ChildProcess[] = [];

function sandbox(): Sandbox {
  const made = makeSandbox();
  mkdirSync(made.home, { recursive: true });
  sandboxes.push(made);
  return made;
}

const envOf = (box: Sandbox): NodeJS.ProcessEnv => ({ ...box.env, DEC_SYLLABUS: SYLLABUS, NO_COLOR: '1' });

const setup = (box: Sandbox, ...args: string[]): Promise<RunResult> =>
  runDec(['setup', '1', ...args], { cwd: box.home, env: envOf(box), timeoutMs: 120_000 });

/** `dec setup 1` as a student's shell runs it, so that Ctrl-C (SIGINT) can be sent to it. */
function spawnSetup(box: Sandbox, ...args: string[]) {
  const child = spawn(process.execPath, [DEC_BIN, 'setup', '1', ...args], {
    cwd: box.home,
    env: envOf(box),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

const named = (box: Sandbox, service: string) => `${box.project}-engine2-${service}`;

/** `docker inspect --format` of one container, parsed as JSON. */
async function inspect<T>(box: Sandbox, service: string, format: string): Promise<T> {
  return JSON.parse(await docker(['inspect', '--format', `{{json ${format}}}`, named(box, service)])) as T;
}

/** The sandbox project's containers and volumes, as "container <name>" / "volume <name>". */
async function projectResources(box: Sandbox): Promise<string[]> {
  const filter = `label=dec.project=${box.project}`;
  const names = async (args: string[]) => (await docker([...args, '--filter', filter])).split('\n').filter(Boolean);
  return [
    ...(await names(['ps', '-a', '--format', '{{.Names}}'])).map((name) => `container ${name}`),
    ...(await names(['volume', 'ls', '--format', '{{.Name}}'])).map((name) => `volume ${name}`),
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
    box.cleanup();
  }
}, 120_000);

describe('dec setup with jobs, health checks and conditions (real engine)', { timeout: 180_000 }, () => {
  const box = { current: undefined as Sandbox | undefined };

  it('runs the job to exit 0, then web until its health check passes, then client; settings applied', async () => {
    box.current = sandbox();
    const b = box.current;
    const run = await setup(b);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${named(b, 'init')}: ran to completion`);

    // The job ran first and is kept, exited with code 0 (its log can be read).
    expect(await inspect(b, 'init', '.State')).toMatchObject({ Status: 'exited', ExitCode: 0 });
    expect(await docker(['logs', named(b, 'init')])).toContain('init: done');
    // web started after the job completed; client after web's health check passed.
    expect(await docker(['logs', named(b, 'web')])).toContain('web: init had run');
    expect(await docker(['logs', named(b, 'client')])).toContain('client: web was up');
    expect(await inspect(b, 'web', '.State.Health.Status')).toBe('healthy');

    expect(await inspect(b, 'web', '.Config.Healthcheck')).toMatchObject({
      Test: ['CMD-SHELL', expect.stringContaining('test -f /shared/web-up')],
      Interval: 1e9,
      Timeout: 2e9,
      Retries: 2,
    });
    expect(await inspect(b, 'web', '.Config.User')).toBe('65534:65534');
    expect(await inspect(b, 'web', '.Config.Hostname')).toBe('web-host');
    expect(await inspect(b, 'web', '.HostConfig.RestartPolicy.Name')).toBe('always');
    expect(await inspect(b, 'init', '.Config.Entrypoint')).toEqual(['/bin/sh', '-c']);
    expect(await inspect(b, 'init', '.HostConfig.RestartPolicy.Name')).toBe('no');
    expect(await inspect(b, 'init', '.Config.User')).toBe('0:0');
    // {host.uid}: the id of whoever runs dec.
    expect(await inspect(b, 'client', '.Config.User')).toBe(`${process.getuid!()}:0`);
    expect(await inspect(b, 'client', '.HostConfig.RestartPolicy.Name')).toBe('unless-stopped');
  });

  it('a re-run skips the job that succeeded with the same settings (not run again) and changes nothing', async () => {
    const b = box.current!;
    const startedAt = await inspect<string>(b, 'init', '.State.StartedAt');
    const dry = await setup(b, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`skip the job ${named(b, 'init')} (it completed with these settings)`);
    const run = await setup(b);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('nothing to change');
    expect(await inspect(b, 'init', '.State.StartedAt')).toBe(startedAt);
    expect(await inspect(b, 'init', '.State')).toMatchObject({ Status: 'exited', ExitCode: 0 });
  });

  it('dec setup status: the job completed, web ready by its health check, exit 0', async () => {
    const b = box.current!;
    const run = await runDec(['setup', 'status', '1', '--json'], { cwd: b.home, env: envOf(b), timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout) as {
      stacks: Array<{ services: Array<{ service: string; state: string; ready: boolean }> }>;
    };
    expect(status.stacks[0]!.services.map((s) => [s.service, s.state, s.ready])).toEqual([
      ['init', 'completed', false],
      ['web', 'running', true],
      ['client', 'running', true],
    ]);
  });

  it('a job that exits 1: its log shown, exit 1, nothing after it started, nothing left behind', async () => {
    const b = sandbox();
    const run = await setup(b, '--env', 'init.INIT_FAIL=1');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('The job init failed: it exited with code 1.');
    expect(run.stderr).toContain('Last 20 log lines:');
    expect(run.stderr).toContain('| init: the database is not there');
    noUnexpectedError(run);
    // web and client were never created; the job's container and its new (empty) volume are gone.
    expect(await projectResources(b)).toEqual([]);
  });

  it('an unhealthy service: its last health check output shown, exit 1, rolled back', async () => {
    const b = sandbox();
    const run = await setup(b, '--env', 'web.WEB_SICK=1');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('web did not become ready: its health check failed 2 times in a row.');
    expect(run.stderr).toContain('Health check: CMD-SHELL test -f /shared/web-up');
    expect(run.stderr).toContain('Last health check output:');
    expect(run.stderr).toContain('| web: not serving yet');
    noUnexpectedError(run);
    // The containers this run made are removed; the volume the completed job wrote to is kept.
    expect(await projectResources(b)).toEqual([`volume ${named(b, 'shared')}`]);
  });

  it('Ctrl-C while waiting for a job: exit 130 within seconds, and nothing left behind', async () => {
    const b = sandbox();
    const run = spawnSetup(b, '--env', 'init.INIT_HANG=1', '--timeout', '90');
    await waitUntil(async () => (run.stderr().includes('waiting for init') ? true : undefined), {
      timeoutMs: 60_000,
      what: 'dec to wait for the job',
    });
    expect(await inspect(b, 'init', '.State.Status')).toBe('running');
    const sent = Date.now();
    run.child.kill('SIGINT');
    expect(await run.exited, run.stderr()).toBe(130);
    expect(Date.now() - sent).toBeLessThan(20_000);
    expect(run.stderr()).toContain('Interrupted');
    expect(await projectResources(b)).toEqual([]);
  });
});
