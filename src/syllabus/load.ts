// Finds the syllabus to use and loads it. Parsing and validating YAML costs ~100 ms of module loading,
// so a validated syllabus is cached (cache.ts): a cache hit needs neither the YAML parser nor the
// validator, which keeps `dec weeks list` close to a bare `node -e 0`.
import { existsSync, readFileSync, statSync, type BigIntStats } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { DecError, errorCode } from '../errors.js';
import { BUILTIN_SYLLABUS_DIR, DEFAULT_SYLLABUS_ID, PACKAGE_ROOT, cacheDir } from '../paths.js';
import { DEC_VERSION } from '../version.js';
import type { Workspace } from '../workspace/workspace.js';
import type { Course } from './course.js';
import { fileSignature, readBySignature, readBySource, writeEntry, type CacheEntry, type CachePlace } from './cache.js';
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

/** The syllabus file's stat, refused when it is no file or too big to be a syllabus. */
function statSyllabus(source: SyllabusSource, shown: string): BigIntStats {
  return withReadErrors(source, shown, () => {
    const info = statSync(source.path, { bigint: true });
    if (!info.isFile())
      throw new DecError(`The syllabus ${shown} ${chosenBy(source)} is not a file.`, { hint: PATH_HINT });
    // Checked before reading so a wrong path to a huge file is refused without loading it.
    if (info.size > MAX_SYLLABUS_BYTES) {
      throw new DecError(
        `The syllabus ${shown} is ${(Number(info.size) / 1024 / 1024).toFixed(1)} MiB; a syllabus is at most 1 MiB.`,
        { hint: PATH_HINT },
      );
    }
    return info;
  });
}

const PATH_HINT = `Pass a YAML file with --syllabus PATH or DEC_SYLLABUS, or a built-in id such as ${DEFAULT_SYLLABUS_ID}.`;
const chosenBy = (source: SyllabusSource) => `(chosen by ${ORIGIN_TEXT[source.origin]})`;

function withReadErrors<T>(source: SyllabusSource, shown: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof DecError) throw error;
    const code = errorCode(error);
    const what =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'cannot be read (permission denied)'
          : `cannot be read (${(error as Error).message})`;
    throw new DecError(`The syllabus ${shown} ${chosenBy(source)} ${what}.`, { hint: PATH_HINT, cause: error });
  }
}

/** Bump when the shape of a compiled Course or of the cache file changes, so old entries are ignored. */
const CACHE_FORMAT = 4;

/**
 * Names the cache entry by dec version and file size only: hashing the bytes costs start-up time
 * (node:crypto alone is ~5 ms), and a wrong hit is impossible (cache.ts says why).
 */
function cacheKey(size: number | bigint): string {
  return `${DEC_VERSION}-${CACHE_FORMAT}-${size}`;
}

/**
 * The user's cache, then the one shipped in the package (the built-in syllabi, compiled by the build).
 * In the user's cache the key also names the file's path: two copies of a syllabus (a global install
 * and a clone of dec) have two signatures, and sharing one entry would make each run rewrite it.
 */
function cachePlaces(env: NodeJS.ProcessEnv, size: bigint, path: string): CachePlace[] {
  const key = cacheKey(size);
  return [
    { dir: cacheDir(env), key: `${key}-${pathTag(path)}` },
    { dir: join(PACKAGE_ROOT, 'dist', 'syllabus-cache'), key },
  ];
}

/** A short tag of a path (FNV-1a, 32 bits): names an entry, proves nothing (the signature does). */
function pathTag(path: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) hash = Math.imul(hash ^ path.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** Validates a syllabus (loading the YAML parser and the validator) into a cache entry. */
export async function compileSyllabus(bytes: Buffer, signature: string, shown: string): Promise<CacheEntry> {
  const { parseSyllabus } = await import('./parse.js');
  return { key: cacheKey(bytes.length), signature, source: bytes, course: parseSyllabus(bytes, shown) };
}

export async function loadSyllabus(
  source: SyllabusSource,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<LoadedSyllabus> {
  const shown = displayPath(source.path, cwd);
  const info = statSyllabus(source, shown);
  const places = cachePlaces(env, info.size, source.path);
  const signature = fileSignature(info);
  const unchanged = readBySignature(places, signature);
  if (unchanged) return { ...source, course: unchanged };
  const bytes = withReadErrors(source, shown, () => readFileSync(source.path));
  const known = readBySource(places, bytes);
  // The cache is a speed-up only: a read-only cache folder must not stop the command.
  const [mine] = places;
  const remember = (course: Course) =>
    writeEntry(mine!.dir, { key: mine!.key, signature, source: bytes, course }).catch(() => undefined);
  if (known) {
    // Touched, copied or installed since: the next run needs no byte comparison.
    if (known.signature !== signature) await remember(known.course);
    return { ...source, course: known.course };
  }
  const { course } = await compileSyllabus(bytes, signature, shown);
  await remember(course);
  return { ...source, course };
}
