// The Postgres dec setup runs for the course (the first stack service with a Postgres readiness
// check), with the student's remembered port and login: the default for homework checks and loads.
import type { CommandContext } from '../command-context.js';
import { DecError } from '../errors.js';
import type { Session } from '../session.js';
import { postgresLogin, postgresReadiness } from '../postgres/login.js';
import { runningStack } from './state.js';
import { withPgClient } from '../postgres/client.js';

export interface Database {
  connectionString: string;
  /** Shown in messages, without the password. */
  shown: string;
}

export async function defaultDatabase(ctx: CommandContext, session: Session): Promise<Database> {
  const entry = Object.entries(session.course.stacks).flatMap(([stack, spec]) =>
    Object.entries(spec.services)
      .filter(([, service]) => postgresReadiness(service.ready))
      .map(([service]) => ({ stack, service })),
  )[0];
  if (!entry)
    throw new DecError('This syllabus runs no Postgres for homework checks.', {
      hint: 'Pass --db postgresql://user:password@host:port/database',
    });
  // As `dec setup` runs it: remembered flags, secrets given in the environment, the project.
  const desired = await runningStack(ctx.env, session.course, entry.stack);
  const service = desired.services.find((s) => s.service === entry.service)!;
  const ready = postgresReadiness(service.ready) ?? { user: 'postgres', password: '', database: 'postgres' };
  const { user, password, database: name } = postgresLogin(service.env, ready);
  const port = service.ports.find((p) => p.container === 5432)?.host ?? 5432;
  return {
    connectionString: `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(name)}`,
    shown: `postgresql://${user}@127.0.0.1:${port}/${name} (dec setup ${entry.stack})`,
  };
}

/**
 * Rows in each of these tables of the database (undefined: no such table), or undefined when the
 * database cannot be asked. For what a setup offers to load: tables kept in a volume are not replaced.
 */
export async function tableRows(
  connectionString: string,
  tables: readonly string[],
  timeoutMs: number,
): Promise<Record<string, number | undefined> | undefined> {
  try {
    return await withPgClient({ connectionString }, timeoutMs, async (client) => {
      const rows: Record<string, number | undefined> = {};
      for (const table of tables) {
        const found = await client.query<{ name: string | null }>('select to_regclass($1)::text as name', [table]);
        if (found.rows[0]?.name === null || found.rows[0]?.name === undefined) {
          rows[table] = undefined;
          continue;
        }
        // Quoted as an identifier by the server, never pasted into SQL.
        const counted = await client.query<{ n: string }>(
          `select count(*)::text as n from ${client.escapeIdentifier(table)}`,
        );
        rows[table] = Number(counted.rows[0]?.n ?? 0);
      }
      return rows;
    });
  } catch {
    return undefined;
  }
}
