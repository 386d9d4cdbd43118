#!/usr/bin/env node
// The package's command-line entry; the runtime is compiled to lib-runtime/dist (it includes ../src/spec).
'use strict';
const { runCli } = require('../dist/lib-runtime/src/cli.js');

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`open-app-mesh: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
