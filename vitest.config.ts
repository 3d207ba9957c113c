import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// A test file's folder says what it needs, and each folder is a project (`vitest run --project unit`):
//   test/unit     pure modules in this process, fakes for every side effect: seconds, no build needed
//   test/cli      the built binary (bin/dec.cjs) and the machine's own tools; no Docker engine, no Postgres
//   test/docker   a real Docker engine or a real PostgreSQL (test/helpers/docker.ts, postgres.ts)
//   test/harness  self-tests of test/helpers: the Docker fixtures and locally built images the others rely on
// `npm test` runs them all, as CI does.

const project = (name: string): TestProjectInlineConfiguration => ({
  test: { name, include: [`test/${name}/**/*.test.ts`], pool: 'forks', testTimeout: 30_000, hookTimeout: 30_000 },
});

export default defineConfig({
  test: {
    // Once per run, on the root project only (a project's own globalSetup would run once per project):
    // fails the run if any Docker resource the suite did not create was removed or changed. It does
    // nothing when the run holds neither the docker nor the harness project (test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    // The end-to-end suites spawn the built binary; keep worker count modest on 2-core machines (for
    // the whole run: a project cannot raise it).
    pool: 'forks',
    poolOptions: { forks: { maxForks: 4 } },
    projects: [project('unit'), project('cli'), project('docker'), project('harness')],
  },
});
