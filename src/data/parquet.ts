// Parquet → binary COPY (or CSV) bytes, one page per column at a time.
//
// hyparquet's row readers decode whole column chunks into JS values, so memory grew with the
// row-group size (1.9 GB for the 1 M-row groups of the TLC files). Here each column holds one page:
// its header and body are read from the file when the previous page is used up, and rows are cut
// across the columns' current pages in batches of at most 1,024 rows, written column by column
// (copy-batch.ts).
// What a column holds, and so the memory bound:
// - a data page of 1 MB or more (decompressed), SNAPPY or uncompressed, whose values binary COPY
//   reads in place or by dictionary index (PLAIN numbers, timestamps and strings; dictionary pages):
//   a window of 256 KB over the page plus 64 KB of compressed input (page-stream.ts), whatever the
//   page size (one page per column chunk, e.g. 11 MB per column for a million doubles, is common),
//   unless a Snappy copy reaches back past the window (not from Snappy's own compressor, which
//   pyarrow uses, nor hyparquet-writer): then that page is decompressed whole;
// - any other page: its compressed bytes and, when compressed, its decompressed bytes (the page size
//   the writer chose: about 1 MB for pyarrow and the TLC); GZIP, ZSTD, BROTLI and LZ4 pages are
//   decompressed whole by zlib or hyparquet, so their memory grows with the page size;
// - definition levels and dictionary indices: 1,024 at a time (rle-hybrid.ts); PLAIN numbers,
//   timestamps and strings for binary COPY: read in place in the page's bytes; the dictionary, and
//   for binary COPY its entries encoded as fields (12 bytes an entry for numbers and timestamps);
// - only for the whole-page path: DELTA_*, BYTE_STREAM_SPLIT and RLE booleans, and PLAIN values on
//   the CSV path (files with a column binary COPY cannot take, see parquet-fields.ts), are decoded
//   into an array of the page's values (typed arrays; one object per value for byte arrays).
// hyparquet still does the format work it does well (behind parquet-pages.ts): metadata, page
// headers, decompression, dictionary pages and the rarer encodings and types.
import { open, type FileHandle } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import type { ColumnMetaData, Compressors, FileMetaData, PageHeader, ParquetParsers, SchemaElement } from 'hyparquet';
import { DecError, errorCode } from '../errors.js';
import { CsvOut, writeTimestamp } from './csv-out.js';
import { BinaryOut } from './copy-binary.js';
import {
  addSizes,
  batchError,
  BatchValueError,
  encodeEntries,
  FieldBuffer,
  writeColumn,
  type BatchColumn,
  type Entries,
} from './copy-batch.js';
import type { Column, ColumnType } from './datasets.js';
import {
  fieldWriter,
  fixedPlain,
  type FieldValueError,
  type FieldWriter,
  type FixedPlain,
  type PlainValues,
} from './parquet-fields.js';
import { PageStream } from './page-stream.js';
import { HybridDecoder } from './rle-hybrid.js';
import { loadHyparquet, type ColumnDecoder, type DataReader as Reader, type Hyparquet } from './parquet-pages.js';

/** A page header is a few hundred bytes; statistics can make it bigger, up to this. */
const HEADER_WINDOW = 64 * 1024;
const MAX_HEADER = 16 * 1024 * 1024;
/**
 * Rows decoded and written at a time: a batch of the TLC's rows (about 210 bytes each as binary COPY)
 * stays within one 256 KB output buffer, and in the processor's cache while each column is written.
 */
const ROWS_PER_BATCH = 1024;
/** Far above the ~1 MB pages writers make; a header beyond it is damage, not data. */
const MAX_PAGE_BYTES = 256 * 1024 * 1024;
const MAX_PAGE_ROWS = 64 * 1024 * 1024;
/** Pages from this size (decompressed) are read through a window (page-stream.ts) where they can be. */
const STREAM_PAGE_BYTES = 1024 * 1024;

/** Rows handed on so far, counted where they are made. */
export interface RowCount {
  rows: number;
}

/** A value its column cannot hold, with its row (1 = the first) and column. */
export class ParquetValueError extends Error {
  readonly value: string;
  /** A number with a fraction going into a bigint column: load it as double precision instead. */
  readonly decimals: boolean;

  constructor(
    cause: FieldValueError,
    readonly row: number,
    readonly column: string,
  ) {
    super(cause.message);
    this.value = cause.value;
    this.decimals = cause.decimals;
  }
}

export interface ParquetFile {
  path: string;
  /** Names, and the Postgres type each Parquet type stands for. */
  columns: Column[];
  rows: number;
  /** The header line, then the rows, as CSV bytes in pieces of about 256 KB. */
  csv(progress?: RowCount): AsyncGenerator<Buffer>;
  /**
   * The rows as binary COPY for a table whose columns have these types (in the file's column order),
   * in pieces of about 256 KB; undefined when a column's values cannot be written as its type (then
   * the file goes as CSV, which Postgres parses). Throws ParquetValueError for a value its column
   * cannot hold.
   */
  binary(types: ColumnType[], progress?: RowCount): AsyncGenerator<Buffer> | undefined;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Cells

const textDecoder = new TextDecoder();

function csvQuote(text: string): string {
  if (text === '') return '""';
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' of a UTC instant in microseconds (dictionary pages, INT96). */
function timestampText(micros: bigint): string {
  let seconds = micros / 1_000_000n;
  if (micros < seconds * 1_000_000n) seconds -= 1n; // floor, also before 1970
  const fraction = Number(micros - seconds * 1_000_000n);
  const text = new Date(Number(seconds) * 1000).toISOString().slice(0, 19).replace('T', ' ');
  return fraction ? `${text}.${String(fraction).padStart(6, '0')}` : text;
}

/** hyparquet's parsers, turned to give CSV text (used for dictionaries and rare types). */
function textParsers(defaults: ParquetParsers): ParquetParsers {
  const quoted = (bytes: Uint8Array | undefined) =>
    bytes === undefined ? undefined : csvQuote(textDecoder.decode(bytes));
  return {
    ...defaults,
    timestampFromMilliseconds: (millis) => timestampText(millis * 1000n),
    timestampFromMicroseconds: (micros) => timestampText(micros),
    timestampFromNanoseconds: (nanos) => timestampText(nanos / 1000n),
    dateFromDays: (days) => new Date(days * 86_400_000).toISOString().slice(0, 10),
    stringFromBytes: quoted,
    jsonFromBytes: quoted,
    geometryFromBytes: (bytes) => bytes && csvQuote(JSON.stringify(defaults.geometryFromBytes(bytes))),
    geographyFromBytes: (bytes) => bytes && csvQuote(JSON.stringify(defaults.geographyFromBytes(bytes))),
  };
}

/** A converted value as CSV text: strings come quoted from textParsers; null is an empty cell. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  return typeof value === 'object' ? csvQuote(JSON.stringify(value)) : String(value);
}

type CellWriter = (out: CsvOut, value: unknown) => void;

/** How a column's plain (not dictionary) values are written: fast paths for the types the TLC files use. */
function cellWriter(element: SchemaElement, decoder: ColumnDecoder, lib: Hyparquet): CellWriter {
  const { type, converted_type: converted, logical_type: logical } = element;
  const timestampUnit =
    logical?.type === 'TIMESTAMP'
      ? logical.unit
      : converted === 'TIMESTAMP_MILLIS'
        ? 'MILLIS'
        : converted === 'TIMESTAMP_MICROS'
          ? 'MICROS'
          : undefined;
  if (type === 'INT64' && timestampUnit) {
    if (timestampUnit === 'MICROS') return (out, v) => writeTimestamp(out, Number(v as bigint));
    if (timestampUnit === 'MILLIS') return (out, v) => writeTimestamp(out, Number(v as bigint) * 1000);
    return (out, v) => writeTimestamp(out, Number((v as bigint) / 1000n));
  }
  const plainInteger =
    !converted || converted === 'INT_8' || converted === 'INT_16' || converted === 'INT_32' || converted === 'INT_64';
  const plainLogical = !logical || (logical.type === 'INTEGER' && logical.isSigned);
  if (plainInteger && plainLogical) {
    if (type === 'INT32' || type === 'FLOAT' || type === 'DOUBLE') return (out, v) => out.number(v as number);
    if (type === 'INT64')
      return (out, v) => {
        const n = Number(v as bigint);
        if (Number.isSafeInteger(n)) out.integer(n);
        else out.ascii(String(v));
      };
    if (type === 'BOOLEAN') return (out, v) => out.ascii(v ? 'true' : 'false');
  }
  const text = converted === 'UTF8' || converted === 'ENUM' || converted === 'JSON' || logical?.type === 'STRING';
  if (type === 'BYTE_ARRAY' && (text || (!converted && !logical))) return (out, v) => out.utf8(v as Uint8Array);
  // Everything else (dates, decimals, INT96, unsigned, UUID, ...) through hyparquet's own conversion.
  return (out, v) => out.cell(textOf(lib.convert([v] as never, decoder)[0]));
}

// ---------------------------------------------------------------------------------------------
// Pages

type Decompress = (input: Uint8Array, outputLength: number) => Uint8Array;

/**
 * Decompressors for the codecs hyparquet leaves to the caller: node:zlib where Node has them
 * (GZIP, BROTLI, and ZSTD from Node 22.15), else hyparquet-compressors (pure JS: ZSTD on older
 * Node, LZ4, LZ4_RAW), loaded only when the file uses one of those.
 */
async function compressorsFor(codecs: Set<string>): Promise<Compressors> {
  const zstd = (zlib as { zstdDecompressSync?: (input: Uint8Array) => Buffer }).zstdDecompressSync;
  const native: Record<string, Decompress> = {
    GZIP: (input) => zlib.gunzipSync(input),
    BROTLI: (input) => zlib.brotliDecompressSync(input),
    ...(zstd ? { ZSTD: (input: Uint8Array) => zstd(input) } : {}),
  };
  const missing = [...codecs].filter((codec) => !native[codec] && codec !== 'SNAPPY' && codec !== 'UNCOMPRESSED');
  if (missing.length === 0) return native;
  const js = await import('hyparquet-compressors');
  const byName: Record<string, Decompress> = {
    ZSTD: (input, length) => js.decompressZstd(input, new Uint8Array(length)),
    LZ4: js.decompressLz4,
    LZ4_RAW: js.decompressLz4Raw,
  };
  for (const codec of missing) {
    const decompress = byName[codec];
    if (!decompress)
      throw new DecError(`This Parquet file is compressed with ${codec}, which dec cannot read.`, {
        hint: 'Load the CSV.gz of the same month from the course mirror instead (dec data get --source mirror).',
      });
    native[codec] = decompress;
  }
  return native;
}

/**
 * Reusable buffers of one column. A page's bytes, levels and indices are only needed until the
 * column's next page is read, so they can be overwritten then; allocating them afresh made the
 * external (ArrayBuffer) memory grow faster than the garbage collector let it go.
 */
class Scratch {
  private readonly buffers = new Map<string, ArrayBuffer>();

  private readonly fieldBuffers = new Map<string, FieldBuffer>();

  bytes(key: string, size: number): Uint8Array {
    return new Uint8Array(this.take(key, size), 0, size);
  }

  /** Binary COPY fields encoded ahead (a dictionary's entries, a batch's values): see copy-batch.ts. */
  fields(key: 'dictionary' | 'batch'): FieldBuffer {
    let buffer = this.fieldBuffers.get(key);
    if (!buffer) this.fieldBuffers.set(key, (buffer = new FieldBuffer()));
    return buffer;
  }

  private take(key: string, size: number): ArrayBuffer {
    let buffer = this.buffers.get(key);
    if (!buffer || buffer.byteLength < size) {
      buffer = new ArrayBuffer(Math.max(size, 64 * 1024));
      this.buffers.set(key, buffer);
    }
    return buffer;
  }
}

interface Values {
  /** Values decoded for the whole page (encodings without a batch decoder here: DELTA, BYTE_STREAM_SPLIT, ...). */
  values: ArrayLike<unknown>;
  /** Dictionary indices, decoded a batch at a time. */
  indices?: HybridDecoder;
  /** PLAIN values left in the page's bytes, for binary COPY (then `values` is empty). */
  plain?: PlainValues;
  /** The window `plain` or `indices` read from, when the page is streamed rather than read whole. */
  stream?: PageStream;
}

interface Page extends Values {
  rows: number;
  /** Values in the page: rows less nulls. */
  count: number;
  /** Definition levels, 1 for a value and 0 for null; undefined when the page has no nulls. */
  levels: HybridDecoder | undefined;
}

const PLAIN_WIDTH: Partial<Record<string, number>> = { INT32: 4, INT64: 8, FLOAT: 4, DOUBLE: 8, BYTE_ARRAY: 0 };

function bytesOf(reader: Reader): Uint8Array {
  const { view } = reader;
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** PLAIN values read where they are (no typed array, no BigInt): binary COPY copies their bytes. */
function plainInPlace(reader: Reader, type: string, n: number): Values | undefined {
  const width = PLAIN_WIDTH[type];
  if (width === undefined) return undefined;
  const { view, offset } = reader;
  if (offset + n * width > view.byteLength)
    throw new Error(`parquet page holds fewer values than its header says (is the file damaged?)`);
  return { values: [], plain: { bytes: bytesOf(reader), view, offset } };
}

/** A typed array of numbers (a dictionary's), as PLAIN values to read from. */
function bytesOfTyped(values: ArrayBufferView & { BYTES_PER_ELEMENT: number }) {
  const { buffer, byteOffset, byteLength } = values;
  const plain = {
    bytes: new Uint8Array(buffer, byteOffset, byteLength),
    view: new DataView(buffer, byteOffset, byteLength),
    offset: 0,
  };
  return { plain, width: values.BYTES_PER_ELEMENT };
}

function readerOf(bytes: Uint8Array): Reader {
  return { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
}

/** The values of a data page (after its levels): in place, as batch decoders, or else decoded whole. */
function decodeValues(lib: Hyparquet, column: ColumnPlan, reader: Reader, encoding: string, n: number): Values {
  const { scratch, decoder } = column;
  const { type, element } = decoder;
  if (n === 0) return { values: [] };
  switch (encoding) {
    case 'PLAIN':
      return (
        (column.binary ? plainInPlace(reader, type, n) : undefined) ?? {
          values: lib.readPlain(reader, type, n, element.type_length),
        }
      );
    case 'PLAIN_DICTIONARY':
    case 'RLE_DICTIONARY': {
      const bitWidth = reader.view.getUint8(reader.offset);
      return {
        values: [],
        indices: new HybridDecoder(bytesOf(reader), reader.offset + 1, reader.view.byteLength, bitWidth),
      };
    }
    case 'RLE': {
      const bits = scratch.bytes('booleans', n);
      lib.readRleBitPackedHybrid(reader, 1, bits);
      return { values: bits };
    }
    case 'BYTE_STREAM_SPLIT':
      return { values: lib.byteStreamSplit(reader, n, type, element.type_length) };
    case 'DELTA_BINARY_PACKED': {
      const values = type === 'INT32' ? new Int32Array(n) : new BigInt64Array(n);
      lib.deltaBinaryUnpack(reader, n, values);
      return { values };
    }
    case 'DELTA_LENGTH_BYTE_ARRAY':
    case 'DELTA_BYTE_ARRAY': {
      const values = new Array<Uint8Array>(n);
      if (encoding === 'DELTA_BYTE_ARRAY') lib.deltaByteArray(reader, n, values);
      else lib.deltaLengthByteArray(reader, n, values);
      return { values };
    }
    default:
      throw new Error(`parquet encoding ${encoding} is not supported`);
  }
}

/** Decompressed into the column's scratch (SNAPPY, as the TLC files use), else by hyparquet. */
function decompress(lib: Hyparquet, column: ColumnPlan, bytes: Uint8Array, size: number): Uint8Array {
  const { codec, compressors } = column.decoder;
  if (codec !== 'SNAPPY') return lib.decompressPage(bytes, size, codec, compressors);
  const page = column.scratch.bytes('page', size);
  lib.snappyUncompress(bytes, page);
  return page;
}

function copyInto(target: Uint8Array, bytes: Uint8Array): Uint8Array {
  target.set(bytes);
  return target;
}

/** How many of `rows` definition levels are 1 (a value), counted a batch at a time. */
function countValues(bytes: Uint8Array, start: number, end: number, rows: number, buffer: Uint8Array): number {
  const levels = new HybridDecoder(bytes, start, end, 1);
  let count = 0;
  for (let done = 0; done < rows;) {
    const n = Math.min(buffer.length, rows - done);
    levels.read(buffer, n);
    for (let i = 0; i < n; i++) count += buffer[i]!;
    done += n;
  }
  return count;
}

/** The definition levels of an optional column at bytes[start..end), and how many values they say there are. */
function levelsOf(bytes: Uint8Array, start: number, end: number, rows: number, column: ColumnPlan) {
  const count = countValues(bytes, start, end, rows, column.scratch.bytes('count', ROWS_PER_BATCH));
  // No nulls: no levels to look at.
  return { count, levels: count === rows ? undefined : new HybridDecoder(bytes, start, end, 1) };
}

function pageRows(header: PageHeader): number {
  const rows = header.data_page_header?.num_values ?? header.data_page_header_v2?.num_values ?? 0;
  if (rows < 0 || rows > MAX_PAGE_ROWS)
    throw new Error(`parquet page header claims ${rows} rows (is the file damaged?)`);
  return rows;
}

/**
 * Whether a data page is read through a window (page-stream.ts) rather than whole: a big page,
 * SNAPPY or uncompressed, of values binary COPY reads in place (PLAIN numbers and strings) or by
 * dictionary index. The others (GZIP, ZSTD, ... pages; DELTA and BYTE_STREAM_SPLIT; booleans; the
 * CSV path) are decompressed and decoded whole: their memory grows with the page size.
 */
function streamable(column: ColumnPlan, header: PageHeader): boolean {
  const { codec, type } = column.decoder;
  if (!column.binary || header.uncompressed_page_size < column.streamFrom) return false;
  if (codec !== 'SNAPPY' && codec !== 'UNCOMPRESSED') return false;
  const encoding = (header.data_page_header ?? header.data_page_header_v2)?.encoding;
  if (encoding === 'PLAIN') return PLAIN_WIDTH[type] !== undefined && column.binary.plain !== undefined;
  return encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY';
}

async function readFully(file: FileHandle, buffer: Uint8Array, position: number): Promise<Uint8Array> {
  const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
  if (bytesRead < buffer.length) throw new Error('parquet file ends inside a page (is the file complete?)');
  return buffer;
}

/** A data page of a flat column (no repetition levels; definition level 0 or 1). */
function decodeDataPage(lib: Hyparquet, column: ColumnPlan, header: PageHeader, body: Uint8Array): Page {
  const { optional } = column;
  const rows = pageRows(header);
  if (header.type === 'DATA_PAGE') {
    const info = header.data_page_header!;
    const page = decompress(lib, column, body, header.uncompressed_page_size);
    const reader = readerOf(page);
    let counted = { count: rows, levels: undefined as HybridDecoder | undefined };
    if (optional) {
      // The levels' byte length, then the levels; the values follow.
      const length = reader.view.getUint32(0, true);
      if (4 + length > page.length) throw new Error('parquet page levels run past the page (is the file damaged?)');
      counted = levelsOf(page, 4, 4 + length, rows, column);
      reader.offset = 4 + length;
    }
    return { rows, ...counted, ...decodeValues(lib, column, reader, info.encoding, counted.count) };
  }
  const info = header.data_page_header_v2!;
  // A flat column has no repetition levels; some writers still store an empty run of them.
  const levelsStart = info.repetition_levels_byte_length;
  const levelsLength = info.definition_levels_byte_length;
  if (levelsStart + levelsLength > body.length)
    throw new Error('parquet page levels run past the page (is the file damaged?)');
  const count = rows - info.num_nulls;
  // The body is in the file's shared buffer when the column is compressed (see ColumnCursor.read):
  // what is read after this call returns is copied into the column's own scratch first.
  const shared = column.decoder.codec !== 'UNCOMPRESSED';
  const own = (key: string, bytes: Uint8Array) =>
    shared ? copyInto(column.scratch.bytes(key, bytes.length), bytes) : bytes;
  const levels =
    optional && levelsLength && info.num_nulls > 0
      ? new HybridDecoder(own('levels', body.subarray(levelsStart, levelsStart + levelsLength)), 0, levelsLength, 1)
      : undefined;
  let data = body.subarray(levelsStart + levelsLength);
  const size = header.uncompressed_page_size - levelsStart - levelsLength;
  data = info.is_compressed !== false ? decompress(lib, column, data, size) : own('page', data);
  return { rows, count, levels, ...decodeValues(lib, column, readerOf(data), info.encoding, count) };
}

const STRING_PAST_PAGE = 'parquet string runs past its page (is the file damaged?)';

/** Slides a streamed page's window so that PLAIN values reach `to`, and points `plain` at its bytes. */
async function slide(stream: PageStream, plain: PlainValues, to: number): Promise<void> {
  const shift = await stream.ensure(plain.offset, to);
  plain.offset -= shift;
  plain.bytes = stream.bytes;
  plain.view = stream.view;
}

/**
 * One column chunk of one row group, read page by page from the file, a batch of rows at a time:
 * load(n) decodes the batch's null flags and dictionary indices (and slides a streamed page's window
 * over its values), then the rows are written: binary COPY column by column (batch(), copy-batch.ts),
 * CSV cell by cell (writeCell).
 */
class ColumnCursor {
  private page: Page = { rows: 0, count: 0, levels: undefined, values: [] };
  private row = 0;
  /** Values of `page.values` used so far (pages decoded whole). */
  private valueIndex = 0;
  /** Values of the page not yet in a batch. */
  private valuesLeft = 0;
  /** The batch's definition levels (1 a value, 0 NULL) and dictionary indices. */
  private readonly levelBatch = new Uint8Array(ROWS_PER_BATCH);
  private readonly indexBatch = new Int32Array(ROWS_PER_BATCH);
  private readonly stagingStarts = new Int32Array(ROWS_PER_BATCH + 1);
  private readonly current: BatchColumn = {
    nulls: undefined,
    count: 0,
    fixed: undefined,
    view: undefined,
    offset: 0,
    entries: undefined,
    index: undefined,
  };
  /** CSV: the row of the batch, and the value, writeCell writes next. */
  private cellRow = 0;
  private cellValue = 0;
  private position: number;
  private readonly end: number;
  /** CSV: the dictionary's entries as ready cells. */
  private dictionary: Uint8Array[] = [];
  /** Binary: the dictionary's entries as ready binary COPY fields, each encoded once. */
  private dictionaryEntries: Entries | undefined;
  private readonly fixed: FixedPlain | undefined;

  constructor(
    private readonly file: FileHandle,
    private readonly column: ColumnPlan,
    meta: ColumnMetaData,
    private readonly lib: Hyparquet,
    target: ColumnType | undefined,
  ) {
    const data = Number(meta.data_page_offset);
    const dictionary = meta.dictionary_page_offset === undefined ? undefined : Number(meta.dictionary_page_offset);
    // Some writers store 0 for "no dictionary page"; the chunk starts at its first page either way.
    this.position = dictionary !== undefined && dictionary > 0 && dictionary < data ? dictionary : data;
    this.end = this.position + Number(meta.total_compressed_size);
    this.fixed = target && column.binary?.plain ? fixedPlain(column.decoder.element, target) : undefined;
  }

  get available(): number {
    return this.page.rows - this.row;
  }

  /**
   * Decodes the next `n` rows' null flags and dictionary indices, and makes their values readable
   * (a streamed page's window slides on and fills).
   */
  async load(n: number): Promise<void> {
    const page = this.page;
    let count = n;
    let nulls: Uint8Array | undefined;
    if (page.levels) {
      const levels = this.levelBatch;
      page.levels.read(levels, n);
      count = 0;
      for (let i = 0; i < n; i++) count += levels[i]!;
      if (count < n) nulls = levels;
    }
    if (count > this.valuesLeft) throw new Error('parquet page has fewer values than rows (is the file damaged?)');
    this.valuesLeft -= count;
    this.row += n;
    this.current.nulls = nulls;
    this.current.count = count;
    this.cellRow = this.cellValue = 0;
    const { stream, plain, indices } = page;
    if (indices) {
      if (stream && count > 0) {
        const { from, to } = indices.span(count);
        indices.rebase(stream.bytes, await stream.ensure(from, to));
      }
      indices.read(this.indexBatch, count);
    } else if (stream && plain) {
      const width = PLAIN_WIDTH[this.column.decoder.type]!;
      if (width > 0) await slide(stream, plain, plain.offset + count * width);
      else await this.prepareStrings(stream, plain, count);
    }
  }

  /** PLAIN byte arrays: each a length, then its bytes; walked to know how far `n` of them reach. */
  private async prepareStrings(stream: PageStream, plain: PlainValues, n: number): Promise<void> {
    let ahead = 0;
    for (let k = 0; k < n && plain.offset + ahead < stream.end; k++) {
      if (plain.offset + ahead + 4 > stream.end) throw new Error(STRING_PAST_PAGE);
      if (plain.offset + ahead + 4 > stream.filled) await slide(stream, plain, plain.offset + ahead + 4);
      const length = plain.view.getInt32(plain.offset + ahead, true);
      ahead += 4 + length;
      if (length < 0 || plain.offset + ahead > stream.end) throw new Error(STRING_PAST_PAGE);
      if (plain.offset + ahead > stream.filled) await slide(stream, plain, plain.offset + ahead);
    }
  }

  writeCell(out: CsvOut): void {
    const r = this.cellRow++;
    const nulls = this.current.nulls;
    if (nulls && nulls[r] === 0) return; // null: an empty cell
    const j = this.cellValue++;
    if (!this.page.indices) return this.column.write(out, this.page.values[this.valueIndex++]);
    const cell = this.dictionary[this.indexBatch[j]!];
    if (cell === undefined) throw new Error('parquet dictionary index out of range (is the file damaged?)');
    out.bytes(cell);
  }

  /**
   * The loaded batch for copy-batch.ts: fixed-width PLAIN values in place, dictionary indices into
   * the dictionary's encoded entries, or else the batch's values encoded now, one by one.
   * Throws BatchValueError for a value the column's type cannot hold.
   */
  batch(): BatchColumn {
    const batch = this.current;
    const page = this.page;
    batch.fixed = batch.view = batch.entries = batch.index = undefined;
    if (page.indices) {
      if (!this.dictionaryEntries)
        throw new Error('parquet page uses a dictionary its column lacks (is the file damaged?)');
      batch.entries = this.dictionaryEntries;
      batch.index = this.indexBatch;
      return batch;
    }
    const { plain, values } = page;
    const fixed = this.fixed;
    if (plain && fixed) {
      batch.fixed = fixed;
      batch.view = plain.view;
      batch.offset = plain.offset;
      plain.offset += batch.count * fixed.width;
      return batch;
    }
    const writer = this.column.binary!;
    const first = this.valueIndex;
    const encode = plain
      ? (out: FieldBuffer) => writer.plain!(out, plain)
      : (out: FieldBuffer, i: number) => writer.value(out, values[first + i]);
    try {
      batch.entries = encodeEntries(
        this.column.scratch.fields('batch'),
        batch.count,
        encode,
        this.stagingStarts,
        'throw',
      );
    } catch (error) {
      throw batchError(error, batch.nulls);
    }
    if (!plain) this.valueIndex += batch.count;
    return batch;
  }

  /** Reads pages until one has rows; false at the end of the chunk. */
  async next(): Promise<boolean> {
    const { decoder } = this.column;
    while (this.position < this.end) {
      const { header, start, read } = await this.readHeader();
      const data = header.type === 'DATA_PAGE' || header.type === 'DATA_PAGE_V2';
      if (data && streamable(this.column, header)) {
        const streamed = await this.streamPage(header, start);
        if (streamed.rows > 0) return this.start(streamed);
        continue;
      }
      const body = await this.body(start, header.compressed_page_size, read);
      if (header.type === 'DICTIONARY_PAGE') {
        // Formatted once: the data pages then point at ready cells.
        const { data } = this.lib.readPage(readerOf(body), header, decoder, undefined, undefined, 0);
        if (this.column.binary) {
          this.dictionaryEntries = this.encodeDictionary(this.column.binary, data ?? []);
          continue;
        }
        const converted = data ? this.lib.convert(data, decoder) : [];
        this.dictionary = Array.from(converted as ArrayLike<unknown>, (value) => Buffer.from(textOf(value), 'utf8'));
        continue;
      }
      if (header.type !== 'DATA_PAGE' && header.type !== 'DATA_PAGE_V2') continue; // index pages
      const page = decodeDataPage(this.lib, this.column, header, body);
      if (page.rows > 0) return this.start(page);
    }
    return false;
  }

  private start(page: Page): true {
    this.page = page;
    this.row = 0;
    this.valueIndex = 0;
    this.valuesLeft = page.count;
    return true;
  }

  /**
   * A dictionary's entries as binary COPY fields, each encoded once (numbers from the dictionary's
   * bytes, as PLAIN values are read: no BigInt, no boxed double). An entry the column's type cannot
   * hold is an error only when a row uses it.
   */
  private encodeDictionary(writer: FieldWriter, values: ArrayLike<unknown>): Entries {
    const typed =
      ArrayBuffer.isView(values) && !(values instanceof Uint8Array)
        ? bytesOfTyped(values as unknown as ArrayBufferView & { BYTES_PER_ELEMENT: number })
        : undefined;
    const encode =
      typed && writer.plain
        ? (out: FieldBuffer, i: number) => {
            typed.plain.offset = i * typed.width;
            writer.plain!(out, typed.plain);
          }
        : (out: FieldBuffer, i: number) => writer.value(out, values[i]);
    return encodeEntries(this.column.scratch.fields('dictionary'), values.length, encode, undefined, 'keep');
  }

  /**
   * A big data page read through a window: its definition levels whole (a bit a row at most), its
   * values as they are used.
   */
  private async streamPage(header: PageHeader, start: number): Promise<Page> {
    const { column, file } = this;
    const rows = pageRows(header);
    const v2 = header.data_page_header_v2;
    // DATA_PAGE_V2: the levels are stored uncompressed before the values.
    const skip = v2 ? v2.repetition_levels_byte_length + v2.definition_levels_byte_length : 0;
    const compressed = header.compressed_page_size - skip;
    const size = header.uncompressed_page_size - skip;
    if (compressed < 0 || size < 0) throw new Error('parquet page levels run past the page (is the file damaged?)');
    const snappy = column.decoder.codec === 'SNAPPY' && v2?.is_compressed !== false;
    let count = rows;
    let levels: HybridDecoder | undefined;
    if (v2) {
      count = rows - v2.num_nulls;
      const length = v2.definition_levels_byte_length;
      if (column.optional && length > 0 && v2.num_nulls > 0) {
        const bytes = await readFully(file, column.scratch.bytes('levels', length), start + skip - length);
        levels = new HybridDecoder(bytes, 0, length, 1);
      }
    }
    const stream = await PageStream.open(file, start + skip, compressed, size, snappy);
    let offset = 0;
    if (!v2 && column.optional) {
      // The levels' byte length, then the levels; the values follow.
      await stream.ensure(0, 4);
      const length = stream.view.getUint32(0, true);
      if (4 + length > size) throw new Error('parquet page levels run past the page (is the file damaged?)');
      await stream.ensure(0, 4 + length);
      const own = copyInto(column.scratch.bytes('levels', length), stream.bytes.subarray(4, 4 + length));
      ({ count, levels } = levelsOf(own, 0, length, rows, column));
      offset = 4 + length;
    }
    if (count <= 0) return { rows, count: 0, levels, values: [] };
    if ((v2 ?? header.data_page_header)?.encoding === 'PLAIN') {
      if (offset + count * PLAIN_WIDTH[column.decoder.type]! > size)
        throw new Error(`parquet page holds fewer values than its header says (is the file damaged?)`);
      return { rows, count, levels, values: [], stream, plain: { bytes: stream.bytes, view: stream.view, offset } };
    }
    await stream.ensure(offset, offset + 1);
    if (offset >= size) throw new Error('parquet page has no dictionary indices (is the file damaged?)');
    const indices = new HybridDecoder(stream.bytes, offset + 1, stream.end, stream.bytes[offset]!);
    return { rows, count, levels, values: [], stream, indices };
  }

  /** The next page's header, and its bytes read so far (the body follows at `start` in the file). */
  private async readHeader(): Promise<{ header: PageHeader; start: number; read: Uint8Array }> {
    let window = Math.min(HEADER_WINDOW, this.end - this.position);
    for (;;) {
      const bytes = await this.read('window', this.position, window);
      const reader = readerOf(bytes);
      let header: PageHeader;
      try {
        header = this.lib.parquetHeader(reader);
      } catch (error) {
        // The header ran past what was read: read more, up to the end of the chunk.
        const room = this.end - this.position;
        if (window < room && window < MAX_HEADER) {
          window = Math.min(room, window * 4);
          continue;
        }
        throw error;
      }
      const size = header.compressed_page_size;
      // Writers cut pages at about 1 MB; a damaged header must not make dec allocate gigabytes.
      if (size > MAX_PAGE_BYTES || header.uncompressed_page_size > MAX_PAGE_BYTES || size < 0)
        throw new Error(`parquet page header claims ${header.uncompressed_page_size} bytes (is the file damaged?)`);
      const start = this.position + reader.offset;
      if (start + size > this.end) throw new Error('parquet page runs past its column chunk (is the file complete?)');
      this.position = start + size;
      return { header, start, read: bytes.subarray(reader.offset) };
    }
  }

  /** A page's body: in the bytes read with its header, else read now. */
  private async body(start: number, size: number, read: Uint8Array): Promise<Uint8Array> {
    return size <= read.length ? read.subarray(0, size) : await this.read('body', start, size);
  }

  private async read(key: 'window' | 'body', position: number, length: number): Promise<Uint8Array> {
    // An uncompressed page's values are views of these bytes, so they get their own buffer. Compressed
    // bytes are decompressed at once (or copied, see decodeDataPage), so all columns share one buffer:
    // with one page per column chunk, a buffer per column held every column's compressed page at once.
    const buffer =
      this.column.decoder.codec === 'UNCOMPRESSED' ? new Uint8Array(length) : this.column.shared.bytes(key, length);
    const { bytesRead } = await this.file.read(buffer, 0, length, position);
    if (bytesRead < length) throw new Error('parquet file ends inside a page (is the file complete?)');
    return buffer;
  }
}

// ---------------------------------------------------------------------------------------------
// The file

/** The Postgres type of a column's values, as pandas' read_parquet + to_sql would make it. */
function postgresType(element: SchemaElement): ColumnType {
  const { type, converted_type: converted, logical_type: logical } = element;
  if (logical?.type === 'TIMESTAMP' || converted?.startsWith('TIMESTAMP') || type === 'INT96') return 'timestamp';
  if (logical?.type === 'DATE' || converted === 'DATE') return 'date';
  if (logical?.type === 'DECIMAL' || converted === 'DECIMAL' || converted === 'UINT_64') return 'numeric';
  if (logical?.type === 'INTEGER' && logical.bitWidth === 64 && !logical.isSigned) return 'numeric';
  if (type === 'BOOLEAN') return 'boolean';
  if (type === 'INT32' || type === 'INT64') return 'bigint';
  // pandas' to_sql makes float32 REAL; Postgres rounds the double's digits back to the same float32.
  if (type === 'FLOAT' || logical?.type === 'FLOAT16') return 'real';
  if (type === 'DOUBLE') return 'double precision';
  return 'text';
}

interface ColumnPlan {
  name: string;
  decoder: ColumnDecoder;
  optional: boolean;
  write: CellWriter;
  scratch: Scratch;
  /** The file's buffers for compressed bytes, shared by its columns. */
  shared: Scratch;
  /** How values go into binary COPY; undefined when the file goes as CSV. */
  binary?: FieldWriter;
  /** Data pages from this size (decompressed) are streamed where they can be (see streamable). */
  streamFrom: number;
}

function planColumns(
  lib: Hyparquet,
  metadata: FileMetaData,
  path: string,
  codecs: Compressors,
  streamFrom: number,
): ColumnPlan[] {
  const tree = lib.parquetSchema(metadata);
  const first = metadata.row_groups[0]?.columns ?? [];
  const parsers = textParsers(lib.DEFAULT_PARSERS);
  const shared = new Scratch();
  return tree.children.map((child, i) => {
    const { element } = child;
    if (child.children.length > 0 || element.repetition_type === 'REPEATED') {
      throw new DecError(`${path}: column "${element.name}" is nested (a list, map or struct).`, {
        hint: 'dec loads flat tables such as the TLC trip files; flatten the file first, or load its CSV.',
      });
    }
    const schemaPath = lib.getTreePath(tree, [element.name]);
    const decoder: ColumnDecoder = {
      pathInSchema: [element.name],
      element,
      schemaPath,
      type: element.type ?? 'BYTE_ARRAY',
      codec: first[i]?.meta_data?.codec ?? 'UNCOMPRESSED',
      parsers,
      compressors: codecs,
      utf8: true,
    };
    return {
      name: element.name,
      decoder,
      optional: lib.getMaxDefinitionLevel(schemaPath) > 0,
      write: cellWriter(element, decoder, lib),
      scratch: new Scratch(),
      shared,
      streamFrom,
    };
  });
}

/** An error reading a page, naming its column (hyparquet's alone may not). */
function pageError(error: unknown, column: string): unknown {
  if (errorCode(error)) return error; // the file system's: load.ts explains those
  const reason = (error as Error).message.replace(/ \(is the file (damaged|complete)\?\)$/, '');
  return new Error(`a page of column ${column} cannot be read (${reason}); is the file damaged or cut off?`);
}

/** streamPagesFrom: tests set 0 to stream every page that can be, small ones too. */
export async function openParquet(
  path: string,
  { streamPagesFrom = STREAM_PAGE_BYTES }: { streamPagesFrom?: number } = {},
): Promise<ParquetFile> {
  const lib = await loadHyparquet();
  let metadata: FileMetaData;
  try {
    metadata = await lib.parquetMetadataAsync(await lib.asyncBufferFromFile(path));
  } catch (error) {
    throw new DecError(`${path} is not a readable Parquet file: ${(error as Error).message}.`, {
      hint: 'Is the download complete? Get it again with dec data get, or load the CSV.gz from the course mirror.',
    });
  }
  const codecs = new Set(metadata.row_groups.flatMap((group) => group.columns.map((c) => c.meta_data?.codec ?? '')));
  const columns = planColumns(lib, metadata, path, await compressorsFor(codecs), streamPagesFrom);
  const file = await open(path, 'r');

  function cursorsOf(
    groupIndex: number,
    writers: FieldWriter[] | undefined,
    types: ColumnType[] | undefined,
  ): ColumnCursor[] {
    const group = metadata.row_groups[groupIndex]!;
    return columns.map((column, i) => {
      const meta = group.columns[i]?.meta_data;
      if (!meta) throw new Error(`parquet row group ${groupIndex} has no data for column ${column.name}`);
      // The codec can differ between row groups.
      const decoder = meta.codec === column.decoder.codec ? column.decoder : { ...column.decoder, codec: meta.codec };
      return new ColumnCursor(file, { ...column, decoder, binary: writers?.[i] }, meta, lib, types?.[i]);
    });
  }

  /** The column's next page; an error reading it says which column (hyparquet's alone may not). */
  async function nextPage(cursor: ColumnCursor, column: string): Promise<boolean> {
    try {
      return await cursor.next();
    } catch (error) {
      throw pageError(error, column);
    }
  }

  async function load(cursor: ColumnCursor, n: number, column: string): Promise<void> {
    try {
      await cursor.load(n);
    } catch (error) {
      throw pageError(error, column);
    }
  }

  /** The rows in batches of at most ROWS_PER_BATCH, within one page of every column. */
  async function* batches(
    writers?: FieldWriter[],
    types?: ColumnType[],
  ): AsyncGenerator<{ cursors: ColumnCursor[]; n: number }> {
    for (let g = 0; g < metadata.row_groups.length; g++) {
      const cursors = cursorsOf(g, writers, types);
      let remaining = Number(metadata.row_groups[g]!.num_rows);
      while (remaining > 0) {
        let n = Math.min(remaining, ROWS_PER_BATCH);
        for (const [c, cursor] of cursors.entries()) {
          if (cursor.available === 0 && !(await nextPage(cursor, columns[c]!.name)))
            throw new Error(`parquet row group ${g} ends ${remaining} rows early (is the file complete?)`);
          n = Math.min(n, cursor.available);
        }
        for (const [c, cursor] of cursors.entries()) await load(cursor, n, columns[c]!.name);
        yield { cursors, n };
        remaining -= n;
      }
    }
  }

  async function* csv(progress: RowCount = { rows: 0 }): AsyncGenerator<Buffer> {
    const out = new CsvOut();
    columns.forEach((column, i) => {
      out.utf8(Buffer.from(column.name, 'utf8'));
      out.separator(i === columns.length - 1);
    });
    const last = columns.length - 1;
    for await (const { cursors, n } of batches()) {
      for (let r = 0; r < n; r++) {
        for (let c = 0; c <= last; c++) {
          cursors[c]!.writeCell(out);
          out.separator(c === last);
        }
      }
      progress.rows += n;
      yield* out.take();
    }
    out.finish();
    yield* out.take();
  }

  /**
   * The batch's columns (copy-batch.ts), and how long each row is: sizes[r] plus what every row has
   * alike (returned). Throws ParquetValueError for the first value, in row order, a column cannot hold.
   */
  function sizeBatch(cursors: ColumnCursor[], batch: BatchColumn[], sizes: Int32Array, n: number, done: number) {
    sizes.fill(0, 0, n);
    let same = 2; // the row's field count
    let first: BatchValueError | undefined;
    let firstColumn = 0;
    for (let c = 0; c < cursors.length; c++) {
      try {
        const column = cursors[c]!.batch();
        batch[c] = column;
        same += addSizes(column, sizes, n);
      } catch (error) {
        if (!(error instanceof BatchValueError)) throw pageError(error, columns[c]!.name);
        if (!first || error.row < first.row) [first, firstColumn] = [error, c];
      }
    }
    if (first) throw new ParquetValueError(first.reason, done + first.row + 1, columns[firstColumn]!.name);
    return same;
  }

  async function* binaryRows(writers: FieldWriter[], types: ColumnType[], progress: RowCount): AsyncGenerator<Buffer> {
    const out = new BinaryOut();
    out.header();
    const fields = columns.length;
    const sizes = new Int32Array(ROWS_PER_BATCH);
    const positions = new Int32Array(ROWS_PER_BATCH);
    const batch: BatchColumn[] = [];
    for await (const { cursors, n } of batches(writers, types)) {
      const same = sizeBatch(cursors, batch, sizes, n, progress.rows);
      let total = same * n;
      for (let r = 0; r < n; r++) total += sizes[r]!;
      const at = out.reserve(total);
      const bytes = out.current;
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let r = 0, p = at; r < n; r++) {
        view.setInt16(p, fields);
        positions[r] = p + 2;
        p += same + sizes[r]!;
      }
      for (let c = 0; c < fields; c++) writeColumn(batch[c]!, view, bytes, positions, n);
      progress.rows += n;
      yield* out.take();
    }
    out.trailer();
    out.finish();
    yield* out.take();
  }

  function binary(types: ColumnType[], progress: RowCount = { rows: 0 }): AsyncGenerator<Buffer> | undefined {
    const writers = columns.map((column, i) => fieldWriter(column.decoder.element, types[i]!));
    if (!writers.every((writer) => writer !== undefined)) return undefined;
    return binaryRows(writers, types, progress);
  }

  return {
    path,
    columns: columns.map((c) => ({ name: c.name, type: postgresType(c.decoder.element) })),
    rows: Number(metadata.num_rows),
    csv,
    binary,
    close: () => file.close(),
  };
}
