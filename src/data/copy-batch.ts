// Binary COPY rows written a batch at a time, column by column (issue 14). Writing cell by cell cost
// a call through a per-column writer for every value, and the profile of a Parquet load was mostly
// those calls. Here the cursors first decode a batch of rows of every column (null flags and
// dictionary indices into typed arrays; PLAIN values stay in the page's bytes), then:
//   1. each row's byte length is summed column by column (and the values a column cannot hold found),
//   2. the batch's bytes are reserved in one piece of the output,
//   3. each column writes its fields into every row in one tight loop per type: fixed-width PLAIN
//      values straight from the page (no BigInt, no boxed number), anything else from `Entries`,
//      fields encoded beforehand (a dictionary's entries once per dictionary; other values once per
//      batch, by the per-value FieldWriter of parquet-fields.ts).
// The bytes are the same as the per-value writers make (test/docker/data-binary-copy.test.ts).
import { BinaryOut, POSTGRES_EPOCH_DAYS } from './copy-binary.js';
import { FieldValueError, type FixedPlain } from './parquet-fields.js';

const TWO_32 = 4_294_967_296;
const TWO_63 = 9_223_372_036_854_775_808;
const EPOCH_MICROS = POSTGRES_EPOCH_DAYS * 86_400_000_000;
const EPOCH_HIGH = Math.floor(EPOCH_MICROS / TWO_32);
const EPOCH_LOW = EPOCH_MICROS - EPOCH_HIGH * TWO_32;
/** A timestamp whose high word is at least this cannot overflow int64 when shifted to 2000 (one less for a borrow). */
const MICROS_SAFE_HIGH = -2_147_483_648 + EPOCH_HIGH + 1;
const DICTIONARY_RANGE = 'parquet dictionary index out of range (is the file damaged?)';

/** Binary COPY fields encoded one after the other in a buffer that grows (rather than being handed on). */
export class FieldBuffer extends BinaryOut {
  protected override room(n: number): void {
    if (this.position + n <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.position + n));
    this.buffer.copy(bigger, 0, 0, this.position);
    this.buffer = bigger;
  }

  get length(): number {
    return this.position;
  }

  get written(): Buffer {
    return this.buffer;
  }

  /** Drops what was written from `length` on (a value that turned out bad half-way). */
  truncate(length: number): void {
    this.position = length;
  }
}

/**
 * Encoded fields (length and bytes each): entry i at bytes[starts[i], starts[i + 1]), or at
 * i * size when every entry has the same length (numbers: no offsets to keep).
 */
export interface Entries {
  bytes: Uint8Array;
  view: DataView;
  count: number;
  starts: Int32Array | undefined;
  size: number;
  /** Entries a column's type cannot hold (a dictionary can hold some no row uses): an error when used. */
  bad: Map<number, FieldValueError> | undefined;
}

/** Fields of `count` values encoded by `encode(out, i)`, which may throw FieldValueError. */
export function encodeEntries(
  out: FieldBuffer,
  count: number,
  encode: (out: FieldBuffer, i: number) => void,
  starts: Int32Array | undefined,
  onBad: 'keep' | 'throw',
): Entries {
  out.truncate(0);
  let bad: Map<number, FieldValueError> | undefined;
  const offsets = starts && starts.length > count ? starts : new Int32Array(count + 1);
  for (let i = 0; i < count; i++) {
    const start = out.length;
    offsets[i] = start;
    try {
      encode(out, i);
    } catch (error) {
      if (!(error instanceof FieldValueError) || onBad === 'throw') throw withValueIndex(error, i);
      out.truncate(start);
      (bad ??= new Map()).set(i, error);
    }
  }
  offsets[count] = out.length;
  const size = count > 0 ? offsets[1]! - offsets[0]! : 0;
  let same = bad === undefined;
  for (let i = 1; i < count && same; i++) same = offsets[i + 1]! - offsets[i]! === size;
  const bytes = out.written;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { bytes, view, count, starts: same ? undefined : offsets, size, bad };
}

/** A FieldValueError of the value at index `index` among the batch's values (not rows: nulls are skipped). */
class ValueAtIndex extends Error {
  constructor(
    readonly reason: FieldValueError,
    readonly index: number,
  ) {
    super(reason.message);
  }
}

function withValueIndex(error: unknown, index: number): unknown {
  return error instanceof FieldValueError ? new ValueAtIndex(error, index) : error;
}

/** A value a column's type cannot hold, at row `row` of the batch (0 = its first). */
export class BatchValueError extends Error {
  constructor(
    readonly reason: FieldValueError,
    readonly row: number,
  ) {
    super(reason.message);
  }
}

/** What one column holds for the current batch of rows. */
export interface BatchColumn {
  /** Per row, 1 for a value and 0 for NULL; undefined when the batch has no NULLs. */
  nulls: Uint8Array | undefined;
  /** Values in the batch: rows less NULLs. */
  count: number;
  /** Fixed-width PLAIN values, read in place from view at offset on; else `entries`. */
  fixed: FixedPlain | undefined;
  view: DataView | undefined;
  offset: number;
  entries: Entries | undefined;
  /** Which entry each value is (dictionary indices); undefined: value j is entry j. */
  index: Int32Array | undefined;
}

/** The row (0 = the batch's first) of the batch's `j`th value. */
function rowOfValue(nulls: Uint8Array | undefined, j: number): number {
  if (!nulls) return j;
  for (let r = 0, seen = 0; ; r++) if (nulls[r] === 1 && seen++ === j) return r;
}

function badValue(column: BatchColumn, j: number, cause: FieldValueError): BatchValueError {
  return new BatchValueError(cause, rowOfValue(column.nulls, j));
}

/** A ValueAtIndex thrown while a batch's values were encoded, as the row it is in. */
export function batchError(error: unknown, nulls: Uint8Array | undefined): unknown {
  return error instanceof ValueAtIndex ? new BatchValueError(error.reason, rowOfValue(nulls, error.index)) : error;
}

/**
 * Adds each row's field length of this column to sizes[0, n); returns what every row gets alike (a
 * fixed-width column without NULLs), which the caller adds once. Throws BatchValueError for the
 * column's first value its type cannot hold, so that writing (below) cannot fail.
 */
export function addSizes(column: BatchColumn, sizes: Int32Array, n: number): number {
  const { nulls, fixed, entries, index, count } = column;
  if (fixed) {
    checkFixed(column);
    const field = 4 + fixed.payload;
    if (!nulls) return field;
    for (let r = 0; r < n; r++) sizes[r] = sizes[r]! + (nulls[r] === 1 ? field : 4);
    return 0;
  }
  const { starts, size, bad, count: entryCount } = entries!;
  if (index) for (let j = 0; j < count; j++) if (index[j]! >>> 0 >= entryCount) throw new Error(DICTIONARY_RANGE);
  if (bad) {
    for (let j = 0; j < count; j++) {
      const cause = bad.get(index ? index[j]! : j);
      if (cause) throw badValue(column, j, cause);
    }
  }
  if (!starts && !nulls) return size; // an entry is a whole field, its length word too
  for (let r = 0, j = 0; r < n; r++) {
    if (nulls && nulls[r] === 0) {
      sizes[r] = sizes[r]! + 4;
      continue;
    }
    const i = index ? index[j]! : j;
    j++;
    sizes[r] = sizes[r]! + (starts ? starts[i + 1]! - starts[i]! : size);
  }
  return 0;
}

/** Values a fixed-width column's type cannot hold: a double with a fraction into bigint, a timestamp past int64. */
function checkFixed(column: BatchColumn): void {
  const { fixed, view, offset, count } = column;
  if (fixed!.kind === 'whole') {
    for (let j = 0, o = offset; j < count; j++, o += 8) {
      const value = view!.getFloat64(o, true);
      if (Number.isInteger(value) && value < TWO_63 && value >= -TWO_63) continue;
      if (Number.isNaN(value) || !Number.isFinite(value))
        throw badValue(
          column,
          j,
          new FieldValueError(`invalid input syntax for type bigint: "${value}"`, String(value)),
        );
      throw badValue(column, j, new FieldValueError(`${value} is not a whole number`, String(value), true));
    }
  } else if (fixed!.kind === 'micros') {
    for (let j = 0, o = offset; j < count; j++, o += 8) {
      const high = view!.getInt32(o + 4, true);
      if (high >= MICROS_SAFE_HIGH) continue;
      const borrow = view!.getUint32(o, true) < EPOCH_LOW ? 1 : 0;
      if (high - EPOCH_HIGH - borrow < -2_147_483_648)
        throw badValue(column, j, new FieldValueError('timestamp out of range', String(view!.getBigInt64(o, true))));
    }
  }
}

/** Writes this column's field into rows [0, n) at out[pos[r]], moving each pos[r] past it. */
export function writeColumn(column: BatchColumn, out: DataView, bytes: Uint8Array, pos: Int32Array, n: number): void {
  const { fixed, nulls } = column;
  if (!fixed) return writeEntries(column, out, bytes, pos, n);
  const view = column.view!;
  let o = column.offset;
  // One loop per kind: each stays monomorphic, with no call per value.
  switch (fixed.kind) {
    case 'reverse':
      if (fixed.width === 8) {
        for (let r = 0; r < n; r++) {
          const p = pos[r]!;
          if (nulls && nulls[r] === 0) {
            out.setInt32(p, -1);
            pos[r] = p + 4;
            continue;
          }
          out.setInt32(p, 8);
          out.setUint32(p + 4, view.getUint32(o + 4, true));
          out.setUint32(p + 8, view.getUint32(o, true));
          o += 8;
          pos[r] = p + 12;
        }
      } else {
        for (let r = 0; r < n; r++) {
          const p = pos[r]!;
          if (nulls && nulls[r] === 0) {
            out.setInt32(p, -1);
            pos[r] = p + 4;
            continue;
          }
          out.setInt32(p, 4);
          out.setUint32(p + 4, view.getUint32(o, true));
          o += 4;
          pos[r] = p + 8;
        }
      }
      return;
    case 'int32to64':
      for (let r = 0; r < n; r++) {
        const p = pos[r]!;
        if (nulls && nulls[r] === 0) {
          out.setInt32(p, -1);
          pos[r] = p + 4;
          continue;
        }
        const value = view.getInt32(o, true);
        out.setInt32(p, 8);
        out.setInt32(p + 4, value < 0 ? -1 : 0);
        out.setInt32(p + 8, value);
        o += 4;
        pos[r] = p + 12;
      }
      return;
    case 'whole':
      for (let r = 0; r < n; r++) {
        const p = pos[r]!;
        if (nulls && nulls[r] === 0) {
          out.setInt32(p, -1);
          pos[r] = p + 4;
          continue;
        }
        const value = view.getFloat64(o, true);
        const high = Math.floor(value / TWO_32); // exact: dividing by a power of two
        out.setInt32(p, 8);
        out.setInt32(p + 4, high);
        out.setUint32(p + 8, value - high * TWO_32);
        o += 8;
        pos[r] = p + 12;
      }
      return;
    case 'micros':
      for (let r = 0; r < n; r++) {
        const p = pos[r]!;
        if (nulls && nulls[r] === 0) {
          out.setInt32(p, -1);
          pos[r] = p + 4;
          continue;
        }
        let low = view.getUint32(o, true) - EPOCH_LOW;
        let high = view.getInt32(o + 4, true) - EPOCH_HIGH;
        if (low < 0) {
          low += TWO_32;
          high -= 1;
        }
        out.setInt32(p, 8);
        out.setInt32(p + 4, high);
        out.setUint32(p + 8, low);
        o += 8;
        pos[r] = p + 12;
      }
      return;
    case 'date':
      for (let r = 0; r < n; r++) {
        const p = pos[r]!;
        if (nulls && nulls[r] === 0) {
          out.setInt32(p, -1);
          pos[r] = p + 4;
          continue;
        }
        out.setInt32(p, 4);
        out.setInt32(p + 4, view.getInt32(o, true) - POSTGRES_EPOCH_DAYS);
        o += 4;
        pos[r] = p + 8;
      }
      return;
  }
}

function writeEntries(column: BatchColumn, out: DataView, bytesOut: Uint8Array, pos: Int32Array, n: number): void {
  const { nulls, index } = column;
  const { bytes, starts, size } = column.entries!;
  if (!starts && size === 12) return writeEntries12(column, out, pos, n);
  for (let r = 0, j = 0; r < n; r++) {
    let p = pos[r]!;
    if (nulls && nulls[r] === 0) {
      out.setInt32(p, -1);
      pos[r] = p + 4;
      continue;
    }
    const i = index ? index[j]! : j;
    j++;
    const start = starts ? starts[i]! : i * size;
    const end = starts ? starts[i + 1]! : start + size;
    if (end - start <= 32) {
      for (let k = start; k < end; k++) bytesOut[p++] = bytes[k]!;
    } else {
      bytesOut.set(bytes.subarray(start, end), p);
      p += end - start;
    }
    pos[r] = p;
  }
}

/** Entries of 12 bytes (an int64, double or timestamp field: most of the TLC's dictionaries), as three words. */
function writeEntries12(column: BatchColumn, out: DataView, pos: Int32Array, n: number): void {
  const { nulls, index } = column;
  const entries = column.entries!;
  const view = entries.view;
  for (let r = 0, j = 0; r < n; r++) {
    const p = pos[r]!;
    if (nulls && nulls[r] === 0) {
      out.setInt32(p, -1);
      pos[r] = p + 4;
      continue;
    }
    const start = (index ? index[j]! : j) * 12;
    j++;
    out.setInt32(p, view.getInt32(start));
    out.setInt32(p + 4, view.getInt32(start + 4));
    out.setInt32(p + 8, view.getInt32(start + 8));
    pos[r] = p + 12;
  }
}
