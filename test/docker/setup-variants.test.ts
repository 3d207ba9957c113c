// Setup variants against the real engine (week 2's --light, on the stand-in stacks of
// test/fixtures/syllabi/variants-stack.yaml): --light sets up the variant's stack and remembers it, so
// status, a plain re-run and --down act on it without the flag; the week's own stack is refused while the
// variant has containers (nothing of it is made); after --down, --variant default sets up the own stack
// (its job first) and --destroy removes it. The student's GCP project reaches the containers' env. The
// case has its own sandbox (its own dectest-* project); only that project's resources are removed.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, ensureBusyboxImage, removeDecProject, requireDocker } from '../helpers/docker.js';
import { makeSandbox, noUnexpectedError, runDec, type RunResult, type Sandbox } from '../helpers/run.js';

const SYLLABUS = fileURLToPath(new URL('../fixtures/syllabi/variants-stack.yaml', import.meta.url));
const sandboxes: Sandbox[] = [];

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

/** The containers of the sandbox's project: name → state. */
async function containers(box: Sandbox): Promise<Record<string, string>> {
  const out = await docker([
    'ps',
    '-a',
    '--filter',
    `label=dec.project=${box.project}`,
    '--format',
    '{{.Names}} {{.State}}',
  ]);
  return Object.fromEntries(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ') as [string, string]),
  );
}

describe('dec setup --light / --variant (real engine)', { timeout: 240_000 }, () => {
  it('sets up the variant, remembers it for status, re-runs and --down, and refuses the other one until it is down', async () => {
    const box = makeSandbox();
    sandboxes.push(box);
    const workspace = join(box.home, 'course');
    mkdirSync(workspace, { recursive: true });
    const env = { ...box.env, DEC_SYLLABUS: SYLLABUS, NO_COLOR: '1', CLOUDSDK_CORE_PROJECT: 'student-proj-42' };
    const dec = (...args: string[]): Promise<RunResult> => runDec(args, { cwd: workspace, env, timeoutMs: 120_000 });
    const full = (service: string) => `${box.project}-full-${service}`;
    const lite = (service: string) => `${box.project}-lite-${service}`;

    const light = await dec('setup', '1', '--light');
    expect(light.code, light.stderr).toBe(0);
    noUnexpectedError(light);
    expect(await containers(box)).toEqual({ [lite('web')]: 'running' });
    const vars = JSON.parse(await docker(['inspect', '--format', '{{json .Config.Env}}', lite('web')])) as string[];
    expect(vars).toEqual(
      expect.arrayContaining(['GCP_PROJECT_ID=student-proj-42', 'GCP_GCS_BUCKET=dtc_data_lake_student-proj-42']),
    );

    const status = await dec('setup', 'status', '1', '--json');
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { stacks: Array<{ stack: string }> }).stacks.map((s) => s.stack)).toEqual([
      'lite',
    ]);

    const again = await dec('setup', '1');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/the light setup, as last time/);
    expect(again.stdout).toMatch(/up; nothing to change/);

    const refused = await dec('setup', '1', '--variant', 'default');
    expect(refused.code).toBe(2);
    noUnexpectedError(refused);
    expect(refused.stderr).toContain('dec setup lite --down (its data is kept), then dec setup full --variant default');
    expect(await containers(box)).toEqual({ [lite('web')]: 'running' });

    const down = await dec('setup', '1', '--down');
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain(`lite: removed 1 container (${lite('web')})`);
    expect(await containers(box)).toEqual({});
    expect(await docker(['volume', 'ls', '-q', '--filter', `name=${box.project}-lite-data`])).toContain(
      `${box.project}-lite-data`,
    );

    const dryRun = await dec('setup', '1', '--variant', 'default', '--dry-run');
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain(`run the job ${full('init')} once, to completion`);
    expect(await containers(box)).toEqual({});

    const own = await dec('setup', '1', '--variant', 'default');
    expect(own.code, own.stderr).toBe(0);
    expect(await containers(box)).toEqual({ [full('init')]: 'exited', [full('web')]: 'running' });
    const destroy = await dec('setup', '1', '--destroy', '--yes');
    expect(destroy.code, destroy.stderr).toBe(0);
    expect(destroy.stdout).toContain(`full: removed 2 containers`);
    expect(await containers(box)).toEqual({});
  });
});
