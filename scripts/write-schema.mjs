// Regenerates syllabus/schema.json from the zod schema (run `npm run schema` after changing it;
// test/unit/schema-sync.test.ts fails until you do).
import { writeFile } from 'node:fs/promises';

import { createRequire } from 'node:module';

const { syllabusJsonSchema } = createRequire(import.meta.url)('../dist/compile.cjs');
const target = new URL('../syllabus/schema.json', import.meta.url);
await writeFile(target, `${JSON.stringify(syllabusJsonSchema(), null, 2)}\n`);
console.log('wrote syllabus/schema.json');
