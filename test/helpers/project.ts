// The Docker namespace of the test suite (no vitest import: test/global-setup.ts uses it too).

/** Every test project (DEC_PROJECT of a sandbox) starts with this; helpers refuse to remove any other's resources. */
export const TEST_PROJECT_PREFIX = 'dectest-';
