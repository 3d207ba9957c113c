// Reads the student's answers and checks them: every question answered and well-formed, and each SQL
// answer's query run against Postgres read-only with a timeout (sandbox.ts). It checks form and
// that queries run, not the graded answer (except for practice questions with an expected answer).
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { DecError, errorCode } from '../errors.js';
import { questionRole } from '../syllabus/course.js';
import type { Question } from '../syllabus/schema.js';
import { readChoice, readDate, readUrl, sameAnswer, shownValue, type Reading } from './forms.js';
import type { QueryResult } from './sandbox.js';

export const ANSWERS_FILE = 'answers.yaml';

export interface Answer {
  answer: string;
  sql: string;
  command: string;
}

type CheckStatus = 'pass' | 'fail' | 'unanswered' | 'skipped';

export interface QuestionCheck {
  id: string;
  kind: Question['kind'];
  optional: boolean;
  /** dec's own practice question: shown, never counted for the homework. */
  practice: boolean;
  status: CheckStatus;
  detail: string;
}

/** Text that is only the template's comment, or blank, counts as empty. */
function meaningful(text: string, comment: RegExp): string {
  return text
    .split('\n')
    .filter((line) => !comment.test(line.trim()))
    .join('\n')
    .trim();
}

/** answers.yaml holds short answers and queries: anything bigger is a mistake, or a link to /dev/zero. */
const MAX_ANSWERS_BYTES = 1024 * 1024;
/** Aliases (*name) a real answers file needs: a few at most. More expand into an alias bomb. */
const MAX_ALIASES = 50;

const FRESH_ANSWERS_HINT = 'Make it a plain text file: move it away and run `dec homework init` for the week again.';

/**
 * The text of a small regular file, or undefined when there is none. Opened without blocking and
 * read up to a limit, so that a fifo, a device or a huge file is an error and never a hang.
 */
export function readAnswersText(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new DecError(`Cannot read ${path}: ${(error as Error).message}`, { hint: "Check the file's permissions." });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new DecError(`${path} is not a regular file.`, { hint: FRESH_ANSWERS_HINT });
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_ANSWERS_BYTES) + 1);
    // One byte more than allowed tells a file that grew past the limit since fstat.
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > MAX_ANSWERS_BYTES || stat.size > MAX_ANSWERS_BYTES) {
      const size = (Math.max(stat.size, length) / 1024 / 1024).toFixed(1);
      throw new DecError(`${path} is ${size} MB; an answers file holds short answers (up to 1 MB).`, {
        hint: FRESH_ANSWERS_HINT,
      });
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** A colon inside an answer and a line indented wrongly give the same YAML error: the line tells them apart. */
function yamlHint(lines: readonly string[], code: string, lineNumber: number, message: string): string {
  const line = lines[lineNumber - 1] ?? '';
  const pair = /^(\s*[\w-]+:\s+)(.*)$/.exec(line);
  const value = pair?.[2]?.trim() ?? '';
  const quoted = (text: string) => `${pair?.[1]?.trim() ?? 'answer:'} "${text.replace(/["\\]/g, '\\$&')}"`;
  const indentation =
    'Keep answer: and sql: two spaces in under their question, and every line of a query four spaces in.';
  switch (code) {
    case 'TAB_AS_INDENT':
      return `Indent with spaces, not tabs. ${indentation}`;
    case 'BAD_INDENT':
      return `Line ${lineNumber} is indented differently from the lines around it. ${indentation}`;
    case 'DUPLICATE_KEY':
      return `${line.trim().replace(/:.*$/, '')} appears twice: keep one of them.`;
    case 'BAD_SCALAR_START':
      return `An answer that starts with ${value.charAt(0)} needs quotes: ${quoted(value)}`;
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      if (/:\s/.test(value) || value.endsWith(':')) return `An answer with ": " in it needs quotes: ${quoted(value)}`;
      return `The line after line ${lineNumber} is indented too far. ${indentation}`;
    case 'MISSING_CHAR':
      if (/quote/.test(message)) return 'Close the quote the answer opens, or leave the quotes out.';
      return `Line ${lineNumber} is indented less than the lines before it. ${indentation}`;
    default:
      return 'Quote answers that contain ": " or start with a special character, e.g. answer: "A / B".';
  }
}

export async function readAnswers(folder: string): Promise<Record<string, Answer> | undefined> {
  const path = join(folder, ANSWERS_FILE);
  const text = readAnswersText(path);
  if (text === undefined) return undefined;
  const { parseDocument } = await import('yaml');
  // prettyErrors (the default) is what gives each error its line and column.
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const { line, col } = error.linePos?.[0] ?? { line: 1, col: 1 };
    const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new DecError(`${path}:${line}:${col} is not valid YAML: ${message}`, {
      hint: yamlHint(text.split(/\r?\n/), error.code, line, message),
    });
  }
  let data: Record<string, unknown>;
  try {
    data = (doc.toJS({ maxAliasCount: MAX_ALIASES }) ?? {}) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    // yaml's guard against alias bombs (and an alias to an anchor that does not exist).
    throw new DecError(`${path} uses YAML aliases (*name) too often, or one without its &anchor.`, {
      hint: 'Write each answer out in full: answers need no aliases.',
    });
  }
  if (typeof data !== 'object' || Array.isArray(data))
    throw new DecError(`${path} should map question ids (q1, q2, ...) to answers.`);
  const answers: Record<string, Answer> = {};
  for (const [id, value] of Object.entries(data)) {
    const entry = (value ?? {}) as Record<string, unknown>;
    const text = (field: unknown) => (field === null || field === undefined ? '' : String(field));
    answers[id] =
      typeof value === 'object' && value !== null
        ? {
            answer: text(entry.answer).trim(),
            // Run as written, comments and all, so that an error's line matches the line in the sql: block.
            sql: meaningful(text(entry.sql), /^--/) === '' ? '' : text(entry.sql),
            command: meaningful(text(entry.command), /^#/),
          }
        : { answer: text(value).trim(), sql: '', command: '' };
  }
  return answers;
}

/**
 * What stands between the answers and submitting: graded and optional questions that are unanswered
 * or fail. dec's own practice questions are never submitted, so they never count.
 */
export function blockingChecks(results: readonly QuestionCheck[]): QuestionCheck[] {
  return results.filter((r) => !r.practice && (r.status === 'fail' || r.status === 'unanswered'));
}

const EMPTY_VALUE = /^\s*(""|''|~|null)?\s*(#.*)?$/;

/**
 * The ids of the questions answered, read line by line without the YAML parser (for `weeks list`,
 * which must start fast): `q1:` then `  answer: ...`, or `q1: ...` on one line.
 */
function answeredIds(text: string): Set<string> {
  const answered = new Set<string>();
  let current: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const key = /^([A-Za-z0-9_-]+):(.*)$/.exec(line);
    if (key) {
      current = key[1]!;
      if (!EMPTY_VALUE.test(key[2]!) && !/^\s*[|>]/.test(key[2]!)) answered.add(current);
      continue;
    }
    const answer = /^\s+answer:(.*)$/.exec(line);
    if (answer && current !== undefined && !EMPTY_VALUE.test(answer[1]!)) answered.add(current);
  }
  return answered;
}

/** Answered graded questions: what `homework status` shows and `homework check` counts alike. */
export function countAnswered(text: string, questions: readonly Question[]): number {
  const answered = answeredIds(text);
  return questions.filter((q) => questionRole(q) === 'graded' && answered.has(q.id)).length;
}

/** The answer as dec reads it (a choice's full text, a date as YYYY-MM-DD), or what is wrong with its form. */
function readAnswer(question: Question, given: string): Reading {
  switch (question.kind) {
    case 'number':
      return Number.isFinite(Number(given.replace(/[,_\s]/g, '')))
        ? { ok: true, value: given }
        : { ok: false, problem: `"${given}" is not a number` };
    case 'choice': {
      const options = question.options ?? [];
      const choice = readChoice(options, given);
      // Options that are dates also take the date in another form (Jan 1, 2019 for 2019-01-01).
      if (choice.ok || !options.every((option) => /^\d{4}-\d{2}-\d{2}$/.test(option))) return choice;
      const date = readDate(given);
      return date?.ok ? readChoice(options, date.value) : (date ?? choice);
    }
    case 'url':
      return readUrl(given);
    default:
      // A question that asks for a date says so ("Answer as YYYY-MM-DD").
      if (!/YYYY-MM-DD/.test(question.question)) return { ok: true, value: given };
      return readDate(given) ?? { ok: false, problem: `"${given}" is not a date; write it as YYYY-MM-DD` };
  }
}

export function checkForm(question: Question, answer: Answer | undefined): QuestionCheck {
  const role = questionRole(question);
  const base = { id: question.id, kind: question.kind, optional: role !== 'graded', practice: role === 'practice' };
  const given = answer?.answer ?? '';
  if (given === '') {
    return {
      ...base,
      status: role === 'graded' ? 'unanswered' : 'skipped',
      detail: role === 'graded' ? 'no answer yet' : `${role === 'practice' ? 'practice' : 'optional'}, not answered`,
    };
  }
  const fail = (detail: string): QuestionCheck => ({ ...base, status: 'fail', detail });
  const reading = readAnswer(question, given);
  if (!reading.ok) return fail(reading.problem);
  switch (question.kind) {
    case 'sql':
      if (!answer?.sql) return fail('the query you used is missing (sql:)');
      if (question.engine && question.engine !== 'postgres') {
        return {
          ...base,
          status: 'pass',
          detail: `answered (a ${question.engine === 'bigquery' ? 'BigQuery' : 'Spark'} query: not run here)`,
        };
      }
      break;
    case 'command':
      if (!answer?.command) return fail('the command you ran is missing (command:)');
      break;
    default:
      break;
  }
  if (question.expected !== undefined && !sameAnswer(reading.value, question.expected)) {
    return fail(`not the expected answer (this practice question has one)`);
  }
  // What dec read, when it is not what was written: the form to submit.
  const readAs = reading.value !== given ? ` as ${reading.value}` : '';
  return {
    ...base,
    status: 'pass',
    detail: question.kind === 'command' ? 'answered (commands are not run)' : `answered${readAs}`,
  };
}

/**
 * A query that returns one row says what the answer should be: it must agree with the written answer
 * (in one of its columns, or "A / B" across them). More rows, or none, cannot be compared.
 */
export function compareWithQuery(
  question: Question,
  given: string,
  result: QueryResult,
): Pick<QuestionCheck, 'status' | 'detail'> {
  if (result.rows !== 1 || !result.first || result.first.length === 0) {
    const rows = result.rows === 0 ? '; it returns no rows' : '';
    return { status: 'pass', detail: `answered; the query runs${rows}` };
  }
  const reading = readAnswer(question, given);
  const written = reading.ok ? reading.value : given;
  const values = result.first;
  const parts = written.split(/\s+\/\s+/);
  const agrees =
    values.some((value) => sameAnswer(written, value)) ||
    (parts.length > 1 && parts.every((part, i) => values[i] !== undefined && sameAnswer(part, values[i]!)));
  if (agrees) return { status: 'pass', detail: 'answered; the query runs and returns the same' };
  return {
    status: 'fail',
    detail: `your query returns ${values.map(shownValue).join(', ')}; your answer says ${given}`,
  };
}
