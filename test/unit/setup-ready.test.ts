// Readiness that proves the service answers, not Docker's proxy: the in-container listening check (its
// script run here by the host's sh over the host's own /proc/net/tcp) and the TCP check from the host
// against local listeners that hold a connection or close it at once, as docker-proxy does.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecResult } from '../../src/docker/client.js';
import { listensInside, readyCheck, tcpAnswers } from '../../src/setup/ready.js';
import type { DesiredService } from '../../src/setup/spec.js';

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function listen(onConnection: Parameters<typeof createServer>[1] = () => undefined): Promise<number> {
  const server = createServer({}, onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** A port nothing listens on (it was free a moment ago). */
async function freePort(): Promise<number> {
  const port = await listen();
  await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
  return port;
}

/** An "inside" whose exec runs the command here: the host's network namespace stands in for the container's. */
const here = {
  containerId: 'host',
  client: {
    execInContainer: (_id: string, command: string[]): Promise<ExecResult> =>
      new Promise((resolve) =>
        execFile(command[0]!, command.slice(1), (error, stdout, stderr) =>
          resolve({ exitCode: error ? Number((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
        ),
      ),
  },
};

describe('listensInside', () => {
  it('true when a socket listens on the port, false when none does', async () => {
    expect(await listensInside(here, await listen(), 2000)).toBe(true);
    expect(await listensInside(here, await freePort(), 2000)).toBe(false);
  });

  it('cannot tell (undefined) when the image has no sh', async () => {
    const noShell = { containerId: 'x', client: { execInContainer: async () => ({ exitCode: 127, output: '' }) } };
    expect(await listensInside(noShell, 80, 2000)).toBeUndefined();
  });
});

describe('tcpAnswers', () => {
  it('a listener that keeps the connection open answers', async () => {
    expect(await tcpAnswers(await listen(), 2000, 50)).toBe(true);
  });

  it("docker-proxy's way: accepted, then closed at once (nothing listens inside) is not ready", async () => {
    const port = await listen((socket) => socket.destroy());
    expect(await tcpAnswers(port, 2000, 200)).toBe(false);
  });

  it('nothing on the port is not ready', async () => {
    expect(await tcpAnswers(await freePort(), 2000, 50)).toBe(false);
  });
});

describe('readyCheck', () => {
  const service = (ports: DesiredService['ports'], ready: DesiredService['ready']): DesiredService => ({
    service: 'zookeeper',
    containerName: 'dec-week6-zookeeper',
    image: 'x',
    env: {},
    secretEnv: [],
    ports,
    mounts: [],
    aliases: [],
    files: [],
    binds: [],
    dockerSocket: false,
    networks: [],
    ready,
    job: false,
    restart: 'unless-stopped',
    dependsOn: [],
    waitsFor: {},
    labels: {},
    configHash: 'h',
  });

  it('tcp through a published port: a proxy that accepts while nothing listens inside is not ready', async () => {
    const proxy = await listen((socket) => socket.destroy());
    const check = readyCheck(service([{ hostIp: '127.0.0.1', host: proxy, container: 2181 }], { tcp: { port: 2181 } }));
    expect(await check!()).toBe(false);
  });

  it('tcp without a published port is checked inside the container', async () => {
    const port = await listen();
    const check = readyCheck(service([], { tcp: { port } }), 2000, here);
    expect(check).toBeDefined();
    expect(await check!()).toBe(true);
    const silent = readyCheck(service([], { tcp: { port: await freePort() } }), 2000, here);
    expect(await silent!()).toBe(false);
  });
});
