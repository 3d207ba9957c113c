// How to install each tool on the machine the doctor runs on: the distribution and its version
// (Debian 12 has no openjdk-11 and no docker-compose-plugin), Homebrew or not, WSL, root or sudo.
// One line of text plus the exact command where there is one; a package that needs a vendor's
// repository gets that repository's exact steps. test/cli/doctor-apt.test.ts runs every apt-get
// install printed here for this machine through `apt-get install -s`.
import { adminNote, asAdmin, platformFacts, versionNumber, type PlatformFacts } from './platform.js';
import type { Fix, Needs, ProbeContext } from './types.js';
import { lowestMinor, rangeEndsBelow, satisfiesRange } from './versions.js';

/** The install fix for `tool` on this machine, for the chosen weeks' version ranges. */
export async function installFor(ctx: ProbeContext, tool: string): Promise<Fix> {
  return installFix(tool, await platformFacts(ctx), ctx.needs, ctx.env);
}

const apt = (facts: PlatformFacts) => facts.distro === 'debian' || facts.distro === 'ubuntu';

/** `apt-get install -y <packages>` (or dnf, pacman) for this distribution, as root or behind sudo. */
function packageCommand(facts: PlatformFacts, packages: string): string | undefined {
  if (apt(facts)) return asAdmin(facts, `apt-get install -y ${packages}`);
  if (facts.distro === 'fedora') return asAdmin(facts, `dnf install -y ${packages}`);
  if (facts.distro === 'arch') return asAdmin(facts, `pacman -S --needed --noconfirm ${packages}`);
  return undefined;
}

function linuxFix(facts: PlatformFacts, text: string, packages: Partial<Record<string, string>>): Fix {
  const wanted = packages[facts.distro ?? 'other'];
  const command = wanted ? packageCommand(facts, wanted) : undefined;
  if (!command) return { text: `${text} (with your distribution's package manager)` };
  return { text: `${text}${adminNote(facts)}`, command };
}

/**
 * A vendor's apt repository added the way its docs say (key in /usr/share/keyrings or /etc/apt/keyrings,
 * one sources.list.d file), then the package installed from it; every step behind sudo unless root.
 */
function aptRepository(
  facts: PlatformFacts,
  repo: { key: string; keyring: string; line: string; list: string; packages: string; prerequisites: string },
): string {
  const s = (command: string) => asAdmin(facts, command);
  return [
    s('apt-get update'),
    s(`apt-get install -y ${repo.prerequisites}`),
    `curl -fsSL ${repo.key} | ${s(`gpg --batch --yes --dearmor -o ${repo.keyring}`)}`,
    `echo "${repo.line}" | ${s(`tee /etc/apt/sources.list.d/${repo.list}`)}`,
    s('apt-get update'),
    s(`apt-get install -y ${repo.packages}`),
  ].join(' && ');
}

const codename = (facts: PlatformFacts) => facts.codename ?? '$(. /etc/os-release && echo "$VERSION_CODENAME")';
const debArch = '$(dpkg --print-architecture)';

function dockerRepository(facts: PlatformFacts, packages: string): string {
  const vendor = facts.distro === 'ubuntu' ? 'ubuntu' : 'debian';
  return aptRepository(facts, {
    prerequisites: 'ca-certificates curl gpg',
    key: `https://download.docker.com/linux/${vendor}/gpg`,
    keyring: '/usr/share/keyrings/docker.gpg',
    line: `deb [arch=${debArch} signed-by=/usr/share/keyrings/docker.gpg] https://download.docker.com/linux/${vendor} ${codename(facts)} stable`,
    list: 'docker.list',
    packages,
  });
}

function hashicorpRepository(facts: PlatformFacts): string {
  return aptRepository(facts, {
    prerequisites: 'ca-certificates curl gpg',
    key: 'https://apt.releases.hashicorp.com/gpg',
    keyring: '/usr/share/keyrings/hashicorp-archive-keyring.gpg',
    line: `deb [arch=${debArch} signed-by=/usr/share/keyrings/hashicorp-archive-keyring.gpg] https://apt.releases.hashicorp.com ${codename(facts)} main`,
    list: 'hashicorp.list',
    packages: 'terraform',
  });
}

function googleCloudRepository(facts: PlatformFacts): string {
  return aptRepository(facts, {
    prerequisites: 'ca-certificates curl gpg',
    key: 'https://packages.cloud.google.com/apt/doc/apt-key.gpg',
    keyring: '/usr/share/keyrings/cloud.google.gpg',
    line: 'deb [signed-by=/usr/share/keyrings/cloud.google.gpg] https://packages.cloud.google.com/apt cloud-sdk main',
    list: 'google-cloud-sdk.list',
    packages: 'google-cloud-cli',
  });
}

function adoptiumRepository(facts: PlatformFacts, major: number): string {
  return aptRepository(facts, {
    prerequisites: 'ca-certificates curl gpg',
    key: 'https://packages.adoptium.net/artifactory/api/gpg/key/public',
    keyring: '/usr/share/keyrings/adoptium.gpg',
    line: `deb [signed-by=/usr/share/keyrings/adoptium.gpg] https://packages.adoptium.net/artifactory/deb ${codename(facts)} main`,
    list: 'adoptium.list',
    packages: `temurin-${major}-jdk`,
  });
}

/** The OpenJDK majors this Debian or Ubuntu release ships (Debian 12 has 17 only). */
function distroJdks(facts: PlatformFacts): number[] {
  const version = versionNumber(facts) ?? 0;
  if (facts.distro === 'debian') return version >= 13 ? [21] : version >= 12 ? [17] : [11, 17];
  if (facts.distro === 'ubuntu') return version >= 22 ? [8, 11, 17, 21] : [8, 11];
  return [];
}

/** The Java major to install for the weeks' range: 11 for Spark 3.0 (8 or 11), 17 for PySpark 4 (17 or 21). */
function javaMajor(range: string | undefined): number {
  if (!range) return 17;
  return [11, 17, 21, 8].find((major) => satisfiesRange(`${major}.0.0`, range)) ?? 17;
}

function javaFix(facts: PlatformFacts, needs: Needs): Fix {
  const major = javaMajor(needs.tools.get('java')?.range);
  const text = `Install JDK ${major}${major === 11 ? ' (Spark 3.0–3.3 runs on Java 8 or 11 only)' : ''}.`;
  if (facts.os === 'windows') return { text, command: `winget install EclipseAdoptium.Temurin.${major}.JDK` };
  if (facts.os === 'macos') {
    return facts.brew
      ? { text, command: `brew install openjdk@${major}` }
      : {
          text: `${text} Download Temurin ${major} for ${facts.arm64 ? 'aarch64 (Apple Silicon)' : 'x64 (Intel)'} from adoptium.net/temurin/releases (.pkg), or install Homebrew first (brew.sh).`,
        };
  }
  if (apt(facts)) {
    if (distroJdks(facts).includes(major))
      return { text: text + adminNote(facts), command: packageCommand(facts, `openjdk-${major}-jdk`) };
    return {
      text: `${facts.name ?? 'This release'} has no OpenJDK ${major}: add Adoptium's apt repository and install Temurin ${major}.${adminNote(facts)}`,
      command: adoptiumRepository(facts, major),
    };
  }
  // Fedora: java-<major>-openjdk-devel (packages.fedoraproject.org: java-17 built for fc41, java-21 for fc43,
  // java-11 up to fc41 only); Java 11 on a later Fedora is Adoptium's Temurin.
  if (facts.distro === 'fedora') {
    const fedora = versionNumber(facts) ?? 0;
    if (major !== 11 || fedora <= 41) return linuxFix(facts, text, { fedora: `java-${major}-openjdk-devel` });
    return {
      text: `${facts.name ?? 'This Fedora'} has no OpenJDK 11: install Temurin 11 from Adoptium's RPM repository (adoptium.net/installation/linux).`,
    };
  }
  // Arch: jdk11-openjdk, jdk17-openjdk, jdk21-openjdk in extra (switch between them with archlinux-java).
  if (facts.distro === 'arch') return linuxFix(facts, text, { arch: `jdk${major}-openjdk` });
  return {
    text: `${text} Install Temurin ${major} from Adoptium's repository (adoptium.net/installation/linux).`,
  };
}

/** `pip install` where it works: inside a virtualenv (Debian 12, Ubuntu 23.04+, Arch and Homebrew refuse it outside one). */
function pipInstall(facts: PlatformFacts, env: NodeJS.ProcessEnv, packages: string, text: string): Fix {
  if (env.VIRTUAL_ENV || env.CONDA_PREFIX) return { text, command: `pip install ${packages}` };
  if (facts.os === 'windows')
    return { text, command: `python -m venv .venv && .venv\\Scripts\\activate && pip install ${packages}` };
  return {
    text: `${text} In a virtualenv (.venv in the course folder): the system Python refuses pip installs.`,
    command: `python3 -m venv .venv && . .venv/bin/activate && pip install ${packages}`,
  };
}

/** The chosen weeks whose Compose range Debian's v1 (1.29.2) does or does not meet. */
function composeWeeks(needs: Needs): { enough: number[]; short: number[]; later: number[] } {
  const need = needs.tools.get('docker-compose');
  const weeks = need?.byWeek ?? need?.weeks.map((week) => ({ week, range: need.range })) ?? [];
  const meets = (range: string | undefined) => range === undefined || satisfiesRange('1.29.2', range);
  return {
    enough: weeks.filter((w) => meets(w.range)).map((w) => w.week),
    short: weeks.filter((w) => !meets(w.range)).map((w) => w.week),
    // The course's weeks not chosen (`dec doctor --week 1`) that v1 will not do for.
    later: (need?.otherWeeks ?? []).filter((w) => !meets(w.range)).map((w) => w.week),
  };
}

/** `haveV1`: Compose v1 is already installed, so only v2 helps. */
function composeFix(facts: PlatformFacts, needs: Needs, haveV1 = false): Fix {
  if (facts.os === 'macos' || facts.os === 'windows')
    return { text: 'Compose v2 comes with Docker Desktop; update Docker Desktop.' };
  const range = needs.tools.get('docker-compose')?.range;
  const v1Enough = !haveV1 && (range === undefined || satisfiesRange('1.29.2', range));
  const version = versionNumber(facts) ?? 0;
  if (facts.distro === 'debian' && version < 13) {
    const repository = `Compose v2 comes from Docker's apt repository (docker-compose-plugin is not in Debian's archive).`;
    const { enough, short, later } = composeWeeks(needs);
    if (v1Enough) {
      return {
        text: `Install Debian's docker-compose (v1.29)${enough.length > 0 ? `: enough for week ${enough.join(', ')}` : ''}${later.length > 0 ? `, not for week ${later.join(', ')}, which ${later.length === 1 ? 'needs' : 'need'} v2` : ''}. ${repository}${adminNote(facts)}`,
        command: packageCommand(facts, 'docker-compose'),
      };
    }
    const needV2 =
      short.length > 0
        ? `Week ${short.join(', ')} ${short.length === 1 ? 'needs' : 'need'} Compose v2`
        : 'The chosen weeks need Compose v2';
    return {
      text: `${needV2}; Debian's docker-compose is v1.29. ${repository}${adminNote(facts)}`,
      command: dockerRepository(facts, 'docker-compose-plugin'),
    };
  }
  if (facts.distro === 'ubuntu' && version < 22)
    return {
      text: `Install the Compose v2 plugin from Docker's apt repository.${adminNote(facts)}`,
      command: dockerRepository(facts, 'docker-compose-plugin'),
    };
  return linuxFix(facts, 'Install Compose v2', {
    debian: 'docker-compose',
    ubuntu: 'docker-compose-v2',
    fedora: 'docker-compose',
    arch: 'docker-compose',
  });
}

function dockerFix(facts: PlatformFacts): Fix {
  if (facts.os === 'macos') {
    const chip = facts.arm64 ? 'Apple Silicon' : 'Intel';
    return facts.brew
      ? { text: `Install Docker Desktop (${chip}) and start it once.`, command: 'brew install --cask docker' }
      : {
          text: `Download Docker Desktop for Mac (${chip}) from docs.docker.com/desktop/setup/install/mac-install and start it once.`,
        };
  }
  if (facts.os === 'windows')
    return {
      text: 'Install Docker Desktop with the WSL 2 backend, then use it from WSL.',
      command: 'winget install Docker.DockerDesktop',
    };
  const fix = linuxFix(facts, 'Install Docker Engine', {
    debian: 'docker.io',
    ubuntu: 'docker.io',
    fedora: 'moby-engine',
    arch: 'docker',
  });
  // Debian's and Ubuntu's packages start the engine themselves; Fedora's and Arch's do not.
  const start = apt(facts) || facts.wsl || !fix.command ? undefined : asAdmin(facts, 'systemctl enable --now docker');
  const command = start ? `${fix.command} && ${start}` : fix.command;
  if (facts.wsl)
    return {
      ...fix,
      command,
      text: `Install Docker Desktop in Windows and turn on its WSL integration for this distro, or the engine inside WSL: ${fix.text}`,
    };
  return { ...fix, command };
}

function terraformFix(facts: PlatformFacts): Fix {
  if (facts.os === 'macos')
    return facts.brew
      ? {
          text: 'Install Terraform from HashiCorp’s tap.',
          command: 'brew tap hashicorp/tap && brew install hashicorp/tap/terraform',
        }
      : {
          text: `Download Terraform (darwin_${facts.arm64 ? 'arm64' : 'amd64'}) from developer.hashicorp.com/terraform/install and put it on PATH.`,
        };
  if (facts.os === 'windows') return { text: 'Install Terraform.', command: 'winget install Hashicorp.Terraform' };
  if (apt(facts))
    return {
      text: `Terraform is not in ${facts.distro === 'debian' ? "Debian's" : "Ubuntu's"} archive: add HashiCorp's apt repository, then install it.${adminNote(facts)}`,
      command: hashicorpRepository(facts),
    };
  if (facts.distro === 'fedora') {
    const addRepo =
      (versionNumber(facts) ?? 0) >= 41
        ? 'dnf config-manager addrepo --from-repofile=https://rpm.releases.hashicorp.com/fedora/hashicorp.repo'
        : 'dnf config-manager --add-repo https://rpm.releases.hashicorp.com/fedora/hashicorp.repo';
    return {
      text: `Add HashiCorp's repository, then install Terraform.${adminNote(facts)}`,
      command: [`dnf install -y dnf-plugins-core`, addRepo, 'dnf install -y terraform']
        .map((step) => asAdmin(facts, step))
        .join(' && '),
    };
  }
  return linuxFix(facts, 'Install Terraform (developer.hashicorp.com/terraform/install)', { arch: 'terraform' });
}

function gcloudFix(facts: PlatformFacts): Fix {
  if (facts.os === 'macos')
    return facts.brew
      ? { text: 'Install the Google Cloud SDK.', command: 'brew install --cask google-cloud-sdk' }
      : {
          text: `Install the Google Cloud SDK (${facts.arm64 ? 'macOS ARM' : 'macOS x86_64'} archive) from cloud.google.com/sdk/docs/install.`,
        };
  if (facts.os === 'windows')
    return { text: 'Install the Google Cloud SDK.', command: 'winget install Google.CloudSDK' };
  if (apt(facts))
    return {
      text: `The Google Cloud SDK comes from Google's apt repository (it includes bq).${adminNote(facts)}`,
      command: googleCloudRepository(facts),
    };
  return { text: 'Install the Google Cloud SDK (cloud.google.com/sdk/docs/install).' };
}

/**
 * The dbt adapters for the chosen weeks: DuckDB where the syllabus's weeks use it (dez-2026's local path:
 * dbt-duckdb), else the 2022 course's Postgres and BigQuery.
 */
export function dbtAdapters(needs: Needs): string {
  return needs.tools.has('duckdb') ? 'dbt-core dbt-duckdb' : 'dbt-core dbt-postgres dbt-bigquery';
}

/** PySpark before 3.3 runs on Python 3.9 at most (the 2022 course: Spark 3.0.3 with Python 3.8/3.9). */
export function pythonTooNewForSpark(needs: Needs, python: string | undefined): boolean {
  const range = needs.tools.get('spark')?.range;
  // Only a range that ends below 3.3 (Spark 4's ">=4.0.0 <5" is not old because 3.3 is outside it).
  const oldSpark = range !== undefined && rangeEndsBelow(range, '3.3.0');
  return oldSpark && python !== undefined && !satisfiesRange(python, '<3.10');
}

/** How Spark would be installed for the weeks' range, given the Python the doctor found. */
export function sparkFix(facts: PlatformFacts, needs: Needs, env: NodeJS.ProcessEnv, python?: string): Fix {
  const range = needs.tools.get('spark')?.range ?? '';
  const spec = range ? `"pyspark${range.replace(/\s+/g, ',')}"` : 'pyspark';
  if (!pythonTooNewForSpark(needs, python))
    return pipInstall(
      facts,
      env,
      spec,
      "Install Spark for Python with pip (it bundles Spark), in the course's version.",
    );
  const text = `The course's Spark (${range}) runs on Python 3.9 at most, and this Python is ${python}: make a Python 3.9 virtualenv with uv (or pyenv: pyenv install 3.9 && pyenv local 3.9), then install PySpark there.`;
  if (facts.os === 'windows')
    return {
      text,
      command: `powershell -c "irm https://astral.sh/uv/install.ps1 | iex"; uv venv --python 3.9 .venv-spark; .venv-spark\\Scripts\\activate; uv pip install ${spec}`,
    };
  return {
    text,
    command: `curl -LsSf https://astral.sh/uv/install.sh | sh && ~/.local/bin/uv venv --python 3.9 .venv-spark && . .venv-spark/bin/activate && ~/.local/bin/uv pip install ${spec}`,
  };
}

/**
 * The distributions' own Python is 3.11 on Debian 12, 3.12 on Ubuntu 24.04: a course that wants 3.12 or
 * 3.13 (dez-2026) gets it from uv, which installs a Python per project without touching the system's.
 */
const UV_FROM = '3.12';

function pythonFix(facts: PlatformFacts, needs: Needs): Fix {
  const range = needs.tools.get('python')?.range;
  const minor = range ? lowestMinor(range) : undefined;
  if (minor && satisfiesRange(`${minor}.0`, `>=${UV_FROM}`)) {
    const text = `The course wants Python ${minor} or newer: install it with uv (the course's tool; the system Python stays as it is), then \`uv run\` or \`uv venv\` in the project use it.`;
    if (facts.os === 'windows')
      return {
        text,
        command: `powershell -ExecutionPolicy ByPass -c "irm https://astral.sh/uv/install.ps1 | iex"; uv python install ${minor}`,
      };
    return {
      text,
      command: `curl -LsSf https://astral.sh/uv/install.sh | sh && ~/.local/bin/uv python install ${minor}`,
    };
  }
  if (facts.os === 'macos')
    return facts.brew
      ? { text: 'Install Python 3.', command: 'brew install python' }
      : { text: 'Install Python 3 from python.org/downloads/macos (or install Homebrew first: brew.sh).' };
  if (facts.os === 'windows')
    return {
      text: 'Install Python 3 (in WSL: sudo apt-get install python3).',
      command: 'winget install Python.Python.3.11',
    };
  return linuxFix(facts, 'Install Python 3 with pip and venv', {
    debian: 'python3 python3-pip python3-venv',
    ubuntu: 'python3 python3-pip python3-venv',
    fedora: 'python3 python3-pip',
    arch: 'python python-pip',
  });
}

export function installFix(tool: string, facts: PlatformFacts, needs: Needs, env: NodeJS.ProcessEnv = {}): Fix {
  const mac = facts.os === 'macos';
  const windows = facts.os === 'windows';
  switch (tool) {
    case 'docker':
      return dockerFix(facts);
    case 'docker-compose':
      return composeFix(facts, needs);
    case 'docker-compose-v2':
      return composeFix(facts, needs, true);
    case 'psql':
      if (mac)
        return facts.brew
          ? { text: 'Install the PostgreSQL client (libpq).', command: 'brew install libpq && brew link --force libpq' }
          : { text: 'Install Postgres.app (postgresapp.com), or use pgcli or pgAdmin instead.' };
      if (windows)
        return {
          text: 'Install the PostgreSQL client, or use pgcli or pgAdmin instead.',
          command: 'winget install PostgreSQL.PostgreSQL',
        };
      return linuxFix(facts, 'Install the PostgreSQL client', {
        debian: 'postgresql-client',
        ubuntu: 'postgresql-client',
        fedora: 'postgresql',
        arch: 'postgresql',
      });
    case 'pgcli':
      if (apt(facts) && !env.VIRTUAL_ENV)
        return { text: `Install pgcli.${adminNote(facts)}`, command: packageCommand(facts, 'pgcli') };
      return pipInstall(facts, env, 'pgcli', 'Install pgcli with pip.');
    case 'terraform':
      return terraformFix(facts);
    case 'gcloud':
      return gcloudFix(facts);
    case 'bq':
      // The apt-installed SDK disables `gcloud components`; its package already has bq.
      if (apt(facts)) return { ...gcloudFix(facts), text: 'bq comes with the google-cloud-cli package.' };
      return {
        text: 'Install the bq component of the Cloud SDK (on Windows it is bq.cmd).',
        command: 'gcloud components install bq',
      };
    case 'python':
      return pythonFix(facts, needs);
    case 'pip':
      // Debian and Ubuntu disable ensurepip; their pip and venv are packages.
      if (apt(facts))
        return {
          text: `Install pip and venv.${adminNote(facts)}`,
          command: packageCommand(facts, 'python3-pip python3-venv'),
        };
      return {
        text: 'Install pip for your Python.',
        command: `${windows ? 'python' : 'python3'} -m ensurepip --upgrade`,
      };
    case 'java':
      return javaFix(facts, needs);
    case 'spark':
      return sparkFix(facts, needs, env);
    case 'dbt':
      return pipInstall(facts, env, dbtAdapters(needs), 'Install dbt Core with the adapters the course uses.');
    case 'git':
      if (mac) return { text: 'Install git.', command: 'xcode-select --install' };
      if (windows) return { text: 'Install git.', command: 'winget install Git.Git' };
      return linuxFix(facts, 'Install git', { debian: 'git', ubuntu: 'git', fedora: 'git', arch: 'git' });
    case 'curl':
      if (mac)
        return facts.brew
          ? { text: 'Install wget (curl comes with macOS).', command: 'brew install wget' }
          : { text: 'curl comes with macOS: use `curl -L -O <url>` where the lessons say wget.' };
      if (windows)
        return {
          text: 'Install wget, or use curl.exe (built into Windows 10+).',
          command: 'winget install JernejSimoncic.Wget',
        };
      return linuxFix(facts, 'Install curl and wget', {
        debian: 'curl wget',
        ubuntu: 'curl wget',
        fedora: 'curl wget',
        arch: 'curl wget',
      });
    default:
      return { text: `Install ${tool}.` };
  }
}
