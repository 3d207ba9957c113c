// Downloads a file into `<path>.part` and renames it when complete: resumes an interrupted transfer
// with an HTTP Range request, follows redirects, retries with backoff, checks the size, and never
// waits forever (a stalled connection is dropped after `stallMs` without data).
import { createWriteStream, renameSync, statSync, statfsSync, truncateSync, mkdirSync } from 'node:fs';
import { get as httpGet, type ClientRequest, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { dirname } from 'node:path';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { DecError, ExitCode } from '../errors.js';
import { proxyFor, proxyHeaders, shownProxy, tunnel } from './proxy.js';

export interface DownloadProgress {
  received: number;
  total?: number;
}

export interface DownloadOptions {
  /** Longest silence on a connection before it is dropped and retried. */
  stallMs: number;
  attempts: number;
  /** First retry waits this long; each next one twice as long. */
  backoffMs: number;
  signal?: AbortSignal;
  onProgress?(progress: DownloadProgress): void;
  /** Said when a transfer is retried or resumed. */
  onNotice?(text: string): void;
  /** Where HTTP_PROXY, HTTPS_PROXY and NO_PROXY are read (default: this process's environment). */
  env?: NodeJS.ProcessEnv;
  /** Free bytes in a folder (default: statfs); undefined when unknown. */
  freeBytes?(dir: string): number | undefined;
}

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
  ) {
    super(`HTTP ${status} for ${url}`);
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

const USER_AGENT = 'dec (Data Engineering Zoomcamp companion)';

type GetOptions = { headers: Record<string, string>; timeout: number; signal?: AbortSignal };

/**
 * Sends the GET: directly; through a proxy as an absolute URL (http targets); or over a CONNECT
 * tunnel (https targets), which is this request's alone and closed with its response.
 */
function send(
  url: string,
  options: GetOptions,
  proxy: URL | undefined,
  tunnelled: Socket | undefined,
  onResponse: (response: IncomingMessage) => void,
): ClientRequest {
  const target = new URL(url);
  if (!proxy) return (target.protocol === 'https:' ? httpsGet : httpGet)(url, options, onResponse);
  if (!tunnelled) {
    const headers = { ...options.headers, host: target.host, ...proxyHeaders(proxy) };
    return httpGet({ ...options, host: proxy.hostname, port: proxy.port || 80, path: url, headers }, onResponse);
  }
  const createConnection = () => tlsConnect({ socket: tunnelled, servername: target.hostname });
  const headers = { ...options.headers, connection: 'close' };
  return httpsGet(url, { ...options, headers, agent: false, createConnection }, (response) => {
    response.once('close', () => tunnelled.destroy()); // or it would keep dec from exiting
    onResponse(response);
  });
}

async function request(
  url: string,
  headers: Record<string, string>,
  stallMs: number,
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  const target = new URL(url);
  const proxy = proxyFor(target, env);
  const tunnelled = proxy && target.protocol === 'https:' ? await tunnel(proxy, target, stallMs, signal) : undefined;
  return new Promise((resolve, reject) => {
    let answered = false;
    const options = { headers: { 'user-agent': USER_AGENT, ...headers }, timeout: stallMs, signal };
    const req = send(url, options, proxy, tunnelled, (response) => {
      answered = true;
      resolve(response);
    });
    // Until the headers are in; after that the response's own stall timer says what happened.
    req.on('timeout', () => {
      if (answered) return;
      const who = proxy ? `the proxy ${shownProxy(proxy)}` : target.host;
      req.destroy(new Error(`no answer from ${who} within ${stallMs / 1000} s`));
    });
    req.on('error', reject);
  });
}

/** Follows up to 5 redirects; returns the final response. */
async function open(url: string, headers: Record<string, string>, options: DownloadOptions): Promise<IncomingMessage> {
  let current = url;
  for (let hop = 0; hop < 6; hop++) {
    const response = await request(current, headers, options.stallMs, options.env ?? process.env, options.signal);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      current = new URL(response.headers.location, current).toString();
      continue;
    }
    return response;
  }
  throw new Error(`too many redirects from ${url}`);
}

/** One attempt: appends to the .part file from where it stopped; resolves when the body has ended. */
async function attempt(
  url: string,
  part: string,
  options: DownloadOptions,
): Promise<{ complete: boolean; total?: number }> {
  const have = sizeOf(part);
  const response = await open(url, have > 0 ? { range: `bytes=${have}-` } : {}, options);
  const status = response.statusCode ?? 0;
  if (status === 416) {
    // Asked for bytes past the end: the .part file already holds everything.
    response.resume();
    const total = Number(/\/(\d+)$/.exec(response.headers['content-range'] ?? '')?.[1] ?? NaN);
    return { complete: Number.isFinite(total) ? have === total : true, total: Number.isFinite(total) ? total : have };
  }
  if (status !== 200 && status !== 206) {
    response.resume();
    throw new HttpStatusError(status, url);
  }
  let offset = have;
  let total: number | undefined;
  if (status === 206) {
    total = Number(/\/(\d+)$/.exec(response.headers['content-range'] ?? '')?.[1] ?? NaN);
  } else {
    // The server ignored the range: start over.
    offset = 0;
    total = response.headers['content-length'] ? Number(response.headers['content-length']) : undefined;
    truncateSafe(part);
  }
  if (total !== undefined && !Number.isFinite(total)) total = undefined;
  if (total !== undefined) {
    try {
      checkRoom(part, total - offset, options);
    } catch (error) {
      response.destroy();
      throw error;
    }
  }
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' });
    let received = offset;
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
      options.onProgress?.({ received, total });
    });
    // A failed attempt closes the .part file (flushed) before the next one measures it: no leaked
    // descriptor, and no late write landing after the next attempt's Range was computed.
    let failure: Error | undefined;
    const fail = (error: Error) => {
      if (failure) return;
      failure = error;
      response.unpipe(out);
      response.destroy();
      if (!out.destroyed) out.end();
    };
    response.on('aborted', () => fail(new Error('the connection was cut')));
    response.on('error', fail);
    out.on('error', fail);
    out.on('close', () => (failure ? reject(failure) : resolve()));
    response.pipe(out);
    response.setTimeout(options.stallMs, () =>
      fail(new Error(`the download stalled: nothing for ${options.stallMs / 1000} s`)),
    );
  });
  const size = sizeOf(part);
  return { complete: total === undefined ? true : size === total, total };
}

/** Room to leave on the disk besides the file, so the download does not fill it to the last byte. */
const SPARE_BYTES = 100 * 1024 * 1024;

function freeBytesOf(dir: string): number | undefined {
  try {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined; // unknown: let the download try
  }
}

/** Fails before downloading what the disk cannot hold, instead of dying halfway with ENOSPC. */
function checkRoom(part: string, needed: number, options: DownloadOptions): void {
  const free = (options.freeBytes ?? freeBytesOf)(dirname(part));
  if (free === undefined || needed + SPARE_BYTES <= free) return;
  const mb = (bytes: number) => `${Math.ceil(bytes / 1e6).toLocaleString('en')} MB`;
  throw new DecError(
    `Not enough disk space: the download needs ${mb(needed)}, and ${dirname(part)} has ${mb(free)} free.`,
    {
      hint: "Free some space (dec data clean deletes earlier downloads), or keep dec's data elsewhere with DEC_HOME=<folder>.",
    },
  );
}

function truncateSafe(path: string): void {
  try {
    truncateSync(path, 0);
  } catch {
    // nothing to truncate
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Downloads `url` to `path`; returns the size. A 403/404 is not retried: it will not change. */
export async function download(url: string, path: string, options: DownloadOptions): Promise<number> {
  mkdirSync(dirname(path), { recursive: true });
  const part = `${path}.part`;
  let lastError: unknown;
  for (let tries = 1; tries <= options.attempts; tries++) {
    if (options.signal?.aborted) break;
    try {
      const result = await attempt(url, part, options);
      if (result.complete) {
        renameSync(part, path);
        return sizeOf(path);
      }
      lastError = new Error(`the transfer ended early (${sizeOf(part)} of ${result.total} bytes)`);
    } catch (error) {
      if (error instanceof DecError) throw error; // something to fix (the proxy, the disk), not a flaky network
      if (error instanceof HttpStatusError && (error.status === 403 || error.status === 404 || error.status === 410)) {
        throw new DecError(
          `${url} answered ${error.status} (${error.status === 404 || error.status === 410 ? 'not found' : 'forbidden'}).`,
          {
            hint: 'The TLC files moved to the course mirror: use --source mirror (the default), or check the month exists.',
          },
        );
      }
      lastError = error;
    }
    if (tries < options.attempts) {
      const wait = options.backoffMs * 2 ** (tries - 1);
      options.onNotice?.(
        `${lastError instanceof Error ? lastError.message : String(lastError)}; ${sizeOf(part) > 0 ? 'resuming' : 'trying again'} in ${(wait / 1000).toFixed(1)} s (try ${tries + 1} of ${options.attempts})`,
      );
      await sleep(wait, options.signal);
    }
  }
  if (options.signal?.aborted) {
    throw new DecError(`Interrupted; ${sizeOf(part)} bytes are kept in ${part} and the next run resumes from there.`, {
      exitCode: ExitCode.interrupted,
    });
  }
  const kept = sizeOf(part);
  throw new DecError(
    `Could not download ${url}: ${lastError instanceof Error ? lastError.message : String(lastError)}.`,
    {
      hint:
        kept > 0
          ? `What arrived (${kept} bytes) is kept in ${part}; run the same command again to resume.`
          : 'Nothing arrived: check the network connection and run the same command again. Offline, `dec data sample` makes a synthetic sample to try the week-1 flow with.',
    },
  );
}
