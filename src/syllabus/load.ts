// Finds the syllabus to use and loads it. Parsing and validating YAML costs ~100 ms of module loading,
// so a validated syllabus is cached as JSON under the hash of its bytes: a cache hit needs neither the
// YAML parser nor the validator, which keeps `dec weeks list` as fast as a bare `node -e 0`.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { DecError, errorCode } from '../errors.js';
import { BUILTIN_SYLLABUS_DIR, DEFAULT_SYLLABUS_ID, PACKAGE_ROOT, cacheDir } from '../paths.js';
import { DEC_VERSION } from '../version.js';
import type { Workspace } from '../workspace/workspace.js';
import type { Course } from './course.js';
import { MAX_SYLLABUS_BYTES } from './limits.js';

type SyllabusOrigin = 'flag' | 'env' | 'workspace' | 'default';

export interface SyllabusSource {
  path: string;
  origin: SyllabusOrigin;
}

export interface LoadedSyllabus extends SyllabusSource {
  course: Course;
}

const ORIGIN_TEXT: Record<SyllabusOrigin, string> = {
  flag: '--syllabus',
  env: 'DEC_SYLLABUS',
  workspace: 'the workspace file .dec/workspace.json',
  default: 'the default',
};

/** The courses built into dec, as `dec init` offers them (the first is the default). */
export const BUILTIN_COURSES = [
  {
    value: DEFAULT_SYLLABUS_ID,
    name: 'The 2022 cohort (dez-2022)',
    description:
      "The course's 2022 edition, week by week: Airflow, dbt 1.0, Spark 3, Kafka; its homework and deadlines.",
  },
  {
    value: 'dez-2026',
    name: 'The current course (dez-2026)',
    description:
      'The 2026 cohort and the January 2027 live cohort: Kestra, dlt, dbt with DuckDB, Bruin, Spark 4, Redpanda and PyFlink.',
  },
] as const;

export function builtinSyllabusPath(id: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) return undefined;
  const path = join(BUILTIN_SYLLABUS_DIR, `${id}.yaml`);
  return existsSync(path) ? path : undefined;
}

/** --syllabus, then DEC_SYLLABUS, then the workspace's choice, then the built-in default. */
export function resolveSyllabusSource(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
  workspace: Workspace | undefined,
): SyllabusSource {
  const [choice, origin, base]: [string, SyllabusOrigin, string] =
    flag !== undefined && flag !== ''
      ? [flag, 'flag', cwd]
      : env.DEC_SYLLABUS
        ? [env.DEC_SYLLABUS, 'env', cwd]
        : workspace
          ? [workspace.marker.syllabus, 'workspace', workspace.root]
          : [DEFAULT_SYLLABUS_ID, 'default', cwd];
  const path = builtinSyllabusPath(choice) ?? resolve(base, choice);
  return { path, origin };
}

export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

async function readSyllabusBytes(source: SyllabusSource, shown: string): Promise<Buffer> {
  const from = `(chosen by ${ORIGIN_TEXT[source.origin]})`;
  const hint = `Pass a YAML file with --syllabus PATH or DEC_SYLLABUS, or a built-in id such as ${DEFAULT_SYLLABUS_ID}.`;
  try {
    const info = statSync(source.path);
    if (!info.isFile()) throw new DecError(`The syllabus ${shown} ${from} is not a file.`, { hint });
    // Checked before reading so a wrong path to a huge file is refused without loading it.
    if (info.size > MAX_SYLLABUS_BYTES) {
      throw new DecError(
        `The syllabus ${shown} is ${(info.size / 1024 / 1024).toFixed(1)} MiB; a syllabus is at most 1 MiB.`,
        { hint },
      );
    }
    return readFileSync(source.path);
  } catch (error) {
    if (error instanceof DecError) throw error;
    const code = errorCode(error);
    const what =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'cannot be read (permission denied)'
          : `cannot be read (${(error as Error).message})`;
    throw new DecError(`The syllabus ${shown} ${from} ${what}.`, { hint, cause: error });
  }
}

/** Bump when the shape of a compiled Course or of the cache file changes, so old entries are ignored. */
const CACHE_FORMAT = 3;

/**
 * Names the cache entry by dec version and file size only: hashing the bytes costs start-up time
 * (node:crypto alone is ~5 ms), and a wrong hit is impossible because the entry holds the exact source.
 */
function cacheKey(bytes: Buffer): string {
  return `${DEC_VERSION}-${CACHE_FORMAT}-${bytes.length}`;
}

interface CacheEntry {
  key: string;
  source: Buffer;
  course: Course;
}

/** Shipped with the package (the default syllabus, compiled at build time), then the user's cache. */
function cacheDirs(env: NodeJS.ProcessEnv): string[] {
  return [join(PACKAGE_ROOT, 'dist', 'syllabus-cache'), cacheDir(env)];
}

const cacheFile = (dir: string, key: string) => join(dir, `syllabus-${key}.cache`);

/*
 * A cache file is one header line, "dec-syllabus <key> <source length>", then the syllabus's exact
 * bytes, then the course as JSON with every non-ASCII character escaped. Every `dec weeks list` reads
 * one, so it is laid out for speed: the bytes are compared with memcmp, not as decoded strings, and
 * pure-ASCII JSON is read as latin1, which Node copies instead of decoding (~3 ms less per start).
 */
function encodeEntry(entry: CacheEntry): Buffer {
  const json = JSON.stringify(entry.course).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const header = `dec-syllabus ${entry.key} ${entry.source.length}\n`;
  return Buffer.concat([Buffer.from(header, 'latin1'), entry.source, Buffer.from(json, 'latin1')]);
}

function decodeEntry(file: Buffer, key: string, source: Buffer): Course | undefined {
  const headerEnd = file.indexOf(10);
  if (headerEnd < 0 || file.toString('latin1', 0, headerEnd) !== `dec-syllabus ${key} ${source.length}`)
    return undefined;
  const jsonStart = headerEnd + 1 + source.length;
  if (!file.subarray(headerEnd + 1, jsonStart).equals(source)) return undefined;
  return JSON.parse(file.toString('latin1', jsonStart)) as Course;
}

async function readCached(key: string, source: Buffer, env: NodeJS.ProcessEnv): Promise<Course | undefined> {
  for (const dir of cacheDirs(env)) {
    try {
      const course = decodeEntry(readFileSync(cacheFile(dir, key)), key, source);
      if (course) return course;
    } catch {
      // A missing or damaged cache entry only means we parse the YAML again.
    }
  }
  return undefined;
}

export async function writeCached(dir: string, entry: CacheEntry): Promise<void> {
  const { writeFileAtomic } = await import('../util/fs.js');
  mkdirSync(dir, { recursive: true });
  await writeFileAtomic(cacheFile(dir, entry.key), encodeEntry(entry));
}

/** Validates a syllabus (loading the YAML parser and the validator) into a cache entry. */
export async function compileSyllabus(bytes: Buffer, shown: string): Promise<CacheEntry> {
  const { parseSyllabus } = await import('./parse.js');
  return { key: cacheKey(bytes), source: bytes, course: parseSyllabus(bytes, shown) };
}

export async function loadSyllabus(
  source: SyllabusSource,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<LoadedSyllabus> {
  const shown = displayPath(source.path, cwd);
  const bytes = await readSyllabusBytes(source, shown);
  const cached = await readCached(cacheKey(bytes), bytes, env);
  if (cached) return { ...source, course: cached };
  const entry = await compileSyllabus(bytes, shown);
  // The cache is a speed-up only: a read-only cache folder must not stop the command.
  await writeCached(cacheDir(env), entry).catch(() => undefined);
  const course = entry.course;
  return { ...source, course };
}
