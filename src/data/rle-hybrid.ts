// Parquet's RLE / bit-packed hybrid encoding (definition levels, dictionary indices), decoded a batch
// at a time. hyparquet's readRleBitPackedHybrid decodes a whole page into one array: with the one-page
// column chunks some writers make, that is a byte (levels) and up to four (indices) per row of the
// row group, for every column at once. Here a decoder keeps its place between calls, so a column
// needs a few KB whatever its page size. The format (parquet-format, Encodings.md):
//   a run header, ULEB128: (count << 1) for an RLE run of `count` copies of one value, stored in
//   ceil(width / 8) little-endian bytes; (groups << 1) | 1 for a bit-packed run of groups * 8 values,
//   `width` bits each, least significant bit first, in groups * width bytes.

const DAMAGED = 'parquet levels or dictionary indices end early (is the file damaged?)';

export class HybridDecoder {
  private offset: number;
  /** Values left in the current run. */
  private left = 0;
  private packed = false;
  /** The value of the current RLE run. */
  private value = 0;
  /** Bit-packed run: the bit where the next value starts, from the start of `bytes`. */
  private bit = 0;
  private readonly mask: number;

  constructor(
    private bytes: Uint8Array,
    start: number,
    private end: number,
    private readonly width: number,
  ) {
    if (width < 0 || width > 32) throw new Error(`parquet bit width ${width} is not valid (is the file damaged?)`);
    this.offset = start;
    this.mask = width === 32 ? 0xffffffff : 2 ** width - 1;
  }

  /** Decodes the next `n` values into output[0..n). */
  read(output: Uint8Array | Int32Array, n: number): void {
    if (this.width === 0) {
      output.fill(0, 0, n); // a dictionary of one entry: every index is 0, and nothing is stored
      return;
    }
    let i = 0;
    while (i < n) {
      if (this.left === 0) this.nextRun();
      const take = Math.min(this.left, n - i);
      if (this.packed) {
        for (let k = 0; k < take; k++) output[i + k] = this.unpack();
      } else {
        output.fill(this.value, i, i + take);
      }
      i += take;
      this.left -= take;
    }
  }

  /**
   * Where the next `n` values' bytes can be, at most: [from, to) (to may pass the end). A run header
   * takes up to 5 bytes and an RLE value up to 4, so a value costs at most 9 bytes after this run.
   */
  span(n: number): { from: number; to: number } {
    const packing = this.packed && this.left > 0;
    const from = packing ? this.bit >>> 3 : this.offset;
    // unpack() reads up to 5 bytes from a value's first byte.
    if (packing && this.left >= n) return { from, to: ((this.bit + n * this.width) >>> 3) + 5 };
    return { from, to: this.offset + 9 * n + 8 };
  }

  /** The bytes moved `shift` toward 0 (a window that slides, page-stream.ts), maybe into a new array. */
  rebase(bytes: Uint8Array, shift: number): void {
    this.bytes = bytes;
    this.offset -= shift;
    this.bit -= shift * 8;
    this.end -= shift;
  }

  private nextRun(): void {
    let header = 0;
    let shift = 0;
    for (;;) {
      if (this.offset >= this.end) throw new Error(DAMAGED);
      const byte = this.bytes[this.offset++]!;
      header += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
      shift += 7;
      if (shift > 35) throw new Error(DAMAGED);
    }
    if (header % 2 === 1) {
      const groups = Math.floor(header / 2);
      this.packed = true;
      this.left = groups * 8;
      this.bit = this.offset * 8;
      this.offset += groups * this.width;
    } else {
      this.packed = false;
      this.left = header / 2;
      let value = 0;
      const width = Math.ceil(this.width / 8);
      if (this.offset + width > this.end) throw new Error(DAMAGED);
      for (let k = 0; k < width; k++) value += this.bytes[this.offset++]! * 2 ** (8 * k);
      this.value = value;
    }
  }

  private unpack(): number {
    const bit = this.bit;
    this.bit = bit + this.width;
    const first = bit >>> 3;
    // Bits past the data are 0: the last group of a run may be cut short by some writers.
    if (first >= this.end) throw new Error(DAMAGED);
    const shift = bit & 7;
    const bytes = this.bytes;
    if (this.width + shift <= 24) {
      const word = (bytes[first] ?? 0) | ((bytes[first + 1] ?? 0) << 8) | ((bytes[first + 2] ?? 0) << 16);
      return (word >>> shift) & this.mask;
    }
    let word = 0;
    for (let k = 0; k * 8 < this.width + shift; k++) word += (bytes[first + k] ?? 0) * 2 ** (8 * k);
    return Math.floor(word / 2 ** shift) % 2 ** this.width;
  }
}
