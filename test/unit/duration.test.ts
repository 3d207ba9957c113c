import { describe, expect, it } from 'vitest';
import { addDurations, formatDuration, formatTotal, parseDuration } from '../../src/syllabus/duration.js';

describe('parseDuration', () => {
  it.each([
    ['25 minutes', { min: 25, max: 25, unit: 'minutes', open: false }],
    ['5 min', { min: 5, max: 5, unit: 'minutes', open: false }],
    ['10 mins', { min: 10, max: 10, unit: 'minutes', open: false }],
    // "1:30-1:45 mins" in the outline means hours:minutes, whatever the unit word says.
    ['1:30-1:45 mins', { min: 90, max: 105, unit: 'minutes', open: false }],
    ['1:30-1:45', { min: 90, max: 105, unit: 'minutes', open: false }],
    ['40 + ? minutes', { min: 40, max: 40, unit: 'minutes', open: true }],
    ['2-3 weeks', { min: 2, max: 3, unit: 'weeks', open: false }],
    ['1 hour', { min: 60, max: 60, unit: 'minutes', open: false }],
    ['1.5 hours', { min: 90, max: 90, unit: 'minutes', open: false }],
    ['  15 MINS  ', { min: 15, max: 15, unit: 'minutes', open: false }],
  ])('reads %j', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it.each([
    ['soon', 'no amount'],
    ['0 min', 'zero length'],
    ['5', 'no unit'],
    ['3-2 min', 'a range that runs backwards'],
    ['5 parsecs', 'an unknown unit'],
    ['1:30 weeks', 'a clock time in weeks'],
    ['', 'nothing'],
  ])('rejects %j (%s)', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('addDurations and formatTotal', () => {
  const d = (text: string) => parseDuration(text);

  it('adds minute durations and formats hours and minutes', () => {
    const total = addDurations([d('25 minutes'), d('1:30-1:45 mins')]);
    expect(total).toEqual({ min: 115, max: 130, open: false });
    expect(formatTotal(total)).toBe('1 h 55 min–2 h 10 min');
  });

  it('is open (≥) when a part has no duration or an unknown part', () => {
    expect(addDurations([d('5 min'), undefined])).toEqual({ min: 5, max: 5, open: true });
    expect(formatTotal(addDurations([d('40 + ? minutes'), d('30 minutes')]))).toBe('≥ 1 h 10 min');
  });

  it('ignores week durations and gives nothing when no part is known', () => {
    expect(addDurations([d('2-3 weeks'), d('10 min')])).toEqual({ min: 10, max: 10, open: true });
    expect(addDurations([d('2-3 weeks')])).toBeUndefined();
    expect(addDurations([undefined, undefined])).toBeUndefined();
    expect(addDurations([])).toBeUndefined();
    expect(formatTotal(undefined)).toBe('');
  });

  it('formats whole hours, minutes only and equal ends', () => {
    expect(formatTotal({ min: 120, max: 120, open: false })).toBe('2 h');
    expect(formatTotal({ min: 45, max: 45, open: false })).toBe('45 min');
    expect(formatTotal({ min: 60, max: 90, open: false })).toBe('1 h–1 h 30 min');
  });

  it('formats a single duration, in weeks too', () => {
    expect(formatDuration(d('2-3 weeks')!)).toBe('2–3 weeks');
    expect(formatDuration(d('2 weeks')!)).toBe('2 weeks');
    expect(formatDuration(d('1:30-1:45 mins')!)).toBe('1 h 30 min–1 h 45 min');
    expect(formatDuration(d('40 + ? minutes')!)).toBe('≥ 40 min');
  });
});
