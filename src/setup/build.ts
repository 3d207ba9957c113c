// Images dec builds for a stack (a service's `build`): where the context folder is, its digest (every
// file's name, mode and content, plus the build settings), and its files streamed for the engine's tar.
// The digest is the image's tag, so an unchanged context is never built again.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { ArchiveFile } from '../docker/archive.js';
import { DEC_LABELS, type DockerClient } from '../docker/client.js';
import { DecError } from '../errors.js';
import { BUILTIN_SYLLABUS_DIR, TEMPLATES_DIR } from '../paths.js';
import type { Build, Stack } from '../syllabus/schema.js';
import { BUILD_LABEL, type DesiredService, type DesiredStack } from './spec.js';

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

/** One line of a .dockerignore: a path pattern, or with `!` an exception to the patterns before it. */
interface IgnoreRule {
  pattern: RegExp;
  exception: boolean;
}

/**
 * A .dockerignore pattern as Docker reads it (Go's filepath.Match plus `**`): `*` any characters but
 * `/`, `?` one of them, `[...]` a class (`[!...]` or `[^...]` negated), `**` any number of folders, `\`
 * escapes the next character. Leading and trailing `/` and `./` are dropped. A pattern that names a
 * folder also matches everything in it.
 */
function ignorePattern(text: string): RegExp {
  const pattern = text.replace(/^(\.?\/)+/, '').replace(/\/+$/, '');
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      // "**/" is zero or more folders; a trailing or inner "**" any characters, / included.
      if (pattern[i + 1] === '/') {
        i++;
        regex += '(?:.*/)?';
      } else regex += '.*';
    } else if (c === '*') regex += '[^/]*';
    else if (c === '?') regex += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) regex += escapeRegex(pattern[++i]!);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) regex += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/^!/, '^');
        regex += `[${body}]`;
        i = end;
      }
    } else regex += escapeRegex(c);
  }
  return new RegExp(`^${regex}(?:/.*)?$`);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The rules of the context's .dockerignore (none without one); comments and blank lines skipped. */
async function ignoreRules(dir: string): Promise<IgnoreRule[]> {
  const text = await readFile(join(dir, DOCKERIGNORE), 'utf8').catch(() => '');
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => ({ exception: line.startsWith('!'), text: line.replace(/^!\s*/, '') }))
    .filter((rule) => rule.text.replace(/[./]/g, '') !== '')
    .map((rule) => ({ pattern: ignorePattern(rule.text), exception: rule.exception }));
}

const DOCKERIGNORE = '.dockerignore';

/** Whether the last rule that matches `path` excludes it (Docker's order: a later line wins). */
function ignored(rules: readonly IgnoreRule[], path: string): boolean {
  let excluded = false;
  for (const rule of rules) if (rule.pattern.test(path)) excluded = !rule.exception;
  return excluded;
}

/**
 * Every regular file of the context that its .dockerignore keeps, sorted by path; a link or special file
 * is refused (clearly), unless ignored. The Dockerfile and .dockerignore are always sent, as Docker does.
 */
async function listContext(dir: string, dockerfile = 'Dockerfile'): Promise<ContextEntry[]> {
  const rules = await ignoreRules(dir);
  // With an exception (!pattern), a file inside an ignored folder may be wanted again: look inside it.
  const mayReinclude = rules.some((rule) => rule.exception);
  const always = new Set([dockerfile, DOCKERIGNORE]);
  const entries: ContextEntry[] = [];
  const walk = async (folder: string) => {
    for (const name of (await readdir(folder)).sort()) {
      const absolute = join(folder, name);
      const path = relative(dir, absolute).split(sep).join('/');
      const skip = ignored(rules, path) && !always.has(path);
      const stats = await lstat(absolute);
      if (stats.isDirectory()) {
        if (!skip || mayReinclude) await walk(absolute);
      } else if (skip) continue;
      else if (stats.isFile()) entries.push({ path, mode: stats.mode & 0o777, absolute });
      else
        throw new DecError(`The build context ${dir} holds ${path}, which is not a regular file or folder.`, {
          hint: 'dec sends only files and folders to the engine: replace the link by the file it points to, or list it in the .dockerignore.',
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
  for (const entry of await listContext(dir, build.dockerfile)) {
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

/** The context's files (those its .dockerignore keeps), read one at a time as the tar stream takes them. */
export async function* contextFiles(dir: string, dockerfile?: string): AsyncGenerator<ArchiveFile> {
  for (const entry of await listContext(dir, dockerfile))
    yield { path: entry.path, content: await readFile(entry.absolute), mode: entry.mode };
}

/** "dec/airflow:3f2a9c0b1d4e" → "dec/airflow" (a registry's port stays: "host:5000/x:tag" → "host:5000/x"). */
function repositoryOf(tag: string): string {
  return tag.replace(/:[^/:]*$/, '');
}

/**
 * Once a run's services are all ready: the images dec built for these services from older contexts (the
 * same repository, dec's labels of this project and stack, another digest tag) are removed, so a course's
 * Airflow image does not pile up a few GB per change. The engine refuses to remove an image a container
 * still uses (dec never forces), and that one stays; an image without dec's labels is never even listed.
 * Answers the tags removed.
 */
export async function removeOldBuilds(
  client: DockerClient,
  desired: DesiredStack,
  services: readonly DesiredService[],
): Promise<string[]> {
  const built = services.filter((service) => service.build);
  if (built.length === 0) return [];
  const current = new Set(built.map((service) => service.image));
  const repositories = new Set(built.map((service) => repositoryOf(service.image)));
  const images = await client.listImages({
    [DEC_LABELS.project]: desired.project,
    [DEC_LABELS.stack]: desired.stack,
  });
  const removed: string[] = [];
  for (const image of images) {
    if (image.labels[BUILD_LABEL] === undefined) continue;
    for (const tag of image.tags) {
      if (current.has(tag) || !repositories.has(repositoryOf(tag))) continue;
      if (await client.removeImage(tag)) removed.push(tag);
    }
  }
  return removed;
}
