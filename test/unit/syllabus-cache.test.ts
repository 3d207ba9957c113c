import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeEntry, fileSignature, readBySignature, readBySource, writeEntry } from '../../src/syllabus/cache.js';
import type { Course } from '../../src/syllabus/course.js';

const course = {
  id: 'tiny',
  title: 'Tiny — course 数据 🚀',
  instructors: ['Zoë'],
  prerequisites: [],
  datasets: { zones: { title: 'Zonas – NYC' } },
  stacks: { week1: { services: { db: { image: 'postgres:13' } } } },
  weeks: [],
} as unknown as Course;

describe('syllabus cache entries', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('are pure ASCII and give back the same course, non-ASCII text, stacks and datasets included', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dec-unit-syllabus-cache-'));
    const source = Buffer.from('title: Tiny — course 数据 🚀\n');
    await writeEntry(dir, { key: 'k1', signature: 's1', source, course });
    const bytes = await readFile(join(dir, 'syllabus-k1.cache'));
    // Only the copy of the YAML at the end may hold other bytes.
    expect(bytes.subarray(0, bytes.length - source.length).every((byte) => byte < 0x80)).toBe(true);
    const bySignature = readBySignature([{ dir, key: 'k1' }], 's1');
    expect(bySignature).toEqual(course);
    expect(JSON.parse(JSON.stringify(bySignature))).toEqual(course);
    expect(readBySource([{ dir, key: 'k1' }], source)).toEqual({ course, signature: 's1' });
  });

  it('miss on another signature, other bytes, another key, or a damaged file, and look in the next folder', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dec-unit-syllabus-cache-'));
    const source = Buffer.from('title: Tiny\n');
    const file = join(dir, 'syllabus-k1.cache');
    await writeEntry(dir, { key: 'k1', signature: 's1', source, course });
    expect(readBySignature([{ dir, key: 'k1' }], 's2')).toBeUndefined();
    expect(readBySignature([{ dir, key: 'k2' }], 's1')).toBeUndefined();
    expect(readBySource([{ dir, key: 'k1' }], Buffer.from('title: Tinx\n'))).toBeUndefined();
    const whole = await readFile(file);
    for (const damaged of [whole.subarray(0, 40), whole.subarray(0, whole.length - 3), Buffer.from('{"key":"k1"}')]) {
      await writeFile(file, damaged);
      expect(readBySignature([{ dir, key: 'k1' }], 's1')).toBeUndefined();
      expect(readBySource([{ dir, key: 'k1' }], source)).toBeUndefined();
    }
    const other = join(dir, 'other');
    await writeEntry(other, { key: 'k1', signature: 's1', source, course });
    const places = [join(dir, 'missing'), dir, other].map((folder) => ({ dir: folder, key: 'k1' }));
    expect(readBySignature(places, 's1')).toEqual(course);
  });

  it('reads a course far bigger than the first read of the file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dec-unit-syllabus-cache-'));
    const weeks = Array.from({ length: 400 }, (_, number) => ({ number, title: `Week ${number} — ✓` }));
    const big = { ...course, weeks } as unknown as Course;
    await writeEntry(dir, { key: 'k1', signature: 's1', source: Buffer.from('x'), course: big });
    expect(encodeEntry({ key: 'k1', signature: 's1', source: Buffer.from('x'), course: big }).length).toBeGreaterThan(
      10_000,
    );
    expect(readBySignature([{ dir, key: 'k1' }], 's1')).toEqual(big);
  });

  it('signatures change when a file is rewritten with the same bytes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dec-unit-syllabus-cache-'));
    const path = join(dir, 'syllabus.yaml');
    await writeFile(path, 'title: Tiny\n');
    const later = () => Date.now() + 10_000;
    const before = fileSignature(await stat(path, { bigint: true }), later());
    await new Promise((resolve) => setTimeout(resolve, 5));
    await writeFile(path, 'title: Tiny\n');
    expect(fileSignature(await stat(path, { bigint: true }), later())).not.toBe(before);
  });

  it('give a file written moments ago no signature, so its entry is found by its bytes only', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dec-unit-syllabus-cache-'));
    const path = join(dir, 'syllabus.yaml');
    await writeFile(path, 'title: Tiny\n');
    const info = await stat(path, { bigint: true });
    const racy = fileSignature(info);
    expect(racy).toBe(fileSignature(info, Number(info.mtimeMs) + 1_999));
    expect(fileSignature(info, Number(info.mtimeMs) + 2_001)).not.toBe(racy);
    const source = Buffer.from('title: Tiny\n');
    await writeEntry(dir, { key: 'k1', signature: racy, source, course });
    expect(readBySignature([{ dir, key: 'k1' }], racy)).toBeUndefined();
    expect(readBySource([{ dir, key: 'k1' }], source)?.course).toEqual(course);
  });
});
