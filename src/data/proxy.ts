// HTTP_PROXY, HTTPS_PROXY and NO_PROXY for downloads, read the way curl and wget read them: Node 20's
// http client ignores them, and students behind a university or company proxy set them for every
// other tool. undici's EnvHttpProxyAgent does the routing (NO_PROXY matching, CONNECT tunnels for
// https, absolute URLs for http, the login from user:password@); this module only picks the values
// out of dec's environment (never process.env behind its back) and refuses one dec cannot use with a
// line naming the variable, before any connection.
import { DecError } from '../errors.js';

/** What EnvHttpProxyAgent takes: full proxy URLs, or '' for a direct connection. */
export interface ProxySettings {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

/** The proxy URL without its password, for messages. */
export function shownProxy(proxy: string): string {
  const url = new URL(proxy);
  return `${url.protocol}//${url.host}`;
}

/** The first of `names` set to something other than blanks: an empty variable counts as unset, as in curl. */
function firstSet(env: NodeJS.ProcessEnv, names: string[]): string {
  return names.map((name) => env[name]?.trim()).find((value) => value) ?? '';
}

/** One proxy variable as a full http:// URL ('' when unset); `name` is what messages call it. */
function proxyUrl(value: string, name: string): string {
  if (!value) return '';
  let proxy: URL;
  try {
    proxy = new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    throw new DecError(`The proxy setting ${name} is not a URL.`, {
      hint: 'Set it as http://host:port (or unset it for a direct connection).',
    });
  }
  if (proxy.protocol !== 'http:') {
    throw new DecError(`dec talks to proxies over http://, and ${name} is ${shownProxy(proxy.href)}.`, {
      hint: 'Most proxies answer both: try http://host:port.',
    });
  }
  return proxy.href;
}

/** The proxies a download uses, from `env`: lower-case names first, as curl reads them. */
export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  return {
    httpProxy: proxyUrl(firstSet(env, ['http_proxy', 'HTTP_PROXY']), 'HTTP_PROXY'),
    httpsProxy: proxyUrl(firstSet(env, ['https_proxy', 'HTTPS_PROXY']), 'HTTPS_PROXY'),
    noProxy: firstSet(env, ['no_proxy', 'NO_PROXY']),
  };
}

/** The proxy set for `url`'s scheme, and the variable that set it; NO_PROXY may still send it direct. */
export function proxyOf(url: string, settings: ProxySettings): { proxy: string; variable: string } | undefined {
  const https = new URL(url).protocol === 'https:';
  const proxy = https ? settings.httpsProxy : settings.httpProxy;
  return proxy ? { proxy, variable: https ? 'HTTPS_PROXY' : 'HTTP_PROXY' } : undefined;
}
