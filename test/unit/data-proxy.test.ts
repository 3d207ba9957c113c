// Which proxy a download uses: HTTP_PROXY / HTTPS_PROXY / NO_PROXY as curl and wget read them.
import { describe, expect, it } from 'vitest';
import { bypassesProxy, proxyFor, proxyHeaders, shownProxy } from '../../src/data/proxy.js';
import { isDecError } from '../../src/errors.js';

const https = new URL('https://d37ci6vzurychx.cloudfront.net/trip-data/x.parquet');
const http = new URL('http://127.0.0.1:8080/x.csv.gz');

describe('proxyFor', () => {
  it('uses HTTPS_PROXY for https and HTTP_PROXY for http; lower case first, as curl does', () => {
    const env = { HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128', HTTP_PROXY: 'proxy:8080' };
    expect(proxyFor(https, env)?.host).toBe('lower:3128');
    expect(proxyFor(http, env)?.href).toBe('http://proxy:8080/');
    expect(proxyFor(https, {})).toBeUndefined();
    expect(proxyFor(https, { HTTPS_PROXY: '  ' })).toBeUndefined();
  });

  it('goes direct for what NO_PROXY lists', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://proxy:3128' };
    expect(proxyFor(https, { ...env, NO_PROXY: '.cloudfront.net' })).toBeUndefined();
    expect(proxyFor(http, { ...env, no_proxy: 'localhost, 127.0.0.1' })).toBeUndefined();
    expect(proxyFor(https, { ...env, NO_PROXY: 'github.com' })?.host).toBe('proxy:3128');
    // An empty no_proxy counts as unset, so NO_PROXY still applies.
    expect(proxyFor(https, { ...env, no_proxy: '', NO_PROXY: 'cloudfront.net' })).toBeUndefined();
  });

  it('refuses a setting it cannot use, naming it, and never shows a password', () => {
    for (const value of ['https://proxy:3128', 'http://[bad']) {
      let caught: unknown;
      try {
        proxyFor(https, { HTTPS_PROXY: value });
      } catch (error) {
        caught = error;
      }
      expect(isDecError(caught), value).toBe(true);
      expect((caught as Error).message).toContain('HTTPS_PROXY');
    }
    const withLogin = new URL('http://student:s3cret@proxy:3128');
    expect(shownProxy(withLogin)).toBe('http://proxy:3128');
    expect(proxyHeaders(withLogin)).toEqual({
      'proxy-authorization': `Basic ${Buffer.from('student:s3cret').toString('base64')}`,
    });
    expect(proxyHeaders(new URL('http://proxy:3128'))).toEqual({});
  });
});

describe('bypassesProxy', () => {
  it.each([
    ['*', true],
    ['cloudfront.net', true],
    ['.cloudfront.net', true],
    ['*.cloudfront.net', true],
    ['d37ci6vzurychx.cloudfront.net:443', true],
    ['d37ci6vzurychx.cloudfront.net:8443', false],
    ['front.net', false],
    ['github.com,cloudfront.net', true],
    ['', false],
  ])('NO_PROXY=%j → %s', (noProxy, expected) => expect(bypassesProxy(https, noProxy)).toBe(expected));
});
