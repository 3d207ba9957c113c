// The common shape of "is this command installed, in the version the syllabus wants?".
import type { ToolId } from '../../syllabus/schema.js';
import { installFor } from '../install.js';
import type { ExecResult, Fix, Probe, ProbeContext, ProbeGroup, ProbeResult } from '../types.js';
import { describeRange, extractVersion, satisfiesRange } from '../versions.js';

export interface ToolProbeSpec {
  id: string;
  title: string;
  group: ProbeGroup;
  tool: ToolId;
  /** The command, or one per platform (python3 vs python on Windows). */
  command: string | ((platform: NodeJS.Platform) => string);
  args: string[];
  /** Reads the version from the command's output; defaults to the first x.y.z in stdout+stderr. */
  parse?: (output: string) => string | undefined;
  /** Extra checks once the version is known (JAVA_HOME, adapters, ...). */
  after?: (ctx: ProbeContext, found: ProbeResult, run: ExecResult) => Promise<ProbeResult>;
  checks?: string;
}

export function rangeOf(ctx: ProbeContext, tool: ToolId): string | undefined {
  return ctx.needs.tools.get(tool)?.range;
}

/** Verdict for a version against the syllabus's range; `fix` tells how to get a right one. */
export function versionVerdict(
  ctx: ProbeContext,
  tool: ToolId,
  version: string | undefined,
  where: string,
  upgrade: Fix,
): ProbeResult {
  const wanted = rangeOf(ctx, tool);
  if (version === undefined) {
    return { status: 'warn', wanted, detail: `found ${where}, but could not read its version` };
  }
  if (wanted && !satisfiesRange(version, wanted)) {
    return {
      status: 'fail',
      version,
      wanted,
      detail: `${version}, but the course wants ${describeRange(wanted)}`,
      fix: upgrade,
    };
  }
  return {
    status: 'ok',
    version,
    wanted,
    detail: wanted ? `${version} (the course wants ${describeRange(wanted)})` : version,
    details: [`found: ${where}`],
  };
}

export function toolProbe(spec: ToolProbeSpec): Probe {
  return {
    id: spec.id,
    title: spec.title,
    group: spec.group,
    tools: [spec.tool],
    checks:
      spec.checks ??
      `\`${typeof spec.command === 'string' ? spec.command : spec.command('linux')}\` is installed, in the version the syllabus wants`,
    async run(ctx) {
      const command = typeof spec.command === 'string' ? spec.command : spec.command(ctx.platform);
      const run = await ctx.exec(command, spec.args);
      const fix = await installFor(ctx, spec.tool);
      if (run.notFound)
        return { status: 'fail', wanted: rangeOf(ctx, spec.tool), detail: `\`${command}\` is not on PATH`, fix };
      if (run.timedOut) {
        return {
          status: 'fail',
          detail: `\`${command} ${spec.args.join(' ')}\` did not finish in time`,
          fix: { text: 'Check that the installation works: run the command by hand.' },
        };
      }
      const output = `${run.stdout}\n${run.stderr}`;
      const version = (spec.parse ?? extractVersion)(output);
      const found = versionVerdict(ctx, spec.tool, version, `\`${command}\``, fix);
      if (version === undefined && run.exitCode !== 0) {
        return { status: 'fail', detail: `\`${command}\` fails: ${output.trim().split('\n')[0] ?? ''}`.trim(), fix };
      }
      return spec.after && found.status !== 'fail' ? spec.after(ctx, found, run) : found;
    },
  };
}
