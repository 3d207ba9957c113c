// Flags that name a week's setup variant by what it means instead of by its name: `--light` (week 2's
// no-frills Airflow) and `--brokers 3` (week 6's three-broker Kafka, for the replication lesson;
// `--brokers 1` is the week's own one-broker stack). Each maps to `--variant <name>`, so it is
// remembered per week like any variant (variant.ts), and --down, status and `dec run` follow it.
import { DecError } from '../errors.js';
import type { CourseWeek } from '../syllabus/course.js';
import { DEFAULT_VARIANT } from '../syllabus/schema.js';
import { variantFlag, weekVariants } from './variant.js';

/** The variant of week 6 that runs three brokers, as the syllabus names it. */
export const THREE_BROKERS = 'three-brokers';

/** --brokers N → the variant: 1 the week's own stack, 3 the three-broker one. */
const BROKER_VARIANTS: Record<string, string> = { '1': DEFAULT_VARIANT, '3': THREE_BROKERS };

/** The variant `--brokers <n>` asks for; undefined when it is not given. */
export function brokersVariant(brokers: string | undefined): string | undefined {
  if (brokers === undefined) return undefined;
  const variant = BROKER_VARIANTS[brokers.trim()];
  if (variant === undefined)
    throw new DecError(`--brokers: "${brokers}" is not a number of brokers dec sets up; it sets up 1 or 3.`, {
      hint: "--brokers 3 for the replication lesson (a topic with replication factor 3 survives one broker stopping), --brokers 1 for the course's own one-broker stack.",
    });
  return variant;
}

/** The variant the flags ask for (--variant, --light, --brokers); undefined when none is given. */
export function setupVariant(options: { variant?: string; light?: boolean; brokers?: string }): string | undefined {
  const named = variantFlag(options);
  const brokers = brokersVariant(options.brokers);
  if (named !== undefined && brokers !== undefined && named !== brokers)
    throw new DecError(
      `--brokers ${options.brokers?.trim() ?? ''} is --variant ${brokers}, and ${options.light ? '--light' : `--variant ${named}`} asks for another one.`,
      { hint: 'Give one of them.' },
    );
  return brokers ?? named;
}

/** How a student names the variant on the command line: --light, --brokers 3 (and --brokers 1), else --variant. */
export function variantFlagText(week: CourseWeek, variant: string): string {
  if (variant === 'light') return '--light';
  if (variant === THREE_BROKERS) return '--brokers 3';
  if (variant === DEFAULT_VARIANT && weekVariants(week).some((v) => v.name === THREE_BROKERS)) return '--brokers 1';
  return `--variant ${variant}`;
}
