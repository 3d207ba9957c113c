// Small files that ship with dec (templates/data/), so that what they serve works offline: the taxi
// zone lookup (265 zones, the course mirror's file) for week 1's join questions. The download stays
// the first choice, since it is what the syllabus names; the shipped copy stands in when it fails.
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TEMPLATES_DIR } from '../paths.js';
import { fileSystemError } from '../util/fs.js';

const SHIPPED: Record<string, { what: string }> = {
  'taxi_zone_lookup.csv': { what: "the course's 265 taxi zones" },
};

/** The shipped copy of a download, by its file name, and what it holds; undefined when dec ships none. */
export function shippedCopy(fileName: string): { path: string; what: string } | undefined {
  const entry = SHIPPED[fileName];
  if (!entry) return undefined;
  const path = join(TEMPLATES_DIR, 'data', fileName);
  return existsSync(path) ? { path, what: entry.what } : undefined;
}

/** Puts the shipped copy where the download would have gone (atomically: never half a file). */
export function placeShipped(source: string, target: string): void {
  const part = `${target}.shipped-${process.pid}`;
  try {
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(source, part);
    renameSync(part, target);
  } catch (error) {
    rmSync(part, { force: true });
    throw fileSystemError(error, 'write', target);
  }
}
