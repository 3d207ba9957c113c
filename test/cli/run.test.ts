// `dec run`'s errors from the built binary, before any container is made (no engine needed): an unknown
// week, a week without a stack or without a tool, no command, no Docker engine; and its help.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, noUnexpectedError, runDec, useSandbox, type RunResult } from '../helpers/run.js';

const box = useSandbox();
const SYLLABUS = join(FIXTURES, 'syllabi', 'run-stack.yaml');

const dec = (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
  runDec(['run', ...args], {
    cwd: box.cwd,
    env: { ...box.sandbox.env, DEC_SYLLABUS: SYLLABUS, NO_COLOR: '1', ...extraEnv },
  });

function refused(run: RunResult, ...texts: string[]): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  for (const text of texts) expect(run.stderr).toContain(text);
  noUnexpectedError(run);
}

describe('dec run: what it cannot run', () => {
  it('an unknown week', async () => {
    refused(await dec(['9', 'dbt', 'debug']), 'There is no week "9"');
  });

  it('a week without a stack, and one whose stack has no tool: names the weeks that have one', async () => {
    refused(await dec(['3', 'ls']), 'Week 3 has no local stack', "dec run week1 sh -c 'echo hi'");
    refused(await dec(['week2', 'ls']), 'Week 2 has no tool for dec run', "dec run week1 sh -c 'echo hi'");
  });

  it('no command after the week', async () => {
    refused(await dec(['1']), 'which command?', "For example: dec run week1 sh -c 'echo hi'");
  });

  it('no Docker engine: says so and how to find out why', async () => {
    const run = await dec(['1', 'sh', '-c', 'echo never'], {
      DOCKER_HOST: `unix://${join(box.cwd, 'no-docker.sock')}`,
    });
    refused(run, 'Cannot reach the Docker engine', 'dec doctor --only docker');
  });

  it('help: the examples, and that the options after the week are the command’s', async () => {
    const run = await runDec(['run', '--help'], { cwd: box.cwd, env: box.sandbox.env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("dec run week4 dbt build --vars 'is_test_run: false'");
    expect(run.stdout).toContain('everything after the week is the command');
    const all = await runDec(['--help'], { cwd: box.cwd, env: box.sandbox.env });
    expect(all.stdout).toMatch(/run .*course CLI/);
  });
});
