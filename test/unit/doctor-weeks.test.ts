// The doctor for the chosen weeks of the chosen syllabus, on recorded machines: Compose v1 is enough
// for the 2022 course's week 1 and not for week 2; with dec's stacks a local dbt, Java or Kafka is
// optional for weeks 4-6 (but not for dez-2026's modules, which have no containers); no 2022 wording
// under dez-2026.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { needsOf } from '../../src/doctor/needs.js';
import { compose } from '../../src/doctor/probes/docker.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { findWeek } from '../../src/syllabus/query.js';
import { fakeProbeContext } from '../helpers/probe-context.js';

const syllabus = (id: string) =>
  parseSyllabus(readFileSync(new URL(`../../syllabus/${id}.yaml`, import.meta.url)), `${id}.yaml`);
const course2022 = syllabus('dez-2022');
const weeks2022 = (...refs: string[]) =>
  needsOf(
    refs.map((ref) => findWeek(course2022, ref)),
    course2022.stacks,
  );

describe('Compose v1 (Debian 12 has docker-compose 1.29.2)', () => {
  const V1 = {
    'docker-compose version': { stdout: 'docker-compose version 1.29.2, build unknown\ndocker-py version: 5.0.3\n' },
  };

  it('week 1: enough, said precisely (ok)', async () => {
    const result = await compose.run(fakeProbeContext({ needs: weeks2022('1'), exec: V1 }));
    expect(result).toMatchObject({ status: 'ok', version: '1.29.2' });
    expect(result.detail).toBe('docker-compose 1.29.2 (Compose v1): enough for week 1');
  });

  it('weeks 1 and 2: enough for week 1, not for week 2, with the v2 fix', async () => {
    const result = await compose.run(fakeProbeContext({ needs: weeks2022('1', '2'), exec: V1 }));
    expect(result.status).toBe('warn');
    expect(result.detail).toBe(
      'docker-compose 1.29.2 (Compose v1): enough for week 1, not for week 2, which needs Compose 2.0 or newer',
    );
    expect(result.fix?.command).toContain('docker-compose-plugin');
  });

  it('week 2 alone: not enough', async () => {
    const result = await compose.run(fakeProbeContext({ needs: weeks2022('2'), exec: V1 }));
    expect(result.detail).toBe(
      'docker-compose 1.29.2 (Compose v1): not enough for week 2, which needs Compose 2.0 or newer',
    );
  });
});
