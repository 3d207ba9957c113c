// An optional service against the real engine (week 4's Metabase, in miniature:
// test/fixtures/syllabi/optional-stack.yaml on the busybox test image): not started (nor pulled: its
// syllabus image does not exist) by a plain setup; started by --with and remembered; kept running by a
// plain re-run; removed by --down with the rest and back with the next setup; stopped and forgotten by
// --without, its volume kept. Its own sandbox project; only that project's resources are removed.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, ensureBusyboxImage, freePort, removeDecProject, requireDocker } from '../helpers/docker.js';
import { makeSandbox, noUnexpectedError, runDec, type RunResult, type Sandbox } from '../helpers/run.js';

const SYLLABUS = fileURLToPath(new URL('../fixtures/syllabi/optional-stack.yaml', import.meta.url));
const box: Sandbox = makeSandbox();

const dec = (...args: string[]): Promise<RunResult> =>
  runDec(args, { cwd: box.root, env: { ...box.env, DEC_SYLLABUS: SYLLABUS, NO_COLOR: '1' }, timeoutMs: 120_000 });

const WEB = () => `${box.project}-opt-web`;
const DASH = () => `${box.project}-opt-dash`;

/** The sandbox project's containers: name → "<state> <id>". */
async function containers(): Promise<Record<string, string>> {
  const out = await docker([
    'ps',
    '-a',
    '--filter',
    `label=dec.project=${box.project}`,
    '--format',
    '{{.Names}} {{.State}} {{.ID}}',
  ]);
  return Object.fromEntries(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name = '', ...rest] = line.split(' ');
        return [name, rest.join(' ')];
      }),
  );
}

async function statusServices(): Promise<Array<{ service: string; state: string; ready: boolean }>> {
  const status = await dec('setup', 'status', '1', '--json');
  expect(status.code, status.stderr).toBe(0);
  return (
    JSON.parse(status.stdout) as {
      stacks: Array<{ services: Array<{ service: string; state: string; ready: boolean }> }>;
    }
  ).stacks[0]!.services;
}

beforeAll(async () => {
  await requireDocker();
  await ensureBusyboxImage();
}, 120_000);

afterAll(async () => {
  await removeDecProject(box.project);
  box.cleanup();
}, 120_000);

describe('an optional service (real engine)', { timeout: 240_000 }, () => {
  it('starts only with --with, is kept by a plain re-run, goes with --down and comes back, and --without stops it', async () => {
    const port = await freePort();
    const plain = await dec('setup', '1', '--port', `dash=${port}`);
    expect(plain.code, plain.stderr).toBe(0);
    noUnexpectedError(plain);
    // Not started, and not pulled either: its syllabus image does not exist.
    expect(Object.keys(await containers())).toEqual([WEB()]);
    expect(plain.stdout).toContain('dash:        optional, not started: dec setup opt --with dash');
    expect(plain.stdout).not.toContain('Dash: http');
    expect((await statusServices()).map((s) => s.service)).toEqual(['web']);

    const withDash = await dec('setup', '1', '--with', 'dash', '--image', 'dash=dec-test/busybox:1');
    expect(withDash.code, withDash.stderr).toBe(0);
    expect(withDash.stdout).toContain(`Dash: http://localhost:${port}`);
    const started = await containers();
    expect(started[DASH()]).toMatch(/^running /);
    expect((await docker(['port', DASH(), '3000'])).trim()).toBe(`127.0.0.1:${port}`);
    expect(await statusServices()).toEqual([
      expect.objectContaining({ service: 'web', state: 'running', ready: true }),
      expect.objectContaining({ service: 'dash', state: 'running', ready: true }),
    ]);

    // A plain re-run: remembered, so it is neither removed nor recreated.
    const again = await dec('setup', '1');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/up; nothing to change/);
    expect((await containers())[DASH()]).toBe(started[DASH()]);

    const down = await dec('setup', '1', '--down');
    expect(down.code, down.stderr).toBe(0);
    expect(await containers()).toEqual({});
    expect(down.stdout).toContain(`${box.project}-opt-dash-data`);
    const back = await dec('setup', '1');
    expect(back.code, back.stderr).toBe(0);
    expect(Object.keys(await containers()).sort()).toEqual([DASH(), WEB()].sort());

    const without = await dec('setup', '1', '--without', 'dash');
    expect(without.code, without.stderr).toBe(0);
    expect(Object.keys(await containers())).toEqual([WEB()]);
    expect(await docker(['volume', 'ls', '-q', '--filter', `name=${box.project}-opt-dash-data`])).toContain(
      `${box.project}-opt-dash-data`,
    );
    expect((await statusServices()).map((s) => s.service)).toEqual(['web']);
    // Forgotten: the next plain run does not start it.
    const after = await dec('setup', '1');
    expect(after.code, after.stderr).toBe(0);
    expect(Object.keys(await containers())).toEqual([WEB()]);

    const refused = await dec('setup', '1', '--with', 'web');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--with: web is not an optional service');
  });
});
