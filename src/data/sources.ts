// The tables a stack's tools read (`database.sources` in the syllabus: week 4's dbt reads yellow, green
// and FHV trips from production.trips_data_all), as `dec data load --for <week>` loads them: which
// datasets and months, in which database, schema and table; what the target holds now (read only);
// and a rough size. The loading itself is src/data/load.ts, the one loader.
import { DecError, errorCode } from '../errors.js';
import type { Stack, StackDatabase } from '../syllabus/schema.js';
import { monthsOf } from './datasets.js';
import { withPgClient } from '../postgres/client.js';

export type StackSource = NonNullable<StackDatabase['sources']>[number];

/** One table to load: a dataset's months into schema.table. */
export interface SourceLoad {
  dataset: string;
  schema: string;
  table: string;
  months: string[];
}

const looksLikeMonth = (text: string) => /^\d{4}-/.test(text);

/**
 * The sources to load: all of them with their declared months, or narrowed to the dataset named
 * (`yellow`) and to the months named (`2019-01..2019-03`: each source's own months among them; for a
 * dataset named, exactly those months). A first argument that is a month is a month, not a dataset.
 */
export function selectSources(
  sources: readonly StackSource[],
  owner: string,
  dataset: string | undefined,
  monthSpecs: readonly string[],
): SourceLoad[] {
  const specs = [...monthSpecs];
  if (dataset !== undefined && looksLikeMonth(dataset)) specs.unshift(dataset);
  const named = dataset !== undefined && !looksLikeMonth(dataset) ? dataset : undefined;
  const asked = specs.length > 0 ? new Set(specs.flatMap(monthsOf)) : undefined;
  const chosen = named === undefined ? sources : sources.filter((s) => s.dataset === named);
  if (chosen.length === 0)
    throw new DecError(`${named} is not one of ${owner}'s sources.`, {
      hint: `Its sources: ${sources.map((s) => s.dataset).join(', ')}. For another dataset: dec data load ${named} <months> --schema <schema> --database <database>.`,
    });
  const loads = chosen.flatMap((source) => {
    const declared = source.months.flatMap(monthsOf);
    const months =
      asked === undefined ? declared : named !== undefined ? [...asked] : declared.filter((m) => asked.has(m));
    return months.length === 0 ? [] : [{ dataset: source.dataset, schema: source.schema, table: source.table, months }];
  });
  if (loads.length === 0)
    throw new DecError(`None of ${owner}'s sources has ${specs.join(' ')}.`, {
      hint: `They hold: ${sources.map((s) => `${s.dataset} ${s.months.join(' ')}`).join('; ')}.`,
    });
  return loads;
}

/** "2019-01", "2019-02", "2019-03", "2019-05" → "2019-01..2019-03 2019-05". */
export function monthSpans(months: readonly string[]): string {
  const index = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
  const sorted = [...new Set(months)].sort();
  const spans: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && index(sorted[j + 1]!) === index(sorted[j]!) + 1) j++;
    spans.push(i === j ? sorted[i]! : `${sorted[i]}..${sorted[j]}`);
    i = j + 1;
  }
  return spans.join(' ');
}

/**
 * Rows in a download of `bytes`, roughly: the course's trip CSVs hold about 95 bytes a row, about 20
 * gzip-compressed (measured on `dec data sample`, whose rows are shaped like the TLC's: 25 bytes a row
 * for its less repetitive values); Parquet about 15. Said as "about": the load counts the real rows.
 */
export function estimatedRows(bytes: number, fileName: string): number {
  const lower = fileName.toLowerCase();
  const perRow = lower.endsWith('.gz') ? 20 : lower.endsWith('.parquet') ? 15 : 95;
  return Math.round(bytes / perRow);
}

/** The connection string with another database name (in the URL's path, encoded). */
export function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/**
 * The stack whose tools read this table (a `database.sources` entry with the same database, schema
 * and table), if any: a load into it by hand gets the same column names as `--for` gives.
 */
export function declaredSource(
  stacks: Record<string, Stack>,
  connectionString: string,
  schema: string | undefined,
  table: string,
): string | undefined {
  const database = decodeURIComponent(new URL(connectionString).pathname.slice(1));
  return Object.entries(stacks).find(
    ([, stack]) =>
      stack.database?.name === database &&
      (stack.database.sources ?? []).some((s) => s.schema === (schema ?? 'public') && s.table === table),
  )?.[0];
}

/** Postgres's invalid_catalog_name: no such database. */
const NO_DATABASE = '3D000';
const DUPLICATE_DATABASE = '42P04';

/** What the target holds now, read only; `error` when Postgres could not be asked. */
export interface TargetState {
  error?: string;
  database: boolean;
  /** Schemas that exist, of those asked about. */
  schemas: string[];
  /** schema.table names that exist, of those asked about. */
  tables: string[];
  /** Of those, the ones that hold at least one row (replacing them loses data). */
  filled: string[];
}

/**
 * The tables (schema.table) a load would replace that hold rows now: what a student is asked about
 * before loading. None for an append, which replaces nothing, nor for new or empty tables.
 */
export function tablesReplaced(
  loads: ReadonlyArray<{ schema?: string; table: string }>,
  state: Pick<TargetState, 'filled'>,
  mode: 'replace' | 'append',
): string[] {
  if (mode === 'append') return [];
  return loads
    .map((load) => `${load.schema ?? 'public'}.${load.table}`)
    .filter((name, index, all) => state.filled.includes(name) && all.indexOf(name) === index);
}

/**
 * Whether the database, its schemas and tables exist, asked of the server (`serverUrl`: its own
 * database, only read through pg_database) and then of the database itself. Changes nothing.
 */
export async function targetState(
  serverUrl: string,
  database: string,
  tables: ReadonlyArray<{ schema: string; table: string }>,
  timeoutMs = 5000,
): Promise<TargetState> {
  try {
    const exists = await withPgClient({ connectionString: serverUrl }, timeoutMs, async (client) => {
      const found = await client.query('select 1 from pg_database where datname = $1', [database]);
      return Boolean(found.rowCount);
    });
    if (!exists) return { database: false, schemas: [], tables: [], filled: [] };
    return await withPgClient({ connectionString: withDatabase(serverUrl, database) }, timeoutMs, async (client) => {
      const schemas = await client.query<{ name: string }>(
        'select nspname as name from pg_namespace where nspname = any($1)',
        [[...new Set(tables.map((t) => t.schema))]],
      );
      const found: string[] = [];
      const filled: string[] = [];
      for (const { schema, table } of tables) {
        const row = await client.query(
          'select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2',
          [schema, table],
        );
        if (!row.rowCount) continue;
        found.push(`${schema}.${table}`);
        // One row is enough to know: no count of a table of millions. Unreadable: taken as holding data.
        const name = `${client.escapeIdentifier(schema)}.${client.escapeIdentifier(table)}`;
        const rows = await client.query(`select 1 from ${name} limit 1`).catch(() => ({ rowCount: 1 }));
        if (rows.rowCount) filled.push(`${schema}.${table}`);
      }
      return { database: true, schemas: schemas.rows.map((r) => r.name), tables: found, filled };
    });
  } catch (error) {
    return { error: (error as Error).message, database: false, schemas: [], tables: [], filled: [] };
  }
}

/**
 * Makes the database when missing, connected to the server's own one (which it only reads from
 * pg_database); names are quoted by the server's rules. True when it was made.
 */
export async function createDatabase(serverUrl: string, database: string, timeoutMs = 10_000): Promise<boolean> {
  return withPgClient({ connectionString: serverUrl }, timeoutMs, async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount) return false;
    try {
      await client.query(`create database ${client.escapeIdentifier(database)}`);
      return true;
    } catch (error) {
      if (errorCode(error) === DUPLICATE_DATABASE) return false;
      throw error;
    }
  });
}

/**
 * --database names a database that must exist: a typo would otherwise make a database nobody reads.
 * Other connection problems are left to the load, which says them.
 */
export async function databaseMustExist(connectionString: string, database: string, timeoutMs = 5000): Promise<void> {
  try {
    await withPgClient({ connectionString }, timeoutMs, async () => undefined);
  } catch (error) {
    if (errorCode(error) !== NO_DATABASE) return;
    throw new DecError(`There is no database ${database} in that Postgres.`, {
      hint: 'Check --database (psql -l lists them). dec setup week4, or dec data load --for week4, makes production.',
    });
  }
}
