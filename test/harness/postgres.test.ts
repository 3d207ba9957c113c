// Self-test of test/helpers/postgres.ts: startPostgres gives the suites a real PostgreSQL from this
// machine's binaries, and stop() leaves nothing behind (port, folder, process).
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isPortInUse } from '../../src/doctor/host-ports.js';
import { startPostgres } from '../helpers/postgres.js';

/** "gone", or the state letter from /proc/<pid>/stat ("Z": a zombie, which PID 1 here reaps late). */
function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '?';
  } catch {
    return 'gone';
  }
}

describe('test helper startPostgres', () => {
  it('serves a database with password logins, and stop() frees the port and removes its folder', async () => {
    const server = await startPostgres({ user: 'root', password: 'root', database: 'ny_taxi' });
    try {
      expect(server.connectionString).toBe(`postgres://root:root@127.0.0.1:${server.port}/ny_taxi`);
      const client = new pg.Client({ connectionString: server.connectionString, connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        const result = await client.query<{ db: string; user: string }>(
          'select current_database() as db, current_user as user',
        );
        expect(result.rows[0]).toEqual({ db: 'ny_taxi', user: 'root' });
      } finally {
        await client.end();
      }
      const wrong = new pg.Client({
        host: '127.0.0.1',
        port: server.port,
        user: 'root',
        password: 'not-root',
        database: 'ny_taxi',
        connectionTimeoutMillis: 5_000,
      });
      await expect(wrong.connect()).rejects.toMatchObject({ code: '28P01' });
      await wrong.end().catch(() => undefined);
    } finally {
      await server.stop();
    }
    expect(await isPortInUse(server.port)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
    expect(processState(server.pid)).toMatch(/^(gone|Z)$/);
    await server.stop(); // idempotent
  }, 90_000);
});
