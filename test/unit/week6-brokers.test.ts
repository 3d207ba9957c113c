// Week 6's three-broker variant (`dec setup week6 --brokers 3`) and week 4's Metabase against the facts
// in ../shared/course/stacks.md: B.4.1 (the course's single-broker images and env, which the variant
// keeps), B.4.2 (per-broker ids, listeners, host ports, replication of the internal topics, Schema
// Registry and Control Center on all three) and B.2 (Metabase: metabase/metabase on 3000, Postgres as
// pgdatabase:5432, database production). Also the --brokers flag's mapping to the variant.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { desiredStack, noOverrides, renderNext, type Overrides } from '../../src/setup/spec.js';
import { brokersVariant, setupVariant, THREE_BROKERS, variantFlagText } from '../../src/setup/variant-flags.js';
import { checkOtherVariants, variantStack } from '../../src/setup/variant.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { findWeek } from '../../src/syllabus/query.js';
import { thrownDecError } from '../helpers/errors.js';

const course = parseSyllabus(readFileSync(new URL('../../syllabus/dez-2022.yaml', import.meta.url)), 'dez-2022.yaml');
const week6 = findWeek(course, '6');
const STACK_ID = 'week6-three-brokers';
const stack = course.stacks[STACK_ID]!;
const single = course.stacks.week6!;
const cluster = (overrides: Partial<Overrides> = {}) =>
  desiredStack(STACK_ID, stack, course.id, { ...noOverrides(), ...overrides });
const env = (service: string, overrides: Partial<Overrides> = {}) =>
  cluster(overrides).services.find((s) => s.service === service)!.env;
const BROKERS = ['broker-1', 'broker-2', 'broker-3'];
const INTERNAL = 'broker-1:29092,broker-2:29092,broker-3:29092';

describe('--brokers (setup/variant-flags.ts)', () => {
  it("3 is the three-broker variant, 1 the week's own stack; other counts are refused with the two dec has", () => {
    expect(brokersVariant('3')).toBe(THREE_BROKERS);
    expect(brokersVariant(' 1 ')).toBe('default');
    expect(brokersVariant(undefined)).toBeUndefined();
    const error = thrownDecError(() => brokersVariant('2'));
    expect(error.message).toContain('it sets up 1 or 3');
    expect(error.hint).toContain('--brokers 3 for the replication lesson');
  });

  it('goes with --variant of the same name, not with another or --light', () => {
    expect(setupVariant({ brokers: '3' })).toBe(THREE_BROKERS);
    expect(setupVariant({ brokers: '3', variant: THREE_BROKERS })).toBe(THREE_BROKERS);
    expect(setupVariant({ light: true })).toBe('light');
    expect(thrownDecError(() => setupVariant({ brokers: '3', light: true })).message).toContain(
      '--brokers 3 is --variant three-brokers, and --light asks for another one',
    );
    expect(thrownDecError(() => setupVariant({ brokers: '1', variant: THREE_BROKERS })).message).toContain(
      '--brokers 1 is --variant default',
    );
  });

  it("names week 6's variants as a student types them; week 2 keeps --light and --variant default", () => {
    expect(variantFlagText(week6, THREE_BROKERS)).toBe('--brokers 3');
    expect(variantFlagText(week6, 'default')).toBe('--brokers 1');
    const week2 = findWeek(course, '2');
    expect(variantFlagText(week2, 'light')).toBe('--light');
    expect(variantFlagText(week2, 'default')).toBe('--variant default');
  });

  it('is a variant of week 6 (so it is remembered and --down, status and dec run follow it); the other must be down first', () => {
    expect(variantStack(week6, THREE_BROKERS)).toBe(STACK_ID);
    expect(week6.setup?.variants?.[THREE_BROKERS]?.ports?.map((p) => [p.service, p.port])).toEqual([
      ['broker-1', 9092],
      ['broker-2', 9093],
      ['broker-3', 9094],
    ]);
    const refused = thrownDecError(() =>
      checkOtherVariants(week6, THREE_BROKERS, new Set(['week6']), 'dec setup week6 --brokers 3'),
    );
    expect(refused.hint).toContain(
      'dec setup week6 --variant default --down (its data is kept), then dec setup week6 --brokers 3',
    );
  });
});

describe('the three-broker stack against stacks.md B.4.2', () => {
  it("the course's images at 5.4.0 (B.4.1), three brokers, their own network and volumes", () => {
    const images = Object.fromEntries(Object.entries(stack.services).map(([name, s]) => [name, s.image]));
    expect(images).toEqual({
      zookeeper: 'confluentinc/cp-zookeeper:5.4.0',
      'broker-1': 'confluentinc/cp-server:5.4.0',
      'broker-2': 'confluentinc/cp-server:5.4.0',
      'broker-3': 'confluentinc/cp-server:5.4.0',
      'schema-registry': 'confluentinc/cp-schema-registry:5.4.0',
      'control-center': 'confluentinc/cp-enterprise-control-center:5.4.0',
    });
    const desired = cluster();
    expect(desired.network).not.toBe('kafka-network');
    expect(desired.volumes).toEqual(expect.arrayContaining(BROKERS.map((b) => `dec-${STACK_ID}-${b}_data`)));
    // broker-1 is also `broker`, so the course's broker:29092 still answers; the others only by their names.
    expect(desired.services.find((s) => s.service === 'broker-1')?.aliases).toEqual(['broker-1', 'broker']);
    expect(desired.services.find((s) => s.service === 'broker-2')?.aliases).toEqual(['broker-2']);
  });

  it('unique ids, each publishing container 9092 on its own host port and advertising that port', () => {
    const desired = cluster();
    expect(BROKERS.map((b) => env(b).KAFKA_BROKER_ID)).toEqual(['1', '2', '3']);
    expect(BROKERS.map((b) => desired.services.find((s) => s.service === b)!.ports)).toEqual([
      [{ hostIp: '127.0.0.1', host: 9092, container: 9092 }],
      [{ hostIp: '127.0.0.1', host: 9093, container: 9092 }],
      [{ hostIp: '127.0.0.1', host: 9094, container: 9092 }],
    ]);
    expect(BROKERS.map((b) => env(b).KAFKA_ADVERTISED_LISTENERS)).toEqual([
      'PLAINTEXT://broker-1:29092,PLAINTEXT_HOST://localhost:9092',
      'PLAINTEXT://broker-2:29092,PLAINTEXT_HOST://localhost:9093',
      'PLAINTEXT://broker-3:29092,PLAINTEXT_HOST://localhost:9094',
    ]);
    for (const b of BROKERS)
      expect(env(b).KAFKA_LISTENERS).toBe('PLAINTEXT://0.0.0.0:29092,PLAINTEXT_HOST://0.0.0.0:9092');
  });

  it("--port broker-2=19093 moves only broker-2's host port and what it advertises (stacks.md A.1 #1)", () => {
    const moved = cluster({ ports: { 'broker-2': 19093 } });
    expect(moved.services.find((s) => s.service === 'broker-2')!.ports[0]).toMatchObject({
      host: 19093,
      container: 9092,
    });
    expect(env('broker-2', { ports: { 'broker-2': 19093 } }).KAFKA_ADVERTISED_LISTENERS).toBe(
      'PLAINTEXT://broker-2:29092,PLAINTEXT_HOST://localhost:19093',
    );
    expect(env('broker-1', { ports: { 'broker-2': 19093 } }).KAFKA_ADVERTISED_LISTENERS).toContain('localhost:9092');
    expect(renderNext(moved)[0]).toContain('localhost:9092,localhost:19093,localhost:9094');
  });

  it("every internal topic at replication factor 3, min ISR 2; the rest of the course's broker env kept", () => {
    for (const b of BROKERS) {
      expect(env(b)).toMatchObject({
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '3',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '3',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '2',
        KAFKA_CONFLUENT_LICENSE_TOPIC_REPLICATION_FACTOR: '3',
        KAFKA_DEFAULT_REPLICATION_FACTOR: '3',
        KAFKA_MIN_INSYNC_REPLICAS: '2',
        CONFLUENT_METRICS_REPORTER_TOPIC_REPLICAS: '3',
        CONFLUENT_METRICS_REPORTER_BOOTSTRAP_SERVERS: INTERNAL,
      });
      // The single broker's settings that do not depend on the broker count are the same.
      for (const name of [
        'KAFKA_ZOOKEEPER_CONNECT',
        'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP',
        'KAFKA_METRIC_REPORTERS',
        'KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS',
        'CONFLUENT_METRICS_REPORTER_ZOOKEEPER_CONNECT',
        'CONFLUENT_METRICS_ENABLE',
        'CONFLUENT_SUPPORT_CUSTOMER_ID',
      ])
        expect(env(b)[name], name).toBe(single.services.broker!.env![name]);
    }
  });

  it("Schema Registry and Control Center use all three brokers, and Control Center's topics are replicated 3 times", () => {
    expect(env('schema-registry')).toMatchObject({
      SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS:
        'PLAINTEXT://broker-1:29092,PLAINTEXT://broker-2:29092,PLAINTEXT://broker-3:29092',
      SCHEMA_REGISTRY_KAFKASTORE_TOPIC_REPLICATION_FACTOR: '3',
      SCHEMA_REGISTRY_HOST_NAME: 'schema-registry',
    });
    expect(env('control-center')).toMatchObject({
      CONTROL_CENTER_BOOTSTRAP_SERVERS: INTERNAL,
      CONTROL_CENTER_REPLICATION_FACTOR: '3',
      CONTROL_CENTER_INTERNAL_TOPICS_REPLICATION: '3',
      CONTROL_CENTER_COMMAND_TOPIC_REPLICATION: '3',
      CONTROL_CENTER_MONITORING_INTERCEPTOR_TOPIC_REPLICATION: '3',
      CONFLUENT_METRICS_TOPIC_REPLICATION: '3',
      PORT: '9021',
    });
    const depends = cluster().services.find((s) => s.service === 'control-center')!.dependsOn;
    expect(depends).toEqual([...BROKERS, 'schema-registry']);
  });

  it('next: prints the replication lesson with the container to stop, and says the course has one broker', () => {
    const lines = renderNext(cluster()).join('\n');
    expect(lines).toContain(`--create --topic rides-rf3 --partitions 3 --replication-factor 3`);
    expect(lines).toContain('--describe --topic rides-rf3');
    expect(lines).toContain(`docker stop dec-${STACK_ID}-broker-2`);
    expect(lines).toContain(`docker start dec-${STACK_ID}-broker-2`);
    expect(lines).toContain('kafka-console-consumer');
    expect(lines).toMatch(/the course runs one broker/);
    expect(lines).toContain('dec setup week6 --brokers 1 goes back');
    // In another project (tests, DEC_PROJECT) the name follows.
    const other = desiredStack(STACK_ID, stack, course.id, noOverrides(), 'dectest-1-2');
    expect(renderNext(other).join('\n')).toContain(`docker stop dectest-1-2-${STACK_ID}-broker-2`);
  });

  it("dec run week6 runs the Kafka CLIs from broker-1's image", () => {
    expect(stack.tool).toMatchObject({ service: 'broker-1' });
  });
});

describe("week 4's Metabase against stacks.md B.2", () => {
  const week4 = course.stacks.week4!;
  const metabase = week4.services.metabase!;

  it("Metabase's own image, pinned, on port 3000, optional, on week 1's network, with its data in a volume", () => {
    expect(metabase.image).toMatch(/^metabase\/metabase:v0\.\d+\.\d+$/);
    expect(metabase).toMatchObject({
      optional: true,
      ports: [{ host: 3000, container: 3000 }],
      ready: { http: { path: '/api/health' } },
      networks: [{ stack: 'week1' }],
    });
    expect(metabase.volumes?.[0]?.path).toBe(metabase.env?.MB_DB_FILE?.replace(/\/[^/]+$/, ''));
  });

  it("next: describes the Postgres connection (pgdatabase, 5432, production, root) and prints no password but the course's default", () => {
    const links = { stacks: course.stacks };
    const on = desiredStack(
      'week4',
      week4,
      course.id,
      { ...noOverrides(), optional: ['metabase'] },
      'dec',
      {},
      {},
      links,
    );
    const lines = renderNext(on).join('\n');
    expect(lines).toContain('http://localhost:3000');
    expect(lines).toMatch(/host pgdatabase, port 5432, database production, user root/);
    expect(lines).toMatch(/which is root, the course's default/);
    const off = renderNext(desiredStack('week4', week4, course.id, noOverrides(), 'dec', {}, {}, links)).join('\n');
    expect(off).not.toContain('localhost:3000');
    expect(off).toContain('dec setup week4 --with metabase');
  });
});
