// One short-lived Postgres connection for a piece of work, with a time limit on connecting and on each
// query, closed whatever happens. pg is loaded only when a command gets here (start-up is a feature).
import type { Client, ClientConfig } from 'pg';

export async function withPgClient<T>(
  config: ClientConfig,
  timeoutMs: number,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ ...config, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  // A connection that breaks while idle must not become an uncaught 'error' event; the work sees it.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
