// The compiled-syllabus cache. Every `dec weeks list` reads one entry, so the entry is laid out for
// start-up time (bench/startup.mjs):
//   - a header line: "dec-syllabus <key> <signature> <lengths of the sections>";
//   - the course as JSON with every non-ASCII character escaped, so it is read as latin1, which Node
//     copies instead of decoding; the big parts that listing weeks never reads (stacks, datasets)
//     are sections of their own, parsed on first use;
//   - last, the syllabus's exact bytes.
// A hit is either the signature (inode, size, mtime and ctime of the YAML file, as git's index uses
// them) or, when the file was touched, copied or installed by npm since, its exact bytes compared with
// memcmp. A signature hit reads neither the YAML nor the copy of it; a byte hit refreshes the
// signature in the user's cache, so only the first run after an install or an edit compares bytes.
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import type { Course } from './course.js';

const LAZY_FIELDS = ['stacks', 'datasets'] as const;
const SECTIONS = ['core', ...LAZY_FIELDS, 'source'] as const;
type Section = (typeof SECTIONS)[number];

export interface CacheEntry {
  key: string;
  signature: string;
  source: Buffer;
  course: Course;
}

/** Files changed this recently may change again within the same clock tick: no signature for them. */
const RACY_MS = 2_000;
/** A signature no file has: its entry is found by its bytes only. */
const NO_SIGNATURE = '-';

/**
 * What identifies one version of a file without reading it: any write changes ctime. File times
 * advance in clock ticks (milliseconds on most systems, 2 s on FAT), so a file written moments ago
 * could be written again with the same size and times; like git's "racy" index entries, such a file
 * gets no signature until it has been left alone for a while.
 */
export function fileSignature(info: BigIntStats, now = Date.now()): string {
  if (now - Number(info.mtimeMs) < RACY_MS || now - Number(info.ctimeMs) < RACY_MS) return NO_SIGNATURE;
  return `${info.ino}.${info.size}.${info.mtimeNs}.${info.ctimeNs}`;
}

interface Header {
  key: string;
  signature: string;
  /** Where each section starts and ends in the file. */
  spans: Record<Section, [number, number]>;
}

const entryFile = (dir: string, key: string) => join(dir, `syllabus-${key}.cache`);

/** Pure ASCII: JSON's \u escapes for everything else (JSON.parse joins surrogate pairs again). */
function asciiJson(value: unknown): Buffer {
  const json = JSON.stringify(value) ?? 'null';
  return Buffer.from(
    json.replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`),
    'latin1',
  );
}

export function encodeEntry(entry: CacheEntry): Buffer {
  const { stacks, datasets, ...core } = entry.course;
  const parts: Record<Section, Buffer> = {
    core: asciiJson(core),
    stacks: asciiJson(stacks),
    datasets: asciiJson(datasets),
    source: entry.source,
  };
  const lengths = SECTIONS.map((section) => parts[section].length).join(' ');
  const header = Buffer.from(`dec-syllabus ${entry.key} ${entry.signature} ${lengths}\n`, 'latin1');
  return Buffer.concat([header, ...SECTIONS.map((section) => parts[section])]);
}

/** The header of an entry, from the first bytes of its file; undefined when it is not one. */
function parseHeader(bytes: Buffer): Header | undefined {
  const end = bytes.indexOf(10);
  if (end < 0) return undefined;
  const [magic, key, signature, ...lengths] = bytes.toString('latin1', 0, end).split(' ');
  if (magic !== 'dec-syllabus' || !key || !signature || lengths.length !== SECTIONS.length) return undefined;
  let at = end + 1;
  const spans = {} as Record<Section, [number, number]>;
  for (const [index, section] of SECTIONS.entries()) {
    const length = Number(lengths[index]);
    if (!Number.isSafeInteger(length) || length < 0) return undefined;
    spans[section] = [at, at + length];
    at += length;
  }
  return { key, signature, spans };
}

/** The course of an entry: the core parsed now, stacks and datasets when first read. */
function courseOf(file: Buffer, spans: Header['spans']): Course {
  const json = (section: Section) => JSON.parse(file.toString('latin1', ...spans[section])) as unknown;
  const course = json('core') as Course;
  for (const field of LAZY_FIELDS) {
    Object.defineProperty(course, field, {
      configurable: true,
      enumerable: true,
      get() {
        const value = json(field);
        Object.defineProperty(course, field, { value, writable: true, enumerable: true, configurable: true });
        return value;
      },
      set(value: unknown) {
        Object.defineProperty(course, field, { value, writable: true, enumerable: true, configurable: true });
      },
    });
  }
  return course;
}

/** Reads the header and the course's sections only, not the copy of the syllabus at the end. */
function readWithoutSource(path: string): { file: Buffer; header: Header } | undefined {
  const fd = openSync(path, 'r');
  try {
    let file = Buffer.allocUnsafe(512);
    let length = readSync(fd, file, 0, file.length, 0);
    const header = parseHeader(file.subarray(0, length));
    // A file of another length than its header says is damaged (writes are atomic, but disks fail).
    if (!header || fstatSync(fd).size !== header.spans.source[1]) return undefined;
    const needed = header.spans.source[0];
    if (needed > length) {
      const whole = Buffer.allocUnsafe(needed);
      file.copy(whole, 0, 0, length);
      while (length < needed) {
        const read = readSync(fd, whole, length, needed - length, length);
        if (read === 0) return undefined;
        length += read;
      }
      file = whole;
    }
    return { file, header };
  } finally {
    closeSync(fd);
  }
}

/** Where an entry may be: a folder, and the entry's key there. */
export interface CachePlace {
  dir: string;
  key: string;
}

/** The course of the first entry in `places` whose signature is the file's as it is now. */
export function readBySignature(places: CachePlace[], signature: string): Course | undefined {
  for (const { dir, key } of places) {
    try {
      const entry = readWithoutSource(entryFile(dir, key));
      if (signature !== NO_SIGNATURE && entry?.header.key === key && entry.header.signature === signature)
        return courseOf(entry.file, entry.header.spans);
    } catch {
      // A missing or damaged cache entry only means we look further, or parse the YAML again.
    }
  }
  return undefined;
}

/** The first entry in `places` that holds exactly `source`: its course and its signature. */
export function readBySource(places: CachePlace[], source: Buffer): { course: Course; signature: string } | undefined {
  for (const { dir, key } of places) {
    try {
      const file = readFileSync(entryFile(dir, key));
      const header = parseHeader(file);
      if (header?.key !== key || file.length !== header.spans.source[1]) continue;
      if (!file.subarray(...header.spans.source).equals(source)) continue;
      return { course: courseOf(file, header.spans), signature: header.signature };
    } catch {
      // As above.
    }
  }
  return undefined;
}

export async function writeEntry(dir: string, entry: CacheEntry): Promise<void> {
  const { writeFileAtomic } = await import('../util/fs.js');
  mkdirSync(dir, { recursive: true });
  await writeFileAtomic(entryFile(dir, entry.key), encodeEntry(entry));
}
