// Terraform, the Google Cloud SDK (without paying gcloud's ~1 s start when its install tells the
// version), bq, and the service-account key the course uses.
import { realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { installFor } from '../install.js';
import type { Probe, ProbeContext, ProbeResult } from '../types.js';
import { which } from '../which.js';
import { extractVersion, parseKeyValueIni } from '../versions.js';
import { toolProbe, versionVerdict } from './tool.js';

export const terraform = toolProbe({
  id: 'terraform',
  title: 'Terraform',
  group: 'Cloud',
  tool: 'terraform',
  command: 'terraform',
  args: ['version', '-json'],
  parse: (output) => /"terraform_version"\s*:\s*"([^"]+)"/.exec(output)?.[1] ?? extractVersion(output),
});

/** The SDK's own VERSION file, next to bin/gcloud; no process needed. */
async function gcloudVersion(ctx: ProbeContext, binary: string): Promise<string | undefined> {
  try {
    const root = dirname(dirname(realpathSync(binary)));
    const fromFile = extractVersion((await ctx.readFile(join(root, 'VERSION'))) ?? '');
    if (fromFile) return fromFile;
  } catch {
    // fall through to asking gcloud itself
  }
  const run = await ctx.exec('gcloud', ['--version']);
  return /Google Cloud SDK ([\d.]+)/.exec(run.stdout)?.[1];
}

interface GcloudConfig {
  account?: string;
  project?: string;
  configuration: string;
}

/** The active configuration, read from gcloud's config folder like gcloud itself does. */
async function gcloudConfig(ctx: ProbeContext): Promise<GcloudConfig> {
  return ctx.once('gcloud-config', async () => {
    const dir =
      ctx.env.CLOUDSDK_CONFIG ||
      (ctx.platform === 'win32' ? join(ctx.env.APPDATA ?? ctx.home, 'gcloud') : join(ctx.home, '.config', 'gcloud'));
    const configuration =
      ctx.env.CLOUDSDK_ACTIVE_CONFIG_NAME ||
      ((await ctx.readFile(join(dir, 'active_config'))) ?? 'default').trim() ||
      'default';
    const ini = parseKeyValueIni((await ctx.readFile(join(dir, 'configurations', `config_${configuration}`))) ?? '');
    return {
      configuration,
      account: ctx.env.CLOUDSDK_CORE_ACCOUNT || ini.core?.account,
      project: ctx.env.CLOUDSDK_CORE_PROJECT || ini.core?.project,
    };
  });
}

export const gcloud: Probe = {
  id: 'gcloud',
  title: 'Google Cloud SDK',
  group: 'Cloud',
  tools: ['gcloud'],
  checks: '`gcloud` is installed and its version, the active account and project',
  async run(ctx): Promise<ProbeResult> {
    const binary = which('gcloud', ctx.env, ctx.platform);
    const fix = await installFor(ctx, 'gcloud');
    if (!binary) return { status: 'fail', detail: '`gcloud` is not on PATH', fix };
    const version = await gcloudVersion(ctx, binary);
    const verdict = versionVerdict(ctx, 'gcloud', version, binary, fix);
    if (verdict.status === 'fail') return verdict;
    const config = await gcloudConfig(ctx);
    const details = [
      `configuration: ${config.configuration}`,
      `account: ${config.account ?? '(none)'}`,
      `project: ${config.project ?? '(none)'}`,
    ];
    if (!config.account) {
      return {
        ...verdict,
        status: 'warn',
        detail: `${version ?? ''} — no active account`.trim(),
        details,
        fix: { text: 'Log in (or activate the course service account).', command: 'gcloud auth login' },
      };
    }
    if (!config.project) {
      return {
        ...verdict,
        status: 'warn',
        detail: `${version ?? ''} — ${config.account}, but no project set`.trim(),
        details,
        fix: { text: 'Set your project by its ID (not its name).', command: 'gcloud config set project <PROJECT_ID>' },
      };
    }
    return { ...verdict, detail: `${config.account}, project ${config.project}`, details };
  },
};

export const bq: Probe = {
  id: 'bq',
  title: 'bq',
  group: 'Cloud',
  tools: ['bq'],
  checks: 'the BigQuery CLI `bq` is on PATH',
  async run(ctx) {
    const binary = which('bq', ctx.env, ctx.platform);
    return binary
      ? { status: 'ok', detail: binary }
      : { status: 'fail', detail: '`bq` is not on PATH', fix: await installFor(ctx, 'bq') };
  },
};

interface ServiceAccountKey {
  type?: unknown;
  project_id?: unknown;
  client_email?: unknown;
  private_key?: unknown;
}

/** Checks one key file; never prints its secrets. */
async function checkKeyFile(ctx: ProbeContext, path: string, origin: string): Promise<ProbeResult> {
  let mode: number;
  try {
    const info = statSync(path);
    if (!info.isFile())
      return {
        status: 'fail',
        detail: `${origin} (${path}) is not a file`,
        fix: { text: 'Point it at the JSON key you downloaded for the course service account.' },
      };
    mode = info.mode;
  } catch {
    return {
      status: 'fail',
      detail: `${origin} points at ${path}, which does not exist`,
      fix: {
        text: 'Download a JSON key for your service account (IAM → Service accounts → Keys) and point at it.',
        command: `export GOOGLE_APPLICATION_CREDENTIALS=~/.google/credentials/google_credentials.json`,
      },
    };
  }
  const text = await ctx.readFile(path);
  let key: ServiceAccountKey;
  try {
    key = JSON.parse(text ?? '') as ServiceAccountKey;
  } catch {
    return {
      status: 'fail',
      detail: `${path} is not valid JSON`,
      fix: { text: 'Download the key again as JSON from the Cloud console.' },
    };
  }
  if (typeof key !== 'object' || key === null || key.type !== 'service_account') {
    return {
      status: 'fail',
      detail: `${path} is not a service-account key (type ${JSON.stringify((key as ServiceAccountKey | null)?.type ?? null)})`,
      fix: {
        text: 'The course needs a service-account key (IAM → Service accounts → Keys → Add key → JSON), not user credentials.',
      },
    };
  }
  const missing = (['project_id', 'client_email', 'private_key'] as const).filter(
    (field) => typeof key[field] !== 'string' || key[field] === '',
  );
  if (missing.length > 0) {
    return {
      status: 'fail',
      detail: `${path} lacks ${missing.join(', ')}`,
      fix: { text: 'Download a fresh JSON key; this one is incomplete.' },
    };
  }
  const project = key.project_id as string;
  const details = [`key: ${path}`, `project_id: ${project}`, `client_email: ${key.client_email as string}`];
  if (ctx.platform !== 'win32' && (mode & 0o077) !== 0) {
    return {
      status: 'warn',
      detail: `${path} can be read by other users (mode ${(mode & 0o777).toString(8)})`,
      details,
      fix: {
        text: 'Make the key readable by you only.',
        command: `chmod 600 ${path}`,
        auto: { kind: 'chmod-600', path },
      },
    };
  }
  const gcloudProject = (await gcloudConfig(ctx)).project;
  if (gcloudProject && gcloudProject !== project) {
    return {
      status: 'warn',
      detail: `the key is for project ${project}, but gcloud uses ${gcloudProject}`,
      details,
      fix: { text: 'Use one project for both.', command: `gcloud config set project ${project}` },
    };
  }
  return { status: 'ok', detail: `service account key for project ${project}`, details };
}

const WEEK2_KEY = ['.google', 'credentials', 'google_credentials.json'];

/** A key a chosen week's stack reads through a bind, as a host file (the first one; week 2's Airflow). */
interface StackKey {
  file: string;
  /** As a student reads it: ~/… under home. */
  shown: string;
  week: number;
  stack: string;
  withoutIt: string;
}

function stackKey(ctx: ProbeContext): StackKey | undefined {
  const key = ctx.needs.mountedKeys?.[0];
  if (!key) return undefined;
  const base = key.from === 'home' ? ctx.home : (ctx.workspaceRoot ?? ctx.cwd);
  return {
    file: join(base, ...key.path.split('/')),
    shown: key.from === 'home' ? `~/${key.path}` : join(base, ...key.path.split('/')),
    week: key.week,
    stack: key.stack,
    withoutIt: key.withoutIt ?? 'the DAGs that use GCP (GCS uploads, BigQuery) find no key',
  };
}

const quoted = (path: string) => (/\s/.test(path) ? `"${path}"` : path);

/**
 * GOOGLE_APPLICATION_CREDENTIALS names a good key, but the stack mounts another place where there is
 * none: the containers cannot see the student's variable, only that folder.
 */
function keyNotWhereStackReads(result: ProbeResult, key: StackKey, fromEnv: string): ProbeResult {
  const folder = dirname(key.file);
  const copy = `cp ${quoted(fromEnv)} ${quoted(key.file)}`;
  return {
    status: 'warn',
    detail: `${result.detail}; but week ${key.week}'s stack (${key.stack}) reads ${key.shown}, which is missing: ${key.withoutIt}`,
    details: result.details,
    fix: statSafe(folder)
      ? { text: 'Copy your key to where the stack mounts it (read-only in the containers).', command: copy }
      : {
          text: `Create the folder the stack mounts, then copy your key into it: ${copy}`,
          command: `mkdir -p -m 700 ${quoted(folder)}`,
          auto: { kind: 'mkdir-700', path: folder },
        },
  };
}

export const gcpCredentials: Probe = {
  id: 'gcp-credentials',
  title: 'GCP credentials',
  group: 'Cloud',
  tools: ['gcloud', 'terraform'],
  checks:
    "GOOGLE_APPLICATION_CREDENTIALS (set, exists, a service-account key with project_id, client_email and private_key, not readable by others, same project as gcloud) and the key the weeks' stacks mount (week 2's Airflow: ~/.google/credentials/google_credentials.json; missing is a warning that says what will not work)",
  async run(ctx) {
    const fromEnv = ctx.env.GOOGLE_APPLICATION_CREDENTIALS;
    const mounted = stackKey(ctx);
    const week2Key = mounted?.file ?? join(ctx.home, ...WEEK2_KEY);
    if (fromEnv) {
      const result = await checkKeyFile(ctx, fromEnv, 'GOOGLE_APPLICATION_CREDENTIALS');
      // The key's own problem (a too-open key: its chmod fix) comes first; where the stack reads it, after.
      if (!mounted || result.status !== 'ok' || statSafe(mounted.file) || resolve(fromEnv) === resolve(mounted.file))
        return result;
      return keyNotWhereStackReads(result, mounted, fromEnv);
    }
    const week2 = await checkKeyFile(
      ctx,
      week2Key,
      mounted ? `the key week ${mounted.week}'s stack reads` : 'the usual key path',
    );
    if (week2.status !== 'fail' || statSafe(week2Key)) {
      return {
        ...week2,
        detail: `GOOGLE_APPLICATION_CREDENTIALS is not set; ${week2.detail}`,
        status: week2.status === 'ok' ? 'warn' : week2.status,
        fix: week2.fix ?? {
          text: 'Point GOOGLE_APPLICATION_CREDENTIALS at it.',
          command: `export GOOGLE_APPLICATION_CREDENTIALS=${week2Key}`,
        },
      };
    }
    const folder = dirname(week2Key);
    return {
      status: 'warn',
      detail: `GOOGLE_APPLICATION_CREDENTIALS is not set and there is no key at ${mounted?.shown ?? '~/.google/credentials/google_credentials.json'}${mounted ? `: ${mounted.withoutIt}` : ''}`,
      fix: statSafe(folder)
        ? {
            text: 'Download a JSON key for your service account, save it there and point at it.',
            command: `export GOOGLE_APPLICATION_CREDENTIALS=${week2Key}`,
          }
        : {
            text: mounted
              ? `Create the folder week ${mounted.week}'s stack (${mounted.stack}) mounts, then save your service-account key in it.`
              : 'Create the folder for your service-account key, then save the key in it and point GOOGLE_APPLICATION_CREDENTIALS at it.',
            command: `mkdir -p -m 700 ${folder}`,
            auto: { kind: 'mkdir-700', path: folder },
          },
    };
  },
};

function statSafe(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
