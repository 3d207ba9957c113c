// A test file's own PostgreSQL with a connected client and a temp folder, as a vitest fixture (kept out
// of postgres.ts, which the global setup imports outside any test file).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { connectedClient, startPostgres, type RunningPostgres } from './postgres.js';

/** A test file's own server, a client connected to it, and a temp folder for its files. */
export interface FilePostgres {
  /** Started in beforeAll: read it inside tests and hooks only. */
  readonly postgres: RunningPostgres;
  readonly client: pg.Client;
  readonly dir: string;
}

/**
 * For the whole test file: a server started and a client connected in beforeAll, both stopped and the
 * folder (made now, named `<prefix>...`) removed in afterAll.
 */
export function usePostgresWithFolder(prefix: string): FilePostgres {
  let postgres: RunningPostgres | undefined;
  let client: pg.Client | undefined;
  const dir = mkdtempSync(join(tmpdir(), prefix));
  beforeAll(async () => {
    postgres = await startPostgres();
    client = await connectedClient(postgres.connectionString);
  }, 120_000);
  afterAll(async () => {
    await client?.end().catch(() => undefined);
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test Postgres is not started yet (use it inside tests and hooks)');
    return value;
  };
  return {
    get postgres() {
      return started(postgres);
    },
    get client() {
      return started(client);
    },
    dir,
  };
}
