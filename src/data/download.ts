// Downloads a file into `<path>.part` and renames it when complete: resumes an interrupted transfer
// with an HTTP Range request, follows redirects, retries with backoff, checks the size, and never
// waits forever (a stalled connection is dropped after `stallMs` without data). A resume only ever
// continues the same file: the ETag / Last-Modified and size seen first are kept beside the .part file
// (`<path>.part.json`) and sent as If-Range, every range the server returns is checked, and anything
// else starts over. One dec at a time writes a given .part file (a lock, `<path>.part.lock`).
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  statfsSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { get as httpGet, type ClientRequest, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { dirname } from 'node:path';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { DecError, ExitCode, errorCode, isDecError } from '../errors.js';
import { fileSystemError } from '../util/fs.js';
import { proxyFor, proxyHeaders, shownProxy, tunnel } from './proxy.js';

interface DownloadProgress {
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
  /** What to do about a 403/404/410 (default: the TLC files moved to the course mirror). */
  notFoundHint?: string;
  /** Said when a transfer is retried or resumed. */
  onNotice?(text: string): void;
  /** Where HTTP_PROXY, HTTPS_PROXY and NO_PROXY are read (default: this process's environment). */
  env?: NodeJS.ProcessEnv;
  /** Free bytes in a folder (default: statfs); undefined when unknown. */
  freeBytes?(dir: string): number | undefined;
  /** Opens the .part file to write (append: continue it); tests inject a failing disk. */
  openPart?(path: string, append: boolean): Writable;
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

/** What the first response said about the file a .part file holds, kept beside it to resume only that file. */
interface PartRecord {
  url: string;
  etag?: string;
  lastModified?: string;
  total?: number;
}

const recordOf = (part: string) => `${part}.json`;

function readRecord(part: string): PartRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(recordOf(part), 'utf8')) as PartRecord;
    return typeof record.url === 'string' ? record : undefined;
  } catch {
    return undefined;
  }
}

function writeRecord(part: string, record: PartRecord): void {
  try {
    writeFileSync(recordOf(part), `${JSON.stringify(record)}\n`);
  } catch (error) {
    throw fileSystemError(error, 'write', recordOf(part));
  }
}

/** Empties the .part file and forgets what it held. */
function discard(part: string): void {
  truncateSafe(part);
  rmSync(recordOf(part), { force: true });
}

function recordFrom(url: string, response: IncomingMessage, total: number | undefined): PartRecord {
  const header = (name: string) => {
    const value = response.headers[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  return { url, etag: header('etag'), lastModified: header('last-modified'), total };
}

/** The validator to send as If-Range: a strong ETag, else Last-Modified (weak ETags may not be used). */
function ifRange(record: PartRecord): string | undefined {
  if (record.etag && !record.etag.startsWith('W/')) return record.etag;
  return record.lastModified;
}

/** Whether the response is for another version of the file than the record's. */
function changedSince(record: PartRecord, seen: PartRecord): boolean {
  if (record.etag && seen.etag) return record.etag !== seen.etag;
  if (record.lastModified && seen.lastModified) return record.lastModified !== seen.lastModified;
  return record.total !== undefined && seen.total !== undefined && record.total !== seen.total;
}

/** A .part file that cannot be continued: it is emptied, and the retry loop says why and starts over. */
class StartOver extends Error {}

/** "bytes 100-199/1000" → its parts; the total is undefined for "*". */
function parseContentRange(header: string | undefined): { start: number; end: number; total?: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (!match) return undefined;
  return { start: Number(match[1]), end: Number(match[2]), total: match[3] === '*' ? undefined : Number(match[3]) };
}

/** One attempt: appends to the .part file from where it stopped; resolves when the body has ended. */
async function attempt(
  url: string,
  part: string,
  options: DownloadOptions,
): Promise<{ complete: boolean; total?: number }> {
  let have = sizeOf(part);
  const record = have > 0 ? readRecord(part) : undefined;
  if (have > 0 && record?.url !== url) {
    // Left by something else (an older dec, another URL): whose bytes these are is unknown.
    discard(part);
    options.onNotice?.(`${part} is not known to hold ${url}: starting over`);
    have = 0;
  }
  const validator = record && have > 0 ? ifRange(record) : undefined;
  const headers: Record<string, string> =
    have > 0 ? { range: `bytes=${have}-`, ...(validator ? { 'if-range': validator } : {}) } : {};
  const response = await open(url, headers, options);
  const status = response.statusCode ?? 0;
  if (status === 416) {
    // Asked for bytes past the end: complete only if the server says how long the file is, and that is
    // what the .part file holds, and it is the same file.
    response.resume();
    const total = Number(/^bytes \*\/(\d+)$/.exec(response.headers['content-range']?.trim() ?? '')?.[1] ?? NaN);
    const seen = recordFrom(url, response, Number.isFinite(total) ? total : undefined);
    if (have > 0 && total === have && record && !changedSince(record, seen)) return { complete: true, total };
    discard(part);
    throw new StartOver(
      Number.isFinite(total)
        ? `the server's file is ${total} bytes and ${part} held ${have}: starting over`
        : `the server refused to resume without saying the file's size: starting over`,
    );
  }
  if (status !== 200 && status !== 206) {
    response.resume();
    throw new HttpStatusError(status, url);
  }
  let offset = have;
  let total: number | undefined;
  /** A whole file coming: what to record for it once there is room. */
  let fresh: PartRecord | undefined;
  if (status === 206) {
    const range = parseContentRange(response.headers['content-range']);
    const seen = recordFrom(url, response, range?.total);
    const problem = !range
      ? `the server ${have > 0 ? 'resumed' : 'answered'} without a valid Content-Range`
      : range.start !== have
        ? `the server sent the file from byte ${range.start}, not from byte ${have}`
        : record && changedSince(record, seen)
          ? `the file changed on the server since the download began`
          : undefined;
    if (problem) {
      response.destroy();
      discard(part);
      throw new StartOver(`${problem}: starting over`);
    }
    total = range!.total ?? record?.total;
    // A 206 from the first byte without a Range asked (some servers do): a new file like a 200's.
    if (have === 0) fresh = seen;
  } else {
    offset = 0;
    total = response.headers['content-length'] ? Number(response.headers['content-length']) : undefined;
    if (total !== undefined && !Number.isFinite(total)) total = undefined;
    fresh = recordFrom(url, response, total);
    if (have > 0) {
      // If-Range answered with the whole file: it changed; or the server does not do ranges.
      options.onNotice?.(
        record && changedSince(record, fresh)
          ? 'the file changed on the server since the download began: starting over'
          : 'the server does not resume downloads: starting over',
      );
    }
  }
  if (total !== undefined && !Number.isFinite(total)) total = undefined;
  try {
    if (total !== undefined) checkRoom(part, total - offset, options);
    if (fresh) {
      discard(part);
      writeRecord(part, fresh);
    }
  } catch (error) {
    response.destroy();
    throw error;
  }
  await new Promise<void>((resolve, reject) => {
    const out = (options.openPart ?? openPart)(part, offset > 0);
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
    out.on('error', (error) => fail(fileSystemError(error, 'write', part) as Error));
    out.on('close', () => (failure ? reject(failure) : resolve()));
    response.pipe(out);
    response.setTimeout(options.stallMs, () =>
      fail(new Error(`the download stalled: nothing for ${options.stallMs / 1000} s`)),
    );
  });
  const size = sizeOf(part);
  return { complete: total === undefined ? true : size === total, total };
}

function openPart(path: string, append: boolean): Writable {
  return createWriteStream(path, { flags: append ? 'a' : 'w' });
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

/** How often a dec waiting for another's download of the same file looks again. */
const LOCK_POLL_MS = 500;

/**
 * Holds `<part>.lock` while this dec writes the .part file: two downloads of the same file at once
 * would append to one .part file. Waits (saying so once) while another dec holds it; Ctrl-C stops the
 * wait. A dec that died leaves a lock that goes stale within seconds.
 */
async function lockPart(part: string, options: DownloadOptions): Promise<() => Promise<void>> {
  const { default: lockfile } = await import('proper-lockfile');
  let told = false;
  for (;;) {
    try {
      return await lockfile.lock(part, {
        realpath: false,
        lockfilePath: `${part}.lock`,
        stale: 10_000,
        retries: 0,
        // `dec data clean` may remove the lock under a running download: not worth a crash.
        onCompromised: () => undefined,
      });
    } catch (error) {
      if (errorCode(error) !== 'ELOCKED') throw fileSystemError(error, 'lock', part);
    }
    if (options.signal?.aborted) {
      throw new DecError(`Interrupted while another dec was downloading ${part}.`, { exitCode: ExitCode.interrupted });
    }
    if (!told) options.onNotice?.('another dec is downloading this file: waiting for it to finish');
    told = true;
    await sleep(LOCK_POLL_MS, options.signal);
  }
}

/** Downloads `url` to `path`; returns the size. A 403/404 is not retried: it will not change. */
export async function download(url: string, path: string, options: DownloadOptions): Promise<number> {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw fileSystemError(error, 'create the folder for', path);
  }
  const part = `${path}.part`;
  const release = await lockPart(part, options);
  try {
    // Another dec may have finished it while this one waited.
    if (existsSync(path)) return sizeOf(path);
    return await downloadLocked(url, path, part, options);
  } finally {
    await release().catch(() => undefined);
  }
}

async function downloadLocked(url: string, path: string, part: string, options: DownloadOptions): Promise<number> {
  let lastError: unknown;
  for (let tries = 1; tries <= options.attempts; tries++) {
    if (options.signal?.aborted) break;
    try {
      const result = await attempt(url, part, options);
      if (result.complete) {
        renameSync(part, path);
        rmSync(recordOf(part), { force: true });
        return sizeOf(path);
      }
      lastError = new Error(`the transfer ended early (${sizeOf(part)} of ${result.total} bytes)`);
    } catch (error) {
      if (isDecError(error)) throw error; // something to fix (the proxy, the disk), not a flaky network
      if (error instanceof HttpStatusError && (error.status === 403 || error.status === 404 || error.status === 410)) {
        throw new DecError(
          `${url} answered ${error.status} (${error.status === 404 || error.status === 410 ? 'not found' : 'forbidden'}).`,
          {
            hint:
              options.notFoundHint ??
              'The TLC files moved to the course mirror: use --source mirror (the default), or check the month exists.',
          },
        );
      }
      lastError = error;
    }
    // Ctrl-C ends the transfer with an error too; it is not a flaky network to retry (or announce).
    if (options.signal?.aborted) break;
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
