import * as fs from 'node:fs';
import * as path from 'node:path';
import { capture, Scratch } from './example-assemblies';
import { runDiffCommand } from '../../src/diff/diff-command';
import type { DiffResult } from '../../src/diff/mesh-diff';
import { readSpec } from '../../src/diff/spec-inputs';
import { compiledMeshOf, listNodeIds, translateNode } from '../../src/translate';

/**
 * `open-app-mesh diff` on the examples as `cdk synth` writes them: the canary synthesized at two
 * weights (the `canaryWeights` context, as `cdk synth -c canaryWeights=0/100`), identical
 * inputs, assemblies with several meshes, and inputs that cannot be read.
 */

jest.setTimeout(120_000);

const scratch = new Scratch();
let canary75: string;
let canary0: string;
let canary75again: string;

beforeAll(() => {
  canary75 = scratch.assembly('canary-75', ['canary'], '75/25');
  canary0 = scratch.assembly('canary-0', ['canary'], '0/100');
  canary75again = scratch.assembly('canary-75-again', ['canary'], '75/25');
});
afterAll(() => scratch.removeAll());

async function diff(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const seen = capture();
  const code = await runDiffCommand(args, seen.io);
  return { code, out: seen.out, err: seen.err };
}

async function diffJson(...args: string[]): Promise<{ code: number; result: DiffResult }> {
  const { code, out } = await diff(...args, '--format', 'json');
  return { code, result: JSON.parse(out) as DiffResult };
}

describe('the canary at 75/25 and at 0/100', () => {
  test('text: exit 1, the weight shift in words, the two weight fields, and serviceA as the one node that changes', async () => {
    const { code, out, err } = await diff(canary75, canary0);
    expect(err).toBe('');
    expect(code).toBe(1);
    expect(out).toContain('route serviceB/serviceB-route (serviceb.apps.local): serviceB 75 → 0, serviceBv2 25 → 100');
    expect(out).toContain('routes["serviceB/serviceB-route"].spec.httpRoute.action.weightedTargets[virtualNode="serviceB"].weight: 75 → 0');
    expect(out).toContain('routes["serviceB/serviceB-route"].spec.httpRoute.action.weightedTargets[virtualNode="serviceBv2"].weight: 25 → 100');
    expect(out).toContain('nodes whose configuration changes: 1\n    ~ mesh/apps/virtualNode/serviceA');
    expect(out).toContain(`mesh apps: changed, ${readSpec(fs.readFileSync(path.join(canary75, 'apps.mesh.json'), 'utf8'), 'x').version}`);
    expect(out).toContain('no discovered endpoints');
  });

  test('json: the Envoy and proxyless route weights of serviceA, and nothing else', async () => {
    const { code, result } = await diffJson(canary75, canary0);
    expect(code).toBe(1);
    expect(result.changed).toBe(true);
    const [mesh] = result.meshes;
    expect(mesh).toMatchObject({ meshName: 'apps', status: 'changed' });
    expect(mesh.resources).toEqual([{
      kind: 'route',
      name: 'serviceB/serviceB-route',
      path: 'routes["serviceB/serviceB-route"]',
      change: 'changed',
      fields: [
        { path: 'routes["serviceB/serviceB-route"].spec.httpRoute.action.weightedTargets[virtualNode="serviceB"].weight', change: 'changed', before: 75, after: 0 },
        { path: 'routes["serviceB/serviceB-route"].spec.httpRoute.action.weightedTargets[virtualNode="serviceBv2"].weight', change: 'changed', before: 25, after: 100 },
      ],
    }]);
    expect(mesh.traffic).toEqual([{
      kind: 'weights',
      subject: 'route serviceB/serviceB-route',
      text: 'route serviceB/serviceB-route (serviceb.apps.local): serviceB 75 → 0, serviceBv2 25 → 100',
    }]);
    expect(mesh.nodes.map(n => n.nodeId)).toEqual(['mesh/apps/virtualNode/serviceA']);
    const resources = mesh.nodes[0].resources;
    expect(resources.map(r => `${r.view} ${r.type} ${r.name} ${r.change}`)).toEqual([
      'envoy route rds_egress_http_8080 changed',
      'proxyless listener serviceb.apps.local changed',
    ]);
    const envoyWeights = resources[0].fields.map(f => [f.path.replace(/.*clusters\[name="([^"]+)"\]\.weight\.value$/, '$1'), f.before, f.after]);
    expect(envoyWeights).toEqual([['cds_egress_apps_serviceB_http_8080', 75, 0], ['cds_egress_apps_serviceBv2_http_8080', 25, 100]]);
  });

  test('the nodes reported are exactly those whose translation differs', async () => {
    const { result } = await diffJson(canary75, canary0);
    const [old, now] = [canary75, canary0].map(dir => compiledMeshOf(readSpec(fs.readFileSync(path.join(dir, 'apps.mesh.json'), 'utf8'), dir).doc));
    const differing = listNodeIds(old).filter(nodeId =>
      JSON.stringify(translateNode({ mesh: old, nodeId })) !== JSON.stringify(translateNode({ mesh: now, nodeId })));
    expect(result.meshes[0].nodes.map(n => n.nodeId)).toEqual(differing);
  });

  test('--node and --view narrow the node section; an unknown node is an error', async () => {
    const serviceB = await diffJson(canary75, canary0, '--node', 'mesh/apps/virtualNode/serviceB');
    expect(serviceB.code).toBe(1);
    expect(serviceB.result.meshes[0].nodes).toEqual([]);
    const arn = 'arn:aws:appmesh:us-east-1:111122223333:mesh/apps/virtualNode/serviceA';
    const envoyOnly = await diffJson(canary75, canary0, '--node', arn, '--view', 'envoy');
    expect(envoyOnly.result.meshes[0].nodes[0].resources.map(r => r.view)).toEqual(['envoy']);
    const unknown = await diff(canary75, canary0, '--node', 'mesh/apps/virtualNode/nobody');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--node mesh/apps/virtualNode/nobody: neither side has this node');
  });
});

describe('identical inputs exit 0', () => {
  test('two syntheses of the same app, and an assembly against its own spec file', async () => {
    const again = await diff(canary75, canary75again);
    expect(again.code).toBe(0);
    expect(again.out).toContain('mesh apps: unchanged');
    expect(again.out.trim().endsWith('no changes')).toBe(true);
    expect((await diff(canary75, path.join(canary75, 'apps.mesh.json'))).code).toBe(0);
  });

  test('a spec whose lists are in another order is the same mesh', async () => {
    const doc = JSON.parse(fs.readFileSync(path.join(canary75, 'apps.mesh.json'), 'utf8'));
    doc.virtualNodes.reverse();
    const shuffled = scratch.file('shuffled.json', JSON.stringify(doc));
    expect((await diffJson(path.join(canary75, 'apps.mesh.json'), shuffled)).code).toBe(0);
  });

  test('every example with several meshes in one assembly, paired by mesh name', async () => {
    const all = scratch.assembly('all', ['canary', 'routing', 'gateway', 'mtls']);
    const { code, result } = await diffJson(all, scratch.assembly('all-again', ['mtls', 'gateway', 'routing', 'canary']));
    expect(code).toBe(0);
    expect(result.meshes.map(m => `${m.meshName} ${m.status}`)).toEqual(['apps unchanged', 'bank unchanged', 'edge unchanged', 'store unchanged']);
  });
});

describe('meshes only on one side', () => {
  test('a mesh that appears or disappears is reported with every resource and node', async () => {
    const both = scratch.assembly('canary-and-routing', ['canary', 'routing'], '75/25');
    const { code, result } = await diffJson(canary75, both);
    expect(code).toBe(1);
    const store = result.meshes.find(m => m.meshName === 'store')!;
    expect(store.status).toBe('added');
    expect(store.resources.every(r => r.change === 'added')).toBe(true);
    expect(store.nodes.map(n => n.change)).toEqual(store.nodes.map(() => 'added'));
    expect(result.meshes.find(m => m.meshName === 'apps')!.status).toBe('unchanged');
    const back = await diffJson(both, canary75);
    expect(back.result.meshes.find(m => m.meshName === 'store')!.status).toBe('removed');
  });
});

describe('deploy-time values', () => {
  test('the ECS canary\'s assembly file against the same spec with its intrinsics resolved (what S3 holds): no change', async () => {
    const assembly = scratch.assembly('canary-ecs-75', ['canary-ecs'], '75/25');
    const written = JSON.parse(fs.readFileSync(path.join(assembly, 'apps.mesh.json'), 'utf8'));
    const resolved = JSON.parse(JSON.stringify(written));
    for (const grant of resolved.proxyAccess) {
      grant.principals = grant.principals.map((p: unknown) => typeof p === 'string' ? p : `arn:aws:iam::111122223333:role/${grant.nodeId.split('/').pop()}-task`);
    }
    const delivered = scratch.file('delivered.mesh.json', JSON.stringify(resolved));
    const { code, result } = await diffJson(delivered, assembly);
    expect(code).toBe(0);
    expect(result.meshes[0].deployTimeValues).toEqual([
      'proxyAccess["mesh/apps/virtualNode/serviceA"].principals[0]',
      'proxyAccess["mesh/apps/virtualNode/serviceB"].principals[0]',
      'proxyAccess["mesh/apps/virtualNode/serviceBv2"].principals[0]',
    ]);
    const shifted = await diff(delivered, scratch.assembly('canary-ecs-0', ['canary-ecs'], '0/100'));
    expect(shifted.code).toBe(1);
    expect(shifted.out).toContain('route serviceB/serviceB-route (serviceb.apps.local): serviceB 75 → 0, serviceBv2 25 → 100');
    expect(shifted.out).toContain('not compared: a deploy-time value (CloudFormation intrinsic) on one side, a resolved value on the other:\n' +
      '    proxyAccess["mesh/apps/virtualNode/serviceA"].principals[0]');
  });
});

describe('bad input exits 2 naming the file', () => {
  test('a missing file, a file that is not JSON, an invalid spec, a directory without specs', async () => {
    const missing = await diff(path.join(scratch.root, 'nope.mesh.json'), canary0);
    expect(missing).toMatchObject({ code: 2, out: '' });
    expect(missing.err).toContain(`${path.join(scratch.root, 'nope.mesh.json')}: cannot read`);

    const notJson = scratch.file('broken.mesh.json', '{ "specVersion": ');
    const broken = await diff(canary75, notJson);
    expect(broken.code).toBe(2);
    expect(broken.err).toContain(`${notJson}: cannot read mesh spec`);
    expect(broken.err).toContain('not valid JSON');

    const doc = JSON.parse(fs.readFileSync(path.join(canary75, 'apps.mesh.json'), 'utf8'));
    doc.routes[0].spec.httpRoute.action.weightedTargets[0].virtualNode = 'serviceC';
    const invalid = scratch.file('invalid.mesh.json', JSON.stringify(doc));
    const refused = await diffJson(canary75, invalid);
    expect(refused.code).toBe(2);
    expect(refused.result).toMatchObject({ error: expect.stringContaining(`${invalid}: invalid mesh spec`) });
    expect((refused.result as unknown as { issues: string[] }).issues.join('\n')).toMatch(/routes\["serviceB\/serviceB-route"\]\.spec\.httpRoute\.action\.weightedTargets\[0\]\.virtualNode: .*serviceC/);

    const empty = path.join(scratch.root, 'empty');
    fs.mkdirSync(empty);
    const none = await diff(empty, canary0);
    expect(none.code).toBe(2);
    expect(none.err).toContain(`${empty}: no mesh spec files (*.mesh.json)`);
  });

  test('usage errors', async () => {
    expect((await diff(canary75)).code).toBe(2);
    expect((await diff(canary75, canary0, '--format', 'yaml')).err).toContain('--format must be text or json');
    expect((await diff(canary75, canary0, '--bogus')).err).toContain('unknown option --bogus');
    expect((await diff('--help')).code).toBe(0);
  });
});
