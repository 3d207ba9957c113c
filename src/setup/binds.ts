// What a stack needs of the host besides the engine: the student's folders it mounts (made when missing,
// owned by the student also under sudo, never outside their base folder, symlinks included, and never
// deleted by dec), the engine's socket for a service that controls Docker, and the other stacks'
// networks it joins (there, or a clear word on how to start them).
import { chown, lstat, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { resolveDockerEndpoint, type DockerClient, type DockerEndpoint } from '../docker/client.js';
import type { Stack } from '../syllabus/schema.js';
import type { StackPlan } from './plan.js';
import { DecError, ExitCode } from '../errors.js';
import type { DesiredBind, DesiredService, HostIds } from './spec.js';

/** Who owns the folders dec makes; undefined: whoever runs dec (they are theirs already). */
export interface FolderOwner {
  uid: number;
  gid: number;
}

/**
 * The student behind `sudo dec setup …`: folders made as root would be root's, and the student could not
 * write their own dags. SUDO_UID/SUDO_GID say who they are; without sudo the current user is the owner.
 */
export function folderOwner(
  env: NodeJS.ProcessEnv,
  uid: number | undefined = process.getuid?.(),
): FolderOwner | undefined {
  if (uid !== 0) return undefined;
  const sudoUid = Number(env.SUDO_UID);
  const sudoGid = Number(env.SUDO_GID);
  if (!Number.isInteger(sudoUid) || sudoUid <= 0) return undefined;
  return { uid: sudoUid, gid: Number.isInteger(sudoGid) && sudoGid >= 0 ? sudoGid : sudoUid };
}

/**
 * {host.uid}/{host.gid} of the stack (a service's `user`, the course's AIRFLOW_UID): the student's ids,
 * also behind sudo, so the containers write their folders as the same user that owns them (folderOwner).
 */
export function hostIds(
  env: NodeJS.ProcessEnv,
  uid: number | undefined = process.getuid?.(),
  gid: number | undefined = process.getgid?.(),
): HostIds {
  return folderOwner(env, uid) ?? { uid, gid };
}

function inside(base: string, path: string): boolean {
  const rel = relative(base, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function escapes(bind: DesiredBind, service: string, why: string): DecError {
  return new DecError(
    `The folder ${bind.path} that ${service} mounts ${why}; dec mounts only folders inside ${bind.base}.`,
    {
      hint: `Make ${bind.source} a real folder inside ${bind.base} (not a link to somewhere else), then run again.`,
    },
  );
}

/** What preparing the folders did: the folders made, and warnings for folders allowed to be missing. */
export interface PreparedFolders {
  created: string[];
  warnings: string[];
}

/**
 * Makes each missing folder of the bind, one level at a time (so each gets the student as owner), and
 * refuses one that is, or passes through, a link out of its base folder. Checked before anything is made.
 */
async function prepareBind(bind: DesiredBind, service: string, owner: FolderOwner | undefined): Promise<string[]> {
  if (!inside(bind.base, bind.source)) throw escapes(bind, service, 'is outside its base folder');
  const realBase = await realpath(bind.base).catch(() => {
    throw new DecError(`The base folder ${bind.base} of ${service}'s mount ${bind.path} does not exist.`, {
      hint: bind.from === 'home' ? 'Check HOME.' : 'Run dec setup from your course folder (dec init makes one).',
    });
  });
  const made: string[] = [];
  let current = bind.base;
  for (const part of relative(bind.base, bind.source).split(sep).filter(Boolean)) {
    current = join(current, part);
    const found = await lstat(current).catch(() => undefined);
    if (!found) {
      await mkdir(current, { mode: 0o755 });
      if (owner) await chown(current, owner.uid, owner.gid);
      made.push(current);
      continue;
    }
    if (found.isSymbolicLink() && !inside(realBase, await realpath(current)))
      throw escapes(bind, service, `passes through ${current}, a link that leads out of ${bind.base}`);
    if (!(await stat(current)).isDirectory())
      throw new DecError(`${current} is a file, and ${service} mounts it as a folder (${bind.target}).`, {
        hint: 'Move the file away, then run again (dec makes the folder).',
      });
  }
  return made;
}

/** The folders of the services this run starts: made and checked before the engine is asked for anything. */
export async function prepareFolders(
  services: readonly DesiredService[],
  owner: FolderOwner | undefined,
): Promise<PreparedFolders> {
  const created: string[] = [];
  const warnings: string[] = [];
  for (const service of services) {
    for (const bind of service.binds) {
      const made = await prepareBind(bind, service.service, owner);
      created.push(...made);
      if (bind.ifMissing === 'warn' && (made.length > 0 || (await readdir(bind.source)).length === 0))
        warnings.push(
          `${bind.source} is empty${made.length > 0 ? ' (dec made it)' : ''}: ${bind.withoutIt ?? `${service.service} finds nothing at ${bind.target}`}. Put the files there; ${service.service} sees them without a restart.`,
        );
    }
  }
  return { created, warnings };
}

/** Where a service that controls Docker mounts the engine's socket. */
export const DOCKER_SOCKET_TARGET = '/var/run/docker.sock';

/**
 * The socket a stack's `dockerSocket` services would mount: that of the engine dec talks to (DOCKER_HOST,
 * the context, the platform's default), when it is a unix socket; none for a stack without such a service.
 * It is part of their config hash, so another socket recreates them.
 */
export async function stackSocket(
  stack: Stack,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  home: string,
): Promise<string | undefined> {
  if (!Object.values(stack.services).some((service) => service.dockerSocket)) return undefined;
  const endpoint = await resolveDockerEndpoint(env, platform, home);
  return endpoint.url.startsWith('unix://') ? endpoint.url.slice('unix://'.length) : undefined;
}

/** The socket file of the engine dec talks to; only a unix socket can be mounted into a container. */
export function dockerSocketPath(endpoint: DockerEndpoint, service: string): string {
  if (endpoint.url.startsWith('unix://')) return endpoint.url.slice('unix://'.length);
  throw new DecError(
    `${service} needs the Docker engine's socket mounted, and dec talks to the engine at ${endpoint.url} (${endpoint.source}), which is not a unix socket on this machine.`,
    {
      hint: 'Use a local engine through its unix socket (unset DOCKER_HOST, or docker context use default), then run again.',
    },
  );
}

/**
 * The other stacks' networks the services this run starts join: a missing required one stops the run
 * before anything is made; a missing optional one is a warning. Answers the networks there are.
 */
export async function checkJoinedNetworks(
  client: DockerClient,
  services: readonly DesiredService[],
): Promise<{ present: Set<string>; warnings: string[] }> {
  const present = new Set<string>();
  const warnings: string[] = [];
  const missing: string[] = [];
  for (const service of services) {
    for (const joined of service.networks) {
      if (present.has(joined.network) || (await client.networkExists(joined.network))) {
        present.add(joined.network);
        continue;
      }
      const what = `${service.service} joins the network ${joined.network} of the ${joined.stack} stack, which is not set up`;
      if (joined.optional)
        warnings.push(
          `${what}: ${service.service} starts without it (dec setup ${joined.stack}, then run this again).`,
        );
      else missing.push(`  ${what}`);
    }
  }
  if (missing.length > 0) {
    const stacks = [
      ...new Set(
        services.flatMap((s) => s.networks.filter((n) => !n.optional && !present.has(n.network)).map((n) => n.stack)),
      ),
    ];
    throw new DecError(`Cannot start: ${stacks.length === 1 ? 'another stack is' : 'other stacks are'} not set up.`, {
      details: missing,
      hint: `Start ${stacks.length === 1 ? 'it' : 'them'} first: ${stacks.map((s) => `dec setup ${s}`).join(', then ')}. Nothing was changed.`,
      exitCode: ExitCode.problems,
    });
  }
  return { present, warnings };
}

/**
 * The folders a run would make, and kept containers that are not yet on another stack's network that is
 * there now (that stack was set up after this one): a re-run joins them, so it is not "nothing to
 * change". Lines for --dry-run.
 */
export async function hostChanges(client: DockerClient, plan: StackPlan): Promise<string[]> {
  const lines: string[] = [];
  // --dry-run: the folders a run would make (those of the services it starts), each once (week 2's
  // Airflow services share theirs).
  for (const action of plan.services.filter((a) => a.kind !== 'keep' && a.kind !== 'differs'))
    for (const bind of action.service.binds) {
      const line = `make the folder ${bind.source}`;
      if (!lines.includes(line) && !(await stat(bind.source).catch(() => undefined))) lines.push(line);
    }
  for (const action of plan.services) {
    if (action.kind !== 'keep') continue;
    for (const joined of action.service.networks) {
      if (action.container.networks?.includes(joined.network) || !(await client.networkExists(joined.network)))
        continue;
      lines.push(`connect ${action.service.containerName} to the network ${joined.network} (${joined.stack})`);
    }
  }
  return lines;
}
