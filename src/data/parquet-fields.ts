// How a Parquet column's values become binary COPY fields of the staging table's column type. dec
// creates that table, so it knows each column's type; a pair (Parquet type, column type) without a
// writer here (decimals, INT96, unsigned, UUID, FLOAT16, a string into a bigint column, ...) makes the
// whole file go as CSV text instead, which Postgres parses (src/data/parquet.ts, load.ts).
import type { SchemaElement } from 'hyparquet';
import type { BinaryOut } from './copy-binary.js';
import type { ColumnType } from './datasets.js';

/** PLAIN values of a page, read in place, one after the other. */
export interface PlainValues {
  bytes: Uint8Array;
  view: DataView;
  /** Where the next value starts. */
  offset: number;
}

export interface FieldWriter {
  /**
   * Writes the next PLAIN value of the page and moves past it (absent: booleans, decoded as an array).
   * Also writes dictionary entries of fixed width, from the dictionary's bytes: no BigInt, no boxed double.
   */
  plain?(out: BinaryOut, values: PlainValues): void;
  /** Writes a decoded value: a dictionary entry, or a value of a DELTA or BYTE_STREAM_SPLIT page. */
  value(out: BinaryOut, value: unknown): void;
}

/**
 * A value the column's type cannot hold. `decimals`: a number with a fraction (or beyond int64) going
 * into a bigint column: the load starts again with the column as double precision, as pandas would.
 */
export class FieldValueError extends Error {
  constructor(
    message: string,
    readonly value: string,
    readonly decimals = false,
  ) {
    super(message);
  }
}

const TWO_63 = 9_223_372_036_854_775_808;

/** A double going into a bigint column: written as int64 when it is whole (TLC's passenger_count). */
function wholeNumber(out: BinaryOut, value: number): void {
  if (Number.isInteger(value) && value < TWO_63 && value >= -TWO_63) return out.int64(value === 0 ? 0 : value);
  if (Number.isNaN(value) || !Number.isFinite(value))
    throw new FieldValueError(`invalid input syntax for type bigint: "${value}"`, String(value));
  throw new FieldValueError(`${value} is not a whole number`, String(value), true);
}

function timestampOf(out: BinaryOut, micros: bigint): void {
  if (!out.timestamp(micros)) throw new FieldValueError('timestamp out of range', String(micros));
}

type Source = 'int32' | 'int64' | 'float' | 'double' | 'boolean' | 'date' | 'micros' | 'millis' | 'nanos' | 'string';

/** What a column's values are, for the types dec writes in binary; undefined for the others. */
function sourceOf(element: SchemaElement): Source | undefined {
  const { type, converted_type: converted, logical_type: logical } = element;
  if (type === 'INT64' && (logical?.type === 'TIMESTAMP' || converted?.startsWith('TIMESTAMP'))) {
    const unit = logical?.type === 'TIMESTAMP' ? logical.unit : converted === 'TIMESTAMP_MILLIS' ? 'MILLIS' : 'MICROS';
    return unit === 'MICROS' ? 'micros' : unit === 'MILLIS' ? 'millis' : 'nanos';
  }
  if (type === 'INT32' && (logical?.type === 'DATE' || converted === 'DATE')) return 'date';
  const signedInteger =
    (!converted ||
      converted === 'INT_8' ||
      converted === 'INT_16' ||
      converted === 'INT_32' ||
      converted === 'INT_64') &&
    (!logical || (logical.type === 'INTEGER' && logical.isSigned));
  if (signedInteger && type === 'INT32') return 'int32';
  if (signedInteger && type === 'INT64') return 'int64';
  if (type === 'FLOAT' && !logical && !converted) return 'float';
  if (type === 'DOUBLE' && !logical && !converted) return 'double';
  if (type === 'BOOLEAN') return 'boolean';
  const text = converted === 'UTF8' || converted === 'ENUM' || converted === 'JSON' || logical?.type === 'STRING';
  if (type === 'BYTE_ARRAY' && (text || (!converted && !logical))) return 'string';
  return undefined;
}

function advance(values: PlainValues, width: number): number {
  const offset = values.offset;
  values.offset = offset + width;
  return offset;
}

const WRITERS: Partial<Record<ColumnType, Partial<Record<Source, FieldWriter>>>> = {
  bigint: {
    int64: {
      plain: (out, v) => out.reversed(v.bytes, advance(v, 8), 8),
      value: (out, value) => out.bigint(value as bigint),
    },
    int32: {
      plain: (out, v) => out.int64FromInt32(v.bytes, advance(v, 4)),
      value: (out, value) => out.int64(value as number),
    },
    double: {
      plain: (out, v) => wholeNumber(out, v.view.getFloat64(advance(v, 8), true)),
      value: (out, value) => wholeNumber(out, value as number),
    },
    float: {
      plain: (out, v) => wholeNumber(out, v.view.getFloat32(advance(v, 4), true)),
      value: (out, value) => wholeNumber(out, value as number),
    },
  },
  'double precision': {
    double: {
      plain: (out, v) => out.reversed(v.bytes, advance(v, 8), 8),
      value: (out, value) => out.float8(value as number),
    },
    float: {
      plain: (out, v) => out.float8(v.view.getFloat32(advance(v, 4), true)),
      value: (out, value) => out.float8(value as number),
    },
    int32: {
      plain: (out, v) => out.float8(v.view.getInt32(advance(v, 4), true)),
      value: (out, value) => out.float8(value as number),
    },
    int64: {
      plain: (out, v) => out.float8(Number(v.view.getBigInt64(advance(v, 8), true))),
      value: (out, value) => out.float8(Number(value as bigint)),
    },
  },
  real: {
    float: {
      plain: (out, v) => out.reversed(v.bytes, advance(v, 4), 4),
      value: (out, value) => out.float4(value as number),
    },
  },
  boolean: { boolean: { value: (out, value) => out.boolean(Boolean(value)) } },
  date: {
    date: {
      plain: (out, v) => out.date(v.view.getInt32(advance(v, 4), true)),
      value: (out, value) => out.date(value as number),
    },
  },
  timestamp: {
    micros: {
      plain: (out, v) => {
        const offset = advance(v, 8);
        if (!out.timestampHalves(v.view.getInt32(offset + 4, true), v.view.getUint32(offset, true)))
          throw new FieldValueError('timestamp out of range', String(v.view.getBigInt64(offset, true)));
      },
      value: (out, value) => timestampOf(out, value as bigint),
    },
    millis: {
      plain: (out, v) => timestampOf(out, v.view.getBigInt64(advance(v, 8), true) * 1000n),
      value: (out, value) => timestampOf(out, (value as bigint) * 1000n),
    },
    // Cut toward zero, as the CSV path does.
    nanos: {
      plain: (out, v) => timestampOf(out, v.view.getBigInt64(advance(v, 8), true) / 1000n),
      value: (out, value) => timestampOf(out, (value as bigint) / 1000n),
    },
  },
  text: {
    string: {
      // PLAIN byte arrays: a little-endian int32 length, then the bytes.
      plain: (out, v) => {
        const length = v.view.getInt32(v.offset, true);
        const start = v.offset + 4;
        if (length < 0 || start + length > v.bytes.length)
          throw new Error('parquet string runs past its page (is the file damaged?)');
        v.offset = start + length;
        out.bytes(v.bytes.subarray(start, start + length));
      },
      value: (out, value) => out.bytes(value as Uint8Array),
    },
  },
};

/**
 * Fixed-width PLAIN values that copy-batch.ts writes a batch at a time, without a call per value:
 * `width` bytes each in the page, written as a field of `payload` bytes.
 *   reverse      little-endian bytes reversed: int64 into bigint, double into double precision, float into real
 *   int32to64    INT32 into bigint, sign-extended
 *   whole        a double into bigint: written as int64 when whole (TLC's passenger_count), else an error
 *   micros       timestamp micros since 1970 into timestamp (micros since 2000)
 *   date         days since 1970 into date (days since 2000)
 */
type FixedKind = 'reverse' | 'int32to64' | 'whole' | 'micros' | 'date';

export interface FixedPlain {
  kind: FixedKind;
  width: number;
  payload: number;
}

const FIXED: Partial<Record<ColumnType, Partial<Record<Source, FixedPlain>>>> = {
  bigint: {
    int64: { kind: 'reverse', width: 8, payload: 8 },
    int32: { kind: 'int32to64', width: 4, payload: 8 },
    double: { kind: 'whole', width: 8, payload: 8 },
  },
  'double precision': { double: { kind: 'reverse', width: 8, payload: 8 } },
  real: { float: { kind: 'reverse', width: 4, payload: 4 } },
  timestamp: { micros: { kind: 'micros', width: 8, payload: 8 } },
  date: { date: { kind: 'date', width: 4, payload: 4 } },
};

/** The batch writer for this column's PLAIN values (copy-batch.ts), if it has one; else FieldWriter. */
export function fixedPlain(element: SchemaElement, target: ColumnType): FixedPlain | undefined {
  const source = sourceOf(element);
  return source && FIXED[target]?.[source];
}

/** How values of this Parquet column are written into a column of type `target`; undefined if dec cannot. */
export function fieldWriter(element: SchemaElement, target: ColumnType): FieldWriter | undefined {
  const source = sourceOf(element);
  return source && WRITERS[target]?.[source];
}
