// What the chosen weeks need, read off the syllabus: tools with version ranges, ports, memory.
import { posix } from 'node:path';
import type { CourseWeek } from '../syllabus/course.js';
import { postgresLogin, postgresReadiness } from '../postgres/login.js';
import type { DesiredStack } from '../setup/spec.js';
import type { Stack } from '../syllabus/schema.js';
import type { MemoryNeed, MountedKey, Needs, StackPath } from './types.js';

/**
 * Another setup of a week (`setup.variants` in the syllabus, e.g. week 2's light Airflow). Read as
 * data so that a syllabus without the key, or a schema that does not know it yet, reads as none.
 */
interface SetupVariant {
  stack: string;
  dockerMemoryGb?: number;
}

function variantsOf(setup: CourseWeek['setup']): Array<[string, SetupVariant]> {
  const variants = (setup as { variants?: Record<string, SetupVariant> } | undefined)?.variants ?? {};
  return Object.entries(variants).filter(([, v]) => typeof v?.stack === 'string');
}

/**
 * `stacks`: the syllabus's stack definitions, whose services' published ports the doctor checks;
 * `running`: those stacks as dec runs them (remembered --port and --env, src/setup/state.ts runningStack),
 * whose host ports and logins win over the syllabus's.
 */
export function needsOf(
  weeks: readonly CourseWeek[],
  stacks: Record<string, Stack> = {},
  running: Record<string, DesiredStack> = {},
  /** The whole course, when `weeks` are some of it: the other weeks' ranges are kept for the fixes' wording. */
  course: readonly CourseWeek[] = weeks,
): Needs {
  const needs: Needs = { tools: new Map(), ports: [], stacks: [], weeks: weeks.map((week) => week.number) };
  for (const week of weeks) {
    const weekStack = week.setup?.stack === undefined ? undefined : stacks[week.setup.stack];
    for (const tool of week.tools) {
      const seen = needs.tools.get(tool.id);
      // A tool the week's stack stands in for (week 4's dbt container) is optional locally.
      const viaStack: StackPath | undefined = weekStack?.tool?.provides?.includes(tool.id)
        ? {
            week: week.number,
            stack: week.setup!.stack!,
            ...(weekStack.tool.example ? { example: weekStack.tool.example } : {}),
          }
        : undefined;
      const required = tool.required !== false && viaStack === undefined;
      if (!seen) {
        needs.tools.set(tool.id, {
          range: tool.version,
          required,
          weeks: [week.number],
          byWeek: [{ week: week.number, range: tool.version }],
          ...(viaStack ? { stacks: [viaStack] } : {}),
        });
        continue;
      }
      if (viaStack) (seen.stacks ??= []).push(viaStack);
      seen.weeks.push(week.number);
      (seen.byWeek ??= []).push({ week: week.number, range: tool.version });
      seen.required ||= required;
      // The stricter range wins when weeks disagree: later weeks usually raise the bar.
      if (tool.version && !seen.range) seen.range = tool.version;
      else if (tool.version && seen.range && seen.range !== tool.version)
        seen.range = intersect(seen.range, tool.version);
    }
    const setup = week.setup;
    const stack = setup?.stack === undefined ? undefined : stacks[setup.stack];
    if (setup?.stack) needs.stacks.push(setup.stack);
    const variants = variantsOf(setup);
    const variantStacks = variants.map(([, v]) => v.stack);
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
          ...(variantStacks.length > 0 ? { variantStacks } : {}),
        });
      }
    }
    for (const { port, service } of setup?.ports ?? []) {
      // The stack's own declaration of the port (above) says the same, with what dec runs.
      if (needs.ports.some((p) => p.week === week.number && p.port === port)) continue;
      needs.ports.push({ port, service, stack: setup?.stack ?? week.id, week: week.number });
    }
    if (setup?.stack) {
      const builds = Object.values(stack?.services ?? {}).some((service) => service.build !== undefined);
      if (builds) (needs.builds ??= []).push({ week: week.number, stack: setup.stack });
      for (const id of [setup.stack, ...variantStacks]) {
        const bound = Object.entries(stacks[id]?.services ?? {}).flatMap(([name, service]) =>
          service.platforms ? [[name, { image: service.image, platforms: service.platforms }] as const] : [],
        );
        if (bound.length > 0)
          (needs.platformBound ??= []).push({ week: week.number, stack: id, services: Object.fromEntries(bound) });
      }
      for (const key of mountedKeysOf(week.number, [setup.stack, ...variantStacks], stacks)) {
        if (!needs.mountedKeys?.some((k) => k.from === key.from && k.path === key.path))
          (needs.mountedKeys ??= []).push(key);
      }
    }
    const memory = stack?.memoryGb ?? setup?.dockerMemoryGb;
    if (memory !== undefined) {
      needs.dockerMemoryGb = Math.max(needs.dockerMemoryGb ?? 0, memory);
      (needs.memory ??= []).push(memoryNeed(week.number, setup?.stack, memory, variants, stacks));
    }
  }
  for (const other of course) {
    if (weeks.includes(other)) continue;
    for (const tool of other.tools) {
      const need = needs.tools.get(tool.id);
      if (need) (need.otherWeeks ??= []).push({ week: other.number, range: tool.version });
    }
  }
  return needs;
}

/**
 * The key files these stacks' containers read: a service's GOOGLE_APPLICATION_CREDENTIALS that lies in
 * one of its binds, as that file on the host (week 2's Airflow: ~/.google/credentials/google_credentials.json).
 */
function mountedKeysOf(week: number, stackIds: readonly string[], stacks: Record<string, Stack>): MountedKey[] {
  const keys: MountedKey[] = [];
  for (const stack of stackIds) {
    for (const service of Object.values(stacks[stack]?.services ?? {})) {
      const inside = service.env?.GOOGLE_APPLICATION_CREDENTIALS;
      if (inside === undefined) continue;
      for (const bind of service.binds ?? []) {
        const target = bind.target.replace(/\/+$/, '');
        if (!inside.startsWith(`${target}/`)) continue;
        const path = posix.join(bind.path, inside.slice(target.length + 1));
        const from = bind.from ?? 'workspace';
        if (keys.some((k) => k.from === from && k.path === path)) continue;
        keys.push({ week, stack, from, path, ...(bind.withoutIt ? { withoutIt: bind.withoutIt } : {}) });
      }
    }
  }
  return keys;
}

function memoryNeed(
  week: number,
  stack: string | undefined,
  gb: number,
  variants: Array<[string, SetupVariant]>,
  stacks: Record<string, Stack>,
): MemoryNeed {
  const lighter = variants
    .map(([name, v]) => ({ name, stack: v.stack, gb: stacks[v.stack]?.memoryGb ?? v.dockerMemoryGb }))
    .filter((v): v is { name: string; stack: string; gb: number } => v.gb !== undefined && v.gb < gb)
    .sort((a, b) => a.gb - b.gb);
  return { week, ...(stack === undefined ? {} : { stack }), gb, lighter };
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
