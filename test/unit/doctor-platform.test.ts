// The platform the doctor's fixes are printed for, from recorded facts (os-release files, `sw_vers`,
// `uname -m`, `brew --prefix`, /proc/version, the user id, `sudo --version`), and each fix's command
// for each platform. test/cli/doctor-apt.test.ts runs the Debian ones through apt-get install -s.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { needsOf } from '../../src/doctor/needs.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { findWeek } from '../../src/syllabus/query.js';
import { installFix } from '../../src/doctor/install.js';
import { parseOsRelease, platformFacts, type PlatformFacts } from '../../src/doctor/platform.js';
import { PROBES } from '../../src/doctor/probes/index.js';
import { java, spark } from '../../src/doctor/probes/languages.js';
import { osProbe, wsl } from '../../src/doctor/probes/system.js';
import type { Fix, Needs } from '../../src/doctor/types.js';
import {
  fakeProbeContext,
  needs,
  reachableEngine,
  container,
  typicalPlatform,
  unreachableEngine,
} from '../helpers/probe-context.js';

const OS_RELEASE = {
  debian12:
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n',
  ubuntu2204:
    'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=jammy\n',
  ubuntu2404:
    'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION="24.04.1 LTS (Noble Numbat)"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=noble\n',
  mint21:
    'NAME="Linux Mint"\nVERSION="21.3 (Virginia)"\nID=linuxmint\nID_LIKE="ubuntu debian"\nPRETTY_NAME="Linux Mint 21.3"\nVERSION_ID="21.3"\nVERSION_CODENAME=virginia\nUBUNTU_CODENAME=jammy\n',
  fedora40:
    'NAME="Fedora Linux"\nVERSION="40 (Workstation Edition)"\nID=fedora\nVERSION_ID=40\nVERSION_CODENAME=""\nPRETTY_NAME="Fedora Linux 40 (Workstation Edition)"\n',
  arch: 'NAME="Arch Linux"\nPRETTY_NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n',
};

const PROC_VERSION = {
  native: 'Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0)',
  wsl2: 'Linux version 5.15.153.1-microsoft-standard-WSL2 (root@941d701f84f1) (gcc (GCC) 12.2.0)',
  wsl1: 'Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com) (gcc version 5.4.0 (GCC) ) #1237-Microsoft',
};

const SUDO = { 'sudo --version': { stdout: 'Sudo version 1.9.13p3\n' } };

function linux(osRelease: string, options: { uid?: number; sudo?: boolean; proc?: string; arch?: string } = {}) {
  return fakeProbeContext({
    platform: 'linux',
    arch: options.arch ?? 'x64',
    files: { '/etc/os-release': osRelease, '/proc/version': options.proc ?? PROC_VERSION.native },
    exec: options.sudo === false ? {} : SUDO,
    machine: { uid: () => options.uid ?? 1000 },
  });
}

function mac(options: { uname: 'arm64' | 'x86_64'; brew: boolean; arch?: string }) {
  return fakeProbeContext({
    platform: 'darwin',
    arch: options.arch ?? (options.uname === 'arm64' ? 'arm64' : 'x64'),
    platformFacts: 'recorded',
    machine: { uid: () => 501 },
    exec: {
      ...SUDO,
      'sw_vers -productVersion': { stdout: '14.5\n' },
      'uname -m': { stdout: `${options.uname}\n` },
      ...(options.brew ? { 'brew --prefix': { stdout: '/opt/homebrew\n' } } : {}),
    },
  });
}

const course2022: Needs = needs({
  tools: {
    java: { range: '8.x || 11.x', weeks: [5] },
    spark: { range: '>=3.0.3 <3.3', weeks: [5], required: false },
    'docker-compose': { range: '>=1.29' },
    terraform: { range: '>=1.0' },
  },
});
const week2 = needs({ tools: { 'docker-compose': { range: '>=2.0', weeks: [2] } } });

describe('platformFacts from recorded machines', () => {
  it('parses os-release files, quoted or not', () => {
    expect(parseOsRelease(OS_RELEASE.ubuntu2204)).toMatchObject({
      ID: 'ubuntu',
      VERSION_ID: '22.04',
      UBUNTU_CODENAME: 'jammy',
    });
    expect(parseOsRelease(OS_RELEASE.fedora40)).toMatchObject({ ID: 'fedora', VERSION_ID: '40', VERSION_CODENAME: '' });
  });

  it.each([
    ['Debian 12', OS_RELEASE.debian12, { distro: 'debian', version: '12', codename: 'bookworm' }],
    ['Ubuntu 22.04', OS_RELEASE.ubuntu2204, { distro: 'ubuntu', version: '22.04', codename: 'jammy' }],
    ['Ubuntu 24.04', OS_RELEASE.ubuntu2404, { distro: 'ubuntu', version: '24.04', codename: 'noble' }],
    ['Linux Mint 21 (Ubuntu underneath: jammy)', OS_RELEASE.mint21, { distro: 'ubuntu', codename: 'jammy' }],
    ['Fedora 40', OS_RELEASE.fedora40, { distro: 'fedora', version: '40', codename: undefined }],
    ['Arch', OS_RELEASE.arch, { distro: 'arch', version: undefined }],
  ])('%s', async (_name, osRelease, expected) => {
    const facts = await platformFacts(linux(osRelease));
    expect(facts).toMatchObject({ os: 'linux', ...expected, root: false, sudo: true, arm64: false });
    expect(facts.wsl).toBeUndefined();
  });

  it('root needs no sudo (and is not asked about it); a user without sudo is told', async () => {
    const rootCtx = linux(OS_RELEASE.debian12, { uid: 0 });
    expect(await platformFacts(rootCtx)).toMatchObject({ root: true, sudo: false });
    expect(rootCtx.calls).not.toContain('sudo --version');
    expect(await platformFacts(linux(OS_RELEASE.debian12, { sudo: false }))).toMatchObject({
      root: false,
      sudo: false,
    });
  });

  it.each([
    ['WSL 2', PROC_VERSION.wsl2, 2],
    ['WSL 1', PROC_VERSION.wsl1, 1],
  ])('%s from /proc/version', async (_name, proc, version) => {
    expect((await platformFacts(linux(OS_RELEASE.ubuntu2204, { proc }))).wsl).toBe(version);
  });

  it.each([
    ['arm64 with brew', { uname: 'arm64', brew: true }, { arm64: true, brew: true }],
    ['arm64 without brew', { uname: 'arm64', brew: false }, { arm64: true, brew: false }],
    ['x86_64 with brew', { uname: 'x86_64', brew: true }, { arm64: false, brew: true }],
    ['x86_64 without brew', { uname: 'x86_64', brew: false }, { arm64: false, brew: false }],
    // node under Rosetta says x64; the shell's `uname -m` on Apple Silicon says arm64.
    ['Apple Silicon, node under Rosetta', { uname: 'arm64', brew: true, arch: 'x64' }, { arm64: true }],
  ] as const)('macOS %s', async (_name, machine, expected) => {
    expect(await platformFacts(mac(machine))).toMatchObject({ os: 'macos', version: '14.5', ...expected });
  });

  it('is read once for every probe', async () => {
    const ctx = linux(OS_RELEASE.debian12);
    await Promise.all([platformFacts(ctx), platformFacts(ctx), osProbe.run(ctx), wsl.run(ctx)]);
    expect(ctx.reads.filter((path) => path === '/etc/os-release')).toHaveLength(1);
    expect(ctx.calls.filter((call) => call === 'sudo --version')).toHaveLength(1);
  });
});

async function fixFor(ctx: ReturnType<typeof fakeProbeContext>, tool: string, need: Needs = course2022): Promise<Fix> {
  return installFix(tool, await platformFacts(ctx), need);
}

describe('each fix for each platform', () => {
  const debian = () => linux(OS_RELEASE.debian12);
  const debianRoot = () => linux(OS_RELEASE.debian12, { uid: 0 });
  const jammy = () => linux(OS_RELEASE.ubuntu2204);
  const noble = () => linux(OS_RELEASE.ubuntu2404);
  const fedora = () => linux(OS_RELEASE.fedora40);
  const arch = () => linux(OS_RELEASE.arch);

  it('Docker Compose: Debian 12 week 1 → Debian’s v1.29 saying it is not enough for week 2; week 2 → Docker’s apt repository', async () => {
    const week1 = await fixFor(debian(), 'docker-compose');
    expect(week1.command).toBe('sudo apt-get install -y docker-compose');
    expect(week1.text).toContain('enough for week 1.');
    // `dec doctor --week 1` knows the course's week 2 needs v2.
    const only1 = needs({ tools: { 'docker-compose': { range: '>=1.29', weeks: [1] } } });
    only1.tools.get('docker-compose')!.otherWeeks = [{ week: 2, range: '>=2.0' }];
    expect((await fixFor(debian(), 'docker-compose', only1)).text).toContain(
      "Install Debian's docker-compose (v1.29): enough for week 1, not for week 2, which needs v2.",
    );
    const v2 = await fixFor(debian(), 'docker-compose', week2);
    expect(v2.command).toContain(
      'curl -fsSL https://download.docker.com/linux/debian/gpg | sudo gpg --batch --yes --dearmor -o /usr/share/keyrings/docker.gpg',
    );
    expect(v2.command).toContain(
      'https://download.docker.com/linux/debian bookworm stable" | sudo tee /etc/apt/sources.list.d/docker.list',
    );
    expect(v2.command?.endsWith('sudo apt-get install -y docker-compose-plugin')).toBe(true);
    expect((await fixFor(debianRoot(), 'docker-compose', week2)).command).not.toContain('sudo');
    expect((await fixFor(jammy(), 'docker-compose', week2)).command).toBe('sudo apt-get install -y docker-compose-v2');
    expect((await fixFor(noble(), 'docker-compose', week2)).command).toBe('sudo apt-get install -y docker-compose-v2');
    expect((await fixFor(fedora(), 'docker-compose', week2)).command).toBe('sudo dnf install -y docker-compose');
    expect((await fixFor(arch(), 'docker-compose', week2)).command).toBe(
      'sudo pacman -S --needed --noconfirm docker-compose',
    );
    expect((await fixFor(mac({ uname: 'arm64', brew: true }), 'docker-compose')).text).toContain('Docker Desktop');
  });

  it('Java for the 2022 course (8 or 11): Debian 12 → Adoptium’s Temurin 11; Ubuntu → openjdk-11-jdk; macOS → brew or the .pkg', async () => {
    const bookworm = await fixFor(debian(), 'java');
    expect(bookworm.command).toContain('https://packages.adoptium.net/artifactory/deb bookworm main');
    expect(bookworm.command?.endsWith('sudo apt-get install -y temurin-11-jdk')).toBe(true);
    expect(bookworm.text).not.toContain('coming');
    expect((await fixFor(jammy(), 'java')).command).toBe('sudo apt-get install -y openjdk-11-jdk');
    expect((await fixFor(noble(), 'java')).command).toBe('sudo apt-get install -y openjdk-11-jdk');
    expect((await fixFor(arch(), 'java')).command).toBe('sudo pacman -S --needed --noconfirm jdk11-openjdk');
    // Fedora 40 still builds java-11-openjdk; Fedora 42 does not (Temurin); 17 and 21 are packaged.
    expect((await fixFor(fedora(), 'java')).command).toBe('sudo dnf install -y java-11-openjdk-devel');
    const fedora42 = () => linux(OS_RELEASE.fedora40.replace(/40/g, '42'));
    expect((await fixFor(fedora42(), 'java')).text).toContain("no OpenJDK 11: install Temurin 11 from Adoptium's RPM");
    const pyspark4 = needs({ tools: { java: { range: '17.x || 21.x', weeks: [6] } } });
    expect((await fixFor(fedora42(), 'java', pyspark4)).command).toBe('sudo dnf install -y java-17-openjdk-devel');
    expect((await fixFor(arch(), 'java', pyspark4)).command).toBe('sudo pacman -S --needed --noconfirm jdk17-openjdk');
    // Arch and Fedora name the Postgres client package postgresql; Terraform is in Arch's extra.
    expect((await fixFor(arch(), 'psql')).command).toBe('sudo pacman -S --needed --noconfirm postgresql');
    expect((await fixFor(arch(), 'terraform')).command).toBe('sudo pacman -S --needed --noconfirm terraform');
    expect((await fixFor(mac({ uname: 'arm64', brew: true }), 'java')).command).toBe('brew install openjdk@11');
    const noBrew = await fixFor(mac({ uname: 'arm64', brew: false }), 'java');
    expect(noBrew.command).toBeUndefined();
    expect(noBrew.text).toContain('aarch64 (Apple Silicon)');
    expect((await fixFor(mac({ uname: 'x86_64', brew: false }), 'java')).text).toContain('x64 (Intel)');
  });

  it('Terraform: HashiCorp’s apt repository on Debian and Ubuntu (with their codename), its rpm repository on Fedora, the tap on macOS', async () => {
    const bookworm = await fixFor(debian(), 'terraform');
    expect(bookworm.command).toContain('https://apt.releases.hashicorp.com bookworm main');
    expect(bookworm.command?.endsWith('sudo apt-get install -y terraform')).toBe(true);
    expect((await fixFor(noble(), 'terraform')).command).toContain('https://apt.releases.hashicorp.com noble main');
    expect((await fixFor(fedora(), 'terraform')).command).toBe(
      'sudo dnf install -y dnf-plugins-core && sudo dnf config-manager --add-repo https://rpm.releases.hashicorp.com/fedora/hashicorp.repo && sudo dnf install -y terraform',
    );
    expect((await fixFor(mac({ uname: 'arm64', brew: true }), 'terraform')).command).toBe(
      'brew tap hashicorp/tap && brew install hashicorp/tap/terraform',
    );
    expect((await fixFor(mac({ uname: 'arm64', brew: false }), 'terraform')).text).toContain('darwin_arm64');
    expect((await fixFor(mac({ uname: 'x86_64', brew: false }), 'terraform')).text).toContain('darwin_amd64');
  });

  it('Docker, Python, pip, git, psql per distribution', async () => {
    expect((await fixFor(debian(), 'docker')).command).toBe('sudo apt-get install -y docker.io');
    expect((await fixFor(fedora(), 'docker')).command).toBe(
      'sudo dnf install -y moby-engine && sudo systemctl enable --now docker',
    );
    expect((await fixFor(arch(), 'docker')).command).toBe(
      'sudo pacman -S --needed --noconfirm docker && sudo systemctl enable --now docker',
    );
    expect((await fixFor(linux(OS_RELEASE.ubuntu2204, { proc: PROC_VERSION.wsl2 }), 'docker')).text).toContain(
      'WSL integration',
    );
    expect((await fixFor(mac({ uname: 'arm64', brew: true }), 'docker')).command).toBe('brew install --cask docker');
    expect((await fixFor(mac({ uname: 'arm64', brew: false }), 'docker')).text).toContain('Apple Silicon');
    // Debian and Ubuntu disable ensurepip: pip is a package there.
    expect((await fixFor(debian(), 'pip')).command).toBe('sudo apt-get install -y python3-pip python3-venv');
    expect((await fixFor(fedora(), 'pip')).command).toBe('python3 -m ensurepip --upgrade');
    expect((await fixFor(arch(), 'python')).command).toBe('sudo pacman -S --needed --noconfirm python python-pip');
    expect((await fixFor(fedora(), 'psql')).command).toBe('sudo dnf install -y postgresql');
    expect((await fixFor(mac({ uname: 'x86_64', brew: false }), 'git')).command).toBe('xcode-select --install');
  });

  it('a user without sudo gets the plain command and is told to run it as root', async () => {
    const fix = await fixFor(linux(OS_RELEASE.debian12, { sudo: false }), 'git');
    expect(fix.command).toBe('apt-get install -y git');
    expect(fix.text).toContain('as root');
  });
});

describe('version advice that agrees across checks (the 2022 course: Spark 3.0.3, Java 8/11, Python ≤ 3.9)', () => {
  const PYSPARK = "python3 -c import importlib.metadata as m; print(m.version('pyspark'))";

  it('no PySpark on Python 3.11 → a Python 3.9 virtualenv with uv, then the course’s pyspark', async () => {
    const ctx = fakeProbeContext({
      needs: course2022,
      exec: { 'python3 --version': { stdout: 'Python 3.11.2\n' }, [PYSPARK]: { exitCode: 1 } },
    });
    const result = await spark.run(ctx);
    expect(result.fix?.text).toContain('Python 3.9 at most');
    expect(result.fix?.command).toBe(
      'curl -LsSf https://astral.sh/uv/install.sh | sh && ~/.local/bin/uv venv --python 3.9 .venv-spark && . .venv-spark/bin/activate && ~/.local/bin/uv pip install "pyspark>=3.0.3,<3.3"',
    );
  });

  it('PySpark 3.2.1 on Python 3.11 → warn: the right Spark on a Python it does not run on', async () => {
    const ctx = fakeProbeContext({
      needs: course2022,
      exec: { 'python3 --version': { stdout: 'Python 3.11.2\n' }, [PYSPARK]: { stdout: '3.2.1\n' } },
    });
    expect(await spark.run(ctx)).toMatchObject({ status: 'warn', version: '3.2.1' });
  });

  it('no PySpark on Python 3.9 → pip install of the course’s range, in a virtualenv', async () => {
    const ctx = fakeProbeContext({
      needs: course2022,
      exec: { 'python3 --version': { stdout: 'Python 3.9.18\n' }, [PYSPARK]: { exitCode: 1 } },
    });
    expect((await spark.run(ctx)).fix?.command).toBe(
      'python3 -m venv .venv && . .venv/bin/activate && pip install "pyspark>=3.0.3,<3.3"',
    );
  });

  const JAVA17 = { 'java -version': { stderr: 'openjdk version "17.0.15" 2025-04-15\n' } };
  it('Java 17 checking the whole course → warn (only week 5 runs Spark locally); `--week 5` → fail', async () => {
    const whole = { ...course2022, weeks: [1, 2, 3, 4, 5, 6] };
    expect(await java.run(fakeProbeContext({ needs: whole, exec: JAVA17 }))).toMatchObject({ status: 'warn' });
    const week5 = { ...course2022, weeks: [5] };
    const strict = await java.run(fakeProbeContext({ needs: week5, exec: JAVA17 }));
    expect(strict).toMatchObject({ status: 'fail', version: '17.0.15' });
    expect(strict.fix?.command).toContain('temurin-11-jdk');
  });
});

describe("Apple Silicon and the amd64-only images (the syllabus's `platforms`)", () => {
  const syllabus = (id: string) =>
    parseSyllabus(readFileSync(new URL(`../../syllabus/${id}.yaml`, import.meta.url)), `${id}.yaml`);
  const course2022 = syllabus('dez-2022');
  const course2026 = syllabus('dez-2026');
  const weeksOf = (course: typeof course2022, refs: string[]) =>
    needsOf(
      refs.map((ref) => findWeek(course, ref)),
      course.stacks,
    );

  it('arm64 macOS (recorded: uname -m arm64) checking weeks 2 and 6 → warn, with Rosetta and the images', async () => {
    const ctx = mac({ uname: 'arm64', brew: true });
    const result = await osProbe.run({ ...ctx, needs: weeksOf(course2022, ['1', '2', '6']) });
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('week 2 and 6 use linux/amd64-only images, emulated here');
    expect(result.fix?.text).toContain('confluentinc/cp-zookeeper:5.4.0');
    expect(result.fix?.text).toContain('dec/airflow');
    expect(result.fix?.text).toContain('Use Rosetta for x86_64/amd64 emulation');
    expect(result.fix?.command).toBe('softwareupdate --install-rosetta --agree-to-license');
    // node under Rosetta says x64; `uname -m` still says Apple Silicon.
    const rosettaNode = mac({ uname: 'arm64', brew: true, arch: 'x64' });
    expect((await osProbe.run({ ...rosettaNode, needs: weeksOf(course2022, ['6']) })).status).toBe('warn');
  });

  it('arm64 Linux (Graviton, a Pi) → QEMU binfmt', async () => {
    const ctx = linux(OS_RELEASE.debian12, { arch: 'arm64' });
    const result = await osProbe.run({ ...ctx, needs: weeksOf(course2022, ['6']) });
    expect(result.fix?.command).toBe('docker run --privileged --rm tonistiigi/binfmt --install amd64');
  });

  it('Intel macOS, arm64 for week 1 only, and every module of dez-2026 on arm64 → ok', async () => {
    const intel = mac({ uname: 'x86_64', brew: true });
    expect((await osProbe.run({ ...intel, needs: weeksOf(course2022, ['2', '6']) })).status).toBe('ok');
    const silicon = mac({ uname: 'arm64', brew: true });
    expect((await osProbe.run({ ...silicon, needs: weeksOf(course2022, ['1']) })).status).toBe('ok');
    // Module 2 and 6 of the current course are Kestra and PySpark: nothing of theirs is amd64-only.
    expect((await osProbe.run({ ...silicon, needs: needsOf(course2026.weeks, course2026.stacks) })).status).toBe('ok');
  });
});

describe('as root, no fix starts with sudo', () => {
  const root: PlatformFacts = { ...typicalPlatform('linux'), root: true, sudo: false };
  const hasSudo = (command: string | undefined) => command !== undefined && /(^|[|&;] *)sudo /.test(command);

  it.each(['debian', 'ubuntu', 'fedora', 'arch'] as const)('every install fix on %s', (distro) => {
    for (const tool of [
      'docker',
      'docker-compose',
      'docker-compose-v2',
      'psql',
      'pgcli',
      'terraform',
      'gcloud',
      'bq',
      'python',
      'pip',
      'java',
      'spark',
      'dbt',
      'git',
      'curl',
    ]) {
      for (const need of [course2022, week2]) {
        const fix = installFix(tool, { ...root, distro, version: distro === 'ubuntu' ? '22.04' : '12' }, need);
        expect(hasSudo(fix.command), `${distro} ${tool}: ${fix.command}`).toBe(false);
      }
    }
  });

  it('every probe’s fix, on a machine where everything is missing or held', async () => {
    const situations = [
      fakeProbeContext({ platformFacts: root, needs: course2022 }),
      fakeProbeContext({ platformFacts: root, needs: course2022, engine: unreachableEngine('not-running') }),
      fakeProbeContext({ platformFacts: root, needs: course2022, engine: unreachableEngine('no-answer') }),
      fakeProbeContext({
        platformFacts: root,
        needs: needs({
          tools: { docker: {} },
          ports: [
            { port: 5432, service: 'pgdatabase' },
            { port: 8080, service: 'pgadmin' },
          ],
        }),
        engine: reachableEngine({ containers: [container({ name: 'other', hostPorts: [] })] }),
        listeners: {
          5432: { pid: 812, name: 'postgres', command: '/usr/lib/postgresql/15/bin/postgres' },
          8080: { pid: 901, name: 'python3' },
        },
        logins: { 5432: 'rejected' },
      }),
      fakeProbeContext({
        platformFacts: root,
        needs: needs({ ports: [{ port: 8080, service: 'pgadmin' }] }),
        engine: reachableEngine(),
        listeners: { 8080: { pid: 23015, name: 'docker-proxy' } },
      }),
    ];
    let fixes = 0;
    for (const ctx of situations) {
      for (const probe of PROBES) {
        await probe.prepare?.(ctx);
        const result = await probe.run(ctx);
        if (result.fix?.command) fixes++;
        expect(hasSudo(result.fix?.command), `${probe.id}: ${result.fix?.command}`).toBe(false);
      }
    }
    expect(fixes).toBeGreaterThan(15);
  });
});
