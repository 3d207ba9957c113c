// CSV sent as binary COPY (src/data/csv-binary.ts), against a real PostgreSQL: a CSV with every type
// dec gives CSV columns and their edge values (int64 limits, -0, 0.1, 1e-7, long mantissas, leap days,
// microseconds, years 1 and 9999, quoted fields with commas, "" and line breaks, NULL and "", UTF-8),
// as \n and \r\n files, without a final line end, gzip-compressed, and long enough that records and
// quoted fields cross chunk boundaries, loads into a table byte for byte what Postgres's own CSV
// parser makes of the same file (COPY ... FROM STDIN (FORMAT csv, HEADER true) into a table of the
// same types; compared as binary dumps, which tell -0 from 0, and with EXCEPT ALL both ways).
// What the binary path does not take goes through Postgres's CSV parser as before: at once when it
// is in the first megabyte, else by starting over; bad values keep their line and column, the table
// stays as it was, and "264.0" in an id column still makes it double precision.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { describe, expect, it } from 'vitest';
import { loadFiles, type LoadProgress } from '../../src/data/load.js';
import { usePostgresWithFolder } from '../helpers/postgres-file.js';

const db = usePostgresWithFolder('dec-csv-binary-');
const dir = db.dir;

/** dec's types for these names (datasets.ts): PULocationID and VendorID bigint, note text. */
const HEADER = 'PULocationID,VendorID,fare_amount,tpep_pickup_datetime,note';
const TYPES =
  '"PULocationID" bigint, "VendorID" bigint, fare_amount double precision, tpep_pickup_datetime timestamp, note text';

/** Edge values, one record each (fields with line breaks inside quotes keep them whatever the file's line end). */
const EDGES = [
  '0,0,0,2000-01-01 00:00:00,plain',
  '-1,-1,-0,1999-12-31 23:59:59.999999,""',
  '9223372036854775807,9223372036854775807,0.1,2024-02-29 12:34:56.5,"a, ""quoted"" note"',
  '-9223372036854775808,-9223372036854775808,1e-7,2021-01-22T17:07:49,"multi\nline"',
  ',,123456789.123,,',
  '007,+42,-2.5,0001-01-01 00:00:00,crème brûlée 日本',
  '4294967296,-4294967297,5.,9999-12-31 23:59:59.999999,"cr\r\nlf inside"',
  '9007199254740993,1,.5,1970-01-01 00:00:00.000001,',
  '1,1,123456789012345678901234567890,2021-01-01 00:00:00.1,""""',
  '1,1,0.30000000000000004,2020-02-29 23:59:59,","',
  '"12","13","1.5","2021-01-01 00:00:00",last',
  '2,2,2.2250738585072014e-308,1900-03-01 00:00:00,"x"',
];

function write(name: string, data: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

/** A CSV of `records` with the line end `eol` (and one at the end unless `final` is false). */
function csvOf(records: string[], eol = '\n', final = true): string {
  return [HEADER, ...records].join(eol) + (final ? eol : '');
}

/** Many plain records around the edge values, so that the file is past the first megabyte and its chunks. */
function longRecords(n: number, extra: string[] = []): string[] {
  const records = [...EDGES];
  for (let i = 0; i < n; i++) {
    const note = i % 7 === 0 ? `"note ${i}, ""q""\nsecond line"` : i % 3 === 0 ? '' : `n${i}`;
    records.push(
      `${i},${i % 3},${(i * 1.37).toFixed(i % 4)},2021-01-${String(1 + (i % 31)).padStart(2, '0')} ${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:07,${note}`,
    );
  }
  return [...records, ...extra, ...EDGES];
}

async function query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  return (await db.client.query(sql)).rows as T[];
}

/** The table as Postgres's own CSV parser makes it from the file's bytes. */
async function reference(table: string, data: Buffer, types = TYPES): Promise<void> {
  await query(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (${types})`);
  await pipeline(
    Readable.from([data]),
    db.client.query(copyFrom(`COPY ${table} FROM STDIN (FORMAT csv, HEADER true)`)),
  );
}

/** A table's binary dump, in physical order (both tables were filled in the file's order). */
async function dump(table: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(
    db.client.query(copyTo(`COPY ${table} TO STDOUT (FORMAT binary)`)),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        parts.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(parts);
}

async function difference(a: string, b: string): Promise<number> {
  const [row] = await query<{ n: string }>(
    `SELECT count(*) AS n FROM ((SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b})
       UNION ALL (SELECT * FROM ${b} EXCEPT ALL SELECT * FROM ${a})) AS d`,
  );
  return Number(row!.n);
}

async function count(table: string): Promise<number> {
  return Number((await query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
}

async function columnTypes(table: string): Promise<string[]> {
  const rows = await query<{ type: string }>(
    `SELECT data_type AS type FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`,
  );
  return rows.map((r) => r.type);
}

interface Loaded {
  rows: number;
  progress: LoadProgress[];
  notices: string[];
}

async function load(path: string, table: string): Promise<Loaded> {
  const progress: LoadProgress[] = [];
  const notices: string[] = [];
  const result = await loadFiles([path], {
    connectionString: db.postgres.connectionString,
    table,
    mode: 'replace',
    onProgress: (p) => progress.push(p),
    onNotice: (text) => notices.push(text),
  });
  return { rows: result.rows, progress, notices };
}

/** Whether the file went as binary COPY all along: its rows counted, never estimated (text COPY's are). */
const sentAsBinary = (loaded: Loaded) => loaded.progress.every((p) => !p.estimated);

/** Loads `path` with dec and the same bytes with Postgres's CSV parser, and compares the tables. */
async function expectSameAsPostgres(path: string, text: Buffer, table: string): Promise<Loaded> {
  const loaded = await load(path, table);
  await reference(`${table}_ref`, text);
  expect(loaded.rows).toBe(await count(`${table}_ref`));
  expect(await difference(table, `${table}_ref`)).toBe(0);
  expect((await dump(table)).equals(await dump(`${table}_ref`))).toBe(true);
  return loaded;
}

describe('CSV as binary COPY: the same table as Postgres parsing the CSV', () => {
  it.each([
    ['\\n', '\n', true],
    ['\\r\\n', '\r\n', true],
    ['no final line end', '\n', false],
  ])('edge values, %s', async (_name, eol, final) => {
    const text = Buffer.from(csvOf(EDGES, eol, final));
    const path = write(`edges-${EDGES.length}-${eol.length}-${final}.csv`, text);
    const loaded = await expectSameAsPostgres(path, text, 'edges');
    expect(loaded.rows).toBe(EDGES.length);
    expect(sentAsBinary(loaded)).toBe(true);
  });

  it('a file of several megabytes, its records and quoted line breaks across chunks, as .csv and .csv.gz', async () => {
    const text = Buffer.from(csvOf(longRecords(80_000), '\r\n'));
    expect(text.length).toBeGreaterThan(3 * 1024 * 1024);
    const csv = write('long.csv', text);
    const loaded = await expectSameAsPostgres(csv, text, 'long_csv');
    expect(sentAsBinary(loaded)).toBe(true);
    // Counted where they are made: they only grow, and reach the file's rows.
    const rows = loaded.progress.map((p) => p.rows);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(rows.at(-1)).toBe(80_000 + 2 * EDGES.length);

    const gz = write('long.csv.gz', gzipSync(text));
    expect(sentAsBinary(await expectSameAsPostgres(gz, text, 'long_gz'))).toBe(true);
  }, 60_000);
});

describe('CSV that the binary path does not take: Postgres parses it, as before', () => {
  it('an odd value in the first megabyte: the file goes as text at once, the same table', async () => {
    const text = Buffer.from(csvOf(['1,1,NaN,2021-01-01 00:00:00,a', ...EDGES]));
    const loaded = await expectSameAsPostgres(write('nan-early.csv', text), text, 'nan_early');
    expect(loaded.progress.slice(0, -1).every((p) => p.estimated)).toBe(true);
  });

  it('values only Postgres reads, after the first megabyte: the load starts over as text, the same table', async () => {
    const odd = [
      '5,5, 1.5,2021-01-01 00:00:00,x',
      '6,6,Infinity,2021-01-01 00:00:00+02,y',
      '7,7,1,2021-01-01 00:00:00,a"b"',
    ];
    const text = Buffer.from(csvOf(longRecords(40_000, odd)));
    const loaded = await expectSameAsPostgres(write('odd-late.csv', text), text, 'odd_late');
    expect(loaded.notices).toEqual([]);
    // The second attempt went as text: its reports are estimates.
    expect(loaded.progress.some((p) => p.estimated)).toBe(true);
  }, 60_000);

  it('a bad value after the first megabyte: the same message as ever (line, column), the table as it was', async () => {
    const good = write('kept.csv', csvOf(EDGES));
    await load(good, 'kept');
    const records = longRecords(40_000);
    const at = records.length - 5;
    records[at] = records[at]!.replace(/^\d+,\d+,/, '1,abc,');
    const bad = write('bad-late.csv', csvOf(records));
    // Postgres counts physical lines: the header, and the line breaks inside quoted fields.
    const line = csvOf(records.slice(0, at)).split('\n').length;
    const error = (await load(bad, 'kept').catch((e: unknown) => e)) as Error & { hint?: string };
    expect(error.message).toBe(
      `${bad} at line ${line} (column VendorID): invalid input syntax for type bigint: "abc".`,
    );
    expect(error.hint).toMatch(/left as it was/);
    expect(await count('kept')).toBe(EDGES.length);
    const early = write('bad-early.csv', csvOf(['1,abc,1,2021-01-01 00:00:00,a']));
    const earlyError = (await load(early, 'kept').catch((e: unknown) => e)) as Error;
    expect(earlyError.message).toBe(
      `${early} at line 2 (column VendorID): invalid input syntax for type bigint: "abc".`,
    );
  }, 60_000);

  it('bytes that are not UTF-8 in a text field after the first megabyte: Postgres says so with the line', async () => {
    const records = longRecords(40_000);
    const text = Buffer.from(csvOf(records));
    const at = text.lastIndexOf('plain');
    text[at] = 0xff;
    const path = write('latin1-late.csv', text);
    const line = text.subarray(0, at).toString('latin1').split('\n').length;
    const error = (await load(path, 'kept').catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(new RegExp(`at line ${line}: invalid byte sequence for encoding "UTF8": 0xff`));
    expect(await count('kept')).toBe(EDGES.length);
  }, 60_000);

  it('"264.0" in an id column after the first megabyte: the column becomes double precision, as before', async () => {
    const records = longRecords(40_000, ['264,264.0,1,2021-01-01 00:00:00,x']);
    const text = Buffer.from(csvOf(records));
    const loaded = await load(write('decimals-late.csv', text), 'decimals');
    expect(loaded.notices).toEqual([
      'VendorID holds decimals such as "264.0": loading it as double precision, as pandas does; starting over.',
    ]);
    expect(await columnTypes('decimals')).toEqual([
      'bigint',
      'double precision',
      'double precision',
      'timestamp without time zone',
      'text',
    ]);
    await reference('decimals_ref', text, TYPES.replace('"VendorID" bigint', '"VendorID" double precision'));
    expect(await difference('decimals', 'decimals_ref')).toBe(0);
    expect((await dump('decimals')).equals(await dump('decimals_ref'))).toBe(true);
    expect(sentAsBinary(loaded)).toBe(true);
  }, 60_000);
});
