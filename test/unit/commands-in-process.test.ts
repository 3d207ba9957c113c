// Command handlers run in-process on a temp dir, as changesets tests its handlers: a CommandContext
// with HOME and DEC_HOME in the dir, output into buffers and scripted answers (test/helpers/command-context.ts);
// the doctor gets a fake ProbeContext and setup an in-memory Docker engine. No process is started,
// no socket opened, no engine asked.
import { processAdmin } from '../../src/doctor/platform.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { doctor } from '../../src/commands/doctor.js';
import { markTopics, resetProgress, showProgress } from '../../src/commands/progress.js';
import { setup, type SetupDeps } from '../../src/commands/setup.js';
import { listWeeks } from '../../src/commands/weeks.js';
import type { CreateContainerSpec } from '../../src/docker/client.js';
import type { RealContextOptions } from '../../src/doctor/probe-context.js';
import type { EngineFacts } from '../../src/doctor/types.js';
import { DecError } from '../../src/errors.js';
import { commandContexts } from '../helpers/command-context.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { fakeProbeContext, type FakeProbeContext } from '../helpers/probe-context.js';

const contexts = commandContexts();
afterEach(() => contexts.cleanup());

describe('weeks list', () => {
  it('--json prints one document with every week of the built-in syllabus, read from the temp DEC_HOME', async () => {
    const ctx = contexts.make({ options: { json: true } });
    await listWeeks(ctx);
    const document = JSON.parse(ctx.stdout()) as {
      syllabus: { id: string };
      weeks: Array<{ number: number; percent: number }>;
      overall: { done: number };
    };
    expect(document.syllabus.id).toBe('dez-2022');
    expect(document.weeks.length).toBeGreaterThan(5);
    expect(document.weeks[0]).toMatchObject({ number: 1, percent: 0 });
    expect(document.overall.done).toBe(0);
    expect(ctx.stderr()).toBe('');
  });
});

describe('progress', () => {
  it('marks a week done in DEC_HOME and shows it', async () => {
    const ctx = contexts.make();
    await markTopics(ctx, '1', [], { undo: false });
    const file = join(ctx.env.DEC_HOME!, 'progress.json');
    expect(existsSync(file)).toBe(true);
    expect(ctx.stdout()).toContain('Marked done: all');
    await showProgress(ctx);
    expect(ctx.stdout()).toMatch(/Data Engineering Zoomcamp.*\d+%/);
  });

  it('reset asks first: answered no, nothing changes; without a terminal it refuses and names --yes', async () => {
    const ctx = contexts.make({ interactive: true, answers: [false] });
    await markTopics(ctx, '1', [], { undo: false });
    const file = join(ctx.env.DEC_HOME!, 'progress.json');
    const before = readFileSync(file, 'utf8');
    const declined = await resetProgress(ctx, '1', false).catch((error: unknown) => error);
    expect(ctx.asked).toEqual(['Reset the progress of week 1 (Introduction & Prerequisites)?']);
    expect(declined).toBeInstanceOf(DecError);
    expect((declined as DecError).message).toContain('nothing was changed');
    expect((declined as DecError).exitCode).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(before);

    const script = contexts.make();
    const refused = await resetProgress(script, undefined, false).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DecError);
    expect((refused as DecError).hint).toBe('Pass --yes to confirm.');
    expect(script.asked).toEqual([]);
  });
});

/** A container of dec's week-1 stack, as an earlier `dec setup week1` would have left it. */
function week1Container(service: string, port: number, volume: string): CreateContainerSpec {
  return {
    name: `dec-week1-${service}`,
    image: service === 'pgdatabase' ? 'postgres:13' : 'dpage/pgadmin4',
    env: {},
    labels: { 'dec.stack': 'week1', 'dec.service': service },
    ports: [{ hostIp: '127.0.0.1', host: port, container: port }],
    mounts: [{ volume, path: '/data' }],
    network: 'dec-week1',
    aliases: [service],
  };
}

async function engineFactsOf(engine: FakeEngine): Promise<EngineFacts> {
  return {
    reachable: true,
    endpoint: engine.client.endpoint,
    client: engine.client,
    version: await engine.client.version(),
  };
}

describe('doctor', () => {
  it('runs week 1’s probes on a fake ProbeContext; --fix asks for each fix and applies only the confirmed ones', async () => {
    const engine = new FakeEngine();
    engine.addContainer(week1Container('pgdatabase', 5432, 'ny_taxi_postgres_data'), 'exited');
    const facts = await engineFactsOf(engine);
    const made: FakeProbeContext[] = [];
    const probeContextOf = (options: RealContextOptions) => {
      const fake = fakeProbeContext({ ...options, engine: facts, logins: { 5432: 'accepted' } });
      made.push(fake);
      return fake;
    };
    // Two fixes on offer, in the probes' order: the stopped container (accepted), the GCP credentials folder (declined).
    const ctx = contexts.make({ interactive: true, answers: [true, false], env: { PATH: '' } });

    const code = await doctor(ctx, { week: '1', fix: true }, probeContextOf);

    const credentials = join(ctx.home, '.google', 'credentials');
    expect(ctx.asked).toEqual([
      "dec's containers: start dec's stopped container dec-week1-pgdatabase?",
      `GCP credentials: create ${credentials} (mode 700)?`,
    ]);
    expect(ctx.stdout()).toContain(`skipped: create ${credentials}`);
    expect(existsSync(credentials)).toBe(false);
    expect(engine.calls).toEqual(['start dec-week1-pgdatabase']);
    expect(ctx.stdout()).toContain("done: start dec's stopped container dec-week1-pgdatabase");
    expect(ctx.stdout()).toMatch(/now: dec's containers: ok/);
    // The context the command built: the week's needs, the temp HOME, and every command through the fake.
    expect(made[0]?.needs.stacks).toEqual(['week1']);
    expect(made[0]?.home).toBe(ctx.home);
    expect(made[0]?.calls).toContain('docker --version');
    // Tools missing on this fake machine (an empty PATH, every command not found): required ones fail.
    expect(code).toBe(1);
  });

  it('--json: the docker endpoint and each probe’s verdict, from the fake engine', async () => {
    const engine = new FakeEngine();
    const facts = await engineFactsOf(engine);
    const ctx = contexts.make({ options: { json: true }, env: { PATH: '' } });
    await doctor(ctx, { week: '1', only: 'docker-engine,postgres-port' }, (options) =>
      fakeProbeContext({ ...options, engine: facts, listeners: { 5432: { pid: 812, name: 'postgres' } } }),
    );
    const document = JSON.parse(ctx.stdout()) as {
      docker: { endpoint: string; reachable: boolean };
      probes: Array<{ id: string; status: string; detail: string }>;
    };
    expect(document.docker).toMatchObject({ endpoint: 'unix:///fake/docker.sock', reachable: true });
    expect(document.probes.map((p) => [p.id, p.status])).toEqual([
      ['docker-engine', 'ok'],
      ['postgres-port', 'fail'],
    ]);
    expect(document.probes[1]?.detail).toContain('postgres (pid 812)');
  });
});

describe('setup --destroy', () => {
  /** An engine holding the week-1 stack, and setup's seams pointing at it. */
  function week1Engine(volumes: string[]): { engine: FakeEngine; deps: SetupDeps } {
    const engine = new FakeEngine();
    engine.addContainer(week1Container('pgdatabase', 5432, volumes[0]!), 'running');
    engine.addContainer(week1Container('pgadmin', 8085, volumes[1] ?? volumes[0]!), 'running');
    for (const volume of volumes) engine.volumes.set(volume, {});
    const deps: SetupDeps = {
      connect: async () => engine.client,
      hostPorts: { inUse: async () => false, listener: async () => undefined },
    };
    return { engine, deps };
  }

  /** The volume names setup would keep for week 1 (--down --dry-run --json). */
  async function week1Volumes(): Promise<string[]> {
    const { deps } = week1Engine(['probe']);
    const ctx = contexts.make({ options: { json: true } });
    await setup(ctx, '1', { down: true, dryRun: true }, deps);
    return (JSON.parse(ctx.stdout()) as { keptVolumes: string[] }).keptVolumes;
  }

  it('asks for the stack’s name: another answer removes nothing', async () => {
    const volumes = await week1Volumes();
    expect(volumes.length).toBeGreaterThan(0);
    const { engine, deps } = week1Engine(volumes);
    const ctx = contexts.make({ interactive: true, answers: ['no'] });

    const declined = await setup(ctx, '1', { destroy: true }, deps).catch((error: unknown) => error);

    expect(ctx.asked).toEqual(['This deletes the data of week1 for good. Type week1 to confirm:']);
    expect(declined).toBeInstanceOf(DecError);
    expect((declined as DecError).message).toBe(
      'Not confirmed: you typed "no", not week1; its volumes stay; nothing was changed.',
    );
    expect((declined as DecError).exitCode).toBe(1);
    expect(engine.calls).toEqual([]);
    expect([...engine.volumes.keys()]).toEqual(volumes);
  });

  it('typed right, it stops and removes the stack’s containers and deletes its volumes', async () => {
    const volumes = await week1Volumes();
    const { engine, deps } = week1Engine(volumes);
    const ctx = contexts.make({ interactive: true, answers: ['week1'] });

    expect(await setup(ctx, '1', { destroy: true }, deps)).toBe(0);

    expect(engine.calls).toEqual([
      'stop dec-week1-pgdatabase',
      'remove dec-week1-pgdatabase',
      'stop dec-week1-pgadmin',
      'remove dec-week1-pgadmin',
      ...volumes.map((v) => `removeVolume ${v}`),
    ]);
    expect(engine.volumes.size).toBe(0);
  });

  it('without a terminal it refuses before touching the engine, and names --yes', async () => {
    const volumes = await week1Volumes();
    const { engine, deps } = week1Engine(volumes);
    const ctx = contexts.make();
    const refused = await setup(ctx, '1', { destroy: true }, deps).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DecError);
    expect((refused as DecError).hint).toBe('Pass --yes to confirm: dec setup week1 --destroy --yes');
    expect(ctx.asked).toEqual([]);
    expect(engine.calls).toEqual([]);
  });
});

describe('setup', () => {
  it('a host process on a port the stack publishes: refused before anything is made, with the fix for the platform and the user (recorded uid)', async () => {
    // A PATH whose only sudo is a recorded one, so the answer does not depend on this machine.
    const withSudo = contexts.make().dir;
    mkdirSync(join(withSudo, 'bin'));
    writeFileSync(join(withSudo, 'bin', 'sudo'), '#!/bin/sh\n', { mode: 0o755 });
    const cases = [
      // Root needs no sudo (and often has none); a user with sudo gets it; a user without gets the bare command.
      { platform: 'linux', uid: 0, path: join(withSudo, 'bin'), free: 'kill 812' },
      { platform: 'linux', uid: 1000, path: join(withSudo, 'bin'), free: 'sudo kill 812' },
      { platform: 'linux', uid: 1000, path: join(withSudo, 'none'), free: 'kill 812' },
      { platform: 'win32', uid: undefined, path: join(withSudo, 'bin'), free: 'taskkill /PID 812' },
    ] as const;
    for (const { platform, uid, path, free } of cases) {
      const engine = new FakeEngine();
      const deps: SetupDeps = {
        connect: async () => engine.client,
        hostPorts: {
          inUse: async (port) => port === 5432,
          listener: async (port) => (port === 5432 ? { pid: 812, name: 'postgres' } : undefined),
        },
        host: { uid: () => uid, arch: () => 'x64' },
      };
      const ctx = contexts.make({ platform, env: { PATH: path } });
      expect(processAdmin(ctx.env, platform, uid)).toEqual({
        root: uid === 0,
        sudo: uid !== 0 && platform !== 'win32' && path.endsWith('bin'),
      });
      const refused = await setup(ctx, '1', {}, deps).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(DecError);
      expect((refused as DecError).details).toEqual(['  port 5432 (for pgdatabase) is held by postgres (pid 812)']);
      expect((refused as DecError).hint).toBe(
        `Use another port: dec setup week1 --port pgdatabase=5433, or free it: ${free}`,
      );
      expect(engine.calls).toEqual([]);
    }
  });
});
