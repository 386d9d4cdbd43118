#!/usr/bin/env node
// The control plane on its own (same as `open-app-mesh control-plane`); the runtime is compiled
// to lib-runtime/dist, which also holds the shared spec code (../src/spec).
'use strict';
const { main } = require('../dist/lib-runtime/src/main.js');

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`open-app-mesh-control-plane: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
