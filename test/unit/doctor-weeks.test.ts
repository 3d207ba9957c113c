// The doctor for the chosen weeks of the chosen syllabus, on recorded machines: Compose v1 is enough
// for the 2022 course's week 1 and not for week 2; with dec's stacks a local dbt, Java or Kafka is
// optional for weeks 4-6 (but not for dez-2026's modules, which have no containers); no 2022 wording
// under dez-2026.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { needsOf } from '../../src/doctor/needs.js';
import { DEC_LABELS } from '../../src/docker/client.js';
import { compose } from '../../src/doctor/probes/docker.js';
import { dbt, java } from '../../src/doctor/probes/languages.js';
import { doctorExitCode, runProbes } from '../../src/doctor/run.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { findWeek } from '../../src/syllabus/query.js';
import { installFix, sparkFix } from '../../src/doctor/install.js';
import { container, fakeProbeContext, typicalPlatform } from '../helpers/probe-context.js';

const JAVA17 =
  'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment Temurin-17.0.15+6 (build 17.0.15+6)\nOpenJDK 64-Bit Server VM';

const syllabus = (id: string) =>
  parseSyllabus(readFileSync(new URL(`../../syllabus/${id}.yaml`, import.meta.url)), `${id}.yaml`);
const course2022 = syllabus('dez-2022');
const weeks2022 = (...refs: string[]) =>
  needsOf(
    refs.map((ref) => findWeek(course2022, ref)),
    course2022.stacks,
    {},
    course2022.weeks,
  );

describe('Compose v1 (Debian 12 has docker-compose 1.29.2)', () => {
  const V1 = {
    'docker-compose version': { stdout: 'docker-compose version 1.29.2, build unknown\ndocker-py version: 5.0.3\n' },
  };

  it('week 1: enough, said precisely (ok)', async () => {
    const result = await compose.run(fakeProbeContext({ needs: weeks2022('1'), exec: V1 }));
    expect(result).toMatchObject({ status: 'ok', version: '1.29.2' });
    // Week 3 reuses week 2's Airflow stack (optional), so it is named too.
    expect(result.detail).toBe(
      'docker-compose 1.29.2 (Compose v1): enough for week 1, not for week 2, 3, which need Compose 2.0 or newer',
    );
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

describe('weeks 4-6: a local install is optional where dec has a stack for it', () => {
  const noDbt = { env: { PATH: '', HOME: '/home/student' } };

  it('dez-2022 week 4 without dbt: a note naming dec setup week4 and dec run, not a failure', async () => {
    const ctx = fakeProbeContext({ ...noDbt, needs: weeks2022('4') });
    const [outcome] = await runProbes([dbt], ctx);
    expect(outcome!.result.status).toBe('warn');
    expect(outcome!.required).toBe(false);
    expect(outcome!.result.detail).toBe(
      '`dbt` is not on PATH — optional: dec setup week4 runs dbt in a container (dec run week4 dbt debug)',
    );
    expect(outcome!.result.fix?.text).toMatch(
      /^Nothing to install with dec's stack: dec setup week4, then dec run week4 dbt debug\. To install dbt locally instead: /,
    );
    expect(doctorExitCode([outcome!])).toBe(0);
  });

  it("with week 4's stack set up, the student is on the stack path: ok", async () => {
    const ctx = fakeProbeContext({
      ...noDbt,
      needs: weeks2022('4'),
      containers: [
        container({ name: 'dec-week4-dbt', labels: { [DEC_LABELS.stack]: 'week4', [DEC_LABELS.project]: 'dec' } }),
      ],
    });
    const [outcome] = await runProbes([dbt], ctx);
    expect(outcome!.result).toMatchObject({ status: 'ok', fix: undefined });
    expect(outcome!.result.detail).toContain("not needed: you use dec's stack for week 4 (dec run week4 dbt debug)");
  });

  it("a stack standing in for Java and Spark (as week 5's Spark cluster can) makes both optional", async () => {
    const course = parseSyllabus(
      Buffer.from(
        readFileSync(new URL('../../syllabus/dez-2022.yaml', import.meta.url), 'utf8').replace(
          '    tool:\n      service: dbt\n      workdir: /usr/app\n      example: dbt debug\n      # With this stack a local dbt is optional: `dec doctor --week 4` says so instead of failing.\n      provides: [dbt]\n',
          '    tool:\n      service: dbt\n      workdir: /usr/app\n      example: dbt debug\n      provides: [dbt, java, spark]\n',
        ),
      ),
      'dez-2022.yaml',
    );
    // Week 5 pointed at that stack, as a stand-in for its Spark cluster.
    const week5 = { ...findWeek(course, '5'), setup: { summary: 'Spark', stack: 'week4' } };
    const needs = needsOf([week5], course.stacks);
    expect(needs.tools.get('java')).toMatchObject({ required: false, stacks: [{ week: 5, stack: 'week4' }] });
    const ctx = fakeProbeContext({ ...noDbt, needs, exec: { 'java -version': { stderr: JAVA17 } } });
    const [outcome] = await runProbes([java], ctx);
    expect(outcome!.result.status).toBe('warn');
    expect(outcome!.result.detail).toContain(
      "but the course's Spark needs Java 8 or 11 — optional: dec setup week4 runs Java in a container",
    );
    expect(doctorExitCode([outcome!])).toBe(0);
  });

  it('dez-2026 modules 4-6 have no containers in the course: dbt, Java and Spark stay required', async () => {
    const course = syllabus('dez-2026');
    const needs = needsOf(
      ['4', '6'].map((ref) => findWeek(course, ref)),
      course.stacks,
    );
    for (const tool of ['dbt', 'java', 'spark'] as const) {
      expect(needs.tools.get(tool)?.stacks).toBeUndefined();
    }
    const outcomes = await runProbes([dbt, java], fakeProbeContext({ ...noDbt, needs }));
    expect(outcomes.map((o) => [o.probe.id, o.result.status, o.required])).toEqual([
      ['dbt', 'fail', true],
      ['java', 'fail', true],
    ]);
    expect(doctorExitCode(outcomes)).toBe(1);
    for (const o of outcomes) expect(o.result.detail).not.toContain('dec setup');
  });
});

describe('fixes follow the chosen syllabus', () => {
  const course2026 = syllabus('dez-2026');
  const all2026 = needsOf(course2026.weeks, course2026.stacks);
  const all2022 = needsOf(course2022.weeks, course2022.stacks);

  it("PySpark 4 on Python 3.11: pip install, no Python 3.9 advice (that is only for the 2022 course's Spark 3.0)", () => {
    const current = sparkFix(typicalPlatform('linux'), all2026, {}, '3.11.7');
    expect(current.text).not.toContain('3.9');
    expect(current.command).toContain('pip install "pyspark>=4.0.0,<5"');
    const old = sparkFix(typicalPlatform('linux'), all2022, {}, '3.11.7');
    expect(old.command).toContain('uv venv --python 3.9');
  });

  it("Python: dez-2026 wants 3.13, which no distribution package gives Debian 12: uv; dez-2022 takes the distribution's", () => {
    expect(installFix('python', typicalPlatform('linux'), all2026).command).toBe(
      'curl -LsSf https://astral.sh/uv/install.sh | sh && ~/.local/bin/uv python install 3.13',
    );
    expect(installFix('python', typicalPlatform('linux'), all2022).command).toBe(
      'sudo apt-get install -y python3 python3-pip python3-venv',
    );
  });

  it('dbt: dbt-duckdb under dez-2026, Postgres and BigQuery under dez-2022', () => {
    expect(installFix('dbt', typicalPlatform('linux'), all2026).command).toContain('pip install dbt-core dbt-duckdb');
    expect(installFix('dbt', typicalPlatform('linux'), all2022).command).toContain(
      'pip install dbt-core dbt-postgres dbt-bigquery',
    );
  });
});
