// How answers are read: YAML errors at their real line and column with a hint that fits, choices by
// letter, number or start, dates in any unambiguous form, links without a scheme, and a query's one
// row compared with the written answer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkForm, compareWithQuery, readAnswers } from '../../src/homework/check.js';
import { readChoice, readDate, readUrl, sameAnswer } from '../../src/homework/forms.js';
import { DecError } from '../../src/errors.js';
import type { Question } from '../../src/syllabus/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'dec-answers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function yamlError(text: string): Promise<DecError> {
  writeFileSync(join(dir, 'answers.yaml'), text);
  const error = await readAnswers(dir).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DecError);
  return error as DecError;
}

describe('answers.yaml errors', () => {
  it('a colon in an answer: its line and column, and the quoted answer to write', async () => {
    const error = await yamlError('q1:\n  answer: 5\nq2:\n  answer: Zone: JFK Airport\n');
    expect(error.message).toBe(
      `${join(dir, 'answers.yaml')}:4:11 is not valid YAML: Nested mappings are not allowed in compact mappings`,
    );
    expect(error.hint).toBe('An answer with ": " in it needs quotes: answer: "Zone: JFK Airport"');
  });

  it('a line indented too far is told as indentation, not as a colon', async () => {
    const error = await yamlError('q1:\n  answer: 5\n   sql: |\n    select 1\n');
    expect(error.message).toContain(':2:11 ');
    expect(error.hint).toMatch(/^The line after line 2 is indented too far\. Keep answer: and sql: two spaces in/);
  });

  it('a query line indented less than its block, a tab, a key twice, an unclosed quote, a leading @', async () => {
    const less = await yamlError('q1:\n  answer: 5\n  sql: |\n    select 1\n  from t\n');
    expect(less.message).toContain(':5:3 ');
    expect(less.hint).toMatch(/^Line 5 is indented less than the lines before it/);
    expect((await yamlError('q1:\n\tanswer: 5\n')).hint).toMatch(/^Indent with spaces, not tabs/);
    const twice = await yamlError('q1:\n  answer: 1\nq1:\n  answer: 2\n');
    expect(twice.message).toContain(':3:1 ');
    expect(twice.hint).toBe('q1 appears twice: keep one of them.');
    expect((await yamlError('q1:\n  answer: "abc\nq2:\n  answer: 1\n')).hint).toMatch(/Close the quote/);
    expect((await yamlError('q1:\n  answer: @home\n')).hint).toBe(
      'An answer that starts with @ needs quotes: answer: "@home"',
    );
  });
});

const question = (fields: Partial<Question>): Question =>
  ({ id: 'q1', kind: 'text', question: 'Which?', ...fields }) as Question;

describe('choices', () => {
  const options = ['Daily', 'Monthly', 'Yearly', 'Every two months'];
  it('by text, letter, number or a start only one option has', () => {
    for (const given of ['monthly', 'b', 'B)', '(b)', '2', 'mon', '  Monthly '])
      expect(readChoice(options, given), given).toEqual({ ok: true, value: 'Monthly' });
    expect(readChoice(options, 'ev')).toEqual({ ok: true, value: 'Every two months' });
  });

  it('a start that fits two options, or none, says which and lists the options with their letters', () => {
    expect(readChoice(['Partition by A', 'Partition by B'], 'partition')).toEqual({
      ok: false,
      problem: '"partition" starts more than one option (Partition by A | Partition by B); write more of it',
    });
    expect(readChoice(options, 'weekly')).toEqual({
      ok: false,
      problem: '"weekly" is not one of the options: a) Daily | b) Monthly | c) Yearly | d) Every two months',
    });
    expect(readChoice(options, 'x').ok).toBe(false); // no fifth option, and nothing starts with x
    expect(readChoice(options, '9').ok).toBe(false);
  });

  it('checkForm passes a choice by letter and says what it read', () => {
    const result = checkForm(question({ kind: 'choice', options }), { answer: 'b', sql: '', command: '' });
    expect(result).toMatchObject({ status: 'pass', detail: 'answered as Monthly' });
  });
});

describe('dates', () => {
  it('any unambiguous form becomes YYYY-MM-DD', () => {
    for (const given of [
      '2021-01-15',
      '2021/1/15',
      '15 January 2021',
      'January 15, 2021',
      'Jan 15th 2021',
      '15.01.2021',
      '01/15/2021',
      '2021-01-15 00:00:00',
    ])
      expect(readDate(given), given).toEqual({ ok: true, value: '2021-01-15' });
  });

  it('refuses a date without a year, an ambiguous day and month, and an impossible date, saying why', () => {
    expect(readDate('Jan 23')).toEqual({
      ok: false,
      problem: '"Jan 23" has no year; write the date as YYYY-MM-DD, e.g. 2021-01-15',
    });
    expect(readDate('01/02/2021')).toEqual({
      ok: false,
      problem: '"01/02/2021" could be 2021-02-01 or 2021-01-02; write it as YYYY-MM-DD',
    });
    expect(readDate('2021-02-30')).toEqual({ ok: false, problem: '2021-02-30 is not a date' });
    expect(readDate('Central Park')).toBeUndefined();
  });

  it('a question that asks for YYYY-MM-DD reads the answer as a date', () => {
    const asks = question({ kind: 'sql', question: 'On which day? Answer as YYYY-MM-DD.' });
    const given = (answer: string) => checkForm(asks, { answer, sql: 'select 1', command: '' });
    expect(given('January 14, 2021')).toMatchObject({ status: 'pass', detail: 'answered as 2021-01-14' });
    expect(given('Jan 14')).toMatchObject({ status: 'fail', detail: expect.stringContaining('has no year') });
    expect(given('last Tuesday')).toMatchObject({ status: 'fail', detail: expect.stringContaining('YYYY-MM-DD') });
  });

  it('options that are dates take the date in another form', () => {
    const q = question({ kind: 'choice', options: ['2019-01-01', '2020-01-01'] });
    expect(checkForm(q, { answer: 'Jan 1, 2019', sql: '', command: '' })).toMatchObject({
      status: 'pass',
      detail: 'answered as 2019-01-01',
    });
  });
});

describe('links', () => {
  it('a link without its scheme is told to add https://', () => {
    expect(readUrl('github.com/me/dez-homework')).toEqual({
      ok: false,
      problem: '"github.com/me/dez-homework" has no scheme: add https:// (https://github.com/me/dez-homework)',
    });
    expect(readUrl('https://github.com/me/dez-homework').ok).toBe(true);
    expect(readUrl('ftp://example.com/x')).toEqual({
      ok: false,
      problem: '"ftp://example.com/x" is not an http(s) link',
    });
    expect(readUrl('my repo')).toEqual({ ok: false, problem: '"my repo" is not a URL' });
  });
});

describe("a query's one row against the written answer", () => {
  it('compares numbers as numbers, to the precision written', () => {
    expect(sameAnswer('53,024', '53024')).toBe(true);
    expect(sameAnswer('53 024', '53024')).toBe(true);
    expect(sameAnswer('53,042', '53024')).toBe(false);
    expect(sameAnswer('2.50', '2.4987')).toBe(true);
    expect(sameAnswer('2.5', '2.44')).toBe(false);
    expect(sameAnswer('12', '12.00')).toBe(true);
  });

  it('compares dates and names as text, case and spaces aside; a midnight timestamp is its date', () => {
    expect(sameAnswer('2021-01-14', '2021-01-14T00:00:00')).toBe(true);
    expect(sameAnswer('2021-01-14', '2021-01-15')).toBe(false);
    expect(sameAnswer('upper  east side NORTH', 'Upper East Side North')).toBe(true);
    expect(sameAnswer('JFK Airport', 'Newark Airport')).toBe(false);
  });

  it('says what the query returns and what the answer says when they differ', () => {
    const q = question({ kind: 'sql' });
    expect(compareWithQuery(q, '53,042', { rows: 1, first: ['53024'] })).toEqual({
      status: 'fail',
      detail: 'your query returns 53,024; your answer says 53,042',
    });
    expect(
      compareWithQuery(q, 'Central Park / Unknown', { rows: 1, first: ['Central Park', 'Unknown', '41.2'] }),
    ).toEqual({ status: 'pass', detail: 'answered; the query runs and returns the same' });
    expect(compareWithQuery(q, '7', { rows: 3, first: ['1'] })).toEqual({
      status: 'pass',
      detail: 'answered; the query runs',
    });
    expect(compareWithQuery(q, '7', { rows: 0 })).toEqual({
      status: 'pass',
      detail: 'answered; the query runs; it returns no rows',
    });
  });
});
