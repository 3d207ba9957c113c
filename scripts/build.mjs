// Bundles src/ with esbuild into dist/cli.cjs: one CommonJS file, because Node's CommonJS loader
// starts ~6 ms faster than its ESM loader, and start-up is a feature (bench/startup.mjs). Command
// modules stay lazy inside the bundle (esbuild wraps each dynamically imported module); npm
// dependencies other than commander stay external and load only when a command needs them.
// Then it compiles the built-in syllabi into dist/syllabus-cache, so even the first
// `dec weeks list` after install skips YAML parsing.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));

// commander requires node:child_process at load time for executable subcommands, which dec does not
// use; loading it (and net, stream) costs ~5 ms of every start. Hand commander a lazy stand-in.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(`${'node_modules'}/commander/`) ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

// dockerode and execa load slowly from node_modules (~100 ms and ~70 ms: ssh2 and gRPC for features
// dec does not use, and dozens of small ES modules). Each is bundled once into dist/vendor/ with those
// parts loaded only if used, and the CLI requires the bundle: dec doctor starts ~130 ms sooner.
// undici (downloads only) too: one file loads faster than its ~110 modules (bench/download.mjs).
// pg and pg-copy-streams (~40 modules) likewise: every `dec data load` pays their loading before the
// first row is sent (bench/load-overhead.mjs); pg's optional native and Cloudflare sockets stay lazy.
// chalk too, so its code is out of dist/cli.cjs: terminal.ts requires it only when colour is on.
const VENDORED = ['dockerode', 'execa', 'undici', 'pg', 'pg-copy-streams', 'chalk'];
const LAZY_DEPENDENCIES = /^(ssh2|@grpc\/grpc-js|@grpc\/proto-loader|cpu-features|pg-native|pg-cloudflare)$/;
const lazyDependencies = {
  name: 'lazy-dependencies',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: LAZY_DEPENDENCIES }, (args) => ({ path: args.path, namespace: 'lazy-dependency' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-dependency' }, (args) => ({
      contents:
        args.path === 'ssh2'
          ? "module.exports = { Client: function Client(...args) { return new (require('ssh2').Client)(...args); } };"
          : `module.exports = new Proxy({}, { get: (_, key) => require(${JSON.stringify(args.path)})[key] });`,
      loader: 'js',
    }));
  },
};
const useVendored = {
  name: 'use-vendored',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: new RegExp(`^(${VENDORED.join('|')})$`) }, (args) => ({
      path: `./vendor/${args.path}.cjs`,
      external: true,
    }));
  },
};

// cli.ts imports these command modules lazily; in the build they all come from one second bundle.
const HEAVY_COMMANDS = /^\.\/commands\/(doctor|setup|homework|data|run)\.js$/;
const useHeavyBundle = {
  name: 'use-heavy-bundle',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: HEAVY_COMMANDS }, (args) =>
      args.importer.endsWith('src/cli.ts') ? { path: './commands.cjs', external: true } : undefined,
    );
  },
};

// The YAML parser and the syllabus validator (~40 KB, and the yaml package) run only when a syllabus
// has no compiled cache entry: load.ts imports them from dist/compile.cjs, the bundle the build itself
// uses to precompile the built-in syllabi, so `dec weeks list` neither reads nor caches their code.
const SYLLABUS_PARSER = join(root, 'src', 'syllabus', 'parse.ts');
const useCompileBundle = {
  name: 'use-compile-bundle',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /(^|\/)parse\.js$/ }, (args) =>
      resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')) === SYLLABUS_PARSER && args.kind === 'dynamic-import'
        ? { path: './compile.cjs', external: true }
        : undefined,
    );
  },
};

// src/errors.ts is built once, as dist/errors.cjs, and every bundle requires that one copy: a DecError
// (or DockerUnavailable, EngineError) made in dist/commands.cjs is then `instanceof` the class main.ts
// (dist/cli.cjs) checks, instead of an equal class from a second copy that could only be matched by name.
const ERRORS_MODULE = join(root, 'src', 'errors.ts');
const useSharedErrors = {
  name: 'use-shared-errors',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /(^|\/)errors\.js$/ }, (args) =>
      resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')) === ERRORS_MODULE
        ? { path: './errors.cjs', external: true }
        : undefined,
    );
  },
};

// chalk (dist/vendor/chalk.cjs, one small file) is built without its own colour detection:
// src/output/terminal.ts decides colour and hands chalk the level, so chalk's supports-color
// (node:tty, node:os, argv and env read at load) would only cost time. Plain text never loads it.
const chalkWithoutDetection = {
  name: 'chalk-without-detection',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^#supports-color$/ }, (args) =>
      args.importer.includes(`${'node_modules'}/chalk/`)
        ? { path: 'supports-color', namespace: 'no-detection' }
        : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'no-detection' }, () => ({
      contents: 'export default { stdout: false, stderr: false };',
      loader: 'js',
    }));
  },
};
const BUNDLED_DEPENDENCIES = new Set(['commander']);

const common = {
  plugins: [lazyChildProcess, chalkWithoutDetection, useVendored, useSharedErrors],
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // import() of a dependency becomes require(): the bundle runs from V8's code cache through
  // vm.Script (bin/dec.cjs), where Node 20 loses the dynamic-import callback. Node >= 20.19
  // require()s ES modules too, so ESM-only dependencies still load.
  supported: { 'dynamic-import': false },
  sourcemap: 'linked',
  // Pure ASCII output is read into a one-byte string, which Node decodes several times faster.
  charset: 'ascii',
  minifyWhitespace: true,
  minifySyntax: true,
  external: Object.keys(pkg.dependencies).filter((name) => !BUNDLED_DEPENDENCIES.has(name)),
  // import.meta.url, made only when asked for (createRequire for a lazily loaded module): the URL
  // work costs ~1 ms of every start (CPU profile), and the start path itself uses __dirname (paths.ts).
  define: { __DEC_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__decModule.url' },
  banner: {
    js: "const __decModule = { get url() { return require('node:url').pathToFileURL(__filename).href; } };",
  },
  logLevel: 'warning',
};

await rm(join(root, 'dist'), { recursive: true, force: true });
await Promise.all([
  build({
    ...common,
    plugins: [...common.plugins, useHeavyBundle, useCompileBundle],
    entryPoints: ['src/main.ts'],
    outfile: 'dist/cli.cjs',
  }),
  build({
    ...common,
    plugins: [...common.plugins, useCompileBundle],
    entryPoints: ['src/bundles/commands.ts'],
    outfile: 'dist/commands.cjs',
  }),
  build({ ...common, entryPoints: ['src/syllabus/precompile.ts'], outfile: 'dist/compile.cjs' }),
  build({ ...common, plugins: [], entryPoints: ['src/errors.ts'], outfile: 'dist/errors.cjs' }),
  ...VENDORED.map((name) =>
    build({
      absWorkingDir: root,
      entryPoints: [name],
      outfile: `dist/vendor/${name}.cjs`,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      minifyWhitespace: true,
      minifySyntax: true,
      plugins: [lazyDependencies, chalkWithoutDetection],
      // pg asks whether it runs on Cloudflare Workers by reading `navigator`, and on Node 20 (no
      // navigator) by making a `Response`, which loads Node's internal undici: ~25 ms of every load.
      define: name === 'pg' ? { navigator: '{"userAgent":"Node.js"}' } : undefined,
      logLevel: 'error',
    }),
  ),
]);

const { precompileBuiltins } = createRequire(import.meta.url)(join(root, 'dist', 'compile.cjs'));
const written = await precompileBuiltins(join(root, 'syllabus'), join(root, 'dist', 'syllabus-cache'));

// Warm V8's code cache for this Node (see bin/dec.cjs) with the commands students run most.
const { spawnSync } = await import('node:child_process');
const { mkdtempSync } = await import('node:fs');
const { tmpdir } = await import('node:os');
const scratch = mkdtempSync(join(tmpdir(), 'dec-build-'));
const warm = spawnSync(process.execPath, [join(root, 'bin', 'dec.cjs')], {
  env: {
    PATH: process.env.PATH,
    HOME: scratch,
    DEC_HOME: scratch,
    DEC_WRITE_CODE_CACHE: JSON.stringify([['--help'], ['weeks', 'list'], ['weeks', 'show', '3'], ['progress']]),
  },
  stdio: 'ignore',
  timeout: 30_000,
});
await rm(scratch, { recursive: true, force: true });
console.log(
  `built dist/cli.cjs, precompiled ${written.join(', ')}${warm.status === 0 ? ', warmed the code cache' : ''}`,
);
