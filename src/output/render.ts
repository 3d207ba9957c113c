// Text building blocks for human output: progress bars and aligned tables.
import { stripVTControlCharacters } from 'node:util';
import type { Styles } from './terminal.js';
import type { WeekStatus } from '../progress/model.js';

// Characters a terminal draws two columns wide: East Asian wide and full-width forms, and emoji.
// Combining marks and format characters (variation selectors, the zero-width joiner) take no column.
// Both are made on first use: a Unicode-property class costs ~2 ms to build, and most of what dec
// prints (every `dec weeks list`) is plain ASCII, measured by the fast path below.
let wide: RegExp | undefined;
let zeroWidth: RegExp | undefined;

function charWidth(char: string): number {
  const code = char.codePointAt(0)!;
  // Below the combining marks (U+0300) every printable character is one column, but the soft hyphen.
  if (code >= 0x20 && code < 0x300 && code !== 0xad) return 1;
  // Symbols, arrows, box drawing, blocks and dingbats (U+2100-U+2BFF: dec's bars, ✓ and ○) are one
  // column too, and hold no combining mark or format character.
  if (code >= 0x2100 && code < 0x2c00) return 1;
  // Dashes, quotes, bullets and the ellipsis; the general punctuation around them holds the zero-width
  // spaces and joiners, which the class below catches.
  if ((code >= 0x2010 && code <= 0x2027) || (code >= 0x2030 && code <= 0x205e)) return 1;
  zeroWidth ??= /[\p{Mn}\p{Cf}]/u;
  if (zeroWidth.test(char)) return 0;
  wide ??=
    /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F680}-\u{1F6FF}\u{1F900}-\u{1FAFF}\u{20000}-\u{3FFFD}]/u;
  return wide.test(char) ? 2 : 1;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// ESC and CSI: text without either has no escape code to strip (plain output, bars and dashes).
// eslint-disable-next-line no-control-regex
const ESCAPE_START = /[\u001b\u009b]/;

/** Columns the text takes on a terminal: escape codes take none, wide characters two. */
export function displayWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (const char of ESCAPE_START.test(text) ? stripVTControlCharacters(text) : text) width += charWidth(char);
  return width;
}

// eslint-disable-next-line no-control-regex
const ESCAPE = /^\u001b\[[0-9;?]*[A-Za-z]/;

/** The text cut to `width` columns with "…" at the cut; its colours are closed so nothing bleeds. */
export function fitWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  let styled = false;
  for (let i = 0; i < text.length;) {
    const escape = ESCAPE.exec(text.slice(i));
    if (escape) {
      out += escape[0];
      styled = true;
      i += escape[0].length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(i)!);
    if (used + charWidth(char) > width - 1) break;
    out += char;
    used += charWidth(char);
    i += char.length;
  }
  return `${out}…${styled ? '\u001b[0m' : ''}`;
}

/** The text padded with spaces to `width` terminal columns (wide characters count two). */
export function padDisplay(text: string, width: number): string {
  return pad(text, width, 'left');
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const gap = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? gap + text : text + gap;
}

export function bar(percent: number, width: number, style: Styles): string {
  const filled = Math.round((Math.min(100, Math.max(0, percent)) / 100) * width);
  const body = '█'.repeat(filled);
  const rest = '░'.repeat(width - filled);
  return (percent >= 100 ? style.green(body) : style.cyan(body)) + style.dim(rest);
}

export function statusText(status: WeekStatus, style: Styles): string {
  if (status === 'done') return style.green('done');
  if (status === 'in progress') return style.yellow('in progress');
  return style.dim('not started');
}

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/** Columns sized to their widest cell; trailing spaces trimmed so pipes stay clean. */
export function table(columns: Column[], rows: string[][], style: Styles): string {
  const widths = columns.map((column, i) =>
    Math.max(displayWidth(column.header), ...rows.map((row) => displayWidth(row[i] ?? ''))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => pad(cell, widths[i]!, columns[i]!.align ?? 'left'))
      .join('  ')
      .trimEnd();
  return [style.bold(line(columns.map((c) => c.header))), ...rows.map(line)].join('\n');
}
