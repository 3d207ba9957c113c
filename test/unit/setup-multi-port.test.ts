// --port on a service that publishes several ports (dez-2026's Redpanda and Kestra): `<service>=<port>`
// moves its first published port, `<service>.<container port>=<port>` any one of them, and what the
// service advertises to the host (Redpanda's --advertise-*-addr, on its command line) follows. Checked on
// the stack plan (desiredStack), with the flags parsed as `dec setup` parses them (applyFlags).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { setup, type SetupDeps } from '../../src/commands/setup.js';
import { DecError } from '../../src/errors.js';
import { appliedOverrides, applyFlags } from '../../src/setup/options.js';
import { desiredStack, noOverrides, renderNext, type DesiredService, type Overrides } from '../../src/setup/spec.js';
import { readOverrides, saveOverrides } from '../../src/setup/state.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import type { Stack } from '../../src/syllabus/schema.js';
import { commandContexts } from '../helpers/command-context.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { thrownDecError } from '../helpers/errors.js';

const contexts = commandContexts();
afterEach(() => contexts.cleanup());

const course = parseSyllabus(readFileSync(new URL('../../syllabus/dez-2026.yaml', import.meta.url)), 'dez-2026.yaml');
const module7 = course.stacks.module7!;
const module2 = course.stacks.module2!;
const links = { stacks: course.stacks };

function plan(stackId: string, stack: Stack, ...port: string[]) {
  const overrides = applyFlags(noOverrides(), { port }, stack);
  return {
    overrides,
    desired: desiredStack(stackId, stack, course.id, overrides, undefined, undefined, undefined, links),
  };
}
const service = (desired: { services: DesiredService[] }, name: string) =>
  desired.services.find((s) => s.service === name)!;
const hostOf = (s: DesiredService, container: number) => s.ports.find((p) => p.container === container)?.host;
/** The value after a flag on the command line: `--advertise-kafka-addr X` → X. */
const arg = (s: DesiredService, flag: string) => s.command![s.command!.indexOf(flag) + 1];

describe("Redpanda's advertised addresses follow --port (module 7)", () => {
  it('by default: the course command, word for word, and the same container (config hash) as before', () => {
    const redpanda = service(plan('module7', module7).desired, 'redpanda');
    expect(arg(redpanda, '--advertise-kafka-addr')).toBe('PLAINTEXT://redpanda:29092,OUTSIDE://localhost:9092');
    expect(arg(redpanda, '--advertise-pandaproxy-addr')).toBe('PLAINTEXT://redpanda:28082,OUTSIDE://localhost:8082');
    // The stack as it was written before the placeholders (literal ports): the same hash, so a student's
    // running Redpanda is not taken for a changed one.
    const literal: Stack = structuredClone(module7);
    literal.services.redpanda!.command = redpanda.command;
    const before = service(desiredStack('module7', literal, course.id, noOverrides()), 'redpanda');
    expect(redpanda.configHash).toBe(before.configHash);
  });

  it('--port redpanda.9092=19092 publishes Kafka on 19092 and advertises localhost:19092; the rest stays', () => {
    const { desired, overrides } = plan('module7', module7, 'redpanda.9092=19092');
    expect(overrides.ports).toEqual({ 'redpanda.9092': 19092 });
    const redpanda = service(desired, 'redpanda');
    expect(redpanda.ports.map((p) => [p.host, p.container])).toEqual([
      [8082, 8082],
      [19092, 9092],
      [28082, 28082],
      [29092, 29092],
    ]);
    expect(arg(redpanda, '--advertise-kafka-addr')).toBe('PLAINTEXT://redpanda:29092,OUTSIDE://localhost:19092');
    // It still listens on the course's container ports: only the host side moved.
    expect(arg(redpanda, '--kafka-addr')).toBe('PLAINTEXT://0.0.0.0:29092,OUTSIDE://0.0.0.0:9092');
    expect(arg(redpanda, '--advertise-pandaproxy-addr')).toContain('OUTSIDE://localhost:8082');
    expect(redpanda.configHash).not.toBe(service(plan('module7', module7).desired, 'redpanda').configHash);
    // The student reads the new address, and the ready check knocks on it.
    expect(renderNext(desired)[0]).toMatch(/^Redpanda: +localhost:19092 from your machine/);
  });

  it('--port redpanda=18082 moves its first port, Pandaproxy, and what that advertises; the same as redpanda.8082', () => {
    const first = plan('module7', module7, 'redpanda=18082');
    const redpanda = service(first.desired, 'redpanda');
    expect(hostOf(redpanda, 8082)).toBe(18082);
    expect(hostOf(redpanda, 9092)).toBe(9092);
    expect(arg(redpanda, '--advertise-pandaproxy-addr')).toBe('PLAINTEXT://redpanda:28082,OUTSIDE://localhost:18082');
    expect(arg(redpanda, '--advertise-kafka-addr')).toContain('OUTSIDE://localhost:9092');
    // Named by its container port, the first port is remembered under the service's name.
    expect(plan('module7', module7, 'redpanda.8082=18082').overrides.ports).toEqual({ redpanda: 18082 });
  });

  it('every published port can move, and two on one host port are refused', () => {
    const redpanda = service(
      plan('module7', module7, 'redpanda=18082', 'redpanda.9092=19092', 'redpanda.28082=38082', 'redpanda.29092=39092')
        .desired,
      'redpanda',
    );
    expect(redpanda.ports.map((p) => p.host)).toEqual([18082, 19092, 38082, 39092]);
    expect(thrownDecError(() => plan('module7', module7, 'redpanda.9092=5432')).message).toBe(
      '--port: redpanda and postgres would both publish host port 5432.',
    );
    const twice = thrownDecError(() => plan('module7', module7, 'redpanda.29092=8082'));
    expect(twice.message).toBe(
      '--port: redpanda would publish its container ports 8082 and 29092 both on host port 8082.',
    );
    expect(twice.hint).toBe('Pick another port for one of them, e.g. --port redpanda.29092=8083.');
  });

  it('a container port the service does not publish is refused, with the ports it does', () => {
    const error = thrownDecError(() => plan('module7', module7, 'redpanda.9093=19093'));
    expect(error.message).toBe('--port: redpanda publishes no container port 9093.');
    expect(error.hint).toContain('--port redpanda.9092=<host port> moves 9092');
    expect(error.hint).toContain('--port redpanda=<host port> moves 8082');
    expect(thrownDecError(() => plan('module7', module7, 'redpnda.9092=19092')).message).toContain(
      'Did you mean redpanda?',
    );
  });
});

describe("Kestra's second port (module 2)", () => {
  it('--port kestra.8081=18081 moves its health port, which its ready check then reads; 8080 stays', () => {
    const kestra = service(plan('module2', module2, 'kestra.8081=18081').desired, 'kestra');
    expect(kestra.ports.map((p) => [p.host, p.container])).toEqual([
      [8080, 8080],
      [18081, 8081],
    ]);
    expect(kestra.env.KESTRA_CONFIGURATION).toContain('url: http://localhost:8080/');
  });
});

describe('remembering --port of a second port', () => {
  it('is kept with its service by a run that --only chose others, and forgotten with the service by --reset', () => {
    const saved: Overrides = { ...noOverrides(), ports: { 'redpanda.9092': 19092, redpanda: 18082 } };
    const next = applyFlags(saved, { port: ['postgres=15432'] }, module7);
    expect(appliedOverrides(saved, next, ['postgres'], module7).ports).toEqual({
      redpanda: 18082,
      'redpanda.9092': 19092,
      postgres: 15432,
    });
  });

  it('round-trips through the settings file', async () => {
    const home = await mkdtemp(join(tmpdir(), 'dec-unit-multi-port-'));
    try {
      const env = { DEC_HOME: home };
      const overrides: Overrides = { ...noOverrides(), ports: { 'redpanda.9092': 19092 } };
      await saveOverrides(env, course.id, 'module7', overrides);
      expect((await readOverrides(env, course.id, 'module7')).ports).toEqual({ 'redpanda.9092': 19092 });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('a taken second port gets a --port that moves it', () => {
  it("Redpanda's 9092 held by another process: dec setup module7 --port redpanda.9092=9093, before anything is made", async () => {
    const engine = new FakeEngine();
    const deps: SetupDeps = {
      connect: async () => engine.client,
      hostPorts: {
        inUse: async (port) => port === 9092,
        listener: async (port) => (port === 9092 ? { pid: 812, name: 'kafka' } : undefined),
      },
      host: { uid: () => 0, arch: () => 'x64' },
    };
    const ctx = contexts.make({ platform: 'linux', options: { syllabus: 'dez-2026' } });
    const refused = await setup(ctx, 'module7', {}, deps).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DecError);
    expect((refused as DecError).details).toEqual(['  port 9092 (for redpanda) is held by kafka (pid 812)']);
    expect((refused as DecError).hint).toBe(
      'Use another port: dec setup module7 --port redpanda.9092=9093, or free it: kill 812',
    );
    expect(engine.calls).toEqual([]);
  });
});
