// How a written answer is read: a choice by its letter, number or the start of its text, a date in
// any unambiguous form, a link without its scheme, and a query's result compared with the answer.
// Pure: no I/O, so every rule is a unit test.
import { thousands } from '../util/count.js';

export type Reading = { ok: true; value: string } | { ok: false; problem: string };

const ok = (value: string): Reading => ({ ok: true, value });
const problem = (text: string): Reading => ({ ok: false, problem: text });

const squash = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();

/** An option by its text, its letter (b, "b)", "(b)"), its number (2) or a start only it has. */
export function readChoice(options: readonly string[], given: string): Reading {
  const wanted = squash(given);
  const exact = options.find((option) => squash(option) === wanted);
  if (exact !== undefined) return ok(exact);
  const letter = /^\(?([a-z])[).]?$/.exec(wanted);
  if (letter) {
    const index = letter[1]!.charCodeAt(0) - 97;
    if (index < options.length) return ok(options[index]!);
  }
  const number = /^\(?(\d{1,2})[).]?$/.exec(wanted);
  if (number) {
    const index = Number(number[1]) - 1;
    if (index >= 0 && index < options.length) return ok(options[index]!);
  }
  const starts = options.filter((option) => squash(option).startsWith(wanted));
  if (starts.length === 1) return ok(starts[0]!);
  const list = options.map((option, i) => `${String.fromCharCode(97 + i)}) ${option}`).join(' | ');
  if (starts.length > 1)
    return problem(`"${given}" starts more than one option (${starts.join(' | ')}); write more of it`);
  return problem(`"${given}" is not one of the options: ${list}`);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function monthOf(name: string): number | undefined {
  const index = MONTHS.indexOf(name.slice(0, 3).toLowerCase());
  return index < 0 ? undefined : index + 1;
}

function isoDate(year: number, month: number, day: number): Reading {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return problem(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')} is not a date`);
  return ok(date.toISOString().slice(0, 10));
}

/**
 * A date as YYYY-MM-DD, from any form that says it unambiguously: 2021-01-15, 2021/1/15, 15 January
 * 2021, Jan 15, 2021, 15.01.2021 (a day above 12 first). 01/02/2021 could be either month; "Jan 23" has
 * no year: both are refused with the form that would be read. undefined: the text is no date at all.
 */
export function readDate(given: string): Reading | undefined {
  const text = given.trim().replace(/,/g, ' ').replace(/\s+/g, ' ');
  const iso = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T][\d:.]+Z?)?$/.exec(text);
  if (iso) return isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const named =
    /^(\d{1,2})(?:st|nd|rd|th)? ([a-z]+)\.? (\d{4})$/i.exec(text) ??
    /^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)? (\d{4})$/i.exec(text);
  if (named) {
    const dayFirst = /^\d/.test(named[1]!);
    const month = monthOf(dayFirst ? named[2]! : named[1]!);
    const day = Number(dayFirst ? named[1] : named[2]);
    if (month !== undefined) return isoDate(Number(named[3]), month, day);
  }
  const noYear =
    /^(\d{1,2})(?:st|nd|rd|th)? ([a-z]+)$/i.exec(text) ?? /^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?$/i.exec(text);
  if (noYear && monthOf(/^\d/.test(noYear[1]!) ? noYear[2]! : noYear[1]!) !== undefined)
    return problem(`"${given}" has no year; write the date as YYYY-MM-DD, e.g. 2021-01-15`);
  const numeric = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(text);
  if (numeric) {
    const [first, second, year] = [Number(numeric[1]), Number(numeric[2]), Number(numeric[3])];
    if (first > 12) return isoDate(year, second, first);
    if (second > 12) return isoDate(year, first, second);
    if (first === second) return isoDate(year, first, second);
    const pad = (n: number) => String(n).padStart(2, '0');
    return problem(
      `"${given}" could be ${year}-${pad(second)}-${pad(first)} or ${year}-${pad(first)}-${pad(second)}; write it as YYYY-MM-DD`,
    );
  }
  return undefined;
}

/** An http(s) link; one written without its scheme (github.com/me/repo) is told to add https://. */
export function readUrl(given: string): Reading {
  const text = given.trim();
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'https:' || url.protocol === 'http:')) return ok(text);
  if (/^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?(\/\S*)?$/i.test(text))
    return problem(`"${given}" has no scheme: add https:// (https://${text})`);
  if (url) return problem(`"${given}" is not an http(s) link`);
  return problem(`"${given}" is not a URL`);
}

/** A number as a student writes it: 53,024, 53 024, 53_024, 1.5e3, 12.50. */
function readNumber(text: string): number | undefined {
  const cleaned = text.trim().replace(/(?<=\d)[,_\s](?=\d{3}\b)/g, '');
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(cleaned)) return undefined;
  return Number(cleaned);
}

/** Decimal places the answer was written with: 2.50 has two, so the query's 2.4987 rounds to 2.50. */
function decimalsOf(text: string): number {
  const match = /\.(\d+)$/.exec(text.trim().replace(/e.*$/i, ''));
  return match ? match[1]!.length : 0;
}

/**
 * Whether a value of the query's result says what the answer says: numbers as numbers (to the
 * precision the answer was written with), dates and names as text, case and spaces aside. A timestamp
 * at midnight matches its date.
 */
export function sameAnswer(written: string, value: string): boolean {
  const number = readNumber(written);
  const result = readNumber(value);
  if (number !== undefined && result !== undefined) {
    const decimals = decimalsOf(written);
    return Math.abs(result - number) <= 0.5 * 10 ** -decimals + Number.EPSILON * Math.abs(number);
  }
  const date = readDate(written);
  const valueDate = readDate(value.replace(/[ T]00:00(:00(\.0+)?)?(Z|[+-]00(:?00)?)?$/, ''));
  if (date?.ok && valueDate?.ok) return date.value === valueDate.value;
  return squash(written) === squash(value);
}

/** A value as the student would read it: 53024 as 53,024. */
export function shownValue(value: string): string {
  const number = readNumber(value);
  if (number === undefined || !/^[-+]?\d+(\.\d+)?$/.test(value.trim())) return value;
  const [whole, fraction] = value.trim().split('.');
  return `${thousands(Number(whole))}${fraction !== undefined ? `.${fraction}` : ''}`;
}
