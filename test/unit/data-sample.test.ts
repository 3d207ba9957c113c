// writeSyntheticYellow: complete files only ever appear under their final name.
import { execFileSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { writeSyntheticYellow } from '../../src/data/synthetic.js';
import { DecError, ExitCode } from '../../src/errors.js';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function folder(): string {
  dir = mkdtempSync(join(tmpdir(), 'dec-sample-'));
  return dir;
}

/** A file that takes `limit` bytes, then fails as a full disk does. */
function fullDiskAfter(limit: number): Writable {
  let written = 0;
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.length;
      if (written <= limit) return done();
      done(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 }));
    },
  });
}

async function failure(promise: Promise<unknown>): Promise<DecError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DecError);
  return error as DecError;
}

describe('writeSyntheticYellow', () => {
  it('writes the whole file under its name, and nothing else', async () => {
    const path = join(folder(), 'sample.csv.gz');
    await writeSyntheticYellow(path, 500);
    expect(readdirSync(dir)).toEqual(['sample.csv.gz']);
    expect(gunzipSync(readFileSync(path)).toString().trim().split('\n')).toHaveLength(501);
  });

  it('a full disk: a clear error, the earlier file kept as it was, no partial file anywhere', async () => {
    const path = join(folder(), 'sample.csv');
    writeFileSync(path, 'an earlier sample\n');
    const error = await failure(writeSyntheticYellow(path, 200_000, { open: () => fullDiskAfter(300_000) }));
    expect(error.message).toBe(`Cannot write ${path}: the disk is full.`);
    expect(error.hint).toMatch(/dec data clean|DEC_HOME/);
    expect(error.exitCode).toBe(ExitCode.couldNotRun);
    expect(readdirSync(dir)).toEqual(['sample.csv']);
    expect(readFileSync(path, 'utf8')).toBe('an earlier sample\n');
  });

  it('Ctrl-C: exit code 130, and neither the file nor a temporary one is left', async () => {
    const path = join(folder(), 'sample.csv.gz');
    const controller = new AbortController();
    let seen = 0;
    const slowSink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        if (seen > 100_000) controller.abort();
        setImmediate(done);
      },
    });
    const error = await failure(
      writeSyntheticYellow(path, 2_000_000, { signal: controller.signal, open: () => slowSink }),
    );
    expect(error.exitCode).toBe(ExitCode.interrupted);
    expect(error.message).toContain('was not written');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a folder it cannot create: says which path and why', async () => {
    const base = folder();
    writeFileSync(join(base, 'afile'), '');
    const path = join(base, 'afile', 'sample.csv');
    const error = await failure(writeSyntheticYellow(path, 10));
    expect(error.message).toMatch(/^Cannot write .*afile\/sample\.csv: /);
  });
});

describe('writeSyntheticYellow: --out that is not a plain file', () => {
  it('a fifo (or a device, as /dev/null): a clear error, and it is left as it was, not replaced by a file', async () => {
    const fifo = join(folder(), 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const error = await failure(writeSyntheticYellow(fifo, 10));
    expect(error.message).toBe(`Cannot write ${fifo}: it is a named pipe (fifo), not a file.`);
    expect(error.exitCode).toBe(ExitCode.couldNotRun);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['pipe.csv']);
  });

  it('a symbolic link: the file it points to gets the sample, and the link stays a link', async () => {
    const base = folder();
    mkdirSync(join(base, 'data'));
    const target = join(base, 'data', 'trips.csv');
    writeFileSync(target, 'an earlier sample\n');
    const link = join(base, 'trips.csv');
    symlinkSync(join('data', 'trips.csv'), link);
    await writeSyntheticYellow(link, 5);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8').trim().split('\n')).toHaveLength(6);
    // A link to a file not made yet: the sample is made there.
    const dangling = join(base, 'new.csv');
    symlinkSync(join('data', 'new.csv'), dangling);
    await writeSyntheticYellow(dangling, 5);
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect(
      readFileSync(join(base, 'data', 'new.csv'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(6);
  });
});
