// What kind of machine the doctor's fixes are printed for: the OS and its distribution and version,
// WSL, Apple Silicon, Homebrew, root and sudo. Read once per run (ctx.once) through the ProbeContext,
// so unit tests give recorded facts (os-release files, `sw_vers`, `uname -m`, /proc/version).
import type { ProbeContext } from './types.js';
import { which } from './which.js';

type Distro = 'debian' | 'ubuntu' | 'fedora' | 'arch' | 'other';

export interface PlatformFacts {
  os: 'linux' | 'macos' | 'windows' | 'other';
  /** Linux only: the distribution family from /etc/os-release (ID, then ID_LIKE). */
  distro?: Distro;
  /** Linux: VERSION_ID ("12", "22.04", "40"); macOS: `sw_vers -productVersion` ("14.5"). */
  version?: string;
  /** The apt codename for Debian and Ubuntu (Ubuntu derivatives give Ubuntu's), e.g. "bookworm". */
  codename?: string;
  /** PRETTY_NAME, for messages. */
  name?: string;
  /** Linux under Windows: WSL 1 or 2. */
  wsl?: 1 | 2;
  /** The CPU is arm64 (Apple Silicon, Graviton, Raspberry Pi): amd64-only images need emulation. */
  arm64: boolean;
  /** macOS with Homebrew (`brew` runs). */
  brew: boolean;
  /** dec runs as root (uid 0): fixes need no sudo, and root usually has none. */
  root: boolean;
  /** `sudo` is installed (only asked when not root). */
  sudo: boolean;
}

/** Who runs dec, as far as commands needing administrator rights go. */
export type Admin = Pick<PlatformFacts, 'root' | 'sudo'>;

/** Who runs dec and on which CPU, for commands outside the doctor (setup's deps); tests give recorded facts. */
export interface HostFacts {
  /** The user id dec runs as (0: root); undefined on Windows. */
  uid(): number | undefined;
  /** Node's name for the CPU (process.arch): x64, arm64. */
  arch(): string;
}

/** This process's facts: the one place outside probe-context.ts that reads process.getuid and process.arch. */
export const PROCESS_HOST: HostFacts = { uid: () => process.getuid?.(), arch: () => process.arch };

/** The Admin facts for commands outside the doctor (setup's port hints): `uid` from setup's HostFacts. */
export function processAdmin(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, uid: number | undefined): Admin {
  const root = uid === 0;
  return { root, sudo: !root && platform !== 'win32' && which('sudo', env, platform) !== undefined };
}

const FACTS_KEY = 'platform-facts';

/** The platform facts, computed once per doctor run and shared by every probe. */
export function platformFacts(ctx: ProbeContext): Promise<PlatformFacts> {
  return ctx.once(FACTS_KEY, () => readPlatformFacts(ctx));
}

/** KEY=value pairs of an os-release file, quotes removed. */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) fields[match[1]] = match[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return fields;
}

function distroOf(fields: Record<string, string>): Distro {
  const ids = [fields.ID ?? '', ...(fields.ID_LIKE ?? '').split(/\s+/)].map((id) => id.toLowerCase());
  // The first known id wins: Linux Mint (ID=linuxmint, ID_LIKE="ubuntu debian") is Ubuntu underneath.
  for (const id of ids) {
    if (id === 'debian' || id === 'ubuntu' || id === 'fedora' || id === 'arch') return id;
  }
  return 'other';
}

async function readPlatformFacts(ctx: ProbeContext): Promise<PlatformFacts> {
  const uid = ctx.machine.uid();
  const root = uid === 0;
  const sudo = !root && ctx.platform !== 'win32' && (await ctx.exec('sudo', ['--version'])).exitCode === 0;
  const arm64 = ctx.arch === 'arm64';
  if (ctx.platform === 'linux') {
    const fields = parseOsRelease((await ctx.readFile('/etc/os-release')) ?? '');
    const kernel = ((await ctx.readFile('/proc/version')) ?? '').toLowerCase();
    const wsl = kernel.includes('microsoft')
      ? kernel.includes('wsl2') || kernel.includes('microsoft-standard')
        ? 2
        : 1
      : undefined;
    return {
      os: 'linux',
      distro: distroOf(fields),
      version: fields.VERSION_ID,
      codename: fields.UBUNTU_CODENAME || fields.VERSION_CODENAME || undefined,
      name: fields.PRETTY_NAME,
      ...(wsl ? { wsl } : {}),
      arm64,
      brew: false,
      root,
      sudo,
    };
  }
  if (ctx.platform === 'darwin') {
    const [swVers, uname, brew] = await Promise.all([
      ctx.exec('sw_vers', ['-productVersion']),
      ctx.exec('uname', ['-m']),
      ctx.exec('brew', ['--prefix']),
    ]);
    return {
      os: 'macos',
      version: swVers.exitCode === 0 ? swVers.stdout.trim() || undefined : undefined,
      // Under Rosetta node reports x64; `uname -m` says what the student's shell runs as, which is what
      // matters for the commands they paste. Either arm64 answer means Apple Silicon.
      arm64: arm64 || uname.stdout.trim() === 'arm64',
      brew: brew.exitCode === 0,
      root,
      sudo,
    };
  }
  return { os: ctx.platform === 'win32' ? 'windows' : 'other', arm64, brew: false, root, sudo };
}

/**
 * `command` as this user runs it with administrator rights: as is for root, behind sudo otherwise. When
 * neither applies (no sudo), the command is printed as is and `adminNote` says to run it as root.
 */
export function asAdmin(facts: Admin, command: string): string {
  return facts.root || !facts.sudo ? command : `sudo ${command}`;
}

/** Text to add to a fix whose command needs root, when this user is not root and has no sudo. */
export function adminNote(facts: Admin): string {
  return facts.root || facts.sudo ? '' : ' Run it as root (`su -`): sudo is not installed here.';
}

/** The major version number of the distribution or macOS ("22.04" → 22.04, "12" → 12). */
export function versionNumber(facts: PlatformFacts): number | undefined {
  const value = Number.parseFloat(facts.version ?? '');
  return Number.isFinite(value) ? value : undefined;
}
