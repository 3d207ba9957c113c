// The machine: OS and architecture, WSL, CPUs, memory and free disk.
import type { Machine, Probe, ProbeResult } from '../types.js';

const GIB = 1024 ** 3;

export const osProbe: Probe = {
  id: 'os',
  title: 'Operating system',
  group: 'System',
  always: true,
  checks: 'OS and architecture; native Windows gets a nudge towards WSL 2',
  async run(ctx) {
    const name = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' }[ctx.platform as string] ?? ctx.platform;
    const distro =
      ctx.platform === 'linux'
        ? /^PRETTY_NAME="?([^"\n]+)"?/m.exec((await ctx.readFile('/etc/os-release')) ?? '')?.[1]
        : undefined;
    const detail = `${name} ${ctx.machine.release()} ${ctx.arch}${distro ? ` (${distro})` : ''}`;
    if (ctx.platform === 'win32') {
      return {
        status: 'warn',
        detail,
        fix: { text: 'Use WSL 2 for the course: later weeks run .sh scripts.', command: 'wsl --install' },
      };
    }
    return { status: 'ok', detail };
  },
};

export const wsl: Probe = {
  id: 'wsl',
  title: 'WSL',
  group: 'System',
  always: true,
  checks: 'WSL 1 vs WSL 2, and a workspace on /mnt/c (slow, and file watching breaks)',
  async run(ctx) {
    if (ctx.platform !== 'linux') return { status: 'skipped', detail: 'not Linux' };
    const version = ((await ctx.readFile('/proc/version')) ?? '').toLowerCase();
    if (!version.includes('microsoft')) return { status: 'skipped', detail: 'not running under WSL' };
    if (!version.includes('wsl2') && !version.includes('microsoft-standard')) {
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
  checks: "CPUs, memory, free disk for the workspace and for Docker's data root",
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
          text: 'The course runs best with 2+ CPUs, 8 GB of memory and 10+ GB of free disk (Airflow checks for these).',
        },
      };
    }
    return { status: 'ok', detail };
  },
};
