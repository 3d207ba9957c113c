// An endpoint that answers HTTP but is not the Docker API (a web server's error page): dec says so in a
// line, with at most a short excerpt of what answered, never the whole page. A real local HTTP server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectDocker, DockerUnavailable } from '../../src/docker/client.js';
import { excerptOf } from '../../src/docker/engine-errors.js';

const PAGE = `<!DOCTYPE html><html><head><title>Internal Server Error</title></head><body>${'<p>a line of the page</p>\n'.repeat(50)}</body></html>`;

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function webServer(status: number): Promise<string> {
  const server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'text/html' }).end(PAGE));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failure(work: () => Promise<unknown>): Promise<DockerUnavailable> {
  const error: unknown = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DockerUnavailable);
  return error as DockerUnavailable;
}

describe('an HTTP server at DOCKER_HOST', () => {
  for (const status of [500, 502, 200]) {
    it(`answering ${status} with an HTML page: not-docker, one line, the page's title only`, async () => {
      const url = await webServer(status);
      const client = await connectDocker({ url, source: 'DOCKER_HOST' }, 2000);
      // Every command pings first; a 200 page is caught there (and by the doctor's /version).
      const calls: Array<() => Promise<unknown>> = [() => client.ping(), () => client.version()];
      if (status !== 200) calls.push(() => client.listContainers());
      for (const call of calls) {
        const error = await failure(call);
        expect(error.failure).toBe('not-docker');
        expect(error.message).toContain(`${url} (from DOCKER_HOST) is not a Docker engine`);
        expect(error.message).not.toContain('<');
        expect(error.message).not.toContain('\n');
        expect(error.message.length).toBeLessThan(300);
      }
    });
  }
});

describe('excerptOf', () => {
  it('names an HTML page by its title, and cuts other text to a short line', () => {
    expect(excerptOf(PAGE)).toBe('a page titled "Internal Server Error"');
    expect(excerptOf(`x\n${'y'.repeat(200)}`)).toBe(`"x ${'y'.repeat(58)}…"`);
    expect(excerptOf('Not Found')).toBe('"Not Found"');
  });
});
