// The DecError a piece of code throws or rejects with, for tests that then look at its message and hint.
import { isDecError, type DecError } from '../../src/errors.js';

/** The DecError `work` throws; anything else it throws is rethrown, and throwing nothing fails. */
export function thrownDecError(work: () => unknown): DecError {
  try {
    work();
  } catch (error) {
    if (isDecError(error)) return error;
    throw error;
  }
  throw new Error('expected a DecError, but nothing was thrown');
}

/** The DecError `work` rejects with; resolving, or rejecting with anything else, fails. */
export async function rejectedDecError(work: Promise<unknown>): Promise<DecError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDecError(error)) throw new Error(`expected a DecError, got ${String(error)}`);
  return error;
}
