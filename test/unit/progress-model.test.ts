// The progress model, with no I/O: marking, resetting and what it adds up to.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  emptyProgress,
  markDone,
  markUndone,
  reset,
  summarize,
  topicKey,
  type ProgressState,
} from '../../src/progress/model.js';
import { formatTotal } from '../../src/syllabus/duration.js';
import { weekDuration, type Course } from '../../src/syllabus/course.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { findWeek } from '../../src/syllabus/query.js';

const T1 = new Date('2022-01-20T10:00:00.000Z');
const T2 = new Date('2022-01-21T11:30:00.000Z');

/** Week 1: a, b and an extra c; week 2: d, e. */
const tiny: Course = parseSyllabus(
  Buffer.from(
    [
      'schemaVersion: 1',
      'id: tiny',
      'title: Tiny',
      'weeks:',
      '  - number: 1',
      '    id: week-1',
      '    title: One',
      '    topics:',
      '      - { id: a, title: Topic A }',
      '      - { id: b, title: Topic B }',
      '      - { id: c, title: Topic C, extra: true }',
      '  - number: 2',
      '    id: week-2',
      '    title: Two',
      '    topics:',
      '      - { id: d, title: Topic D }',
      '      - { id: e, title: Topic E }',
      '',
    ].join('\n'),
  ),
  'tiny.yaml',
);

const defaultCourse: Course = parseSyllabus(
  readFileSync(fileURLToPath(new URL('../../syllabus/dez-2022.yaml', import.meta.url))),
  'syllabus/dez-2022.yaml',
);

function stateWith(syllabusId: string, keys: string[], now = T1): ProgressState {
  const state = emptyProgress();
  markDone(state, syllabusId, keys, now);
  return state;
}

describe('markDone / markUndone / reset', () => {
  it('marks topics done with the time, and returns only the keys that changed', () => {
    const state = emptyProgress();
    expect(markDone(state, 'tiny', ['week-1/a'], T1)).toEqual(['week-1/a']);
    expect(markDone(state, 'tiny', ['week-1/a', 'week-1/b'], T2)).toEqual(['week-1/b']);
    expect(state.syllabi.tiny!.done).toEqual({
      'week-1/a': T1.toISOString(),
      'week-1/b': T2.toISOString(),
    });
  });

  it('keeps the first time a topic was done', () => {
    const state = stateWith('tiny', ['week-1/a'], T1);
    markDone(state, 'tiny', ['week-1/a'], T2);
    expect(state.syllabi.tiny!.done['week-1/a']).toBe(T1.toISOString());
  });

  it('marks topics undone, returning only those that were done', () => {
    const state = stateWith('tiny', ['week-1/a', 'week-1/b']);
    expect(markUndone(state, 'tiny', ['week-1/a', 'week-2/d'])).toEqual(['week-1/a']);
    expect(Object.keys(state.syllabi.tiny!.done)).toEqual(['week-1/b']);
    expect(markUndone(state, 'unknown-syllabus', ['week-1/b'])).toEqual([]);
  });

  it('resets one week by its id, not a week whose id merely starts the same', () => {
    const state = stateWith('tiny', ['week-1/a', 'week-1/b', 'week-10/x', 'week-2/d']);
    expect(reset(state, 'tiny', 'week-1')).toBe(2);
    expect(Object.keys(state.syllabi.tiny!.done).sort()).toEqual(['week-10/x', 'week-2/d']);
  });

  it('resets the whole syllabus', () => {
    const state = stateWith('tiny', ['week-1/a', 'week-2/d']);
    expect(reset(state, 'tiny')).toBe(2);
    expect(state.syllabi.tiny!.done).toEqual({});
    expect(reset(state, 'never-used')).toBe(0);
  });
});

describe('summarize', () => {
  it('starts with nothing done and the first topic next', () => {
    const summary = summarize(tiny, emptyProgress());
    expect(summary).toMatchObject({ done: 0, total: 4, percent: 0, orphans: [] });
    expect(summary.weeks.map((week) => week.status)).toEqual(['not started', 'not started']);
    expect(summary.next?.week.id).toBe('week-1');
    expect(summary.next?.topic.id).toBe('a');
  });

  it('counts percent per week and overall, rounding down', () => {
    const summary = summarize(tiny, stateWith('tiny', ['week-1/a', 'week-2/d']));
    expect(summary.weeks[0]).toMatchObject({ done: 1, total: 2, percent: 50, status: 'in progress' });
    expect(summary.weeks[0]!.topics.map((t) => t.doneAt)).toEqual([T1.toISOString(), undefined, undefined]);
    expect(summary).toMatchObject({ done: 2, total: 4, percent: 50 });
    const third = summarize(tiny, stateWith('tiny', ['week-1/a']));
    expect(third.percent).toBe(25);
  });

  it('does not count extra topics, and a week is done without them', () => {
    const onlyExtra = summarize(tiny, stateWith('tiny', ['week-1/c']));
    expect(onlyExtra.weeks[0]).toMatchObject({ done: 0, total: 2, percent: 0, status: 'in progress' });
    expect(onlyExtra.done).toBe(0);

    const summary = summarize(tiny, stateWith('tiny', ['week-1/a', 'week-1/b']));
    expect(summary.weeks[0]).toMatchObject({ done: 2, total: 2, percent: 100, status: 'done' });
    expect(summary.weeks[1]!.status).toBe('not started');
  });

  it('gives as next step the first undone, non-extra topic of the first unfinished week', () => {
    // Week 2 is ahead, but week 1 still has b open; the extra c never is the next step.
    const ahead = summarize(tiny, stateWith('tiny', ['week-1/a', 'week-2/d']));
    expect(ahead.next && topicKey(ahead.next.week, ahead.next.topic)).toBe('week-1/b');

    const weekOneDone = summarize(tiny, stateWith('tiny', ['week-1/a', 'week-1/b', 'week-2/d']));
    expect(weekOneDone.next && topicKey(weekOneDone.next.week, weekOneDone.next.topic)).toBe('week-2/e');
  });

  it('has no next step when everything is done', () => {
    const summary = summarize(tiny, stateWith('tiny', ['week-1/a', 'week-1/b', 'week-2/d', 'week-2/e']));
    expect(summary).toMatchObject({ done: 4, total: 4, percent: 100 });
    expect(summary.weeks.map((week) => week.status)).toEqual(['done', 'done']);
    expect(summary.next).toBeUndefined();
  });

  it('reports keys for topics the syllabus does not have, and keeps them', () => {
    const state = stateWith('tiny', ['week-1/a', 'week-9/gone', 'week-1/renamed']);
    const summary = summarize(tiny, state);
    expect(summary.orphans).toEqual(['week-1/renamed', 'week-9/gone']);
    expect(summary.done).toBe(1);
    // Summarizing never drops them, and neither does marking more.
    markDone(state, 'tiny', ['week-1/b'], T2);
    expect(Object.keys(state.syllabi.tiny!.done).sort()).toEqual([
      'week-1/a',
      'week-1/b',
      'week-1/renamed',
      'week-9/gone',
    ]);
  });

  it('keeps two syllabi in one state apart', () => {
    const state = emptyProgress();
    markDone(state, 'tiny', ['week-1/a'], T1);
    markDone(state, 'dez-2022', ['week-1/introduction-to-gcp', 'week-1/b'], T1);

    const tinySummary = summarize(tiny, state);
    expect(tinySummary.done).toBe(1);
    expect(tinySummary.orphans).toEqual([]);
    expect(tinySummary.weeks[0]!.topics[1]!.doneAt).toBeUndefined();

    const defaultSummary = summarize(defaultCourse, state);
    expect(defaultSummary.done).toBe(1);
    expect(defaultSummary.orphans).toEqual(['week-1/b']);

    reset(state, 'tiny');
    expect(Object.keys(state.syllabi['dez-2022']!.done)).toHaveLength(2);
  });

  it("describes each week's time, in weeks for the project", () => {
    const summary = summarize(defaultCourse, emptyProgress());
    const text = Object.fromEntries(summary.weeks.map((week) => [week.week.id, week.durationText]));
    expect(text).toMatchObject({
      'week-1': '',
      'week-3': '25 min',
      'week-4': '1 h 45 min–2 h',
      'week-5': '≥ 40 min',
      project: '2–3 weeks',
    });
  });
});

describe('weekDuration on the default syllabus', () => {
  it('week 3: the section says 25 minutes; its taught topics add up to 20 (the 10 min never taught left out)', () => {
    const total = weekDuration(findWeek(defaultCourse, '3'));
    expect(total).toEqual({ min: 25, max: 25, open: false });
    expect(formatTotal(total)).toBe('25 min');
  });

  it('a section counts the sum of its topics when that is more than its stated time', () => {
    const course = parseSyllabus(
      Buffer.from(
        [
          'schemaVersion: 1',
          'id: sums',
          'title: Sums',
          'weeks:',
          '  - number: 1',
          '    id: week-1',
          '    title: One',
          "    sections: [{ title: S, duration: '10 min' }]",
          "    topics: [{ title: A, section: S, duration: '5 min' }, { title: B, section: S, duration: '10 min' }]",
          '',
        ].join('\n'),
      ),
      'sums.yaml',
    );
    expect(weekDuration(findWeek(course, '1'))).toEqual({ min: 15, max: 15, open: false });
  });

  it('week 4: 15 mins plus 1:30-1:45, the extra topic left out', () => {
    const total = weekDuration(findWeek(defaultCourse, '4'));
    expect(total).toEqual({ min: 105, max: 120, open: false });
    expect(formatTotal(total)).toBe('1 h 45 min–2 h');
  });

  it('week 5: "40 + ? minutes"; the Airflow section (30 minutes) was never taught, so it does not count', () => {
    const total = weekDuration(findWeek(defaultCourse, '5'));
    expect(total).toEqual({ min: 40, max: 40, open: true });
    expect(formatTotal(total)).toBe('≥ 40 min');
  });

  it('a week without any durations has none', () => {
    expect(weekDuration(findWeek(defaultCourse, '1'))).toBeUndefined();
  });
});

describe('a week of only extra topics', () => {
  const extraOnly: Course = parseSyllabus(
    Buffer.from(
      [
        'schemaVersion: 1',
        'id: extras',
        'title: Extras',
        'weeks:',
        '  - { number: 1, id: week-1, title: Bonus, topics: [{ id: x, title: Extra X, extra: true }] }',
        '  - { number: 2, id: week-2, title: Two, topics: [{ id: y, title: Topic Y }] }',
        '',
      ].join('\n'),
    ),
    'extras.yaml',
  );

  it('counts its extra topics, so it can be finished and is the next step until then', () => {
    const before = summarize(extraOnly, emptyProgress());
    expect(before.weeks[0]).toMatchObject({ total: 1, status: 'not started' });
    expect(before.next?.topic.id).toBe('x');
    const after = summarize(extraOnly, stateWith('extras', ['week-1/x']));
    expect(after.weeks[0]).toMatchObject({ done: 1, status: 'done' });
    expect(after.next?.topic.id).toBe('y');
  });
});
