import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { capture, exampleSpec, Scratch } from './example-assemblies';
import { toCanonicalJson } from '../../../src/spec/canonical';
import { ControlPlane } from '../../src/control-plane';
import { runDiffCommand } from '../../src/diff/diff-command';
import { StaticFileDiscovery } from '../../src/discovery/static-file';
import { FileSpecSource } from '../../src/sources/file-spec-source';
import { waitFor } from '../support/wait';

/**
 * The recipe of docs/diff.md, step by step: a control plane serves the deployed canary (75/25);
 * the real `cdk synth` writes the changed app (`-c canaryWeights=0/100`); `diff --against` reads
 * the change and exits 1; after the "deploy" (the new spec served) the same diff exits 0.
 */

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '../../..');
const scratch = new Scratch();
let cp: ControlPlane | undefined;

afterAll(async () => {
  await cp?.stop();
  scratch.removeAll();
});

function cdkSynth(outdir: string, weights: string): void {
  execFileSync('npx', [
    'cdk', 'synth', '--quiet',
    '--app', 'npx ts-node --transpile-only examples/canary/app.ts',
    '-c', `canaryWeights=${weights}`,
    '-o', outdir,
  ], { cwd: ROOT, stdio: 'pipe', timeout: 240_000, env: { ...process.env, NODE_NO_WARNINGS: '1', CDK_DISABLE_VERSION_CHECK: '1' } });
}

test('synth with the real CDK CLI, diff against the running control plane, deploy, diff again', async () => {
  const served = scratch.file('served.mesh.json', toCanonicalJson(exampleSpec('canary', { serviceB: 75, serviceBv2: 25 })));
  cp = new ControlPlane({
    spec: new FileSpecSource(served, undefined, { debounceMs: 20, statIntervalMs: 100 }),
    discovery: new StaticFileDiscovery(scratch.file('endpoints.json', '{}')),
    xdsAddress: '127.0.0.1:0',
    adminHost: '127.0.0.1',
    adminPort: 0,
    drainMs: 100,
  });
  const admin = `http://127.0.0.1:${(await cp.start()).admin}`;

  const cdkOut = path.join(scratch.root, 'cdk.out');
  cdkSynth(cdkOut, '0/100');
  const before = capture();
  expect(await runDiffCommand(['--against', admin, cdkOut], before.io)).toBe(1);
  expect(before.out).toContain('route serviceB/serviceB-route (serviceb.apps.local): serviceB 75 → 0, serviceBv2 25 → 100');

  // "cdk deploy": the spec delivery puts the synthesized file where the control plane reads it.
  fs.copyFileSync(path.join(cdkOut, 'apps.mesh.json'), served);
  await waitFor(async () => await runDiffCommand(['--against', admin, cdkOut], capture().io) === 0, 'no change once the new spec is served', 10_000, 50);
});
