import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTROL_PLANE_NODE_FLAGS } from '../src/node-flags';

test('the image starts the control plane with the V8 flags of node-flags.ts', () => {
  const dockerfile = fs.readFileSync(path.join(__dirname, '..', 'Dockerfile'), 'utf8');
  const entrypoint = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile);
  expect(entrypoint).not.toBeNull();
  expect(JSON.parse(entrypoint![1])).toEqual(['node', ...CONTROL_PLANE_NODE_FLAGS, '/app/lib-runtime/dist/lib-runtime/src/main.js']);
});

test('this node accepts the flags, and they size the young generation', () => {
  const probe = "console.log(require('v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size)";
  const sized = Number(execFileSync(process.execPath, [...CONTROL_PLANE_NODE_FLAGS, '-e', probe], { encoding: 'utf8' }));
  const plain = Number(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' }));
  expect(sized).toBeGreaterThanOrEqual(32 * 2 ** 20);
  expect(sized).toBeGreaterThan(plain);
});
