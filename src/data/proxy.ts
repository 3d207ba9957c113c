// HTTP_PROXY, HTTPS_PROXY and NO_PROXY for downloads, read the way curl and wget read them: Node 20's
// http client ignores them, and students behind a university or company proxy set them for every
// other tool. Plain http:// proxies only (what such networks give); https targets go through CONNECT.
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { DecError } from '../errors.js';

/** The proxy URL without its password, for messages. */
export function shownProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/** Whether NO_PROXY (comma or space separated: "*", hosts, ".domain", "*.domain", "host:port") covers the target. */
export function bypassesProxy(target: URL, noProxy: string): boolean {
  const host = target.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/).filter(Boolean)) {
    if (raw === '*') return true;
    const entry = raw.toLowerCase().replace(/^\*?\./, '');
    const [name, entryPort] = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(entry)?.slice(1) ?? [entry];
    if (entryPort && entryPort !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** The proxy to use for `target`, or undefined for a direct connection. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): URL | undefined {
  const names = target.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
  const value = names.map((name) => env[name]?.trim()).find((v) => v);
  if (!value) return undefined;
  // Empty counts as unset, as in curl.
  if (bypassesProxy(target, env.no_proxy || env.NO_PROXY || '')) return undefined;
  let proxy: URL;
  try {
    proxy = new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    throw new DecError(`The proxy setting ${names[1]} is not a URL.`, {
      hint: 'Set it as http://host:port (or unset it for a direct connection).',
    });
  }
  if (proxy.protocol !== 'http:') {
    throw new DecError(`dec talks to proxies over http://, and ${names[1]} is ${shownProxy(proxy)}.`, {
      hint: 'Most proxies answer both: try http://host:port.',
    });
  }
  return proxy;
}

/** Proxy-Authorization for a proxy URL with user:password, else nothing. */
export function proxyHeaders(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}

/** A socket to `target` through the proxy's CONNECT, within `timeoutMs`. */
export function tunnel(proxy: URL, target: URL, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  const authority = `${target.hostname}:${target.port || 443}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: proxy.hostname,
      port: proxy.port || 80,
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...proxyHeaders(proxy) },
      timeout: timeoutMs,
      signal,
    });
    req.on('connect', (response, socket) => {
      if (response.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(
        new Error(`the proxy ${shownProxy(proxy)} refused to connect to ${authority} (HTTP ${response.statusCode})`),
      );
    });
    req.on('timeout', () =>
      req.destroy(new Error(`no answer from the proxy ${shownProxy(proxy)} within ${timeoutMs / 1000} s`)),
    );
    req.on('error', (error) =>
      reject(
        error.message.includes(proxy.host) ? error : new Error(`the proxy ${shownProxy(proxy)}: ${error.message}`),
      ),
    );
    req.end();
  });
}
