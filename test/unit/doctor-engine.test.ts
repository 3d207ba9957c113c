// The engine probe's time limit covers talking to the engine, not loading the Docker client: on a busy
// machine dockerode took 2.7 s to load, and the engine was then given 0.3 s and blamed ("answers
// nothing (waited 0.295 s)"). Here the load is made slow and the "engine" is a real socket that never answers.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { engineFacts } from '../../src/doctor/probes/engine.js';
import type { ProbeContext } from '../../src/doctor/types.js';
import { fakeProbeContext } from '../helpers/probe-context.js';

const LOAD_MS = 900;

vi.mock('dockerode', async (importOriginal) => {
  await new Promise((resolve) => setTimeout(resolve, LOAD_MS));
  return importOriginal();
});

const sockets: Socket[] = [];
const servers: Server[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) server.close();
});

/** Accepts connections and never says a word. */
async function silentEngine(): Promise<number> {
  const server = createServer((socket) => sockets.push(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A context whose `once` really computes (the fake one answers "unreachable" without asking). */
function context(port: number, timeoutMs: number): ProbeContext {
  const shared = new Map<string, Promise<unknown>>();
  return {
    ...fakeProbeContext({
      env: { PATH: '', HOME: '/home/student', DOCKER_HOST: `tcp://127.0.0.1:${port}` },
      timeoutMs,
    }),
    once<T>(key: string, compute: () => Promise<T>): Promise<T> {
      if (!shared.has(key)) shared.set(key, compute());
      return shared.get(key) as Promise<T>;
    },
  };
}

describe('engineFacts', () => {
  it('gives the engine its time after the client has loaded, however slow the load', async () => {
    const facts = await engineFacts(context(await silentEngine(), 1000));
    expect(facts.reachable).toBe(false);
    if (facts.reachable) return;
    expect(facts.error.failure).toBe('no-answer');
    // 1 s less the 0.3 s margin, whatever the 0.9 s load took (before: 0.2 s, the floor).
    expect(facts.error.message).toMatch(/waited 0\.[67]\d* s/);
  });
});
