import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The end-to-end suites spawn the built binary; keep worker count modest on 2-core machines.
    poolOptions: { forks: { maxForks: 4 } },
    pool: 'forks',
  },
});
