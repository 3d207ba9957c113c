// Which source a month comes from: the course's mirror (csv.gz, DataTalksClub/nyc-tlc-data) ends at
// 2021-07, so later months (the current course's 2024 and 2025 homework) come from the TLC's own Parquet
// files unless the student says otherwise; `--source mirror` for such a month is refused with the way out.
import { DecError } from '../errors.js';
import type { Dataset } from '../syllabus/schema.js';
import type { Source } from './datasets.js';

/** The last month the course's mirror has (its releases stop at 2021-07: stacks.md B.1, facts.md). */
export const MIRROR_LAST_MONTH = '2021-07';

/** The course's own mirror, whose last month is known; another mirror (a test's, a fork) is taken as it is. */
function isCourseMirror(url: string | undefined): boolean {
  return url?.startsWith('https://github.com/DataTalksClub/nyc-tlc-data/') === true;
}

export interface SourcePlan {
  /** The source of each month (the dataset's only file: key ''). */
  byMonth: Map<string, Source>;
  /** One line to print when dec chose the TLC for months the mirror cannot have. */
  note?: string;
}

/**
 * Each month's source: `--source` when given (mirror for a month after the mirror's last is an error),
 * else the mirror up to 2021-07 and the TLC after it, when the dataset has a TLC URL.
 */
export function planSources(
  name: string,
  dataset: Dataset,
  months: string[],
  explicit: Source | undefined,
): SourcePlan {
  const beyond = isCourseMirror(dataset.mirror) ? months.filter((month) => month > MIRROR_LAST_MONTH) : [];
  if (explicit === 'mirror' && beyond.length > 0) {
    throw new DecError(
      `The course's mirror has no ${name} ${beyond.length === 1 ? beyond[0] : `${beyond[0]}..${beyond.at(-1)}`}: its files end at ${MIRROR_LAST_MONTH}.`,
      {
        hint: dataset.tlc
          ? `Leave out --source (dec takes months after ${MIRROR_LAST_MONTH} from the TLC's Parquet files), or pass --source tlc.`
          : `The syllabus has no TLC URL for ${name}: only months up to ${MIRROR_LAST_MONTH} can be fetched.`,
      },
    );
  }
  const byMonth = new Map<string, Source>();
  if (explicit !== undefined || beyond.length === 0 || !dataset.tlc) {
    for (const month of months) byMonth.set(month, explicit ?? 'mirror');
    return { byMonth };
  }
  for (const month of months) byMonth.set(month, beyond.includes(month) ? 'tlc' : 'mirror');
  const span = beyond.length === 1 ? beyond[0] : `${beyond[0]}..${beyond.at(-1)}`;
  return {
    byMonth,
    note: `${name} ${span}: the course's mirror ends at ${MIRROR_LAST_MONTH}, so ${beyond.length === 1 ? 'it comes' : 'they come'} from the TLC's Parquet files (--source tlc).`,
  };
}
