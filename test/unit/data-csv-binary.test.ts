// The CSV → binary COPY encoder (src/data/csv-binary.ts), pure: the number and timestamp fast paths
// against JavaScript's own (correctly rounded) readings, the CSV parser on the shapes of Postgres's
// CSV mode (quotes, "" escapes, line ends, records split across chunks anywhere), and everything the
// binary path must refuse (NotBinary: the file then goes as text) or restart on (CsvDecimals).
// test/docker/data-csv-binary.test.ts checks the same files against a real Postgres's text load.
import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../../src/data/datasets.js';
import {
  CsvBinaryEncoder,
  CsvDecimals,
  NotBinary,
  csvBinaryTypes,
  csvCopySource,
  parseBigint,
  parseDouble,
  parseTimestamp,
  unixDays,
} from '../../src/data/csv-binary.js';

const POSTGRES_EPOCH_MICROS = 946_684_800_000_000n;

/** Collects an int64 written by a parser. */
class Int64Sink {
  value: bigint | undefined;
  setInt64(value: number): void {
    this.value = BigInt(value);
  }
  setInt64Halves(high: number, low: number): void {
    this.value = (BigInt(high) << 32n) | BigInt(low >>> 0);
  }
}

const bytes = (text: string) => Buffer.from(text, 'utf8');

function bigintOf(text: string): bigint | undefined {
  const sink = new Int64Sink();
  const b = bytes(`x${text}y`);
  return parseBigint(b, 1, b.length - 1, sink) ? sink.value : undefined;
}

function doubleOf(text: string): number | undefined {
  const b = bytes(`,${text},`);
  return parseDouble(b, 1, b.length - 1);
}

/** Microseconds since 1970-01-01. */
function timestampOf(text: string): bigint | undefined {
  const sink = new Int64Sink();
  const b = bytes(text);
  return parseTimestamp(b, 0, b.length, sink) ? sink.value! + POSTGRES_EPOCH_MICROS : undefined;
}

type Value = bigint | number | string | null;

/** Reads binary COPY back: the rows' values by type (int64 as bigint, float8 as number, text). */
function decode(data: Buffer, types: ColumnType[]): Value[][] {
  expect(data.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
  let p = 19;
  const rows: Value[][] = [];
  for (;;) {
    const fields = data.readInt16BE(p);
    p += 2;
    if (fields === -1) break;
    expect(fields).toBe(types.length);
    const row: Value[] = [];
    for (const type of types) {
      const length = data.readInt32BE(p);
      p += 4;
      if (length === -1) {
        row.push(null);
        continue;
      }
      if (type === 'text') row.push(data.toString('utf8', p, p + length));
      else if (type === 'double precision') row.push(data.readDoubleBE(p));
      else if (type === 'timestamp') row.push(data.readBigInt64BE(p) + POSTGRES_EPOCH_MICROS);
      else row.push(data.readBigInt64BE(p));
      p += length;
    }
    rows.push(row);
  }
  expect(p).toBe(data.length);
  return rows;
}

/** The encoder's whole output for `csv` pushed in pieces of `size` bytes (all at once by default). */
function encode(csv: string | Buffer, types: ColumnType[], size = Infinity): Buffer {
  const input = typeof csv === 'string' ? bytes(csv) : csv;
  const encoder = new CsvBinaryEncoder(types);
  const out: Buffer[] = [];
  for (let at = 0; at < input.length; at += size) out.push(...encoder.push(input.subarray(at, at + size)));
  out.push(...encoder.end());
  return Buffer.concat(out);
}

function rowsOf(csv: string, types: ColumnType[]): Value[][] {
  return decode(encode(csv, types), types);
}

describe('bigint fast path', () => {
  it.each([
    ['0', 0n],
    ['-0', 0n],
    ['+7', 7n],
    ['007', 7n],
    ['264', 264n],
    ['-1', -1n],
    ['4294967296', 4_294_967_296n],
    ['-4294967297', -4_294_967_297n],
    ['999999999999999', 999_999_999_999_999n],
    ['9007199254740993', 9_007_199_254_740_993n],
    ['9223372036854775807', 9_223_372_036_854_775_807n],
    ['-9223372036854775808', -9_223_372_036_854_775_808n],
    ['00000000000000000000001', 1n],
  ])('%s', (text, value) => expect(bigintOf(text)).toBe(value));

  it.each([
    '',
    '-',
    '+',
    '9223372036854775808',
    '-9223372036854775809',
    '1.0',
    '264.0',
    '1e3',
    ' 1',
    '1 ',
    '1_000',
    '0x10',
    'NaN',
  ])('refuses "%s"', (text) => expect(bigintOf(text)).toBeUndefined());
});

describe('double fast path', () => {
  it.each([
    ['0', 0],
    ['-0', -0],
    ['0.1', 0.1],
    ['123456789.123', 123456789.123],
    ['-2.5', -2.5],
    ['5.', 5],
    ['.5', 0.5],
    ['+.5', 0.5],
    ['1e-7', 1e-7],
    ['1E+300', 1e300],
    ['2.2250738585072014e-308', 2.2250738585072014e-308],
    ['0.30000000000000004', 0.30000000000000004],
    ['123456789012345678901234567890', 1.2345678901234568e29],
    ['0.0000000000000000000000001', 1e-25],
    ['9007199254740993', 9007199254740992],
    ['0e5', 0],
  ])('%s', (text, value) => expect(Object.is(doubleOf(text), value)).toBe(true));

  it.each([
    '',
    '.',
    '-',
    'NaN',
    'Infinity',
    '-inf',
    ' 1',
    '1 ',
    '1e',
    '1e400',
    '1e-400',
    '4e-320',
    '0x10',
    '1,5',
    '1.2.3',
  ])('refuses "%s" (float8in reads it otherwise, or refuses it)', (text) => expect(doubleOf(text)).toBeUndefined());

  it('reads random decimals as Number() does (correctly rounded, as strtod)', () => {
    let state = 12_345;
    const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648);
    for (let i = 0; i < 20_000; i++) {
      const whole = String(next() % 10 ** (1 + (i % 9)));
      const fraction = String(next()).slice(0, 1 + (i % 10));
      const text = `${i % 3 === 0 ? '-' : ''}${whole}.${fraction}`;
      expect(doubleOf(text)).toBe(Number(text));
    }
  });
});

describe('timestamp fast path', () => {
  it.each([
    ['2021-01-22 17:07:49', '2021-01-22T17:07:49Z'],
    ['2021-01-22T17:07:49', '2021-01-22T17:07:49Z'],
    ['2000-01-01 00:00:00', '2000-01-01T00:00:00Z'],
    ['1999-12-31 23:59:59', '1999-12-31T23:59:59Z'],
    ['2024-02-29 12:00:00', '2024-02-29T12:00:00Z'],
    ['2000-02-29 00:00:00', '2000-02-29T00:00:00Z'],
    ['1970-01-01 00:00:00', '1970-01-01T00:00:00Z'],
  ])('%s', (text, iso) => expect(timestampOf(text)).toBe(BigInt(Date.parse(iso)) * 1000n));

  it('fractions to the microsecond', () => {
    const base = BigInt(Date.parse('2021-01-01T10:00:00Z')) * 1000n;
    expect(timestampOf('2021-01-01 10:00:00.5')).toBe(base + 500_000n);
    expect(timestampOf('2021-01-01 10:00:00.000001')).toBe(base + 1n);
    expect(timestampOf('2021-01-01 10:00:00.123456')).toBe(base + 123_456n);
  });

  it('years far from 2000 (past 2^53 microseconds) exactly', () => {
    expect(timestampOf('0001-01-01 00:00:00')).toBe(-62_135_596_800_000_000n);
    expect(timestampOf('9999-12-31 23:59:59.999999')).toBe(253_402_300_799_999_999n);
  });

  it.each([
    '2021-01-22',
    '2021-01-22 17:07',
    '2021-01-22 17:07:49.',
    '2021-01-22 17:07:49.1234567',
    '2021-01-22 17:07:49+00',
    '2021-01-22 17:07:49 UTC',
    '2021-13-01 00:00:00',
    '2021-00-01 00:00:00',
    '2021-02-29 00:00:00',
    '1900-02-29 00:00:00',
    '2021-04-31 00:00:00',
    '2021-01-01 24:00:00',
    '2021-01-01 23:60:00',
    '2021-01-01 23:59:60',
    '0000-01-01 00:00:00',
    '21-01-01 00:00:00',
    '2021/01/01 00:00:00',
    ' 2021-01-01 00:00:00',
  ])('refuses "%s"', (text) => expect(timestampOf(text)).toBeUndefined());

  it('days of the proleptic Gregorian calendar', () => {
    for (let ms = Date.parse('1600-01-01T00:00:00Z'); ms < Date.parse('2400-01-01T00:00:00Z'); ms += 86_400_000 * 97) {
      const d = new Date(ms);
      expect(unixDays(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())).toBe(ms / 86_400_000);
    }
  });
});

const TYPES: ColumnType[] = ['bigint', 'double precision', 'timestamp', 'text'];

describe('CsvBinaryEncoder', () => {
  it('encodes each type, NULL for an unquoted empty field and "" for a quoted one', () => {
    const csv = 'id,amount,at,flag\n1,2.5,2021-01-01 00:00:00,N\n,,,\n-3,0.1,2021-01-01 00:00:00.25,""\n';
    expect(rowsOf(csv, TYPES)).toEqual([
      [1n, 2.5, BigInt(Date.parse('2021-01-01T00:00:00Z')) * 1000n, 'N'],
      [null, null, null, null],
      [-3n, 0.1, BigInt(Date.parse('2021-01-01T00:00:00Z')) * 1000n + 250_000n, ''],
    ]);
  });

  it('reads quoted fields with commas, "" and line breaks, and quoted numbers', () => {
    const csv = 'id,amount,at,note\n"7","1.5","2021-01-01 00:00:00","a, ""b""\nc"\r\n8,2,2021-01-01 00:00:00,"x\r\ny"';
    // \r\n inside quotes is data; the file's line ends are the header's (\n).
    expect(() => rowsOf(csv, TYPES)).toThrow(NotBinary);
    const lf = csv.replace('"a, ""b""\nc"\r\n', '"a, ""b""\nc"\n');
    expect(rowsOf(lf, TYPES)).toEqual([
      [7n, 1.5, BigInt(Date.parse('2021-01-01T00:00:00Z')) * 1000n, 'a, "b"\nc'],
      [8n, 2, BigInt(Date.parse('2021-01-01T00:00:00Z')) * 1000n, 'x\r\ny'],
    ]);
  });

  it('takes \\r\\n files, a missing final line end, UTF-8 text and a quoted header', () => {
    const csv = '"id","note"\r\n1,crème brûlée\r\n2,日本\r\n3,';
    expect(rowsOf(csv, ['bigint', 'text'])).toEqual([
      [1n, 'crème brûlée'],
      [2n, '日本'],
      [3n, null],
    ]);
  });

  it('a header only, or nothing at all, gives no rows', () => {
    expect(rowsOf('id,note\n', ['bigint', 'text'])).toEqual([]);
    expect(rowsOf('id,note', ['bigint', 'text'])).toEqual([]);
    expect(rowsOf('', ['bigint', 'text'])).toEqual([]);
  });

  it('gives the same bytes whatever the chunks (records, fields, quotes and \\r\\n split anywhere)', () => {
    const lines = ['id,amount,at,note'];
    for (let i = 0; i < 60; i++) {
      const note = i % 4 === 0 ? `"q${i}, ""x""\r\nend"` : i % 4 === 1 ? '' : i % 4 === 2 ? '""' : `plain${i}`;
      lines.push(
        `${i - 30},${i / 8},2021-03-${String(1 + (i % 28)).padStart(2, '0')} 0${i % 10}:00:0${i % 10}.${i},${note}`,
      );
    }
    lines.push('123456789012345678,1e-7,2021-01-01T00:00:00,"last"');
    const csv = `${lines.join('\r\n')}\r\n`;
    const whole = encode(csv, TYPES);
    expect(decode(whole, TYPES)).toHaveLength(61);
    for (const size of [1, 2, 3, 5, 7, 13, 64, 100, 1000]) expect(encode(csv, TYPES, size).equals(whole)).toBe(true);
  });

  it('its own fast paths read random values as Number(), BigInt() and Date do', () => {
    let state = 777;
    const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648);
    const lines = ['id,amount,at'];
    const expected: Value[][] = [];
    for (let i = 0; i < 20_000; i++) {
      const id = `${i % 2 ? '-' : ''}${next()}${i % 5 === 0 ? String(next()).slice(0, 1 + (i % 9)) : ''}`;
      const amount = `${i % 3 === 0 ? '-' : ''}${next() % 10 ** (i % 12)}.${String(next()).slice(0, i % 11)}`;
      // Years 1800-1936 (the fused path), and 100-9600 (the BigInt one) every third row.
      const ms =
        i % 3
          ? Date.parse('1800-01-01T00:00:00Z') + next() * 2_000
          : Date.parse('0100-01-01T00:00:00Z') + next() * 140_000;
      const micros = i % 4 === 0 ? '' : `.${String(next() % 1_000_000).padStart(6, '0')}`.slice(0, 1 + (i % 7));
      const at = `${new Date(ms)
        .toISOString()
        .slice(0, 19)
        .replace('T', i % 2 ? ' ' : 'T')}${micros === '.' ? '' : micros}`;
      lines.push(`${id},${amount},${at}`);
      const fraction = micros.length > 1 ? BigInt(micros.slice(1).padEnd(6, '0')) : 0n;
      expected.push([BigInt(id), Number(amount), BigInt(Math.floor(ms / 1000)) * 1_000_000n + fraction]);
    }
    const types: ColumnType[] = ['bigint', 'double precision', 'timestamp'];
    expect(rowsOf(`${lines.join('\n')}\n`, types)).toEqual(expected);
  });

  it('counts the rows it encodes', () => {
    const encoder = new CsvBinaryEncoder(['bigint']);
    encoder.push(bytes('id\n1\n2\n3'));
    expect(encoder.rows).toBe(2);
    encoder.end();
    expect(encoder.rows).toBe(3);
  });

  it.each([
    ['a quote inside an unquoted field', 'id,note\n1,a"b"\n'],
    ['text after a closing quote', 'id,note\n1,"a"b\n'],
    ['fewer fields than columns', 'id,note\n1\n'],
    ['more fields than columns', 'id,note\n1,a,b\n'],
    ['an empty line', 'id,note\n1,a\n\n'],
    ['a bare \\r', 'id,note\n1,a\r2,b\n'],
    ['\\r\\n in a file of \\n', 'id,note\n1,a\r\n'],
    ['\\n in a file of \\r\\n', 'id,note\r\n1,a\n'],
    ['a \\. line', 'id,note\n\\.\n'],
    ['an open quote at the end', 'id,note\n1,"abc\n'],
    ['a value float8in reads otherwise', 'id,amount\n1,NaN\n'],
    ['a number with spaces', 'id,amount\n 1,2\n'],
    ['a quoted empty number', 'id,amount\n"",2\n'],
    ['a timestamp with a zone', 'id,at\n1,2021-01-01 00:00:00+01\n'],
    ['an int64 out of range', 'id,amount\n9223372036854775808,1\n'],
  ])('refuses %s (the file goes as text)', (_what, csv) => {
    const types: ColumnType[] = csv.includes('amount')
      ? ['bigint', 'double precision']
      : csv.includes(',at')
        ? ['bigint', 'timestamp']
        : ['bigint', 'text'];
    expect(() => encode(csv, types)).toThrow(NotBinary);
  });

  it('a number with decimals in a bigint column is CsvDecimals, with its column and value', () => {
    const error = (() => {
      try {
        encode('id,passenger_count\n1,1\n2,264.0\n', ['bigint', 'bigint']);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(CsvDecimals);
    expect(error).toMatchObject({ column: 1, value: '264.0' });
  });

  it('takes only the types it has encoders for', () => {
    expect(csvBinaryTypes(['bigint', 'double precision', 'timestamp', 'text'])).toBe(true);
    expect(csvBinaryTypes(['bigint', 'numeric'])).toBe(false);
    expect(csvBinaryTypes([])).toBe(false);
  });
});

async function* chunksOf(...pieces: string[]): AsyncGenerator<Buffer> {
  for (const piece of pieces) yield bytes(piece);
}

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const chunk of source) out.push(chunk);
  return Buffer.concat(out);
}

describe('csvCopySource', () => {
  it('sends binary COPY when the start of the file takes the fast paths, counting rows', async () => {
    const produced = { rows: 0 };
    const sent = await csvCopySource(chunksOf('id,note\n1,a\n', '2,b\n'), ['bigint', 'text'], produced);
    expect(sent.binary).toBe(true);
    expect(decode(await collect(sent.source), ['bigint', 'text'])).toEqual([
      [1n, 'a'],
      [2n, 'b'],
    ]);
    expect(produced.rows).toBe(2);
  });

  it('sends the text as it is when the start of the file does not', async () => {
    const sent = await csvCopySource(chunksOf('id,note\n1,"a"x\n', '2,b\n'), ['bigint', 'text'], { rows: 0 });
    expect(sent.binary).toBe(false);
    expect((await collect(sent.source)).toString()).toBe('id,note\n1,"a"x\n2,b\n');
  });

  it('sends the text when a column has no encoder', async () => {
    const sent = await csvCopySource(chunksOf('id,n\n1,2\n'), ['bigint', 'numeric'], { rows: 0 });
    expect(sent.binary).toBe(false);
    expect((await collect(sent.source)).toString()).toBe('id,n\n1,2\n');
  });

  it('throws NotBinary for an odd record after the first megabyte', async () => {
    const rows = 'id,note\n' + '1,abcdefgh\n'.repeat(120_000);
    const sent = await csvCopySource(chunksOf(rows, '2,"x"y\n'), ['bigint', 'text'], { rows: 0 });
    expect(sent.binary).toBe(true);
    await expect(collect(sent.source)).rejects.toBeInstanceOf(NotBinary);
  });
});
