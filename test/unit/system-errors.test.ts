// Node system errors reaching main.ts: what is wrong, where, what to do; exit 2, not "unexpected".
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineError } from '../../src/errors.js';
import { reportError } from '../../src/main.js';
import { describeSystemError } from '../../src/system-errors.js';

function systemError(code: string, syscall: string, path?: string): NodeJS.ErrnoException {
  const error = new Error(`${code}: ${syscall} '${path}'`) as NodeJS.ErrnoException;
  Object.assign(error, { code, syscall, errno: -1, ...(path ? { path } : {}) });
  return error;
}

describe('describeSystemError', () => {
  it('names the path, the meaning and a fix', () => {
    expect(describeSystemError(systemError('EACCES', 'open', '/home/s/.dec/cache/x.csv.gz'))).toEqual({
      message: 'Cannot open /home/s/.dec/cache/x.csv.gz: permission denied (EACCES).',
      hint: 'Check who owns /home/s/.dec/cache/x.csv.gz and its permissions (ls -ld /home/s/.dec/cache/x.csv.gz); dec runs as you, not root.',
    });
    expect(describeSystemError(systemError('ENOSPC', 'write', '/data/f'))?.message).toBe(
      'Cannot write /data/f: the disk is full (ENOSPC).',
    );
    expect(describeSystemError(systemError('EROFS', 'mkdir', '/ro/dir'))?.hint).toContain('writable folder');
  });

  it('an unknown code still says what failed', () => {
    expect(describeSystemError(systemError('EWEIRD', 'rename', '/a'))?.message).toBe(
      'Cannot rename /a: the system refused (EWEIRD).',
    );
  });

  it('is not fooled by errors that only look like them', () => {
    expect(describeSystemError(new Error('plain'))).toBeUndefined();
    expect(describeSystemError(Object.assign(new Error('x'), { code: 'ERR_SOMETHING' }))).toBeUndefined();
    expect(describeSystemError({ code: 'EACCES' })).toBeUndefined();
  });
});

describe('reportError', () => {
  afterEach(() => vi.restoreAllMocks());

  function report(error: unknown): { code: number; text: string } {
    let text = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      text += String(chunk);
      return true;
    });
    const code = reportError(error, ['node', 'dec', '--no-color']);
    return { code, text };
  }

  it('a system error: exit 2, the path and its meaning, no "please report"', () => {
    const { code, text } = report(systemError('EACCES', 'open', '/x/y'));
    expect(code).toBe(2);
    expect(text).toContain('Cannot open /x/y: permission denied (EACCES).');
    expect(text).not.toContain('unexpected');
    expect(text).not.toContain('report');
  });

  it('an engine refusal dec did not foresee: exit 2, the engine\'s words, not "unexpected"', () => {
    const engine = new EngineError(500, 'something new');
    const { code, text } = report(engine);
    expect(code).toBe(2);
    expect(text).toContain('The Docker engine refused: something new (HTTP 500).');
    expect(text).not.toContain('unexpected');
  });

  it('an error that only looks like an engine refusal (by name) is not one', () => {
    const impostor = Object.assign(new Error('something new'), { name: 'EngineError', statusCode: 500 });
    expect(report(impostor).text).toContain('dec hit an unexpected error');
  });

  it('a real bug still asks to be reported', () => {
    const { code, text } = report(new TypeError('x is undefined'));
    expect(code).toBe(2);
    expect(text).toContain('dec hit an unexpected error');
    expect(text).toContain('please report it');
  });
});
