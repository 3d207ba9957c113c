// `dec run`'s core (src/setup/run.ts) with the in-memory engine and a scripted one-off container runner:
// the command line as typed, the working folder, a TTY only with a terminal, Ctrl-C as SIGINT then 130,
// the container removed whatever happens, and the errors for a stack that is not (fully) set up.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { AttachedStreams, ContainerRunner, OneOffSpec } from '../../src/docker/runner.js';
import { DecError } from '../../src/errors.js';
import { runTool, toolCommand, toolWorkdir, type RunIo, type ToolTarget } from '../../src/setup/run.js';
import { desiredStack, noOverrides } from '../../src/setup/spec.js';
import type { Stack } from '../../src/syllabus/schema.js';
import { FakeEngine } from '../helpers/fake-engine.js';

const folders: string[] = [];
afterEach(() => folders.splice(0).forEach((f) => rmSync(f, { recursive: true, force: true })));

function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'dec-run-unit-'));
  folders.push(root);
  mkdirSync(join(root, 'homework', 'week-4', 'models'), { recursive: true });
  return root;
}

const STACK: Stack = {
  title: 'dbt',
  network: { name: 'dbt-net' },
  tool: { service: 'dbt', workdir: '/usr/app', example: 'dbt debug' },
  services: {
    dbt: {
      image: 'dec/dbt',
      env: { DBT_PROFILES_DIR: '/usr/app' },
      user: '1000:1000',
      binds: [{ path: 'homework/week-4', target: '/usr/app' }],
      networks: [{ stack: 'week1' }],
    },
  },
};
const WEEK1: Pick<Stack, 'network'> = { network: { name: 'pg-network' } };

function target(root: string): ToolTarget {
  const desired = desiredStack(
    'week4',
    STACK,
    'dez-2022',
    noOverrides(),
    'dec',
    { uid: 1000, gid: 1000 },
    {},
    {
      roots: { workspace: root, home: root },
      stacks: { week1: WEEK1 },
    },
  );
  return { stackId: 'week4', week: 'week4', tool: STACK.tool!, desired };
}

/** The engine with week 4 set up (its dbt container, image and network) and week 1's network. */
function engineWithStack(t: ToolTarget, options: { week1?: boolean } = {}): FakeEngine {
  const engine = new FakeEngine();
  const service = t.desired.services[0]!;
  engine.images.add('dec/dbt:0123456789ab');
  engine.networks.push({ id: 'n1', name: 'dbt-net', labels: {}, containers: 1 });
  if (options.week1 !== false) engine.networks.push({ id: 'n2', name: 'pg-network', labels: {}, containers: 1 });
  engine.addContainer(
    {
      name: service.containerName,
      image: 'dec/dbt:0123456789ab',
      env: {},
      labels: service.labels,
      ports: [],
      mounts: [],
      network: 'dbt-net',
      aliases: [],
    },
    'exited',
  );
  return engine;
}

/** A runner whose container exits with `exitCode` once started (or, with `untilKilled`, once signalled). */
function scriptedRunner(script: { exitCode?: number; untilKilled?: boolean; output?: string } = {}) {
  const calls: string[] = [];
  const specs: OneOffSpec[] = [];
  let finish: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (finish = resolve));
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const runner: ContainerRunner = {
    create: async (spec) => {
      specs.push(spec);
      calls.push(`create ${spec.name.replace(/[0-9a-f]{6}$/, 'xxxxxx')}`);
      return 'r1';
    },
    connect: async (_id, network) => void calls.push(`connect ${network}`),
    attach: async (_id, options): Promise<AttachedStreams> => {
      calls.push(`attach stdin=${options.stdin} tty=${options.tty}`);
      return {
        stdout,
        stderr,
        ...(options.stdin ? { stdin: new PassThrough() } : {}),
        ended: exited.then(() => undefined),
      };
    },
    start: async () => {
      calls.push('start');
      if (script.output) stdout.write(script.output);
      if (!script.untilKilled) setImmediate(() => finish(script.exitCode ?? 0));
    },
    wait: () => exited,
    kill: async (_id, signal) => {
      calls.push(`kill ${signal}`);
      finish(script.exitCode ?? 130);
    },
    resize: async (_id, rows, columns) => void calls.push(`resize ${rows}x${columns}`),
    remove: async () => void calls.push('remove'),
  };
  return { runner, calls, specs };
}

function collectingIo(terminal = false): RunIo & { out: () => string } {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const input = Object.assign(new PassThrough(), { setRawMode: () => undefined });
  return {
    stdout,
    stderr: new PassThrough(),
    ...(terminal
      ? { terminal: { input, size: () => ({ rows: 40, columns: 120 }), onResize: () => () => undefined } }
      : {}),
    out: () => out,
  };
}

describe('toolCommand', () => {
  const t = { stackId: 'week4', tool: STACK.tool! };
  it('keeps the command line as typed; a leading -- only separates it', () => {
    expect(toolCommand(['dbt', 'build', '--vars', 'is_test_run: false'], t)).toEqual([
      'dbt',
      'build',
      '--vars',
      'is_test_run: false',
    ]);
    expect(toolCommand(['--', 'dbt', '--debug', 'run'], t)).toEqual(['dbt', '--debug', 'run']);
    expect(toolCommand(['dbt', '--', 'x'], t)).toEqual(['dbt', '--', 'x']);
  });
  it('without a command: says so, with the stack’s example', () => {
    expect(() => toolCommand([], t)).toThrow(DecError);
    const error = (() => {
      try {
        toolCommand(['--'], t);
      } catch (caught) {
        return caught as DecError;
      }
    })();
    expect(error?.hint).toBe('For example: dec run week4 dbt debug');
  });
});

describe('toolWorkdir', () => {
  it('inside the bound folder: the matching folder; elsewhere: the tool’s workdir', () => {
    const root = workspace();
    const service = target(root).desired.services[0]!;
    expect(toolWorkdir(service, STACK.tool!, join(root, 'homework', 'week-4'))).toBe('/usr/app');
    expect(toolWorkdir(service, STACK.tool!, join(root, 'homework', 'week-4', 'models'))).toBe('/usr/app/models');
    expect(toolWorkdir(service, STACK.tool!, root)).toBe('/usr/app');
    expect(toolWorkdir(service, { service: 'dbt' }, join(root, 'homework'))).toBeUndefined();
  });
});

describe('runTool', () => {
  it('runs a one-off container with the service’s image, env, user, folder and networks; exit code passed through', async () => {
    const root = workspace();
    const t = target(root);
    const engine = engineWithStack(t);
    const { runner, calls, specs } = scriptedRunner({ exitCode: 3, output: 'All checks passed!\n' });
    const io = collectingIo();
    const code = await runTool(t, ['dbt', 'debug'], io, {
      client: engine.client,
      runner,
      signal: new AbortController().signal,
      cwd: join(root, 'homework', 'week-4', 'models'),
    });
    expect(code).toBe(3);
    expect(io.out()).toBe('All checks passed!\n');
    expect(calls).toEqual([
      'create dec-week4-run-xxxxxx',
      'connect pg-network',
      'attach stdin=false tty=false',
      'start',
      'remove',
    ]);
    expect(specs[0]).toMatchObject({
      image: 'dec/dbt:0123456789ab',
      command: ['dbt', 'debug'],
      env: { DBT_PROFILES_DIR: '/usr/app' },
      user: '1000:1000',
      workdir: '/usr/app/models',
      network: 'dbt-net',
      binds: [{ source: join(root, 'homework', 'week-4'), target: '/usr/app', readOnly: false }],
      tty: false,
      stdin: false,
    });
    // Not dec.stack: setup, status and --down never take it for the service's own container.
    expect(specs[0]!.labels).toEqual({ 'dec.project': 'dec', 'dec.syllabus': 'dez-2022', 'dec.run': 'week4' });
  });

  it('a TTY and stdin only with a terminal, sized to it', async () => {
    const root = workspace();
    const t = target(root);
    const { runner, calls, specs } = scriptedRunner();
    await runTool(t, ['dbt', 'init'], collectingIo(true), {
      client: engineWithStack(t).client,
      runner,
      signal: new AbortController().signal,
      cwd: root,
    });
    expect(specs[0]).toMatchObject({ tty: true, stdin: true });
    expect(calls).toContain('attach stdin=true tty=true');
    expect(calls).toContain('resize 40x120');
  });

  it('Ctrl-C: SIGINT to the container, exit 130 whatever the command answers, the container removed', async () => {
    const root = workspace();
    const t = target(root);
    const { runner, calls } = scriptedRunner({ untilKilled: true, exitCode: 1 });
    const controller = new AbortController();
    const running = runTool(t, ['dbt', 'build'], collectingIo(), {
      client: engineWithStack(t).client,
      runner,
      signal: controller.signal,
      cwd: root,
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    expect(await running).toBe(130);
    expect(calls.slice(-2)).toEqual(['kill SIGINT', 'remove']);
  });

  it('not set up: no container → dec setup week4; week 1 missing → dec setup week1', async () => {
    const root = workspace();
    const t = target(root);
    const deps = (engine: FakeEngine) => ({
      client: engine.client,
      runner: scriptedRunner().runner,
      signal: new AbortController().signal,
      cwd: root,
    });
    const empty = new FakeEngine();
    await expect(runTool(t, ['dbt', 'debug'], collectingIo(), deps(empty))).rejects.toThrow(
      /week4 stack is not set up/,
    );
    const noWeek1 = engineWithStack(t, { week1: false });
    const error = await runTool(t, ['dbt', 'debug'], collectingIo(), deps(noWeek1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecError);
    expect((error as DecError).hint).toContain('dec setup week1');
  });
});
