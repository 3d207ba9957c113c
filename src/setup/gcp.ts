// The student's GCP project and bucket for a stack whose env says {gcp.project} or {gcp.bucket} (week 2's
// Airflow: GCP_PROJECT_ID, GCP_GCS_BUCKET). The course's compose file carries the instructor's project;
// dec fills in the student's: --gcp-project/--gcp-bucket, else what a run remembered, else the project
// of their gcloud config (read from its files, no gcloud process) with the course's Terraform bucket
// name dtc_data_lake_<project>. The values travel as --env would: per service, remembered once applied.
import { join } from 'node:path';
import { DecError } from '../errors.js';
import type { Stack } from '../syllabus/schema.js';
import { readTextIfExists } from '../util/fs.js';
import type { Overrides } from './spec.js';

const PROJECT = '{gcp.project}';
const BUCKET = '{gcp.bucket}';

/** The course's Terraform names the lake bucket after the project (week 1's variables.tf). */
function defaultBucket(project: string): string {
  return `dtc_data_lake_${project}`;
}

export interface GcpFlags {
  gcpProject?: string;
  gcpBucket?: string;
}

/** GCP's rule: 6 to 30 lowercase letters, digits and dashes, starting with a letter, not ending with a dash. */
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** Bucket names: 3 to 63 lowercase letters, digits, dashes, underscores and dots. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;

/** The env vars of the stack that name the project or bucket: service → var → the syllabus's value. */
function gcpVars(stack: Stack): Array<{ service: string; name: string; value: string }> {
  return Object.entries(stack.services).flatMap(([service, spec]) =>
    Object.entries(spec.env ?? {})
      .filter(([, value]) => value.includes(PROJECT) || value.includes(BUCKET))
      .map(([name, value]) => ({ service, name, value })),
  );
}

function checkFlags(flags: GcpFlags, stackId: string, stack: Stack): void {
  const given = flags.gcpProject !== undefined ? '--gcp-project' : flags.gcpBucket !== undefined ? '--gcp-bucket' : '';
  if (given && gcpVars(stack).length === 0)
    throw new DecError(`${given}: the ${stackId} stack uses no GCP project or bucket.`, {
      hint: `Leave it out: dec setup ${stackId}`,
    });
  if (flags.gcpProject !== undefined && !PROJECT_ID.test(flags.gcpProject))
    throw new DecError(`--gcp-project: "${flags.gcpProject}" is not a GCP project id.`, {
      hint: 'A project id is 6 to 30 lowercase letters, digits and dashes, starting with a letter (gcloud projects list shows yours).',
    });
  if (flags.gcpBucket !== undefined && !BUCKET_NAME.test(flags.gcpBucket))
    throw new DecError(`--gcp-bucket: "${flags.gcpBucket}" is not a bucket name.`, {
      hint: 'A bucket name is 3 to 63 lowercase letters, digits, dashes, underscores and dots, e.g. dtc_data_lake_<project id>.',
    });
}

/**
 * The --env assignments that give the stack's GCP vars their values for this run: a var is set from the
 * flags when they name what it holds, kept as remembered when it has a value, else set from `detected`
 * (the gcloud config's project; empty when there is none, so the DAG never sees a placeholder).
 * `missing` says the project is still unknown (the caller warns).
 */
export function gcpEnv(
  stackId: string,
  stack: Stack,
  remembered: Overrides,
  flags: GcpFlags,
  detected: string | undefined,
): { env: string[]; missing: boolean } {
  checkFlags(flags, stackId, stack);
  const vars = gcpVars(stack);
  if (vars.length === 0) return { env: [], missing: false };
  const project = flags.gcpProject ?? detected ?? '';
  const bucket = flags.gcpBucket ?? (project ? defaultBucket(project) : '');
  const env: string[] = [];
  let missing = false;
  for (const { service, name, value } of vars) {
    const named =
      (value.includes(PROJECT) && flags.gcpProject !== undefined) ||
      (value.includes(BUCKET) && (flags.gcpBucket !== undefined || flags.gcpProject !== undefined));
    const kept = remembered.env[service]?.[name];
    if (!named && kept !== undefined && kept !== '') continue;
    if (value.includes(PROJECT) && !project) missing = true;
    if (value.includes(BUCKET) && !bucket) missing = true;
    env.push(`${service}.${name}=${value.split(PROJECT).join(project).split(BUCKET).join(bucket)}`);
  }
  return { env, missing };
}

/** Whether the stack names a GCP project anywhere (so setup looks one up). */
export function usesGcp(stack: Stack): boolean {
  return gcpVars(stack).length > 0;
}

/**
 * The project of the student's active gcloud configuration, read from gcloud's own files (as
 * `gcloud config get-value project` would answer): CLOUDSDK_CORE_PROJECT, else the [core] project of
 * configurations/config_<active> in CLOUDSDK_CONFIG (default ~/.config/gcloud, %APPDATA%\gcloud on Windows).
 */
export async function gcloudProject(
  env: NodeJS.ProcessEnv,
  home: string,
  platform: NodeJS.Platform,
): Promise<string | undefined> {
  const fromEnv = env.CLOUDSDK_CORE_PROJECT?.trim();
  if (fromEnv) return fromEnv;
  // Unreadable files mean no answer, not a failed setup: the project can always be given as a flag.
  return readGcloudProject(env, home, platform).catch(() => undefined);
}

async function readGcloudProject(
  env: NodeJS.ProcessEnv,
  home: string,
  platform: NodeJS.Platform,
): Promise<string | undefined> {
  const folder =
    env.CLOUDSDK_CONFIG ??
    (platform === 'win32'
      ? join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'gcloud')
      : join(home, '.config', 'gcloud'));
  const active =
    env.CLOUDSDK_ACTIVE_CONFIG_NAME?.trim() ||
    (await readTextIfExists(join(folder, 'active_config'), "gcloud's active configuration"))?.trim() ||
    'default';
  // A configuration name is a file name part: nothing that could leave the folder.
  if (!/^[A-Za-z0-9_-]+$/.test(active)) return undefined;
  const config = await readTextIfExists(join(folder, 'configurations', `config_${active}`), 'the gcloud configuration');
  return config === undefined ? undefined : iniValue(config, 'core', 'project');
}

/** One value of an INI file (gcloud's format): `key = value` under `[section]`. */
function iniValue(text: string, section: string, key: string): string | undefined {
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) current = header[1]!.trim();
    else if (current === section) {
      const match = /^([^=:]+)[=:](.*)$/.exec(line);
      if (match && match[1]!.trim() === key) return match[2]!.trim() || undefined;
    }
  }
  return undefined;
}
