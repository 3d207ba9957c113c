// Rows in PostgreSQL's binary COPY format (COPY ... FROM STDIN (FORMAT binary)), written as bytes into
// fixed buffers. Binary COPY spares the server parsing text (about 45% of its time on CSV) and the
// client formatting numbers and timestamps. The format (PostgreSQL docs, "COPY", Binary Format):
//   header  'PGCOPY\n\377\r\n\0', int32 flags 0, int32 header-extension length 0
//   a row   int16 number of fields, then per field int32 byte length (-1 for NULL) and the bytes
//           the type's send function makes: all big-endian
//   trailer int16 -1
// Types, as the send functions of Postgres 15 write them:
//   bigint int64; double precision / real IEEE 754 float8 / float4; boolean one byte 0 or 1;
//   date int32 days since 2000-01-01; timestamp int64 microseconds since 2000-01-01 00:00;
//   text the UTF-8 bytes (Postgres checks they are valid UTF-8 and hold no NUL).
// test/docker/data-binary-copy.test.ts compares these bytes with Postgres's own binary COPY TO.
import { ChunkedOut } from './chunked-out.js';

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // PGCOPY\n\377\r\n\0
const TWO_32 = 4_294_967_296;

/** Days from 1970-01-01 (Unix, Parquet) to 2000-01-01 (Postgres). */
export const POSTGRES_EPOCH_DAYS = 10_957;
/** Microseconds from 1970-01-01 to 2000-01-01, as the two 32-bit halves of an int64. */
const EPOCH_MICROS = POSTGRES_EPOCH_DAYS * 86_400_000_000;
const EPOCH_HIGH = Math.floor(EPOCH_MICROS / TWO_32);
const EPOCH_LOW = EPOCH_MICROS - EPOCH_HIGH * TWO_32;

export class BinaryOut extends ChunkedOut {
  private int16(value: number): void {
    const b = this.buffer;
    const p = this.position;
    b[p] = (value >>> 8) & 0xff;
    b[p + 1] = value & 0xff;
    this.position = p + 2;
  }

  private int32(value: number): void {
    const b = this.buffer;
    const p = this.position;
    b[p] = (value >>> 24) & 0xff;
    b[p + 1] = (value >>> 16) & 0xff;
    b[p + 2] = (value >>> 8) & 0xff;
    b[p + 3] = value & 0xff;
    this.position = p + 4;
  }

  header(): void {
    this.room(SIGNATURE.length + 8);
    for (const byte of SIGNATURE) this.buffer[this.position++] = byte;
    this.int32(0); // flags: no OIDs
    this.int32(0); // no header extension
  }

  trailer(): void {
    this.room(2);
    this.int16(-1);
  }

  /** Room for `n` bytes in one piece (a batch of rows, copy-batch.ts): where they start in `current`. */
  reserve(n: number): number {
    this.room(n);
    const at = this.position;
    this.position = at + n;
    return at;
  }

  /** The buffer being filled. */
  get current(): Buffer {
    return this.buffer;
  }

  /** Starts a row of `fields` fields. */
  row(fields: number): void {
    this.room(2);
    this.int16(fields);
  }

  null(): void {
    this.room(4);
    this.int32(-1);
  }

  /** An int64 from its two halves: high a signed int32, low an unsigned one. */
  int64Halves(high: number, low: number): void {
    this.room(12);
    this.int32(8);
    this.int32(high);
    this.int32(low);
  }

  /** A whole number within int64 (the caller checks: doubles going into bigint columns). */
  int64(value: number): void {
    const high = Math.floor(value / TWO_32); // exact: dividing by a power of two
    this.int64Halves(high, value - high * TWO_32);
  }

  bigint(value: bigint): void {
    this.int64Halves(Number(BigInt.asIntN(32, value >> 32n)), Number(BigInt.asUintN(32, value)));
  }

  /** `width` (4 or 8) little-endian bytes at `offset` (Parquet's PLAIN values), reversed: int64, float8, float4. */
  reversed(bytes: Uint8Array, offset: number, width: number): void {
    this.room(4 + width);
    this.int32(width);
    const b = this.buffer;
    const p = this.position;
    for (let i = 0; i < width; i++) b[p + i] = bytes[offset + width - 1 - i]!;
    this.position = p + width;
  }

  /** A little-endian int32 at `offset` (Parquet INT32), as an int64. */
  int64FromInt32(bytes: Uint8Array, offset: number): void {
    this.room(12);
    this.int32(8);
    const b = this.buffer;
    const p = this.position;
    const fill = bytes[offset + 3]! & 0x80 ? 0xff : 0;
    b[p] = b[p + 1] = b[p + 2] = b[p + 3] = fill;
    b[p + 4] = bytes[offset + 3]!;
    b[p + 5] = bytes[offset + 2]!;
    b[p + 6] = bytes[offset + 1]!;
    b[p + 7] = bytes[offset]!;
    this.position = p + 8;
  }

  float8(value: number): void {
    this.room(12);
    this.int32(8);
    this.buffer.writeDoubleBE(value, this.position);
    this.position += 8;
  }

  float4(value: number): void {
    this.room(8);
    this.int32(4);
    this.buffer.writeFloatBE(value, this.position);
    this.position += 4;
  }

  boolean(value: boolean): void {
    this.room(5);
    this.int32(1);
    this.buffer[this.position++] = value ? 1 : 0;
  }

  /** A date given as days since 1970-01-01. */
  date(unixDays: number): void {
    this.room(8);
    this.int32(4);
    this.int32(unixDays - POSTGRES_EPOCH_DAYS);
  }

  /**
   * A timestamp given as microseconds since 1970-01-01, as the two halves of an int64 (high signed,
   * low unsigned), as Parquet stores it: shifted to 2000-01-01 without BigInt. False (nothing
   * written) when the result would not fit an int64.
   */
  timestampHalves(high: number, low: number): boolean {
    let lowOut = low - EPOCH_LOW;
    let highOut = high - EPOCH_HIGH;
    if (lowOut < 0) {
      lowOut += TWO_32;
      highOut -= 1;
    }
    if (highOut < -2_147_483_648) return false;
    this.int64Halves(highOut, lowOut);
    return true;
  }

  /** A timestamp given as microseconds since 1970-01-01; false when it does not fit an int64. */
  timestamp(unixMicros: bigint): boolean {
    const micros = unixMicros - BigInt(EPOCH_MICROS);
    if (micros !== BigInt.asIntN(64, micros)) return false;
    this.bigint(micros);
    return true;
  }

  /** Text (or bytea): the bytes as they are. */
  bytes(value: Uint8Array): void {
    const n = value.length;
    this.room(4 + n);
    this.int32(n);
    if (n < 32) {
      const b = this.buffer;
      let p = this.position;
      for (let i = 0; i < n; i++) b[p++] = value[i]!;
      this.position = p;
    } else {
      this.buffer.set(value, this.position);
      this.position += n;
    }
  }
}
