// The plan for bringing a stack up, from what should be and what is (no engine).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ContainerSummary } from '../../src/docker/client.js';
import {
  changedServices,
  changesNothing,
  planLines,
  planStack,
  wholeStackUp,
  withPublishedPorts,
  type ActualStack,
} from '../../src/setup/plan.js';
import { CONFIG_LABEL, desiredStack, noOverrides } from '../../src/setup/spec.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';

const course = parseSyllabus(readFileSync(new URL('../../syllabus/dez-2022.yaml', import.meta.url)), 'dez-2022.yaml');
const desired = desiredStack('week1', course.stacks.week1!, course.id, noOverrides());
const [pgdatabase, pgadmin] = desired.services;

function container(service: typeof pgdatabase, state: string, configHash = service!.configHash): ContainerSummary {
  return {
    id: `id-${service!.service}`,
    name: service!.containerName,
    image: service!.image,
    state,
    labels: { ...service!.labels, [CONFIG_LABEL]: configHash },
    ports: [],
  };
}

const nothing: ActualStack = { containers: [], networkExists: false, volumes: {}, images: {} };
const everything = (containers: ContainerSummary[]): ActualStack => ({
  containers,
  networkExists: true,
  volumes: Object.fromEntries(desired.volumes.map((v) => [v, true])),
  images: Object.fromEntries(desired.services.map((s) => [s.image, true])),
});

describe('planStack', () => {
  it('from nothing: network, volumes, pulls, then every service in dependency order', () => {
    const plan = planStack(desired, nothing, { recreate: false });
    expect(plan.createNetwork).toBe(true);
    expect(plan.createVolumes).toEqual(['dec-week1-ny_taxi_postgres_data', 'dec-week1-pgadmin_data']);
    expect(plan.pullImages).toEqual(['postgres:13', 'dpage/pgadmin4:8.14']);
    expect(plan.services.map((a) => [a.kind, a.service.service])).toEqual([
      ['create', 'pgdatabase'],
      ['create', 'pgadmin'],
    ]);
    expect(changesNothing(plan)).toBe(false);
    expect(planLines(plan, desired)[0]).toBe('create network pg-network');
  });

  it('everything up and as the syllabus says: nothing to change', () => {
    const plan = planStack(desired, everything([container(pgdatabase, 'running'), container(pgadmin, 'running')]), {
      recreate: false,
    });
    expect(plan.services.map((a) => a.kind)).toEqual(['keep', 'keep']);
    expect(changesNothing(plan)).toBe(true);
  });

  it('a stopped container is started; a different one is reported, and replaced only with recreate', () => {
    const actual = everything([container(pgdatabase, 'exited'), container(pgadmin, 'running', 'old-hash')]);
    expect(planStack(desired, actual, { recreate: false }).services.map((a) => a.kind)).toEqual(['start', 'differs']);
    expect(planStack(desired, actual, { recreate: true }).services.map((a) => a.kind)).toEqual(['start', 'recreate']);
  });

  it('--only takes the service and what it depends on', () => {
    expect(
      planStack(desired, nothing, { recreate: false, only: ['pgdatabase'] }).services.map((a) => a.service.service),
    ).toEqual(['pgdatabase']);
    expect(
      planStack(desired, nothing, { recreate: false, only: ['pgadmin'] }).services.map((a) => a.service.service),
    ).toEqual(['pgdatabase', 'pgadmin']);
  });

  it('--only with several services takes each of them (a list, as checkOnly parses it)', () => {
    expect(
      planStack(desired, nothing, { recreate: false, only: ['pgdatabase', 'pgadmin'] }).services.map(
        (a) => a.service.service,
      ),
    ).toEqual(['pgdatabase', 'pgadmin']);
  });

  it("a running container this run's flags change is recreated, with a plan line that says so; others still only differ", () => {
    const moved = desiredStack('week1', course.stacks.week1!, course.id, {
      ...noOverrides(),
      ports: { pgdatabase: 5433 },
    });
    const applying = changedServices(desired, moved);
    expect([...applying]).toEqual(['pgdatabase']);
    const actual = everything([container(pgdatabase, 'running'), container(pgadmin, 'running', 'changed-by-hand')]);
    const plan = planStack(moved, actual, { recreate: false, applying });
    expect(plan.services.map((a) => a.kind)).toEqual(['recreate', 'differs']);
    expect(planLines(plan, moved)[0]).toBe(
      'recreate dec-week1-pgdatabase with the changed settings (127.0.0.1:5433->5432); its volume is kept, and the old container is put back if the new one fails',
    );
  });

  it('the whole stack is up only when every service runs as desired', () => {
    expect(wholeStackUp(desired, everything([container(pgdatabase, 'running'), container(pgadmin, 'running')]))).toBe(
      true,
    );
    expect(wholeStackUp(desired, everything([container(pgdatabase, 'running')]))).toBe(false);
    expect(wholeStackUp(desired, everything([container(pgdatabase, 'running'), container(pgadmin, 'exited')]))).toBe(
      false,
    );
  });

  it('pulls only images that are missing, for containers it creates', () => {
    const actual = { ...nothing, images: { 'postgres:13': true } };
    expect(planStack(desired, actual, { recreate: false }).pullImages).toEqual(['dpage/pgadmin4:8.14']);
  });
});

describe('--load', () => {
  it('reads dataset[:months] lists', async () => {
    const { parseLoadList } = await import('../../src/commands/setup.js');
    expect(parseLoadList('yellow:2021-01, zones,fhv:2019-01..2019-03')).toEqual([
      { dataset: 'yellow', months: ['2021-01'] },
      { dataset: 'zones', months: [] },
      { dataset: 'fhv', months: ['2019-01..2019-03'] },
    ]);
    expect(() => parseLoadList('Yellow Taxi')).toThrow(/dataset\[:months\]/);
  });
});

describe('projects', () => {
  it("a container of another project with the same stack and service is not this project's", async () => {
    const { belongsToStack, projectFromEnv } = await import('../../src/docker/client.js');
    const legacy = { labels: { 'dec.stack': 'week1', 'dec.service': 'pgdatabase' } };
    const tests = { labels: { 'dec.project': 'dectest-9', 'dec.stack': 'week1', 'dec.service': 'pgdatabase' } };
    // Made before projects existed: no label, so the default project's.
    expect(belongsToStack(legacy, 'dec', 'week1', 'pgdatabase')).toBe(true);
    expect(belongsToStack(legacy, 'dectest-9', 'week1')).toBe(false);
    expect(belongsToStack(tests, 'dec', 'week1')).toBe(false);
    expect(belongsToStack(tests, 'dectest-9', 'week1', 'pgdatabase')).toBe(true);
    expect(projectFromEnv({})).toBe('dec');
    expect(projectFromEnv({ DEC_PROJECT: 'my-course_2' })).toBe('my-course_2');
    for (const bad of ['My', '-x', 'a b', 'x'.repeat(41), '../x'])
      expect(() => projectFromEnv({ DEC_PROJECT: bad })).toThrow(/is not a project name/);
  });
});

describe('withPublishedPorts', () => {
  it('reports and probes the host port the container really publishes, not the remembered one', () => {
    const running = {
      ...container(pgdatabase, 'running'),
      ports: [{ hostIp: '127.0.0.1', hostPort: 5433, containerPort: 5432 }],
    };
    expect(withPublishedPorts(pgdatabase!, running).ports).toEqual([
      { hostIp: '127.0.0.1', host: 5433, container: 5432 },
    ]);
    // No container, or one that publishes nothing: the desired ports.
    expect(withPublishedPorts(pgdatabase!, undefined).ports).toEqual(pgdatabase!.ports);
    expect(withPublishedPorts(pgdatabase!, container(pgdatabase, 'exited')).ports).toEqual(pgdatabase!.ports);
  });
});
