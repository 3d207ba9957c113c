// The sources a stack's tools read (database.sources; dec data load --for): dez-2022's week 4 against
// the course's dbt project (stacks.md B.2.2: database production, schema trips_data_all, green_tripdata
// and yellow_tripdata 2019-2020, and the homework's FHV 2019), and how the dataset and months a student
// names narrow them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  declaredSource,
  estimatedRows,
  monthSpans,
  selectSources,
  tablesReplaced,
  withDatabase,
  type StackSource,
} from '../../src/data/sources.js';
import { DecError } from '../../src/errors.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { findWeek } from '../../src/syllabus/query.js';

const course = parseSyllabus(readFileSync(new URL('../../syllabus/dez-2022.yaml', import.meta.url)), 'dez-2022.yaml');
const sources = course.stacks.week4!.database!.sources!;

describe("dez-2022 week 4's sources (B.2.2)", () => {
  it('yellow and green 2019-2020 and FHV 2019 into production.trips_data_all, named as the dbt sources', () => {
    expect(course.stacks.week4!.database!.name).toBe('production');
    expect(sources).toEqual([
      { dataset: 'yellow', schema: 'trips_data_all', table: 'yellow_tripdata', months: ['2019-01..2020-12'] },
      { dataset: 'green', schema: 'trips_data_all', table: 'green_tripdata', months: ['2019-01..2020-12'] },
      { dataset: 'fhv', schema: 'trips_data_all', table: 'fhv_tripdata', months: ['2019-01..2019-12'] },
    ]);
  });

  it("are the week's own datasets and months (the syllabus's week 4 list)", () => {
    const week = findWeek(course, '4');
    for (const source of sources) {
      expect(week.datasets.find((d) => d.dataset === source.dataset)?.months).toEqual(source.months);
    }
  });

  it('dec setup week4 names the command in its next lines', () => {
    expect(course.stacks.week4!.next?.join('\n')).toContain('dec data load --for week4');
  });

  it('a source of a dataset the syllabus does not define is refused with its place', () => {
    const text = readFileSync(new URL('../../syllabus/dez-2022.yaml', import.meta.url), 'utf8').replace(
      '- { dataset: fhv, schema: trips_data_all',
      '- { dataset: fvh, schema: trips_data_all',
    );
    const error = (() => {
      try {
        parseSyllabus(Buffer.from(text), 'dez-2022.yaml');
      } catch (e) {
        return e as DecError;
      }
    })();
    expect(error).toBeInstanceOf(DecError);
    expect(String(error?.details)).toMatch(
      /dez-2022.yaml:\d+:\d+ {2}stacks.week4.database.sources\[2\].dataset: unknown dataset "fvh"/,
    );
  });
});

describe('selectSources', () => {
  const declared: StackSource[] = [
    { dataset: 'yellow', schema: 's', table: 'y', months: ['2019-01..2020-12'] },
    { dataset: 'fhv', schema: 's', table: 'f', months: ['2019-01..2019-12'] },
  ];

  it('all of them, with their months, when nothing is named', () => {
    const loads = selectSources(declared, 'week4', undefined, []);
    expect(loads.map((l) => [l.table, l.months.length])).toEqual([
      ['y', 24],
      ['f', 12],
    ]);
  });

  it('months alone: each source its own among them; a first argument that is a month is a month', () => {
    expect(selectSources(declared, 'week4', '2020-01', [])).toEqual([
      { dataset: 'yellow', schema: 's', table: 'y', months: ['2020-01'] },
    ]);
    expect(selectSources(declared, 'week4', undefined, ['2019-12..2020-01']).map((l) => [l.table, l.months])).toEqual([
      ['y', ['2019-12', '2020-01']],
      ['f', ['2019-12']],
    ]);
  });

  it('a dataset named: that one, with the months named (all of its own without)', () => {
    expect(selectSources(declared, 'week4', 'fhv', []).map((l) => l.months.length)).toEqual([12]);
    expect(selectSources(declared, 'week4', 'fhv', ['2019-03'])).toEqual([
      { dataset: 'fhv', schema: 's', table: 'f', months: ['2019-03'] },
    ]);
  });

  it('a dataset that is not a source, and months no source has, say what there is', () => {
    const other = (() => selectSources(declared, 'week4', 'green', [])) as () => never;
    expect(other).toThrow(DecError);
    expect(other).toThrow("green is not one of week4's sources.");
    expect(() => selectSources(declared, 'week4', undefined, ['2018-01'])).toThrow(
      "None of week4's sources has 2018-01.",
    );
    expect(() => selectSources(declared, 'week4', undefined, ['2019-13'])).toThrow('is not a month');
  });
});

describe('the plan', () => {
  it('months as spans', () => {
    expect(monthSpans(['2019-02', '2019-01', '2019-03', '2019-05', '2019-12', '2020-01'])).toBe(
      '2019-01..2019-03 2019-05 2019-12..2020-01',
    );
    expect(monthSpans([])).toBe('');
  });

  it('rows, roughly, from the download size and format', () => {
    expect(estimatedRows(20_000_000, 'yellow_tripdata_2019-01.csv.gz')).toBe(1_000_000);
    expect(estimatedRows(95_000, 'trips.csv')).toBe(1000);
    expect(estimatedRows(15_000, 'x.parquet')).toBe(1000);
  });

  it('a table a stack reads is found by database, schema and table', () => {
    const url = 'postgresql://root:root@127.0.0.1:5432/production';
    expect(declaredSource(course.stacks, url, 'trips_data_all', 'fhv_tripdata')).toBe('week4');
    expect(declaredSource(course.stacks, url, undefined, 'fhv_tripdata')).toBeUndefined();
    expect(
      declaredSource(course.stacks, url.replace('production', 'ny_taxi'), 'trips_data_all', 'fhv_tripdata'),
    ).toBeUndefined();
  });

  it('another database of the same server: only the path changes, encoded', () => {
    expect(withDatabase('postgresql://root:p%40ss@127.0.0.1:5432/ny_taxi?sslmode=disable', 'production')).toBe(
      'postgresql://root:p%40ss@127.0.0.1:5432/production?sslmode=disable',
    );
  });
});

describe('tablesReplaced: what dec data load --for asks about', () => {
  const loads = [
    { schema: 'trips_data_all', table: 'yellow_tripdata' },
    { schema: 'trips_data_all', table: 'green_tripdata' },
    { table: 'zones' },
  ];

  it('only tables that hold rows, once each; a new or empty table is not asked about', () => {
    expect(tablesReplaced(loads, { filled: [] }, 'replace')).toEqual([]);
    expect(tablesReplaced(loads, { filled: ['trips_data_all.green_tripdata', 'public.zones'] }, 'replace')).toEqual([
      'trips_data_all.green_tripdata',
      'public.zones',
    ]);
    expect(tablesReplaced([...loads, loads[1]!], { filled: ['trips_data_all.green_tripdata'] }, 'replace')).toEqual([
      'trips_data_all.green_tripdata',
    ]);
  });

  it('an append replaces nothing', () => {
    expect(tablesReplaced(loads, { filled: ['trips_data_all.yellow_tripdata'] }, 'append')).toEqual([]);
  });
});
