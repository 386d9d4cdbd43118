#!/usr/bin/env node
// Generates src/policies/envoy-patch-types.generated.ts: TypeScript types of the Envoy messages an
// Envoy patch may write (docs/envoy-patches.md), from the same proto descriptor the control plane
// serves (lib-runtime/src/xds/envoy-protos.generated.ts). Type-only: it compiles to nothing, is not
// exported from src/index.ts (jsii cannot express these types), and TypeScript users import it as
// `open-app-mesh/lib/policies/envoy-patch-types.generated`.
// Run after regenerating the descriptor:
//   node build-tools/gen-envoy-patch-types.js
// test/policies/envoy-patch-types.test.ts fails while the file is out of date.
'use strict';
const fs = require('fs');
const path = require('path');

require('ts-node').register({ transpileOnly: true, project: path.join(__dirname, '..', 'lib-runtime', 'tsconfig.json') });
const { envoyPatchTypesSource } = require('./envoy-patch-types');

const out = path.join(__dirname, '..', 'src', 'policies', 'envoy-patch-types.generated.ts');
fs.writeFileSync(out, envoyPatchTypesSource());
process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
