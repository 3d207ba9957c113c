// The one module of dec that reaches into hyparquet's internals (`hyparquet/src/*.js`). dec reads a
// Parquet file page by page (src/data/parquet.ts) to keep memory bounded, and hyparquet's public API
// only reads whole column chunks; so dec uses these parts of it, which it does not promise to keep:
//   column.js   parquetHeader(reader): a page header (thrift) from bytes, the reader left at the page body;
//               readPage(...): a DICTIONARY_PAGE's values (decompressed, PLAIN-decoded).
//   datapage.js decompressPage(bytes, size, codec, compressors): codecs other than SNAPPY.
//   encoding.js readRleBitPackedHybrid(reader, width, output, length?): definition levels, dictionary
//               indices, RLE booleans; byteStreamSplit(reader, n, type, typeLength).
//   plain.js    readPlain(reader, type, n, typeLength): PLAIN values (typed arrays; views when aligned).
//   delta.js    deltaBinaryUnpack, deltaLengthByteArray, deltaByteArray: the DELTA encodings.
//   convert.js  convert(values, decoder), DEFAULT_PARSERS: rare logical types (decimals, INT96, ...).
//   schema.js   getTreePath, getMaxDefinitionLevel: which columns are optional.
// and from the public API: parquetMetadataAsync, parquetSchema, asyncBufferFromFile, snappyUncompress.
// The types (ColumnDecoder, DataReader = {view: DataView, offset}) come from these functions' declarations.
//
// Upgrading hyparquet (it is pinned to an exact version in package.json for this reason): check that
// each function above still exists with the same arguments (`npx tsc --noEmit` catches most of it, as
// the types below are taken from hyparquet's own declarations), then run test/unit/data-parquet.test.ts
// (dec's reader against hyparquet's own row reader on the fixtures and on generated files) and the
// Parquet cases of test/docker/data.test.ts. If an internal is gone, its replacement goes here only.
export async function loadHyparquet() {
  const [hyparquet, column, convert, datapage, encoding, plain, delta, schema] = await Promise.all([
    import('hyparquet'),
    import('hyparquet/src/column.js'),
    import('hyparquet/src/convert.js'),
    import('hyparquet/src/datapage.js'),
    import('hyparquet/src/encoding.js'),
    import('hyparquet/src/plain.js'),
    import('hyparquet/src/delta.js'),
    import('hyparquet/src/schema.js'),
  ]);
  return {
    parquetMetadataAsync: hyparquet.parquetMetadataAsync,
    parquetSchema: hyparquet.parquetSchema,
    asyncBufferFromFile: hyparquet.asyncBufferFromFile,
    snappyUncompress: hyparquet.snappyUncompress,
    parquetHeader: column.parquetHeader,
    readPage: column.readPage,
    decompressPage: datapage.decompressPage,
    readRleBitPackedHybrid: encoding.readRleBitPackedHybrid,
    byteStreamSplit: encoding.byteStreamSplit,
    readPlain: plain.readPlain,
    deltaBinaryUnpack: delta.deltaBinaryUnpack,
    deltaLengthByteArray: delta.deltaLengthByteArray,
    deltaByteArray: delta.deltaByteArray,
    convert: convert.convert,
    DEFAULT_PARSERS: convert.DEFAULT_PARSERS,
    getTreePath: schema.getTreePath,
    getMaxDefinitionLevel: schema.getMaxDefinitionLevel,
  };
}

export type Hyparquet = Awaited<ReturnType<typeof loadHyparquet>>;
/** What hyparquet needs to know of a column to decode its pages. */
export type ColumnDecoder = Parameters<Hyparquet['readPage']>[2];
/** Bytes being read, and where: hyparquet's decoders advance `offset`. */
export type DataReader = Parameters<Hyparquet['parquetHeader']>[0];
