// amd64-only images (the syllabus's `platforms`): which stacks have them, and `dec setup` warning on
// an arm64 host before it pulls, with the host's architecture as recorded facts (setup's deps.host).
import { afterEach, describe, expect, it } from 'vitest';
import { setup, type SetupDeps } from '../../src/commands/setup.js';
import { dockerArch, emulationWarning, foreignImages } from '../../src/setup/platforms.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { commandContexts } from '../helpers/command-context.js';
import { FakeEngine } from '../helpers/fake-engine.js';

const contexts = commandContexts();
const loadCourse = async (id: string) =>
  parseSyllabus(
    readFileSync(fileURLToPath(new URL(`../../syllabus/${id}.yaml`, import.meta.url))),
    `syllabus/${id}.yaml`,
  );
afterEach(() => contexts.cleanup());

describe('platforms in the 2022 syllabus', () => {
  it('week 6 (Confluent 5.4.0) and week 2 (the Cloud SDK x86_64 tarball, both setups) are amd64-only; week 1 and 4 are not', async () => {
    const course = await loadCourse('dez-2022');
    expect(foreignImages(course.stacks.week6!, 'arm64')).toEqual({
      images: [
        'confluentinc/cp-zookeeper:5.4.0',
        'confluentinc/cp-server:5.4.0',
        'confluentinc/cp-schema-registry:5.4.0',
        'confluentinc/cp-enterprise-control-center:5.4.0',
      ],
      platforms: ['linux/amd64'],
    });
    expect(foreignImages(course.stacks.week2!, 'arm64')).toEqual({
      images: ['dec/airflow'],
      platforms: ['linux/amd64'],
    });
    expect(foreignImages(course.stacks['week2-light']!, 'arm64')?.images).toEqual(['dec/airflow']);
    // Native on amd64, and multi-arch images declare nothing.
    expect(foreignImages(course.stacks.week6!, 'x64')).toBeUndefined();
    expect(foreignImages(course.stacks.week1!, 'arm64')).toBeUndefined();
    expect(foreignImages(course.stacks.week4!, 'arm64')).toBeUndefined();
  });

  it('no stack of the current course declares an amd64-only image', async () => {
    const course = await loadCourse('dez-2026');
    for (const stack of Object.values(course.stacks)) expect(foreignImages(stack, 'arm64')).toBeUndefined();
  });

  it("names Docker's architectures, and the advice per OS", () => {
    expect(dockerArch('x64')).toBe('amd64');
    expect(dockerArch('arm64')).toBe('arm64');
    const stack = { services: { a: { image: 'x:1', platforms: ['linux/amd64'] } } };
    expect(emulationWarning('s', stack, 'arm64', 'darwin')).toContain('Use Rosetta for x86_64/amd64 emulation');
    expect(emulationWarning('s', stack, 'arm64', 'linux')).toContain('tonistiigi/binfmt --install amd64');
    expect(emulationWarning('s', stack, 'x64', 'darwin')).toBeUndefined();
  });
});

describe('dec setup week6 on an arm64 host', () => {
  async function setUpUntilPull(arch: string, platform: NodeJS.Platform) {
    const engine = new FakeEngine();
    const ctx = contexts.make({ platform });
    let stderrAtPull: string | undefined;
    engine.faults.before = (call) => {
      if (!call.startsWith('pull ')) return;
      stderrAtPull ??= ctx.stderr();
      // Every pull fails (setup retries, then gives up): nothing after the pulls is needed here.
      throw new Error('no registry in this test');
    };
    const deps: SetupDeps = {
      connect: async () => engine.client,
      hostPorts: { inUse: async () => false, listener: async () => undefined },
      host: { uid: () => 1000, arch: () => arch },
    };
    await setup(ctx, '6', {}, deps).catch(() => undefined);
    return { stderrAtPull };
  }

  it('warns before pulling that the images run under emulation, with the Rosetta setting on a Mac', async () => {
    const { stderrAtPull } = await setUpUntilPull('arm64', 'darwin');
    expect(stderrAtPull).toContain('confluentinc/cp-server:5.4.0');
    expect(stderrAtPull).toContain('built for linux/amd64 only; on this arm64 machine they run under emulation');
    expect(stderrAtPull).toContain('"Use Rosetta for x86_64/amd64 emulation on Apple Silicon"');
  });

  it('says nothing of emulation on an amd64 host', async () => {
    const { stderrAtPull } = await setUpUntilPull('x64', 'linux');
    expect(stderrAtPull).toBeDefined();
    expect(stderrAtPull).not.toContain('emulation');
  });
});
