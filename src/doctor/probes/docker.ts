// Docker: the CLI, the engine (and why it cannot be reached), Compose, the engine's memory.
import { DEC_LABELS, projectFromEnv, projectOf, type DockerFailure } from '../../docker/client.js';
import { installFor } from '../install.js';
import { adminNote, asAdmin, platformFacts, type PlatformFacts } from '../platform.js';
import type { Fix, MemoryNeed, Probe, ProbeContext, ProbeResult } from '../types.js';
import { describeRange, parseComposeVersion, satisfiesRange } from '../versions.js';
import { toolProbe, versionVerdict } from './tool.js';

export const dockerCli = toolProbe({
  id: 'docker-cli',
  title: 'Docker CLI',
  group: 'Docker',
  tool: 'docker',
  command: 'docker',
  args: ['--version'],
  checks: '`docker` is installed',
});

function startEngine(ctx: ProbeContext, facts: PlatformFacts): Fix {
  if (ctx.platform === 'darwin' || ctx.platform === 'win32')
    return { text: 'Start Docker Desktop and wait until it says "Engine running".' };
  if (ctx.env.WSL_DISTRO_NAME || facts.wsl) {
    return {
      text: `Start Docker Desktop in Windows (WSL integration on for this distro), or the engine inside WSL.${adminNote(facts)}`,
      command: asAdmin(facts, 'service docker start'),
    };
  }
  return { text: `Start the Docker engine.${adminNote(facts)}`, command: asAdmin(facts, 'systemctl start docker') };
}

function engineFix(failure: DockerFailure, ctx: ProbeContext, facts: PlatformFacts, fromEnv: boolean): Fix {
  if (fromEnv && failure !== 'permission-denied') {
    return {
      text: 'DOCKER_HOST points at an engine that cannot be used; fix it, or unset it to use the default socket.',
      command: 'unset DOCKER_HOST',
    };
  }
  switch (failure) {
    case 'socket-missing':
      return startEngine(ctx, facts);
    case 'not-running':
      return startEngine(ctx, facts);
    case 'permission-denied':
      if (facts.root)
        return { text: "Root cannot open the engine's socket: check DOCKER_HOST and the socket's owner." };
      return {
        text: `Add yourself to the docker group, then log out and back in (or run \`newgrp docker\`).${adminNote(facts)}`,
        command: asAdmin(facts, 'usermod -aG docker $USER'),
      };
    case 'no-answer':
      return ctx.platform === 'linux' && !ctx.env.WSL_DISTRO_NAME && !facts.wsl
        ? {
            text: `The engine hangs; restart it.${adminNote(facts)}`,
            command: asAdmin(facts, 'systemctl restart docker'),
          }
        : { text: 'The engine hangs; restart Docker Desktop (on Windows, `wsl --shutdown` first).' };
    default:
      return startEngine(ctx, facts);
  }
}

export const dockerEngine: Probe = {
  id: 'docker-engine',
  title: 'Docker engine',
  group: 'Docker',
  tools: ['docker', 'docker-compose'],
  checks:
    'the engine answers through the Docker API (DOCKER_HOST, the active context or the default socket), and its version',
  prepare: (ctx) => ctx.docker.load(),
  async run(ctx) {
    const facts = await ctx.docker.engine();
    const via = `via ${facts.endpoint.url} (${facts.endpoint.source})`;
    if (!facts.reachable) {
      return {
        status: 'fail',
        detail: `${facts.error.message} [${facts.error.failure}]`,
        details: [`endpoint: ${facts.endpoint.url}, chosen by ${facts.endpoint.source}`],
        fix: engineFix(facts.error.failure, ctx, await platformFacts(ctx), facts.endpoint.source === 'DOCKER_HOST'),
      };
    }
    const { version } = facts;
    const verdict = versionVerdict(ctx, 'docker', version.version, via, await installFor(ctx, 'docker'));
    return {
      ...verdict,
      detail: verdict.status === 'ok' ? `engine ${version.version}, API ${version.apiVersion}, ${via}` : verdict.detail,
      details: [
        `engine: ${version.version} (${version.os}/${version.arch}), API ${version.apiVersion}`,
        `endpoint: ${facts.endpoint.url}, chosen by ${facts.endpoint.source}`,
      ],
    };
  },
};

export const compose: Probe = {
  id: 'compose',
  title: 'Docker Compose',
  group: 'Docker',
  tools: ['docker-compose'],
  checks: 'Compose v2 (`docker compose`) is installed; v1 (`docker-compose`) alone is a warning',
  async run(ctx) {
    const upgrade = await installFor(ctx, 'docker-compose');
    const plugin = await ctx.exec('docker', ['compose', 'version']);
    const v2 = plugin.exitCode === 0 ? parseComposeVersion(`${plugin.stdout}\n${plugin.stderr}`) : undefined;
    if (v2) return { ...versionVerdict(ctx, 'docker-compose', v2.version, '`docker compose` (v2 plugin)', upgrade) };
    const standalone = await ctx.exec('docker-compose', ['version']);
    const found =
      standalone.exitCode === 0 ? parseComposeVersion(`${standalone.stdout}\n${standalone.stderr}`) : undefined;
    if (!found)
      return { status: 'fail', detail: 'neither `docker compose` nor `docker-compose` is installed', fix: upgrade };
    if (found.major < 2) return composeV1(ctx, found.version, await installFor(ctx, 'docker-compose-v2'));
    return versionVerdict(ctx, 'docker-compose', found.version, '`docker-compose` (v2)', upgrade);
  },
};

/**
 * Compose v1 found: which of the chosen weeks it is enough for, by each week's own range (the 2022
 * course's week 1 takes 1.29, week 2's Airflow compose file needs v2). Enough for all: ok.
 */
function composeV1(ctx: ProbeContext, version: string, toV2: Fix): ProbeResult {
  const need = ctx.needs.tools.get('docker-compose');
  const weeks = need?.byWeek ?? need?.weeks.map((week) => ({ week, range: need.range })) ?? [];
  const enough = weeks.filter((w) => w.range === undefined || satisfiesRange(version, w.range));
  const short = weeks.filter((w) => !enough.includes(w));
  const found = `docker-compose ${version} (Compose v1)`;
  const list = (ws: typeof weeks) => `week ${ws.map((w) => w.week).join(', ')}`;
  if (short.length === 0) {
    // `dec doctor --week 1`: say too which of the course's other weeks it will not do for.
    const later = (need?.otherWeeks ?? []).filter((w) => w.range !== undefined && !satisfiesRange(version, w.range));
    const laterText =
      later.length > 0
        ? `, not for ${list(later)}, which ${later.length === 1 ? 'needs' : 'need'} Compose ${[...new Set(later.map((w) => describeRange(w.range!)))].join(' or ')}`
        : '';
    return {
      status: 'ok',
      version,
      wanted: need?.range,
      detail: weeks.length > 0 ? `${found}: enough for ${list(enough)}${laterText}` : found,
    };
  }
  const wants = [...new Set(short.map((w) => w.range).filter((r): r is string => r !== undefined))]
    .map(describeRange)
    .join(' or ');
  return {
    status: 'warn',
    version,
    wanted: need?.range,
    detail: `${found}: ${enough.length > 0 ? `enough for ${list(enough)}, not for ${list(short)}` : `not enough for ${list(short)}`}, which ${short.length === 1 ? 'needs' : 'need'} Compose ${wants}`,
    fix: toV2,
  };
}

const GIB = 1024 ** 3;
/** Docker Desktop rounds the memory it gives the VM: within 0.05 GiB counts as enough. */
const MEMORY_SLACK_GIB = 0.05;

/** How to give the engine `gb` of memory on this machine. */
function raiseMemory(ctx: ProbeContext, gb: number): string {
  if (ctx.platform === 'darwin' || ctx.platform === 'win32')
    return `Give Docker at least ${gb} GB: Docker Desktop → Settings → Resources → Memory (8 GB is better).`;
  if (ctx.env.WSL_DISTRO_NAME)
    return `Give WSL at least ${gb} GB: set memory=8GB under [wsl2] in %UserProfile%\\.wslconfig, then run \`wsl --shutdown\`.`;
  return `This machine has less memory than the stacks need (${gb} GB); close other programs or use a bigger machine or cloud VM.`;
}

/** `dec setup week2 --variant light`, for a week's lighter setup. */
function variantCommand(need: MemoryNeed, variant: MemoryNeed['lighter'][number]): string {
  return `dec setup ${need.stack ?? `week${need.week}`} --variant ${variant.name}`;
}

export const dockerMemory: Probe = {
  id: 'docker-memory',
  title: 'Docker memory',
  group: 'Docker',
  tools: ['docker', 'docker-compose'],
  checks:
    "the memory the engine may use, against what the weeks' stacks need (week 2's Airflow: 5 GB, its light variant 4 GB)",
  prepare: (ctx) => ctx.docker.load(),
  async run(ctx) {
    const facts = await ctx.docker.engine();
    if (!facts.reachable) return { status: 'skipped', detail: 'the engine cannot be reached (see Docker engine)' };
    const info = await facts.client.info();
    const have = info.memTotal / GIB;
    const need = ctx.needs.dockerMemoryGb;
    const detail = `${have.toFixed(1)} GiB available to containers, ${info.cpus} CPUs`;
    if (need === undefined) return { status: 'ok', detail };
    if (have + MEMORY_SLACK_GIB >= need) return { status: 'ok', detail: `${detail} (the weeks need ${need} GiB)` };
    const enough = (gb: number) => have + MEMORY_SLACK_GIB >= gb;
    // Each week that needs more than the engine has, and its heaviest lighter setup that fits, if any.
    const short = (ctx.needs.memory ?? [])
      .filter((m) => !enough(m.gb))
      .map((m) => ({ need: m, fitting: m.lighter.filter((v) => enough(v.gb)).at(-1) }));
    const weekText = (m: MemoryNeed) => `week ${m.week}'s setup needs ${m.gb} GiB`;
    if (short.length > 0 && short.every((s) => s.fitting)) {
      const { need: first, fitting } = short[0]!;
      return {
        status: 'warn',
        detail: `${detail}; ${short.map((s) => `${weekText(s.need)}, its ${s.fitting!.name} variant ${s.fitting!.gb} GiB`).join('; ')}`,
        wanted: `>= ${need} GiB`,
        fix: {
          text: `Use the ${fitting!.name} setup, which fits in ${fitting!.gb} GB, or: ${raiseMemory(ctx, first.gb)}`,
          command: variantCommand(first, fitting!),
        },
      };
    }
    const lighter = short.flatMap((s) => s.need.lighter.slice(0, 1).map((v) => ({ need: s.need, variant: v })));
    const lighterText = lighter
      .map(
        ({ need: m, variant }) =>
          ` Week ${m.week}'s ${variant.name} setup needs ${variant.gb} GB (${variantCommand(m, variant)}).`,
      )
      .join('');
    return {
      status: 'fail',
      detail: `${detail}; the chosen weeks need at least ${need} GiB`,
      wanted: `>= ${need} GiB`,
      fix: { text: `${raiseMemory(ctx, need)}${lighterText}` },
    };
  },
};

export const decContainers: Probe = {
  id: 'dec-containers',
  title: "dec's containers",
  group: 'Docker',
  tools: ['docker'],
  checks:
    "the containers `dec setup` made for the chosen weeks' stacks are running (stopped ones can be started by --fix)",
  prepare: (ctx) => ctx.docker.load(),
  async run(ctx) {
    if (ctx.needs.stacks.length === 0) return { status: 'skipped', detail: 'the chosen weeks have no local stack' };
    const containers = await ctx.docker.containers();
    if (!containers) return { status: 'skipped', detail: 'the engine cannot be reached (see Docker engine)' };
    const project = projectFromEnv(ctx.env);
    const ours = containers.filter(
      (c) => projectOf(c.labels) === project && ctx.needs.stacks.includes(c.labels[DEC_LABELS.stack] ?? ''),
    );
    if (ours.length === 0) return { status: 'ok', detail: `none yet (dec setup creates them)` };
    const stopped = ours.filter((c) => c.state !== 'running');
    const details = ours.map(
      (c) => `${c.labels[DEC_LABELS.stack]}/${c.labels[DEC_LABELS.service] ?? '?'}: ${c.name} ${c.state}`,
    );
    if (stopped.length === 0) return { status: 'ok', detail: `${ours.length} running`, details };
    return {
      status: 'warn',
      detail: `stopped: ${stopped.map((c) => c.name).join(', ')}`,
      details,
      fix: {
        text: 'Start them again (their data is in their volumes)',
        command: `docker start ${stopped.map((c) => c.name).join(' ')}`,
        auto: { kind: 'start-containers', containers: stopped.map((c) => ({ id: c.id, name: c.name })) },
      },
    };
  },
};
