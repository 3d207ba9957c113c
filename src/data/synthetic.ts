// A synthetic sample in the yellow-taxi CSV layout, for trying the week-1 flow without a network and
// for benchmarks. Deterministic (seeded), clearly named as synthetic, written as a stream.
import { randomBytes } from 'node:crypto';
import { createWriteStream, lstatSync, mkdirSync, readlinkSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { DecError, ExitCode, errorCode } from '../errors.js';
import { fileSystemError, notAFileKind } from '../util/fs.js';

export const YELLOW_COLUMNS = [
  'VendorID',
  'tpep_pickup_datetime',
  'tpep_dropoff_datetime',
  'passenger_count',
  'trip_distance',
  'RatecodeID',
  'store_and_fwd_flag',
  'PULocationID',
  'DOLocationID',
  'payment_type',
  'fare_amount',
  'extra',
  'mta_tax',
  'tip_amount',
  'tolls_amount',
  'improvement_surcharge',
  'total_amount',
  'congestion_surcharge',
];

/** mulberry32: small, fast, good enough for fake trips. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

function stamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function* syntheticYellowLines(rows: number, month = '2021-01', seed = 2021): Generator<string> {
  const next = random(seed);
  const start = Date.parse(`${month}-01T00:00:00Z`);
  const span = 28 * 86_400_000;
  yield `${YELLOW_COLUMNS.join(',')}\n`;
  let batch = '';
  for (let i = 0; i < rows; i++) {
    const pickup = start + Math.floor(next() * span);
    const minutes = 2 + Math.floor(next() * 40);
    const distance = Math.round((0.3 + next() * 12) * 100) / 100;
    const fare = Math.round((2.5 + distance * 2.5) * 100) / 100;
    const tip = next() < 0.6 ? Math.round(fare * 0.2 * 100) / 100 : 0;
    const total = Math.round((fare + 0.5 + 0.5 + tip + 0.3 + 2.5) * 100) / 100;
    const passengers = next() < 0.02 ? '' : String(1 + Math.floor(next() * 4));
    batch += `${1 + Math.floor(next() * 2)},${stamp(pickup)},${stamp(pickup + minutes * 60_000)},${passengers},${distance},1,N,${1 + Math.floor(next() * 265)},${1 + Math.floor(next() * 265)},${1 + Math.floor(next() * 2)},${fare},0.5,0.5,${tip},0,0.3,${total},2.5\n`;
    if (batch.length > 256 * 1024) {
      yield batch;
      batch = '';
    }
  }
  if (batch) yield batch;
}

/**
 * The file the finished sample is renamed onto: the file a symbolic link points to (renaming onto the
 * link would replace the student's link), and never something that is not a file: rename would put a
 * plain file in place of a fifo or a device (as root, --out /dev/null replaced /dev/null).
 */
function renameTarget(path: string, links = 0): string {
  let stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return path; // a new file; the write says why not
    throw fileSystemError(error, 'write', path);
  }
  if (stats.isSymbolicLink() && links < 20) return renameTarget(resolve(dirname(path), readlinkSync(path)), links + 1);
  const kind = notAFileKind(stats);
  if (kind && !stats.isDirectory()) {
    throw new DecError(`Cannot write ${path}: it is ${kind}, not a file.`, {
      hint: 'dec data sample writes a whole new file; give the path of a file, e.g. --out trips.csv.gz.',
    });
  }
  return path;
}

export interface SampleWriteOptions {
  month?: string;
  signal?: AbortSignal;
  /** Opens the file the bytes go to (default: a new file, flushed to disk on close); tests inject failures. */
  open?(path: string): Writable;
}

/**
 * Writes `rows` synthetic yellow trips to `path` (.csv or .csv.gz) through a temporary `.part` file that
 * is renamed into place once complete: Ctrl-C or a full disk never leaves a cut-off file under the
 * final name (which `dec data list` would call downloaded).
 */
export async function writeSyntheticYellow(
  asked: string,
  rows: number,
  options: SampleWriteOptions = {},
): Promise<void> {
  const path = renameTarget(asked);
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.part`;
  const open = options.open ?? ((file: string) => createWriteStream(file, { flags: 'wx', flush: true }));
  try {
    mkdirSync(dirname(path), { recursive: true });
    const source = Readable.from(syntheticYellowLines(rows, options.month));
    const signal = options.signal;
    if (path.endsWith('.gz')) await pipeline(source, createGzip({ level: 6 }), open(temp), { signal });
    else await pipeline(source, open(temp), { signal });
    renameSync(temp, path);
  } catch (error) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // the folder itself is not writable: there is no temp file either
    }
    if (options.signal?.aborted)
      throw new DecError(`Interrupted; ${path} was not written.`, { exitCode: ExitCode.interrupted });
    throw fileSystemError(error, 'write', path);
  }
}
