// The built-in dez-2026 syllabus against the course as taught now (../shared/course/stacks.md part B.5,
// research of DEZ@5cd686a1, the course repository on 2026-06-10): modules and topics in order (B.5.2),
// tools and versions (B.5.4), datasets (B.5.5), homework shapes (B.5.6) and the local stacks (B.5.3).
// Each test names the part it checks, so that a later edit cannot quietly undo a fact.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dataFile } from '../../src/data/datasets.js';
import { dueDate } from '../../src/homework/render.js';
import { desiredStack, noOverrides, renderNext } from '../../src/setup/spec.js';
import { weekLabel, type CourseWeek } from '../../src/syllabus/course.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { findWeek } from '../../src/syllabus/query.js';

const course = parseSyllabus(readFileSync(new URL('../../syllabus/dez-2026.yaml', import.meta.url)), 'dez-2026.yaml');
const module = (ref: string): CourseWeek => findWeek(course, ref);
const titles = (week: CourseWeek) => week.topics.map((topic) => topic.title);
const tool = (week: CourseWeek, id: string) => week.tools.find((t) => t.id === id);

describe('the course (B.5.1, B.5.2)', () => {
  it('is its own syllabus: id dez-2026, the 2026 cohort from 12 January 2026, its instructors', () => {
    expect(course.id).toBe('dez-2026');
    expect(course.cohort).toBe('2026');
    expect(course.start).toBe('2026-01-12');
    expect(course.instructors).toEqual([
      'Alexey Grigorev',
      'Michael Shoemaker',
      'Will Russell',
      'Anna Geller',
      'Juan Manuel Perafan',
      'Arsalan Noorafkan',
    ]);
  });

  it("lists modules 1-7, workshop 1 and the project in the course's order (the workshop after module 2)", () => {
    expect(course.weeks.map((w) => w.id)).toEqual([
      'module-1',
      'module-2',
      'workshop-1',
      'module-3',
      'module-4',
      'module-5',
      'module-6',
      'module-7',
      'project',
    ]);
    expect(course.weeks.map(weekLabel)).toEqual(['1', '2', 'W1', '3', '4', '5', '6', '7', '8']);
  });

  it('has the titles of the current layout', () => {
    expect(course.weeks.map((w) => w.title)).toEqual([
      'Containerization and Infrastructure as Code',
      'Workflow Orchestration',
      'Workshop: data ingestion with dlt',
      'Data Warehousing',
      'Analytics Engineering',
      'Data Platforms',
      'Batch Processing',
      'Streaming',
      'Project',
    ]);
  });

  it("module 1: the 11-part Docker and Postgres workshop, then GCP and Terraform, in the course's order", () => {
    expect(titles(module('1'))).toEqual([
      'Course introduction',
      'Introduction to Docker',
      'Virtual environments with uv',
      'Dockerizing a pipeline',
      'Running PostgreSQL in Docker',
      'NY taxi data and ingestion with pandas and SQLAlchemy',
      'The ingestion script',
      'pgAdmin',
      'Dockerizing the ingestion',
      'Docker Compose',
      'SQL refresher',
      'Cleaning up',
      'Introduction to GCP',
      'Terraform: concepts primer',
      'Terraform: deployment in one file',
      'Terraform: deployment with a variables file',
      'Terraform: setup on Windows',
      'Homework module 1',
    ]);
    expect(module('1').topics.filter((t) => t.section === 'Docker and PostgreSQL')).toHaveLength(11);
  });

  it('module 2: Kestra from concepts to Postgres ETL, BigQuery ELT, AI, with cloud deployment as a bonus', () => {
    const all = titles(module('2')).join('\n');
    for (const piece of ['Kestra', 'local Postgres', 'backfills', 'ETL vs ELT', 'BigQuery', 'AI Copilot', 'RAG'])
      expect(all).toContain(piece);
    expect(module('2').topics.find((t) => t.title === 'Deploying Kestra to the cloud')?.extra).toBe(true);
  });

  it('the other modules carry their topics: dlt, BigQuery, dbt, Bruin, Spark 4, PyFlink', () => {
    expect(titles(module('workshop-1')).join('\n')).toMatch(/dlt MCP[\s\S]*dlt dashboard[\s\S]*marimo/);
    expect(titles(module('3')).join('\n')).toMatch(/Partitioning vs clustering[\s\S]*machine learning/);
    expect(titles(module('4')).join('\n')).toMatch(/DuckDB with dbt Core[\s\S]*Seeds and macros[\s\S]*Tests/);
    expect(titles(module('5')).join('\n')).toMatch(/Bruin[\s\S]*DuckDB[\s\S]*Bruin MCP/);
    expect(titles(module('6')).join('\n')).toMatch(/Spark 4 with pip or uv[\s\S]*GroupBy[\s\S]*Joins/);
    expect(titles(module('7'))[0]).toMatch(/Redpanda, Flink and Postgres/);
    // The Kafka theory (Java, Confluent Cloud) is optional in the course.
    expect(
      module('7')
        .topics.filter((t) => t.section === 'Kafka theory (optional)')
        .every((t) => t.extra),
    ).toBe(true);
  });

  it('every module and the workshop ends with its homework, and each part has topics', () => {
    for (const week of course.weeks.filter((w) => w.id !== 'project')) {
      expect(week.topics.length).toBeGreaterThan(1);
      expect(week.topics.at(-1)!.title).toMatch(/^Homework (module \d|workshop 1)$/);
    }
  });
});

describe('tools and versions (B.5.4)', () => {
  it('module 1: Python 3.13 and uv, Compose v2, pgcli >= 4.3.0 as a dev dependency', () => {
    expect(tool(module('1'), 'python')?.version).toBe('>=3.13');
    expect(tool(module('1'), 'uv')).toBeDefined();
    expect(tool(module('1'), 'docker-compose')?.version).toBe('>=2');
    expect(tool(module('1'), 'pgcli')).toMatchObject({ version: '>=4.3.0', required: false });
  });

  it('states no range the course does not: Docker, and Python outside modules 1, 7 and the workshop', () => {
    for (const week of course.weeks) expect(tool(week, 'docker')?.version).toBeUndefined();
    for (const ref of ['3', '4', '6']) expect(tool(module(ref), 'python')?.version).toBeUndefined();
    expect(tool(module('workshop-1'), 'python')?.version).toBe('>=3.13');
  });

  it('module 4: dbt in the range the project requires (>=1.7,<3), through dbt-duckdb', () => {
    expect(tool(module('4'), 'dbt')?.version).toBe('>=1.7 <3');
    expect(tool(module('4'), 'dbt')?.why).toMatch(/dbt-duckdb/);
  });

  it('module 5: the Bruin CLI (unpinned)', () => {
    expect(tool(module('5'), 'bruin')?.version).toBeUndefined();
  });

  it('module 6: Java 17 or 21 and PySpark 4, and the old SPARK_HOME warning', () => {
    expect(tool(module('6'), 'java')?.version).toBe('17.x || 21.x');
    expect(tool(module('6'), 'spark')?.version).toBe('>=4.0.0 <5');
    expect(tool(module('6'), 'spark')?.why).toMatch(/SPARK_HOME/);
  });

  it('module 7: Python >= 3.12 with kafka-python >= 2.3.0', () => {
    expect(tool(module('7'), 'python')?.version).toBe('>=3.12');
    expect(tool(module('7'), 'python')?.why).toMatch(/kafka-python >= 2\.3\.0/);
  });
});

describe('datasets (B.5.5)', () => {
  const months = (week: CourseWeek, dataset: string) => week.datasets.find((d) => d.dataset === dataset)?.months;
  const env = { DEC_HOME: '/tmp/dec-unused' };

  it('module 1: yellow 2021-01 for the lessons, green 2025-11 parquet and the zones for the homework', () => {
    expect(months(module('1'), 'yellow')).toEqual(['2021-01']);
    expect(months(module('1'), 'green')).toEqual(['2025-11']);
    expect(dataFile(course, env, 'green', '2025-11', 'tlc').url).toBe(
      'https://d37ci6vzurychx.cloudfront.net/trip-data/green_tripdata_2025-11.parquet',
    );
  });

  it('module 2: yellow and green 2019 to 2021-07 from the csv.gz mirror', () => {
    expect(months(module('2'), 'yellow')).toEqual(['2019-01..2021-07']);
    expect(dataFile(course, env, 'yellow', '2021-03', 'mirror').url).toBe(
      'https://github.com/DataTalksClub/nyc-tlc-data/releases/download/yellow/yellow_tripdata_2021-03.csv.gz',
    );
  });

  it('modules 3, 4, 6, 7: yellow 2024-01..06; 2019-2020 with FHV 2019; yellow 2025-11; green 2025-10', () => {
    expect(months(module('3'), 'yellow')).toEqual(['2024-01..2024-06']);
    expect(months(module('4'), 'green')).toEqual(['2019-01..2020-12']);
    expect(months(module('4'), 'fhv')).toEqual(['2019-01..2019-12']);
    expect(months(module('6'), 'yellow')).toEqual(['2025-11']);
    expect(months(module('7'), 'green')).toEqual(['2025-10']);
  });

  it("the zones come from the TLC's own URL as well as the mirror (module 6's homework uses the TLC's)", () => {
    expect(dataFile(course, env, 'zones', undefined, 'tlc').url).toBe(
      'https://d37ci6vzurychx.cloudfront.net/misc/taxi_zone_lookup.csv',
    );
    expect(dataFile(course, env, 'zones', undefined, 'mirror').url).toMatch(/nyc-tlc-data\/releases\/download\/misc\//);
  });
});

describe('homework (B.5.6)', () => {
  const counts = Object.fromEntries(course.weeks.map((w) => [w.id, w.homework?.questions?.length ?? 0]));

  it('has the number of questions of each 2026 homework (the dlt one has 3, hw3 8 plus 1 unscored)', () => {
    expect(counts).toEqual({
      'module-1': 7,
      'module-2': 6,
      'workshop-1': 3,
      'module-3': 9,
      'module-4': 6,
      'module-5': 7,
      'module-6': 6,
      'module-7': 6,
      project: 3,
    });
    expect(
      module('3')
        .homework!.questions!.filter((q) => q.optional)
        .map((q) => q.id),
    ).toEqual(['q9']);
  });

  it('submits on the course platform under each slug (hw1..hw7, dlt, project1)', () => {
    const slugs = course.weeks.map((w) => w.homework?.submit?.split('/').pop());
    expect(slugs).toEqual(['hw1', 'hw2', 'dlt', 'hw3', 'hw4', 'hw5', 'hw6', 'hw7', 'project1']);
  });

  it('invents no deadline, so a self-paced workspace gets no due date rather than a made-up one', () => {
    for (const week of course.weeks) {
      expect(week.homework?.due).toBeUndefined();
      expect(dueDate(course, week, '2026-12-01')).toBeUndefined();
    }
  });

  it('hw1 asks the pip version in python:3.13, the pgAdmin host:port, the green 2025-11 SQL and Terraform', () => {
    const questions = module('1').homework!.questions!;
    expect(questions[0]!.question).toMatch(/python:3\.13.*pip/);
    expect(questions[1]!.options).toEqual(['db:5432', 'db:5433', 'postgres:5432', 'postgres:5433']);
    expect(questions.slice(2, 6).every((q) => q.kind === 'sql')).toBe(true);
    expect(questions[5]!.question).toMatch(/East Harlem North/);
    expect(questions[6]!.options![0]).toBe('terraform init, terraform apply -auto-approve, terraform destroy');
  });

  it('hw2 asks for the schedule time zone, hw7 for rpk version inside dec-module7-redpanda', () => {
    expect(module('2').homework!.questions!.at(-1)!.options![0]).toMatch(/America\/New_York/);
    expect(module('7').homework!.questions![0]!.question).toMatch(/rpk version.*dec-module7-redpanda/);
  });

  it('scaffolds every part from a template that asks for the public repo with the SQL and commands', () => {
    const template = readFileSync(
      new URL('../../templates/homework/dez-2026-module/README.md', import.meta.url),
      'utf8',
    );
    expect(template).toMatch(/public repository/);
    for (const week of course.weeks.filter((w) => w.id !== 'project'))
      expect(week.homework?.template).toBe('dez-2026-module');
  });
});

describe('references to modules, the workshop and the project', () => {
  it('a module by number, module-N, moduleN or mN; the workshop and the project by id', () => {
    for (const ref of ['2', 'module-2', 'module2', 'm2', 'M2', 'week-2'])
      expect(findWeek(course, ref).id).toBe('module-2');
    expect(findWeek(course, 'workshop-1').id).toBe('workshop-1');
    expect(findWeek(course, 'project').id).toBe('project');
    expect(findWeek(course, 'm7').id).toBe('module-7');
  });

  it('an unknown module gets the list of parts and the ways to name one', () => {
    expect(() => findWeek(course, 'm9')).toThrow(/There is no week "m9"/);
  });
});

describe('stacks (B.5.3)', () => {
  const stack = (id: string) => course.stacks[id]!;
  const desired = (id: string) =>
    desiredStack(id, stack(id), course.id, noOverrides(), 'dec', { uid: 1000, gid: 1000 });

  it('module 1: Postgres 18 with its data at /var/lib/postgresql, pgAdmin on 8085, pg-network, root/root/ny_taxi', () => {
    const { pgdatabase, pgadmin } = stack('module1').services;
    expect(pgdatabase!.image).toBe('postgres:18');
    expect(pgdatabase!.volumes).toEqual([{ name: 'ny_taxi_postgres_data', path: '/var/lib/postgresql' }]);
    expect(pgdatabase!.env).toEqual({ POSTGRES_USER: 'root', POSTGRES_PASSWORD: 'root', POSTGRES_DB: 'ny_taxi' });
    expect(pgadmin!.ports).toEqual([{ host: 8085, container: 80 }]);
    expect(pgadmin!.files![0]!.content).toMatch(/"Host": "pgdatabase", "Port": 5432/);
    expect(stack('module1').network.name).toBe('pg-network');
    expect(module('1').setup?.stack).toBe('module1');
  });

  it("module 2: Kestra v1.1 as root with the Docker socket, basic auth, 8080/8081, its healthchecked Postgres 18, joining module 1's network", () => {
    const { kestra, 'kestra-postgres': db } = stack('module2').services;
    expect(kestra!.image).toBe('kestra/kestra:v1.1');
    expect(kestra!.user).toBe('root');
    expect(kestra!.command).toEqual(['server', 'standalone']);
    expect(kestra!.dockerSocket).toBe(true);
    expect(kestra!.ports).toEqual([
      { host: 8080, container: 8080 },
      { host: 8081, container: 8081 },
    ]);
    expect(kestra!.env!.KESTRA_CONFIGURATION).toMatch(
      /basicAuth:\s+username: "admin@kestra.io"\s+password: Admin1234!/,
    );
    expect(kestra!.env!.KESTRA_CONFIGURATION).toMatch(/jdbc:postgresql:\/\/kestra-postgres:5432\/kestra/);
    expect(kestra!.dependsOn).toEqual({ 'kestra-postgres': 'healthy' });
    expect(kestra!.networks).toEqual([{ stack: 'module1', optional: true }]);
    expect(db!.image).toBe('postgres:18');
    expect(db!.volumes).toEqual([{ name: 'kestra_postgres_data', path: '/var/lib/postgresql' }]);
    expect(db!.healthcheck).toMatchObject({ interval: '30s', timeout: '10s', retries: 10 });
  });

  it('module 2 says, when ready, the login, the Docker socket, how to import the flows and the 18080 remap', () => {
    const next = stack('module2').next!.join('\n');
    expect(next).toMatch(/login admin@kestra.io, password Admin1234!/);
    expect(next).toMatch(/Docker socket mounted/);
    expect(next).toMatch(/api\/v1\/flows\/import -F fileUpload=@/);
    expect(next).toMatch(/--port kestra=18080/);
  });

  it('module 7: dec run submits a PyFlink job from a one-off jobmanager container, which names the jobmanager with -m', () => {
    const { tool } = stack('module7');
    expect(tool).toMatchObject({ service: 'jobmanager', workdir: '/opt/src' });
    expect(tool!.example).toMatch(/^flink run -m jobmanager:8081 -py \/opt\/src\/job\//);
    expect(stack('module7').next!.join('\n')).toMatch(/dec run module7 flink run -m jobmanager:8081/);
  });

  it('module 7: Redpanda v25.3.9 (localhost:9092 / redpanda:29092), Flink built from templates/stacks/flink, Postgres 18', () => {
    const { redpanda, jobmanager, taskmanager, postgres } = stack('module7').services;
    expect(redpanda!.image).toBe('redpandadata/redpanda:v25.3.9');
    // As run (the advertised host port is {redpanda.9092}, which --port can move): the course's address.
    expect(desired('module7').services.find((s) => s.service === 'redpanda')!.command).toEqual(
      expect.arrayContaining(['PLAINTEXT://redpanda:29092,OUTSIDE://localhost:9092']),
    );
    expect(jobmanager!.build).toEqual({ context: 'stacks/flink', dockerfile: 'Dockerfile.flink' });
    expect(taskmanager!.image).toBe(jobmanager!.image);
    expect(jobmanager!.ports).toEqual([{ host: 8081, container: 8081 }]);
    expect(jobmanager!.env!.FLINK_PROPERTIES).toMatch(/jobmanager.memory.process.size: 1600m/);
    expect(taskmanager!.env!.FLINK_PROPERTIES).toMatch(/numberOfTaskSlots: 15/);
    expect(postgres!.image).toBe('postgres:18');
    expect(desired('module7').services.map((s) => s.containerName)).toEqual(
      expect.arrayContaining(['dec-module7-redpanda', 'dec-module7-jobmanager']),
    );
    const next = renderNext(desired('module7')).join('\n');
    expect(next).toMatch(/workshop-redpanda-1 use dec-module7-redpanda/);
    expect(next).toMatch(/workshop-jobmanager-1 is dec-module7-jobmanager/);
  });

  it("the Dockerfile dec ships matches the course's: Flink 2.2.0 on Java 17, PyFlink in Python 3.12, the connector jars", () => {
    const dir = new URL('../../templates/stacks/flink/', import.meta.url);
    const dockerfile = readFileSync(new URL('Dockerfile.flink', dir), 'utf8');
    expect(dockerfile).toMatch(/^FROM flink:2\.2\.0-scala_2\.12-java17$/m);
    expect(dockerfile).toMatch(/uv python install 3\.12/);
    for (const jar of [
      'flink-json-2.2.0.jar',
      'flink-sql-connector-kafka-4.0.1-2.0.jar',
      'flink-connector-jdbc-core-4.0.0-2.0.jar',
      'flink-connector-jdbc-postgres-4.0.0-2.0.jar',
      'postgresql-42.7.10.jar',
    ])
      expect(dockerfile).toContain(jar);
    expect(readFileSync(new URL('pyproject.flink.toml', dir), 'utf8')).toMatch(/apache-flink==2\.2\.0/);
  });

  it("the stacks' volumes are their own: never the 2022 course's week1 volumes (Postgres 13 data)", () => {
    expect(desired('module1').volumes).toEqual(['dec-module1-ny_taxi_postgres_data', 'dec-module1-pgadmin_data']);
  });
});

describe('labelled entries (the schema part dez-2026 added)', () => {
  const order = (weeks: string) =>
    parseSyllabus(Buffer.from(`schemaVersion: 1\nid: t\ntitle: T\nweeks:\n${weeks}`), 'inline.yaml').weeks.map((w) =>
      weekLabel(w),
    );
  const week = (number: number, label?: string) =>
    `  - { number: ${number}, ${label ? `label: ${label}, ` : ''}id: w-${number}, title: W, topics: [{ title: A }] }\n`;

  it('keep their place after the numbered week before them in the file, whatever their number', () => {
    expect(order(week(3) + week(1) + week(20, 'W1') + week(2))).toEqual(['1', 'W1', '2', '3']);
    expect(order(week(1) + week(20, 'W1') + week(21, 'W2') + week(2))).toEqual(['1', 'W1', 'W2', '2']);
    expect(order(week(20, 'W1') + week(1))).toEqual(['W1', '1']);
  });

  it('a label is short capitals and digits', () => {
    const error = (() => {
      try {
        order(week(20, 'workshop'));
      } catch (thrown) {
        return thrown as { message: string; details?: string[] };
      }
      return undefined;
    })();
    expect([error?.message, ...(error?.details ?? [])].join('\n')).toMatch(/short label of capitals and digits/);
  });
});
