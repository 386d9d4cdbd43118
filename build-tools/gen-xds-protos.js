#!/usr/bin/env node
// Generates lib-runtime/src/xds/envoy-protos.generated.ts: the Envoy protos the control plane
// serves (PROTO_FILES in lib-runtime/src/xds/protos.ts, from the pinned @grpc/grpc-js-xds
// package) as a JSON descriptor, so the server starts without parsing .proto files.
// Run after changing PROTO_FILES or upgrading @grpc/grpc-js-xds or protobufjs:
//   node build-tools/gen-xds-protos.js
// lib-runtime/test/xds/proto-descriptor.test.ts fails while the file is out of date.
'use strict';
const fs = require('fs');
const path = require('path');

require('ts-node').register({ transpileOnly: true, project: path.join(__dirname, '..', 'lib-runtime', 'tsconfig.json') });
const { loadProtoFiles } = require('../lib-runtime/src/xds/protos');
const { descriptorOf, descriptorSource } = require('../lib-runtime/src/xds/proto-descriptor');

const out = path.join(__dirname, '..', 'lib-runtime', 'src', 'xds', 'envoy-protos.generated.ts');
fs.writeFileSync(out, descriptorSource(descriptorOf(loadProtoFiles())));
process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
