// The built doctor's words follow the chosen syllabus: under dez-2026 no fix or detail speaks of the
// 2022 course (its Airflow, its week-5 Spark 3.0 on Python 3.9), and under dez-2022 `--week 4` says that
// dbt is optional with dec's week-4 stack. The doctor runs with an empty PATH (every tool missing, so
// every install fix is printed) and DOCKER_HOST at a missing socket (no engine involved).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDec, useSandbox } from '../helpers/run.js';

const box = useSandbox();

function doctor(args: string[]) {
  const empty = join(box.sandbox.root, 'empty-path');
  mkdirSync(empty, { recursive: true });
  return runDec(['doctor', '--timeout', '20', ...args], {
    cwd: box.cwd,
    env: {
      ...box.sandbox.env,
      PATH: empty,
      DOCKER_HOST: `unix://${join(box.sandbox.root, 'no-docker.sock')}`,
    },
    timeoutMs: 90_000,
  });
}

/**
 * Lines that speak of the 2022 course where the chosen syllabus is another one. A deliberate comparison
 * would name both courses ("dez-2022 … dez-2026"); none is printed today.
 */
function wording2022(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => /2022|Airflow|Python 3\.9|dec setup week5/.test(line))
    .filter((line) => !(line.includes('dez-2022') && line.includes('dez-2026')));
}

describe('dec doctor under dez-2026', () => {
  it('the text, the report and the JSON have no 2022 wording', async () => {
    const [text, report, json] = await Promise.all([
      doctor(['--syllabus', 'dez-2026']),
      doctor(['--syllabus', 'dez-2026', '--report']),
      doctor(['--syllabus', 'dez-2026', '--json']),
    ]);
    for (const run of [text, report, json]) {
      expect(run.stdout.length).toBeGreaterThan(200);
      expect(wording2022(run.stdout + run.stderr)).toEqual([]);
    }
    // The fixes that used to be 2022's: Python from uv (the distribution's is too old), dbt with DuckDB.
    const probes = (
      JSON.parse(json.stdout) as { probes: Array<{ id: string; fix: { command: string | null } | null }> }
    ).probes;
    const fix = (id: string) => probes.find((p) => p.id === id)?.fix?.command ?? '';
    expect(fix('python')).toContain('uv python install 3.13');
    expect(fix('dbt')).toContain('pip install dbt-core dbt-duckdb');
  }, 240_000);

  it('the filter catches the wording this machine printed under dez-2026 before the fix', () => {
    const before = [
      '→ Create the folder the week-2 Airflow setup mounts, then save your service-account key in it',
      "→ The course's Spark (>=4.0.0 <5) runs on Python 3.9 at most, and this Python is 3.11.7",
      '✓ curl or wget  curl 7.88.1 (no wget: the 2022 ingest script calls wget; use curl -L -O instead)',
      '→ Install JDK 17. (`dec setup week5`, coming, will run Spark in Docker and need no local Java.)',
    ];
    expect(wording2022(before.join('\n'))).toEqual(before);
    expect(wording2022('dez-2022 wants Java 11, dez-2026 Java 17')).toEqual([]);
  });
});

describe('dec doctor --week 4 under dez-2022', () => {
  it('dbt missing is a note naming dec setup week4 and dec run, exit code 0 for that check', async () => {
    const run = await doctor(['--syllabus', 'dez-2022', '--week', '4', '--only', 'dbt']);
    expect(run.stdout).toContain(
      '`dbt` is not on PATH — optional: dec setup week4 runs dbt in a container (dec run week4 dbt debug)',
    );
    expect(run.stdout).toContain("Nothing to install with dec's stack: dec setup week4, then dec run week4 dbt debug");
    expect(run.code).toBe(0);
  }, 120_000);
});
