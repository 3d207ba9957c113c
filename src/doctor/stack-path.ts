// A local tool the chosen weeks' stacks stand in for (the syllabus's `tool.provides`: week 4's dbt
// container): a missing or wrong local install is then optional, and the doctor says which path the
// student is on. With the stack's containers made (`dec setup` ran), the stack path is theirs: ok.
// Otherwise a note (a warning, never a failure) naming the setup command and `dec run`.
// Under dez-2026 no stack provides dbt, Java or Spark (modules 4-6 have no containers in the course),
// so nothing here applies and those checks stay required.
import { DEC_LABELS, projectFromEnv, projectOf } from '../docker/client.js';
import type { Probe, ProbeContext, ProbeResult, StackPath } from './types.js';

/** The stacks that stand in for this probe's tools, when no chosen week needs a local install. */
function stackPaths(probe: Probe, ctx: Pick<ProbeContext, 'needs'>): StackPath[] {
  const tools = (probe.tools ?? []).filter((tool) => ctx.needs.tools.has(tool));
  if (tools.length === 0 || probe.always || probe.whenPorts) return [];
  // A chosen week that needs the tool locally (no stack of its own stands in) keeps the check strict.
  if (tools.some((tool) => ctx.needs.tools.get(tool)!.required)) return [];
  return tools.flatMap((tool) => ctx.needs.tools.get(tool)!.stacks ?? []);
}

/** `dec run week4 dbt debug`: the stack's example command, else the probe's tool. */
function runCommand(path: StackPath, probe: Probe): string {
  return `dec run ${path.stack} ${path.example ?? probe.tools?.[0] ?? ''}`.trim();
}

/** The probe's result with the stack path said: ok when the stack is set up, else an optional note. */
export async function withStackPath(probe: Probe, ctx: ProbeContext, result: ProbeResult): Promise<ProbeResult> {
  if (result.status !== 'fail' && result.status !== 'warn') return result;
  const paths = stackPaths(probe, ctx);
  if (paths.length === 0) return result;
  await ctx.docker.load();
  const containers = (await ctx.docker.containers()) ?? [];
  const project = projectFromEnv(ctx.env);
  const isSetUp = (path: StackPath) =>
    containers.some((c) => projectOf(c.labels) === project && c.labels[DEC_LABELS.stack] === path.stack);
  const setUp = paths.find(isSetUp);
  const path = setUp ?? paths[0]!;
  const run = runCommand(path, probe);
  const weeks = [...new Set(paths.map((p) => p.week))].join(', ');
  if (setUp) {
    return {
      ...result,
      status: 'ok',
      detail: `${result.detail} — not needed: you use dec's stack for week ${weeks} (${run})`,
      fix: undefined,
    };
  }
  const stackWay = `Nothing to install with dec's stack: dec setup ${path.stack}, then ${run}.`;
  return {
    ...result,
    status: 'warn',
    detail: `${result.detail} — optional: dec setup ${path.stack} runs ${probe.title} in a container (${run})`,
    fix: result.fix
      ? { ...result.fix, text: `${stackWay} To install ${probe.title} locally instead: ${result.fix.text}` }
      : { text: stackWay, command: `dec setup ${path.stack}` },
  };
}
