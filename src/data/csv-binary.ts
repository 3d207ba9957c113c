// CSV → binary COPY (issue 14): dec parses the CSV bytes itself and sends the rows as
// COPY ... FROM STDIN (FORMAT binary), so Postgres no longer parses text (about 45% of its time on a
// CSV). dec made the staging table, so it knows each column's type; a value is only ever encoded by
// a fast path whose result is provably what Postgres's own text input would store:
//   bigint            [-+]?digits within int64
//   double precision  [-+]?digits[.digits] (or .digits) with a mantissa below 2^53 and at most 22
//                     digits after the point: mantissa / 10^k, one correctly rounded division (strtod
//                     rounds correctly too); other plain decimals and exponents through Number(), also
//                     correctly rounded, unless the result is infinite, zero from non-zero digits, or
//                     subnormal (float8in's range checks)
//   timestamp         YYYY-MM-DD[ T]HH:MM:SS[.f up to 6 digits], a real date and time of years 1-9999
//   text              the bytes as they are ("" inside quotes made ")
// and the file only in the shape of Postgres's CSV mode with dec's options (delimiter `,`, quote and
// escape `"`, NULL an unquoted empty field, HEADER: the first record skipped): every field either
// unquoted without a quote or wholly quoted, the line ends of the header line (\n or \r\n) throughout,
// as many fields as columns, no `\.` line. Anything else (a value such as "NaN", " 5", "1,5", a
// timestamp with a zone, a stray quote, a short row) is not guessed at: NotBinary, and the file goes
// as CSV text, which Postgres parses as it always did (same values, same error messages with line
// and column). load.ts decides on the first megabyte (so an odd file costs nothing) and restarts the
// load in CSV text when NotBinary comes later. A number with decimals in a bigint column ("264.0",
// written by pandas) is CsvDecimals: the load restarts with that column as double precision, as it
// does when Postgres refuses the value.
// test/unit/data-csv-binary.test.ts tests the parser and the fast paths; test/docker/data-csv-binary.test.ts
// loads the same files both ways into a real Postgres and compares the tables.
import { POSTGRES_EPOCH_DAYS } from './copy-binary.js';
import type { ColumnType } from './datasets.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const MINUS = 0x2d;
const PLUS = 0x2b;
const ZERO = 0x30;

const TWO_32 = 4_294_967_296;
const TWO_53 = 9_007_199_254_740_992;
const MIN_NORMAL = 2.2250738585072014e-308;
/** Exact powers of ten: 10^k for k ≤ 22 is a double without rounding. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** A row of the CSV longer than this goes as text (a field spanning megabytes would be re-scanned per chunk). */
const MAX_ROW_BYTES = 8 * 1024 * 1024;
/** Bytes of a new chunk joined to the record the last one ended in. */
const JOIN_BYTES = 4 * 1024;

/** Something the binary path does not take: the file goes as CSV text, which Postgres parses. */
export class NotBinary extends Error {}

/** A number with decimals ("264.0") in a bigint column: the load restarts with it as double precision. */
export class CsvDecimals extends Error {
  constructor(
    readonly column: number,
    readonly value: string,
  ) {
    super(`column ${column} holds decimals`);
  }
}

type Kind = 0 | 1 | 2 | 3; // bigint, double precision, timestamp, text
const KINDS: Partial<Record<ColumnType, Kind>> = { bigint: 0, 'double precision': 1, timestamp: 2, text: 3 };

/** Whether columns of these types can be sent as binary COPY from a CSV. */
export function csvBinaryTypes(types: ColumnType[]): boolean {
  return types.length > 0 && types.every((type) => KINDS[type] !== undefined);
}

/** A plain decimal number, maybe with an exponent: what strtod and Number() read alike. */
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** The bigint of `b[s, e)`: false when it is not [-+]?digits within int64 (nothing is written then). */
export function parseBigint(b: Uint8Array, s: number, e: number, out: Int64Out): boolean {
  let i = s;
  let negative = false;
  if (i < e && (b[i] === MINUS || b[i] === PLUS)) negative = b[i++] === MINUS;
  const digits = e - i;
  if (digits <= 0) return false;
  if (digits <= 15) {
    let value = 0;
    for (; i < e; i++) {
      const d = b[i]! - ZERO;
      if (d < 0 || d > 9) return false;
      value = value * 10 + d;
    }
    out.setInt64(negative ? -value : value);
    return true;
  }
  for (let k = i; k < e; k++) if (b[k]! < ZERO || b[k]! > ZERO + 9) return false;
  const value = BigInt(latin1(b, i, e));
  const signed = negative ? -value : value;
  if (signed !== BigInt.asIntN(64, signed)) return false;
  out.setInt64Halves(Number(BigInt.asIntN(32, signed >> 32n)), Number(BigInt.asUintN(32, signed)));
  return true;
}

/** The double of `b[s, e)`, as float8in would read it; undefined when not sure. */
export function parseDouble(b: Uint8Array, s: number, e: number): number | undefined {
  let i = s;
  let negative = false;
  if (i < e && (b[i] === MINUS || b[i] === PLUS)) negative = b[i++] === MINUS;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1; // digits after the point; -1: no point
  for (; i < e; i++) {
    const c = b[i]!;
    const d = c - ZERO;
    if (d >= 0 && d <= 9) {
      mantissa = mantissa * 10 + d;
      digits++;
      if (fraction >= 0) fraction++;
    } else if (c === DOT && fraction < 0) {
      fraction = 0;
    } else {
      break;
    }
  }
  if (digits === 0) return undefined;
  if (i === e && mantissa < TWO_53 && fraction <= 22) {
    const value = fraction > 0 ? mantissa / POW10[fraction]! : mantissa;
    return negative ? -value : value;
  }
  // Longer mantissas, exponents: Number() rounds correctly as strtod does, within float8in's range.
  const text = latin1(b, s, e);
  if (!NUMBER.test(text)) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) return undefined;
  const size = Math.abs(value);
  if (size < MIN_NORMAL && (size !== 0 || /[1-9]/.test(text.replace(/[eE].*$/, '')))) return undefined;
  return value;
}

const DAYS_BEFORE_MONTH = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

function twoDigits(b: Uint8Array, at: number): number {
  const h = b[at]! - ZERO;
  const l = b[at + 1]! - ZERO;
  return h >= 0 && h <= 9 && l >= 0 && l <= 9 ? h * 10 + l : -1;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (what Postgres uses). */
export function unixDays(year: number, month: number, day: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const y = year - 1;
  const daysBeforeYear = y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400);
  return daysBeforeYear + DAYS_BEFORE_MONTH[month]! + (leap && month > 2 ? 1 : 0) + day - 1 - 719_162;
}

/**
 * The timestamp of `b[s, e)` in the form YYYY-MM-DD HH:MM:SS[.ffffff] (or with T), as microseconds
 * since 2000-01-01 written into `out`; false when it is not exactly that form with a real date and time.
 */
export function parseTimestamp(b: Uint8Array, s: number, e: number, out: Int64Out): boolean {
  const n = e - s;
  if (n < 19 || n === 20 || n > 26) return false;
  if (b[s + 4] !== MINUS || b[s + 7] !== MINUS || b[s + 13] !== 0x3a || b[s + 16] !== 0x3a) return false;
  const sep = b[s + 10];
  if (sep !== 0x20 && sep !== 0x54) return false;
  const century = twoDigits(b, s);
  const yy = twoDigits(b, s + 2);
  const month = twoDigits(b, s + 5);
  const day = twoDigits(b, s + 8);
  const hour = twoDigits(b, s + 11);
  const minute = twoDigits(b, s + 14);
  const second = twoDigits(b, s + 17);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return false;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  const year = century * 100 + yy;
  if (year < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays =
    month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  if (day > monthDays) return false;
  let micros = 0;
  if (n > 19) {
    if (b[s + 19] !== DOT) return false;
    let scale = 100_000;
    for (let i = s + 20; i < e; i++, scale /= 10) {
      const d = b[i]! - ZERO;
      if (d < 0 || d > 9) return false;
      micros += d * scale;
    }
  }
  const days = unixDays(year, month, day) - POSTGRES_EPOCH_DAYS;
  const seconds = ((days * 24 + hour) * 60 + minute) * 60 + second;
  if (seconds < 9_000_000_000 && seconds > -9_000_000_000) {
    out.setInt64(seconds * 1_000_000 + micros); // below 2^53: exact
  } else {
    const value = BigInt(seconds) * 1_000_000n + BigInt(micros);
    out.setInt64Halves(Number(BigInt.asIntN(32, value >> 32n)), Number(BigInt.asUintN(32, value)));
  }
  return true;
}

function latin1(b: Uint8Array, s: number, e: number): string {
  return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1');
}

/** Where a parsed int64 goes: the output's next 8 bytes. */
export interface Int64Out {
  setInt64(value: number): void;
  setInt64Halves(high: number, low: number): void;
}

/** Seconds from 2000-01-01 of a `YYYY-MM-DD HH:MM:SS` (or T) at p, for years 1714-2285 only; NaN otherwise. */
function nearSeconds(b: Uint8Array, p: number): number {
  if (b[p + 4] !== MINUS || b[p + 7] !== MINUS || b[p + 13] !== 0x3a || b[p + 16] !== 0x3a) return NaN;
  const sep = b[p + 10];
  if (sep !== 0x20 && sep !== 0x54) return NaN;
  const century = twoDigits(b, p);
  const yy = twoDigits(b, p + 2);
  const year = century * 100 + yy;
  const month = twoDigits(b, p + 5);
  const day = twoDigits(b, p + 8);
  const hour = twoDigits(b, p + 11);
  const minute = twoDigits(b, p + 14);
  const second = twoDigits(b, p + 17);
  if (
    century < 0 ||
    yy < 0 ||
    year < 1714 ||
    year > 2285 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour < 0 ||
    hour > 23
  )
    return NaN;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;
  if (day > 28) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const last = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
    if (day > last) return NaN;
  }
  const days = unixDays(year, month, day) - POSTGRES_EPOCH_DAYS;
  return ((days * 24 + hour) * 60 + minute) * 60 + second;
}

/** Whether b[i] ends a field: `,`, a line end, or the end of the bytes. */
function endsAt(b: Uint8Array, i: number, n: number): boolean {
  if (i >= n) return true;
  const c = b[i];
  return c === COMMA || c === LF || c === CR;
}

/*
 * The fast paths, fused with the scan, for an unquoted field at p (not empty): each writes its
 * 12-byte field at o and returns where the field ends, or returns -1 (nothing written) when the field
 * is not in its simplest form; then the encoder's methods scan it again and try the functions above.
 */

function bigintAt(b: Uint8Array, p: number, n: number, view: DataView, o: number): number {
  let i = p;
  const c = b[i];
  const negative = c === MINUS;
  if (negative || c === PLUS) i++;
  const first = i;
  let value = 0;
  while (i < n) {
    const d = b[i]! - ZERO;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
    i++;
  }
  if (i === first || i - first > 15 || !endsAt(b, i, n)) return -1;
  if (negative) value = -value;
  const high = Math.floor(value / TWO_32); // exact: dividing by a power of two
  view.setInt32(o, 8);
  view.setInt32(o + 4, high);
  view.setUint32(o + 8, value - high * TWO_32);
  return i;
}

function doubleAt(b: Uint8Array, p: number, n: number, view: DataView, o: number): number {
  let i = p;
  const c = b[i];
  const negative = c === MINUS;
  if (negative || c === PLUS) i++;
  const first = i;
  let mantissa = 0;
  while (i < n) {
    const d = b[i]! - ZERO;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
    i++;
  }
  let digits = i - first;
  let fraction = 0;
  if (i < n && b[i] === DOT) {
    const point = ++i;
    while (i < n) {
      const d = b[i]! - ZERO;
      if (d < 0 || d > 9) break;
      mantissa = mantissa * 10 + d;
      i++;
    }
    fraction = i - point;
    digits += fraction;
  }
  if (digits === 0 || mantissa >= TWO_53 || fraction > 22 || !endsAt(b, i, n)) return -1;
  const value = fraction > 0 ? mantissa / POW10[fraction]! : mantissa;
  view.setInt32(o, 8);
  view.setFloat64(o + 4, negative ? -value : value);
  return i;
}

function timestampAt(b: Uint8Array, p: number, n: number, view: DataView, o: number): number {
  if (p + 19 > n) return -1;
  const seconds = nearSeconds(b, p);
  if (seconds !== seconds) return -1; // NaN: not the form, or a year far from 2000
  let i = p + 19;
  let micros = 0;
  if (i < n && b[i] === DOT) {
    i++;
    let scale = 100_000;
    while (i < n && scale >= 1) {
      const d = b[i]! - ZERO;
      if (d < 0 || d > 9) break;
      micros += d * scale;
      scale /= 10;
      i++;
    }
    if (i === p + 20) return -1;
  }
  if (!endsAt(b, i, n)) return -1;
  const value = seconds * 1_000_000 + micros; // below 2^53: exact
  const high = Math.floor(value / TWO_32);
  view.setInt32(o, 8);
  view.setInt32(o + 4, high);
  view.setUint32(o + 8, value - high * TWO_32);
  return i;
}

/** Where an unquoted text field at p ends; -1 when it holds a quote. */
function textEnd(b: Uint8Array, p: number, n: number): number {
  let i = p;
  while (i < n) {
    const d = b[i];
    if (d === COMMA || d === LF || d === CR) return i;
    if (d === QUOTE) return -1;
    i++;
  }
  return i;
}

const CHUNK = 256 * 1024;
const INCOMPLETE = -1;
const BIGINT = 0;
const DOUBLE = 1;
const TIMESTAMP = 2;
const TEXT = 3;

/**
 * Turns CSV bytes, pushed a chunk at a time, into binary COPY bytes for columns of `types` (in the
 * file's column order). push() and end() return the binary COPY pieces ready so far (about 256 KB
 * each); they throw NotBinary or CsvDecimals (see the top of the file). `rows` counts the rows encoded.
 * The common fields are parsed and written in record()'s own loop, with the output in locals (a
 * call and a property write per byte made it three times slower); quoted fields and values off the
 * fast paths go through the methods below it.
 */
export class CsvBinaryEncoder implements Int64Out {
  rows = 0;
  private readonly kinds: Uint8Array;
  /** The start of a record the last chunk ended in. */
  private carry: Buffer | undefined;
  private header = true;
  /** The line end of the header line, which Postgres then expects throughout: \r\n or \n. */
  private crlf = false;
  /** The output: rows are written into `out` at `at`; a row is never split, so it can be dropped. */
  private out = Buffer.allocUnsafe(CHUNK);
  private view = new DataView(this.out.buffer, this.out.byteOffset, this.out.length);
  private at = 0;
  private rowStart = 0;
  private readonly filled: Buffer[] = [];

  constructor(types: ColumnType[]) {
    if (!csvBinaryTypes(types)) throw new NotBinary('a column type without a binary encoder');
    this.kinds = Uint8Array.from(types, (type) => KINDS[type]!);
    // 'PGCOPY\n\377\r\n\0', flags 0, header extension 0
    const signature = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
    this.out.set(signature, 0);
    this.at = signature.length;
  }

  push(chunk: Buffer): Buffer[] {
    let from = 0;
    if (this.carry) {
      // The record begun in the last chunk, with enough of this one to end it (a record is rarely
      // longer): the rest of the chunk is read where it is, not copied.
      const carried = this.carry.length;
      const joined = Buffer.concat([this.carry, chunk.subarray(0, JOIN_BYTES)]);
      const used = this.records(joined, 0, false);
      if (used < carried) {
        this.carry = Buffer.concat([this.carry.subarray(used), chunk]);
        if (this.carry.length > MAX_ROW_BYTES) throw new NotBinary('a record of more than 8 MB');
        return this.take();
      }
      from = used - carried;
      this.carry = undefined;
    }
    const used = this.records(chunk, from, false);
    if (used < chunk.length) this.carry = Buffer.from(chunk.subarray(used));
    return this.take();
  }

  end(): Buffer[] {
    if (this.carry) {
      const b = this.carry;
      this.carry = undefined;
      if (this.records(b, 0, true) < b.length) throw new NotBinary('the file ends inside a record');
    }
    this.room(2);
    this.view.setInt16(this.at, -1); // the trailer
    this.at += 2;
    this.filled.push(this.out.subarray(0, this.at));
    return this.take();
  }

  private take(): Buffer[] {
    return this.filled.splice(0);
  }

  /** Hands on what is written before the row being written, and moves that row to a new buffer with room for `size` more. */
  private flush(size: number): void {
    const row = this.out.subarray(this.rowStart, this.at);
    if (this.rowStart > 0) this.filled.push(this.out.subarray(0, this.rowStart));
    this.out = Buffer.allocUnsafe(Math.max(CHUNK, size + row.length));
    this.view = new DataView(this.out.buffer, this.out.byteOffset, this.out.length);
    this.out.set(row, 0);
    this.rowStart = 0;
    this.at = row.length;
  }

  /** Room for n more bytes of the current row. */
  private room(n: number): void {
    if (this.at + n > this.out.length) this.flush(n);
  }

  /** Encodes the whole records of b from `from` (the last one too when `last`); returns where the rest starts. */
  private records(b: Buffer, from: number, last: boolean): number {
    let p = from;
    const n = b.length;
    if (this.header && p < n) {
      const next = this.headerLine(b, p, last);
      if (next < 0) return p;
      p = next;
    }
    while (p < n) {
      const next = this.record(b, p, n, last);
      if (next < 0) return p;
      p = next;
    }
    return p;
  }

  /**
   * Skips the header record (Postgres skips it with HEADER true, whatever it holds), and takes its
   * line end as the file's. -1 when the chunk ends first.
   */
  private headerLine(b: Buffer, p: number, last: boolean): number {
    let quoted = false;
    for (let i = p; i < b.length; i++) {
      const c = b[i];
      if (c === QUOTE) quoted = !quoted;
      else if (!quoted && c === LF) {
        this.header = false;
        return i + 1;
      } else if (!quoted && c === CR) {
        if (i + 1 >= b.length) {
          if (last) throw new NotBinary('a carriage return alone ends the header line');
          return INCOMPLETE;
        }
        if (b[i + 1] !== LF) throw new NotBinary('a carriage return alone ends the header line');
        this.crlf = true;
        this.header = false;
        return i + 2;
      }
    }
    if (!last) return INCOMPLETE;
    if (quoted) throw new NotBinary('the header line has an open quote');
    this.header = false;
    return b.length;
  }

  /** Starts a row of `fields` fields: room for its numbers, its field count; where its first field goes. */
  private beginRow(fields: number): number {
    if (this.at + 2 + 12 * fields > this.out.length) {
      this.rowStart = this.at;
      this.flush(2 + 12 * fields);
    }
    const o = this.at;
    this.rowStart = o;
    this.view.setInt16(o, fields);
    return o + 2;
  }

  /** An unquoted text field b[p, e) written at o; returns where the next field goes. */
  private textAt(b: Uint8Array, p: number, e: number, o: number): number {
    const length = e - p;
    if (o + 4 + length > this.out.length) {
      this.at = o;
      this.flush(4 + length);
      o = this.at;
    }
    const out = this.out;
    this.view.setInt32(o, length);
    o += 4;
    if (length < 32) for (let k = p; k < e; k++) out[o++] = b[k]!;
    else {
      out.set(b.subarray(p, e), o);
      o += length;
    }
    return o;
  }

  /** Encodes the record at p; returns where the next starts, or INCOMPLETE when b ends first. */
  private record(b: Buffer, p: number, n: number, last: boolean): number {
    const kinds = this.kinds;
    const fields = kinds.length;
    // Postgres ends the data at a line of \. (before version 18).
    if (b[p] === BACKSLASH && p + 1 < n && b[p + 1] === DOT) throw new NotBinary('a line starting with \\.');
    let o = this.beginRow(fields);
    let view = this.view;
    for (let f = 0; ;) {
      let q = -1;
      const c = p < n ? b[p]! : -1;
      if (c === COMMA || c === LF || c === CR || c === -1) {
        view.setInt32(o, -1); // NULL
        o += 4;
        q = p;
      } else if (c !== QUOTE) {
        const kind = kinds[f];
        if (kind === TEXT) {
          q = textEnd(b, p, n);
          if (q >= 0) {
            o = this.textAt(b, p, q, o);
            view = this.view;
          }
        } else {
          q =
            kind === BIGINT
              ? bigintAt(b, p, n, view, o)
              : kind === DOUBLE
                ? doubleAt(b, p, n, view, o)
                : timestampAt(b, p, n, view, o);
          if (q >= 0) o += 12;
        }
      }
      if (q < 0) {
        // A quoted field, or one off the fast paths: written by the methods below.
        this.at = o;
        q = c === QUOTE ? this.quotedField(b, p, n, last, f) : this.otherField(b, p, n, last, f);
        view = this.view;
        o = this.at;
      }
      if (q < 0 || q >= n) {
        if (q === INCOMPLETE || !last) {
          this.at = this.rowStart;
          return INCOMPLETE;
        }
        if (++f !== fields) throw new NotBinary('fewer fields than columns');
        this.at = o;
        this.rows++;
        return n;
      }
      const d = b[q];
      f++;
      if (d === COMMA) {
        if (f === fields) throw new NotBinary('more fields than columns');
        p = q + 1;
        continue;
      }
      if (f !== fields) throw new NotBinary('fewer fields than columns');
      if (d === LF) {
        if (this.crlf) throw new NotBinary('a line ends in \\n in a file of \\r\\n');
        this.at = o;
        this.rows++;
        return q + 1;
      }
      if (d === CR) {
        if (q + 1 >= n) {
          if (last) throw new NotBinary('a carriage return alone');
          this.at = this.rowStart;
          return INCOMPLETE;
        }
        if (!this.crlf || b[q + 1] !== LF) throw new NotBinary('a carriage return alone, or \\r\\n in a file of \\n');
        this.at = o;
        this.rows++;
        return q + 2;
      }
      throw new NotBinary('text after a closing quote');
    }
  }

  /** A quoted field at p, written; where it ends (after the closing quote), or INCOMPLETE. */
  private quotedField(b: Buffer, p: number, n: number, last: boolean, f: number): number {
    let q = p + 1;
    let escaped = false;
    for (;;) {
      q = b.indexOf(QUOTE, q);
      if (q < 0) {
        if (last) throw new NotBinary('an open quote at the end of the file');
        return INCOMPLETE;
      }
      if (q + 1 >= n) {
        if (!last) return INCOMPLETE; // "" or the end of the field: the next chunk tells
        break;
      }
      if (b[q + 1] !== QUOTE) break;
      escaped = true;
      q += 2;
    }
    const s = p + 1;
    if (this.kinds[f] === TEXT) {
      this.text(b, s, q, escaped);
      return q + 1;
    }
    if (escaped || s === q) throw new NotBinary('a quoted field that is not a number or timestamp');
    this.value(b, s, q, f);
    return q + 1;
  }

  /** An unquoted field the fast paths did not take: where it ends, after writing it, or INCOMPLETE. */
  private otherField(b: Buffer, p: number, n: number, last: boolean, f: number): number {
    let q = p;
    while (q < n) {
      const c = b[q];
      if (c === COMMA || c === LF || c === CR) break;
      if (c === QUOTE) throw new NotBinary('a quote inside an unquoted field');
      q++;
    }
    if (q === n && !last) return INCOMPLETE;
    this.value(b, p, q, f);
    return q;
  }

  /** The value of b[s, e) for column f, by the slower paths; or why it cannot go as binary. */
  private value(b: Buffer, s: number, e: number, f: number): void {
    const kind = this.kinds[f];
    if (kind === TEXT) return this.text(b, s, e, false);
    this.room(12);
    if (kind === BIGINT && parseBigint(b, s, e, this)) return;
    if (kind === DOUBLE) {
      const value = parseDouble(b, s, e);
      if (value !== undefined) {
        this.view.setInt32(this.at, 8);
        this.view.setFloat64(this.at + 4, value);
        this.at += 12;
        return;
      }
    }
    if (kind === TIMESTAMP && parseTimestamp(b, s, e, this)) return;
    const text = b.toString('utf8', s, e);
    if (kind === BIGINT && NUMBER.test(text) && /[.eE]/.test(text)) throw new CsvDecimals(f, text);
    throw new NotBinary(`"${text}" is not for the binary path`);
  }

  /** Text from b[s, e); `escaped`: "" in it stands for one " (a quoted field). */
  private text(b: Uint8Array, s: number, e: number, escaped: boolean): void {
    this.room(4 + e - s);
    const out = this.out;
    const lengthAt = this.at;
    let o = lengthAt + 4;
    if (escaped) {
      for (let i = s; i < e; i++) {
        const c = b[i]!;
        out[o++] = c;
        if (c === QUOTE) i++;
      }
    } else {
      out.set(b.subarray(s, e), o);
      o += e - s;
    }
    this.view.setInt32(lengthAt, o - lengthAt - 4);
    this.at = o;
  }

  setInt64(value: number): void {
    const high = Math.floor(value / TWO_32);
    this.setInt64Halves(high, value - high * TWO_32);
  }

  setInt64Halves(high: number, low: number): void {
    this.view.setInt32(this.at, 8);
    this.view.setInt32(this.at + 4, high);
    this.view.setUint32(this.at + 8, low);
    this.at += 12;
  }
}

/** The first bytes of a CSV tried as binary before the COPY starts: an odd file goes as text at once. */
const SAMPLE_BYTES = 1024 * 1024;

/**
 * What COPY is sent for a CSV's text: binary COPY when the columns' `types` have encoders and the
 * first megabyte takes the fast paths (rows counted in `produced` as they are encoded), else the
 * text as it is. Later, the binary source throws NotBinary or CsvDecimals (the load starts over).
 */
export async function csvCopySource(
  text: AsyncIterable<Buffer>,
  types: ColumnType[],
  produced: { rows: number },
): Promise<{ binary: boolean; source: AsyncIterable<Buffer> }> {
  if (!csvBinaryTypes(types)) return { binary: false, source: text };
  const chunks = text[Symbol.asyncIterator]();
  const encoder = new CsvBinaryEncoder(types);
  const head: Buffer[] = [];
  const first: Buffer[] = [];
  let bytes = 0;
  let ended = false;
  try {
    while (bytes < SAMPLE_BYTES) {
      const next = await chunks.next();
      if (next.done) {
        ended = true;
        break;
      }
      head.push(next.value);
      bytes += next.value.length;
      first.push(...encoder.push(next.value));
    }
    if (ended) first.push(...encoder.end());
  } catch (error) {
    if (error instanceof NotBinary) return { binary: false, source: replayed(head, ended, chunks) };
    await chunks.return?.();
    throw error;
  }
  return { binary: true, source: encoded(encoder, first, ended, chunks, produced) };
}

/** An iterator's items from where it is, as an iterable (for await ... of returns it when left early). */
function rest(chunks: AsyncIterator<Buffer>): AsyncIterable<Buffer> {
  return { [Symbol.asyncIterator]: () => chunks };
}

async function* replayed(head: Buffer[], ended: boolean, chunks: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* head;
    if (!ended) yield* rest(chunks);
  } finally {
    await chunks.return?.();
  }
}

async function* encoded(
  encoder: CsvBinaryEncoder,
  first: Buffer[],
  ended: boolean,
  chunks: AsyncIterator<Buffer>,
  produced: { rows: number },
): AsyncGenerator<Buffer> {
  try {
    produced.rows = encoder.rows;
    yield* first;
    if (ended) return;
    for await (const chunk of rest(chunks)) {
      const out = encoder.push(chunk);
      produced.rows = encoder.rows;
      yield* out;
    }
    const out = encoder.end();
    produced.rows = encoder.rows;
    yield* out;
  } finally {
    await chunks.return?.();
  }
}
