// How to install each tool, per platform. One line of text plus the exact command where there is one.
import type { Fix } from './types.js';

type PlatformFix = Partial<Record<'linux' | 'darwin' | 'win32', Fix>> & { any?: Fix };

const INSTALL: Record<string, PlatformFix> = {
  docker: {
    linux: {
      text: 'Install Docker Engine (Debian/Ubuntu package shown; see docs.docker.com/engine/install).',
      command: 'sudo apt-get install -y docker.io',
    },
    darwin: { text: 'Install Docker Desktop and start it once.', command: 'brew install --cask docker' },
    win32: {
      text: 'Install Docker Desktop with the WSL 2 backend, then use it from WSL.',
      command: 'winget install Docker.DockerDesktop',
    },
  },
  'docker-compose': {
    linux: {
      text: 'Install the Compose v2 plugin (`docker compose`).',
      command: 'sudo apt-get install -y docker-compose-plugin',
    },
    darwin: { text: 'Compose v2 comes with Docker Desktop; update Docker Desktop.' },
    win32: { text: 'Compose v2 comes with Docker Desktop; update Docker Desktop.' },
  },
  psql: {
    linux: { text: 'Install the PostgreSQL client.', command: 'sudo apt-get install -y postgresql-client' },
    darwin: {
      text: 'Install the PostgreSQL client (libpq).',
      command: 'brew install libpq && brew link --force libpq',
    },
    win32: {
      text: 'Install the PostgreSQL client, or use pgcli or pgAdmin instead.',
      command: 'winget install PostgreSQL.PostgreSQL',
    },
  },
  pgcli: { any: { text: 'Install pgcli with pip (in your course virtualenv).', command: 'pip install pgcli' } },
  terraform: {
    linux: {
      text: 'Install Terraform (developer.hashicorp.com/terraform/install).',
      command: 'sudo apt-get install -y terraform',
    },
    darwin: { text: 'Install Terraform.', command: 'brew install hashicorp/tap/terraform' },
    win32: { text: 'Install Terraform.', command: 'winget install Hashicorp.Terraform' },
  },
  gcloud: {
    linux: {
      text: 'Install the Google Cloud SDK (cloud.google.com/sdk/docs/install).',
      command: 'sudo apt-get install -y google-cloud-cli',
    },
    darwin: { text: 'Install the Google Cloud SDK.', command: 'brew install --cask google-cloud-sdk' },
    win32: { text: 'Install the Google Cloud SDK.', command: 'winget install Google.CloudSDK' },
  },
  bq: {
    any: {
      text: 'Install the bq component of the Cloud SDK (on Windows it is bq.cmd).',
      command: 'gcloud components install bq',
    },
  },
  python: {
    linux: {
      text: 'Install Python 3 with pip and venv.',
      command: 'sudo apt-get install -y python3 python3-pip python3-venv',
    },
    darwin: { text: 'Install Python 3.', command: 'brew install python' },
    win32: {
      text: 'Install Python 3 (in WSL: sudo apt-get install python3).',
      command: 'winget install Python.Python.3.11',
    },
  },
  pip: { any: { text: 'Install pip for your Python.', command: 'python3 -m ensurepip --upgrade' } },
  java: {
    linux: {
      text: 'Install a JDK that Spark supports (11 for Spark 3.0–3.3).',
      command: 'sudo apt-get install -y openjdk-11-jdk',
    },
    darwin: { text: 'Install a JDK that Spark supports (11 for Spark 3.0–3.3).', command: 'brew install openjdk@11' },
    win32: {
      text: 'Install a JDK that Spark supports (11 for Spark 3.0–3.3).',
      command: 'winget install EclipseAdoptium.Temurin.11.JDK',
    },
  },
  spark: {
    any: {
      text: "Install Spark for Python with pip (bundles Spark), matching the course's version.",
      command: 'pip install "pyspark>=3.0.3,<3.3"',
    },
  },
  dbt: {
    any: {
      text: 'Install dbt Core with the adapters the course uses.',
      command: 'pip install dbt-core dbt-postgres dbt-bigquery',
    },
  },
  git: {
    linux: { text: 'Install git.', command: 'sudo apt-get install -y git' },
    darwin: { text: 'Install git.', command: 'xcode-select --install' },
    win32: { text: 'Install git.', command: 'winget install Git.Git' },
  },
  curl: {
    linux: { text: 'Install curl or wget.', command: 'sudo apt-get install -y curl wget' },
    darwin: { text: 'Install wget (curl comes with macOS).', command: 'brew install wget' },
    win32: {
      text: 'Install wget, or use curl.exe (built into Windows 10+).',
      command: 'winget install JernejSimoncic.Wget',
    },
  },
};

export function installFix(tool: string, platform: NodeJS.Platform): Fix {
  const entry = INSTALL[tool];
  const key = platform === 'darwin' || platform === 'win32' ? platform : 'linux';
  return entry?.[key] ?? entry?.any ?? { text: `Install ${tool}.` };
}
