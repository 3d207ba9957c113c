// Downloads behind a proxy: which settings dec reads (HTTP_PROXY / HTTPS_PROXY / NO_PROXY as curl
// reads them), and what a student sees through a real loopback proxy: the file, a direct connection
// for what NO_PROXY lists, one clear line when the proxy wants a login or refuses.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { download, type DownloadOptions } from '../../src/data/download.js';
import { proxySettings, shownProxy } from '../../src/data/proxy.js';
import { DecError, isDecError } from '../../src/errors.js';

describe('proxySettings', () => {
  it('reads HTTPS_PROXY and HTTP_PROXY, lower case first as curl does; blank counts as unset', () => {
    const env = { HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128', HTTP_PROXY: 'proxy:8080' };
    expect(proxySettings(env)).toEqual({
      httpsProxy: 'http://lower:3128/',
      httpProxy: 'http://proxy:8080/',
      noProxy: '',
    });
    expect(proxySettings({ https_proxy: '  ', HTTPS_PROXY: 'http://upper:3128' }).httpsProxy).toBe(
      'http://upper:3128/',
    );
    expect(proxySettings({ no_proxy: '', NO_PROXY: 'cloudfront.net' }).noProxy).toBe('cloudfront.net');
    expect(proxySettings({})).toEqual({ httpProxy: '', httpsProxy: '', noProxy: '' });
  });

  it('refuses a setting it cannot use, naming it, and never shows a password', () => {
    for (const value of ['https://proxy:3128', 'http://[bad']) {
      let caught: unknown;
      try {
        proxySettings({ HTTPS_PROXY: value });
      } catch (error) {
        caught = error;
      }
      expect(isDecError(caught), value).toBe(true);
      expect((caught as Error).message).toContain('HTTPS_PROXY');
    }
    expect(shownProxy('http://student:s3cret@proxy:3128')).toBe('http://proxy:3128');
  });
});

// A file server and a proxy on 127.0.0.1, both recording what they are asked.
const BODY = randomBytes(64 * 1024);
const servers: Server[] = [];
const sockets = new Set<Socket>();
let filePort = 0;
let proxyPort = 0;
let fileRequests: string[] = [];
let proxied: Array<{ method: string; url: string; auth: string | undefined }> = [];
/** What the proxy answers a CONNECT or a GET with instead of passing it on (407, 403), when set. */
let proxyAnswer: number | undefined;
let dir = '';

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function forward(req: IncomingMessage, res: ServerResponse): void {
  proxied.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers['proxy-authorization'] });
  if (proxyAnswer) return void res.writeHead(proxyAnswer, { 'proxy-authenticate': 'Basic realm="campus"' }).end();
  const upstream = request(req.url ?? '', { headers: { host: req.headers.host ?? '' } }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => res.writeHead(502).end());
  upstream.end();
}

beforeAll(async () => {
  filePort = await listen(
    createServer((req, res) => {
      fileRequests.push(req.url ?? '');
      res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
    }),
  );
  const proxy = createServer(forward);
  proxy.on('connect', (req: IncomingMessage, client: Socket) => {
    proxied.push({ method: 'CONNECT', url: req.url ?? '', auth: req.headers['proxy-authorization'] });
    sockets.add(client);
    if (proxyAnswer) return void client.end(`HTTP/1.1 ${proxyAnswer} No\r\nContent-Length: 0\r\n\r\n`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  proxyPort = await listen(proxy);
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

afterEach(() => {
  fileRequests = [];
  proxied = [];
  proxyAnswer = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function get(url: string, env: NodeJS.ProcessEnv, extra: Partial<DownloadOptions> = {}) {
  dir = mkdtempSync(join(tmpdir(), 'dec-proxy-'));
  const path = join(dir, 'file.csv.gz');
  return { path, done: download(url, path, { stallMs: 5_000, attempts: 2, backoffMs: 10, env, ...extra }) };
}

async function failure(promise: Promise<unknown>): Promise<DecError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DecError);
    return error as DecError;
  }
  throw new Error('expected the download to fail');
}

const login = `Basic ${Buffer.from('student:s3cret').toString('base64')}`;

describe('download through a proxy', () => {
  it('http: an absolute-URL GET to the proxy from HTTP_PROXY, with its login', async () => {
    const url = `http://127.0.0.1:${filePort}/file.csv.gz`;
    const { path, done } = get(url, { http_proxy: `http://student:s3cret@127.0.0.1:${proxyPort}` });
    await done;
    expect(readFileSync(path).equals(BODY)).toBe(true);
    expect(proxied).toEqual([{ method: 'GET', url, auth: login }]);
  });

  it.each(['127.0.0.1', '*', `127.0.0.1:${'PORT'}`, 'localhost, .0.0.1'])(
    'NO_PROXY=%j goes direct',
    async (noProxy) => {
      const url = `http://127.0.0.1:${filePort}/file.csv.gz`;
      const { path, done } = get(url, {
        HTTP_PROXY: `http://127.0.0.1:${proxyPort}`,
        NO_PROXY: noProxy.replace('PORT', String(filePort)),
      });
      await done;
      expect(readFileSync(path).equals(BODY)).toBe(true);
      expect(proxied).toEqual([]);
      expect(fileRequests).toEqual(['/file.csv.gz']);
    },
  );

  it('HTTP_PROXY alone does not carry https downloads (as in curl)', async () => {
    const { done } = get(`https://127.0.0.1:${filePort}/file.csv.gz`, { HTTP_PROXY: `http://127.0.0.1:${proxyPort}` });
    // Straight to the file server, which does not speak TLS: the handshake fails there, not at the proxy.
    await failure(done);
    expect(proxied).toEqual([]);
  });

  it.each([
    ['http', 'HTTP_PROXY', 'GET'],
    ['https', 'HTTPS_PROXY', 'CONNECT'],
  ])('%s: a proxy that wants a login is one clear error at once, not retries', async (scheme, variable, method) => {
    proxyAnswer = 407;
    const url = `${scheme}://127.0.0.1:${filePort}/file.csv.gz`;
    const notices: string[] = [];
    const { path, done } = get(
      url,
      { [variable]: `http://student:wrong@127.0.0.1:${proxyPort}` },
      { onNotice: (text) => notices.push(text) },
    );
    const error = await failure(done);
    expect(error.message).toBe(
      `The proxy http://127.0.0.1:${proxyPort} wants a login (HTTP 407) to reach 127.0.0.1:${filePort}.`,
    );
    expect(error.hint).toContain(`${variable} as http://user:password@host:port`);
    expect(`${error.message} ${error.hint}`).not.toContain('wrong');
    expect(proxied.map((p) => p.method)).toEqual([method]);
    expect(notices).toEqual([]);
    expect(statSync(`${path}.part`, { throwIfNoEntry: false })?.size ?? 0).toBe(0);
  });

  it('https: a proxy that refuses the CONNECT is retried, then named with its answer', async () => {
    proxyAnswer = 403;
    const { done } = get(`https://127.0.0.1:${filePort}/file.csv.gz`, { HTTPS_PROXY: `127.0.0.1:${proxyPort}` });
    const error = await failure(done);
    expect(error.message).toContain(
      `the proxy http://127.0.0.1:${proxyPort} refused to connect to 127.0.0.1:${filePort} (HTTP 403)`,
    );
    expect(error.hint).toContain(`the proxy in HTTPS_PROXY (http://127.0.0.1:${proxyPort})`);
    expect(proxied).toHaveLength(2);
  });
});

describe('download: what a failed connection is called', () => {
  it('a host name DNS does not know', async () => {
    const { done } = get('http://dec-test.invalid/file.csv.gz', {});
    const error = await failure(done);
    expect(error.message).toMatch(/cannot look up dec-test\.invalid \(DNS: (ENOTFOUND|EAI_AGAIN)\)/);
  });
});
