// Finds the syllabus to use and loads it. Parsing and validating YAML costs ~100 ms of module loading,
// so a validated syllabus is cached as JSON under the hash of its bytes: a cache hit needs neither the
// YAML parser nor the validator, which keeps `dec weeks list` as fast as a bare `node -e 0`.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { DecError, errorCode } from '../errors.js';
import { BUILTIN_SYLLABUS_DIR, DEFAULT_SYLLABUS_ID, PACKAGE_ROOT, cacheDir } from '../paths.js';
import { DEC_VERSION } from '../version.js';
import type { Workspace } from '../workspace/workspace.js';
import type { Course } from './course.js';
import { MAX_SYLLABUS_BYTES } from './limits.js';

export type SyllabusOrigin = 'flag' | 'env' | 'workspace' | 'default';

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
    const info = await stat(source.path);
    if (!info.isFile()) throw new DecError(`The syllabus ${shown} ${from} is not a file.`, { hint });
    // Checked before reading so a wrong path to a huge file is refused without loading it.
    if (info.size > MAX_SYLLABUS_BYTES) {
      throw new DecError(`The syllabus ${shown} is ${(info.size / 1024 / 1024).toFixed(1)} MiB; a syllabus is at most 1 MiB.`, { hint });
    }
    return await readFile(source.path);
  } catch (error) {
    if (error instanceof DecError) throw error;
    const code = errorCode(error);
    const what = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${(error as Error).message})`;
    throw new DecError(`The syllabus ${shown} ${from} ${what}.`, { hint, cause: error });
  }
}

function cacheKey(bytes: Buffer): string {
  return createHash('sha256').update(DEC_VERSION).update('\0').update(bytes).digest('hex').slice(0, 32);
}

/** Shipped with the package (the default syllabus, compiled at build time), then the user's cache. */
function cacheDirs(env: NodeJS.ProcessEnv): string[] {
  return [join(PACKAGE_ROOT, 'dist', 'syllabus-cache'), cacheDir(env)];
}

async function readCached(key: string, env: NodeJS.ProcessEnv): Promise<Course | undefined> {
  for (const dir of cacheDirs(env)) {
    try {
      const entry = JSON.parse(await readFile(join(dir, `syllabus-${key}.json`), 'utf8')) as { key?: string; course?: Course };
      if (entry.key === key && entry.course) return entry.course;
    } catch {
      // A missing or damaged cache entry only means we parse the YAML again.
    }
  }
  return undefined;
}

export async function writeCached(dir: string, key: string, course: Course): Promise<void> {
  const { writeFileAtomic } = await import('../util/fs.js');
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, `syllabus-${key}.json`), JSON.stringify({ key, course }));
}

export async function compileSyllabus(bytes: Buffer, shown: string): Promise<{ key: string; course: Course }> {
  const { parseSyllabus } = await import('./parse.js');
  return { key: cacheKey(bytes), course: parseSyllabus(bytes, shown) };
}

export async function loadSyllabus(source: SyllabusSource, env: NodeJS.ProcessEnv, cwd: string): Promise<LoadedSyllabus> {
  const shown = displayPath(source.path, cwd);
  const bytes = await readSyllabusBytes(source, shown);
  const key = cacheKey(bytes);
  const cached = await readCached(key, env);
  if (cached) return { ...source, course: cached };
  const { course } = await compileSyllabus(bytes, shown);
  // The cache is a speed-up only: a read-only cache folder must not stop the command.
  await writeCached(cacheDir(env), key, course).catch(() => undefined);
  return { ...source, course };
}
