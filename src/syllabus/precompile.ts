// dist/compile.cjs: the build validates the built-in syllabi with it and stores them where load.ts
// looks first; at run time load.ts loads it only for a syllabus that has no cache entry yet.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSignature, writeEntry } from './cache.js';
import { compileSyllabus } from './load.js';

export async function precompileBuiltins(syllabusDir: string, cacheDir: string): Promise<string[]> {
  const names = (await readdir(syllabusDir)).filter((name) => name.endsWith('.yaml'));
  for (const name of names) {
    const path = join(syllabusDir, name);
    // The signature of the file as built: it holds in a clone; after `npm install` the first run
    // compares bytes instead and remembers the installed file's signature in the user's cache.
    const signature = fileSignature(await stat(path, { bigint: true }));
    await writeEntry(cacheDir, await compileSyllabus(await readFile(path), signature, `syllabus/${name}`));
  }
  return names;
}

export { syllabusJsonSchema } from './schema.js';
export { parseSyllabus } from './parse.js';
