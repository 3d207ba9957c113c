// A big data page read through a bounded window instead of whole. Some writers put a column chunk in
// one page (11 MB for a million doubles); decompressing every column's page whole held the sum of
// them at once (about 290 MB on the yellow layout, issue 14). Here a page's compressed bytes are read
// from the file 64 KB at a time and decompressed (Snappy, or copied when UNCOMPRESSED) into a window
// that keeps only what the column has not used yet, plus the 64 KB a Snappy copy may reach back.
// Snappy's format (google/snappy, format_description.txt): a varint of the uncompressed length, then
// elements: a literal (tag & 3 == 0: length, then the bytes) or a copy of 4-64 earlier bytes at an
// offset of 1, 2 or 4 bytes. Snappy's own compressor (which pyarrow and the TLC use) works on 64 KB
// blocks, and hyparquet-writer caps offsets at 65,535, so no copy reaches further back. On a page
// whose copies do, the stream starts the page again into a buffer of its whole size (its memory is
// then the page's, as for pages read whole); that is noticed as it happens, since a pass over every
// page to check first cost about 9% of a load's time.
import type { FileHandle } from 'node:fs/promises';

const INPUT_CHUNK = 64 * 1024;
/** Room for a batch of values (4,096 x 8 bytes) several times over, and Snappy's history. */
const WINDOW = 256 * 1024;
const SNAPPY_HISTORY = 64 * 1024;
/** A Snappy copy writes at most 64 bytes, so decoding may pass its target by that much. */
const SLACK = 64;

/** The `count` (1-4) bytes at bytes[at], little-endian: Snappy's lengths and offsets. */
function littleEndian(bytes: Uint8Array, at: number, count: number): number {
  const low = bytes[at]! | (count > 1 ? bytes[at + 1]! << 8 : 0) | (count > 2 ? bytes[at + 2]! << 16 : 0);
  return count > 3 ? low + bytes[at + 3]! * 0x1000000 : low;
}

const NOT_SNAPPY = 'parquet page is not valid Snappy (is the file damaged?)';
const CUT_OFF = 'parquet file ends inside a page (is the file complete?)';

/** A page's compressed bytes, read from the file a chunk at a time. */
class FileChunks {
  readonly buffer = new Uint8Array(INPUT_CHUNK);
  at = 0;
  end = 0;

  constructor(
    private readonly file: FileHandle,
    private position: number,
    private readonly stop: number,
  ) {}

  get exhausted(): boolean {
    return this.position >= this.stop;
  }

  /** Keeps the unread bytes and reads more after them; false when the page has no more. */
  async more(): Promise<boolean> {
    if (this.exhausted) return false;
    const rest = this.end - this.at;
    this.buffer.copyWithin(0, this.at, this.end);
    this.at = 0;
    this.end = rest;
    const length = Math.min(this.buffer.length - rest, this.stop - this.position);
    const { bytesRead } = await this.file.read(this.buffer, rest, length, this.position);
    if (bytesRead < length) throw new Error(CUT_OFF);
    this.position += length;
    this.end += length;
    return true;
  }

  /** The varint at the start of a Snappy page: its uncompressed length. */
  async preamble(): Promise<number> {
    await this.more();
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.at >= this.end) break;
      const byte = this.buffer[this.at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new Error(NOT_SNAPPY);
  }
}

/**
 * The bytes of one page (after its levels, for DATA_PAGE_V2), made available a range at a time:
 * `bytes[from, to)` after `await ensure(from, to)`. Offsets are into `bytes`, which moves as the
 * window slides: ensure returns by how much, so readers subtract it from the offsets they hold.
 */
export class PageStream {
  bytes = new Uint8Array(WINDOW + SLACK);
  view = new DataView(this.bytes.buffer);
  /** bytes[0, filled) hold the page's bytes from `base` on. */
  filled = 0;
  private base = 0;
  /** Bytes of the current Snappy literal not yet copied. */
  private literalLeft = 0;

  private constructor(
    private input: FileChunks,
    private readonly size: number,
    private readonly snappy: boolean,
    /** The page's compressed bytes from their start again. */
    private readonly restart: () => FileChunks,
  ) {}

  /** The page whose compressed bytes are file[position, position + compressed), `size` bytes decompressed. */
  static async open(file: FileHandle, position: number, compressed: number, size: number, snappy: boolean) {
    const restart = () => new FileChunks(file, position, position + compressed);
    const input = restart();
    if (snappy && (await input.preamble()) !== size) throw new Error(NOT_SNAPPY);
    if (!snappy && compressed !== size)
      throw new Error(`parquet page claims ${size} bytes but stores ${compressed} (is the file damaged?)`);
    return new PageStream(input, size, snappy, restart);
  }

  /** Where the page ends, as an offset into `bytes` (it may be past the window). */
  get end(): number {
    return this.size - this.base;
  }

  /**
   * Makes bytes[from, to) hold the page's bytes (to is cut at the page's end), dropping those before
   * `from` if the window needs the room. Returns how far the bytes moved toward 0.
   */
  async ensure(from: number, to: number): Promise<number> {
    to = Math.min(to, this.end);
    if (to <= this.filled) return 0;
    let shift = 0;
    if (to + SLACK > this.bytes.length) {
      shift = Math.min(from, this.snappy ? Math.max(0, this.filled - SNAPPY_HISTORY) : this.filled);
      this.bytes.copyWithin(0, shift, this.filled);
      this.filled -= shift;
      this.base += shift;
      to -= shift;
      if (to + SLACK > this.bytes.length) {
        const bigger = new Uint8Array(Math.max(to, WINDOW) + SLACK);
        bigger.set(this.bytes.subarray(0, this.filled));
        this.bytes = bigger;
        this.view = new DataView(bigger.buffer);
      }
    }
    // Fill the window, not just [from, to): fewer, bigger reads.
    const target = Math.min(this.bytes.length - SLACK, this.end);
    if (this.snappy) return shift + (await this.inflate(to, target));
    await this.copy(to, target);
    return shift;
  }

  private async copy(to: number, target: number): Promise<void> {
    const input = this.input;
    while (this.filled < to) {
      if (input.at >= input.end && !(await input.more())) throw new Error(CUT_OFF);
      const n = Math.min(input.end - input.at, target - this.filled);
      this.bytes.set(input.buffer.subarray(input.at, input.at + n), this.filled);
      input.at += n;
      this.filled += n;
    }
  }

  /** Decodes until bytes[0, to) are filled; returns by how much more the bytes moved (see readWhole). */
  private async inflate(to: number, target: number): Promise<number> {
    for (;;) {
      if (!this.decode(target)) return await this.readWhole(to);
      if (this.filled >= to) return 0;
      if (!(await this.input.more())) throw new Error(NOT_SNAPPY);
    }
  }

  /**
   * A copy reached back past the window: decodes the page again from its start into a buffer of its
   * whole size, at least up to what bytes[0, to) held. The bytes then start at the page's start: they
   * moved by -base (toward the end), which is returned.
   */
  private async readWhole(to: number): Promise<number> {
    const shift = -this.base;
    this.input = this.restart();
    await this.input.preamble();
    this.bytes = new Uint8Array(this.size + SLACK);
    this.view = new DataView(this.bytes.buffer);
    this.base = this.filled = this.literalLeft = 0;
    for (;;) {
      if (!this.decode(this.size)) throw new Error(NOT_SNAPPY);
      if (this.filled >= to - shift) return shift;
      if (!(await this.input.more())) throw new Error(NOT_SNAPPY);
    }
  }

  /**
   * Decodes elements until bytes[0, target) are filled or the input read so far runs out. False
   * when a copy reaches back before the window (history dropped as it slid: readWhole).
   */
  private decode(target: number): boolean {
    const input = this.input;
    const src = input.buffer;
    const inputEnd = input.end;
    const out = this.bytes;
    const pageEnd = this.end;
    let at = input.at;
    let filled = this.filled;
    while (filled < target) {
      if (this.literalLeft > 0) {
        const n = Math.min(this.literalLeft, target - filled, inputEnd - at);
        if (n === 0) break;
        if (n < 32) for (let k = 0; k < n; k++) out[filled + k] = src[at + k]!;
        else out.set(src.subarray(at, at + n), filled); // a view per literal costs more than short copies
        at += n;
        filled += n;
        this.literalLeft -= n;
        continue;
      }
      if (at >= inputEnd) break;
      const tag = src[at]!;
      const kind = tag & 3;
      const extra = kind === 0 ? Math.max(0, (tag >>> 2) - 59) : kind === 3 ? 4 : kind;
      if (at + 1 + extra > inputEnd) break; // the rest of the element is in the next chunk
      let length: number;
      if (kind === 0) {
        length = extra > 0 ? littleEndian(src, at + 1, extra) + 1 : (tag >>> 2) + 1;
        at += 1 + extra;
        if (filled + length > pageEnd) throw new Error(NOT_SNAPPY);
        this.literalLeft = length;
        continue;
      }
      let offset: number;
      if (kind === 1) {
        length = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | src[at + 1]!;
      } else {
        length = (tag >>> 2) + 1;
        offset = littleEndian(src, at + 1, extra);
      }
      if (offset > filled && this.base > 0) {
        input.at = at;
        this.filled = filled;
        return false;
      }
      // Before the page's start, or past its end: damage.
      if (offset === 0 || offset > filled || filled + length > pageEnd) throw new Error(NOT_SNAPPY);
      at += 1 + extra;
      for (let k = 0; k < length; k++) out[filled + k] = out[filled - offset + k]!;
      filled += length;
    }
    input.at = at;
    this.filled = filled;
    return true;
  }
}
