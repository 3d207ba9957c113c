// Tries a login on a local Postgres and says how it went; shared by the doctor (is this the
// course's Postgres?) and setup (is it ready?). Never throws. Also reads a --db URL the same way for
// every command that takes one.
import { DecError } from '../errors.js';
import type { Readiness } from '../syllabus/schema.js';
import { withPgClient } from './client.js';

export type LoginResult = 'accepted' | 'rejected' | 'no-database' | 'unreachable' | 'not-postgres';

export interface Login {
  user: string;
  password: string;
  database: string;
}

export async function tryLogin(port: number, login: Login, timeoutMs: number): Promise<LoginResult> {
  try {
    await withPgClient({ host: '127.0.0.1', port, ...login }, timeoutMs, (client) => client.query('select 1'));
    return 'accepted';
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '28P01' || code === '28000') return 'rejected';
    if (code === '3D000') return 'no-database';
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return 'unreachable';
    return 'not-postgres';
  }
}

/** The login a service's readiness check uses, if that check is a Postgres query; else undefined. */
export function postgresReadiness(ready: Readiness | undefined): Login | undefined {
  return ready && 'postgres' in ready ? ready.postgres : undefined;
}

/** The env the stack sets wins over the readiness login, as Postgres itself initialises from it. */
export function postgresLogin(env: Record<string, string>, ready: Login): Login {
  return {
    user: env.POSTGRES_USER ?? ready.user,
    password: env.POSTGRES_PASSWORD ?? ready.password,
    database: env.POSTGRES_DB ?? ready.database,
  };
}

export interface DatabaseUrl {
  connectionString: string;
  /** The URL without its password, for messages. */
  shown: string;
}

const DB_URL_HINT = 'Use postgresql://user:password@host:port/database (percent-encode @ : / in the password).';

/** Where the user info of a URL-like text ends (its last @), and where its password would start. */
function userInfo(text: string): { from: number; at: number } | undefined {
  const scheme = text.indexOf('://');
  const from = scheme < 0 ? 0 : scheme + 3;
  const at = text.lastIndexOf('@');
  const colon = text.indexOf(':', from);
  return at > from && colon >= 0 && colon < at ? { from: colon + 1, at } : undefined;
}

/** The text with its password (between the user name's colon and the last @) replaced by ***. */
function withoutPassword(text: string): string {
  const info = userInfo(text);
  const masked = info ? `${text.slice(0, info.from)}***${text.slice(info.at)}` : text;
  // Also libpq's key=value form and a password= query parameter, quoted or not.
  return masked.replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*)/gi, '$1***');
}

/** The port as written in a URL-like text: after the host's colon, up to the path. */
function portText(text: string): string | undefined {
  const scheme = text.indexOf('://');
  const afterUser = Math.max(text.lastIndexOf('@') + 1, scheme < 0 ? 0 : scheme + 3);
  const host = text.slice(afterUser).split(/[/?#]/)[0]!;
  const colon = host.lastIndexOf(':');
  return colon < 0 || host.endsWith(']') ? undefined : host.slice(colon + 1);
}

/**
 * A --db URL, checked before anything connects. The URL is never echoed with its password, also
 * when it is malformed (a bad port, a stray character), as it lands in terminals and CI logs.
 */
/**
 * The postgresql:// URL a shorthand means: `localhost:5432`, `5432`, `localhost:5433/ny_taxi`,
 * `root@localhost:5432/ny_taxi`, libpq's `host=localhost port=5432`. What it leaves out is week 1's
 * (root, localhost, 5432, ny_taxi); a password in it is never repeated (`user@`: add `:password`).
 */
function urlForShorthand(text: string): string | undefined {
  const value = text.trim();
  if (value.includes('://')) return undefined; // another scheme (mysql://) is no shorthand
  if (/^[a-z]+=/i.test(value)) {
    const field = (key: string) => new RegExp(`(?:^|\\s)${key}\\s*=\\s*'?([^'\\s]+)`, 'i').exec(value)?.[1];
    return shorthandUrl(field('user'), field('host'), field('port'), field('dbname'));
  }
  const match =
    /^(?:([^:@/\s]+)(?::[^@\s]*)?@)?([A-Za-z0-9.\-_]+|\[[0-9a-f:]+\])?(?::(\d{1,5}))?(?:\/([^\s?]+))?$/i.exec(value);
  if (!match || (match[2] === undefined && match[3] === undefined)) return undefined;
  // A bare number is a port, not a host.
  const [host, port] =
    match[3] === undefined && /^\d+$/.test(match[2] ?? '') ? [undefined, match[2]] : [match[2], match[3]];
  return shorthandUrl(match[1], host, port, match[4]);
}

function shorthandUrl(user?: string, host?: string, port?: string, database?: string): string {
  return `postgresql://${user ?? 'root'}@${host ?? 'localhost'}:${port ?? '5432'}/${database ?? 'ny_taxi'}`;
}

export function parseDatabaseUrl(text: string, option = '--db'): DatabaseUrl {
  const shown = withoutPassword(text);
  const bad = (why: string) => new DecError(`${option} "${shown}" ${why}.`, { hint: DB_URL_HINT });
  if (!/^postgres(ql)?:\/\//i.test(text)) {
    const url = urlForShorthand(text);
    if (url) throw bad(`is not a postgresql:// URL; write it as ${url}`);
    throw bad('is not a postgresql:// URL');
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    const port = portText(text);
    if (port !== undefined && !/^\d{1,5}$/.test(port)) throw bad(`has a port "${port}" that is not a number`);
    if (port !== undefined && Number(port) > 65535) throw bad(`has a port ${port} above 65535`);
    throw bad('is not a valid URL');
  }
  if (url.password) url.password = '***';
  if (url.searchParams.has('password')) url.searchParams.set('password', '***');
  return { connectionString: text, shown: url.toString() };
}
