// loadFiles checks the table name before it reads a file or connects.
import { describe, expect, it } from 'vitest';
import { loadFiles } from '../../src/data/load.js';
import { DecError } from '../../src/errors.js';

async function refusal(table: string): Promise<DecError> {
  const error = await loadFiles(['/nonexistent.csv'], {
    connectionString: 'postgresql://127.0.0.1:9/x',
    table,
    mode: 'replace',
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DecError);
  return error as DecError;
}

describe('loadFiles: the table name', () => {
  it('a name longer than Postgres allows says so (not "use letters, digits and _")', async () => {
    const error = await refusal('x'.repeat(64));
    expect(error.message).toBe(`The table name "${'x'.repeat(64)}" has 64 characters; Postgres allows at most 63.`);
  });

  it('a name with other characters names the characters allowed', async () => {
    for (const table of ['a.b', '1trips', 'a"b', 'trips;drop']) {
      expect((await refusal(table)).message).toBe(`"${table}" is not a table name dec accepts.`);
    }
  });
});
