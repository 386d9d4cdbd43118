import * as fc from 'fast-check';
import { parseMeshSpec } from '../../../src/spec/canonical';
import { MeshSpecDocument } from '../../../src/spec/document';
import { discoveryTargets } from '../../src/discovery/targets';

function doc(mesh: MeshSpecDocument['mesh'], virtualNodes: MeshSpecDocument['virtualNodes']): MeshSpecDocument {
  return { specVersion: 'open-app-mesh/v1', mesh, virtualNodes, virtualServices: [], virtualRouters: [], routes: [], virtualGateways: [], gatewayRoutes: [] };
}

/** A document with every optional field discovery reads filled in. */
const FULL = doc(
  { meshName: 'apps', spec: { egressFilter: { type: 'DROP_ALL' }, serviceDiscovery: { ipPreference: 'IPv6_PREFERRED' } } },
  [
    {
      meshName: 'apps',
      virtualNodeName: 'cm',
      spec: {
        listeners: [{ portMapping: { port: 8080, protocol: 'grpc' } }, { portMapping: { port: 9090, protocol: 'http' } }],
        serviceDiscovery: {
          awsCloudMap: { namespaceName: 'ns', serviceName: 'svc', attributes: [{ key: 'ECS_TASK_DEFINITION_FAMILY', value: 'v1' }], ipPreference: 'IPv4_ONLY' },
        },
      },
    },
    {
      meshName: 'apps',
      virtualNodeName: 'dns',
      spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'b.local', responseType: 'ENDPOINTS', ipPreference: 'IPv4_PREFERRED' } } },
    },
    { meshName: 'apps', virtualNodeName: 'client', spec: { backends: [] } },
  ],
);

test('discoveryTargets reads each node\'s service discovery, listener ports and ip preference', () => {
  const spec = doc(FULL.mesh, [FULL.virtualNodes[0], { ...FULL.virtualNodes[1], spec: { ...FULL.virtualNodes[1].spec, serviceDiscovery: { dns: { hostname: 'b.local', responseType: 'ENDPOINTS' } } } }, FULL.virtualNodes[2]]);
  expect(discoveryTargets(spec)).toEqual([
    {
      virtualNodeName: 'cm',
      ports: [8080, 9090],
      cloudMap: { namespaceName: 'ns', serviceName: 'svc', attributes: { ECS_TASK_DEFINITION_FAMILY: 'v1' } },
      ipPreference: 'IPv4_ONLY',
    },
    { virtualNodeName: 'dns', ports: [80], dns: { hostname: 'b.local', responseType: 'ENDPOINTS' }, ipPreference: 'IPv6_PREFERRED' },
  ]);
});

test('a mesh without a spec (valid App Mesh input) gives targets without a mesh preference', () => {
  // Issue #11 defect 1: this threw "Cannot read properties of undefined (reading 'serviceDiscovery')".
  const accepted = parseMeshSpec(JSON.stringify({ ...FULL, mesh: { meshName: 'apps' } }));
  expect(discoveryTargets(accepted).map((t) => [t.virtualNodeName, t.ipPreference])).toEqual([['cm', 'IPv4_ONLY'], ['dns', 'IPv4_PREFERRED']]);
});

test('attribute keys that name Object.prototype members stay plain keys', () => {
  const spec = doc({ meshName: 'apps', spec: {} }, [{
    meshName: 'apps',
    virtualNodeName: 'cm',
    spec: {
      serviceDiscovery: {
        awsCloudMap: { namespaceName: 'ns', serviceName: 'svc', attributes: [{ key: '__proto__', value: 'a' }, { key: 'constructor', value: 'b' }] },
      },
    },
  }]);
  const attributes = discoveryTargets(spec)[0].cloudMap!.attributes;
  expect(Object.keys(attributes)).toEqual(['__proto__', 'constructor']);
  expect(Object.getOwnPropertyDescriptor(attributes, '__proto__')?.value).toBe('a');
  expect(attributes.constructor).toBe('b');
});

/** Every object key path of a JSON value, outermost first. */
function keyPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [...(Array.isArray(value) ? [] : [[...prefix, k]]), ...keyPaths(v, [...prefix, k])]);
}

function without(value: unknown, paths: (string | number)[][]): unknown {
  const copy = JSON.parse(JSON.stringify(value));
  for (const p of paths) {
    let parent = copy;
    for (const k of p.slice(0, -1)) parent = parent?.[k];
    if (parent && typeof parent === 'object') delete parent[p[p.length - 1]];
  }
  return copy;
}

test('every document the validator accepts, with any fields left out, gives targets without throwing', () => {
  const paths = keyPaths(FULL);
  let accepted = 0;
  // Few fields at a time: most large deletions remove a required field and are rejected.
  fc.assert(fc.property(fc.subarray(paths, { maxLength: 3 }), (drop) => {
    let parsed: MeshSpecDocument;
    try {
      parsed = parseMeshSpec(JSON.stringify(without(FULL, drop)));
    } catch {
      return; // rejected by the validator: not this function's input
    }
    accepted++;
    expect(() => discoveryTargets(parsed)).not.toThrow();
  }), { numRuns: 500 });
  expect(accepted).toBeGreaterThan(50);
});
