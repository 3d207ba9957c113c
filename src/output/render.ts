// Text building blocks for human output: progress bars and aligned tables.
import { stripVTControlCharacters } from 'node:util';
import type { Styles } from './terminal.js';
import type { WeekStatus } from '../progress/model.js';

function visibleLength(text: string): number {
  return stripVTControlCharacters(text).length;
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const gap = ' '.repeat(Math.max(0, width - visibleLength(text)));
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
    Math.max(visibleLength(column.header), ...rows.map((row) => visibleLength(row[i] ?? ''))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => pad(cell, widths[i]!, columns[i]!.align ?? 'left'))
      .join('  ')
      .trimEnd();
  return [style.bold(line(columns.map((c) => c.header))), ...rows.map(line)].join('\n');
}
