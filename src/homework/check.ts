// Reads the student's answers and checks them: every question answered and well-formed, and each SQL
// answer's query run against Postgres read-only with a timeout (sandbox.ts). It checks form and
// that queries run, not the graded answer (except for practice questions with an expected answer).
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { DecError, errorCode } from '../errors.js';
import { questionRole } from '../syllabus/course.js';
import type { Question } from '../syllabus/schema.js';

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

export async function readAnswers(folder: string): Promise<Record<string, Answer> | undefined> {
  const path = join(folder, ANSWERS_FILE);
  const text = readAnswersText(path);
  if (text === undefined) return undefined;
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [1, 1];
    throw new DecError(`${path}:${line}:${column} is not valid YAML: ${error.message.split('\n')[0]}`, {
      hint: 'Quote answers that contain ": " or start with a special character, e.g. answer: "A / B".',
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

/** Answered questions, counted without the YAML parser (for `weeks list`, which must start fast). */
export function countAnswered(text: string): number {
  return text
    .split('\n')
    .filter((line) => /^\s+answer:\s*\S/.test(line) && !/^\s+answer:\s*(""|''|~|null)\s*$/.test(line)).length;
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
  switch (question.kind) {
    case 'number':
      if (!Number.isFinite(Number(given.replace(/[,_\s]/g, '')))) return fail(`"${given}" is not a number`);
      break;
    case 'choice': {
      const options = question.options ?? [];
      if (!options.some((option) => option.trim().toLowerCase() === given.toLowerCase())) {
        return fail(`"${given}" is not one of the options: ${options.join(' | ')}`);
      }
      break;
    }
    case 'url':
      try {
        const url = new URL(given);
        if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail(`"${given}" is not an http(s) link`);
      } catch {
        return fail(`"${given}" is not a URL`);
      }
      break;
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
    case 'text':
      break;
  }
  if (question.expected !== undefined && given.trim().toLowerCase() !== question.expected.trim().toLowerCase()) {
    return fail(`not the expected answer (this practice question has one)`);
  }
  return {
    ...base,
    status: 'pass',
    detail: question.kind === 'command' ? 'answered (commands are not run)' : 'answered',
  };
}
