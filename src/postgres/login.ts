// Tries a login on a local Postgres and says how it went; shared by the doctor (is this the
// course's Postgres?) and setup (is it ready?). Never throws.
import type { Readiness } from '../syllabus/schema.js';

export type LoginResult = 'accepted' | 'rejected' | 'no-database' | 'unreachable' | 'not-postgres';

export interface Login {
  user: string;
  password: string;
  database: string;
}

export async function tryLogin(port: number, login: Login, timeoutMs: number): Promise<LoginResult> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    ...login,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return 'accepted';
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '28P01' || code === '28000') return 'rejected';
    if (code === '3D000') return 'no-database';
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return 'unreachable';
    return 'not-postgres';
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The login a service's readiness check uses, if that check is a Postgres query; else undefined. */
export function postgresReadiness(ready: Readiness | undefined): Login | undefined {
  return ready && 'postgres' in ready ? ready.postgres : undefined;
}

/** The env the stack sets wins over the readiness login, as Postgres itself initialises from it. */
export function postgresLogin(env: Record<string, string>, ready: Login): Login {
  return {
    user: env.POSTGRES_USER ?? ready.user,
    password: env.POSTGRES_PASSWORD ?? ready.password,
    database: env.POSTGRES_DB ?? ready.database,
  };
}
