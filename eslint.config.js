import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', performance: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // Type-aware rules: a promise nobody awaits loses its
    // error (an unhandled rejection instead of dec's message) and its ordering. `void` one only with a
    // comment saying why nothing waits for it.
    files: ['**/*.ts', 'bin/*.cjs', 'scripts/*.mjs', 'bench/*.mjs'],
    languageOptions: {
      parserOptions: {
        // The scripts outside tsconfig.json get the same checks, typed from what TypeScript infers.
        projectService: {
          allowDefaultProject: ['bin/*.cjs', 'scripts/*.mjs', 'bench/*.mjs'],
          // One bin, two scripts and six benchmarks today (the default allows 8).
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 20,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // Not require-await: its 50 findings were all async functions that implement a Promise-returning
      // interface (fake engines, probes, explain callbacks), where `async` turns a throw into a
      // rejection; none was a missing await.
    },
  },
  { files: ['scripts/**', 'bench/**', 'test/**'], rules: { 'no-console': 'off' } },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', __dirname: 'readonly', module: 'writable' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
