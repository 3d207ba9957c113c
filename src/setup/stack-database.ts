// A database a stack's tools use in another stack's Postgres (week 4's dbt in week 1's): created when
// missing, with its schemas, and a dbt profile for the student's project. Only ever adds: an existing
// database, schema or profile is left exactly as it is, and no other database is changed.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DecError, errorCode } from '../errors.js';
import { withPgClient } from '../postgres/client.js';
import type { Login } from '../postgres/login.js';
import type { StackDatabase } from '../syllabus/schema.js';

/** Where dec reaches that Postgres from the host, with the login its stack runs with. */
export interface PostgresAccess extends Login {
  host: string;
  port: number;
}

export interface DatabaseOutcome {
  createdDatabase: boolean;
  createdSchemas: string[];
}

/** Postgres's duplicate_database: another setup made it a moment ago. */
const DUPLICATE_DATABASE = '42P04';

function connected<T>(
  access: PostgresAccess,
  database: string,
  timeoutMs: number,
  work: (client: import('pg').Client) => Promise<T>,
): Promise<T> {
  const { host, port, user, password } = access;
  return withPgClient({ host, port, user, password, database }, timeoutMs, work);
}

/**
 * Creates the database (connected to the stack's own database, which is only read: pg_database) and
 * then its schemas, each only when missing. Names are quoted by the server's rules, never pasted raw.
 */
export async function ensureDatabase(
  access: PostgresAccess,
  spec: Pick<StackDatabase, 'name' | 'schemas'>,
  timeoutMs = 10_000,
): Promise<DatabaseOutcome> {
  const createdDatabase = await connected(access, access.database, timeoutMs, async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [spec.name]);
    if (found.rowCount) return false;
    try {
      await client.query(`create database ${client.escapeIdentifier(spec.name)}`);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === DUPLICATE_DATABASE) return false;
      throw error;
    }
  });
  const createdSchemas = await connected(access, spec.name, timeoutMs, async (client) => {
    const made: string[] = [];
    for (const schema of spec.schemas ?? []) {
      const found = await client.query('select 1 from pg_namespace where nspname = $1', [schema]);
      if (found.rowCount) continue;
      await client.query(`create schema if not exists ${client.escapeIdentifier(schema)}`);
      made.push(schema);
    }
    return made;
  });
  return { createdDatabase, createdSchemas };
}

/** A YAML scalar that stays a string whatever the password holds. */
const quoted = (value: string) => JSON.stringify(value);

/** The profile dbt-postgres reads, for the tool's container (host and port as it reaches Postgres). */
export function dbtProfileYaml(
  profile: NonNullable<StackDatabase['dbtProfile']>,
  database: string,
  login: Pick<Login, 'user' | 'password'>,
  stackId: string,
): string {
  return [
    `# Written by dec setup ${stackId} for dbt in its containers (dec run ${stackId} dbt ...). It holds the`,
    `# Postgres password: keep it out of git (.gitignore). dec never rewrites it; delete it to get a fresh one.`,
    `${profile.name}:`,
    '  target: dev',
    '  outputs:',
    '    dev:',
    '      type: postgres',
    `      host: ${profile.host}`,
    '      port: 5432',
    `      user: ${quoted(login.user)}`,
    `      password: ${quoted(login.password)}`,
    `      dbname: ${database}`,
    `      schema: ${profile.schema}`,
    `      threads: ${profile.threads ?? 4}`,
    '      keepalives_idle: 0',
    'config:',
    '  send_anonymous_usage_stats: false',
    '',
  ].join('\n');
}

export type ProfileOutcome =
  | { kind: 'written'; path: string }
  | { kind: 'kept'; path: string }
  /** A profiles.yml without this profile: left alone; the student adds it. */
  | { kind: 'other'; path: string };

/**
 * Writes profiles.yml (0600: it holds the password) only when there is none: created exclusively, so
 * a file that appears meanwhile is not replaced either. An existing file is only read.
 */
export async function writeDbtProfile(folder: string, profileName: string, text: string): Promise<ProfileOutcome> {
  const path = join(folder, 'profiles.yml');
  try {
    await mkdir(folder, { recursive: true });
    await writeFile(path, text, { flag: 'wx', mode: 0o600 });
    return { kind: 'written', path };
  } catch (error) {
    if (errorCode(error) !== 'EEXIST')
      throw new DecError(`Cannot write ${path}: ${(error as Error).message}`, {
        hint: 'Check that the folder is yours and writable.',
        cause: error,
      });
  }
  const existing = await readFile(path, 'utf8').catch(() => '');
  const { parse } = await import('yaml');
  let parsed: unknown;
  try {
    parsed = parse(existing);
  } catch {
    parsed = undefined;
  }
  const has = typeof parsed === 'object' && parsed !== null && Object.hasOwn(parsed, profileName);
  return { kind: has ? 'kept' : 'other', path };
}

/** What setup does for `database:` before the containers, as --dry-run lists it. */
export function databasePlanLines(spec: StackDatabase, workspaceRoot: string): string[] {
  const schemas = (spec.schemas ?? []).map((schema) => ` and schema ${spec.name}.${schema}`).join('');
  return [
    `make database ${spec.name}${schemas} in ${spec.stack}'s Postgres, where missing`,
    ...(spec.dbtProfile
      ? [
          `write the dbt profile ${spec.dbtProfile.name} to ${join(workspaceRoot, spec.dbtProfile.folder, 'profiles.yml')}, unless that file exists`,
        ]
      : []),
  ];
}
