// Months the course's mirror cannot have (it ends at 2021-07) come from the TLC's Parquet by default,
// said in one line; `--source mirror` for them is refused with the way out.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataGet } from '../../src/commands/data.js';
import { dataFolder } from '../../src/data/datasets.js';
import { planSources } from '../../src/data/source.js';
import { DecError } from '../../src/errors.js';
import { commandContexts } from '../helpers/command-context.js';

const contexts = commandContexts();
afterEach(() => contexts.cleanup());

const yellow = {
  title: 'Yellow',
  mirror: 'https://github.com/DataTalksClub/nyc-tlc-data/releases/download/yellow/yellow_tripdata_{month}.csv.gz',
  tlc: 'https://d37ci6vzurychx.cloudfront.net/trip-data/yellow_tripdata_{month}.parquet',
} as never;

describe('planSources', () => {
  it('mirror up to 2021-07, the TLC after it, with one line saying so', () => {
    const plan = planSources('yellow', yellow, ['2021-07', '2021-08', '2025-11'], undefined);
    expect([...plan.byMonth]).toEqual([
      ['2021-07', 'mirror'],
      ['2021-08', 'tlc'],
      ['2025-11', 'tlc'],
    ]);
    expect(plan.note).toBe(
      "yellow 2021-08..2025-11: the course's mirror ends at 2021-07, so they come from the TLC's Parquet files (--source tlc).",
    );
    expect(planSources('yellow', yellow, ['2021-01'], undefined)).toEqual({
      byMonth: new Map([['2021-01', 'mirror']]),
    });
  });

  it('--source mirror for a later month: an error naming the months and the way out', () => {
    const refused = (() => {
      try {
        planSources('yellow', yellow, ['2025-10', '2025-11'], 'mirror');
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(DecError);
    expect((refused as DecError).message).toBe(
      "The course's mirror has no yellow 2025-10..2025-11: its files end at 2021-07.",
    );
    expect((refused as DecError).hint).toContain('Leave out --source');
    // --source tlc is taken as given, old months too.
    expect(planSources('yellow', yellow, ['2019-01'], 'tlc').byMonth.get('2019-01')).toBe('tlc');
  });

  it('another mirror (a fork, a test server) is taken as it is', () => {
    const own = { ...(yellow as object), mirror: 'http://127.0.0.1:8000/yellow_{month}.csv.gz' } as never;
    expect(planSources('yellow', own, ['2025-11'], 'mirror').byMonth.get('2025-11')).toBe('mirror');
  });
});

describe('dec data get under dez-2026', () => {
  it('yellow 2025-11 without --source: the TLC parquet, said in one line (already downloaded here: no network)', async () => {
    const ctx = contexts.make({ options: { syllabus: 'dez-2026' } });
    mkdirSync(dataFolder(ctx.env), { recursive: true });
    writeFileSync(join(dataFolder(ctx.env), 'yellow_tripdata_2025-11.parquet'), 'PAR1');
    expect(await dataGet(ctx, 'yellow', ['2025-11'], {})).toBe(0);
    expect(ctx.stdout()).toContain('yellow_tripdata_2025-11.parquet');
    expect(ctx.stderr()).toContain(
      "yellow 2025-11: the course's mirror ends at 2021-07, so it comes from the TLC's Parquet files",
    );
  });

  it('--source mirror for 2025-11: refused before any download', async () => {
    const ctx = contexts.make({ options: { syllabus: 'dez-2026' } });
    const refused = await dataGet(ctx, 'yellow', ['2025-11'], { source: 'mirror' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DecError);
    expect((refused as DecError).message).toContain('its files end at 2021-07');
  });
});
