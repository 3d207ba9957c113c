// The batch-at-a-time RLE / bit-packed decoder (src/data/rle-hybrid.ts) against hyparquet's whole-page
// one, on runs written by hyparquet-writer: every bit width dec meets, runs of both kinds, read in
// batches of awkward sizes so that batches start and end inside runs and inside bit-packed groups.
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { ByteWriter } from 'hyparquet-writer/src/bytewriter.js';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import { describe, expect, it } from 'vitest';
import { HybridDecoder } from '../../src/data/rle-hybrid.js';

function encoded(values: number[], width: number): Uint8Array {
  const writer = new ByteWriter();
  writeRleBitPackedHybrid(writer, values, width);
  return new Uint8Array(writer.getBuffer());
}

function valuesFor(width: number, n: number, seed: number): number[] {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const max = 2 ** width;
  const values: number[] = [];
  while (values.length < n) {
    const value = Math.floor(next() * max);
    // Long runs (RLE) and short ones (bit-packed), as levels and dictionary indices have.
    const run = next() < 0.3 ? 1 + Math.floor(next() * 40) : 1;
    for (let k = 0; k < run && values.length < n; k++) values.push(value);
  }
  return values;
}

describe('HybridDecoder', () => {
  it.each([1, 2, 3, 5, 7, 8, 9, 12, 16, 17, 20, 24])('width %i: the same values as hyparquet', (width) => {
    const n = 5000;
    const values = valuesFor(width, n, width);
    const bytes = encoded(values, width);
    const reference = new Int32Array(n);
    readRleBitPackedHybrid({ view: new DataView(bytes.buffer), offset: 0 }, width, reference, bytes.length);
    expect(Array.from(reference)).toEqual(values);

    const decoder = new HybridDecoder(bytes, 0, bytes.length, width);
    const decoded: number[] = [];
    const batch = new Int32Array(4096);
    for (let done = 0, size = 1; done < n; size = (size * 7 + 3) % 997 || 1) {
      const take = Math.min(size, n - done);
      decoder.read(batch, take);
      decoded.push(...batch.subarray(0, take));
      done += take;
    }
    expect(decoded).toEqual(values);
  });

  // hyparquet-writer and hyparquet disagree beyond 24 bits (16M dictionary entries), so these runs are packed here.
  it.each([25, 28, 31, 32])('width %i: a bit-packed run packed by hand', (width) => {
    const values = valuesFor(width, 64, width);
    let packed = 0n;
    values.forEach((value, i) => (packed |= BigInt(value) << BigInt(i * width)));
    const body = Array.from({ length: 8 * width }, (_, k) => Number((packed >> BigInt(8 * k)) & 0xffn));
    const bytes = new Uint8Array([(8 << 1) | 1, ...body]); // 8 groups of 8 values
    const out = new Int32Array(64);
    new HybridDecoder(bytes, 0, bytes.length, width).read(out, 64);
    expect(Array.from(out, (v) => v >>> 0)).toEqual(values);
  });

  it('width 0 (a dictionary of one entry): zeros, nothing read', () => {
    const out = new Int32Array(10).fill(7);
    new HybridDecoder(new Uint8Array(0), 0, 0, 0).read(out, 10);
    expect(Array.from(out)).toEqual(new Array(10).fill(0));
  });

  it('data that ends early: an error, not made-up values', () => {
    const bytes = encoded(valuesFor(3, 100, 1), 3);
    const decoder = new HybridDecoder(bytes, 0, bytes.length, 3);
    expect(() => decoder.read(new Int32Array(300), 300)).toThrow(/end early/);
  });
});
