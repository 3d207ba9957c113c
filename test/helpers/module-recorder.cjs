// Preloaded with `node --require` (test/cli/startup-modules.test.ts): records every module the process
// loads through Node's module loader (builtins as node:<name>, files by path) and writes the list as
// JSON to DEC_TEST_MODULE_LOG when the process exits.
'use strict';
const fs = require('node:fs');
const nodeModule = require('node:module');

const log = process.env.DEC_TEST_MODULE_LOG;
const loaded = new Set();
const originalLoad = nodeModule._load;

nodeModule._load = function recordLoad(request, parent, isMain) {
  const exported = originalLoad.apply(this, arguments);
  if (nodeModule.isBuiltin(request)) {
    loaded.add(request.startsWith('node:') ? request : `node:${request}`);
  } else {
    try {
      loaded.add(nodeModule._resolveFilename(request, parent, isMain));
    } catch {
      loaded.add(request);
    }
  }
  return exported;
};

process.on('exit', () => {
  if (log) fs.writeFileSync(log, JSON.stringify([...loaded].sort(), null, 2));
});
