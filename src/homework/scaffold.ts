// Scaffolds a homework folder and keeps it safe across re-runs: missing files are added, files the
// student touched are never overwritten (a template update arrives as a .new sidecar), and a manifest
// records what dec wrote so it can tell the two apart.
import { createHash } from 'node:crypto';
import { constants, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DecError, errorCode } from '../errors.js';
import { fileTimestamp, readTextIfExists, writeFileAtomic } from '../util/fs.js';

import { MANIFEST } from './overview.js';

const MANIFEST_FORMAT = 1;

export interface Manifest {
  version: number;
  template: string;
  templateHash: string;
  /** relative path → sha256 of the content dec last wrote there */
  files: Record<string, string>;
}

export type FileAction = 'create' | 'update' | 'same' | 'kept' | 'sidecar' | 'overwrite';

export interface PlannedFile {
  path: string;
  action: FileAction;
  content: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `child` resolved against `base`, refused when it leaves `base`. */
export function inside(base: string, child: string, what: string, shown = child): string {
  const target = resolve(base, child);
  const rel = relative(base, target);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new DecError(`${what} "${shown}" is outside ${base}.`, {
      hint: 'Give a folder inside your course workspace.',
    });
  }
  return target;
}

/** Refuses a folder that is (or sits under) a symlink leading out of `base`. */
export function checkNoEscape(base: string, target: string): void {
  let current = target;
  while (current.startsWith(base) && current !== base) {
    try {
      if (lstatSync(current).isSymbolicLink()) {
        const real = realpathSync(current);
        const rel = relative(realpathSync(base), real);
        if (rel.startsWith('..') || isAbsolute(rel)) {
          throw new DecError(`${current} is a link to ${real}, outside ${base}.`, {
            hint: 'Remove the link, or use another --dir.',
          });
        }
      }
    } catch (error) {
      if (error instanceof DecError) throw error;
    }
    current = dirname(current);
  }
}

export function listTemplate(dir: string): string[] {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  walk('');
  return files.sort();
}

export async function readManifest(folder: string): Promise<Manifest | undefined> {
  const text = await readTextIfExists(join(folder, MANIFEST), 'homework manifest');
  if (text === undefined) return undefined;
  try {
    const manifest = JSON.parse(text) as Manifest;
    if (typeof manifest.files !== 'object' || manifest.files === null) throw new Error('no files');
    return manifest;
  } catch {
    throw new DecError(`The homework manifest ${join(folder, MANIFEST)} is damaged.`, {
      hint: 'Delete it: dec then treats every existing file as yours and never overwrites it.',
    });
  }
}

/** What to do with each file, given what is on disk and what dec wrote last time. */
export function planFiles(
  folder: string,
  wanted: Record<string, string>,
  manifest: Manifest | undefined,
  force: boolean,
): PlannedFile[] {
  return Object.entries(wanted).map(([path, content]): PlannedFile => {
    const current = readIfFile(join(folder, path));
    if (current === undefined) return { path, action: 'create', content };
    if (current === content) return { path, action: 'same', content };
    const written = manifest?.files[path];
    const untouched = written !== undefined && sha256(current) === written;
    if (untouched) return { path, action: 'update', content };
    if (force) return { path, action: 'overwrite', content };
    // The student changed it: only tell them when the template itself has something new.
    return { path, action: written !== undefined && written !== sha256(content) ? 'sidecar' : 'kept', content };
  });
}

function readIfFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    if (errorCode(error) === 'EISDIR')
      throw new DecError(`${path} is a folder where dec expects a file.`, { hint: 'Rename that folder.' });
    throw new DecError(`Cannot read ${path}: ${(error as Error).message}`);
  }
}

const MAX_BACKUPS_PER_SECOND = 1000;

/** `<file>.bak-<time>`, or `-2`, `-3`, ... after it when taken: a backup never replaces another. */
async function backUp(target: string, now: Date): Promise<string> {
  const base = `${target}.bak-${fileTimestamp(now)}`;
  for (let n = 1; n <= MAX_BACKUPS_PER_SECOND; n++) {
    const backup = n === 1 ? base : `${base}-${n}`;
    try {
      // Exclusive: two runs in the same second (or at once) cannot pick the same name.
      await copyFile(target, backup, constants.COPYFILE_EXCL);
      return backup;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
  }
  throw new DecError(`There are already ${MAX_BACKUPS_PER_SECOND} backups named ${base}*.`, {
    hint: 'Delete the .bak- files you do not need, then run again.',
  });
}

export async function applyFiles(
  folder: string,
  planned: PlannedFile[],
  manifest: Manifest | undefined,
  template: string,
  templateHash: string,
  now: Date,
): Promise<string[]> {
  const backups: string[] = [];
  const files: Record<string, string> = { ...(manifest?.files ?? {}) };
  for (const file of planned) {
    const target = join(folder, ...file.path.split('/'));
    try {
      mkdirSync(dirname(target), { recursive: true });
    } catch (error) {
      throw new DecError(`Cannot create ${dirname(target)}: ${(error as Error).message}`, {
        hint: "Check the folder's permissions.",
      });
    }
    switch (file.action) {
      case 'create':
      case 'update':
        await writeFileAtomic(target, file.content);
        files[file.path] = sha256(file.content);
        break;
      case 'overwrite': {
        backups.push(await backUp(target, now));
        await writeFileAtomic(target, file.content);
        files[file.path] = sha256(file.content);
        break;
      }
      case 'sidecar':
        await writeFileAtomic(`${target}.new`, file.content);
        break;
      case 'same':
        files[file.path] = sha256(file.content);
        break;
      case 'kept':
        break;
    }
  }
  const next: Manifest = { version: MANIFEST_FORMAT, template, templateHash, files };
  await writeFileAtomic(join(folder, MANIFEST), `${JSON.stringify(next, null, 2)}\n`);
  return backups;
}

export function templateHashOf(contents: Record<string, string>): string {
  return sha256(JSON.stringify(Object.entries(contents).sort()));
}

export function relativeShown(base: string, path: string): string {
  const rel = relative(base, path);
  return rel === '' ? '.' : rel.split(sep).join('/');
}
