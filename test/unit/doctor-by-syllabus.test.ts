// The same machine, two courses (issue 16): the doctor's verdicts follow the chosen syllabus's ranges.
// Java 17 is what PySpark 4 needs in dez-2026 (module 6) and what Spark 3.0 cannot use in dez-2022 (week 5).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { needsOf } from '../../src/doctor/needs.js';
import { bruin, duckdb, uv } from '../../src/doctor/probes/current-course.js';
import { java } from '../../src/doctor/probes/languages.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { findWeek } from '../../src/syllabus/query.js';
import { fakeProbeContext } from '../helpers/probe-context.js';

const syllabus = (id: string) =>
  parseSyllabus(readFileSync(new URL(`../../syllabus/${id}.yaml`, import.meta.url)), `${id}.yaml`);
const spark2022 = needsOf([findWeek(syllabus('dez-2022'), '5')]);
const spark2026 = needsOf([findWeek(syllabus('dez-2026'), 'm6')]);

const JAVA11 =
  'openjdk version "11.0.2" 2019-01-15\nOpenJDK Runtime Environment 18.9 (build 11.0.2+9)\nOpenJDK 64-Bit Server VM 18.9 (build 11.0.2+9, mixed mode)';
const JAVA17 =
  'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment Temurin-17.0.15+6 (build 17.0.15+6)\nOpenJDK 64-Bit Server VM';

const machineWith = (stderr: string, needs: typeof spark2022) =>
  fakeProbeContext({ needs, env: { PATH: '', HOME: '/home/student' }, exec: { 'java -version': { stderr } } });

describe('java, by syllabus', () => {
  it('Java 17: ok under dez-2026 (PySpark 4), a failure under dez-2022 (Spark 3.0 wants 8 or 11)', async () => {
    expect(await java.run(machineWith(JAVA17, spark2026))).toMatchObject({ status: 'ok', wanted: '17.x || 21.x' });
    const old = await java.run(machineWith(JAVA17, spark2022));
    expect(old).toMatchObject({ status: 'fail', wanted: '8.x || 11.x' });
    expect(old.fix?.command).toMatch(/11/);
  });

  it('Java 11: ok under dez-2022, a failure under dez-2026 whose fix installs JDK 17', async () => {
    expect(await java.run(machineWith(JAVA11, spark2022))).toMatchObject({ status: 'ok' });
    const current = await java.run(machineWith(JAVA11, spark2026));
    expect(current).toMatchObject({ status: 'fail', wanted: '17.x || 21.x' });
    expect(current.fix?.command).toMatch(/17/);
    expect(current.detail).toBe("Java 11 (11.0.2), but the course's Spark needs Java 17 or 21");
  });
});

describe("the current course's own tools: uv, DuckDB, Bruin", () => {
  const all2026 = needsOf(syllabus('dez-2026').weeks);
  const all2022 = needsOf(syllabus('dez-2022').weeks);

  it('are needed under dez-2026 only (uv required, DuckDB optional, Bruin required for module 5)', () => {
    expect(all2026.tools.get('uv')?.required).toBe(true);
    expect(all2026.tools.get('duckdb')?.required).toBe(false);
    expect(all2026.tools.get('bruin')).toMatchObject({ required: true, weeks: [5] });
    for (const tool of ['uv', 'duckdb', 'bruin'] as const) expect(all2022.tools.has(tool)).toBe(false);
  });

  it('missing: a failure whose fix is the vendor installer for the platform', async () => {
    const linux = await uv.run(fakeProbeContext({ needs: all2026, env: { PATH: '' } }));
    expect(linux).toMatchObject({ status: 'fail', detail: '`uv` is not on PATH' });
    expect(linux.fix?.command).toBe('curl -LsSf https://astral.sh/uv/install.sh | sh');
    const windows = await uv.run(fakeProbeContext({ needs: all2026, env: { PATH: '' }, platform: 'win32' }));
    expect(windows.fix?.command).toContain('install.ps1');
    const noBruin = await bruin.run(fakeProbeContext({ needs: all2026, env: { PATH: '' } }));
    expect(noBruin.fix?.command).toBe('curl -LsSf https://getbruin.com/install/cli | sh');
  });

  it('installed: ok with the version read from --version', async () => {
    const found = (command: string, stdout: string) =>
      fakeProbeContext({ needs: all2026, env: { PATH: '' }, exec: { [`${command} --version`]: { stdout } } });
    expect(await uv.run(found('uv', 'uv 0.9.5 (d5f39331a 2025-10-21)\n'))).toMatchObject({
      status: 'ok',
      version: '0.9.5',
    });
    expect(await duckdb.run(found('duckdb', 'v1.4.1 (Andium) b390a7c376\n'))).toMatchObject({
      status: 'ok',
      version: '1.4.1',
    });
  });
});
