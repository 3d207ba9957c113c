// Bundles src/ into dist/ with esbuild: one small entry for start-up, one chunk per lazily imported
// command. Then compiles the default syllabus into dist/syllabus-cache so even the first
// `dec weeks list` after install skips YAML parsing.
import { build } from 'esbuild';
import { readFile, readdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));

await rm(join(root, 'dist'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/main.ts', compile: 'src/syllabus/precompile.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  chunkNames: 'chunk-[hash]',
  // commander is needed by every run, so it is bundled; the rest load on demand from node_modules.
  external: Object.keys(pkg.dependencies).filter((name) => name !== 'commander'),
  define: { __DEC_VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS (commander) calls require(); give ESM output one.
  banner: { js: "import { createRequire as __decCreateRequire } from 'node:module'; const require = __decCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

const { precompileBuiltins } = await import(join(root, 'dist', 'compile.js'));
const written = await precompileBuiltins(join(root, 'syllabus'), join(root, 'dist', 'syllabus-cache'));
const files = await readdir(join(root, 'dist'));
console.log(`built dist/ (${files.filter((f) => f.endsWith('.js')).length} modules), precompiled ${written.join(', ')}`);
