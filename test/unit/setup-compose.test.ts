// composeYaml: the docker-compose.yaml equivalent of a desired stack.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeSecretVariable, composeYaml } from '../../src/setup/compose.js';
import { desiredStack, noOverrides, type Overrides } from '../../src/setup/spec.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import type { Stack } from '../../src/syllabus/schema.js';

const syllabusPath = fileURLToPath(new URL('../../syllabus/dez-2022.yaml', import.meta.url));
const course = parseSyllabus(readFileSync(syllabusPath), 'syllabus/dez-2022.yaml');
const week1: Stack = course.stacks.week1!;

interface ComposeService {
  image: string;
  container_name: string;
  environment?: Record<string, string>;
  command?: string[];
  ports?: string[];
  volumes?: string[];
  networks: Record<string, { aliases: string[] }>;
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes: Record<string, { name: string }>;
  networks: Record<string, { name: string }>;
}

function compose(overrides: Partial<Overrides> = {}, stack: Stack = week1): { text: string; file: ComposeFile } {
  const text = composeYaml(desiredStack('week1', stack, course.id, { ...noOverrides(), ...overrides }));
  return { text, file: parse(text) as ComposeFile };
}

describe('composeYaml (week1)', () => {
  it('names the project in a comment (docker-compose 1.29 refuses a top-level name:), services in dependency order, and dec names', () => {
    const { text, file } = compose();
    expect(file.name).toBeUndefined();
    expect(text).toMatch(
      /^# .*docker compose -p dec-week1 up -d .*COMPOSE_PROJECT_NAME=dec-week1 docker-compose up -d/m,
    );
    expect(Object.keys(file.services)).toEqual(['pgdatabase', 'pgadmin']);
    const pg = file.services.pgdatabase!;
    expect(pg.image).toBe('postgres:13');
    expect(pg.container_name).toBe('dec-week1-pgdatabase');
    expect(pg.volumes).toEqual(['dec-week1-ny_taxi_postgres_data:/var/lib/postgresql/data']);
    expect(pg.networks).toEqual({ 'pg-network': { aliases: ['pgdatabase', 'pg-database'] } });
    expect(file.services.pgadmin!.volumes).toEqual(['dec-week1-pgadmin_data:/var/lib/pgadmin']);
  });

  it('reuses the volumes and network dec creates, by their real names', () => {
    const { file } = compose();
    expect(file.volumes).toEqual({
      'dec-week1-ny_taxi_postgres_data': { name: 'dec-week1-ny_taxi_postgres_data' },
      'dec-week1-pgadmin_data': { name: 'dec-week1-pgadmin_data' },
    });
    expect(file.networks).toEqual({ 'pg-network': { name: 'pg-network' } });
  });

  it('binds ports to 127.0.0.1, quoted, and to all interfaces with expose', () => {
    const { text, file } = compose();
    expect(file.services.pgdatabase!.ports).toEqual(['127.0.0.1:5432:5432']);
    expect(file.services.pgadmin!.ports).toEqual(['127.0.0.1:8085:80']);
    expect(text).toContain('- "127.0.0.1:5432:5432"');
    const exposed = compose({ expose: true, ports: { pgdatabase: 5433 } }).file;
    expect(exposed.services.pgdatabase!.ports).toEqual(['5433:5432']);
    expect(exposed.services.pgadmin!.ports).toEqual(['8085:80']);
  });

  it('never holds a secret: secret env values are ${VAR} references listed at the top', () => {
    const { text, file } = compose();
    const pgEnv = file.services.pgdatabase!.environment!;
    expect(pgEnv).toEqual({
      POSTGRES_USER: 'root',
      POSTGRES_PASSWORD: '${PGDATABASE_POSTGRES_PASSWORD}',
      POSTGRES_DB: 'ny_taxi',
    });
    expect(file.services.pgadmin!.environment!.PGADMIN_DEFAULT_PASSWORD).toBe('${PGADMIN_PGADMIN_DEFAULT_PASSWORD}');
    expect(text).not.toMatch(/PASSWORD: *"?root/);
    expect(text).toMatch(/^# +export PGDATABASE_POSTGRES_PASSWORD=\.\.\./m);
    expect(text).toMatch(/^# +export PGADMIN_PGADMIN_DEFAULT_PASSWORD=\.\.\./m);

    const overridden = compose({
      env: { pgdatabase: { POSTGRES_PASSWORD: 'pg-s3cret' }, pgadmin: { PGADMIN_DEFAULT_PASSWORD: 'admin-s3cret' } },
    }).text;
    expect(overridden).not.toContain('s3cret');
  });

  it('gives Postgres a pg_isready health check and makes pgAdmin wait for it', () => {
    const { file } = compose();
    expect(file.services.pgdatabase!.healthcheck!.test).toEqual(['CMD', 'pg_isready', '-U', 'root', '-d', 'ny_taxi']);
    expect(file.services.pgadmin!.healthcheck).toBeUndefined();
    expect(file.services.pgadmin!.depends_on).toEqual({ pgdatabase: { condition: 'service_healthy' } });
    expect(file.services.pgdatabase!.depends_on).toBeUndefined();
  });

  it('says in a comment which files dec would put where', () => {
    const { text } = compose();
    expect(text).toMatch(/^# +\/pgadmin4\/servers\.json in pgadmin/m);
    expect(text).not.toContain('"Servers"');
  });

  it('is deterministic and starts with comments', () => {
    expect(compose().text).toBe(compose().text);
    expect(compose().text.startsWith('# ')).toBe(true);
  });

  it('uses the list form of depends_on without health checks, and escapes $ in literal values', () => {
    const stack: Stack = {
      title: 'Web',
      network: { name: 'web-net' },
      services: {
        api: { image: 'busybox:1.36', command: ['sh', '-c', 'echo $HOME'], env: { GREETING: 'a$b', FLAG: 'yes' } },
        web: { image: 'nginx:1.27', dependsOn: ['api'], ports: [{ host: 8080, container: 80 }] },
      },
    };
    const { file } = compose({}, stack);
    expect(file.services.web!.depends_on).toEqual(['api']);
    expect(file.services.api!.command).toEqual(['sh', '-c', 'echo $$HOME']);
    expect(file.services.api!.environment).toEqual({ GREETING: 'a$$b', FLAG: 'yes' });
    expect(file.services.api!.ports).toBeUndefined();
    expect(file.volumes).toBeUndefined();
    expect(file.networks).toEqual({ 'web-net': { name: 'web-net' } });
  });
});

describe('composeSecretVariable', () => {
  it('upper-cases service and variable, with dashes as underscores', () => {
    expect(composeSecretVariable('pg-admin', 'PGADMIN_DEFAULT_PASSWORD')).toBe('PG_ADMIN_PGADMIN_DEFAULT_PASSWORD');
  });
});

describe('platform: where dec runs an image under emulation (amd64-only images on arm64)', () => {
  const week6: Stack = course.stacks.week6!;
  const week2: Stack = course.stacks.week2!;
  const links = { stacks: course.stacks };
  const printed = (stackId: string, stack: Stack, arch: string | undefined, overrides: Partial<Overrides> = {}) => {
    const desired = desiredStack(stackId, stack, course.id, { ...noOverrides(), ...overrides }, 'dec', {}, {}, links);
    const text = composeYaml(desired, undefined, arch);
    return { text, file: parse(text) as { services: Record<string, { platform?: string }> } };
  };
  const platforms = (file: { services: Record<string, { platform?: string }> }) =>
    Object.fromEntries(Object.entries(file.services).map(([name, s]) => [name, s.platform]));

  it("week 6's Confluent 5.4.0 images are pinned to linux/amd64 on arm64, and said so at the top", () => {
    const { text, file } = printed('week6', week6, 'arm64');
    expect(platforms(file)).toEqual({
      zookeeper: 'linux/amd64',
      broker: 'linux/amd64',
      'schema-registry': 'linux/amd64',
      'control-center': 'linux/amd64',
    });
    expect(text).toMatch(
      /^# zookeeper, broker, schema-registry, control-center: their images exist for linux\/amd64 only/m,
    );
    expect(text).toMatch(/^# and this arm64 machine runs them under emulation, as dec does/m);
  });

  it('nothing is pinned where the image runs natively (amd64), or where the machine is not known', () => {
    for (const arch of ['x64', undefined]) {
      const { text, file } = printed('week6', week6, arch);
      expect(Object.values(platforms(file)).filter(Boolean)).toEqual([]);
      expect(text).not.toContain('emulation');
    }
  });

  it('another image given with --image is not pinned: dec pulls it for this machine', () => {
    const { file } = printed('week6', week6, 'arm64', { images: { broker: 'example/kafka:arm64' } });
    expect(platforms(file).broker).toBeUndefined();
    expect(platforms(file).zookeeper).toBe('linux/amd64');
  });

  it("week 2's Airflow, which dec builds for this machine (no emulation), is not pinned either", () => {
    const { file } = printed('week2', week2, 'arm64');
    expect(Object.values(platforms(file)).filter(Boolean)).toEqual([]);
  });
});
