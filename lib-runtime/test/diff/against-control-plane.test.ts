import * as fs from 'node:fs';
import * as path from 'node:path';
import { capture, exampleSpec, Scratch } from './example-assemblies';
import { toCanonicalJson } from '../../../src/spec/canonical';
import { ControlPlane } from '../../src/control-plane';
import { runDiffCommand } from '../../src/diff/diff-command';
import type { DiffResult } from '../../src/diff/mesh-diff';
import { readSpec } from '../../src/diff/spec-inputs';
import { StaticFileDiscovery } from '../../src/discovery/static-file';
import { FileSpecSource } from '../../src/sources/file-spec-source';
import { waitFor } from '../support/wait';

/**
 * `diff --against <admin URL>` and the admin server's `/spec`: a real control plane (in process)
 * serves the canary from a watched file; what it serves is the old side of the diff.
 */

jest.setTimeout(60_000);

const TOKEN = 'diff-test-token-0123456789';
const scratch = new Scratch();
const servedFile = path.join(scratch.root, 'served.mesh.json');
const tokenFile = scratch.file('admin-token', `${TOKEN}\n`);
const canary75 = toCanonicalJson(exampleSpec('canary', { serviceB: 75, serviceBv2: 25 }));
const canary0 = toCanonicalJson(exampleSpec('canary', { serviceB: 0, serviceBv2: 100 }));
const planes: ControlPlane[] = [];

async function startControlPlane(specText: string, adminToken?: string): Promise<string> {
  fs.writeFileSync(servedFile, specText);
  const cp = new ControlPlane({
    spec: new FileSpecSource(servedFile, undefined, { debounceMs: 20, statIntervalMs: 100 }),
    discovery: new StaticFileDiscovery(scratch.file('endpoints.json', '{}')),
    xdsAddress: '127.0.0.1:0',
    adminHost: '127.0.0.1',
    adminPort: 0,
    drainMs: 100,
    ...(adminToken !== undefined ? { adminToken } : {}),
  });
  planes.push(cp);
  const { admin } = await cp.start();
  return `http://127.0.0.1:${admin}`;
}

async function diff(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const seen = capture();
  const code = await runDiffCommand(args, seen.io);
  return { code, out: seen.out, err: seen.err };
}

afterEach(async () => {
  await Promise.all(planes.splice(0).map(cp => cp.stop()));
});
afterAll(() => scratch.removeAll());

test('/spec serves the document being served, with the version the control plane reports', async () => {
  const admin = await startControlPlane(canary75);
  const response = await fetch(`${admin}/spec`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json');
  const version = readSpec(canary75, servedFile).version;
  expect(response.headers.get('x-open-app-mesh-spec-version')).toBe(version);
  expect(await response.text()).toBe(canary75);
  const dump = await (await fetch(`${admin}/config_dump?node=mesh/apps/virtualNode/serviceA`)).json() as { specVersion: string };
  expect(dump.specVersion).toBe(version);
});

test('diff --against: 0 while the new side is what is served, 1 with the weight shift, and a rejected spec does not count', async () => {
  const admin = await startControlPlane(canary75);
  const same = await diff('--against', admin, scratch.file('same.mesh.json', canary75));
  expect(same.err).toBe('');
  expect(same.code).toBe(0);
  expect(same.out).toContain(`open-app-mesh diff: ${admin}/spec → `);

  const changed = scratch.file('changed.mesh.json', canary0);
  const shift = await diff('--against', `${admin}/`, changed, '--format', 'json');
  expect(shift.code).toBe(1);
  const result = JSON.parse(shift.out) as DiffResult;
  expect(result.meshes[0].traffic.map(t => t.text)).toEqual(['route serviceB/serviceB-route (serviceb.apps.local): serviceB 75 → 0, serviceBv2 25 → 100']);

  // The control plane refuses an invalid spec and keeps serving the last good one: /spec says so.
  const invalid = JSON.parse(canary0);
  invalid.routes[0].spec.httpRoute.action.weightedTargets[1].virtualNode = 'nobody';
  fs.writeFileSync(servedFile, JSON.stringify(invalid));
  await waitFor(async () => /^oam_spec_rejections_total 1$/m.test(await (await fetch(`${admin}/metrics`)).text()), 'the invalid spec rejected', 10_000);
  expect((await diff('--against', admin, scratch.file('same-again.mesh.json', canary75))).code).toBe(0);

  // Once the new spec is served, the diff against the control plane is empty.
  fs.writeFileSync(servedFile, canary0);
  await waitFor(async () => (await diff('--against', admin, changed)).code === 0, 'the new spec served', 10_000);
});

test('with an admin token, /spec needs it, and so does the diff', async () => {
  const admin = await startControlPlane(canary75, TOKEN);
  expect((await fetch(`${admin}/spec`)).status).toBe(401);
  const without = await diff('--against', admin, scratch.file('same.mesh.json', canary75));
  expect(without.code).toBe(2);
  expect(without.err).toContain(`${admin}/spec: the admin server wants a bearer token: pass --admin-token-file <file>`);
  expect((await diff('--against', admin, '--admin-token-file', tokenFile, scratch.file('same.mesh.json', canary75))).code).toBe(0);
});

test('no spec served yet: /spec is 503 with the reason, and the diff is an error', async () => {
  const admin = await startControlPlane('{ "specVersion": ');
  const response = await fetch(`${admin}/spec`);
  expect(response.status).toBe(503);
  const body = await response.json() as { error: string; reasons: string[] };
  expect(body.error).toBe('no spec is being served');
  expect(body.reasons.join('\n')).toContain('not valid JSON');
  const refused = await diff('--against', admin, scratch.file('same.mesh.json', canary75));
  expect(refused.code).toBe(2);
  expect(refused.err).toContain(`${admin}/spec: the admin server answered 503`);
});

test('an admin URL nobody listens on is an error naming it', async () => {
  const refused = await diff('--against', 'http://127.0.0.1:9', scratch.file('same.mesh.json', canary75));
  expect(refused.code).toBe(2);
  expect(refused.err).toContain('http://127.0.0.1:9/spec: cannot reach the control plane\'s admin server');
});
