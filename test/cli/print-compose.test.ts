// `dec setup <week> --print-compose` read back by Debian's docker-compose 1.29 (`docker-compose config`):
// every stack of every built-in syllabus and the engine-v2 fixtures (a build, a job, health checks,
// dependsOn conditions, users, an entrypoint, binds, read-only binds, another stack's external network,
// the Docker socket) must be a file Compose accepts without a warning, and Compose must read the same
// services, conditions and health checks back. `docker-compose config` only parses: no engine is asked.
// In CI (CI set) a missing docker-compose fails the suite instead of skipping it (.ci/run installs it).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { runCommand } from '../../src/util/exec.js';
import { FIXTURES, REPO_ROOT, runDec, useSandbox } from '../helpers/run.js';

const COMPOSE = '/usr/bin/docker-compose';
const COMPOSE_TIMEOUT_MS = 60_000;
const inCi = Boolean(process.env.CI);
const composeThere = (await runCommand(COMPOSE, ['version'], { timeoutMs: 30_000, env: { PATH: '/usr/bin:/bin' } }))
  .exitCode;
const available = composeThere === 0;

const box = useSandbox();

interface Case {
  label: string;
  /** A syllabus file (undefined: the default one), and the week whose stack to print. */
  syllabus?: string;
  week: number;
  /** More flags for `dec setup`, e.g. a variant's. */
  args?: string[];
}

/** Every week with a stack in every built-in syllabus, so a stack added later is checked too. */
function builtInCases(): Case[] {
  const folder = join(REPO_ROOT, 'syllabus');
  return readdirSync(folder)
    .filter((name) => name.endsWith('.yaml'))
    .flatMap((name) => {
      const course = parseSyllabus(readFileSync(join(folder, name)), `syllabus/${name}`);
      return course.weeks
        .filter((week) => week.setup?.stack && course.stacks[week.setup.stack])
        .map((week) => ({ label: `${name} week ${week.number}`, syllabus: join(folder, name), week: week.number }));
    });
}

const fixtureCases: Case[] = [
  {
    label: 'engine2-stack (job, health checks, conditions, user, entrypoint)',
    syllabus: 'engine2-stack.yaml',
    week: 1,
  },
  { label: 'binds-stack week 1', syllabus: 'binds-stack.yaml', week: 1 },
  { label: 'binds-stack week 2 (binds, read-only, optional external network)', syllabus: 'binds-stack.yaml', week: 2 },
  { label: 'binds-stack week 3 (required external network)', syllabus: 'binds-stack.yaml', week: 3 },
  { label: 'build-stack (build with args)', syllabus: 'build-stack.yaml', week: 1 },
  { label: 'optional-stack (an optional service: a Compose profile)', syllabus: 'optional-stack.yaml', week: 1 },
  { label: 'dez-2022 week 6 --brokers 3 (the three-broker variant)', week: 6, args: ['--brokers', '3'] },
  { label: 'the Docker socket', syllabus: 'socket-stack.yaml', week: 1 },
];

/** A stack with the Docker socket, a target and a platform: no fixture has them. */
const SOCKET_SYLLABUS = `schemaVersion: 1
id: socket-test
title: Socket test course
stacks:
  socket:
    title: Socket stack
    network:
      name: socket-net
    services:
      runner:
        image: dec-test/compose-socket
        build:
          context: app
          target: final
          platform: linux/amd64
        dockerSocket: true
        command: [sh, -c, "sleep 1"]
weeks:
  - number: 1
    id: week-1
    title: First week
    topics:
      - title: Hello
    setup:
      summary: The socket stack.
      stack: socket
`;

/** The syllabus path for a case, with the build contexts and inline syllabi a fixture needs beside it. */
function syllabusFor(c: Case): string | undefined {
  if (c.syllabus === undefined || c.syllabus.startsWith('/')) return c.syllabus;
  const folder = join(box.sandbox.root, 'syllabi');
  mkdirSync(join(folder, 'app'), { recursive: true });
  writeFileSync(join(folder, 'app', 'Dockerfile'), 'FROM dec-test/busybox:1 AS final\nRUN echo built > /built.txt\n');
  const path = join(folder, c.syllabus);
  if (c.syllabus === 'socket-stack.yaml') writeFileSync(path, SOCKET_SYLLABUS);
  else copyFileSync(join(FIXTURES, 'syllabi', c.syllabus), path);
  return path;
}

interface ComposeService {
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: unknown[];
  user?: unknown;
}

/** depends_on as a map of conditions (the short list form is service_started). */
function conditions(service: ComposeService): Record<string, string> {
  const deps = service.depends_on;
  if (deps === undefined) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([d, c]) => [d, c.condition]));
}

async function checkCase(c: Case): Promise<void> {
  const syllabus = syllabusFor(c);
  const printed = await runDec(
    [...(syllabus ? ['--syllabus', syllabus] : []), 'setup', String(c.week), '--print-compose', ...(c.args ?? [])],
    // A GCP project (week 2 warns on stderr without one, and the file would carry it empty).
    { cwd: box.cwd, env: { ...box.sandbox.env, CLOUDSDK_CORE_PROJECT: 'dec-test-project' }, timeoutMs: 30_000 },
  );
  expect(printed.stderr).toBe('');
  expect(printed.code).toBe(0);
  const file = join(box.cwd, 'docker-compose.yaml');
  writeFileSync(file, printed.stdout);
  // The secrets the header says to export, so Compose has no unset variable to warn about.
  const secrets = Object.fromEntries(
    [...printed.stdout.matchAll(/^# +export ([A-Z0-9_]+)=/gm)].map((m) => [m[1]!, 'from-the-test']),
  );
  const result = await runCommand(COMPOSE, ['-f', file, 'config'], {
    timeoutMs: COMPOSE_TIMEOUT_MS,
    env: { PATH: '/usr/bin:/bin', HOME: box.sandbox.home, LANG: 'C.UTF-8', ...secrets },
  });
  expect(result.timedOut, 'docker-compose config timed out').toBe(false);
  expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({ exitCode: 0, stderr: '' });
  // What Compose read is what dec wrote: the same services, conditions and health checks.
  const ours = parse(printed.stdout) as { services: Record<string, ComposeService> };
  const theirs = parse(result.stdout) as { services: Record<string, ComposeService> };
  expect(Object.keys(theirs.services).sort()).toEqual(Object.keys(ours.services).sort());
  for (const [name, service] of Object.entries(ours.services)) {
    const read = theirs.services[name]!;
    expect(conditions(read), `${name}'s depends_on`).toEqual(conditions(service));
    expect(read.healthcheck?.test, `${name}'s healthcheck`).toEqual(service.healthcheck?.test);
    expect(read.volumes?.length ?? 0, `${name}'s volumes`).toBe(service.volumes?.length ?? 0);
  }
}

describe('--print-compose is a file docker-compose 1.29 accepts', () => {
  it('docker-compose is installed (CI installs it; elsewhere these tests skip without it)', () => {
    if (!available && !inCi) return;
    expect(
      available,
      `${COMPOSE} version failed: install Debian's docker-compose (apt-get install docker-compose)`,
    ).toBe(true);
  });

  const cases = [...builtInCases(), ...fixtureCases];
  it('covers every built-in stack', () => {
    expect(builtInCases().length).toBeGreaterThanOrEqual(2);
  });

  for (const c of cases) {
    it.skipIf(!available && !inCi)(c.label, async () => {
      await checkCase(c);
    });
  }
});
