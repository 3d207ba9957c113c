// The progress file on disk: damaged files are moved aside, newer formats are left alone, and
// concurrent writers all persist.
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DecError } from '../../src/errors.js';
import { emptyProgress, markDone } from '../../src/progress/model.js';
import { encodeProgress, readProgress, updateProgress } from '../../src/progress/store.js';

const NOW = new Date('2022-01-20T10:11:12.345Z');
const ASIDE_SUFFIX = '.corrupt-2022-01-20T10-11-12Z';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dec-unit-progress-'));
  file = join(dir, 'progress.json');
});

afterEach(async () => {
  await chmod(dir, 0o755).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

function options() {
  return { now: NOW, warn: vi.fn<(message: string) => void>() };
}

describe('readProgress', () => {
  it('gives empty progress for a missing file, without creating it', async () => {
    const opts = options();
    expect(await readProgress(file, opts)).toEqual(emptyProgress());
    expect(opts.warn).not.toHaveBeenCalled();
    expect(await readdir(dir)).toEqual([]);
  });

  it('reads a valid file', async () => {
    const state = emptyProgress();
    markDone(state, 'dez-2022', ['week-1/a'], NOW);
    await writeFile(file, encodeProgress(state));
    expect(await readProgress(file, options())).toEqual(state);
  });

  it('moves a file that is not JSON aside, byte for byte, and says where', async () => {
    // Not JSON, and not even UTF-8: the bytes must survive the move unchanged.
    const content = Buffer.concat([
      Buffer.from('{"version": 1, "syllabi": {'),
      Buffer.from([0xff, 0x00, 0xe9]),
      Buffer.from('\n'),
    ]);
    await writeFile(file, content);
    const opts = options();

    expect(await readProgress(file, opts)).toEqual(emptyProgress());

    const aside = `${file}${ASIDE_SUFFIX}`;
    expect(await readdir(dir)).toEqual([`progress.json${ASIDE_SUFFIX}`]);
    expect((await readFile(aside)).equals(content)).toBe(true);
    expect(opts.warn).toHaveBeenCalledTimes(1);
    expect(opts.warn.mock.calls[0]![0]).toContain(aside);
    expect(opts.warn.mock.calls[0]![0]).toContain('not valid JSON');
  });

  it.each([
    ['a list', '[]'],
    ['no version', '{"syllabi": {}}'],
    ['no syllabi', '{"version": 1}'],
    ['a done map with a number', '{"version": 1, "syllabi": {"dez-2022": {"done": {"week-1/a": 5}}}}'],
    ['a syllabus entry without done', '{"version": 1, "syllabi": {"dez-2022": {}}}'],
  ])('treats a file of the wrong shape (%s) as damaged', async (_what, content) => {
    await writeFile(file, content);
    const opts = options();
    expect(await readProgress(file, opts)).toEqual(emptyProgress());
    expect(await readFile(`${file}${ASIDE_SUFFIX}`, 'utf8')).toBe(content);
    expect(opts.warn).toHaveBeenCalledWith(expect.stringContaining(`${file}${ASIDE_SUFFIX}`));
  });

  it('refuses a file from a newer dec and leaves it untouched', async () => {
    const content = '{"version": 2, "syllabi": {}, "future": true}\n';
    await writeFile(file, content);
    const opts = options();

    const attempt = readProgress(file, opts);
    await expect(attempt).rejects.toBeInstanceOf(DecError);
    await expect(attempt).rejects.toMatchObject({ message: expect.stringContaining('format 2'), exitCode: 2 });
    expect(await readFile(file, 'utf8')).toBe(content);
    expect(await readdir(dir)).toEqual(['progress.json']);
    expect(opts.warn).not.toHaveBeenCalled();
  });
});

describe('updateProgress', () => {
  it('writes sorted, pretty JSON that ends in a newline', async () => {
    const result = await updateProgress(file, options(), (state) => {
      markDone(state, 'zeta', ['week-2/b', 'week-1/z'], NOW);
      return markDone(state, 'alpha', ['week-3/c', 'week-1/a'], NOW);
    });
    expect(result).toEqual(['week-3/c', 'week-1/a']);

    const at = NOW.toISOString();
    expect(await readFile(file, 'utf8')).toBe(
      [
        '{',
        '  "version": 1,',
        '  "syllabi": {',
        '    "alpha": {',
        '      "done": {',
        `        "week-1/a": "${at}",`,
        `        "week-3/c": "${at}"`,
        '      }',
        '    },',
        '    "zeta": {',
        '      "done": {',
        `        "week-1/z": "${at}",`,
        `        "week-2/b": "${at}"`,
        '      }',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    // No lock or temp file is left behind.
    expect(await readdir(dir)).toEqual(['progress.json']);
  });

  it('creates the folder of the file', async () => {
    const nested = join(dir, 'a', 'b', 'progress.json');
    await updateProgress(nested, options(), (state) => markDone(state, 's', ['w/t'], NOW));
    expect(JSON.parse(await readFile(nested, 'utf8'))).toEqual({
      version: 1,
      syllabi: { s: { done: { 'w/t': NOW.toISOString() } } },
    });
  });

  it('keeps every change of 20 concurrent updates', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `week-${(i % 6) + 1}/topic-${i}`);
    await Promise.all(
      keys.map((key) => updateProgress(file, options(), (state) => markDone(state, 'dez-2022', [key], NOW))),
    );
    const state = await readProgress(file, options());
    expect(Object.keys(state.syllabi['dez-2022']!.done).sort()).toEqual([...keys].sort());
    expect(await readdir(dir)).toEqual(['progress.json']);
  });
});
