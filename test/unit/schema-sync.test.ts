// syllabus/schema.json is generated from the zod schema; this keeps the committed copy in sync.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { syllabusJsonSchema } from '../../src/syllabus/schema.js';

describe('syllabus/schema.json', () => {
  it('matches the zod schema (run `npm run schema` to regenerate)', () => {
    const committed: unknown = JSON.parse(readFileSync(new URL('../../syllabus/schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(syllabusJsonSchema());
  });

  it('is referenced from the default syllabus for yaml-language-server', () => {
    const firstLine = readFileSync(new URL('../../syllabus/dez-2022.yaml', import.meta.url), 'utf8').split('\n')[0];
    expect(firstLine).toBe('# yaml-language-server: $schema=./schema.json');
  });

  it('rejects unknown keys so editors flag typos', () => {
    const schema = syllabusJsonSchema() as { additionalProperties?: unknown; properties: Record<string, unknown> };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['schemaVersion', 'id', 'title', 'weeks']));
  });
});
