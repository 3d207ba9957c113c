import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fails the run if any Docker resource the suite did not create was removed or changed.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The end-to-end suites spawn the built binary; keep worker count modest on 2-core machines.
    poolOptions: { forks: { maxForks: 4 } },
    pool: 'forks',
  },
});
