// Images dec builds for a stack (a service's `build`): where the context folder is, its digest (every
// file's name, mode and content, plus the build settings), and its files streamed for the engine's tar.
// The digest is the image's tag, so an unchanged context is never built again.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { ArchiveFile } from '../docker/archive.js';
import { DecError } from '../errors.js';
import { BUILTIN_SYLLABUS_DIR, TEMPLATES_DIR } from '../paths.js';
import type { Build, Stack } from '../syllabus/schema.js';

/** A service's build context as found on disk: the folder and the digest that tags its image. */
export interface ResolvedContext {
  /** Absolute path of the context folder. */
  dir: string;
  /** 12 hex digits of the context's digest. */
  digest: string;
}

/**
 * The folder contexts are relative to: dec's templates/ for a built-in syllabus (the contexts ship with
 * dec), else the folder of the syllabus file (a course author's or a test's own contexts, next to it).
 */
export function buildContextRoot(syllabusPath: string): string {
  const rel = relative(BUILTIN_SYLLABUS_DIR, syllabusPath);
  const builtIn = rel !== '' && !rel.startsWith('..') && !rel.includes(sep);
  return builtIn ? TEMPLATES_DIR : dirname(syllabusPath);
}

interface ContextEntry {
  /** Relative to the context, with / separators. */
  path: string;
  mode: number;
  absolute: string;
}

/** Every regular file of the context, sorted by path; a link or special file is refused (clearly). */
async function listContext(dir: string): Promise<ContextEntry[]> {
  const entries: ContextEntry[] = [];
  const walk = async (folder: string) => {
    for (const name of (await readdir(folder)).sort()) {
      const absolute = join(folder, name);
      const stats = await lstat(absolute);
      const path = relative(dir, absolute).split(sep).join('/');
      if (stats.isDirectory()) await walk(absolute);
      else if (stats.isFile()) entries.push({ path, mode: stats.mode & 0o777, absolute });
      else
        throw new DecError(`The build context ${dir} holds ${path}, which is not a regular file or folder.`, {
          hint: 'dec sends only files and folders to the engine: replace the link by the file it points to.',
        });
    }
  };
  await walk(dir);
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The context folder of a service's build, checked: it exists, stays inside `root`, has its Dockerfile. */
async function contextFolder(root: string, service: string, build: Build): Promise<string> {
  const wanted = resolve(root, build.context);
  const where = `the build context of ${service} (${build.context}, in ${root})`;
  let real: string;
  try {
    real = await realpath(wanted);
    if (!(await lstat(real)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new DecError(`Cannot find ${where}: ${wanted} is not a folder.`, {
      hint: 'Create it, or fix `build.context` in the syllabus (a folder relative to the syllabus file, or under templates/ for a built-in one).',
    });
  }
  const realRoot = await realpath(root).catch(() => root);
  const inside = relative(realRoot, real);
  if (inside.startsWith('..') || resolve(realRoot, inside) !== real)
    throw new DecError(`${where} leads outside ${root} (through a link): ${real}.`, {
      hint: 'Keep the context inside that folder.',
    });
  const dockerfile = join(real, build.dockerfile ?? 'Dockerfile');
  if (
    !(await lstat(dockerfile).then(
      (s) => s.isFile(),
      () => false,
    ))
  )
    throw new DecError(`The build context of ${service} has no ${build.dockerfile ?? 'Dockerfile'} (${dockerfile}).`, {
      hint: 'Add it, or name the right file in `build.dockerfile`.',
    });
  return real;
}

/** The digest of a context: its files (names, modes, contents) and the build settings. */
async function contextDigest(dir: string, build: Build): Promise<string> {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      format: 1,
      dockerfile: build.dockerfile ?? 'Dockerfile',
      args: Object.entries(build.args ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)),
      target: build.target ?? null,
      platform: build.platform ?? null,
    }),
  );
  for (const entry of await listContext(dir)) {
    const content = createHash('sha256')
      .update(await readFile(entry.absolute))
      .digest('hex');
    hash.update(`\n${entry.path}\0${entry.mode.toString(8)}\0${content}`);
  }
  return hash.digest('hex').slice(0, 12);
}

/**
 * The context of every service that builds its image, with its digest; a service given another image
 * (--image) builds nothing.
 */
export async function resolveBuilds(
  stack: Stack,
  root: string,
  images: Record<string, string> = {},
): Promise<Record<string, ResolvedContext>> {
  const resolved: Record<string, ResolvedContext> = {};
  for (const [service, spec] of Object.entries(stack.services)) {
    if (!spec.build || images[service] !== undefined) continue;
    const dir = await contextFolder(root, service, spec.build);
    resolved[service] = { dir, digest: await contextDigest(dir, spec.build) };
  }
  return resolved;
}

/** The context's files, read one at a time as the tar stream takes them. */
export async function* contextFiles(dir: string): AsyncGenerator<ArchiveFile> {
  for (const entry of await listContext(dir))
    yield { path: entry.path, content: await readFile(entry.absolute), mode: entry.mode };
}
