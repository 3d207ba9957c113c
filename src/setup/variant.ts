// Variants of a week's setup (`setup.variants` in the syllabus): another stack for the same week, e.g.
// week 2's light Airflow for machines with 4 GB. `dec setup <week> --variant <name>` (or `--light`)
// chooses one; the choice is remembered per syllabus and week, so `--down`, `--destroy`, `--only` and
// `dec setup status` find the variant that was set up without the flag.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DecError } from '../errors.js';
import { weekLabel, type Course, type CourseWeek } from '../syllabus/course.js';
import { findWeek } from '../syllabus/query.js';
import { DEFAULT_VARIANT } from '../syllabus/schema.js';
import { readTextIfExists, writeFileAtomic } from '../util/fs.js';
import { overridesPath } from './state.js';

/** What `--variant <name>` and `--light` ask for; undefined when neither is given. */
export function variantFlag(options: { variant?: string; light?: boolean }): string | undefined {
  const named = options.variant?.trim();
  if (options.light && named !== undefined && named !== 'light') {
    throw new DecError(`--light is --variant light, and --variant ${named} asks for another one.`, {
      hint: 'Give one of them.',
    });
  }
  return named ?? (options.light ? 'light' : undefined);
}

/** The week's variants by name, the week's own stack first as "default". */
export function weekVariants(week: CourseWeek): Array<{ name: string; stack: string; summary: string }> {
  const setup = week.setup;
  if (setup?.stack === undefined) return [];
  return [
    { name: DEFAULT_VARIANT, stack: setup.stack, summary: setup.summary },
    ...Object.entries(setup.variants ?? {}).map(([name, v]) => ({ name, stack: v.stack, summary: v.summary })),
  ];
}

/** The stack a variant of the week runs; a name the week does not have is an error listing those it has. */
export function variantStack(week: CourseWeek, variant: string): string {
  const variants = weekVariants(week);
  const found = variants.find((v) => v.name === variant);
  if (found) return found.stack;
  if (variants.length <= 1) {
    throw new DecError(`Week ${weekLabel(week)} has one setup only; it has no variant "${variant}".`, {
      hint: `Leave out --variant and --light: dec setup ${variants[0]?.stack ?? weekLabel(week)}`,
    });
  }
  throw new DecError(`Week ${weekLabel(week)} has no setup variant "${variant}".`, {
    details: variants.map((v) => `  ${v.name}: ${v.summary}`),
    hint: `Choose one of them: --variant ${variants.map((v) => v.name).join(', --variant ')}.`,
  });
}

/** `dec setup week2-light`: a variant's stack named instead of its week (as printed fixes name it). */
export function variantOfStack(course: Course, ref: string): { week: CourseWeek; variant: string } | undefined {
  const wanted = ref.trim().toLowerCase();
  for (const week of course.weeks) {
    for (const [variant, spec] of Object.entries(week.setup?.variants ?? {}))
      if (spec.stack === wanted) return { week, variant };
  }
  return undefined;
}

/** Next to the week's own stack's remembered flags (and under the same DEC_PROJECT folder). */
function variantPath(env: NodeJS.ProcessEnv, syllabusId: string, week: CourseWeek): string {
  const base = week.setup?.stack ?? week.id;
  // "<syllabus>-<stack>.variant.json": a stack id has no dot, so it never meets a stack's own file.
  return join(dirname(overridesPath(env, syllabusId, base)), `${syllabusId}-${base}.variant.json`);
}

/**
 * The week `ref` names and the stack to use for it: a variant's stack named (`week2-light`), else the
 * variant asked for (`--variant`), else the one set up last, else the week's own. `stackId` is undefined
 * for a week without a stack. Shared by `dec setup` and `dec run`, so both mean the same stack.
 */
export async function weekStack(
  env: NodeJS.ProcessEnv,
  course: Course,
  ref: string,
  wanted?: string,
): Promise<{
  week: CourseWeek;
  named?: { week: CourseWeek; variant: string };
  remembered?: string;
  variant: string;
  stackId?: string;
}> {
  const named = variantOfStack(course, ref);
  const week = named?.week ?? findWeek(course, ref);
  const remembered = week.setup?.stack ? await rememberedVariant(env, course.id, week) : undefined;
  const variant = wanted ?? named?.variant ?? remembered ?? DEFAULT_VARIANT;
  const stackId = week.setup?.stack === undefined ? undefined : variantStack(week, variant);
  return { week, named, remembered, variant, stackId };
}

/** The variant last set up for the week; undefined when none was chosen or it no longer exists. */
export async function rememberedVariant(
  env: NodeJS.ProcessEnv,
  syllabusId: string,
  week: CourseWeek,
): Promise<string | undefined> {
  const path = variantPath(env, syllabusId, week);
  const text = await readTextIfExists(path, 'the remembered setup variant');
  if (text === undefined) return undefined;
  let variant: unknown;
  try {
    variant = (JSON.parse(text) as { variant?: unknown }).variant;
  } catch {
    variant = undefined;
  }
  if (typeof variant !== 'string') {
    throw new DecError(`The remembered setup variant of week ${weekLabel(week)} in ${path} is damaged.`, {
      hint: `Delete the file (rm "${path}") and name the variant again: dec setup ${week.setup?.stack ?? weekLabel(week)} --variant <name>`,
    });
  }
  // A syllabus that dropped the variant: back to the week's own stack.
  return weekVariants(week).some((v) => v.name === variant) ? variant : undefined;
}

export async function rememberVariant(
  env: NodeJS.ProcessEnv,
  syllabusId: string,
  week: CourseWeek,
  variant: string,
): Promise<void> {
  const path = variantPath(env, syllabusId, week);
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new DecError(`Cannot create the folder ${dirname(path)}: ${(error as Error).message}`, {
      hint: 'Check the permissions of the dec state folder, or point DEC_HOME at a folder you own.',
      cause: error,
    });
  }
  await writeFileAtomic(path, `${JSON.stringify({ version: 1, variant }, null, 2)}\n`, 0o600);
}

/**
 * Two variants of a week publish the same ports and do the same work: before one is set up, the others
 * must be down (their data is kept). The error names the one that is there and the command that frees it.
 */
export function checkOtherVariants(
  week: CourseWeek,
  chosen: string,
  stacksWithContainers: ReadonlySet<string>,
  command: string,
): void {
  const chosenStack = variantStack(week, chosen);
  const others = weekVariants(week).filter((v) => v.stack !== chosenStack && stacksWithContainers.has(v.stack));
  const other = others[0];
  if (!other) return;
  throw new DecError(
    `The ${other.name} setup of week ${weekLabel(week)} (${other.stack}) has containers; take it down before setting up the ${chosen} one.`,
    {
      hint: `${downCommand(other)} (its data is kept), then ${command}`,
    },
  );
}

/** The week's own stack by its variant name (a bare week would mean the remembered one); another by its stack. */
function downCommand(variant: { name: string; stack: string }): string {
  return variant.name === DEFAULT_VARIANT
    ? `dec setup ${variant.stack} --variant ${DEFAULT_VARIANT} --down`
    : `dec setup ${variant.stack} --down`;
}

/** For the memory warning: the week's variants that need less memory than `neededGb`, as a hint. */
export function lighterVariantHint(
  course: Pick<Course, 'stacks'>,
  week: CourseWeek,
  neededGb: number | undefined,
): string | undefined {
  if (neededGb === undefined) return undefined;
  const lighter = Object.entries(week.setup?.variants ?? {})
    .map(([name, v]) => ({ name, gb: course.stacks[v.stack]?.memoryGb ?? v.dockerMemoryGb }))
    .filter((v): v is { name: string; gb: number } => v.gb !== undefined && v.gb < neededGb)
    .sort((a, b) => a.gb - b.gb);
  const first = lighter[0];
  if (!first) return undefined;
  const flag = first.name === 'light' ? '--light' : `--variant ${first.name}`;
  return `With less memory, the ${first.name} setup needs ${first.gb} GiB: dec setup ${week.setup?.stack ?? weekLabel(week)} ${flag}`;
}
