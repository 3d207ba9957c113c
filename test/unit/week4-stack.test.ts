// dez-2022's week-4 stack (issue 13) against the course facts in shared/course/stacks.md B.2: the dbt
// versions and base image of the course's docker_setup, the profile, database and source schema the
// 2022 project expects, week 1's network (host pgdatabase, not network_mode: host), the homework folder
// as the project mounted where DBT_PROFILES_DIR points, and the tool `dec run week4 dbt ...` uses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { desiredStack, noOverrides } from '../../src/setup/spec.js';
import { databasePlanLines } from '../../src/setup/stack-database.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { findWeek } from '../../src/syllabus/query.js';

const course = parseSyllabus(readFileSync(new URL('../../syllabus/dez-2022.yaml', import.meta.url)), 'dez-2022.yaml');
const stack = course.stacks.week4!;
const dockerfile = readFileSync(new URL('../../templates/stacks/week4-dbt/Dockerfile', import.meta.url), 'utf8');
const constraints = readFileSync(new URL('../../templates/stacks/week4-dbt/constraints.txt', import.meta.url), 'utf8');

describe('dez-2022 week 4: dbt Core on week 1’s Postgres', () => {
  it('week 4 sets up the week4 stack', () => {
    expect(findWeek(course, '4').setup?.stack).toBe('week4');
  });

  it("builds the course's dbt 1.0 (core and postgres 1.0.1, bigquery 1.0.0) on python:3.9.9-slim-bullseye (B.2.1)", () => {
    expect(stack.services.dbt!.build?.context).toBe('stacks/week4-dbt');
    expect(dockerfile).toMatch(/^FROM python:3\.9\.9-slim-bullseye$/m);
    expect(dockerfile).toContain('ARG DBT_CORE_VERSION=1.0.1');
    expect(dockerfile).toContain('ARG DBT_POSTGRES_VERSION=1.0.1');
    expect(dockerfile).toContain('ARG DBT_BIGQUERY_VERSION=1.0.0');
    // Jinja2 2.11.3 (dbt-core 1.0.1) breaks on MarkupSafe 2.1.
    expect(constraints).toMatch(/^markupsafe==2\.0\.1$/m);
  });

  it('the profile pg-dbt-workshop, database production, source schema trips_data_all in week 1’s Postgres (B.2.2)', () => {
    expect(stack.database).toMatchObject({
      stack: 'week1',
      name: 'production',
      schemas: ['trips_data_all'],
      dbtProfile: { name: 'pg-dbt-workshop', folder: 'homework/week4', host: 'pgdatabase' },
    });
    // The host the profile names is week 1's Postgres on its network.
    expect(course.stacks.week1!.services.pgdatabase).toBeDefined();
  });

  it('joins pg-network, mounts homework/week4 where DBT_PROFILES_DIR points, runs as the student; the tool of dec run', () => {
    const desired = desiredStack(
      'week4',
      stack,
      course.id,
      noOverrides(),
      'dec',
      { uid: 1000, gid: 1000 },
      {},
      {
        roots: { workspace: '/ws', home: '/home/s' },
        stacks: course.stacks,
      },
    );
    const dbt = desired.services.find((s) => s.service === 'dbt')!;
    expect(dbt.networks).toEqual([{ stack: 'week1', network: 'pg-network', optional: false }]);
    expect(dbt.binds.map((b) => [b.source, b.target])).toEqual([['/ws/homework/week4', '/usr/app']]);
    expect(dbt.env.DBT_PROFILES_DIR).toBe('/usr/app');
    expect(dbt.user).toBe('1000:1000');
    expect(dbt.job).toBe(true);
    // provides: with this stack a local dbt is optional (dec doctor --week 4 says so).
    expect(stack.tool).toEqual({ service: 'dbt', workdir: '/usr/app', example: 'dbt debug', provides: ['dbt'] });
  });

  it('--dry-run lists the database, schema and profile it would make, before the containers', () => {
    expect(databasePlanLines(stack.database!, '/ws')).toEqual([
      "make database production and schema production.trips_data_all in week1's Postgres, where missing",
      'write the dbt profile pg-dbt-workshop to /ws/homework/week4/profiles.yml, unless that file exists',
    ]);
  });
});
