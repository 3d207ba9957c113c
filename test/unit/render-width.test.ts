// Columns line up by display width (CJK and emoji take two columns), and counts agree with their nouns.
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { displayWidth, padDisplay, table } from '../../src/output/render.js';
import { makeStyles } from '../../src/output/terminal.js';
import { count, thousands } from '../../src/util/count.js';

describe('table and padDisplay', () => {
  it('align the column after CJK and emoji titles, with and without colour', () => {
    for (const color of [false, true]) {
      const text = table(
        [{ header: 'Week', align: 'right' }, { header: 'Title' }, { header: 'Status' }],
        [
          ['1', 'Introduction & Prerequisites', 'done'],
          ['2', '数据工程训练营', 'in progress'],
          ['3', '🚕 Taxi data', 'not started'],
          ['10', 'Ｆｕｌｌ-width', 'done'],
        ],
        makeStyles(color),
      );
      const lines = stripVTControlCharacters(text).split('\n');
      // Every Status cell starts at the same terminal column.
      const columns = lines.map((line) => {
        const at = line.search(/(Status|done|in progress|not started)$/);
        return displayWidth(line.slice(0, at));
      });
      expect(new Set(columns).size, lines.join('\n')).toBe(1);
    }
  });

  it('pads to a width in columns', () => {
    expect(padDisplay('数据', 6)).toBe('数据  ');
    expect(padDisplay('practice', 4)).toBe('practice');
    expect(displayWidth(padDisplay('🚕', 4))).toBe(4);
  });
});

describe('count', () => {
  it.each([
    [0, 'check', '0 checks'],
    [1, 'check', '1 check'],
    [2, 'topic', '2 topics'],
    [1, 'topic', '1 topic'],
    [1200, 'row', '1,200 rows'],
  ])('%i %s', (n, noun, text) => {
    expect(count(n, noun)).toBe(text);
  });

  it('takes an irregular plural', () => {
    expect(count(2, 'entry', 'entries')).toBe('2 entries');
    expect(count(1, 'entry', 'entries')).toBe('1 entry');
  });
});

describe('displayWidth fast paths', () => {
  it("give what the Unicode classes give, for every character they skip (dec's own text is mostly these)", () => {
    const zeroWidth = /[\p{Mn}\p{Cf}]/u;
    const ranges: Array<[number, number]> = [
      [0x20, 0x2ff],
      [0x2010, 0x2027],
      [0x2030, 0x205e],
      [0x2100, 0x2bff],
    ];
    for (const [from, to] of ranges) {
      for (let code = from; code <= to; code++) {
        const char = String.fromCodePoint(code);
        expect(displayWidth(char), `U+${code.toString(16)}`).toBe(zeroWidth.test(char) ? 0 : 1);
      }
    }
    expect(displayWidth('\u00ad')).toBe(0);
    expect(displayWidth('a\u200bb')).toBe(2);
    expect(displayWidth('░░░ 40% — ✓ ≥ 5 min')).toBe(19);
  });

  it('strip escape codes only from text that has one (ESC or CSI), wide characters still counted', () => {
    expect(displayWidth('\u001b[32m███\u001b[39m░░ 数据')).toBe(10);
    expect(displayWidth('\u009b32m██\u009b39m')).toBe(2);
    expect(displayWidth('██░░ 数据 🚀')).toBe(12);
  });
});

describe('thousands', () => {
  it("writes what toLocaleString('en') writes, for whole numbers of every length and sign", () => {
    const samples = [0, -0, 1, -1, 7, 42, 999, 1_000, -1_000, 9_999, 12_345, 999_999, 1_000_000, 1_369_765, -1_369_765];
    for (let digits = 1; digits <= 16; digits++) samples.push(Math.floor(Math.random() * 10 ** digits));
    samples.push(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 1e21, 1.5, 1234.5678, NaN, Infinity);
    for (const n of samples) expect(thousands(n), String(n)).toBe(n.toLocaleString('en'));
  });
});
