// What the chosen weeks need, read off the syllabus: tools with version ranges, ports, memory.
import type { CourseWeek } from '../syllabus/course.js';
import { postgresLogin, postgresReadiness } from '../postgres/login.js';
import type { DesiredStack } from '../setup/spec.js';
import type { Stack } from '../syllabus/schema.js';
import type { Needs } from './types.js';

/**
 * `stacks`: the syllabus's stack definitions, whose services' published ports the doctor checks;
 * `running`: those stacks as dec runs them (remembered --port and --env, src/setup/state.ts runningStack),
 * whose host ports and logins win over the syllabus's.
 */
export function needsOf(
  weeks: readonly CourseWeek[],
  stacks: Record<string, Stack> = {},
  running: Record<string, DesiredStack> = {},
): Needs {
  const needs: Needs = { tools: new Map(), ports: [], stacks: [], weeks: weeks.map((week) => week.number) };
  for (const week of weeks) {
    for (const tool of week.tools) {
      const seen = needs.tools.get(tool.id);
      const required = tool.required !== false;
      if (!seen) {
        needs.tools.set(tool.id, { range: tool.version, required, weeks: [week.number] });
        continue;
      }
      seen.weeks.push(week.number);
      seen.required ||= required;
      // The stricter range wins when weeks disagree: later weeks usually raise the bar.
      if (tool.version && !seen.range) seen.range = tool.version;
      else if (tool.version && seen.range && seen.range !== tool.version)
        seen.range = intersect(seen.range, tool.version);
    }
    const setup = week.setup;
    const stack = setup?.stack === undefined ? undefined : stacks[setup.stack];
    if (setup?.stack) needs.stacks.push(setup.stack);
    for (const [service, spec] of Object.entries(stack?.services ?? {})) {
      const asRun = running[setup!.stack!]?.services.find((s) => s.service === service);
      const ready = postgresReadiness(spec.ready);
      const login = ready ? postgresLogin(asRun?.env ?? spec.env ?? {}, ready) : undefined;
      for (const { host } of asRun?.ports ?? spec.ports ?? []) {
        needs.ports.push({
          port: host,
          service,
          stack: setup!.stack!,
          week: week.number,
          managed: true,
          ...(login ? { login } : {}),
        });
      }
    }
    for (const { port, service } of setup?.ports ?? []) {
      needs.ports.push({ port, service, stack: setup?.stack ?? week.id, week: week.number });
    }
    const memory = stack?.memoryGb ?? setup?.dockerMemoryGb;
    if (memory !== undefined) needs.dockerMemoryGb = Math.max(needs.dockerMemoryGb ?? 0, memory);
  }
  return needs;
}

/**
 * Both ranges at once. Joining with a space is only an intersection without `||`: "8.x || 11.x" and ">=11"
 * must give "8.x >=11 || 11.x >=11", not "8.x || 11.x >=11" (which still accepts Java 8).
 */
function intersect(a: string, b: string): string {
  const branches = (range: string) => range.split(/\s*\|\|\s*/);
  return branches(a)
    .flatMap((left) => branches(b).map((right) => `${left} ${right}`.trim()))
    .join(' || ');
}
