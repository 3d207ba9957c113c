// dec doctor: every prerequisite the chosen weeks need, checked concurrently, each with its fix.
import { dirname } from 'node:path';
import { userInfo } from 'node:os';
import type { CommandContext } from '../command-context.js';
import { realProbeContext, type RealContextOptions } from '../doctor/probe-context.js';
import { applyFixes } from '../doctor/fix.js';
import { needsOf } from '../doctor/needs.js';
import { PROBES } from '../doctor/probes/index.js';
import { appliesTo, doctorExitCode, runProbes, summarizeOutcomes, type ProbeOutcome } from '../doctor/run.js';
import { GROUPS, type Probe, type ProbeContext, type ProbeStatus } from '../doctor/types.js';
import { DecError } from '../errors.js';
import { JSON_SCHEMA_VERSION } from '../output/json.js';
import type { Styles } from '../output/terminal.js';
import { openSession, syllabusInfo, type Session } from '../session.js';
import type { DesiredStack } from '../setup/spec.js';
import { runningStack } from '../setup/state.js';
import { weekLabel, type CourseWeek } from '../syllabus/course.js';
import { findWeek } from '../syllabus/query.js';
import { nearest } from '../util/nearest.js';
import { parseTimeLimit } from '../util/time.js';
import { DEC_VERSION } from '../version.js';
import { count } from '../util/count.js';
import { displayWidth, padDisplay } from '../output/render.js';

export interface DoctorOptions {
  week?: string;
  only?: string;
  list?: boolean;
  verbose?: boolean;
  fix?: boolean;
  yes?: boolean;
  report?: boolean;
  timeout?: string;
}

const DEFAULT_TIMEOUT_MS = 3000;

/** --timeout per check: "3", "3s" or "500ms", between 0.1 s and 120 s. */
export function parseTimeout(text: string | undefined): number {
  return parseTimeLimit(text, { fallbackMs: DEFAULT_TIMEOUT_MS, minMs: 100, maxMs: 120_000 });
}

/** --only takes probe ids and group names: --only docker,postgres,java */
export function selectProbes(probes: readonly Probe[], only: string | undefined): Probe[] {
  if (only === undefined) return [...probes];
  const names = only
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const known = [...new Set([...PROBES.map((p) => p.id), ...GROUPS.map((g) => g.toLowerCase())])];
  const unknown = names.filter((name) => !known.includes(name) && !PROBES.some((p) => p.id.startsWith(`${name}-`)));
  if (unknown.length > 0) {
    const suggestion = nearest(unknown[0]!, known);
    throw new DecError(
      `--only: no check or group "${unknown[0]}"${suggestion ? `; did you mean "${suggestion}"?` : '.'}`,
      {
        hint: `Checks: ${PROBES.map((p) => p.id).join(', ')}. Groups: ${GROUPS.map((g) => g.toLowerCase()).join(', ')}.`,
      },
    );
  }
  return probes.filter((p) =>
    names.some((name) => name === p.id || name === p.group.toLowerCase() || p.id.startsWith(`${name}-`)),
  );
}

const MARKS: Record<ProbeStatus, [string, keyof Styles]> = {
  ok: ['✓', 'green'],
  warn: ['!', 'yellow'],
  fail: ['✗', 'red'],
  skipped: ['-', 'dim'],
  crashed: ['☠', 'red'],
};

function mark(status: ProbeStatus, style: Styles): string {
  const [symbol, color] = MARKS[status];
  return style[color](symbol);
}

function renderOutcomes(outcomes: readonly ProbeOutcome[], style: Styles, verbose: boolean): string[] {
  const width = Math.max(...outcomes.map((o) => displayWidth(o.probe.title)));
  const lines: string[] = [];
  for (const group of GROUPS) {
    const inGroup = outcomes.filter((o) => o.probe.group === group);
    if (inGroup.length === 0) continue;
    lines.push(style.bold(group));
    for (const { probe, result, durationMs, required } of inGroup) {
      const wanted =
        result.status === 'fail' && result.wanted && !result.detail.includes(result.wanted)
          ? ` (wanted ${result.wanted})`
          : '';
      const time = verbose ? style.dim(` [${durationMs} ms]`) : '';
      const optional = !required && result.status === 'warn' && result.fix ? style.dim(' (optional)') : '';
      lines.push(
        `  ${mark(result.status, style)} ${padDisplay(probe.title, width)}  ${result.status === 'skipped' ? style.dim(result.detail) : result.detail}${wanted}${optional}${time}`,
      );
      if (result.fix && result.status !== 'ok' && result.status !== 'skipped') {
        const command = result.fix.command ? `: ${style.cyan(result.fix.command)}` : '';
        const auto = result.fix.auto ? style.dim(' (dec doctor --fix can do this)') : '';
        const text = command ? result.fix.text.replace(/\.$/, '') : result.fix.text;
        lines.push(`    ${style.dim('→')} ${text}${command}${auto}`);
      }
      if (verbose) for (const detail of result.details ?? []) lines.push(`      ${style.dim(detail)}`);
    }
  }
  return lines;
}

function summaryLine(outcomes: readonly ProbeOutcome[], durationMs: number, style: Styles): string {
  const s = summarizeOutcomes(outcomes);
  const parts = [style.green(`${s.ok} ok`)];
  if (s.warn) parts.push(style.yellow(count(s.warn, 'warning')));
  if (s.fail) parts.push(style.red(`${s.fail} failed`));
  if (s.crashed) parts.push(style.red(`${s.crashed} crashed`));
  if (s.skipped) parts.push(style.dim(`${s.skipped} skipped`));
  return `${parts.join(', ')} ${style.dim(`(${(durationMs / 1000).toFixed(1)} s)`)}`;
}

function outcomeJson(outcome: ProbeOutcome) {
  const { probe, result } = outcome;
  return {
    id: probe.id,
    title: probe.title,
    group: probe.group,
    status: result.status,
    required: outcome.required,
    version: result.version ?? null,
    wanted: result.wanted ?? null,
    detail: result.detail,
    fix: result.fix
      ? { text: result.fix.text, command: result.fix.command ?? null, canFix: result.fix.auto !== undefined }
      : null,
    details: result.details ?? [],
    durationMs: outcome.durationMs,
  };
}

/**
 * Home folder, user name, e-mail addresses and GCP project ids out of a report meant for Slack; and
 * folders outside home that name the student's own files (the key file GOOGLE_APPLICATION_CREDENTIALS
 * points at), as <folder>.
 */
export function redact(
  text: string,
  secrets: { home: string; user?: string; projects: string[]; folders?: string[] },
): string {
  let out = text;
  if (secrets.home.length > 1) out = out.split(secrets.home).join('~');
  for (const folder of secrets.folders ?? [])
    if (folder.length > 1 && folder !== '/' && folder !== '.') out = out.split(folder).join('<folder>');
  // E-mails first: a service account's address contains its project id, which would otherwise break the match.
  out = out.replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '<email>');
  for (const project of secrets.projects.filter((p) => p.length > 2)) out = out.split(project).join('<project>');
  if (secrets.user && secrets.user.length > 1)
    out = out.replace(new RegExp(`\\b${secrets.user.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'g'), '<user>');
  return out;
}

function reportMarkdown(outcomes: readonly ProbeOutcome[], header: string[], durationMs: number): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '### dec doctor report',
    '',
    ...header.map((line) => `- ${line}`),
    '',
    '| Check | Status | Version | Detail | Time |',
    '|---|---|---|---|---|',
  ];
  for (const o of outcomes) {
    lines.push(
      `| ${o.probe.title} | ${o.result.status} | ${o.result.version ?? ''} | ${escape(o.result.detail)} | ${o.durationMs} ms |`,
    );
  }
  const problems = outcomes.filter(
    (o) => o.result.status === 'fail' || o.result.status === 'warn' || o.result.status === 'crashed',
  );
  if (problems.length > 0) {
    lines.push('', '**Problems**', '');
    for (const o of problems) {
      lines.push(
        `- **${o.probe.title}** (${o.result.status}): ${escape(o.result.detail)}${o.result.fix ? ` → ${escape(o.result.fix.text)}${o.result.fix.command ? ` \`${o.result.fix.command}\`` : ''}` : ''}`,
      );
    }
  }
  const s = summarizeOutcomes(outcomes);
  lines.push(
    '',
    `${s.ok} ok, ${count(s.warn, 'warning')}, ${s.fail} failed, ${s.skipped} skipped, ${s.crashed} crashed in ${(durationMs / 1000).toFixed(1)} s`,
  );
  return lines.join('\n');
}

async function dockerEndpointInfo(probeContext: ProbeContext, outcomes: readonly ProbeOutcome[]) {
  if (!outcomes.some((o) => o.probe.group === 'Docker')) return null;
  const facts = await probeContext.docker.engine();
  return {
    endpoint: facts.endpoint.url,
    source: facts.endpoint.source,
    context: facts.endpoint.context ?? null,
    reachable: facts.reachable,
  };
}

/**
 * The chosen weeks' stacks as dec runs them (remembered --port/--env, environment secrets): the doctor
 * checks the ports the containers use, e.g. 5433 after its own `--port pgdatabase=5433` advice. A stack
 * whose remembered settings cannot be read falls back to the syllabus (dec setup reports that file).
 */
async function runningStacks(
  ctx: CommandContext,
  session: Session,
  weeks: readonly CourseWeek[],
): Promise<Record<string, DesiredStack>> {
  const ids = [...new Set(weeks.flatMap((w) => (w.setup?.stack ? [w.setup.stack] : [])))].filter(
    (id) => session.course.stacks[id] !== undefined,
  );
  const entries = await Promise.all(
    ids.map(async (id) => [id, await runningStack(ctx.env, session.course, id).catch(() => undefined)] as const),
  );
  return Object.fromEntries(
    entries.filter((entry): entry is readonly [string, DesiredStack] => entry[1] !== undefined),
  );
}

/**
 * `probeContextOf` builds what the probes touch: the real machine by default; a test passes a fake
 * (test/helpers/probe-context.ts), so the whole command runs without starting a process.
 */
export async function doctor(
  ctx: CommandContext,
  options: DoctorOptions,
  probeContextOf: (options: RealContextOptions) => ProbeContext = realProbeContext,
): Promise<number> {
  const timeoutMs = parseTimeout(options.timeout);
  const session = await openSession(ctx);
  const weeks = options.week === undefined ? session.course.weeks : [findWeek(session.course, options.week)];
  const needs = needsOf(weeks, session.course.stacks, await runningStacks(ctx, session, weeks), session.course.weeks);
  const makeContext = () =>
    probeContextOf({
      env: ctx.env,
      platform: ctx.platform,
      home: ctx.home,
      cwd: ctx.cwd,
      workspaceRoot: session.workspace?.root,
      needs,
      timeoutMs,
    });
  const probeContext = makeContext();
  const probes = selectProbes(
    PROBES.filter((probe) => options.only !== undefined || appliesTo(probe, probeContext)),
    options.only,
  );
  const { style } = ctx.terminal;
  const weekText =
    weeks.length === 1
      ? `week ${weekLabel(weeks[0]!)}`
      : `weeks ${weekLabel(weeks[0]!)}–${weekLabel(weeks[weeks.length - 1]!)
          .split('–')
          .pop()}`;

  if (options.list) {
    ctx.terminal.emit(
      {
        schemaVersion: JSON_SCHEMA_VERSION,
        probes: PROBES.map((p) => ({
          id: p.id,
          title: p.title,
          group: p.group,
          checks: p.checks,
          runs: probes.includes(p),
        })),
      },
      () =>
        PROBES.map(
          (p) =>
            `${probes.includes(p) ? ' ' : style.dim('·')} ${p.id.padEnd(16)} ${style.dim(p.group.padEnd(9))} ${p.checks}`,
        ).join('\n') + `\n\n${style.dim(`· = not needed by ${weekText}; --only runs it anyway`)}`,
    );
    return 0;
  }

  const started = performance.now();
  const outcomes = await runProbes(probes, probeContext);
  const durationMs = Math.round(performance.now() - started);
  const docker = await dockerEndpointInfo(probeContext, outcomes);
  const exitCode = doctorExitCode(outcomes);

  if (options.report) {
    const config = outcomes.find((o) => o.probe.id === 'gcp-credentials' || o.probe.id === 'gcloud');
    const projects = (config ? outcomes.flatMap((o) => o.result.details ?? []) : []).flatMap(
      (line) => /^(?:project_id|project): (?!\(none\)$)(\S+)/.exec(line)?.[1] ?? [],
    );
    const header = [
      `dec ${DEC_VERSION}, Node ${process.version}, ${ctx.platform} ${probeContext.arch}`,
      `syllabus: ${session.course.id} (${weekText})`,
      `Docker: ${docker ? `${docker.endpoint} (${docker.source})${docker.reachable ? '' : ', not reachable'}` : 'not checked'}`,
    ];
    const keyFile = ctx.env.GOOGLE_APPLICATION_CREDENTIALS;
    const markdown = redact(reportMarkdown(outcomes, header, durationMs), {
      home: probeContext.home,
      user: ctx.env.USER ?? safeUser(),
      projects,
      folders: keyFile ? [dirname(keyFile)] : [],
    });
    ctx.terminal.emit({ schemaVersion: JSON_SCHEMA_VERSION, format: 'markdown', markdown }, () => markdown);
    return exitCode;
  }

  ctx.terminal.emit(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      dec: DEC_VERSION,
      platform: { os: ctx.platform, arch: probeContext.arch, node: process.version },
      syllabus: syllabusInfo(session),
      weeks: weeks.map((w) => w.number),
      docker,
      probes: outcomes.map(outcomeJson),
      summary: { ...summarizeOutcomes(outcomes), durationMs },
      exitCode,
    },
    () =>
      [
        `${style.bold('dec doctor')} ${style.dim(`· ${count(outcomes.length, 'check')} for ${weekText} of ${session.course.title}`)}`,
        '',
        ...renderOutcomes(outcomes, style, options.verbose === true),
        '',
        summaryLine(outcomes, durationMs, style),
      ].join('\n'),
  );
  if (!options.fix) return exitCode;
  return applyFixes(ctx, probeContext, outcomes, options.yes === true, makeContext);
}

function safeUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
