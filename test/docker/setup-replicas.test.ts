// Replicas against the real engine (issue 12): `replicas: N` runs N containers named and labelled by
// number, all on the stack network under the service's name; scaling up adds containers and touches
// nothing else; scaling down removes the extra ones and keeps the volume; status lists each replica.
// The stack is test/fixtures/syllabi/replicas-stack.yaml on the busybox test image, in a sandbox project
// of its own (only that project's resources are removed afterwards).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, ensureBusyboxImage, projectContainers, removeDecProject, requireDocker } from '../helpers/docker.js';
import { makeSandbox, noUnexpectedError, runDec, type RunResult, type Sandbox } from '../helpers/run.js';

const FIXTURE = readFileSync(
  fileURLToPath(new URL('../fixtures/syllabi/replicas-stack.yaml', import.meta.url)),
  'utf8',
);
const box: Sandbox = makeSandbox();

/** The fixture with `count` workers, as the sandbox's syllabus. */
function syllabusWith(count: number): string {
  const path = join(box.root, `replicas-${count}.yaml`);
  writeFileSync(path, FIXTURE.replace('replicas: 2', `replicas: ${count}`));
  return path;
}

const dec = (count: number, ...args: string[]): Promise<RunResult> =>
  runDec(args, {
    cwd: box.root,
    env: { ...box.env, DEC_SYLLABUS: syllabusWith(count), NO_COLOR: '1' },
    timeoutMs: 120_000,
  });

const worker = (n: number) => `${box.project}-replicas-worker-${n}`;
const BOSS = () => `${box.project}-replicas-boss`;

/** The sandbox project's containers, name → id. */
const containers = () => projectContainers(box.project);

beforeAll(async () => {
  await requireDocker();
  await ensureBusyboxImage();
}, 120_000);

afterAll(async () => {
  await removeDecProject(box.project);
  box.cleanup();
}, 120_000);

describe('dec setup with replicas (real engine)', { timeout: 180_000 }, () => {
  it('runs one container per replica, named and labelled by number, reached by the service name', async () => {
    const run = await dec(2, 'setup', '1');
    expect(run.code, run.stderr).toBe(0);
    noUnexpectedError(run);
    expect(Object.keys(await containers()).sort()).toEqual([BOSS(), worker(1), worker(2)].sort());
    for (const n of [1, 2]) {
      const label = await docker(['inspect', '--format', '{{index .Config.Labels "dec.replica"}}', worker(n)]);
      expect(label.trim()).toBe(String(n));
      const aliases = await docker([
        'inspect',
        '--format',
        `{{json (index .NetworkSettings.Networks "${box.project}-replicas-net").Aliases}}`,
        worker(n),
      ]);
      expect(JSON.parse(aliases)).toContain('worker');
    }
    // Both ran, with one shared volume.
    const written = await docker(['exec', worker(1), 'cat', '/scratch/workers']);
    expect(written.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('status lists each replica, running and ready', async () => {
    const run = await dec(2, 'setup', 'status', '1', '--json');
    expect(run.code, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout) as {
      stacks: Array<{ services: Array<{ service: string; replica?: number; container: string; state: string }> }>;
    };
    expect(status.stacks[0]!.services.map((s) => [s.service, s.replica ?? null, s.container, s.state])).toEqual([
      ['worker', 1, worker(1), 'running'],
      ['worker', 2, worker(2), 'running'],
      ['boss', null, BOSS(), 'running'],
    ]);
    const text = await dec(2, 'setup', 'status', '1');
    expect(text.stdout).toMatch(/worker #2 +running, ready/);
  });

  it('scaling up to 3 adds the third and touches nothing else', async () => {
    const before = await containers();
    const run = await dec(3, 'setup', '1');
    expect(run.code, run.stderr).toBe(0);
    const after = await containers();
    expect(Object.keys(after).sort()).toEqual([BOSS(), worker(1), worker(2), worker(3)].sort());
    for (const name of Object.keys(before)) expect(after[name]).toBe(before[name]);
  });

  it('scaling down to 1 removes the extra replicas and keeps the volume; --dry-run says so first', async () => {
    const dry = await dec(1, 'setup', '1', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`remove ${worker(2)} (worker runs 1 container now; volumes are kept)`);
    const before = await containers();
    const run = await dec(1, 'setup', '1');
    expect(run.code, run.stderr).toBe(0);
    const after = await containers();
    expect(Object.keys(after).sort()).toEqual([BOSS(), worker(1)].sort());
    expect(after[worker(1)]).toBe(before[worker(1)]);
    expect(after[BOSS()]).toBe(before[BOSS()]);
    expect((await docker(['volume', 'ls', '-q', '--filter', `name=${box.project}-replicas-scratch`])).trim()).toBe(
      `${box.project}-replicas-scratch`,
    );
    // A re-run now changes nothing.
    const again = await dec(1, 'setup', '1');
    expect(again.stdout).toContain('nothing to change');
  });
});
