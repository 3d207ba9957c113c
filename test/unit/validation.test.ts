// parseSyllabus on bad syllabi: one fixture per kind of mistake (test/fixtures/syllabi/bad-*.yaml), plus
// files generated here that would be unwieldy to commit (not UTF-8, over 1 MiB, an alias bomb).
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DecError, ExitCode } from '../../src/errors.js';
import { loadSyllabus } from '../../src/syllabus/load.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/syllabi/', import.meta.url));

interface Fixture {
  bytes: Buffer;
  text: string;
  /** The name shown in messages. */
  file: string;
}

function fixture(name: string): Fixture {
  const bytes = readFileSync(join(FIXTURES, name));
  return { bytes, text: bytes.toString('utf8'), file: `fixtures/${name}` };
}

/** Parses, expecting failure; the failure must be a DecError that exits with 2. */
function parseError(bytes: Uint8Array, file: string): DecError {
  let thrown: unknown;
  try {
    parseSyllabus(bytes, file);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'parseSyllabus should have thrown').toBeDefined();
  expect(thrown).toBeInstanceOf(DecError);
  const error = thrown as DecError;
  expect(error.exitCode).toBe(ExitCode.couldNotRun);
  expect(error.exitCode).toBe(2);
  return error;
}

function fixtureError(name: string): { error: DecError; fx: Fixture } {
  const fx = fixture(name);
  return { error: parseError(fx.bytes, fx.file), fx };
}

/** 1-based line and column where `needle` first occurs in `text`. */
function positionOf(text: string, needle: string, from = 0): { line: number; column: number } {
  const offset = text.indexOf(needle, from);
  if (offset < 0) throw new Error(`"${needle}" is not in the fixture`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** The detail line for a problem at `needle`: "  file:line:col  path: message". */
function detailAt(fx: Fixture, needle: string, from = 0): string {
  const { line, column } = positionOf(fx.text, needle, from);
  return `  ${fx.file}:${line}:${column}  `;
}

const SYLLABUS_HINT = /schema\.json/;

describe('parseSyllabus: the valid base fixture', () => {
  it('parses into a course with numbered topics and derived ids', () => {
    const course = parseSyllabus(fixture('valid-base.yaml').bytes, 'valid-base.yaml');
    expect(course.id).toBe('tiny');
    expect(course.weeks.map((week) => week.id)).toEqual(['week-1', 'week-2']);
    expect(course.weeks[0]!.topics[0]).toMatchObject({ id: 'hello', number: 1, title: 'Hello', duration: '5 min' });
  });
});

describe('parseSyllabus: schema problems', () => {
  it('names an unknown key with the nearest known one, at the top and at week level', () => {
    const { error, fx } = fixtureError('bad-unknown-key.yaml');
    expect(error.hint).toMatch(SYLLABUS_HINT);
    expect(error.details).toContain(`${detailAt(fx, 'titel:')}titel: unknown key "titel"; did you mean "title"?`);
    expect(error.details).toContain(
      `${detailAt(fx, 'topcs:')}weeks[0].topcs: unknown key "topcs"; did you mean "topics"?`,
    );
    // The keys they stand for are missing too, but the suggestion already says so: reported once.
    expect(error.details.some((line) => line.includes('title: missing'))).toBe(false);
    expect(error.details.some((line) => line.includes('weeks[0].topics: missing'))).toBe(false);
    expect(error.message).toBe(`The syllabus ${fx.file} has 2 problems:`);
  });

  it('reports a bad duration by its exact path, at the line and column of the value', () => {
    const { error, fx } = fixtureError('bad-duration.yaml');
    expect(error.message).toBe(`The syllabus ${fx.file} has 1 problem:`);
    expect(error.details).toHaveLength(1);
    const { line, column } = positionOf(fx.text, 'soon-ish');
    expect([line, column]).toEqual([16, 21]);
    expect(error.details[0]).toBe(
      `  ${fx.file}:16:21  weeks[1].topics[0].duration: expected a duration such as "25 minutes", "5 min", ` +
        '"1:30-1:45 mins", "40 + ? minutes" or "2-3 weeks", got "soon-ish"',
    );
  });

  it('reports a value of the wrong type with what it got', () => {
    const { error, fx } = fixtureError('bad-wrong-type.yaml');
    expect(error.details).toEqual([`${detailAt(fx, 'two')}weeks[0].number: expected number, got "two"`]);
  });

  it('lists several problems in one error, sorted by line', () => {
    const { error, fx } = fixtureError('bad-several.yaml');
    expect(error.message).toBe(`The syllabus ${fx.file} has 6 problems:`);
    expect(error.details).toHaveLength(6);
    const lines = error.details.map((detail) => Number(/:(\d+):\d+ {2}/.exec(detail)?.[1]));
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    // zod reports title before duration and `start` before the weeks; the file order wins.
    expect(error.details.map((detail) => detail.split('  ')[2]!.split(':')[0])).toEqual([
      'id',
      'weeks[0].topics[0].duration',
      'weeks[0].topics[0].title',
      'weeks[0].topics[0].extra',
      'weeks[1].title',
      'start',
    ]);
    expect(error.details[1]).toContain(detailAt(fx, 'soon'));
    expect(error.details[2]).toBe(`${detailAt(fx, '42')}weeks[0].topics[0].title: expected string, got number 42`);
    expect(error.details[3]).toBe(`${detailAt(fx, 'maybe')}weeks[0].topics[0].extra: expected boolean, got "maybe"`);
    expect(error.details[5]).toContain(`${detailAt(fx, '17 January')}start: expected a date as YYYY-MM-DD`);
  });

  it('reports a missing required key at its mapping', () => {
    const { error, fx } = fixtureError('bad-missing-key.yaml');
    expect(error.details).toEqual([`  ${fx.file}:1:1  id: missing; expected string`]);
  });

  it('suggests the tool id for a typo', () => {
    const { error, fx } = fixtureError('bad-unknown-tool.yaml');
    expect(error.details).toHaveLength(1);
    expect(error.details[0]).toMatch(
      new RegExp(
        `^${escape(detailAt(fx, 'dokcer'))}weeks\\[0\\]\\.tools\\[0\\]\\.id: expected one of docker, .*got "dokcer"; did you mean "docker"\\?$`,
      ),
    );
  });

  it('rejects a version that is not a semver range', () => {
    const { error, fx } = fixtureError('bad-semver.yaml');
    expect(error.details).toHaveLength(1);
    expect(error.details[0]).toContain(
      `${detailAt(fx, '"at least twenty"')}weeks[0].tools[0].version: expected a semver range`,
    );
    expect(error.details[0]).toContain('got "at least twenty"');
  });
});

describe('parseSyllabus: YAML problems', () => {
  it('reports invalid YAML syntax with line and column', () => {
    const { error, fx } = fixtureError('bad-yaml-syntax.yaml');
    expect(error.message).toBe(`The syllabus ${fx.file} has 1 problem:`);
    // "title: Tiny course: the basics" — the plain value may not hold ": ".
    expect(error.details).toEqual([
      `${detailAt(fx, 'Tiny course: the basics')}Nested mappings are not allowed in compact mappings`,
    ]);
    expect(positionOf(fx.text, 'Tiny course: the basics')).toEqual({ line: 3, column: 8 });
  });

  it('reports a duplicate key at the duplicate', () => {
    const { error, fx } = fixtureError('bad-duplicate-key.yaml');
    expect(error.details).toEqual([
      `${detailAt(fx, 'title: First week again')}duplicate key; each key may appear once in a mapping`,
    ]);
    expect(positionOf(fx.text, 'title: First week again')).toEqual({ line: 10, column: 5 });
  });

  it.each([['bad-empty.yaml'], ['bad-comments-only.yaml']])('says %s is empty', (name) => {
    const { error, fx } = fixtureError(name);
    expect(error.message).toBe(`The syllabus ${fx.file} is empty.`);
    expect(error.hint).toContain('dez-2022.yaml');
  });

  it('rejects a top-level list', () => {
    const { error, fx } = fixtureError('bad-top-level-list.yaml');
    expect(error.details).toEqual([
      `  ${fx.file}:1:1  expected a mapping with schemaVersion, id, title and weeks, got a list`,
    ]);
  });

  it('rejects a top-level scalar', () => {
    const error = parseError(Buffer.from('just some words\n'), 'words.yaml');
    expect(error.details).toEqual([
      '  words.yaml:1:1  expected a mapping with schemaVersion, id, title and weeks, got "just some words"',
    ]);
  });
});

describe('parseSyllabus: what a schema cannot say', () => {
  it('rejects duplicate week numbers', () => {
    const { error, fx } = fixtureError('bad-duplicate-week-number.yaml');
    const second = fx.text.indexOf('- number: 1', fx.text.indexOf('- number: 1') + 1);
    expect(error.details).toEqual([
      `${detailAt(fx, '1', second + '- number: '.length)}weeks[1].number: week 1 is already taken by weeks[0]; week numbers must be unique`,
    ]);
  });

  it('rejects duplicate week ids', () => {
    const { error, fx } = fixtureError('bad-duplicate-week-id.yaml');
    const second = fx.text.indexOf('id: week-1', fx.text.indexOf('id: week-1') + 1);
    expect(error.details).toEqual([
      `${detailAt(fx, 'week-1', second)}weeks[1].id: "week-1" is already used by weeks[0]; ids must be unique`,
    ]);
  });

  it("rejects a week inside another week's span (7 through 9 and 8)", () => {
    const { error, fx } = fixtureError('bad-week-span-overlap.yaml');
    expect(error.details).toEqual([
      `${detailAt(fx, '8\n')}weeks[1].number: week 8 is already taken by weeks[0]; week numbers must be unique`,
    ]);
  });

  it('rejects a topic section the week does not have, with a suggestion', () => {
    const { error, fx } = fixtureError('bad-unknown-section.yaml');
    expect(error.details).toEqual([
      `${detailAt(fx, 'Basic\n')}weeks[0].topics[0].section: no section "Basic" in this week; did you mean "Basics"?`,
    ]);
  });

  it('rejects a reference to an unknown dataset, with a suggestion', () => {
    const { error, fx } = fixtureError('bad-unknown-dataset.yaml');
    expect(error.details).toEqual([
      `${detailAt(fx, 'yelow')}weeks[0].datasets[0].dataset: unknown dataset "yelow"; did you mean "yellow"? (define it under the top-level "datasets")`,
    ]);
  });

  it('rejects two topics whose titles give the same id', () => {
    const { error, fx } = fixtureError('bad-duplicate-topic-id.yaml');
    expect(error.details).toEqual([
      `${detailAt(fx, 'title: hello world')}weeks[0].topics[1]: topic id "hello-world" is already used by topics[0]; give one of them an explicit "id"`,
    ]);
  });
});

describe('parseSyllabus: hostile or wrong files (generated)', () => {
  it('names the line and column of the first byte that is not UTF-8', () => {
    // A Latin-1 "è" (0xE8) in week 1's title, after valid multi-byte UTF-8 on that line and above.
    const base = fixture('valid-base.yaml').text.replace('title: Tiny course', 'title: Tiny course — très petit');
    const [before, after] = base.split('title: First week') as [string, string];
    const bytes = Buffer.concat([
      Buffer.from(`${before}title: Café — Premi`),
      Buffer.from([0xe8]),
      Buffer.from(`re week${after}`),
    ]);
    const line = before.split('\n').length;
    // Columns count characters, as editors do: "    title: Café — Premi" is 23 characters, 26 bytes.
    const column = `${before.split('\n').at(-1)!}title: Café — Premi`.length + 1;
    expect([line, column]).toEqual([8, 24]);
    const error = parseError(bytes, 'latin1.yaml');
    expect(error.message).toBe(`The syllabus latin1.yaml:${line}:${column} is not UTF-8 text.`);
    expect(error.hint).toContain('UTF-8');
    expect(error.details).toEqual([]);
  });

  it('finds the bad byte wherever multi-byte characters put it', () => {
    // The search for the bad byte probes prefixes that end inside characters; none may mislead it.
    const found: string[] = [];
    const expected: string[] = [];
    for (let wide = 0; wide <= 8; wide++) {
      for (let narrow = 0; narrow <= 3; narrow++) {
        for (const bad of [[0xff], [0xe9, 0x0a], [0xf0, 0x9f, 0x98, 0x41]]) {
          const line2 = `# ${'é'.repeat(wide)}${'€'.repeat(narrow % 2)}${'a'.repeat(narrow)}`;
          const bytes = Buffer.concat([Buffer.from(`id: x\n${line2}`), Buffer.from(bad), Buffer.from('tail\n')]);
          expected.push(`b.yaml:2:${line2.length + 1}`);
          found.push(
            /^The syllabus (b\.yaml:\d+:\d+) is not UTF-8 text\.$/.exec(parseError(bytes, 'b.yaml').message)?.[1] ??
              '?',
          );
        }
      }
    }
    expect(found).toEqual(expected);
  });

  it('refuses a file over 1 MiB', () => {
    const base = fixture('valid-base.yaml').bytes;
    const padding = Buffer.alloc(1024 * 1024 + 1 - base.length, '#');
    const bytes = Buffer.concat([base, padding]);
    expect(bytes.length).toBe(1024 * 1024 + 1);
    const error = parseError(bytes, 'huge.yaml');
    expect(error.message).toBe('The syllabus huge.yaml is 1.0 MiB; a syllabus is at most 1 MiB.');
    expect(error.hint).toContain('--syllabus');
  });

  it('stops an alias bomb ("billion laughs") fast', () => {
    // 9 levels of 9 aliases each: 9^9 ≈ 387 million strings if expanded.
    const lines = [`a0: &a0 [${Array(9).fill('"lol"').join(', ')}]`];
    for (let level = 1; level <= 9; level++) {
      lines.push(
        `a${level}: &a${level} [${Array(9)
          .fill(`*a${level - 1}`)
          .join(', ')}]`,
      );
    }
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    // Expanded, it would not finish within the test's time limit, let alone its memory.
    const error = parseError(bytes, 'bomb.yaml');
    expect(error.message).toBe('The syllabus bomb.yaml expands its YAML aliases too many times (limit 100).');
    expect(error.hint).toContain('fewer aliases');
  });
});

describe('loadSyllabus cache', () => {
  let home: string | undefined;

  afterEach(async () => {
    if (home) await rm(home, { recursive: true, force: true });
    home = undefined;
  });

  it('reuses the compiled course for unchanged bytes and re-validates a changed file', async () => {
    home = await mkdtemp(join(tmpdir(), 'dec-unit-cache-'));
    const env = { DEC_HOME: home };
    const path = join(home, 'syllabus.yaml');
    const source = { path, origin: 'flag' as const };
    const valid = fixture('valid-base.yaml').text;
    await writeFile(path, valid);

    const first = await loadSyllabus(source, env, home);
    expect(first.course.title).toBe('Tiny course');
    const cacheDir = join(home, 'cache');
    const entries = await readdir(cacheDir);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^syllabus-.+\.cache$/);

    const second = await loadSyllabus(source, env, home);
    expect(second.course).toEqual(first.course);
    expect(second).toMatchObject({ path, origin: 'flag' });

    // Proof that the second load came from the cache and not from the YAML: doctor the entry.
    const entryPath = join(cacheDir, entries[0]!);
    const entry = await readFile(entryPath, 'latin1');
    expect(entry).toContain('"title":"Tiny course"');
    await writeFile(entryPath, entry.replace('"title":"Tiny course"', '"title":"From cache!"'), 'latin1');
    expect((await loadSyllabus(source, env, home)).course.title).toBe('From cache!');

    // Touched but the same bytes: still the cache (compared byte for byte), and the new signature is
    // remembered; the lazily parsed parts read back as they were compiled.
    await writeFile(path, valid);
    const touched = await loadSyllabus(source, env, home);
    expect(touched.course.title).toBe('From cache!');
    expect(touched.course.stacks).toEqual(first.course.stacks);
    expect(touched.course.datasets).toEqual(first.course.datasets);
    expect(await readdir(cacheDir)).toHaveLength(1);

    // A changed file has other bytes, so it is parsed and validated again.
    await writeFile(path, valid.replace('duration: 10 min', 'duration: soon-ish'));
    const rejected = loadSyllabus(source, env, home);
    await expect(rejected).rejects.toBeInstanceOf(DecError);
    await expect(rejected).rejects.toMatchObject({
      message: 'The syllabus syllabus.yaml has 1 problem:',
      details: [
        expect.stringMatching(/^ {2}syllabus\.yaml:17:19 {2}weeks\[1\]\.topics\[0\]\.duration: expected a duration/),
      ],
      exitCode: 2,
    });

    await writeFile(path, valid.replace('title: Tiny course', 'title: Tiny course, second edition'));
    expect((await loadSyllabus(source, env, home)).course.title).toBe('Tiny course, second edition');
    expect(await readdir(cacheDir)).toHaveLength(2);
  });
});

describe('loadSyllabus cache, two copies of one syllabus', () => {
  let home: string | undefined;
  afterEach(async () => {
    if (home) await rm(home, { recursive: true, force: true });
    home = undefined;
  });

  it('keeps an entry per copy (a global install and a clone), so neither run rewrites the other one', async () => {
    home = await mkdtemp(join(tmpdir(), 'dec-unit-cache-copies-'));
    const env = { DEC_HOME: home };
    const valid = fixture('valid-base.yaml').text;
    const copies = ['a', 'b'].map((name) => ({ path: join(home!, `${name}.yaml`), origin: 'flag' as const }));
    for (const copy of copies) await writeFile(copy.path, valid);
    // Files written moments ago get no signature (cache.ts): wait until these count as settled.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    for (const copy of copies) await loadSyllabus(copy, env, home);
    const cacheDir = join(home, 'cache');
    const entries = await readdir(cacheDir);
    expect(entries).toHaveLength(2);
    const written = async () => Promise.all(entries.map(async (entry) => (await stat(join(cacheDir, entry))).mtimeMs));
    const before = await written();
    for (const copy of [...copies, ...copies])
      expect((await loadSyllabus(copy, env, home)).course.title).toBe('Tiny course');
    expect(await written()).toEqual(before);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
