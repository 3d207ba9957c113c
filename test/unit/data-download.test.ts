// download(): against a loopback HTTP server this test runs on 127.0.0.1 (never another address).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { download, type DownloadOptions } from '../../src/data/download.js';
import { DecError, ExitCode } from '../../src/errors.js';

type Handler = (req: IncomingMessage, res: ServerResponse, index: number) => void;

interface Seen {
  url: string;
  range: string | undefined;
}

let server: Server;
let base = '';
let handler: Handler = (_req, res) => res.writeHead(500).end();
let seen: Seen[] = [];
let dir = '';
/** Responses left hanging on purpose (stalls); ended after each test. */
let hanging: ServerResponse[] = [];

const BODY = randomBytes(256 * 1024);
const HALF = BODY.length / 2;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', range: req.headers.range });
    handler(req, res, seen.length - 1);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterEach(() => {
  for (const res of hanging) res.socket?.destroy();
  hanging = [];
  seen = [];
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function target(): { path: string; part: string } {
  dir = mkdtempSync(join(tmpdir(), 'dec-download-'));
  const path = join(dir, 'sub', 'file.csv.gz');
  return { path, part: `${path}.part` };
}

function options(extra: Partial<DownloadOptions> = {}): DownloadOptions {
  return { stallMs: 5_000, attempts: 3, backoffMs: 10, ...extra };
}

/** The whole body, or the range asked for as 206 with Content-Range. */
function serveWithRanges(req: IncomingMessage, res: ServerResponse): void {
  const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (match) {
    const start = Number(match[1]);
    res.writeHead(206, {
      'content-length': BODY.length - start,
      'content-range': `bytes ${start}-${BODY.length - 1}/${BODY.length}`,
    });
    res.end(BODY.subarray(start));
    return;
  }
  res.writeHead(200, { 'content-length': BODY.length });
  res.end(BODY);
}

/** Headers announcing the whole body, then half of it, then the connection is destroyed. */
function cutHalfway(res: ServerResponse): void {
  res.writeHead(200, { 'content-length': BODY.length });
  res.write(BODY.subarray(0, HALF), () => setTimeout(() => res.socket?.destroy(), 100));
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

describe('download', () => {
  it('downloads a file, then renames the .part file', async () => {
    handler = (req, res) => serveWithRanges(req, res);
    const { path, part } = target();
    const progress: number[] = [];
    const size = await download(`${base}/file.csv.gz`, path, options({ onProgress: (p) => progress.push(p.received) }));
    expect(size).toBe(BODY.length);
    expect(readFileSync(path).equals(BODY)).toBe(true);
    expect(existsSync(part)).toBe(false);
    expect(progress.at(-1)).toBe(BODY.length);
    expect(seen).toEqual([{ url: '/file.csv.gz', range: undefined }]);
  });

  it('resumes a cut-off transfer with a Range request', async () => {
    handler = (req, res, index) => (index === 0 ? cutHalfway(res) : serveWithRanges(req, res));
    const { path, part } = target();
    const notices: string[] = [];
    await download(`${base}/file.csv.gz`, path, options({ onNotice: (text) => notices.push(text) }));
    expect(seen).toHaveLength(2);
    expect(seen[0]!.range).toBeUndefined();
    expect(seen[1]!.range).toBe(`bytes=${HALF}-`);
    expect(readFileSync(path).equals(BODY)).toBe(true);
    expect(existsSync(part)).toBe(false);
    expect(notices).toHaveLength(1);
  });

  it('follows a redirect', async () => {
    handler = (req, res) => {
      if (req.url === '/old') res.writeHead(302, { location: '/new/file.csv.gz' }).end();
      else serveWithRanges(req, res);
    };
    const { path } = target();
    await download(`${base}/old`, path, options());
    expect(seen.map((s) => s.url)).toEqual(['/old', '/new/file.csv.gz']);
    expect(readFileSync(path).equals(BODY)).toBe(true);
  });

  it('reports a 404 with the URL and the mirror, without retrying', async () => {
    handler = (_req, res) => res.writeHead(404).end('not found');
    const { path, part } = target();
    const url = `${base}/yellow_tripdata_2099-01.csv.gz`;
    const error = await failure(download(url, path, options()));
    expect(error.message).toContain(url);
    expect(error.message).toContain('404');
    expect(`${error.message} ${error.hint ?? ''}`).toMatch(/mirror/);
    expect(error.exitCode).toBe(ExitCode.couldNotRun);
    expect(seen).toHaveLength(1);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(part)).toBe(false);
  });

  it('retries a truncated body (fewer bytes than Content-Length) with a Range request', async () => {
    const sent = 100_000;
    handler = (req, res, index) => {
      if (index > 0) return serveWithRanges(req, res);
      res.writeHead(200, { 'content-length': BODY.length });
      // The body ends cleanly (FIN) before Content-Length is reached.
      res.write(BODY.subarray(0, sent), () => res.socket?.end());
    };
    const { path } = target();
    await download(`${base}/file.csv.gz`, path, options());
    expect(seen).toHaveLength(2);
    // Resumed from what reached the .part file (bytes still buffered in the dropped response are asked again).
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(seen[1]!.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(sent);
    expect(readFileSync(path).equals(BODY)).toBe(true);
  });

  it('gives up on a stalled server within its bounds and keeps the .part file', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': BODY.length });
      res.flushHeaders();
      // ...and never a byte of the body.
      hanging.push(res);
    };
    const { path, part } = target();
    const started = Date.now();
    const error = await failure(download(`${base}/file.csv.gz`, path, options({ stallMs: 300, attempts: 2 })));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(seen).toHaveLength(2);
    expect(error.message).toContain(`${base}/file.csv.gz`);
    expect(error.message).toMatch(/stall|no answer/);
    expect(error.exitCode).toBe(ExitCode.couldNotRun);
    expect(existsSync(part)).toBe(true);
    expect(existsSync(path)).toBe(false);
  });

  it('with nothing downloaded (no server there): says so and points at the offline sample', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const notices: string[] = [];
    const { path } = target();
    const error = await failure(
      download(`http://127.0.0.1:${port}/file.csv.gz`, path, options({ onNotice: (text) => notices.push(text) })),
    );
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.hint).toMatch(/Nothing arrived.*dec data sample/);
    expect(notices[0]).toMatch(/trying again in/);
  });

  it('refuses a download the disk cannot hold, before writing a byte, without retrying', async () => {
    handler = (req, res) => serveWithRanges(req, res);
    const { path, part } = target();
    const error = await failure(download(`${base}/file.csv.gz`, path, options({ freeBytes: () => 50 * 1024 * 1024 })));
    expect(error.message).toMatch(/Not enough disk space: the download needs 1 MB, and .* has 53 MB free/);
    expect(error.hint).toMatch(/DEC_HOME/);
    expect(seen).toHaveLength(1);
    expect(existsSync(path)).toBe(false);
    expect(statSync(part, { throwIfNoEntry: false })?.size ?? 0).toBe(0);
    // With room (or when the free space is unknown) it downloads.
    await download(`${base}/file.csv.gz`, path, options({ freeBytes: () => undefined }));
    expect(readFileSync(path).equals(BODY)).toBe(true);
  });

  it('starts over when the server ignores the Range header', async () => {
    handler = (_req, res, index) => {
      if (index === 0) return cutHalfway(res);
      res.writeHead(200, { 'content-length': BODY.length });
      res.end(BODY);
    };
    const { path } = target();
    await download(`${base}/file.csv.gz`, path, options());
    expect(seen).toHaveLength(2);
    expect(seen[1]!.range).toBe(`bytes=${HALF}-`);
    expect(statSync(path).size).toBe(BODY.length);
    expect(readFileSync(path).equals(BODY)).toBe(true);
  });

  it('stops on an abort signal with exit code 130 and keeps the .part file', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': BODY.length });
      res.write(BODY.subarray(0, HALF));
      // ...then nothing more: the abort has to end it.
      hanging.push(res);
    };
    const { path, part } = target();
    const controller = new AbortController();
    const started = Date.now();
    const error = await failure(
      download(
        `${base}/file.csv.gz`,
        path,
        options({
          signal: controller.signal,
          onProgress: ({ received }) => {
            if (received >= HALF) controller.abort();
          },
        }),
      ),
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error.exitCode).toBe(ExitCode.interrupted);
    expect(error.message).toContain(part);
    expect(existsSync(part)).toBe(true);
    expect(existsSync(path)).toBe(false);
    expect(seen).toHaveLength(1);
  });
});
