// The repeatable `dec setup` flags, validated against the week 1 stack.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appliedOverrides, applyFlags, checkOnly } from '../../src/setup/options.js';
import { noOverrides, type Overrides } from '../../src/setup/spec.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import type { Stack } from '../../src/syllabus/schema.js';
import { thrownDecError } from '../helpers/errors.js';

const syllabusPath = fileURLToPath(new URL('../../syllabus/dez-2022.yaml', import.meta.url));
const week1: Stack = parseSyllabus(readFileSync(syllabusPath), 'syllabus/dez-2022.yaml').stacks.week1!;

describe('applyFlags', () => {
  it('with no flags returns equal overrides, as a new object', () => {
    const current = noOverrides();
    const next = applyFlags(current, {}, week1);
    expect(next).toEqual(current);
    expect(next).not.toBe(current);
  });

  it('sets ports, images, env and expose without touching the current overrides', () => {
    const current: Overrides = {
      ports: { pgadmin: 9090 },
      images: {},
      env: { pgdatabase: { POSTGRES_USER: 'me' } },
      expose: false,
    };
    const frozen = structuredClone(current);
    const next = applyFlags(
      current,
      {
        port: ['pgdatabase=5433'],
        image: ['pgdatabase=dec-test/postgres:local'],
        env: ['pgdatabase.POSTGRES_PASSWORD=a=b=c', 'pgadmin.PGADMIN_DEFAULT_EMAIL=me@example.com'],
        expose: true,
      },
      week1,
    );
    expect(next).toEqual({
      ports: { pgadmin: 9090, pgdatabase: 5433 },
      images: { pgdatabase: 'dec-test/postgres:local' },
      env: {
        pgdatabase: { POSTGRES_USER: 'me', POSTGRES_PASSWORD: 'a=b=c' },
        pgadmin: { PGADMIN_DEFAULT_EMAIL: 'me@example.com' },
      },
      expose: true,
    });
    expect(current).toEqual(frozen);
  });

  it('keeps expose unless told, and --no-expose turns it off', () => {
    const exposed = { ...noOverrides(), expose: true };
    expect(applyFlags(exposed, {}, week1).expose).toBe(true);
    expect(applyFlags(exposed, { expose: false }, week1).expose).toBe(false);
  });

  it('the last of repeated flags wins', () => {
    expect(applyFlags(noOverrides(), { port: ['pgdatabase=5433', 'pgdatabase=5434'] }, week1).ports).toEqual({
      pgdatabase: 5434,
    });
  });

  it('allows an empty env value', () => {
    expect(applyFlags(noOverrides(), { env: ['pgdatabase.TZ='] }, week1).env).toEqual({ pgdatabase: { TZ: '' } });
  });

  it('names the valid services and the nearest one for an unknown service', () => {
    const error = thrownDecError(() => applyFlags(noOverrides(), { port: ['pgdatabse=5433'] }, week1));
    expect(error.message).toContain('no service "pgdatabse"');
    expect(error.message).toContain('Did you mean pgdatabase?');
    expect(error.hint).toContain('pgdatabase, pgadmin');

    const far = thrownDecError(() => applyFlags(noOverrides(), { image: ['airflow=apache/airflow:2.2.3'] }, week1));
    expect(far.message).not.toContain('Did you mean');
    expect(far.hint).toContain('pgdatabase, pgadmin');

    expect(thrownDecError(() => applyFlags(noOverrides(), { env: ['pgadmn.X=1'] }, week1)).message).toContain(
      'Did you mean pgadmin?',
    );
    expect(thrownDecError(() => applyFlags(noOverrides(), { port: ['=5433'] }, week1)).message).toContain(
      'needs a service name',
    );
  });

  it.each(['0', '65536', '54.3', 'abc', '', '-1', '1e3'])('rejects the port "%s"', (port) => {
    const error = thrownDecError(() => applyFlags(noOverrides(), { port: [`pgdatabase=${port}`] }, week1));
    expect(error.message).toContain('1 to 65535');
  });

  it('accepts the edge ports 1 and 65535', () => {
    expect(applyFlags(noOverrides(), { port: ['pgdatabase=1', 'pgadmin=65535'] }, week1).ports).toEqual({
      pgdatabase: 1,
      pgadmin: 65535,
    });
  });

  it('rejects a flag without "="', () => {
    expect(thrownDecError(() => applyFlags(noOverrides(), { port: ['pgdatabase'] }, week1)).message).toContain(
      '--port expects <service>=<host port>',
    );
    expect(thrownDecError(() => applyFlags(noOverrides(), { image: ['postgres:13'] }, week1)).message).toContain(
      '--image expects',
    );
    expect(thrownDecError(() => applyFlags(noOverrides(), { env: ['pgdatabase.X'] }, week1)).message).toContain(
      '--env expects',
    );
  });

  it('rejects an empty image or one with whitespace', () => {
    expect(thrownDecError(() => applyFlags(noOverrides(), { image: ['pgdatabase='] }, week1)).message).toContain(
      'not an image reference',
    );
    expect(
      thrownDecError(() => applyFlags(noOverrides(), { image: ['pgdatabase=postgres 13'] }, week1)).message,
    ).toContain('not an image reference');
  });

  it('rejects an env flag without a service or with a bad variable name', () => {
    expect(thrownDecError(() => applyFlags(noOverrides(), { env: ['POSTGRES_PASSWORD=x'] }, week1)).message).toContain(
      'names no service',
    );
    expect(thrownDecError(() => applyFlags(noOverrides(), { env: ['pgdatabase.1BAD=x'] }, week1)).message).toContain(
      'not an environment variable name',
    );
    expect(thrownDecError(() => applyFlags(noOverrides(), { env: ['pgdatabase.=x'] }, week1)).message).toContain(
      'not an environment variable name',
    );
  });

  it('rejects two services on one host port', () => {
    const error = thrownDecError(() => applyFlags(noOverrides(), { port: ['pgadmin=5432'] }, week1));
    expect(error.message).toContain('both publish host port 5432');
    // Swapping them in one go is fine.
    expect(applyFlags(noOverrides(), { port: ['pgadmin=5432', 'pgdatabase=8085'] }, week1).ports).toEqual({
      pgadmin: 5432,
      pgdatabase: 8085,
    });
  });

  it('rejects --port for a service that publishes nothing', () => {
    const stack: Stack = { ...week1, services: { ...week1.services, worker: { image: 'busybox:1.36' } } };
    const error = thrownDecError(() => applyFlags(noOverrides(), { port: ['worker=7000'] }, stack));
    expect(error.message).toContain('worker publishes no port');
    expect(error.hint).toContain('pgdatabase, pgadmin');
  });
});

describe('checkOnly', () => {
  it('is undefined when not given', () => {
    expect(checkOnly(undefined, week1)).toBeUndefined();
    expect(checkOnly([], week1)).toBeUndefined();
  });

  it('returns the services in stack order, repeated or comma-separated', () => {
    expect(checkOnly('pgadmin', week1)).toEqual(['pgadmin']);
    expect(checkOnly(['pgadmin', 'pgdatabase', 'pgadmin'], week1)).toEqual(['pgdatabase', 'pgadmin']);
    expect(checkOnly(['pgadmin,pgdatabase'], week1)).toEqual(['pgdatabase', 'pgadmin']);
  });

  it('rejects an unknown service with a suggestion', () => {
    const error = thrownDecError(() => checkOnly(['postgres'], week1));
    expect(error.message).toContain('--only');
    expect(error.hint).toContain('pgdatabase, pgadmin');
    expect(thrownDecError(() => checkOnly(['pgadmim'], week1)).message).toContain('Did you mean pgadmin?');
  });
});

describe('appliedOverrides', () => {
  const saved: Overrides = { ...noOverrides(), ports: { pgadmin: 8086 }, env: { pgdatabase: { A: '1' } } };
  const next: Overrides = { ports: { pgdatabase: 5433 }, images: { pgadmin: 'x:1' }, env: {}, expose: true };

  it('the whole stack: what the run applied', () => {
    expect(appliedOverrides(saved, next, ['pgdatabase', 'pgadmin'], week1)).toEqual(next);
  });

  it('--only: the services it chose take the new settings, the others keep what was remembered', () => {
    expect(appliedOverrides(saved, next, ['pgdatabase'], week1)).toEqual({
      ports: { pgdatabase: 5433, pgadmin: 8086 },
      images: {},
      env: {},
      expose: false,
    });
  });
});

describe('--image with capitals', () => {
  it('is refused with the lowercase rule before anything else (--print-compose never asks the engine)', () => {
    const error = thrownDecError(() => applyFlags(noOverrides(), { image: ['pgdatabase=Postgres:13'] }, week1));
    expect(error.message).toContain('must be lowercase');
    expect(error.hint).toContain('postgres:13');
  });
});
