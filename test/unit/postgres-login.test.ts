// parseDatabaseUrl: every command's --db is checked the same way, and its password never shows.
import { describe, expect, it } from 'vitest';
import { DecError } from '../../src/errors.js';
import { parseDatabaseUrl } from '../../src/postgres/login.js';

function refusal(text: string): DecError {
  try {
    parseDatabaseUrl(text);
  } catch (error) {
    expect(error).toBeInstanceOf(DecError);
    return error as DecError;
  }
  throw new Error(`${text} was accepted`);
}

describe('parseDatabaseUrl', () => {
  it('keeps a valid URL to connect with and shows it without the password', () => {
    expect(parseDatabaseUrl('postgresql://root:s3cret@localhost:5433/ny_taxi')).toEqual({
      connectionString: 'postgresql://root:s3cret@localhost:5433/ny_taxi',
      shown: 'postgresql://root:***@localhost:5433/ny_taxi',
    });
    expect(parseDatabaseUrl('postgres://root@localhost/ny_taxi').shown).toBe('postgres://root@localhost/ny_taxi');
    expect(parseDatabaseUrl('postgres://u@h/d?password=s3cret&sslmode=require').shown).not.toContain('s3cret');
  });

  it.each([
    ['postgres://root:s3cret@host:notaport/db', /port "notaport" that is not a number/],
    ['postgres://root:s3cret@host:99999/db', /port 99999 above 65535/],
    ['postgres://root:s3c@ret@host:notaport/db', /port "notaport"/],
    ['postgres://root:s3cret@ho st/db', /is not a valid URL/],
    ['root:s3cret@localhost:5432/db', /is not a postgresql:\/\/ URL/],
    ['mysql://root:s3cret@localhost/db', /is not a postgresql:\/\/ URL/],
  ])('refuses %s clearly, without the password', (text, reason) => {
    const error = refusal(text);
    expect(error.message).toMatch(reason);
    expect(error.message).toContain('--db');
    expect(error.exitCode).toBe(2);
    expect(error.hint).toContain('postgresql://user:password@host:port/database');
    expect(`${error.message}\n${error.hint}`).not.toMatch(/s3c/);
  });
});

describe('parseDatabaseUrl: libpq key=value text', () => {
  it('is refused without echoing its password, quoted or not', () => {
    for (const text of ["host=db password='it s3cret' user=root", 'host=db password=s3cret user=root']) {
      expect(() => parseDatabaseUrl(text)).toThrow(/is not a postgresql:\/\/ URL/);
      try {
        parseDatabaseUrl(text);
      } catch (error) {
        expect((error as Error).message).not.toContain('s3cret');
      }
    }
  });
});

describe('parseDatabaseUrl: URLs that do not parse', () => {
  it('never repeats the password, also with an unencoded @ in it or a broken host', () => {
    for (const text of [
      'postgres://root:s3cret@[::1:5432/x',
      'postgresql://root:s3cret@h:99999/x',
      'postgresql://root:p@s3cret@ho st/db',
      'http://root:s3cret@h/x',
      'h:5432',
    ]) {
      let caught: unknown;
      try {
        parseDatabaseUrl(text);
      } catch (error) {
        caught = error;
      }
      expect(caught, text).toBeInstanceOf(DecError);
      expect(`${(caught as DecError).message} ${(caught as DecError).hint}`).not.toContain('s3cret');
    }
  });
});

describe('parseDatabaseUrl: shorthands get the URL they mean, in one line', () => {
  it.each([
    ['localhost:5432', 'postgresql://root@localhost:5432/ny_taxi'],
    ['5433', 'postgresql://root@localhost:5433/ny_taxi'],
    ['localhost', 'postgresql://root@localhost:5432/ny_taxi'],
    ['127.0.0.1:5433/trips', 'postgresql://root@127.0.0.1:5433/trips'],
    ['root:s3cret@localhost:5432/db', 'postgresql://root@localhost:5432/db'],
    ['host=localhost port=5433 dbname=x user=me password=s3cret', 'postgresql://me@localhost:5433/x'],
  ])('%s: write it as %s', (text, url) => {
    const error = refusal(text);
    expect(error.message).toContain(`is not a postgresql:// URL; write it as ${url}.`);
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toContain('s3cret');
  });

  it('says nothing of the kind for text that is no shorthand', () => {
    expect(refusal('ny taxi').message).not.toContain('write it as');
    expect(refusal('mysql://root@localhost/db').message).not.toContain('write it as');
  });
});
