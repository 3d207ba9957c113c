// dec doctor --fix: applies the fixes dec can make safely, each confirmed on a terminal (or all
// with --yes). It only ever touches its own containers and the student's credential files.
import { chmod, mkdir } from 'node:fs/promises';
import type { CommandContext } from '../command-context.js';
import { isDecOwned, projectFromEnv, projectOf } from '../docker/client.js';
import { DecError } from '../errors.js';
import { doctorExitCode, runProbes, type ProbeOutcome } from './run.js';
import type { AutoFix, ProbeContext } from './types.js';

export function describeFix(fix: AutoFix): string {
  switch (fix.kind) {
    case 'chmod-600':
      return `make ${fix.path} readable by you only (chmod 600)`;
    case 'mkdir-700':
      return `create ${fix.path} (mode 700)`;
    case 'start-containers':
      return `start dec's stopped container${fix.containers.length === 1 ? '' : 's'} ${fix.containers.map((c) => c.name).join(', ')}`;
    case 'stop-container':
      return `stop dec's container ${fix.name} (its data volume is kept)`;
  }
}

async function apply(probeContext: ProbeContext, fix: AutoFix): Promise<void> {
  switch (fix.kind) {
    case 'chmod-600':
      return chmod(fix.path, 0o600);
    case 'mkdir-700':
      return void (await mkdir(fix.path, { recursive: true, mode: 0o700 }));
    case 'start-containers':
      for (const container of fix.containers)
        await (await decContainer(probeContext, container.id, container.name)).startContainer(container.id);
      return;
    case 'stop-container':
      return (await decContainer(probeContext, fix.containerId, fix.name)).stopContainer(fix.containerId);
  }
}

/** The engine client, after checking again, right before acting, that dec created the container. */
async function decContainer(probeContext: ProbeContext, id: string, name: string) {
  const facts = await probeContext.docker.engine();
  if (!facts.reachable) throw new Error(facts.error.message);
  const container = (await facts.client.listContainers()).find((c) => c.id === id);
  if (!container || !isDecOwned(container)) throw new Error(`${name} is not a dec container`);
  // Another project's containers (DEC_PROJECT) are not this run's to stop or start.
  if (projectOf(container.labels) !== projectFromEnv(probeContext.env))
    throw new Error(`${name} belongs to another dec project (${projectOf(container.labels)})`);
  return facts.client;
}

export async function applyFixes(
  ctx: CommandContext,
  probeContext: ProbeContext,
  outcomes: readonly ProbeOutcome[],
  yes: boolean,
  freshContext: () => ProbeContext,
): Promise<number> {
  const { terminal } = ctx;
  const { style } = terminal;
  const fixable = outcomes.filter(
    (o) => o.result.fix?.auto && o.result.status !== 'ok' && o.result.status !== 'skipped',
  );
  if (fixable.length === 0) {
    terminal.print(`\nNothing here that dec can fix by itself; the lines above say what to run.`);
    return doctorExitCode(outcomes);
  }
  if (!yes && !terminal.interactive) {
    throw new DecError(
      `dec doctor --fix would ${fixable.map((o) => describeFix(o.result.fix!.auto!)).join('; ')}, but cannot ask for confirmation here.`,
      {
        hint: 'Run it in a terminal, or pass --yes to apply every fix.',
        exitCode: 2,
      },
    );
  }
  terminal.print('');
  const fixed: ProbeOutcome[] = [];
  for (const outcome of fixable) {
    const fix = outcome.result.fix!.auto!;
    const what = describeFix(fix);
    if (!yes && !(await ctx.prompt.confirm(`${outcome.probe.title}: ${what}?`, '--yes'))) {
      terminal.print(`${style.dim('-')} skipped: ${what}`);
      continue;
    }
    try {
      await apply(probeContext, fix);
      terminal.print(`${style.green('✓')} done: ${what}`);
      fixed.push(outcome);
    } catch (error) {
      terminal.print(`${style.red('✗')} could not ${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (fixed.length === 0) return doctorExitCode(outcomes);
  // Check again with fresh facts, so the verdict reflects the fixes.
  const again = await runProbes(
    fixed.map((o) => o.probe),
    freshContext(),
  );
  for (const { probe, result } of again) terminal.print(`  now: ${probe.title}: ${result.status}, ${result.detail}`);
  const merged = outcomes.map((o) => again.find((a) => a.probe.id === o.probe.id) ?? o);
  return doctorExitCode(merged);
}
