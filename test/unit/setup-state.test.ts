// The remembered overrides file: round trip, permissions, damage.
import { mkdtemp, mkdir, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecError } from '../../src/errors.js';
import { noOverrides, type Overrides } from '../../src/setup/spec.js';
import { overridesPath, readOverrides, saveOverrides } from '../../src/setup/state.js';

let home: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'dec-unit-setup-state-'));
  env = { DEC_HOME: home };
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const sample: Overrides = {
  ports: { pgdatabase: 5433 },
  images: { pgadmin: 'busybox:1.36' },
  env: { pgdatabase: { POSTGRES_PASSWORD: 'with=equals and spaces' } },
  expose: true,
};

async function readError(): Promise<DecError> {
  const error = await readOverrides(env, 'dez-2022', 'week1').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DecError);
  return error as DecError;
}

describe('overrides state', () => {
  it('lives in <stateDir>/stacks/<syllabus>-<stack>.json', () => {
    expect(overridesPath(env, 'dez-2022', 'week1')).toBe(join(home, 'stacks', 'dez-2022-week1.json'));
  });

  it('another project keeps its own file', () => {
    expect(overridesPath({ ...env, DEC_PROJECT: 'other' }, 'dez-2022', 'week1')).toBe(
      join(home, 'stacks', 'other', 'dez-2022-week1.json'),
    );
  });

  it('is empty when nothing was saved', async () => {
    expect(await readOverrides(env, 'dez-2022', 'week1')).toEqual(noOverrides());
  });

  it('round-trips, per syllabus and stack', async () => {
    await saveOverrides(env, 'dez-2022', 'week1', sample);
    expect(await readOverrides(env, 'dez-2022', 'week1')).toEqual(sample);
    expect(await readOverrides(env, 'dez-2023', 'week1')).toEqual(noOverrides());
    expect(await readOverrides(env, 'dez-2022', 'week2')).toEqual(noOverrides());
    const json = JSON.parse(await readFile(overridesPath(env, 'dez-2022', 'week1'), 'utf8')) as { version: number };
    expect(json).toEqual({ version: 1, ...sample });
  });

  it.skipIf(process.platform === 'win32')('writes the file 0600 in a 0700 folder', async () => {
    const path = overridesPath(env, 'dez-2022', 'week1');
    // A folder that already exists with a looser mode is tightened.
    await mkdir(dirname(path), { recursive: true });
    await chmod(dirname(path), 0o755);
    await saveOverrides(env, 'dez-2022', 'week1', sample);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(path))).mode & 0o777).toBe(0o700);
    // Overwriting keeps the mode.
    await saveOverrides(env, 'dez-2022', 'week1', noOverrides());
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readOverrides(env, 'dez-2022', 'week1')).toEqual(noOverrides());
  });

  it('fills in missing maps of an older, shorter file', async () => {
    const path = overridesPath(env, 'dez-2022', 'week1');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify({ version: 1, ports: { pgdatabase: 5433 } }));
    expect(await readOverrides(env, 'dez-2022', 'week1')).toEqual({ ...noOverrides(), ports: { pgdatabase: 5433 } });
  });

  it.each([
    ['not JSON', '{"version": 1,', 'not valid JSON'],
    ['an array', '[]', 'not a JSON object'],
    ['no version', '{"ports": {}}', '"version"'],
    ['a bad port', '{"version": 1, "ports": {"pgdatabase": 70000}}', '"ports.pgdatabase"'],
    ['a bad image', '{"version": 1, "images": {"pgadmin": ""}}', '"images.pgadmin"'],
    ['a bad env value', '{"version": 1, "env": {"pgdatabase": {"A": 1}}}', '"env.pgdatabase.A"'],
    ['a bad expose', '{"version": 1, "expose": "yes"}', '"expose"'],
  ])('a damaged file (%s) is a DecError saying where and to delete it', async (_name, content, reason) => {
    const path = overridesPath(env, 'dez-2022', 'week1');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    const error = await readError();
    expect(error.message).toContain(path);
    expect(error.message).toContain(reason);
    expect(error.hint).toContain(`rm "${path}"`);
    // The file is left alone: the student decides.
    expect(await readFile(path, 'utf8')).toBe(content);
  });

  it('a file from a newer dec is a DecError asking to update', async () => {
    const path = overridesPath(env, 'dez-2022', 'week1');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify({ version: 2, ports: 'whatever' }));
    const error = await readError();
    expect(error.message).toContain('newer dec');
    expect(error.hint).toContain('Update dec');
  });
});
