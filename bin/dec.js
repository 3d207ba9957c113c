#!/usr/bin/env node
// A shim: turn on Node's compile cache where it exists (Node 22+), then run the bundled CLI.
import module from 'node:module';

if (typeof module.enableCompileCache === 'function') module.enableCompileCache();
const { main } = await import('../dist/cli.js');
process.exitCode = await main(process.argv);
