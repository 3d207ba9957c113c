// --db URLs: checked before use, and never repeated with their password.
import { describe, expect, it } from 'vitest';
import { DecError } from '../../src/errors.js';
import { checkDatabaseUrl, withoutPassword } from '../../src/util/db-url.js';

describe('withoutPassword', () => {
  it('hides the password, also of a URL that does not parse, and of one with an unencoded @', () => {
    expect(withoutPassword('postgresql://root:s3cret@localhost:5432/ny_taxi')).toBe(
      'postgresql://root:***@localhost:5432/ny_taxi',
    );
    expect(withoutPassword('postgres://root:s3cret@[::1:5432/x')).toBe('postgres://root:***@[::1:5432/x');
    expect(withoutPassword('postgresql://root:p@ss@host/db')).toBe('postgresql://root:***@host/db');
    expect(withoutPassword('postgresql://root@host/db?user=a:b@c')).toBe('postgresql://root@host/db?user=a:b@c');
    expect(withoutPassword('notaurl')).toBe('notaurl');
  });
});

describe('checkDatabaseUrl', () => {
  it('accepts postgres:// and postgresql:// URLs', () => {
    expect(() => checkDatabaseUrl('postgresql://root:root@localhost:5432/ny_taxi')).not.toThrow();
    expect(() => checkDatabaseUrl('postgres://root@127.0.0.1/ny_taxi')).not.toThrow();
  });

  it('refuses the rest with a DecError that does not show the password', () => {
    for (const url of [
      'postgres://root:s3cret@[::1:5432/x',
      'postgresql://root:s3cret@h:99999/x',
      'http://root:s3cret@h/x',
      'h:5432',
    ]) {
      let caught: unknown;
      try {
        checkDatabaseUrl(url);
      } catch (error) {
        caught = error;
      }
      expect(caught, url).toBeInstanceOf(DecError);
      expect(`${(caught as DecError).message} ${(caught as DecError).hint}`).not.toContain('s3cret');
    }
  });
});
