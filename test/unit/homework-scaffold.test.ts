// applyFiles on a real temp folder: what --force keeps of the student's files.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyFiles, planFiles, readManifest } from '../../src/homework/scaffold.js';

const NOW = new Date('2026-01-20T10:11:12.345Z');

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'dec-unit-scaffold-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function forceTemplate(): Promise<string[]> {
  const wanted = { 'README.md': '# Template\n' };
  const manifest = await readManifest(folder);
  return applyFiles(folder, planFiles(folder, wanted, manifest, true), manifest, 'week1', 'hash', NOW);
}

describe('applyFiles --force', () => {
  it('two overwrites in the same second keep both backups, each with what it replaced', async () => {
    await writeFile(join(folder, 'README.md'), 'first edit\n');
    const [first] = await forceTemplate();
    await writeFile(join(folder, 'README.md'), 'second edit\n');
    const [second] = await forceTemplate();
    await writeFile(join(folder, 'README.md'), 'third edit\n');
    const [third] = await forceTemplate();

    expect(first).toBe(join(folder, 'README.md.bak-2026-01-20T10-11-12Z'));
    expect(second).toBe(join(folder, 'README.md.bak-2026-01-20T10-11-12Z-2'));
    expect(third).toBe(join(folder, 'README.md.bak-2026-01-20T10-11-12Z-3'));
    expect(await readFile(first!, 'utf8')).toBe('first edit\n');
    expect(await readFile(second!, 'utf8')).toBe('second edit\n');
    expect(await readFile(third!, 'utf8')).toBe('third edit\n');
    expect(await readFile(join(folder, 'README.md'), 'utf8')).toBe('# Template\n');
    expect((await readdir(folder)).filter((name) => name.includes('.bak-'))).toHaveLength(3);
  });
});
