// Runs homework answers so that they can only read, whatever login dec was given. A read-only
// transaction is not enough under a superuser login (the course's Postgres runs as one): COPY ... TO
// PROGRAM, COPY ... TO a file, pg_read_file, lo_import and pg_terminate_backend all work inside one.
// So each answer runs as dec_homework_reader, a NOLOGIN role that may only read tables, inside a
// SECURITY DEFINER function that role owns: SET ROLE alone can be undone from inside the query
// (set_config('role', ...) in a subquery), while Postgres refuses any change of role inside a
// security-definer function. Every round trip also has a client-side deadline: a paused server never
// sends the statement timeout's error.
import type { Client } from 'pg';
import { DecError } from '../errors.js';

export interface Database {
  connectionString: string;
  /** Shown in messages, without the password. */
  shown: string;
}

const READER_ROLE = 'dec_homework_reader';
const RUN_FUNCTION = 'pg_temp.dec_homework_run';
/** How long past --timeout dec waits for the server's own timeout error before it stops waiting. */
const GRACE_MS = 1_000;
/** Memberships that let a role run programs, touch server files or stop other sessions. */
const POWERFUL_ROLES = [
  'pg_execute_server_program',
  'pg_read_server_files',
  'pg_write_server_files',
  'pg_signal_backend',
];

/** What an answer's query returned: how many rows, and the first one's values as text (null as NULL). */
export interface QueryResult {
  rows: number;
  first?: string[];
}

export interface AnswerRunner {
  /** Runs one answer read-only: what it returned, or why it did not run. */
  run(query: string): Promise<{ problem: string } | { result: QueryResult }>;
  close(): Promise<void>;
}

/**
 * A cursor runs exactly one query (a second statement, or a COPY or SET, cannot be opened as one).
 * The first row comes back (as json, which keeps the column order) and the rest are only counted.
 */
const RUN_FUNCTION_SQL = `CREATE FUNCTION ${RUN_FUNCTION}(query text) RETURNS json
LANGUAGE plpgsql SECURITY DEFINER AS $body$
DECLARE answer refcursor; first record; has_first boolean; rest bigint;
BEGIN
  OPEN answer FOR EXECUTE query;
  FETCH answer INTO first;
  has_first := FOUND;
  MOVE FORWARD ALL IN answer;
  GET DIAGNOSTICS rest = ROW_COUNT;
  CLOSE answer;
  IF NOT has_first THEN RETURN json_build_object('rows', 0); END IF;
  -- The values in column order; json_each, unlike an object, keeps columns that share a name (?column?).
  RETURN json_build_object('rows', rest + 1, 'first',
    (SELECT json_agg(value ORDER BY n) FROM json_each(to_json(first)) WITH ORDINALITY AS c(key, value, n)));
END
$body$`;

function resultOf(answer: unknown): QueryResult {
  const { rows, first } = (answer ?? { rows: 0 }) as { rows: number; first?: unknown[] };
  if (!first) return { rows };
  const text = (value: unknown) =>
    value === null ? 'NULL' : typeof value === 'object' ? JSON.stringify(value) : String(value as string | number);
  return { rows, first: first.map(text) };
}

/**
 * USAGE on every schema, SELECT on every table and view, TEMPORARY to create the run function in this
 * session: on each check, so that new tables count, but only where missing, so that a check writes to
 * the catalog only when something is new. A grant the login may not give, or one that would wait for
 * a concurrent change to the same table (a running `dec data load`), is skipped.
 */
const grantsSql = (lockWaitMs: number) => `DO $grants$
DECLARE target record;
BEGIN
  PERFORM set_config('lock_timeout', '${lockWaitMs}ms', true);
  IF NOT has_database_privilege('${READER_ROLE}', current_database(), 'TEMPORARY') THEN
    BEGIN
      EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO ${READER_ROLE}', current_database());
    EXCEPTION WHEN insufficient_privilege OR lock_not_available THEN NULL;
    END;
  END IF;
  FOR target IN
    SELECT n.nspname FROM pg_namespace n
    WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
      AND NOT has_schema_privilege('${READER_ROLE}', n.oid, 'USAGE')
  LOOP
    BEGIN
      EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${READER_ROLE}', target.nspname);
    EXCEPTION WHEN insufficient_privilege OR lock_not_available THEN NULL;
    END;
  END LOOP;
  FOR target IN
    SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
      AND NOT has_table_privilege('${READER_ROLE}', c.oid, 'SELECT')
  LOOP
    BEGIN
      EXECUTE format('GRANT SELECT ON %s TO ${READER_ROLE}', target.name);
    EXCEPTION WHEN insufficient_privilege OR lock_not_available THEN NULL;
    END;
  END LOOP;
  -- A login that may create roles but is no superuser must be a member to SET ROLE to it.
  IF NOT pg_has_role(current_user, '${READER_ROLE}', 'MEMBER') THEN
    BEGIN
      EXECUTE format('GRANT ${READER_ROLE} TO %I', current_user);
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
  END IF;
END
$grants$`;

/**
 * Whether the reader role may do more than dec gave it: superuser, creating roles, or a member of any
 * role at all (through which it would get that role's rights).
 */
const READER_POWERFUL_SQL = `SELECT r.rolsuper OR r.rolcreaterole OR EXISTS (
  SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid
) AS powerful FROM pg_roles r WHERE r.rolname = $1`;

/** Whether a login is a superuser, may create roles, or holds a membership in POWERFUL_ROLES. */
const POWERFUL_SQL = `SELECT r.rolsuper OR r.rolcreaterole OR EXISTS (
  SELECT 1 FROM pg_roles p WHERE p.rolname = ANY($2::text[]) AND pg_has_role(r.oid, p.oid, 'MEMBER')
) AS powerful FROM pg_roles r WHERE r.rolname = $1`;

class NoAnswer extends Error {}

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}

export async function openAnswerRunner(
  db: Database,
  timeoutMs: number,
  warn: (message: string) => void,
): Promise<AnswerRunner> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: db.connectionString,
    connectionTimeoutMillis: Math.min(timeoutMs, 10_000),
    application_name: 'dec homework check',
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new DecError(`Cannot connect to ${db.shown}: ${(error as Error).message}`, {
      hint: 'Start the week-1 database with `dec setup week1`, or pass --db postgresql://user:password@host:port/db.',
    });
  }
  const query = deadlined(client, timeoutMs + GRACE_MS);
  let asReader: boolean;
  try {
    asReader = await prepareReader(query, timeoutMs, warn);
    await createRunFunction(query, asReader);
  } catch (error) {
    await close(client);
    throw explain(error, db, timeoutMs);
  }
  return {
    async run(answer: string) {
      try {
        await query('BEGIN READ ONLY');
        await query(`SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`);
        if (asReader) await query(`SET LOCAL ROLE ${READER_ROLE}`);
        const ran = await query(`SELECT ${RUN_FUNCTION}($1) AS answer`, [answer]);
        return { result: resultOf(ran.rows[0]?.answer) };
      } catch (error) {
        if (error instanceof NoAnswer) throw explain(error, db, timeoutMs);
        // Not the answer's fault: the server went away, and every later answer would fail the same way.
        if (connectionLost(error))
          throw new DecError(`Lost the connection to ${db.shown}: ${(error as Error).message}`, {
            hint: 'Check that the database is still running (`dec setup status`), then run the check again.',
          });
        return { problem: problemOf(error, answer, timeoutMs) };
      } finally {
        await query('ROLLBACK').catch(() => undefined);
      }
    },
    close: () => close(client),
  };
}

type Query = (text: string, values?: unknown[]) => Promise<{ rows: Array<Record<string, unknown>> }>;

/** client.query with a deadline; past it the connection is dropped, as the server may never answer. */
function deadlined(client: Client, deadlineMs: number): Query {
  let dropped = false;
  return async (text, values) => {
    if (dropped) throw new NoAnswer();
    const pending = client.query(text, values);
    pending.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        dropped = true;
        (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
        reject(new NoAnswer());
      }, deadlineMs);
    });
    try {
      return await Promise.race([pending, expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}

async function close(client: Client): Promise<void> {
  const stream = (client as unknown as { connection: { stream: { destroyed?: boolean } } }).connection.stream;
  if (stream.destroyed) return;
  await client.end().catch(() => undefined);
}

/**
 * Makes sure the reader role exists, holds no power, and may read every table. True when answers
 * can run as it; false when the login may not make or use it but is itself harmless.
 */
async function prepareReader(query: Query, timeoutMs: number, warn: (message: string) => void): Promise<boolean> {
  let reason: string | undefined;
  await query('BEGIN');
  try {
    await query(`SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`);
    // Two checks at once would both try to create the role.
    await query('SELECT pg_advisory_xact_lock(hashtext($1))', [READER_ROLE]);
    let existing = (await query(READER_POWERFUL_SQL, [READER_ROLE])).rows[0];
    if (existing === undefined) {
      await query('SAVEPOINT create_role');
      try {
        await query(`CREATE ROLE ${READER_ROLE} NOLOGIN NOINHERIT`);
        existing = { powerful: false };
      } catch (error) {
        if (codeOf(error) !== '42501') throw error;
        await query('ROLLBACK TO SAVEPOINT create_role');
        reason = 'the login may not create roles';
      }
    }
    if (existing?.powerful === true) {
      throw new DecError(`The role ${READER_ROLE}, which dec runs homework answers as, may do more than read.`, {
        hint: `Drop it and dec makes a new one: DROP OWNED BY ${READER_ROLE}; DROP ROLE ${READER_ROLE};`,
      });
    }
    // Well inside the statement timeout, so that a grant that waits is skipped, not the whole check.
    if (existing !== undefined) await query(grantsSql(Math.round(Math.min(1_000, timeoutMs / 4))));
    await query('COMMIT');
  } catch (error) {
    await query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  if (reason === undefined) {
    try {
      await query(`SET ROLE ${READER_ROLE}`);
      await query('RESET ROLE');
      return true;
    } catch (error) {
      if (codeOf(error) !== '42501') throw error;
      reason = `the login is not a member of ${READER_ROLE}`;
    }
  }
  return fallBackToLogin(query, reason, warn);
}

/** Without the reader role the login itself runs the answers, but only a login without power. */
async function fallBackToLogin(query: Query, reason: string, warn: (message: string) => void): Promise<false> {
  const login = (await query('SELECT current_user AS name')).rows[0]!.name as string;
  const powerful = (await query(POWERFUL_SQL, [login, POWERFUL_ROLES])).rows[0]?.powerful === true;
  const setUp = `As an admin: CREATE ROLE ${READER_ROLE} NOLOGIN; GRANT ${READER_ROLE} TO ${login};`;
  if (powerful)
    throw new DecError(
      `dec cannot run answers as the read-only role ${READER_ROLE} (${reason}), and the login ${login} may do more than read.`,
      { hint: setUp },
    );
  warn(`Answers run as ${login} in a read-only transaction: ${reason}, so dec cannot use ${READER_ROLE}. ${setUp}`);
  return false;
}

/** Created as the role that runs the answers, so that it runs them as that role. */
async function createRunFunction(query: Query, asReader: boolean): Promise<void> {
  if (asReader) await query(`SET ROLE ${READER_ROLE}`);
  try {
    await query(RUN_FUNCTION_SQL);
  } finally {
    if (asReader) await query('RESET ROLE');
  }
}

function explain(error: unknown, db: Database, timeoutMs: number): unknown {
  if (error instanceof NoAnswer)
    return new DecError(`${db.shown} did not answer within ${timeoutMs / 1000} s; the check stopped.`, {
      hint: 'Is the database paused or overloaded? `docker ps` shows a paused container (`docker unpause <name>`).',
    });
  if (error instanceof DecError) return error;
  return new DecError(`Cannot prepare ${db.shown} for checking answers: ${(error as Error).message}`, {
    hint: `dec runs answers as the role ${READER_ROLE}; pass a login that may create it, e.g. the one dec setup made.`,
  });
}

/** No SQLSTATE (a socket error, a closed client), or one of the classes for a connection that ended. */
function connectionLost(error: unknown): boolean {
  const code = codeOf(error) ?? '';
  return !/^[0-9A-Z]{5}$/.test(code) || code.startsWith('08') || /^57P0[123]$/.test(code);
}

function lineOf(query: string, position: string | undefined): string {
  const at = Number(position);
  if (position === undefined || !Number.isFinite(at)) return '';
  return ` (line ${query.slice(0, at - 1).split('\n').length} of the query)`;
}

function problemOf(error: unknown, answer: string, timeoutMs: number): string {
  // Errors in the answer point into it through the internal position (it runs inside the run function).
  const { code, message, internalPosition } = error as { code?: string; message: string; internalPosition?: string };
  const where = lineOf(answer, internalPosition);
  const notAQuery = /^cannot open (\w+) query as cursor/.exec(message);
  if (code === '25006' || /^(INSERT|UPDATE|DELETE|MERGE)$/.test(notAQuery?.[1] ?? ''))
    return `the query writes to the database${where}; homework queries only read`;
  if (/multi-query/.test(message)) return 'the answer holds more than one statement; give a single query';
  if (notAQuery) return `${notAQuery[1]} is not a query; give a single SELECT`;
  if (code === '57014') return `the query took longer than ${timeoutMs / 1000} s and was stopped${where}`;
  if (code === '42501') return `${message}${where} (answers run as ${READER_ROLE}, which may only read tables)`;
  return `${message}${where}`;
}
