// dec data get behind a proxy, as on a university or company network: an https mirror (a loopback
// server with a certificate made by openssl here, trusted through NODE_EXTRA_CA_CERTS) reached through
// a loopback proxy's CONNECT with a login, an http mirror through the proxy, NO_PROXY going direct, a
// proxy that wants a login dec was not given, and a certificate dec cannot trust.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDec, useSandbox, writeDatasetSyllabus } from '../helpers/run.js';

const box = useSandbox();
const BODY = randomBytes(200_000);
const certs = mkdtempSync(join(tmpdir(), 'dec-proxy-'));
const seen: Array<{ method: string; url: string; auth: string | undefined }> = [];
const servers: Server[] = [];
const sockets = new Set<Socket>();
let httpsPort = 0;
let httpPort = 0;
let proxyPort = 0;
/** A proxy that answers every CONNECT with 407, as one that wants a login does. */
let loginProxyPort = 0;

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const serveFile = (_req: unknown, res: import('node:http').ServerResponse) => {
  res.writeHead(200, { 'content-length': BODY.length });
  res.end(BODY);
};

beforeAll(async () => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(certs, 'key.pem'),
      '-out',
      join(certs, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const tls = { key: readFileSync(join(certs, 'key.pem')), cert: readFileSync(join(certs, 'cert.pem')) };
  httpsPort = await listen(createHttpsServer(tls, serveFile));
  httpPort = await listen(createHttpServer(serveFile));
  // The proxy: CONNECT tunnels, and absolute-URL GETs forwarded; every request recorded.
  const proxy = createHttpServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers['proxy-authorization'] });
    const upstream = request(req.url ?? '', { headers: { host: req.headers.host ?? '' } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    upstream.end();
  });
  proxy.on('connect', (req, client: Socket) => {
    seen.push({ method: 'CONNECT', url: req.url ?? '', auth: req.headers['proxy-authorization'] });
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream).add(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  proxyPort = await listen(proxy);
  const loginProxy = createHttpServer((_req, res) => res.writeHead(407).end());
  loginProxy.on('connect', (req, client: Socket) => {
    seen.push({ method: 'CONNECT', url: req.url ?? '', auth: req.headers['proxy-authorization'] });
    client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="campus"\r\n\r\n');
  });
  loginProxyPort = await listen(loginProxy);
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(certs, { recursive: true, force: true });
});

const syllabus = (mirror: string) =>
  writeDatasetSyllabus(join(box.sandbox.root, `proxy-syllabus-${seen.length}.yaml`), mirror);

async function get(mirror: string, env: NodeJS.ProcessEnv, month: string, trusted = true) {
  const cached = join(box.sandbox.decHome, 'cache', 'datasets', `yellow_tripdata_${month}.csv.gz`);
  const result = await runDec(['data', 'get', 'yellow', month, '--syllabus', syllabus(mirror), '--timeout', '5'], {
    cwd: box.cwd,
    env: {
      ...box.sandbox.env,
      ...(trusted ? { NODE_EXTRA_CA_CERTS: join(certs, 'cert.pem') } : {}),
      NO_PROXY: '',
      no_proxy: '',
      HTTP_PROXY: '',
      HTTPS_PROXY: '',
      http_proxy: '',
      https_proxy: '',
      ...env,
    },
    timeoutMs: 60_000,
  });
  return { result, cached };
}

describe('dec data get through a proxy', () => {
  it('https through CONNECT, with the proxy login sent and never printed', async () => {
    seen.length = 0;
    const { result, cached } = await get(
      `https://127.0.0.1:${httpsPort}`,
      { HTTPS_PROXY: `http://student:s3cret@127.0.0.1:${proxyPort}` },
      '2021-01',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(cached).equals(BODY)).toBe(true);
    expect(seen).toEqual([
      {
        method: 'CONNECT',
        url: `127.0.0.1:${httpsPort}`,
        auth: `Basic ${Buffer.from('student:s3cret').toString('base64')}`,
      },
    ]);
    expect(`${result.stdout}${result.stderr}`).not.toContain('s3cret');
  });

  it('http as an absolute URL to the proxy', async () => {
    seen.length = 0;
    const url = `http://127.0.0.1:${httpPort}/yellow_tripdata_2021-02.csv.gz`;
    const { result, cached } = await get(
      `http://127.0.0.1:${httpPort}`,
      { HTTP_PROXY: `127.0.0.1:${proxyPort}` },
      '2021-02',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(cached).equals(BODY)).toBe(true);
    expect(seen.map((s) => [s.method, s.url])).toEqual([['GET', url]]);
  });

  it('NO_PROXY goes direct', async () => {
    seen.length = 0;
    const { result } = await get(
      `https://127.0.0.1:${httpsPort}`,
      { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`, NO_PROXY: '127.0.0.1' },
      '2021-03',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(seen).toEqual([]);
  });

  it('a proxy that wants a login: exit 2 at once with one line naming it, not five retries', async () => {
    seen.length = 0;
    const { result, cached } = await get(
      `https://127.0.0.1:${httpsPort}`,
      { HTTPS_PROXY: `http://student:wrong@127.0.0.1:${loginProxyPort}` },
      '2021-05',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `The proxy http://127.0.0.1:${loginProxyPort} wants a login (HTTP 407) to reach 127.0.0.1:${httpsPort}.`,
    );
    expect(result.stderr).toMatch(/HTTPS_PROXY as http:\/\/user:password@host:port/);
    expect(result.stderr).not.toMatch(/trying again|wrong/);
    expect(seen.map((s) => s.method)).toEqual(['CONNECT']);
    expect(existsSync(cached)).toBe(false);
  });

  it('a certificate dec cannot trust (no NODE_EXTRA_CA_CERTS): exit 2 at once, saying how to trust it', async () => {
    const { result } = await get(`https://127.0.0.1:${httpsPort}`, {}, '2021-06', false);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Cannot set up a secure connection to 127\.0\.0\.1:\d+: .*certificate/);
    expect(result.stderr).toContain('NODE_EXTRA_CA_CERTS');
    expect(result.stderr).not.toContain('trying again');
    expect(result.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });

  it('a proxy setting dec cannot use: one clear error at once, not five retries', async () => {
    const started = Date.now();
    const { result } = await get(`https://127.0.0.1:${httpsPort}`, { HTTPS_PROXY: 'https://127.0.0.1:1' }, '2021-04');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/dec talks to proxies over http:\/\//);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
