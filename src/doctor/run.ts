// Runs probes concurrently, each within its timeout; one that throws becomes "crashed" and the
// others go on. Results come back in the probes' fixed order, whatever order they finished in.
import { withStackPath } from './stack-path.js';
import type { Probe, ProbeContext, ProbeResult } from './types.js';

export interface ProbeOutcome {
  probe: Probe;
  result: ProbeResult;
  /** Whether a failure here fails the doctor (the weeks need it); otherwise it is shown as a warning. */
  required: boolean;
  durationMs: number;
}

/** A probe's failure counts only when a chosen week needs one of its tools (or it always applies). */
export function isRequired(probe: Probe, ctx: Pick<ProbeContext, 'needs'>): boolean {
  if (probe.always || probe.whenPorts) return true;
  return (probe.tools ?? []).some((tool) => ctx.needs.tools.get(tool)?.required === true);
}

export function appliesTo(probe: Probe, ctx: Pick<ProbeContext, 'needs'>): boolean {
  if (probe.always) return true;
  if (probe.whenPorts && ctx.needs.ports.length > 0) return true;
  return (probe.tools ?? []).some((tool) => ctx.needs.tools.has(tool));
}

function timedOut(probe: Probe, ms: number): ProbeResult {
  return {
    status: 'fail',
    detail: `gave no answer within ${ms / 1000} s`,
    fix: { text: `Something ${probe.title} depends on hangs; run with --verbose, or raise --timeout.` },
  };
}

async function runOne(probe: Probe, ctx: ProbeContext, now: () => number): Promise<ProbeOutcome> {
  let started = now();
  const ms = probe.timeoutMs ?? ctx.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  let result: ProbeResult;
  try {
    // The time limit is for what the probe checks, not for loading dec's own modules.
    await probe.prepare?.(ctx);
    started = now();
    result = await Promise.race([
      probe.run(ctx),
      new Promise<ProbeResult>((resolve) => {
        timer = setTimeout(() => resolve(timedOut(probe, ms)), ms);
      }),
    ]);
  } catch (error) {
    result = {
      status: 'crashed',
      detail: `the check itself failed: ${error instanceof Error ? error.message : String(error)}`,
      details:
        error instanceof Error && error.stack
          ? error.stack
              .split('\n')
              .slice(1, 6)
              .map((line) => line.trim())
          : [],
      fix: { text: 'This is a bug in dec; please report it with the output of `dec doctor --report`.' },
    };
  } finally {
    clearTimeout(timer);
  }
  // A tool the chosen weeks' stacks stand in for (week 4's dbt container): which path the student is on.
  result = await withStackPath(probe, ctx, result).catch(() => result);
  const required = isRequired(probe, ctx);
  // A failed check the weeks can do without is a warning, not a failure.
  if (result.status === 'fail' && !required) result = { ...result, status: 'warn' };
  return { probe, result, required, durationMs: Math.round(now() - started) };
}

export function runProbes(
  probes: readonly Probe[],
  ctx: ProbeContext,
  now: () => number = () => performance.now(),
): Promise<ProbeOutcome[]> {
  return Promise.all(probes.map((probe) => runOne(probe, ctx, now)));
}

export interface DoctorSummary {
  ok: number;
  warn: number;
  fail: number;
  skipped: number;
  crashed: number;
}

export function summarizeOutcomes(outcomes: readonly ProbeOutcome[]): DoctorSummary {
  const summary: DoctorSummary = { ok: 0, warn: 0, fail: 0, skipped: 0, crashed: 0 };
  for (const { result } of outcomes) summary[result.status]++;
  return summary;
}

/** 1 when a required probe failed or crashed, else 0. */
export function doctorExitCode(outcomes: readonly ProbeOutcome[]): number {
  return outcomes.some(({ result, required }) => required && (result.status === 'fail' || result.status === 'crashed'))
    ? 1
    : 0;
}
