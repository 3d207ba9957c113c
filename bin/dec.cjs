#!/usr/bin/env node
// Starts dec. Most of dec's start-up is V8 compiling the bundle, so this shim keeps V8's code cache:
// Node 22+ does it with module.enableCompileCache(); on Node 20 the bundle is compiled through
// vm.Script with cachedData kept beside it (dist/v8-cache/), written on a run that had none.
'use strict';
const fs = require('node:fs');
const nodeModule = require('node:module');
const path = require('node:path');

const bundle = path.join(__dirname, '..', 'dist', 'cli.cjs');

function loadWithCodeCache() {
  const vm = require('node:vm');
  const cacheFile = path.join(__dirname, '..', 'dist', 'v8-cache', `cli-${process.version}-${process.arch}.bin`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(nodeModule.wrap(fs.readFileSync(bundle, 'utf8')), {
    filename: bundle,
    cachedData,
  });
  const bundleModule = { exports: {} };
  const bundleRequire = nodeModule.createRequire(bundle);
  script.runInThisContext()(bundleModule.exports, bundleRequire, bundleModule, bundle, path.dirname(bundle));
  const stale = cachedData === undefined || script.cachedDataRejected === true;
  // Saved after the command ran, so the functions it compiled are in the cache too. A read-only
  // install only means no cache.
  const save = () => {
    if (!stale && process.env.DEC_WRITE_CODE_CACHE === undefined) return;
    try {
      fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
      fs.writeFileSync(`${cacheFile}.${process.pid}`, script.createCachedData());
      fs.renameSync(`${cacheFile}.${process.pid}`, cacheFile);
    } catch {
      // no cache, no harm
    }
  };
  return { cli: bundleModule.exports, save };
}

async function start() {
  const compileCache = typeof nodeModule.enableCompileCache === 'function';
  if (compileCache) nodeModule.enableCompileCache();
  const { cli, save } = compileCache ? { cli: require(bundle), save: () => {} } : loadWithCodeCache();
  // The build warms the cache by running several commands in one process (scripts/build.mjs).
  const runs = process.env.DEC_WRITE_CODE_CACHE
    ? JSON.parse(process.env.DEC_WRITE_CODE_CACHE)
    : [process.argv.slice(2)];
  let code = 0;
  for (const args of runs) code = await cli.main([process.argv[0], process.argv[1], ...args]);
  save();
  process.exitCode = code;
}

// main() reports every error of a command; this is only reached when dec itself cannot load.
start().catch((error) => {
  process.stderr.write(
    `✗ dec could not start: ${error instanceof Error ? error.message : String(error)}\n` +
      '  → Its files (dist/) are missing or broken: reinstall dec, or run `npm run build` in a checkout.\n',
  );
  process.exitCode = 2;
});
