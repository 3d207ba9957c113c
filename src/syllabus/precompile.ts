// dist/compile.cjs: the build validates the built-in syllabi with it and stores them where load.ts
// looks first; at run time load.ts loads it only for a syllabus that has no cache entry yet.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileSyllabus, writeCached } from './load.js';

export async function precompileBuiltins(syllabusDir: string, cacheDir: string): Promise<string[]> {
  const names = (await readdir(syllabusDir)).filter((name) => name.endsWith('.yaml'));
  for (const name of names) {
    await writeCached(cacheDir, await compileSyllabus(await readFile(join(syllabusDir, name)), `syllabus/${name}`));
  }
  return names;
}

export { syllabusJsonSchema } from './schema.js';
export { parseSyllabus } from './parse.js';
