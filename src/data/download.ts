// Downloads a file into `<path>.part` and renames it when complete: resumes an interrupted transfer
// with an HTTP Range request, retries with backoff, checks the size, and never waits forever (a
// connection silent for `stallMs` is dropped). A resume only ever continues the same file: the ETag /
// Last-Modified and size seen first are kept beside the .part file (`<path>.part.json`) and sent as
// If-Range, every range the server returns is checked, and anything else starts over. One dec at a
// time writes a given .part file (a lock, `<path>.part.lock`).
// The HTTP itself is undici's: proxies from HTTP_PROXY / HTTPS_PROXY / NO_PROXY, redirects, header and
// body timeouts, abort signals. What it does not know (resuming across runs from a file on disk,
// disk space, which failures are worth a retry and how to say them in one line) is dec's, here.
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
import { dirname } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { DecError, ExitCode, errorCode, isDecError } from '../errors.js';
import { fileSystemError } from '../util/fs.js';
import { proxyOf, proxySettings, shownProxy, type ProxySettings } from './proxy.js';
import { thousands } from '../util/count.js';

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
const MAX_REDIRECTS = 5;

/** The HTTP client of one download: undici, with the proxies from dec's environment and redirects followed. */
interface Client {
  request: typeof import('undici').request;
  dispatcher: Dispatcher;
  proxies: ProxySettings;
  close(): Promise<void>;
}

/**
 * undici is loaded here, on the first download, so that no other command pays for it. Two proxy agents,
 * one per scheme, because EnvHttpProxyAgent sends https through HTTP_PROXY when HTTPS_PROXY is unset,
 * and curl (whose reading the README promises) does not. http targets go to the proxy as absolute URLs
 * (proxyTunnel: false), as curl sends them; https ones through CONNECT.
 */
async function openClient(env: NodeJS.ProcessEnv): Promise<Client> {
  const proxies = proxySettings(env); // a setting dec cannot use fails here, before any connection
  const { EnvHttpProxyAgent, interceptors, request } = await import('undici');
  const { httpProxy, httpsProxy, noProxy } = proxies;
  const forHttp = new EnvHttpProxyAgent({ httpProxy, httpsProxy: httpProxy, noProxy, proxyTunnel: false });
  const forHttps = new EnvHttpProxyAgent({ httpProxy: httpsProxy, httpsProxy, noProxy });
  const byScheme: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) =>
    new URL(String(opts.origin)).protocol === 'https:' ? dispatch(opts, handler) : forHttp.dispatch(opts, handler);
  // The redirect interceptor goes last (outermost), so each hop is routed by its own scheme and NO_PROXY.
  const dispatcher = forHttps.compose(byScheme, interceptors.redirect({ maxRedirections: MAX_REDIRECTS }));
  return {
    request,
    dispatcher,
    proxies,
    close: async () => void (await Promise.all([forHttp.destroy(), forHttps.destroy()])),
  };
}

interface Response {
  status: number;
  header(name: string): string | undefined;
  body: Readable;
  /** Drops the body unread (undici then reports its destruction as an error nobody needs). */
  discard(): void;
}

/**
 * Sends the GET, following redirects. Until the headers are in, `stallMs` bounds everything before
 * them (DNS, connecting, the proxy's CONNECT, TLS); after that undici's bodyTimeout does.
 */
async function open(
  url: string,
  headers: Record<string, string>,
  options: DownloadOptions,
  client: Client,
): Promise<Response> {
  const silence = new AbortController();
  const timer = setTimeout(() => silence.abort(), options.stallMs);
  const signal = options.signal ? AbortSignal.any([options.signal, silence.signal]) : silence.signal;
  let response: Dispatcher.ResponseData;
  try {
    response = await client.request(url, {
      dispatcher: client.dispatcher,
      headers: { 'user-agent': USER_AGENT, ...headers },
      signal,
      headersTimeout: options.stallMs,
      bodyTimeout: options.stallMs,
    });
  } catch (error) {
    if (silence.signal.aborted && !options.signal?.aborted) throw noAnswer(url, options.stallMs);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const header = (name: string) => {
    const value = response.headers[name];
    return (Array.isArray(value) ? value[0] : value) || undefined;
  };
  if (response.statusCode >= 300 && response.statusCode < 400 && header('location')) {
    response.body.on('error', () => undefined).destroy();
    throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url}`);
  }
  const { body } = response;
  return { status: response.statusCode, header, body, discard: () => void body.on('error', () => undefined).destroy() };
}

const noAnswer = (url: string, stallMs: number) =>
  new Error(`no answer from ${new URL(url).host} within ${stallMs / 1000} s`);

/** Certificate and TLS handshake failures: retrying does not change them. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UND_ERR_PRX_TLS',
]);

/**
 * What a failed attempt means, in words: an Error to retry with its message, or a DecError when
 * retrying cannot help (the proxy wants a login, the certificate is not trusted).
 */
function explain(error: unknown, url: string, options: DownloadOptions, proxies: ProxySettings): Error {
  if (isDecError(error) || error instanceof StartOver) return error as Error;
  const host = new URL(url).host;
  const code = errorCode(error) ?? '';
  const message = error instanceof Error ? error.message : String(error);
  const viaProxy = proxyOf(url, proxies);
  // A CONNECT the proxy did not answer with 200 (https), or its 407 to an absolute-URL GET (http).
  const proxyStatus = Number(/Proxy response \((\d+)\)/.exec(message)?.[1] ?? NaN);
  const wantsLogin =
    proxyStatus === 407 ||
    /Proxy Authentication Required/.test(message) ||
    (error instanceof HttpStatusError && error.status === 407);
  if (wantsLogin && viaProxy) {
    return new DecError(`The proxy ${shownProxy(viaProxy.proxy)} wants a login (HTTP 407) to reach ${host}.`, {
      hint: `Put the login in ${viaProxy.variable} as http://user:password@host:port (dec never prints the password).`,
    });
  }
  if (Number.isFinite(proxyStatus) && viaProxy) {
    return new Error(`the proxy ${shownProxy(viaProxy.proxy)} refused to connect to ${host} (HTTP ${proxyStatus})`);
  }
  if (TLS_CODES.has(code) || code.startsWith('ERR_SSL_')) {
    return new DecError(`Cannot set up a secure connection to ${host}: ${message}.`, {
      hint: 'On a network that inspects HTTPS (a company proxy with its own certificate), point NODE_EXTRA_CA_CERTS at that certificate (a .pem file) and run the same command again.',
    });
  }
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return noAnswer(url, options.stallMs);
    case 'UND_ERR_BODY_TIMEOUT':
      return new Error(`the download stalled: nothing for ${options.stallMs / 1000} s`);
    case 'UND_ERR_SOCKET':
      return new Error('the connection was cut');
    case 'ENOTFOUND':
    case 'EAI_AGAIN': {
      const name = (error as { hostname?: string }).hostname ?? host;
      return new Error(`cannot look up ${name} (DNS: ${code})`);
    }
  }
  return error instanceof Error ? error : new Error(message);
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

function recordFrom(url: string, response: Response, total: number | undefined): PartRecord {
  return { url, etag: response.header('etag'), lastModified: response.header('last-modified'), total };
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
  client: Client,
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
  const response = await open(url, headers, options, client);
  const { status } = response;
  if (status === 416) {
    // Asked for bytes past the end: complete only if the server says how long the file is, and that is
    // what the .part file holds, and it is the same file.
    response.discard();
    const total = Number(/^bytes \*\/(\d+)$/.exec(response.header('content-range')?.trim() ?? '')?.[1] ?? NaN);
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
    response.discard();
    throw new HttpStatusError(status, url);
  }
  let offset = have;
  let total: number | undefined;
  /** A whole file coming: what to record for it once there is room. */
  let fresh: PartRecord | undefined;
  if (status === 206) {
    const range = parseContentRange(response.header('content-range'));
    const seen = recordFrom(url, response, range?.total);
    const problem = !range
      ? `the server ${have > 0 ? 'resumed' : 'answered'} without a valid Content-Range`
      : range.start !== have
        ? `the server sent the file from byte ${range.start}, not from byte ${have}`
        : record && changedSince(record, seen)
          ? `the file changed on the server since the download began`
          : undefined;
    if (problem) {
      response.discard();
      discard(part);
      throw new StartOver(`${problem}: starting over`);
    }
    total = range!.total ?? record?.total;
    // A 206 from the first byte without a Range asked (some servers do): a new file like a 200's.
    if (have === 0) fresh = seen;
  } else {
    offset = 0;
    const length = response.header('content-length');
    total = length ? Number(length) : undefined;
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
    response.discard();
    throw error;
  }
  await new Promise<void>((resolve, reject) => {
    const { body } = response;
    const out = (options.openPart ?? openPart)(part, offset > 0);
    let received = offset;
    body.on('data', (chunk: Buffer) => {
      received += chunk.length;
      options.onProgress?.({ received, total });
    });
    // A failed attempt closes the .part file (flushed) before the next one measures it: no leaked
    // descriptor, and no late write landing after the next attempt's Range was computed.
    let failure: Error | undefined;
    const fail = (error: Error) => {
      if (failure) return;
      failure = error;
      body.unpipe(out);
      body.destroy();
      if (!out.destroyed) out.end();
    };
    // A cut connection, a body shorter than its Content-Length, undici's bodyTimeout, Ctrl-C.
    body.on('error', fail);
    out.on('error', (error) => fail(fileSystemError(error, 'write', part) as Error));
    out.on('close', () => (failure ? reject(failure) : resolve()));
    body.pipe(out);
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
  const mb = (bytes: number) => `${thousands(Math.ceil(bytes / 1e6))} MB`;
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
    const client = await openClient(options.env ?? process.env);
    try {
      return await downloadLocked(url, path, part, options, client);
    } finally {
      await client.close().catch(() => undefined);
    }
  } finally {
    await release().catch(() => undefined);
  }
}

async function downloadLocked(
  url: string,
  path: string,
  part: string,
  options: DownloadOptions,
  client: Client,
): Promise<number> {
  let lastError: unknown;
  for (let tries = 1; tries <= options.attempts; tries++) {
    if (options.signal?.aborted) break;
    try {
      const result = await attempt(url, part, options, client);
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
      if (options.signal?.aborted) break;
      lastError = explain(error, url, options, client.proxies);
      if (isDecError(lastError)) throw lastError; // the proxy wants a login, the certificate is not trusted
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
  const proxy = proxyOf(url, client.proxies);
  const network = proxy
    ? `the network connection and the proxy in ${proxy.variable} (${shownProxy(proxy.proxy)})`
    : 'the network connection';
  throw new DecError(
    `Could not download ${url}: ${lastError instanceof Error ? lastError.message : String(lastError)}.`,
    {
      hint:
        kept > 0
          ? `What arrived (${kept} bytes) is kept in ${part}; run the same command again to resume.`
          : `Nothing arrived: check ${network} and run the same command again. Offline, \`dec data sample\` makes a synthetic sample to try the week-1 flow with.`,
    },
  );
}

/** What a HEAD request said of a file: its size, or the status when it is not there. */
export interface RemoteSize {
  bytes?: number;
  /** The HTTP status when it was not 200; undefined when the server did not answer in time. */
  status?: number;
}

/**
 * The sizes of `urls` (a HEAD request each, redirects and proxies as for downloads, a few at a time,
 * each within `timeoutMs`): for the estimate before a long download, never a reason to fail.
 */
export async function remoteSizes(
  urls: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs: number; signal?: AbortSignal; concurrency?: number },
): Promise<Map<string, RemoteSize>> {
  const sizes = new Map<string, RemoteSize>();
  if (urls.length === 0) return sizes;
  const client = await openClient(options.env ?? process.env);
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const url = urls[next++]!;
      sizes.set(url, await headSize(client, url, options));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 6, urls.length) }, worker));
  } finally {
    await client.close();
  }
  return sizes;
}

async function headSize(
  client: Client,
  url: string,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<RemoteSize> {
  const limit = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await client.request(url, {
      method: 'HEAD',
      dispatcher: client.dispatcher,
      headers: { 'user-agent': USER_AGENT },
      signal: options.signal ? AbortSignal.any([options.signal, limit]) : limit,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    await response.body.dump().catch(() => undefined);
    if (response.statusCode !== 200) return { status: response.statusCode };
    const length = Number(response.headers['content-length']);
    return Number.isFinite(length) && length > 0 ? { bytes: length } : {};
  } catch {
    return {};
  }
}
