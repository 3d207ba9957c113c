// dec's binary COPY encoder (src/data/copy-binary.ts) against PostgreSQL's own: a table with every
// column type dec creates, NULLs and edge values, dumped by a real Postgres with
// COPY ... TO STDOUT (FORMAT binary), must be byte for byte what the encoder writes for the same rows,
// from JS values and from Parquet's little-endian bytes alike; and the encoder's bytes loaded with
// COPY ... FROM STDIN (FORMAT binary) must give the same rows back (EXCEPT ALL both ways is empty).
// The same rows written as a Parquet file (every column PLAIN, then every column a dictionary) and read
// by dec's batch writers (src/data/copy-batch.ts: fixed-width values in place, encoded entries) must
// give the same bytes too.
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { parquetWriteFile } from 'hyparquet-writer';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { beforeAll, describe, expect, it } from 'vitest';
import { BinaryOut } from '../../src/data/copy-binary.js';
import type { ColumnType } from '../../src/data/datasets.js';
import { openParquet } from '../../src/data/parquet.js';
import { usePostgresWithFolder } from '../helpers/postgres-file.js';

const db = usePostgresWithFolder('dec-binary-copy-');
const dir = db.dir;

const COLUMNS = 'id bigint, b bigint, d double precision, r real, t boolean, dt date, ts timestamp, tx text';

interface Row {
  id: number;
  b: bigint | null;
  d: number | null;
  r: number | null;
  t: boolean | null;
  /** Days since 1970-01-01. */
  dt: number | null;
  /** Microseconds since 1970-01-01. */
  ts: bigint | null;
  tx: string | null;
  /** The same row as SQL literals. */
  sql: string;
}

const DAY = 86_400_000_000n;
const ROWS: Row[] = [
  {
    id: 1,
    b: 9_223_372_036_854_775_807n,
    d: Number.NaN,
    r: Number.POSITIVE_INFINITY,
    t: true,
    dt: 10_957,
    ts: 10_957n * DAY,
    tx: '',
    sql: `9223372036854775807, 'NaN', 'Infinity', true, '2000-01-01', '2000-01-01 00:00:00', ''`,
  },
  {
    id: 2,
    b: -9_223_372_036_854_775_808n,
    d: Number.NEGATIVE_INFINITY,
    r: -0,
    t: false,
    dt: 0,
    ts: 1n,
    tx: 'crème, "brûlée"\nline two\\',
    sql: `-9223372036854775808, '-Infinity', '-0', false, '1970-01-01', '1970-01-01 00:00:00.000001', E'crème, "brûlée"\\nline two\\\\'`,
  },
  {
    id: 3,
    b: 0n,
    d: 5e-324,
    r: Math.fround(3.4028234663852886e38),
    t: null,
    dt: -719_162, // 0001-01-01
    ts: -62_135_596_800_000_000n, // 0001-01-01 00:00:00
    tx: '🚕 zone',
    sql: `0, '5e-324', '3.4028235e38', NULL, '0001-01-01', '0001-01-01 00:00:00', '🚕 zone'`,
  },
  {
    id: 4,
    b: null,
    d: null,
    r: null,
    t: null,
    dt: null,
    ts: null,
    tx: null,
    sql: 'NULL, NULL, NULL, NULL, NULL, NULL, NULL',
  },
  {
    id: 5,
    b: -1n,
    d: -1.5,
    r: Math.fround(0.1),
    t: true,
    dt: -1, // 1969-12-31
    ts: -1n, // 1969-12-31 23:59:59.999999
    tx: 'N',
    sql: `-1, -1.5, 0.1, true, '1969-12-31', '1969-12-31 23:59:59.999999', 'N'`,
  },
  {
    id: 6,
    b: 4_294_967_296n,
    d: 1.7976931348623157e308,
    r: 1.401298464324817e-45,
    t: false,
    dt: 2_932_896, // 9999-12-31
    ts: 253_402_300_799_999_999n, // 9999-12-31 23:59:59.999999
    tx: 'x'.repeat(100),
    sql: `4294967296, 1.7976931348623157e308, 1.4e-45, false, '9999-12-31', '9999-12-31 23:59:59.999999', '${'x'.repeat(100)}'`,
  },
  {
    id: 7,
    b: -4_294_967_297n,
    d: 0.1 + 0.2,
    r: 16_777_217, // not a float32: rounds to 16777216 both ways
    t: true,
    dt: 20_089, // 2025-01-01
    ts: 1_735_689_600_123_456n, // 2025-01-01 00:00:00.123456
    tx: 'Y',
    sql: `-4294967297, 0.30000000000000004, 16777217, true, '2025-01-01', '2025-01-01 00:00:00.123456', 'Y'`,
  },
];

/** The rows through the encoder's value methods (what dictionaries and decoded pages use). */
function fromValues(rows: Row[]): Buffer {
  const out = new BinaryOut();
  out.header();
  for (const row of rows) {
    out.row(8);
    out.int64(row.id);
    if (row.b === null) out.null();
    else out.bigint(row.b);
    if (row.d === null) out.null();
    else out.float8(row.d);
    if (row.r === null) out.null();
    else out.float4(row.r);
    if (row.t === null) out.null();
    else out.boolean(row.t);
    if (row.dt === null) out.null();
    else out.date(row.dt);
    if (row.ts === null) out.null();
    else expect(out.timestamp(row.ts)).toBe(true);
    if (row.tx === null) out.null();
    else out.bytes(Buffer.from(row.tx, 'utf8'));
  }
  out.trailer();
  out.finish();
  return Buffer.concat(out.take());
}

/** The rows through the in-place methods, from little-endian bytes as Parquet's PLAIN pages hold them. */
function fromParquetBytes(rows: Row[]): Buffer {
  const out = new BinaryOut();
  const le = Buffer.alloc(8);
  out.header();
  for (const row of rows) {
    out.row(8);
    le.writeInt32LE(row.id, 0);
    out.int64FromInt32(le, 0); // an INT32 column into bigint
    if (row.b === null) out.null();
    else {
      le.writeBigInt64LE(row.b, 0);
      out.reversed(le, 0, 8);
    }
    if (row.d === null) out.null();
    else {
      le.writeDoubleLE(row.d, 0);
      out.reversed(le, 0, 8);
    }
    if (row.r === null) out.null();
    else {
      le.writeFloatLE(row.r, 0);
      out.reversed(le, 0, 4);
    }
    if (row.t === null) out.null();
    else out.boolean(row.t);
    if (row.dt === null) out.null();
    else out.date(row.dt);
    if (row.ts === null) out.null();
    else {
      le.writeBigInt64LE(row.ts, 0);
      expect(out.timestampHalves(le.readInt32LE(4), le.readUInt32LE(0))).toBe(true);
    }
    if (row.tx === null) out.null();
    else out.bytes(Buffer.from(row.tx, 'utf8'));
  }
  out.trailer();
  out.finish();
  return Buffer.concat(out.take());
}

const PARQUET_SCHEMA = [
  { name: 'schema', num_children: 8 },
  { name: 'id', type: 'INT32', repetition_type: 'REQUIRED' }, // into bigint: sign-extended
  { name: 'b', type: 'INT64', repetition_type: 'OPTIONAL' },
  { name: 'd', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  { name: 'r', type: 'FLOAT', repetition_type: 'OPTIONAL' },
  { name: 't', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
  { name: 'dt', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
  {
    name: 'ts',
    type: 'INT64',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' },
    repetition_type: 'OPTIONAL',
  },
  { name: 'tx', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
];
const TYPES: ColumnType[] = ['bigint', 'bigint', 'double precision', 'real', 'boolean', 'date', 'timestamp', 'text'];

/** The rows as a Parquet file (every column PLAIN, or a dictionary), read by dec as binary COPY. */
async function fromParquetFile(rows: Row[], encoding: 'PLAIN' | 'RLE_DICTIONARY'): Promise<Buffer> {
  const path = join(dir, `every-type-${encoding}.parquet`);
  const names = ['id', 'b', 'd', 'r', 't', 'dt', 'ts', 'tx'] as const;
  parquetWriteFile({
    filename: path,
    schema: PARQUET_SCHEMA as never,
    columnData: names.map((name) => ({ name, data: rows.map((row) => row[name]), encoding })),
  });
  const file = await openParquet(path);
  try {
    const pieces: Buffer[] = [];
    for await (const piece of file.binary(TYPES)!) pieces.push(piece);
    return Buffer.concat(pieces);
  } finally {
    await file.close();
  }
}

async function dump(table: string): Promise<Buffer> {
  const pieces: Buffer[] = [];
  const stream = db.client.query(copyTo(`COPY (SELECT * FROM ${table} ORDER BY id) TO STDOUT (FORMAT binary)`));
  await pipeline(
    stream,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        pieces.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(pieces);
}

/** Where two byte strings first differ, with some context, for a readable failure. */
function firstDifference(a: Buffer, b: Buffer): string | undefined {
  if (a.equals(b)) return undefined;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `at byte ${i} of ${a.length}/${b.length}: ${a.subarray(i, i + 16).toString('hex')} vs ${b.subarray(i, i + 16).toString('hex')}`;
}

describe('binary COPY: the encoder writes what Postgres writes', () => {
  beforeAll(async () => {
    await db.client.query(`CREATE TABLE every_type (${COLUMNS})`);
    await db.client.query(`INSERT INTO every_type VALUES ${ROWS.map((row) => `(${row.id}, ${row.sql})`).join(', ')}`);
  });

  it('byte for byte, from values and from Parquet bytes, for every type, NULLs and edge values', async () => {
    const postgresBytes = await dump('every_type');
    expect(firstDifference(fromValues(ROWS), postgresBytes)).toBeUndefined();
    expect(firstDifference(fromParquetBytes(ROWS), postgresBytes)).toBeUndefined();
  });

  it('byte for byte from a Parquet file: PLAIN values in place and dictionary entries, batch by batch', async () => {
    const postgresBytes = await dump('every_type');
    expect(firstDifference(await fromParquetFile(ROWS, 'PLAIN'), postgresBytes)).toBeUndefined();
    expect(firstDifference(await fromParquetFile(ROWS, 'RLE_DICTIONARY'), postgresBytes)).toBeUndefined();
  });

  it('round trip: the encoder bytes loaded with COPY FROM give the same rows', async () => {
    await db.client.query(`CREATE TABLE loaded (${COLUMNS})`);
    await pipeline(
      Readable.from([fromValues(ROWS)]),
      db.client.query(copyFrom('COPY loaded FROM STDIN (FORMAT binary)')),
    );
    const { rows } = await db.client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ((SELECT * FROM every_type EXCEPT ALL SELECT * FROM loaded)
         UNION ALL (SELECT * FROM loaded EXCEPT ALL SELECT * FROM every_type)) AS difference`,
    );
    expect(rows[0]!.n).toBe('0');
    const { rows: counted } = await db.client.query<{ n: string }>('SELECT count(*) AS n FROM loaded');
    expect(counted[0]!.n).toBe(String(ROWS.length));
    // The text with a line break, quotes and a backslash arrived as it was.
    const { rows: text } = await db.client.query<{ tx: string }>('SELECT tx FROM loaded WHERE id = 2');
    expect(text[0]!.tx).toBe(ROWS[1]!.tx);
  });

  it('a timestamp beyond int64 is refused, not wrapped around', () => {
    const out = new BinaryOut();
    expect(out.timestampHalves(-2_147_483_648, 0)).toBe(false);
    expect(out.timestamp(-9_223_372_036_854_775_808n)).toBe(false);
    out.finish();
    expect(out.take()).toEqual([]);
  });
});
