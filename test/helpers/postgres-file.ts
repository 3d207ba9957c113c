// A test file's own PostgreSQL with a connected client (and, for suites that write files, a temp
// folder), as vitest fixtures: kept out of postgres.ts, which the global setup imports outside any test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { connectedClient, startPostgres, type PostgresOptions, type RunningPostgres } from './postgres.js';

/** A test file's own server and a client connected to it. */
export interface TestPostgres {
  /** Started in beforeAll: read it inside tests and hooks only. */
  readonly postgres: RunningPostgres;
  readonly client: pg.Client;
}

/**
 * For the whole test file: a server started (with `options`) and a client connected in beforeAll, both
 * stopped in afterAll.
 */
export function useTestPostgres(options: PostgresOptions & { statementTimeoutMs?: number } = {}): TestPostgres {
  const { statementTimeoutMs, ...server } = options;
  let postgres: RunningPostgres | undefined;
  let client: pg.Client | undefined;
  beforeAll(async () => {
    postgres = await startPostgres(server);
    client = await connectedClient(postgres.connectionString, { statementTimeoutMs });
  }, 120_000);
  afterAll(async () => {
    await client?.end().catch(() => undefined);
    await postgres?.stop();
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
  };
}

/** useTestPostgres, and a temp folder (made now, named `<prefix>...`) removed in afterAll. */
export function usePostgresWithFolder(prefix: string): TestPostgres & { readonly dir: string } {
  const server = useTestPostgres();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    get postgres() {
      return server.postgres;
    },
    get client() {
      return server.client;
    },
    dir,
  };
}
