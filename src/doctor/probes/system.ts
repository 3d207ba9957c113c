// The machine: OS and architecture, WSL, CPUs, memory and free disk.
import { foreignImages, emulationAdvice } from '../../setup/platforms.js';
import { platformFacts, type PlatformFacts } from '../platform.js';
import type { Fix, Machine, Probe, ProbeResult } from '../types.js';

const GIB = 1024 ** 3;
/**
 * Room a stack's built image takes in Docker's data root: week 2's is apache/airflow:2.2.3 plus the
 * Cloud SDK and the google provider, about 2 GB, most of it the base image's layers.
 */
const BUILT_IMAGE_GIB = 2;

export const osProbe: Probe = {
  id: 'os',
  title: 'Operating system',
  group: 'System',
  always: true,
  checks: 'OS and architecture; native Windows gets a nudge towards WSL 2',
  async run(ctx): Promise<ProbeResult> {
    const facts = await platformFacts(ctx);
    const name = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' }[ctx.platform as string] ?? ctx.platform;
    const release = facts.os === 'macos' && facts.version ? facts.version : ctx.machine.release();
    const who = facts.root ? 'root' : facts.sudo ? 'a user with sudo' : 'a user without sudo';
    const detail = `${name} ${release} ${facts.arm64 ? 'arm64' : ctx.arch}${facts.name ? ` (${facts.name})` : ''}${facts.os === 'macos' ? (facts.brew ? ', Homebrew' : ', no Homebrew') : ''}, as ${who}`;
    if (ctx.platform === 'win32') {
      return {
        status: 'warn',
        detail,
        fix: { text: 'Use WSL 2 for the course: later weeks run .sh scripts.', command: 'wsl --install' },
      };
    }
    // The chosen weeks' stacks with images built for other CPUs only (the syllabus's `platforms`).
    const arch = facts.arm64 ? 'arm64' : ctx.arch;
    const foreign = (ctx.needs.platformBound ?? []).flatMap((bound) => {
      const found = foreignImages(bound, arch);
      return found ? [{ ...bound, ...found }] : [];
    });
    if (foreign.length > 0 && ctx.needs.tools.has('docker')) {
      const weeks = [...new Set(foreign.map((f) => f.week))];
      const images = [...new Set(foreign.flatMap((f) => f.images))];
      const platforms = [...new Set(foreign.flatMap((f) => f.platforms))];
      return {
        status: 'warn',
        detail: `${detail}; week ${weeks.join(' and ')} ${weeks.length === 1 ? 'uses' : 'use'} ${platforms.join(', ')}-only images, emulated here`,
        details: foreign.map((f) => `${f.stack}: ${f.images.join(', ')} (${f.platforms.join(', ')} only)`),
        fix: emulationFix(facts, images, platforms),
      };
    }
    return { status: 'ok', detail };
  },
};

function emulationFix(facts: PlatformFacts, images: string[], platforms: string[]): Fix {
  const advice = emulationAdvice(facts.os);
  const shown =
    images.length > 3 ? `${images.slice(0, 3).join(', ')} and ${images.length - 3} more` : images.join(', ');
  return {
    text: `${shown} ${images.length === 1 ? 'is' : 'are'} built for ${platforms.join(', ')} only: on this arm64 machine they run under emulation (slow; the first start takes longer). ${advice.text}.`,
    command: advice.command,
  };
}

export const wsl: Probe = {
  id: 'wsl',
  title: 'WSL',
  group: 'System',
  always: true,
  checks: 'WSL 1 vs WSL 2, and a workspace on /mnt/c (slow, and file watching breaks)',
  async run(ctx) {
    if (ctx.platform !== 'linux') return { status: 'skipped', detail: 'not Linux' };
    const facts = await platformFacts(ctx);
    if (!facts.wsl) return { status: 'skipped', detail: 'not running under WSL' };
    if (facts.wsl === 1) {
      return {
        status: 'fail',
        detail: 'WSL 1: Docker Desktop and the course need WSL 2',
        fix: {
          text: 'Convert this distro to WSL 2 (from Windows).',
          command: `wsl --set-version ${ctx.env.WSL_DISTRO_NAME ?? '<distro>'} 2`,
        },
      };
    }
    const folder = ctx.workspaceRoot ?? ctx.cwd;
    if (/^\/mnt\/[a-z]\//i.test(`${folder}/`)) {
      return {
        status: 'warn',
        detail: `WSL 2, but the workspace is on the Windows drive (${folder}): slow, and file watching breaks`,
        fix: { text: 'Keep the course repo in the Linux file system and move it there.', command: `mv ${folder} ~/` },
      };
    }
    return { status: 'ok', detail: 'WSL 2' };
  },
};

async function freeGiB(machine: Machine, path: string): Promise<number | undefined> {
  const bytes = await machine.freeBytes(path);
  return bytes === undefined ? undefined : bytes / GIB;
}

export const resources: Probe = {
  id: 'resources',
  title: 'CPU, memory, disk',
  group: 'System',
  always: true,
  checks:
    "CPUs, memory, free disk for the workspace and for Docker's data root (where a week's built image goes: about 2 GB for week 2's Airflow)",
  prepare: (ctx) => ctx.docker.load(),
  async run(ctx): Promise<ProbeResult> {
    const cpus = ctx.machine.cpus();
    const memory = ctx.machine.memoryBytes() / GIB;
    const workspace = ctx.workspaceRoot ?? ctx.cwd;
    const facts = await ctx.docker.engine();
    // Docker's data root is only on this disk when the engine is local.
    const local = facts.endpoint.url.startsWith('unix://');
    const dockerRoot =
      facts.reachable && local
        ? await facts.client.info().then(
            (info) => info.rootDir,
            () => undefined,
          )
        : undefined;
    const workspaceFree = await freeGiB(ctx.machine, workspace);
    const dockerFree = dockerRoot ? await freeGiB(ctx.machine, dockerRoot) : undefined;
    const parts = [`${cpus} CPUs`, `${memory.toFixed(1)} GiB memory`];
    if (workspaceFree !== undefined) parts.push(`${workspaceFree.toFixed(1)} GiB free for the workspace`);
    if (dockerFree !== undefined) parts.push(`${dockerFree.toFixed(1)} GiB free for Docker (${dockerRoot})`);
    const detail = parts.join(', ');
    const tightest = Math.min(workspaceFree ?? Infinity, dockerFree ?? Infinity);
    const build = ctx.needs.builds?.[0];
    if (build && dockerFree !== undefined && dockerFree < BUILT_IMAGE_GIB) {
      return {
        status: 'fail',
        detail: `${detail}; week ${build.week}'s image (${build.stack}) needs about ${BUILT_IMAGE_GIB} GiB there to build`,
        wanted: `>= ${BUILT_IMAGE_GIB} GiB free for Docker`,
        fix: {
          text: `Free space on the disk of ${dockerRoot}; \`docker system df\` shows what Docker keeps there, \`docker image prune\` and \`docker builder prune\` remove dangling images and build cache.`,
          command: 'docker system df',
        },
      };
    }
    if (tightest < 2) {
      return {
        status: 'fail',
        detail,
        fix: { text: 'Free disk space: the taxi data and Docker images need several GB.', command: 'docker system df' },
      };
    }
    if (tightest < 10 || memory < 4 || cpus < 2) {
      return {
        status: 'warn',
        detail,
        fix: {
          text: 'The course runs best with 2+ CPUs, 8 GB of memory and 10+ GB of free disk.',
        },
      };
    }
    return { status: 'ok', detail };
  },
};
