// findWeek / findTopic / findTopics on the default syllabus, as students name weeks and topics.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DecError } from '../../src/errors.js';
import type { Course, CourseWeek } from '../../src/syllabus/course.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { findTopic, findTopics, findWeek } from '../../src/syllabus/query.js';
import { thrownDecError } from '../helpers/errors.js';

const syllabusPath = fileURLToPath(new URL('../../syllabus/dez-2022.yaml', import.meta.url));
const course: Course = parseSyllabus(readFileSync(syllabusPath), 'syllabus/dez-2022.yaml');

function week(ref: string): CourseWeek {
  return findWeek(course, ref);
}

/** Runs `fn`, expecting a DecError, and returns it. */

describe('findWeek', () => {
  it.each([
    ['3', 'week-3'],
    ['week3', 'week-3'],
    ['week-3', 'week-3'],
    ['week 3', 'week-3'],
    ['w3', 'week-3'],
    ['W3', 'week-3'],
    ['  Week3 ', 'week-3'],
    ['week-4', 'week-4'],
    ['module-6', 'week-5'],
    ['MODULE-6', 'week-5'],
    ['7', 'project'],
    ['8', 'project'],
    ['9', 'project'],
    ['project', 'project'],
  ])('finds %j as %s', (ref, id) => {
    expect(week(ref).id).toBe(id);
  });

  it('finds week 5 under its module id and keeps its own number', () => {
    expect(week('module-6')).toMatchObject({ number: 5, module: 'module-6', title: 'Batch processing' });
  });

  it('rejects a number past the course, listing the valid weeks', () => {
    const error = thrownDecError(() => week('12'));
    expect(error.message).toBe('There is no week "12" in Data Engineering Zoomcamp; did you mean week 7–9?');
    expect(error.details).toHaveLength(1);
    expect(error.details[0]).toMatch(
      /^Valid weeks: 1 \(week-1\) Introduction & Prerequisites; 2 \(week-2\) Data ingestion; /,
    );
    expect(error.details[0]).toContain('5 (week-5) Batch processing');
    expect(error.details[0]).toContain('7–9 (project) Project.');
    expect(error.hint).toMatch(/week3, week-3 or w3/);
    expect(error.exitCode).toBe(2);
  });

  it('suggests the nearest week id for a typo', () => {
    const error = thrownDecError(() => week('weak3'));
    expect(error.message).toBe('There is no week "weak3" in Data Engineering Zoomcamp; did you mean "week-3"?');
    expect(error.details[0]).toMatch(/^Valid weeks: /);
  });

  it('suggests the numbered neighbours of a module or week that does not exist', () => {
    // The 2022 weeks map to the course's module folders 1, 2, 3, 4, 6, 7: there is no module-5.
    expect(thrownDecError(() => week('module-5')).message).toBe(
      'There is no week "module-5" in Data Engineering Zoomcamp; did you mean module-4 (week 4) or module-6 (week 5)?',
    );
    expect(thrownDecError(() => week('m9')).message).toContain('did you mean module-7 (week 6)?');
    expect(thrownDecError(() => week('12')).message).toContain('did you mean week 7–9?');
    expect(thrownDecError(() => week('week0')).message).toContain('did you mean week 1?');
  });

  it('rejects an empty reference', () => {
    const error = thrownDecError(() => week(''));
    expect(error.message).toBe('There is no week "" in Data Engineering Zoomcamp.');
    expect(error.details[0]).toMatch(/^Valid weeks: /);
  });
});

describe('findTopic', () => {
  const week3 = week('3');
  const week4 = week('4');

  it('finds a topic by its number', () => {
    expect(findTopic(week3, '2')).toMatchObject({
      number: 2,
      title: 'What is BigQuery, why is it so fast, cost of BQ',
    });
    expect(findTopic(week3, ' 8 ').title).toBe('Alternatives (Snowflake/Redshift)');
  });

  it('finds a topic by its exact title or id, in any case', () => {
    expect(findTopic(week3, 'BQ best practices').number).toBe(6);
    expect(findTopic(week3, 'bq best practices').number).toBe(6);
    expect(findTopic(week3, 'bq-best-practices').number).toBe(6);
  });

  it('finds a topic by a unique piece of its title', () => {
    expect(findTopic(week3, 'clustering')).toMatchObject({
      number: 3,
      title: 'Partitioning and clustering, automatic re-clustering',
    });
    expect(findTopic(week4, 'Jinja').title).toBe('Jinja and Macros');
  });

  it('prefers an exact title over titles that merely contain it', () => {
    const tiny = parseSyllabus(
      Buffer.from(
        [
          'schemaVersion: 1',
          'id: tiny',
          'title: Tiny',
          'weeks:',
          '  - number: 1',
          '    id: week-1',
          '    title: Streaming',
          '    topics:',
          '      - title: Kafka streams',
          '      - title: Kafka',
          '',
        ].join('\n'),
      ),
      'tiny.yaml',
    );
    expect(findTopic(tiny.weeks[0]!, 'kafka').number).toBe(2);
  });

  it('prefers titles that start with the piece over titles that merely contain it', () => {
    // "sources" is inside topic 5's title too, but only topic 8 starts with it.
    expect(findTopic(week4, 'sources').number).toBe(8);
  });

  it('lists the candidates, with their numbers, for an ambiguous piece', () => {
    const week5 = week('5');
    const error = thrownDecError(() => findTopic(week5, 'on airflow'));
    expect(error.message).toBe('"on airflow" matches 2 topics of week 5:');
    expect(error.details).toEqual(['  13. BigQuery on Airflow', '  14. Spark on Airflow']);
    expect(error.hint).toMatch(/number or a longer piece/);
  });

  it('lists the candidates when several titles start with the piece', () => {
    const error = thrownDecError(() => findTopic(week4, 'dbt'));
    expect(error.message).toBe('"dbt" matches 3 topics of week 4:');
    expect(error.details).toEqual([
      '  4. dbt fit of the tool in the tech stack',
      '  14. dbt Cloud: scheduler, sources and data catalog (Airflow)',
      '  20. dbt CLI (local)',
    ]);
  });

  it('rejects a number out of range, listing the topics', () => {
    const error = thrownDecError(() => findTopic(week3, '12'));
    expect(error.message).toBe('Week 3 has topics 1–11, not 12.');
    expect(error.details).toHaveLength(11);
    expect(error.details[0]).toBe('  1. What is a data warehouse solution');
    expect(error.hint).toContain('dec progress done 3 1');
    expect(thrownDecError(() => findTopic(week3, '0')).message).toBe('Week 3 has topics 1–11, not 0.');
  });

  it('rejects a piece no topic has, listing the topics', () => {
    const error = thrownDecError(() => findTopic(week3, 'kubernetes'));
    expect(error.message).toBe('No topic of week 3 matches "kubernetes". Its 11 topics:');
    expect(error.details).toHaveLength(11);
  });

  it('names a spanning week by its span', () => {
    expect(thrownDecError(() => findTopic(week('project'), '3')).message).toBe('Week 7–9 has topics 1–2, not 3.');
  });
});

describe('findTopics', () => {
  const week3 = week('3');

  it('gives the whole week for no references', () => {
    expect(findTopics(week3, [])).toEqual(week3.topics);
    expect(findTopics(week3, [])).toHaveLength(11);
  });

  it('finds each reference once, in the order first named', () => {
    const topics = findTopics(week3, ['6', 'clustering', 'BQ best practices', '3', '6']);
    expect(topics.map((topic) => topic.number)).toEqual([6, 3]);
  });

  it('fails on the first bad reference', () => {
    expect(() => findTopics(week3, ['1', '99'])).toThrow(DecError);
  });
});
