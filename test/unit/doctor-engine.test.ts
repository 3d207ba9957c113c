// The engine probe's time limit covers talking to the engine, not loading the Docker client: on a busy
// machine dockerode took 2.7 s to load, and the engine was then given 0.3 s and blamed ("answers
// nothing (waited 0.295 s)"). Here the load is made slow (the real DockerFacts takes its loader as an
// option) and the "engine" is a real socket that never answers.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDockerClient, realDockerFacts } from '../../src/doctor/docker-facts.js';

const LOAD_MS = 900;

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

/** The real DockerFacts for DOCKER_HOST=tcp://127.0.0.1:port, with a client that takes LOAD_MS to load. */
function facts(port: number, timeoutMs: number) {
  return realDockerFacts({
    env: { PATH: '', HOME: '/home/student', DOCKER_HOST: `tcp://127.0.0.1:${port}` },
    platform: 'linux',
    home: '/home/student',
    readFile: async () => undefined,
    timeoutMs,
    loadClient: async () => {
      await new Promise((resolve) => setTimeout(resolve, LOAD_MS));
      await loadDockerClient();
    },
  });
}

describe('engineFacts', () => {
  it('gives the engine its time after the client has loaded, however slow the load', async () => {
    const found = await facts(await silentEngine(), 1000).engine();
    expect(found.reachable).toBe(false);
    if (found.reachable) return;
    expect(found.error.failure).toBe('no-answer');
    // 1 s less the 0.3 s margin, whatever the 0.9 s load took (before: 0.2 s, the floor).
    expect(found.error.message).toMatch(/waited 0\.[67]\d* s/);
  });

  it('asks the engine once per context, whoever asks (probes, the report, --fix)', async () => {
    const docker = facts(await silentEngine(), 300);
    const [first, second] = await Promise.all([docker.engine(), docker.engine()]);
    expect(second).toBe(first);
    expect(await docker.containers()).toBeUndefined();
  });
});
