// A Postgres URL given on the command line (--db), checked before anything connects or downloads.
import { DecError } from '../errors.js';

const EXAMPLE = 'postgresql://user:password@host:port/database, e.g. postgresql://root:root@localhost:5432/ny_taxi';

/** The URL with its password replaced by ***, even when the URL does not parse. */
export function withoutPassword(url: string): string {
  // Up to the last @ of the authority: an unencoded @ in a password must not leave its tail behind.
  return url.replace(/(\/\/[^/?#:@]*:)[^/?#]*@/, '$1***@');
}

/**
 * Throws a clear error (never repeating the password) when `url` is not a postgres:// or postgresql://
 * URL that parses: the driver would otherwise fail with "Invalid URL" (an unexpected error) or read a
 * word as a host name ("getaddrinfo ENOTFOUND base").
 */
export function checkDatabaseUrl(url: string, flag = '--db'): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed) {
    throw new DecError(`${flag} ${withoutPassword(url)} is not a valid URL.`, {
      hint: `Write it as ${EXAMPLE} (a password with @ : / # ? or % in it must be percent-encoded).`,
    });
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new DecError(`${flag} ${withoutPassword(url)} is not a Postgres URL (it starts with ${parsed.protocol}).`, {
      hint: `Write it as ${EXAMPLE}.`,
    });
  }
}
