// download(): against a loopback HTTP server this test runs on 127.0.0.1 (never another address).
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { download, type DownloadOptions } from '../../src/data/download.js';
import { DecError, ExitCode } from '../../src/errors.js';
import { sendSlowly } from '../helpers/http.js';

type Handler = (req: IncomingMessage, res: ServerResponse, index: number) => void;

interface Seen {
  url: string;
  range: string | undefined;
  ifRange?: string;
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
    const ifRange = req.headers['if-range'] as string | undefined;
    seen.push({ url: req.url ?? '', range: req.headers.range, ...(ifRange ? { ifRange } : {}) });
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
  cutsAtHalf = [];
  clientHasHalf = false;
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
  const onProgress = ({ received }: { received: number }) => {
    if (received < HALF || clientHasHalf) return;
    clientHasHalf = true;
    for (const cut of cutsAtHalf.splice(0)) cut();
  };
  return { stallMs: 5_000, attempts: 3, backoffMs: 10, onProgress, ...extra };
}

/** The whole body, or the range asked for as 206 with Content-Range (extra headers on both, e.g. an ETag). */
function serveWithRanges(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer = BODY,
  extra: Record<string, string> = {},
): void {
  const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (match) {
    const start = Number(match[1]);
    res.writeHead(206, {
      ...extra,
      'content-length': body.length - start,
      'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
    });
    res.end(body.subarray(start));
    return;
  }
  res.writeHead(200, { ...extra, 'content-length': body.length });
  res.end(body);
}

/** Cuts waiting for the client to have taken in half the body (see options()). */
let cutsAtHalf: Array<() => void> = [];
let clientHasHalf = false;

/**
 * Headers announcing the whole body, then half of it, then the connection is destroyed: once the
 * client has taken in that half, so that the .part file holds exactly HALF bytes (bytes a client still
 * buffers when a connection dies are lost, and asked for again: right, but not what these tests count).
 */
function cutHalfway(res: ServerResponse, body: Buffer = BODY, extra: Record<string, string> = {}): void {
  res.writeHead(200, { ...extra, 'content-length': body.length });
  res.write(body.subarray(0, HALF), () => {
    const cut = () => res.socket?.destroy();
    if (clientHasHalf) cut();
    else cutsAtHalf.push(cut);
  });
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
    // Nothing is left beside the file: neither the .part file's record nor its lock.
    expect(readdirSync(dirname(path))).toEqual(['file.csv.gz']);
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
    // A download that did not give up would end in the test's own time limit instead.
    const error = await failure(download(`${base}/file.csv.gz`, path, options({ stallMs: 300, attempts: 2 })));
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

  it('a disk that fills up while writing: one clear error naming the file, no retries, no final file', async () => {
    handler = (req, res) => serveWithRanges(req, res);
    const { path, part } = target();
    let written = 0;
    const fullDisk = () =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          written += chunk.length;
          if (written < HALF) return done();
          done(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 }));
        },
      });
    const error = await failure(download(`${base}/file.csv.gz`, path, options({ openPart: fullDisk })));
    expect(error.message).toBe(`Cannot write ${part}: the disk is full.`);
    expect(error.hint).toMatch(/dec data clean/);
    expect(error.exitCode).toBe(ExitCode.couldNotRun);
    expect(seen).toHaveLength(1);
    expect(existsSync(path)).toBe(false);
  });

  it('a cache folder it cannot create: names it and says why', async () => {
    const { path } = target();
    mkdirSync(dirname(dirname(path)), { recursive: true });
    writeFileSync(dirname(path), 'a file where the folder should be');
    const error = await failure(download(`${base}/file.csv.gz`, path, options()));
    expect(error.message).toMatch(/^Cannot create the folder for .*file\.csv\.gz: /);
    expect(seen).toHaveLength(0);
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
    const notices: string[] = [];
    const error = await failure(
      download(
        `${base}/file.csv.gz`,
        path,
        options({
          signal: controller.signal,
          onProgress: ({ received }) => {
            if (received >= HALF) controller.abort();
          },
          onNotice: (text) => notices.push(text),
        }),
      ),
    );
    expect(error.exitCode).toBe(ExitCode.interrupted);
    // Ctrl-C is not a cut connection: no "resuming in 1.0 s (try 2 of 5)" before "Interrupted".
    expect(notices).toEqual([]);
    expect(error.message).toContain(part);
    expect(existsSync(part)).toBe(true);
    expect(existsSync(path)).toBe(false);
    expect(seen).toHaveLength(1);
  });
});

describe('download: resuming only ever continues the same file', () => {
  const CHANGED = randomBytes(BODY.length + 1000);

  it('a 206 that does not start where the .part file ends: starts over instead of appending', async () => {
    handler = (req, res, index) => {
      if (index === 0) return cutHalfway(res);
      if (index === 1) {
        // Asked for bytes=HALF-, sends the file from its first byte.
        res.writeHead(206, {
          'content-length': BODY.length,
          'content-range': `bytes 0-${BODY.length - 1}/${BODY.length}`,
        });
        return res.end(BODY);
      }
      serveWithRanges(req, res);
    };
    const { path } = target();
    const notices: string[] = [];
    await download(`${base}/file.csv.gz`, path, options({ onNotice: (text) => notices.push(text) }));
    expect(seen.map((s) => s.range)).toEqual([undefined, `bytes=${HALF}-`, undefined]);
    expect(readFileSync(path).equals(BODY)).toBe(true);
    expect(notices.join('\n')).toMatch(/sent the file from byte 0, not from byte 131072: starting over/);
  });

  it('a 206 with the whole file to a request without Range (some servers do): taken as the file', async () => {
    handler = (_req, res) =>
      res
        .writeHead(206, { 'content-length': BODY.length, 'content-range': `bytes 0-${BODY.length - 1}/${BODY.length}` })
        .end(BODY);
    const { path } = target();
    await download(`${base}/file.csv.gz`, path, options());
    expect(seen).toHaveLength(1);
    expect(readFileSync(path).equals(BODY)).toBe(true);
  });

  it('a 206 without a Content-Range: starts over', async () => {
    handler = (req, res, index) => {
      if (index === 0) return cutHalfway(res);
      if (index === 1) return res.writeHead(206, { 'content-length': HALF }).end(BODY.subarray(HALF));
      serveWithRanges(req, res);
    };
    const { path } = target();
    await download(`${base}/file.csv.gz`, path, options());
    expect(seen).toHaveLength(3);
    expect(seen[2]!.range).toBeUndefined();
    expect(readFileSync(path).equals(BODY)).toBe(true);
  });

  it('a 416 without Content-Range is not taken as complete: half a file never gets the final name', async () => {
    handler = (req, res, index) => {
      if (index === 0) return cutHalfway(res);
      if (index === 1) return res.writeHead(416).end();
      serveWithRanges(req, res);
    };
    const { path } = target();
    const notices: string[] = [];
    await download(`${base}/file.csv.gz`, path, options({ onNotice: (text) => notices.push(text) }));
    expect(seen.map((s) => s.range)).toEqual([undefined, `bytes=${HALF}-`, undefined]);
    expect(readFileSync(path).equals(BODY)).toBe(true);
    expect(notices.join('\n')).toMatch(/refused to resume without saying the file's size: starting over/);
  });

  it('a 416 whose size is not what the .part file holds: starts over', async () => {
    handler = (req, res, index) => {
      if (index === 0) return cutHalfway(res);
      if (index === 1) return res.writeHead(416, { 'content-range': `bytes */${BODY.length}` }).end();
      serveWithRanges(req, res);
    };
    const { path } = target();
    await download(`${base}/file.csv.gz`, path, options());
    expect(seen).toHaveLength(3);
    expect(readFileSync(path).equals(BODY)).toBe(true);
  });

  it('sends If-Range with the ETag seen first; a file changed on the server starts over, saying so', async () => {
    handler = (req, res, index) => {
      if (index === 0) return cutHalfway(res, BODY, { etag: '"v1"' });
      // The file changed: If-Range "v1" no longer matches, so the whole new file comes with a 200.
      if (req.headers['if-range'] === '"v2"') return serveWithRanges(req, res, CHANGED, { etag: '"v2"' });
      res.writeHead(200, { etag: '"v2"', 'content-length': CHANGED.length });
      res.end(CHANGED);
    };
    const { path } = target();
    const notices: string[] = [];
    await download(`${base}/file.csv.gz`, path, options({ onNotice: (text) => notices.push(text) }));
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatchObject({ range: `bytes=${HALF}-`, ifRange: '"v1"' });
    expect(readFileSync(path).equals(CHANGED)).toBe(true);
    expect(notices.join('\n')).toMatch(/the file changed on the server since the download began: starting over/);
  });

  it('uses Last-Modified when there is no strong ETag; a server that ignores If-Range but sends another version starts over', async () => {
    const before = 'Mon, 01 Nov 2026 10:00:00 GMT';
    const after = 'Tue, 02 Nov 2026 10:00:00 GMT';
    handler = (req, res, index) => {
      if (index === 0) return cutHalfway(res, BODY, { etag: 'W/"weak"', 'last-modified': before });
      // Ignores If-Range and sends a range of the new file.
      serveWithRanges(req, res, CHANGED, { 'last-modified': after });
    };
    const { path } = target();
    const notices: string[] = [];
    await download(`${base}/file.csv.gz`, path, options({ onNotice: (text) => notices.push(text) }));
    expect(seen[1]).toMatchObject({ range: `bytes=${HALF}-`, ifRange: before });
    expect(seen[2]!.range).toBeUndefined();
    expect(readFileSync(path).equals(CHANGED)).toBe(true);
    expect(notices.join('\n')).toMatch(/changed on the server/);
  });

  it('a .part file dec has no record of (another program, an older dec): starts over instead of resuming', async () => {
    handler = (req, res) => serveWithRanges(req, res);
    const { path, part } = target();
    mkdirSync(dirname(part), { recursive: true });
    writeFileSync(part, 'not the first bytes of this file');
    await download(`${base}/file.csv.gz`, path, options());
    expect(seen).toEqual([{ url: '/file.csv.gz', range: undefined }]);
    expect(readFileSync(path).equals(BODY)).toBe(true);
  });

  it('two downloads of the same file at once: one downloads, the other waits for it; the file is whole', async () => {
    handler = (_req, res) => {
      // Slowly, so that the two overlap: 8 pieces, 50 ms apart.
      res.writeHead(200, { 'content-length': BODY.length });
      sendSlowly(res, BODY, 8, 50);
    };
    const { path } = target();
    const notices: string[][] = [[], []];
    const sizes = await Promise.all(
      [0, 1].map((i) => download(`${base}/file.csv.gz`, path, options({ onNotice: (text) => notices[i]!.push(text) }))),
    );
    expect(sizes).toEqual([BODY.length, BODY.length]);
    expect(seen).toHaveLength(1);
    expect(readFileSync(path).equals(BODY)).toBe(true);
    expect(notices.flat()).toEqual(['another dec is downloading this file: waiting for it to finish']);
    expect(readdirSync(dirname(path))).toEqual(['file.csv.gz']);
  });
});
