// desiredStack and renderNext on the default syllabus's week 1 and week 6 stacks.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEC_LABELS } from '../../src/docker/client.js';
import {
  CONFIG_LABEL,
  dependencyOrder,
  fillHostPorts,
  desiredStack,
  noOverrides,
  renderNext,
  withSecretsFromEnv,
  type Overrides,
} from '../../src/setup/spec.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import type { Stack } from '../../src/syllabus/schema.js';

const syllabusPath = fileURLToPath(new URL('../../syllabus/dez-2022.yaml', import.meta.url));
const course = parseSyllabus(readFileSync(syllabusPath), 'syllabus/dez-2022.yaml');
const week1: Stack = course.stacks.week1!;

function desired(overrides: Partial<Overrides> = {}) {
  return desiredStack('week1', week1, course.id, { ...noOverrides(), ...overrides });
}

function service(stack: ReturnType<typeof desired>, name: string) {
  const found = stack.services.find((s) => s.service === name);
  if (!found) throw new Error(`no service ${name}`);
  return found;
}

describe('desiredStack (week1 of dez-2022)', () => {
  it('orders services by dependency: pgdatabase before pgadmin', () => {
    expect(desired().services.map((s) => s.service)).toEqual(['pgdatabase', 'pgadmin']);
  });

  it('names containers, network and volumes after the stack', () => {
    const stack = desired();
    expect(stack.network).toBe('pg-network');
    expect(service(stack, 'pgdatabase').containerName).toBe('dec-week1-pgdatabase');
    expect(stack.volumes).toEqual(['dec-week1-ny_taxi_postgres_data', 'dec-week1-pgadmin_data']);
    for (const volume of stack.volumes) expect(volume.startsWith('dec-week1-')).toBe(true);
    expect(service(stack, 'pgdatabase').mounts).toEqual([
      { volume: 'dec-week1-ny_taxi_postgres_data', path: '/var/lib/postgresql/data' },
    ]);
    expect(service(stack, 'pgdatabase').aliases).toEqual(['pgdatabase', 'pg-database']);
    expect(service(stack, 'pgadmin').dependsOn).toEqual(['pgdatabase']);
  });

  it('publishes on 127.0.0.1 by default and on 0.0.0.0 with expose', () => {
    expect(service(desired(), 'pgdatabase').ports).toEqual([{ hostIp: '127.0.0.1', host: 5432, container: 5432 }]);
    expect(service(desired(), 'pgadmin').ports).toEqual([{ hostIp: '127.0.0.1', host: 8085, container: 80 }]);
    const exposed = desired({ expose: true });
    for (const s of exposed.services) for (const port of s.ports) expect(port.hostIp).toBe('0.0.0.0');
  });

  it('a port override changes the host port and the config hash, and only for that service', () => {
    const base = desired();
    const moved = desired({ ports: { pgdatabase: 5433 } });
    expect(service(moved, 'pgdatabase').ports[0]).toEqual({ hostIp: '127.0.0.1', host: 5433, container: 5432 });
    expect(service(moved, 'pgdatabase').configHash).not.toBe(service(base, 'pgdatabase').configHash);
    expect(service(moved, 'pgadmin').configHash).toBe(service(base, 'pgadmin').configHash);
  });

  it('the config hash is stable for the same input', () => {
    expect(service(desired(), 'pgdatabase').configHash).toBe(service(desired(), 'pgdatabase').configHash);
    expect(service(desired(), 'pgdatabase').configHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('an image override replaces the image and changes the hash', () => {
    const base = desired();
    const other = desired({ images: { pgdatabase: 'dec-test/postgres:local' } });
    expect(service(other, 'pgdatabase').image).toBe('dec-test/postgres:local');
    expect(service(other, 'pgadmin').image).toBe('dpage/pgadmin4:8.14');
    expect(service(other, 'pgdatabase').configHash).not.toBe(service(base, 'pgdatabase').configHash);
  });

  it('an env override replaces a value and adds new ones, keeping the rest', () => {
    const stack = desired({ env: { pgdatabase: { POSTGRES_PASSWORD: 's3cret', TZ: 'UTC' } } });
    expect(service(stack, 'pgdatabase').env).toEqual({
      POSTGRES_USER: 'root',
      POSTGRES_PASSWORD: 's3cret',
      POSTGRES_DB: 'ny_taxi',
      TZ: 'UTC',
    });
    expect(service(stack, 'pgdatabase').secretEnv).toEqual(['POSTGRES_PASSWORD']);
    expect(service(stack, 'pgdatabase').configHash).not.toBe(service(desired(), 'pgdatabase').configHash);
  });

  it("labels containers as dec's, with stack, service, syllabus and config hash", () => {
    const pg = service(desired(), 'pgdatabase');
    expect(pg.labels).toEqual({
      [DEC_LABELS.project]: 'dec',
      [DEC_LABELS.stack]: 'week1',
      [DEC_LABELS.service]: 'pgdatabase',
      [DEC_LABELS.syllabus]: 'dez-2022',
      [CONFIG_LABEL]: pg.configHash,
    });
  });

  it('puts another project (DEC_PROJECT) in every name and label, so it never meets the default one', () => {
    const other = desiredStack('week1', week1, course.id, noOverrides(), 'dectest-1');
    expect(other.project).toBe('dectest-1');
    expect(other.network).toBe('dectest-1-pg-network');
    expect(service(other, 'pgdatabase').containerName).toBe('dectest-1-week1-pgdatabase');
    expect(other.volumes).toEqual(['dectest-1-week1-ny_taxi_postgres_data', 'dectest-1-week1-pgadmin_data']);
    expect(service(other, 'pgadmin').labels[DEC_LABELS.project]).toBe('dectest-1');
    // Inside its network the course's host names stay.
    expect(service(other, 'pgdatabase').aliases).toEqual(service(desired(), 'pgdatabase').aliases);
  });

  it('carries files and readiness checks', () => {
    const stack = desired();
    expect(service(stack, 'pgadmin').files.map((f) => f.path)).toEqual(['/pgadmin4/servers.json']);
    expect(service(stack, 'pgdatabase').ready).toEqual({
      postgres: { user: 'root', password: 'root', database: 'ny_taxi' },
    });
    expect(service(stack, 'pgadmin').ready).toEqual({ http: { path: '/misc/ping' } });
  });
});

describe('renderNext', () => {
  it('fills ports, env values and the network', () => {
    const lines = renderNext(desired({ ports: { pgdatabase: 5433, pgadmin: 9090 } }));
    expect(lines[0]).toBe('Postgres:   postgresql://root@localhost:5433/ny_taxi');
    expect(lines).toContain('psql:       psql -h localhost -p 5433 -U root -d ny_taxi');
    expect(lines.join('\n')).toContain('http://localhost:9090  (login admin@admin.com, password:');
    expect(lines.join('\n')).toContain('on the network pg-network');
    expect(lines.join('\n')).not.toMatch(/\{[a-z]/);
  });

  it('never prints a secret, even when asked for one', () => {
    const stack = desired({
      env: { pgdatabase: { POSTGRES_PASSWORD: 'pg-s3cret' }, pgadmin: { PGADMIN_DEFAULT_PASSWORD: 'admin-s3cret' } },
    });
    stack.next = [
      ...stack.next,
      'password {pgdatabase.POSTGRES_PASSWORD}',
      'pgAdmin password {pgadmin.PGADMIN_DEFAULT_PASSWORD}',
    ];
    const text = renderNext(stack).join('\n');
    expect(text).not.toContain('pg-s3cret');
    expect(text).not.toContain('admin-s3cret');
    expect(text).toContain(
      'password yours, from --env pgdatabase.POSTGRES_PASSWORD=... (not shown; kept in a 0600 file)',
    );
    expect(text).toContain('pgAdmin password yours, from --env pgadmin.PGADMIN_DEFAULT_PASSWORD=... (not shown');
  });

  it("names where the pgAdmin login's password comes from: the syllabus, --env or the environment", () => {
    const line = (stack: ReturnType<typeof desired>) => renderNext(stack).find((l) => l.startsWith('pgAdmin:'))!;
    expect(line(desired())).toContain(
      "(login admin@admin.com, password: the course's default (PGADMIN_DEFAULT_PASSWORD in the syllabus; not shown);",
    );
    expect(line(desired())).not.toMatch(/\broot\b/);
    const fromEnv = desired({ envSecrets: { pgadmin: { PGADMIN_DEFAULT_PASSWORD: 'env-s3cret' } } });
    expect(line(fromEnv)).toContain('password: yours, from DEC_PGADMIN_PGADMIN_DEFAULT_PASSWORD (not shown)');
    expect(line(fromEnv)).not.toContain('env-s3cret');
  });

  it("fills {service.container} with the container's name in the stack's project", () => {
    const stack = desiredStack('week1', week1, course.id, noOverrides(), 'dectest-1');
    stack.next = ['docker exec -it {pgdatabase.container} psql'];
    expect(renderNext(stack)).toEqual(['docker exec -it dectest-1-week1-pgdatabase psql']);
    const own = desired();
    own.next = ['{pgadmin.container}'];
    expect(renderNext(own)).toEqual(['dec-week1-pgadmin']);
  });

  it('leaves unknown placeholders as they are', () => {
    const stack = desired();
    stack.next = ['{nosuch.5432} {pgdatabase.9999} {pgdatabase.NOPE}'];
    expect(renderNext(stack)).toEqual(['{nosuch.5432} {pgdatabase.9999} {pgdatabase.NOPE}']);
  });
});

describe('dependencyOrder', () => {
  it('puts dependencies first, whatever the declaration order', () => {
    expect(dependencyOrder({ web: { dependsOn: ['api'] }, api: { dependsOn: ['db'] }, db: {} })).toEqual([
      'db',
      'api',
      'web',
    ]);
  });

  it('detects a cycle and names it', () => {
    expect(() =>
      dependencyOrder({ a: { dependsOn: ['b'] }, b: { dependsOn: ['c'] }, c: { dependsOn: ['a'] } }),
    ).toThrow(/circle: a → b → c → a/);
  });
});

describe('the week 6 Kafka stack', () => {
  const week6: Stack = course.stacks.week6!;
  const kafka = (overrides: Partial<Overrides> = {}) =>
    desiredStack('week6', week6, course.id, { ...noOverrides(), ...overrides });

  it('starts in dependency order, every port on 127.0.0.1', () => {
    const stack = kafka();
    expect(stack.services.map((s) => s.service)).toEqual(['zookeeper', 'broker', 'schema-registry', 'control-center']);
    expect(stack.services.flatMap((s) => s.ports.map((p) => p.hostIp))).toEqual(Array(4).fill('127.0.0.1'));
    expect(stack.volumes).toEqual(['dec-week6-zookeeper_data', 'dec-week6-zookeeper_log', 'dec-week6-broker_data']);
  });

  it('advertises the host port clients use, also after --port, and a new port means a new container', () => {
    const plain = service(kafka(), 'broker');
    expect(plain.env.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://broker:29092,PLAINTEXT_HOST://localhost:9092');
    const moved = service(kafka({ ports: { broker: 19092 } }), 'broker');
    expect(moved.env.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://broker:29092,PLAINTEXT_HOST://localhost:19092');
    expect(moved.configHash).not.toBe(plain.configHash);
  });

  it('leaves a placeholder it cannot fill as it is', () => {
    expect(
      fillHostPorts('x {nobody.9092} {broker.1}', { broker: [{ hostIp: '127.0.0.1', host: 5, container: 9092 }] }),
    ).toBe('x {nobody.9092} {broker.1}');
  });
});

describe('secrets from the environment (DEC_<SERVICE>_<VAR>)', () => {
  const fromEnv = withSecretsFromEnv(noOverrides(), week1, { DEC_PGDATABASE_POSTGRES_PASSWORD: 'from-env' });

  it('reach the container, but not its config hash: a run without them sees no difference', () => {
    const withSecret = desiredStack('week1', week1, course.id, fromEnv);
    expect(service(withSecret, 'pgdatabase').env.POSTGRES_PASSWORD).toBe('from-env');
    expect(service(withSecret, 'pgdatabase').configHash).toBe(service(desired(), 'pgdatabase').configHash);
  });

  it('a secret given with --env (remembered) does change the hash', () => {
    const flagged = desired({ env: { pgdatabase: { POSTGRES_PASSWORD: 'from-flag' } } });
    expect(service(flagged, 'pgdatabase').configHash).not.toBe(service(desired(), 'pgdatabase').configHash);
  });
});
