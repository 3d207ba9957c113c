// "Did you mean …?": edit distance and when a candidate counts as close enough.
import { describe, expect, it } from 'vitest';
import { editDistance, nearest } from '../../src/util/nearest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['same', 'same', 0],
    ['kitten', 'sitting', 3],
    ['titel', 'title', 2],
    ['dokcer', 'docker', 2],
    ['topcs', 'topics', 1],
    ['flaw', 'lawn', 2],
    ['Week', 'week', 1],
  ])('%j → %j is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('nearest', () => {
  it('suggests the closest candidate', () => {
    expect(nearest('titel', ['id', 'title', 'weeks'])).toBe('title');
    expect(nearest('dokcer', ['docker', 'docker-compose', 'dbt'])).toBe('docker');
    expect(nearest('weak3', ['week-1', 'week-3', 'project'])).toBe('week-3');
  });

  it('compares without case but returns the candidate as written', () => {
    expect(nearest('TITEL', ['Title'])).toBe('Title');
  });

  it('takes the first of equally close candidates', () => {
    expect(nearest('week-7', ['week-1', 'week-2'])).toBe('week-1');
  });

  it('allows 2 edits for short words', () => {
    expect(nearest('ab', ['xy'])).toBe('xy');
    expect(nearest('abc', ['xyz'])).toBeUndefined();
    expect(nearest('cat', ['dog'])).toBeUndefined();
  });

  it("allows a third of the longer word's length for long words", () => {
    // 9 letters: up to 3 edits.
    expect(nearest('abcdefghi', ['abcdefxyz'])).toBe('abcdefxyz');
    expect(nearest('abcdefghi', ['abcdewxyz'])).toBeUndefined();
    // 12 letters: up to 4 edits.
    expect(nearest('abcdefghijkl', ['abcdefghwxyz'])).toBe('abcdefghwxyz');
    expect(nearest('abcdefghijkl', ['abcdefgvwxyz'])).toBeUndefined();
  });

  it('gives nothing for no candidates or an unrelated word', () => {
    expect(nearest('anything', [])).toBeUndefined();
    expect(nearest('kubernetes', ['docker', 'terraform', 'spark'])).toBeUndefined();
    expect(nearest('', ['week-1', 'project'])).toBeUndefined();
  });
});
