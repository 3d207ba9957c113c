// "1 check", "2 checks": a count and its noun, agreed, wherever dec counts things for a person.

/** `n` with its noun: the singular for exactly one, else `plural` (the singular + "s" by default). */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? singular : plural}`;
}
