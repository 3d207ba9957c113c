// The page-by-page Parquet reader behind `dec data load`: its CSV must say what hyparquet's own row
// reader (the reference) says, value for value, on files other tools wrote (test/fixtures/parquet)
// and on files with many pages, row groups, nulls and awkward strings written here.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { POSTGRES_EPOCH_DAYS } from '../../src/data/copy-binary.js';
import { CsvOut, writeTimestamp } from '../../src/data/csv-out.js';
import type { ColumnType } from '../../src/data/datasets.js';
import { PageStream } from '../../src/data/page-stream.js';
import { openParquet, ParquetValueError } from '../../src/data/parquet.js';
import { isDecError } from '../../src/errors.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/parquet/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dec-parquet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** RFC 4180, as COPY reads it: an unquoted empty cell is NULL, a quoted one the empty string. */
function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    let cell: string | null;
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else value += text[i++];
      }
      cell = value;
    } else {
      let j = i;
      while (j < text.length && text[j] !== ',' && text[j] !== '\n') j++;
      cell = j === i ? null : text.slice(i, j);
      i = j;
    }
    row.push(cell);
    if (text[i] === ',') i++;
    else {
      rows.push(row);
      row = [];
      i++;
    }
  }
  return rows;
}

/**
 * A Zstandard frame that stores its bytes uncompressed (raw blocks): valid ZSTD for any decoder, and
 * Node 20 has no ZSTD compressor to write test files with (RFC 8878: magic, a frame header with a
 * 4-byte content size and one segment, then blocks of at most 128 KB, each a 3-byte header).
 */
function zstdRawBlocks(bytes: Uint8Array): Uint8Array {
  const BLOCK = 128 * 1024;
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0])];
  const size = Buffer.alloc(4);
  size.writeUInt32LE(bytes.length);
  parts.push(size);
  let at = 0;
  do {
    const n = Math.min(BLOCK, bytes.length - at);
    const last = at + n >= bytes.length ? 1 : 0;
    const header = (n << 3) | last; // block type 0: raw
    parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]));
    parts.push(Buffer.from(bytes.subarray(at, at + n)));
    at += n;
  } while (at < bytes.length);
  return Buffer.concat(parts);
}

/** Does a CSV cell hold the value hyparquet decoded? */
function sameValue(cell: string | null, value: unknown): boolean {
  if (value === null || value === undefined) return cell === null;
  if (cell === null) return false;
  if (value instanceof Date) return Math.floor(Date.parse(`${cell.replace(' ', 'T')}Z`)) === value.getTime();
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return cell === 'NaN';
    return Number(cell) === value;
  }
  if (typeof value === 'bigint') return BigInt(cell) === value;
  if (typeof value === 'boolean') return cell === String(value);
  if (typeof value === 'string') return cell === value;
  if (value instanceof Uint8Array) return cell === `\\x${Buffer.from(value).toString('hex')}`;
  const plain = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
  return JSON.stringify(JSON.parse(cell)) === plain;
}

async function csvOf(path: string): Promise<string> {
  const file = await openParquet(path);
  try {
    const pieces: Buffer[] = [];
    for await (const piece of file.csv()) pieces.push(piece);
    return Buffer.concat(pieces).toString('utf8');
  } finally {
    await file.close();
  }
}

/** Every cell of dec's CSV against hyparquet's rows; the first mismatch, for a readable failure. */
async function compareWithReference(path: string): Promise<{ rows: number; mismatch: string | undefined }> {
  const [header, ...rows] = parseCsv(await csvOf(path));
  const expected = (await parquetReadObjects({
    file: await asyncBufferFromFile(path),
    compressors,
  })) as Record<string, unknown>[];
  expect(rows).toHaveLength(expected.length);
  for (const [r, row] of rows.entries()) {
    for (const [c, name] of header!.entries()) {
      const value = expected[r]![name!];
      if (!sameValue(row[c] ?? null, value))
        return { rows: rows.length, mismatch: `${name} row ${r}: ${JSON.stringify(row[c])} vs ${String(value)}` };
    }
  }
  return { rows: rows.length, mismatch: undefined };
}

/** Binary COPY bytes back to values, as the tests compare them: the inverse of copy-binary.ts. */
function parseBinaryCopy(bytes: Buffer, types: ColumnType[]): unknown[][] {
  expect(bytes.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
  const rows: unknown[][] = [];
  let p = 19;
  for (;;) {
    const fields = bytes.readInt16BE(p);
    p += 2;
    if (fields === -1) break;
    expect(fields).toBe(types.length);
    const row: unknown[] = [];
    for (const type of types) {
      const length = bytes.readInt32BE(p);
      p += 4;
      if (length === -1) {
        row.push(null);
        continue;
      }
      const field = bytes.subarray(p, p + length);
      p += length;
      if (type === 'bigint') row.push(field.readBigInt64BE());
      else if (type === 'double precision') row.push(field.readDoubleBE());
      else if (type === 'real') row.push(field.readFloatBE());
      else if (type === 'boolean') row.push(field[0] === 1);
      else if (type === 'date') row.push(new Date((field.readInt32BE() + POSTGRES_EPOCH_DAYS) * 86_400_000));
      else if (type === 'timestamp') row.push(field.readBigInt64BE() + BigInt(POSTGRES_EPOCH_DAYS) * 86_400_000_000n);
      else row.push(field.toString('utf8'));
    }
    rows.push(row);
  }
  expect(p).toBe(bytes.length);
  return rows;
}

/** Does a value read back from binary COPY hold the value hyparquet decoded? */
function sameBinaryValue(got: unknown, value: unknown): boolean {
  if (value === null || value === undefined) return got === null;
  if (typeof got === 'bigint' && value instanceof Date) return got / 1000n === BigInt(value.getTime()) || got < 0n;
  if (typeof got === 'bigint') return got === BigInt(value as number | bigint);
  if (typeof got === 'number') return Object.is(got, Number(value)) || got === Number(value);
  if (got instanceof Date) return got.getTime() === (value as Date).getTime();
  return got === value;
}

/** dec's binary COPY of a file against hyparquet's rows: the first mismatch, or undefined (also for a CSV file). */
async function binaryMismatch(path: string, options?: { streamPagesFrom?: number }): Promise<string | undefined> {
  const file = await openParquet(path, options);
  try {
    const types = file.columns.map((c) => c.type);
    const stream = file.binary(types);
    if (!stream) return undefined; // goes as CSV: compareWithReference
    const pieces: Buffer[] = [];
    for await (const piece of stream) pieces.push(piece);
    const rows = parseBinaryCopy(Buffer.concat(pieces), types);
    const expected = (await parquetReadObjects({ file: await asyncBufferFromFile(path), compressors })) as Record<
      string,
      unknown
    >[];
    expect(rows).toHaveLength(expected.length);
    for (const [r, row] of rows.entries())
      for (const [c, column] of file.columns.entries())
        if (!sameBinaryValue(row[c], expected[r]![column.name]))
          return `${column.name} row ${r}: ${String(row[c])} vs ${String(expected[r]![column.name])}`;
    return undefined;
  } finally {
    await file.close();
  }
}

describe('files other tools wrote', () => {
  const flat = readdirSync(FIXTURES).filter((name) => name.endsWith('.parquet') && name !== 'nullable.impala.parquet');

  it('has the fixtures', () => expect(flat.length).toBeGreaterThan(20));

  it.each(flat)('%s: the same values as hyparquet', async (name) => {
    const { mismatch } = await compareWithReference(join(FIXTURES, name));
    expect(mismatch).toBeUndefined();
  });

  it('gives each column the Postgres type its Parquet type stands for', async () => {
    const types = async (name: string) => {
      const file = await openParquet(join(FIXTURES, name));
      await file.close();
      return Object.fromEntries(file.columns.map((c) => [c.name, c.type]));
    };
    expect(await types('signs.parquet')).toMatchObject({
      unsigned_int32: 'bigint',
      unsigned_int64: 'numeric',
      signed_int8: 'bigint',
      signed_int64: 'bigint',
    });
    expect(Object.values(await types('boolean_rle.parquet'))).toEqual(['boolean']);
    expect(Object.values(await types('duckdb4442.parquet'))).toContain('timestamp');
    expect(Object.values(await types('fixed_length_decimal.parquet'))).toEqual(['numeric']);
    expect(Object.values(await types('alpha.parquet'))).toEqual(['text']);
    expect(Object.values(await types('byte_stream_split.zstd.parquet'))).toEqual(['real', 'double precision']);
  });

  it('goes as binary COPY where every column has a binary writer for its type, else as CSV', async () => {
    const binaryFor = async (name: string) => {
      const file = await openParquet(join(FIXTURES, name));
      const stream = file.binary(file.columns.map((c) => c.type));
      await file.close();
      return stream !== undefined;
    };
    expect(await binaryFor('byte_stream_split.zstd.parquet')).toBe(true); // float32 -> real, double
    expect(await binaryFor('issue90.parquet')).toBe(true);
    expect(await binaryFor('fixed_length_decimal.parquet')).toBe(false); // numeric: CSV text
    expect(await binaryFor('signs.parquet')).toBe(false); // unsigned integers: CSV text
  });

  it.each(flat)('%s: binary COPY, where it applies, holds the same values as hyparquet', async (name) => {
    expect(await binaryMismatch(join(FIXTURES, name))).toBeUndefined();
  });

  // pyarrow's and DuckDB's DATA_PAGE (v1) pages, levels and values in one Snappy stream, through the window.
  it.each(flat)('%s: the same, with every page that can be streamed through the window', async (name) => {
    expect(await binaryMismatch(join(FIXTURES, name), { streamPagesFrom: 0 })).toBeUndefined();
  });

  it('refuses a nested file with the column and a way out', async () => {
    const error = await openParquet(join(FIXTURES, 'nullable.impala.parquet')).catch((e: unknown) => e);
    expect(isDecError(error)).toBe(true);
    expect((error as Error).message).toMatch(/column "\w+" is nested/);
  });
});

describe('files with many pages and row groups', () => {
  const n = 5000;
  const strings = ['plain', 'with, comma', 'with "quotes"', 'two\nlines', '', 'crème brûlée', 'x'.repeat(300)];
  const columnData = (nullable: boolean) => [
    {
      name: 'id',
      type: 'INT64' as const,
      nullable,
      data: Array.from({ length: n }, (_, i) => (BigInt(i) - 2500n) * 3_000_000_000_000_007n),
    },
    {
      name: 'small',
      type: 'INT32' as const,
      nullable,
      data: Array.from({ length: n }, (_, i) => (nullable && i % 7 === 0 ? null : i - 2500)),
    },
    {
      name: 'amount',
      type: 'DOUBLE' as const,
      nullable,
      data: Array.from({ length: n }, (_, i) =>
        i === 11 ? Number.NaN : nullable && i % 13 === 0 ? null : i / 8 - 300.25,
      ),
    },
    {
      name: 'flag',
      type: 'BOOLEAN' as const,
      nullable,
      data: Array.from({ length: n }, (_, i) => (nullable && i % 5 === 0 ? null : i % 3 === 0)),
    },
    // Timestamps before 1970, on leap days and at every second of a day.
    {
      name: 'at',
      type: 'TIMESTAMP' as const,
      nullable,
      data: Array.from({ length: n }, (_, i) =>
        nullable && i % 11 === 0 ? null : new Date(Date.UTC(1960, 1, 29) + i * 9_876_543_211),
      ),
    },
    {
      name: 'note',
      type: 'STRING' as const,
      nullable,
      data: Array.from({ length: n }, (_, i) => (nullable && i % 17 === 0 ? null : strings[i % strings.length]!)),
    },
    {
      name: 'code',
      type: 'STRING' as const,
      nullable,
      data: Array.from({ length: n }, (_, i) => (nullable && i % 19 === 0 ? null : `Z${i % 40}`)),
    },
  ];

  for (const [label, nullable, codec] of [
    ['nullable, SNAPPY', true, 'SNAPPY'],
    ['required, UNCOMPRESSED', false, 'UNCOMPRESSED'],
  ] as const) {
    it(`${label}: small pages, uneven row groups`, async () => {
      const path = join(dir, `many-${codec}.parquet`);
      parquetWriteFile({
        filename: path,
        columnData: columnData(nullable),
        codec,
        pageSize: 2048,
        rowGroupSize: [1000, 3, 2997, 1000],
      });
      const { rows, mismatch } = await compareWithReference(path);
      expect(rows).toBe(n);
      expect(mismatch).toBeUndefined();
    });
  }

  // GZIP and ZSTD pages are decompressed whole (node:zlib; ZSTD by hyparquet-compressors before Node
  // 22.15), small pages and one page per column chunk alike, as CSV and as binary COPY.
  for (const codec of ['GZIP', 'ZSTD'] as const) {
    it(`nullable, ${codec}: small pages and one big page per column chunk`, async () => {
      for (const pageSize of [2048, 2 ** 30]) {
        const path = join(dir, `many-${codec}-${pageSize}.parquet`);
        parquetWriteFile({
          filename: path,
          columnData: columnData(true),
          codec,
          compressors: { GZIP: (bytes) => gzipSync(bytes), ZSTD: zstdRawBlocks },
          pageSize,
          rowGroupSize: [1000, 3, 2997, 1000],
        });
        const file = await openParquet(path);
        await file.close();
        expect(new Set(file.columns.map((c) => c.name)).size).toBe(7);
        const { rows, mismatch } = await compareWithReference(path);
        expect(rows).toBe(n);
        expect(mismatch).toBeUndefined();
        expect(await binaryMismatch(path)).toBeUndefined();
      }
    }, 120_000);
  }

  it('rarer types, not dictionary-encoded: JSON, geometry, UUID, FLOAT16', async () => {
    const path = join(dir, 'rare.parquet');
    const m = 50;
    parquetWriteFile({
      filename: path,
      columnData: [
        {
          name: 'doc',
          type: 'JSON',
          encoding: 'PLAIN',
          data: Array.from({ length: m }, (_, i) => ({ i, say: `a, "b"` })),
        },
        {
          name: 'place',
          type: 'GEOMETRY',
          encoding: 'PLAIN',
          data: Array.from({ length: m }, (_, i) => ({ type: 'Point', coordinates: [i, -i / 2] })),
        },
        {
          name: 'key',
          type: 'UUID',
          encoding: 'PLAIN',
          data: Array.from({ length: m }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
        },
        { name: 'half', type: 'FLOAT16', encoding: 'PLAIN', data: Array.from({ length: m }, (_, i) => i / 4) },
      ],
    });
    const { rows, mismatch } = await compareWithReference(path);
    expect(rows).toBe(m);
    expect(mismatch).toBeUndefined();
  });

  it('keeps the empty string apart from NULL, and quotes what CSV needs', async () => {
    const path = join(dir, 'strings.parquet');
    parquetWriteFile({
      filename: path,
      columnData: [{ name: 'note', type: 'STRING', data: ['', null, 'a,b', 'say "hi"', 'é'] }],
    });
    expect(await csvOf(path)).toBe('note\n""\n\n"a,b"\n"say ""hi"""\né\n');
  });
});

describe('one big page per column, read through a window (page-stream.ts)', () => {
  const n = 200_000; // 1.6 MB of int64s: past the 1 MB from which pages are streamed
  const long = 'y'.repeat(300_000); // longer than the window: it grows for that value
  const columnData = (nullable: boolean) => [
    { name: 'id', type: 'INT64' as const, nullable, data: Array.from({ length: n }, (_, i) => BigInt(i) * 7919n) },
    {
      name: 'small',
      type: 'INT32' as const,
      nullable,
      data: Array.from({ length: n }, (_, i) => (nullable && i % 7 === 0 ? null : (i % 1000) - 500)),
    },
    {
      name: 'amount',
      type: 'DOUBLE' as const,
      nullable,
      data: Array.from({ length: n }, (_, i) => (nullable && i % 13 === 0 ? null : Math.round(i / 3) / 100)),
    },
    {
      name: 'at',
      type: 'TIMESTAMP' as const,
      nullable,
      data: Array.from({ length: n }, (_, i) => (nullable && i % 11 === 0 ? null : new Date(1.6e12 + i * 61_001))),
    },
    {
      name: 'note',
      type: 'STRING' as const,
      nullable,
      encoding: 'PLAIN' as const,
      data: Array.from({ length: n }, (_, i) =>
        nullable && i % 17 === 0 ? null : i === 150_001 ? long : `trip ${i % 977} ${'x'.repeat(i % 40)}`,
      ),
    },
    // Dictionary indices: 40 distinct values, so one big RLE_DICTIONARY page.
    {
      name: 'zone',
      type: 'INT64' as const,
      nullable,
      data: Array.from({ length: n }, (_, i) => (nullable && i % 19 === 0 ? null : BigInt(i % 40))),
    },
  ];

  for (const [label, nullable, codec] of [
    ['nullable, SNAPPY', true, 'SNAPPY'],
    ['required, SNAPPY', false, 'SNAPPY'],
    ['nullable, UNCOMPRESSED', true, 'UNCOMPRESSED'],
  ] as const) {
    it(`${label}: the same values as hyparquet`, async () => {
      const path = join(dir, `big-pages-${label.replace(/\W+/g, '-')}.parquet`);
      parquetWriteFile({ filename: path, columnData: columnData(nullable), codec, pageSize: 2 ** 30 });
      expect(await binaryMismatch(path)).toBeUndefined();
    }, 120_000); // 200,000 rows read twice (dec, hyparquet's reference) on a shared machine
  }
});

describe('Snappy through a window', () => {
  /** A Snappy stream: a literal (70,000 bytes unless told), then one copy `offset` back. */
  function snappyPage(offset: number, tag: number[], size = 70_000): { compressed: Buffer; expected: Buffer } {
    const literal = Buffer.from(Array.from({ length: size }, (_, i) => (i * 31) % 251));
    const length = 40;
    const copied = Buffer.from(Array.from({ length }, (_, k) => literal[literal.length - offset + k]!));
    const expected = Buffer.concat([literal, copied]);
    const varint = (v: number) => {
      const out: number[] = [];
      for (; v >= 0x80; v = Math.floor(v / 128)) out.push((v & 0x7f) | 0x80);
      return [...out, v];
    };
    const n = literal.length - 1;
    const literalTag = [62 << 2, n & 0xff, (n >> 8) & 0xff, n >> 16]; // its length - 1 in 3 bytes
    const compressed = Buffer.from([...varint(expected.length), ...literalTag, ...literal, ...tag]);
    return { compressed, expected };
  }

  async function inflate(compressed: Buffer, size: number, step: number): Promise<Buffer> {
    const path = join(dir, 'snappy.bin');
    writeFileSync(path, compressed);
    const file = await open(path, 'r');
    try {
      const stream = await PageStream.open(file, 0, compressed.length, size, true);
      const parts: Buffer[] = [];
      for (let at = 0; at < stream.end;) {
        const shift = await stream.ensure(at, at + step);
        at -= shift;
        const to = Math.min(at + step, stream.end);
        parts.push(Buffer.from(stream.bytes.subarray(at, to)));
        at = to;
      }
      return Buffer.concat(parts);
    } finally {
      await file.close();
    }
  }

  it('a copy 65,535 bytes back (the most a 2-byte offset holds) is decoded across chunks and slides', async () => {
    const { compressed, expected } = snappyPage(65_535, [((40 - 1) << 2) | 2, 0xff, 0xff]);
    const got = await inflate(compressed, expected.length, 5000);
    expect(got.equals(expected)).toBe(true);
  });

  // Past what the window keeps once it has slid: the page is decoded again from its start, whole.
  it('a copy further back than the window keeps (a 4-byte offset) starts the page again, whole', async () => {
    const back = 200_000;
    const fourBytes = [((40 - 1) << 2) | 3, back & 0xff, (back >> 8) & 0xff, back >> 16, 0];
    const { compressed, expected } = snappyPage(back, fourBytes, 300_000);
    const got = await inflate(compressed, expected.length, 5000);
    expect(got.length).toBe(expected.length);
    expect(got.equals(expected)).toBe(true);
  });

  it('damage is an error, not made-up bytes: a copy before the start, a page cut short', async () => {
    const before = Buffer.from([10, (3 << 2) | 2, 5, 0]); // 10 bytes, then a copy 5 back from byte 0
    await expect(inflate(before, 10, 10)).rejects.toThrow(/not valid Snappy/);
    const { compressed, expected } = snappyPage(100, [((40 - 1) << 2) | 2, 100, 0]);
    await expect(inflate(compressed.subarray(0, 5000), expected.length, 5000)).rejects.toThrow(/not valid Snappy/);
  });
});

describe('values a column cannot hold, written column by column', () => {
  it('the first in row order is reported, whichever column is written first; PLAIN and dictionary alike', async () => {
    for (const encoding of ['PLAIN', 'RLE_DICTIONARY'] as const) {
      const path = join(dir, `bad-values-${encoding}.parquet`);
      const column = (bad: number) =>
        Array.from({ length: 3000 }, (_, i) => (i === bad ? i + 0.5 : i === 7 ? null : (i % 50) + 1));
      parquetWriteFile({
        filename: path,
        columnData: [
          { name: 'a', type: 'DOUBLE', nullable: true, data: column(2100), encoding },
          { name: 'b', type: 'DOUBLE', nullable: true, data: column(2050), encoding },
        ],
      });
      const file = await openParquet(path);
      try {
        const error = await (async () => {
          for await (const piece of file.binary(['bigint', 'bigint'])!) void piece;
        })().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ParquetValueError);
        expect(error).toMatchObject({ row: 2051, column: 'b', decimals: true, value: '2050.5' });
      } finally {
        await file.close();
      }
    }
  });
});

describe('broken files', () => {
  it('a cut-off download: names the file and says how to get it again', async () => {
    const path = join(dir, 'cut.parquet');
    const whole = readFileSync(join(FIXTURES, 'issue90.parquet'));
    writeFileSync(path, whole.subarray(0, whole.length - 100));
    const error = await openParquet(path).catch((e: unknown) => e);
    expect(isDecError(error)).toBe(true);
    expect((error as Error).message).toMatch(/cut\.parquet is not a readable Parquet file/);
  });

  it('damaged pages: an error, not a hang or made-up rows', async () => {
    const path = join(dir, 'damaged.parquet');
    copyFileSync(join(FIXTURES, 'issue90.parquet'), path);
    const bytes = readFileSync(path);
    bytes.fill(0xff, 4, 4000); // the first pages' headers and data, not the footer
    writeFileSync(path, bytes);
    await expect(csvOf(path)).rejects.toThrow();
  });
});

describe('hyparquet behind one adapter', () => {
  it('only src/data/parquet-pages.ts imports hyparquet/src/*, so an upgrade is checked in one place', () => {
    const src = fileURLToPath(new URL('../../src/', import.meta.url));
    const deep = readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts'))
      .filter((name) => /['"]hyparquet\/src\//.test(readFileSync(join(src, name), 'utf8')));
    expect(deep).toEqual([join('data', 'parquet-pages.ts')]);
  });
});

describe('CsvOut', () => {
  const textOf = (write: (out: CsvOut) => void): string => {
    const out = new CsvOut();
    write(out);
    out.finish();
    return Buffer.concat(out.take()).toString('utf8');
  };

  it('writes timestamps as Postgres reads them, any day from 0001 to 9999', () => {
    const instants = [0, -1, 951_782_400_000, 4_107_542_399_999, -62_135_596_800_000, 253_402_300_799_000];
    for (let i = 0; i < 2000; i++) instants.push(Math.round((Math.random() - 0.3) * 8e12));
    for (const millis of instants) {
      const expected = new Date(millis).toISOString().replace('T', ' ').replace('Z', '');
      const fraction = ((millis % 1000) + 1000) % 1000;
      const text = textOf((out) => writeTimestamp(out, millis * 1000 + 123 * (fraction ? 1 : 0)));
      expect(text).toBe(
        fraction ? `${expected.slice(0, 19)}.${String(fraction * 1000 + 123).padStart(6, '0')}` : expected.slice(0, 19),
      );
    }
  });

  it('writes numbers, and splits long output across buffers without losing a byte', () => {
    expect(
      textOf((out) =>
        [0, -7, 1234567890123, 0.1, -2.5e-7, 1e21, Number.NaN].forEach((n) => (out.number(n), out.separator(false))),
      ),
    ).toBe('0,-7,1234567890123,0.1,-2.5e-7,1e+21,NaN,');
    const long = 'y'.repeat(700_000);
    const text = textOf((out) => {
      out.utf8(Buffer.from(long));
      out.separator(true);
      out.utf8(Buffer.from('"'));
    });
    expect(text).toBe(`${long}\n""""`);
  });
});
