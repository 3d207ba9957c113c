// Months, file names, URLs and column types of the course's datasets (src/data/datasets.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { columnType, dataFile, defaultTable, monthsOf } from '../../src/data/datasets.js';
import { YELLOW_COLUMNS } from '../../src/data/synthetic.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { thrownDecError } from '../helpers/errors.js';

const syllabusPath = fileURLToPath(new URL('../../syllabus/dez-2022.yaml', import.meta.url));
const course = parseSyllabus(readFileSync(syllabusPath), syllabusPath);
const env = { DEC_HOME: '/tmp/dec-home-for-test' };
const folder = join('/tmp/dec-home-for-test', 'cache', 'datasets');

describe('monthsOf', () => {
  it('reads one month', () => {
    expect(monthsOf('2021-01')).toEqual(['2021-01']);
  });

  it('reads a span, across a year end', () => {
    expect(monthsOf('2019-11..2020-02')).toEqual(['2019-11', '2019-12', '2020-01', '2020-02']);
    expect(monthsOf('2019-01..2019-12')).toHaveLength(12);
    expect(monthsOf('2021-03..2021-03')).toEqual(['2021-03']);
  });

  it.each(['2021-13', '2021-00', '2021-1', '21-01', '2021/01', 'january', '', '2021-01..', '2021-01..2021-13'])(
    'refuses %j',
    (spec) => {
      const error = thrownDecError(() => monthsOf(spec));
      expect(error.message).toContain(`"${spec}"`);
      expect(error.hint).toMatch(/2021-01/);
    },
  );

  it('refuses a span that ends before it starts', () => {
    expect(thrownDecError(() => monthsOf('2020-02..2019-12')).message).toMatch(/ends before it starts/);
  });
});

describe('columnType', () => {
  it('types the yellow columns the way the course script does', () => {
    const types = Object.fromEntries(YELLOW_COLUMNS.map((name) => [name, columnType(name)]));
    expect(types).toEqual({
      VendorID: 'bigint',
      tpep_pickup_datetime: 'timestamp',
      tpep_dropoff_datetime: 'timestamp',
      passenger_count: 'bigint',
      trip_distance: 'double precision',
      RatecodeID: 'bigint',
      store_and_fwd_flag: 'text',
      PULocationID: 'bigint',
      DOLocationID: 'bigint',
      payment_type: 'bigint',
      fare_amount: 'double precision',
      extra: 'double precision',
      mta_tax: 'double precision',
      tip_amount: 'double precision',
      tolls_amount: 'double precision',
      improvement_surcharge: 'double precision',
      total_amount: 'double precision',
      congestion_surcharge: 'double precision',
    });
  });

  it('types the green, fhv and zone columns too, whatever their case', () => {
    expect(columnType('lpep_pickup_datetime')).toBe('timestamp');
    expect(columnType('ehail_fee')).toBe('double precision');
    expect(columnType('trip_type')).toBe('bigint');
    expect(columnType('pickup_datetime')).toBe('timestamp');
    expect(columnType('dispatching_base_num')).toBe('text');
    expect(columnType('LocationID')).toBe('bigint');
    expect(columnType('locationid')).toBe('bigint');
    expect(columnType('Borough')).toBe('text');
    expect(columnType('service_zone')).toBe('text');
    expect(columnType('something_else')).toBe('text');
  });
});

describe('defaultTable', () => {
  it("uses the course's table names", () => {
    expect(defaultTable('yellow')).toBe('yellow_taxi_trips');
    expect(defaultTable('green')).toBe('green_taxi_trips');
    expect(defaultTable('fhv')).toBe('fhv_trips');
    expect(defaultTable('fhvhv')).toBe('fhvhv_trips');
    expect(defaultTable('zones')).toBe('zones');
    expect(defaultTable('other')).toBe('other_data');
  });
});

describe('dataFile', () => {
  it('builds the mirror URL of a month, and its place in the cache', () => {
    expect(dataFile(course, env, 'yellow', '2021-01', 'mirror')).toEqual({
      dataset: 'yellow',
      source: 'mirror',
      month: '2021-01',
      url: 'https://github.com/DataTalksClub/nyc-tlc-data/releases/download/yellow/yellow_tripdata_2021-01.csv.gz',
      fileName: 'yellow_tripdata_2021-01.csv.gz',
      path: join(folder, 'yellow_tripdata_2021-01.csv.gz'),
    });
    expect(dataFile(course, env, 'fhv', '2019-12', 'mirror').url).toBe(
      'https://github.com/DataTalksClub/nyc-tlc-data/releases/download/fhv/fhv_tripdata_2019-12.csv.gz',
    );
  });

  it('builds the TLC parquet URL of a month', () => {
    const file = dataFile(course, env, 'green', '2020-03', 'tlc');
    expect(file.url).toBe('https://d37ci6vzurychx.cloudfront.net/trip-data/green_tripdata_2020-03.parquet');
    expect(file.fileName).toBe('green_tripdata_2020-03.parquet');
    expect(file.path).toBe(join(folder, 'green_tripdata_2020-03.parquet'));
  });

  it('needs no month for the zones, and has no TLC URL for them', () => {
    const zones = dataFile(course, env, 'zones', undefined, 'mirror');
    expect(zones.url).toBe('https://github.com/DataTalksClub/nyc-tlc-data/releases/download/misc/taxi_zone_lookup.csv');
    expect(zones.fileName).toBe('taxi_zone_lookup.csv');
    expect(zones.month).toBeUndefined();
    expect(thrownDecError(() => dataFile(course, env, 'zones', undefined, 'tlc')).hint).toMatch(/--source mirror/);
  });

  it('asks for the month of a monthly dataset', () => {
    const error = thrownDecError(() => dataFile(course, env, 'yellow', undefined, 'mirror'));
    expect(error.message).toMatch(/monthly/);
    expect(error.hint).toContain('dec data get yellow 2021-01');
  });

  it('names the datasets when one is unknown', () => {
    const error = thrownDecError(() => dataFile(course, env, 'purple', '2021-01', 'mirror'));
    expect(error.message).toContain('"purple"');
    expect(error.hint).toContain('yellow, green, fhv, fhvhv, zones');
  });
});
