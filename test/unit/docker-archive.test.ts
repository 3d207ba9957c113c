// packFiles: what the engine gets for files put into a container, read back with tar-stream's extract
// (and GNU tar, which is what a container's filesystem layer would show).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { packFiles } from '../../src/docker/archive.js';

interface Unpacked {
  name: string;
  mode: number | undefined;
  uid: number | undefined;
  mtime: Date | undefined;
  content: string;
}

async function unpack(archive: Buffer): Promise<Unpacked[]> {
  const entries: Unpacked[] = [];
  const reader = extract();
  reader.end(archive);
  for await (const entry of reader) {
    const { name, mode, uid, mtime } = entry.header;
    entries.push({ name, mode, uid, mtime, content: (await buffer(entry)).toString('utf8') });
  }
  return entries;
}

const LONG_PATH = `/pgadmin4/${'nested-folder/'.repeat(8)}servers.json`;

describe('packFiles', () => {
  it('round-trips names (one over 100 bytes), contents, modes and dates', async () => {
    const before = Math.floor(Date.now() / 1000);
    const archive = await buffer(
      packFiles([
        { path: '/pgadmin4/servers.json', content: '{"Servers": {}}\n' },
        { path: LONG_PATH, content: 'long' },
        { path: '/root/.pgpass', content: 'db:5432:*:root:s3cret\n', mode: 0o600 },
        { path: 'etc/bytes.bin', content: Buffer.from([0, 1, 2, 255]) },
      ]),
    );
    expect(LONG_PATH.length).toBeGreaterThan(100);
    const entries = await unpack(archive);
    expect(entries.map(({ name, mode, uid, content }) => ({ name, mode, uid, content }))).toEqual([
      { name: 'pgadmin4/servers.json', mode: 0o644, uid: 0, content: '{"Servers": {}}\n' },
      { name: LONG_PATH.slice(1), mode: 0o644, uid: 0, content: 'long' },
      { name: 'root/.pgpass', mode: 0o600, uid: 0, content: 'db:5432:*:root:s3cret\n' },
      { name: 'etc/bytes.bin', mode: 0o644, uid: 0, content: Buffer.from([0, 1, 2, 255]).toString('utf8') },
    ]);
    for (const { mtime } of entries) expect(mtime!.getTime() / 1000).toBeGreaterThanOrEqual(before);
  });

  it('is an archive GNU tar extracts as written, the secret file 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dec-archive-'));
    try {
      const archive = join(dir, 'files.tar');
      const files = [
        { path: LONG_PATH, content: 'long' },
        { path: '/root/.pgpass', content: 'secret', mode: 0o600 },
      ];
      writeFileSync(archive, await buffer(packFiles(files)));
      execFileSync('tar', ['-xf', archive, '-C', dir]);
      expect(readFileSync(join(dir, LONG_PATH), 'utf8')).toBe('long');
      expect(statSync(join(dir, 'root/.pgpass')).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a path that would leave the folder it is extracted in', async () => {
    await expect(buffer(packFiles([{ path: '/etc/../../x', content: '' }]))).rejects.toThrow(/not a path inside/);
    await expect(buffer(packFiles([{ path: '/', content: '' }]))).rejects.toThrow(/not a path inside/);
  });
});
