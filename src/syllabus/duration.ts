// Durations are kept in the syllabus exactly as the outline writes them ("25 minutes", "5 min",
// "1:30-1:45 mins", "40 + ? minutes", "2-3 weeks"); this module reads them for totals.

export interface Duration {
  /** Smallest and largest length, in minutes (for lessons) or weeks (for projects). */
  min: number;
  max: number;
  unit: 'minutes' | 'weeks';
  /** True when the text admits an unknown part, as in "40 + ? minutes". */
  open: boolean;
}

const UNITS: Record<string, { unit: Duration['unit']; factor: number }> = {
  m: { unit: 'minutes', factor: 1 },
  min: { unit: 'minutes', factor: 1 },
  mins: { unit: 'minutes', factor: 1 },
  minute: { unit: 'minutes', factor: 1 },
  minutes: { unit: 'minutes', factor: 1 },
  h: { unit: 'minutes', factor: 60 },
  hr: { unit: 'minutes', factor: 60 },
  hrs: { unit: 'minutes', factor: 60 },
  hour: { unit: 'minutes', factor: 60 },
  hours: { unit: 'minutes', factor: 60 },
  week: { unit: 'weeks', factor: 1 },
  weeks: { unit: 'weeks', factor: 1 },
};

const AMOUNT = String.raw`(\d+(?::[0-5]\d)?|\d*\.\d+)`;
const PATTERN = new RegExp(String.raw`^${AMOUNT}(?:\s*[-\u2013]\s*${AMOUNT})?(\s*\+\s*\?)?\s*([a-z]+)?$`, 'i');

/** Reads one amount; "1:30" is hours and minutes. */
function readAmount(text: string, factor: number): number {
  const [hours, minutes] = text.split(':');
  if (minutes !== undefined) return Number(hours) * 60 + Number(minutes);
  return Number(text) * factor;
}

export function parseDuration(text: string): Duration | undefined {
  const match = PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [, first = '', second, open, unitText] = match;
  const hasClock = first.includes(':') || (second ?? '').includes(':');
  const unit = unitText === undefined ? (hasClock ? UNITS.min : undefined) : UNITS[unitText.toLowerCase()];
  if (!unit) return undefined;
  if (hasClock && unit.unit !== 'minutes') return undefined;
  // "1:30-1:45 mins" means hours:minutes whatever the unit word says.
  const factor = hasClock ? 1 : unit.factor;
  const min = readAmount(first, factor);
  const max = second === undefined ? min : readAmount(second, factor);
  if (!(min > 0) || max < min) return undefined;
  return { min, max, unit: unit.unit, open: open !== undefined };
}

/** Adds durations of the same unit; `known` is false when some part had no duration at all. */
export interface DurationTotal {
  min: number;
  max: number;
  open: boolean;
}

export function addDurations(parts: Array<Duration | undefined>): DurationTotal | undefined {
  const known = parts.filter((part): part is Duration => part !== undefined && part.unit === 'minutes');
  if (known.length === 0) return undefined;
  return {
    min: known.reduce((sum, part) => sum + part.min, 0),
    max: known.reduce((sum, part) => sum + part.max, 0),
    open: known.length < parts.length || known.some((part) => part.open),
  };
}

function formatMinutes(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = Math.round(minutes % 60);
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** "1 h 45 min", "1 h 45 min–2 h", "≥ 40 min" (when part of it is unknown). */
export function formatTotal(total: DurationTotal | undefined): string {
  if (!total) return '';
  const span =
    total.min === total.max ? formatMinutes(total.min) : `${formatMinutes(total.min)}–${formatMinutes(total.max)}`;
  return total.open ? `≥ ${span}` : span;
}

export function formatDuration(duration: Duration): string {
  if (duration.unit === 'weeks') {
    return duration.min === duration.max ? `${duration.min} weeks` : `${duration.min}–${duration.max} weeks`;
  }
  return formatTotal({ min: duration.min, max: duration.max, open: duration.open });
}

const COMPOSE_UNITS_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };

/**
 * A duration as Compose files write them (Go's format, e.g. "10s", "1m30s", "500ms"), in milliseconds;
 * undefined when it is not one. Healthcheck timings are written this way in the course's compose files.
 */
export function parseComposeDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(?:\d+(?:\.\d+)?(?:h|ms|m|s|us))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g)) {
    total += Number(amount) * COMPOSE_UNITS_MS[unit!]!;
  }
  return total;
}
