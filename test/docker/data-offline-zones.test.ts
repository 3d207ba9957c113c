// Week 1's joins offline: `dec data sample` puts the zone lookup that ships with dec beside the synthetic
// trips, and `dec data load zones` uses it (or, when the download fails, falls back to it), into a real
// Postgres. The syllabus's zones URL points at a closed loopback port: no network is ever reached.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { freePort } from '../helpers/postgres.js';
import { useTestPostgres } from '../helpers/postgres-file.js';
import { runDec, useSandbox, writeDatasetSyllabus } from '../helpers/run.js';

const box = useSandbox();
const server = useTestPostgres({ user: 'root', password: 'root', database: 'ny_taxi', statementTimeoutMs: 20_000 });
let db = '';
beforeAll(() => {
  db = `postgresql://root:root@127.0.0.1:${server.postgres.port}/ny_taxi`;
});

/** A syllabus whose datasets (yellow and zones) live at a port where nothing listens. */
async function offlineSyllabus(): Promise<string> {
  const closed = `http://127.0.0.1:${await freePort()}`;
  const path = writeDatasetSyllabus(join(box.cwd, 'offline.yaml'), closed);
  // writeDatasetSyllabus ends with the weeks; the zones dataset goes in the datasets map before them.
  const text = readFileSync(path, 'utf8').replace(
    'weeks:\n',
    `  zones:\n    title: Taxi zone lookup\n    mirror: ${closed}/taxi_zone_lookup.csv\n    columns: [LocationID, Borough, Zone, service_zone]\nweeks:\n`,
  );
  writeFileSync(path, text);
  return path;
}

it('sample, then load the trips and the zones with no network: the join finds every trip a zone', async () => {
  const syllabus = await offlineSyllabus();
  const dec = (...args: string[]) =>
    runDec(['--syllabus', syllabus, ...args], { cwd: box.cwd, env: box.sandbox.env, timeoutMs: 60_000 });

  const sample = await dec('data', 'sample', '--rows', '500', '--json');
  expect(sample.code, sample.stderr).toBe(0);
  const made = JSON.parse(sample.stdout) as { path: string; zones: string };
  expect(made.zones).toMatch(/taxi_zone_lookup\.csv$/);

  const trips = await dec('data', 'load', '--file', made.path, '--table', 'yellow_taxi_trips', '--db', db);
  expect(trips.code, trips.stderr).toBe(0);
  const zones = await dec('data', 'load', 'zones', '--db', db);
  expect(zones.code, zones.stderr).toBe(0);
  expect(zones.stdout).toContain('265 rows from taxi_zone_lookup.csv into zones');
  expect(zones.stderr).not.toContain('download failed'); // it was already there: no download tried

  const { rows } = await server.client.query<{ n: string }>(
    `SELECT count(*) AS n
       FROM yellow_taxi_trips t JOIN zones z ON t."PULocationID" = z."LocationID"`,
  );
  expect(Number(rows[0]!.n)).toBe(500);

  // Without the sample's copy: the download fails at once, and the shipped copy stands in.
  rmSync(made.zones);
  const started = Date.now();
  const fallback = await dec('data', 'load', 'zones', '--db', db);
  expect(fallback.code, fallback.stderr).toBe(0);
  expect(fallback.stderr).toContain('taxi_zone_lookup.csv: the download failed');
  expect(fallback.stderr).toContain('using the copy that ships with dec');
  expect(fallback.stdout).toContain('265 rows from taxi_zone_lookup.csv into zones');
  expect(existsSync(made.zones)).toBe(true);
  expect(Date.now() - started).toBeLessThan(20_000);
}, 90_000);
