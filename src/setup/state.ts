// The overrides a student gave `dec setup` (--port, --image, --env, --expose), remembered per syllabus and
// stack so that status, the printed connection details and the next setup use them. They may hold
// passwords: the file is 0600 in a 0700 folder.
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_PROJECT, projectFromEnv } from '../docker/client.js';
import { DecError } from '../errors.js';
import { stateDir } from '../paths.js';
import { readTextIfExists, writeFileAtomic } from '../util/fs.js';
import type { Course } from '../syllabus/course.js';
import { hostIds } from './binds.js';
import type { ResolvedContext } from './build.js';
import {
  desiredStack,
  noOverrides,
  withSecretsFromEnv,
  type DesiredStack,
  type Overrides,
  type StackLinks,
} from './spec.js';
import { UPDATE_COMMAND } from '../version.js';

const OVERRIDES_FORMAT = 1;

interface OverridesFile extends Overrides {
  version: number;
}

/** One file per syllabus and stack; a project other than dec's default keeps its own (DEC_PROJECT). */
export function overridesPath(env: NodeJS.ProcessEnv, syllabusId: string, stack: string): string {
  const project = projectFromEnv(env);
  // A folder of its own: "p" + "dez-2022" must not meet the default project's syllabus "p-dez-2022".
  const folder = project === DEFAULT_PROJECT ? 'stacks' : join('stacks', project);
  return join(stateDir(env), folder, `${syllabusId}-${stack}.json`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The overrides, or why the file is unusable. Missing maps are empty; wrong types are damage. */
function decode(text: string): OverridesFile | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return 'it is not valid JSON';
  }
  if (!isRecord(data)) return 'it is not a JSON object';
  const { version, ports = {}, images = {}, env = {}, expose = false, optional = [], replicas } = data;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return 'it has no valid "version"';
  if (version > OVERRIDES_FORMAT) return { version, ...noOverrides() };
  if (!isRecord(ports)) return '"ports" is not an object';
  for (const [service, port] of Object.entries(ports)) {
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      return `"ports.${service}" is not a port number (1-65535)`;
    }
  }
  if (!isRecord(images)) return '"images" is not an object';
  for (const [service, image] of Object.entries(images)) {
    if (typeof image !== 'string' || image.trim() === '') return `"images.${service}" is not an image reference`;
  }
  if (!isRecord(env)) return '"env" is not an object';
  for (const [service, vars] of Object.entries(env)) {
    if (!isRecord(vars)) return `"env.${service}" is not an object`;
    for (const [name, value] of Object.entries(vars)) {
      if (typeof value !== 'string') return `"env.${service}.${name}" is not a string`;
    }
  }
  if (typeof expose !== 'boolean') return '"expose" is not true or false';
  if (!Array.isArray(optional) || !optional.every((name) => typeof name === 'string'))
    return '"optional" is not a list of service names';
  // --workers (week 5), written only once given.
  if (replicas !== undefined) {
    if (!isRecord(replicas)) return '"replicas" is not an object';
    for (const [service, count] of Object.entries(replicas)) {
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
        return `"replicas.${service}" is not a whole number of containers`;
      }
    }
  }
  return {
    version,
    ...(optional.length > 0 ? { optional: optional as string[] } : {}),
    ports: ports as Record<string, number>,
    images: images as Record<string, string>,
    env: env as Record<string, Record<string, string>>,
    expose,
    ...(replicas !== undefined ? { replicas: replicas as Record<string, number> } : {}),
  };
}

/** The remembered overrides; none when the file does not exist. A damaged file is an error, not a reset. */
export async function readOverrides(env: NodeJS.ProcessEnv, syllabusId: string, stack: string): Promise<Overrides> {
  const path = overridesPath(env, syllabusId, stack);
  const text = await readTextIfExists(path, 'saved setup settings');
  if (text === undefined) return noOverrides();
  const decoded = decode(text);
  if (typeof decoded === 'string') {
    throw new DecError(`The saved settings of the stack ${stack} in ${path} are damaged: ${decoded}.`, {
      hint: `Delete the file (rm "${path}") and run dec setup again, with your --port, --image and --env flags if you used any.`,
    });
  }
  if (decoded.version > OVERRIDES_FORMAT) {
    throw new DecError(
      `The saved settings of the stack ${stack} in ${path} were written by a newer dec (format ${decoded.version}).`,
      { hint: `Update dec (${UPDATE_COMMAND}), or delete the file to start from the syllabus settings.` },
    );
  }
  const { ports, images, env: vars, expose, optional, replicas } = decoded;
  return {
    ports,
    images,
    env: vars,
    expose,
    ...(optional ? { optional } : {}),
    ...(replicas !== undefined ? { replicas } : {}),
  };
}

/** Writes the overrides atomically, 0600, in a 0700 folder. */
export async function saveOverrides(
  env: NodeJS.ProcessEnv,
  syllabusId: string,
  stack: string,
  overrides: Overrides,
): Promise<void> {
  const path = overridesPath(env, syllabusId, stack);
  const folder = dirname(path);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // An existing folder keeps its mode on mkdir; this one is ours and may hold passwords.
    chmodSync(folder, 0o700);
  } catch (error) {
    throw new DecError(`Cannot create the folder ${folder}: ${(error as Error).message}`, {
      hint: 'Check the permissions of the dec state folder, or point DEC_HOME at a folder you own.',
      cause: error,
    });
  }
  const file: OverridesFile = {
    version: OVERRIDES_FORMAT,
    ports: overrides.ports,
    images: overrides.images,
    env: overrides.env,
    expose: overrides.expose,
    // The optional services turned on (--with); left out when none, as before there were any.
    ...(overrides.optional?.length ? { optional: overrides.optional } : {}),
    ...(overrides.replicas !== undefined && Object.keys(overrides.replicas).length > 0
      ? { replicas: overrides.replicas }
      : {}),
  };
  await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, 0o600);
}

/**
 * The stack as dec runs it with these settings: the syllabus's stack, the overrides, the secrets given
 * in the environment for this run (DEC_<SERVICE>_<VAR>) and the project (DEC_PROJECT).
 */
export function stackWith(
  env: NodeJS.ProcessEnv,
  course: Pick<Course, 'id' | 'stacks'>,
  stackId: string,
  overrides: Overrides,
  builds?: Record<string, ResolvedContext>,
  roots?: StackLinks['roots'],
  socket?: string,
): DesiredStack {
  const stack = course.stacks[stackId];
  if (!stack) throw new Error(`the syllabus has no stack ${stackId}`);
  return desiredStack(
    stackId,
    stack,
    course.id,
    withSecretsFromEnv(overrides, stack, env),
    projectFromEnv(env),
    // The student's ids also under sudo (SUDO_UID/SUDO_GID), as the folders they own.
    hostIds(env),
    builds,
    { roots, stacks: course.stacks, socket },
  );
}

/**
 * The one answer to "the stack as it actually runs": its remembered flags (the ones a run applied),
 * environment secrets and project. setup, setup status, the doctor's port checks, data load and
 * homework check all ask here, so none of them uses a port or password the containers do not have.
 */
export async function runningStack(
  env: NodeJS.ProcessEnv,
  course: Pick<Course, 'id' | 'stacks'>,
  stackId: string,
): Promise<DesiredStack> {
  return stackWith(env, course, stackId, await readOverrides(env, course.id, stackId));
}
