// Every `apt-get install` the built doctor prints for this Debian machine, run through
// `apt-get install -s` (simulate: no network, no root needed): each package must resolve from the
// archive apt knows here. Packages installed after a step that adds a vendor's repository (Docker,
// HashiCorp, Adoptium, Google) cannot resolve before that step: for those the test checks that the
// step is there. The doctor runs with an empty PATH, so every tool is missing and every install fix is
// printed; DOCKER_HOST points at a missing socket, so no Docker engine is involved.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDec, useSandbox } from '../helpers/run.js';

const APT_GET = '/usr/bin/apt-get';
const box = useSandbox();

interface DoctorJson {
  probes: Array<{ id: string; fix: { text: string; command: string | null } | null }>;
}

const simulated = new Map<string, { ok: boolean; output: string }>();

/** `apt-get install -s` of these packages; the same set is simulated once (apt takes seconds each time). */
function simulate(packages: string[]): { ok: boolean; output: string } {
  const key = packages.join(' ');
  const known = simulated.get(key);
  if (known) return known;
  const run = spawnSync(APT_GET, ['install', '-s', '-y', ...packages], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' },
  });
  const result = { ok: run.status === 0, output: `${run.stdout}\n${run.stderr}` };
  simulated.set(key, result);
  return result;
}

/** The `apt-get install` steps of a fix's command, each with whether a vendor repository was added before it. */
function aptInstalls(command: string): Array<{ packages: string[]; afterRepository: boolean }> {
  const steps: Array<{ packages: string[]; afterRepository: boolean }> = [];
  let afterRepository = false;
  for (const step of command.split(' && ')) {
    if (step.includes('/etc/apt/sources.list.d/')) afterRepository = true;
    const install = /^(?:sudo )?apt-get install -y (.+)$/.exec(step.trim());
    if (install?.[1]) steps.push({ packages: install[1].split(/\s+/), afterRepository });
  }
  return steps;
}

async function doctorFixes(args: string[]): Promise<Array<{ id: string; command: string }>> {
  const empty = join(box.sandbox.root, 'empty-path');
  mkdirSync(empty, { recursive: true });
  const run = await runDec(['doctor', '--json', '--timeout', '20', ...args], {
    cwd: box.cwd,
    env: {
      ...box.sandbox.env,
      PATH: empty,
      DOCKER_HOST: `unix://${join(box.sandbox.root, 'no-docker.sock')}`,
    },
    timeoutMs: 90_000,
  });
  const doc = JSON.parse(run.stdout) as DoctorJson;
  return doc.probes.flatMap((p) => (p.fix?.command ? [{ id: p.id, command: p.fix.command }] : []));
}

describe.skipIf(!existsSync(APT_GET) || !existsSync('/etc/debian_version'))(
  'dec doctor on this Debian machine: every apt-get install it prints resolves',
  () => {
    it('apt knows the archive here, and a package that is not in it fails the simulation', () => {
      // Without package lists every simulation fails, and the test below would prove nothing.
      expect(simulate(['git']).ok, 'apt has no package lists here: run `apt-get update` once').toBe(true);
      // The doctor's old Debian fixes: neither is in Debian 12's archive.
      expect(simulate(['docker-compose-plugin']).ok).toBe(false);
      expect(simulate(['terraform']).ok).toBe(false);
      // Three simulations: seconds each, far more on a loaded machine (CI run 1 passed the default 30 s).
    }, 200_000);

    it.each([
      ['the whole course', [], ['docker-cli', 'compose', 'python', 'pip', 'java', 'git', 'terraform', 'gcloud']],
      ['week 1', ['--week', '1'], ['docker-cli', 'compose', 'psql', 'pgcli', 'python', 'pip', 'download', 'terraform']],
      ['week 5', ['--week', '5'], ['python', 'java']],
      // The current course: Java 17 is Debian 12's own openjdk-17-jdk (its Python 3.13 comes from uv, not apt).
      ['dez-2026', ['--syllabus', 'dez-2026'], ['docker-cli', 'compose', 'java', 'git', 'terraform']],
    ])(
      '%s: each package resolves, or comes after its vendor repository',
      async (_name, args, expected) => {
        const fixes = await doctorFixes(args);
        const installs = fixes.flatMap(({ id, command }) => aptInstalls(command).map((step) => ({ id, ...step })));
        // An empty PATH leaves every tool missing: each probe of the chosen weeks prints an apt-get install.
        expect(installs.map((i) => i.id)).toEqual(expect.arrayContaining(expected));
        const commands = fixes.map((f) => f.command);
        if (process.getuid?.() === 0) for (const command of commands) expect(command).not.toMatch(/(^|[|&] *)sudo /);
        for (const { id, packages, afterRepository } of installs) {
          if (afterRepository) continue;
          const result = simulate(packages);
          expect(result.ok, `${id}: apt-get install -s ${packages.join(' ')}\n${result.output}`).toBe(true);
        }
        // Vendor packages: a repository step comes first in the same command.
        for (const { id, packages, afterRepository } of installs) {
          if (
            packages.some((p) =>
              ['docker-compose-plugin', 'terraform', 'temurin-11-jdk', 'google-cloud-cli'].includes(p),
            )
          )
            expect(afterRepository, `${id} installs ${packages.join(' ')} without adding its repository`).toBe(true);
        }
      },
      240_000,
    );
  },
);
