// CSV text written as bytes into fixed buffers, for COPY. Building the text as JS strings made the
// garbage collector the main cost of a Parquet load (6 of 10 s): here a cell is copied or its digits
// written straight into a buffer, and only short-lived number strings are allocated.
import { ChunkedOut } from './chunked-out.js';

const QUOTE = 34;
const COMMA = 44;
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const ZERO = 48;

export class CsvOut extends ChunkedOut {
  separator(last: boolean): void {
    this.room(1);
    this.buffer[this.position++] = last ? NEWLINE : COMMA;
  }

  /** A ready cell (already quoted where CSV needs it). */
  bytes(cell: Uint8Array): void {
    const n = cell.length;
    this.room(n);
    if (n < 32) {
      const buffer = this.buffer;
      let p = this.position;
      for (let i = 0; i < n; i++) buffer[p++] = cell[i]!;
      this.position = p;
    } else {
      this.buffer.set(cell, this.position);
      this.position += n;
    }
  }

  /** Text known to be ASCII (number strings). */
  ascii(text: string): void {
    const n = text.length;
    this.room(n);
    const buffer = this.buffer;
    let p = this.position;
    for (let i = 0; i < n; i++) buffer[p++] = text.charCodeAt(i);
    this.position = p;
  }

  /** A cell already in CSV form (quoted where needed), in any script. */
  cell(text: string): void {
    this.bytes(Buffer.from(text, 'utf8'));
  }

  /** UTF-8 bytes of a string value: copied as they are, or quoted if they hold a quote, comma or line break. */
  utf8(value: Uint8Array): void {
    const n = value.length;
    let plain = n > 0;
    for (let i = 0; i < n && plain; i++) {
      const c = value[i]!;
      if (c === QUOTE || c === COMMA || c === NEWLINE || c === CARRIAGE_RETURN) plain = false;
    }
    if (plain) return this.bytes(value);
    // Quoted; an empty string is "" so COPY does not read it as NULL.
    this.room(2 * n + 2);
    const buffer = this.buffer;
    let p = this.position;
    buffer[p++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = value[i]!;
      if (c === QUOTE) buffer[p++] = QUOTE;
      buffer[p++] = c;
    }
    buffer[p++] = QUOTE;
    this.position = p;
  }

  number(value: number): void {
    if (Number.isSafeInteger(value) && value > -1e15 && value < 1e15) this.integer(value);
    else this.ascii(String(value));
  }

  /** A whole number below 1e15 in magnitude, without making a string. */
  integer(value: number): void {
    this.room(17);
    const buffer = this.buffer;
    if (value < 0) {
      buffer[this.position++] = 45; // '-'
      value = -value;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let p = this.position + digits;
    this.position = p;
    do {
      const next = Math.floor(value / 10);
      buffer[--p] = ZERO + value - next * 10;
      value = next;
    } while (value > 0);
  }

  /** n digits, zero-padded. */
  padded(value: number, n: number): void {
    this.room(n);
    const buffer = this.buffer;
    for (let p = this.position + n - 1; p >= this.position; p--) {
      const next = Math.floor(value / 10);
      buffer[p] = ZERO + value - next * 10;
      value = next;
    }
    this.position += n;
  }

  byte(code: number): void {
    this.room(1);
    this.buffer[this.position++] = code;
  }
}

/** Year, month and day of a day count since 1970-01-01 (Howard Hinnant's civil_from_days). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/**
 * Writes a UTC instant given in microseconds as 'YYYY-MM-DD HH:MM:SS[.ffffff]', the text Postgres
 * reads into a timestamp, without making strings (trips are not sorted by time, so no day cache).
 */
export function writeTimestamp(out: CsvOut, micros: number): void {
  const seconds = Math.floor(micros / 1e6);
  const fraction = micros - seconds * 1e6;
  const days = Math.floor(seconds / 86_400);
  const [year, month, day] = civilFromDays(days);
  if (year < 0 || year > 9999) {
    out.ascii(new Date(days * 86_400_000).toISOString().slice(0, -14)); // Postgres reads +YYYYYY-MM-DD too
  } else {
    out.padded(year, 4);
    out.byte(45);
    out.padded(month, 2);
    out.byte(45);
    out.padded(day, 2);
  }
  out.byte(32);
  let rest = seconds - days * 86_400;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  out.padded(hours, 2);
  out.byte(58);
  out.padded(minutes, 2);
  out.byte(58);
  out.padded(rest - minutes * 60, 2);
  if (fraction) {
    out.byte(46);
    out.padded(Math.round(fraction), 6);
  }
}
