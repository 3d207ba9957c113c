// "1 check", "2 checks": a count and its noun, agreed, wherever dec counts things for a person.

/** `n` with its noun: the singular for exactly one, else `plural` (the singular + "s" by default). */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${thousands(n)} ${n === 1 ? singular : plural}`;
}

/**
 * A whole number with thousands separators, 1234567 as "1,234,567": what toLocaleString('en') writes,
 * without it. The first toLocaleString of a process builds ICU's number format, 25-35 ms of every
 * `dec data load` and `dec progress` (CPU profile); anything but a safe integer still goes through it.
 */
export function thousands(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let at = out.length; at < digits.length; at += 3) out += `,${digits.slice(at, at + 3)}`;
  return n < 0 ? `-${out}` : out;
}
