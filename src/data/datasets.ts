// The course's datasets as tables: file names, URLs per month, and the column types the course's
// pandas ingestion produces (timestamps as timestamp, ids as bigint, amounts as double precision).
import { join } from 'node:path';
import { DecError } from '../errors.js';
import { cacheDir } from '../paths.js';
import type { Course } from '../syllabus/course.js';
import type { Dataset } from '../syllabus/schema.js';

export type ColumnType = 'bigint' | 'double precision' | 'real' | 'numeric' | 'boolean' | 'date' | 'timestamp' | 'text';

export interface Column {
  name: string;
  type: ColumnType;
}

const INTEGER_COLUMNS = new Set([
  'vendorid',
  'ratecodeid',
  'payment_type',
  'passenger_count',
  'trip_type',
  'locationid',
  'pulocationid',
  'dolocationid',
]);
const TEXT_COLUMNS = new Set([
  'store_and_fwd_flag',
  'borough',
  'zone',
  'service_zone',
  'dispatching_base_num',
  'hvfhs_license_num',
  'affiliated_base_number',
  'originating_base_num',
]);

/**
 * The type pandas gives a column of the TLC files (the course's script), from its name; undefined
 * for a column the course's files do not have. The same month then gets the same table whether it
 * was loaded from the CSV or the Parquet file.
 */
export function courseColumnType(name: string): ColumnType | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('datetime') || lower.endsWith('_time')) return 'timestamp';
  if (INTEGER_COLUMNS.has(lower)) return 'bigint';
  if (TEXT_COLUMNS.has(lower)) return 'text';
  if (/(amount|fee|surcharge|tax|distance|extra|tip|fare|tolls|pay)$/.test(lower)) return 'double precision';
  return undefined;
}

/** A CSV column's type: the course's, else text (a CSV header says nothing more). */
export function columnType(name: string): ColumnType {
  return courseColumnType(name) ?? 'text';
}

/** The table name the course uses for each dataset. */
export function defaultTable(dataset: string): string {
  return (
    { yellow: 'yellow_taxi_trips', green: 'green_taxi_trips', fhv: 'fhv_trips', fhvhv: 'fhvhv_trips', zones: 'zones' }[
      dataset
    ] ?? `${dataset}_data`
  );
}

export type Source = 'mirror' | 'tlc';

export interface DataFile {
  dataset: string;
  /** Where the URL points: the course mirror or the TLC. */
  source: Source;
  month?: string;
  url: string;
  fileName: string;
  path: string;
}

export function datasetOf(course: Course, name: string): Dataset {
  const dataset = course.datasets[name];
  if (!dataset) {
    throw new DecError(`There is no dataset "${name}" in ${course.title}.`, {
      hint: `Datasets: ${Object.keys(course.datasets).join(', ')} (dec data list).`,
    });
  }
  return dataset;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** "2021-01" or "2019-01..2019-12" → months. */
export function monthsOf(spec: string): string[] {
  const [from = '', to = from] = spec.split('..');
  if (!MONTH.test(from) || !MONTH.test(to)) {
    throw new DecError(`"${spec}" is not a month or a span of months.`, {
      hint: 'Write 2021-01, or 2019-01..2019-12.',
    });
  }
  const months: string[] = [];
  let [year, month] = from.split('-').map(Number) as [number, number];
  const [endYear, endMonth] = to.split('-').map(Number) as [number, number];
  while (year < endYear || (year === endYear && month <= endMonth)) {
    months.push(`${year}-${String(month).padStart(2, '0')}`);
    if (++month > 12) [year, month] = [year + 1, 1];
    if (months.length > 240) break;
  }
  if (months.length === 0)
    throw new DecError(`"${spec}" ends before it starts.`, {
      hint: 'Write the earlier month first: 2019-01..2019-12.',
    });
  return months;
}

export function dataFolder(env: NodeJS.ProcessEnv): string {
  return join(cacheDir(env), 'datasets');
}

export function dataFile(
  course: Course,
  env: NodeJS.ProcessEnv,
  name: string,
  month: string | undefined,
  source: Source,
): DataFile {
  const dataset = datasetOf(course, name);
  const pattern = source === 'tlc' ? dataset.tlc : dataset.mirror;
  if (!pattern) {
    throw new DecError(`The dataset ${name} has no ${source === 'tlc' ? 'TLC' : 'mirror'} URL in the syllabus.`, {
      hint: source === 'tlc' ? 'Use --source mirror.' : 'Use --source tlc.',
    });
  }
  if (pattern.includes('{month}') && month === undefined) {
    throw new DecError(`The dataset ${name} is monthly: say which month.`, {
      hint: `For example: dec data get ${name} 2021-01`,
    });
  }
  const url = month === undefined ? pattern : pattern.replace('{month}', month);
  const fileName = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? `${name}.csv`);
  return { dataset: name, source, month, url, fileName, path: join(dataFolder(env), fileName) };
}
