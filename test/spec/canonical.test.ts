import { fullMeshDoc, httpRouteSpec, listeningNode, route, routedMesh } from './fixtures';
import {
  canonicalizeMeshSpec, MeshSpecDocument, parseMeshSpec, SpecValidationError, toCanonicalJson,
} from '../../src/spec';

/** Rebuilds every plain object with its keys in reverse order (arrays keep their order). */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse()) out[key] = reverseKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** The full example with every resource list reversed and every object's keys reversed. */
function permuted(): MeshSpecDocument {
  const doc = fullMeshDoc();
  return reverseKeys({
    ...doc,
    virtualNodes: [...doc.virtualNodes].reverse(),
    virtualServices: [...doc.virtualServices].reverse(),
    virtualRouters: [...doc.virtualRouters].reverse(),
    routes: [...doc.routes].reverse(),
    virtualGateways: [...doc.virtualGateways].reverse(),
    gatewayRoutes: [...doc.gatewayRoutes].reverse(),
    proxyAccess: [
      { nodeId: 'mesh/demo/virtualNode/payments', principals: ['arn:b', 'arn:a'] },
      ...doc.proxyAccess!,
    ],
  }) as MeshSpecDocument;
}

function sortedInput(): MeshSpecDocument {
  const doc = fullMeshDoc();
  return { ...doc, proxyAccess: [...doc.proxyAccess!, { nodeId: 'mesh/demo/virtualNode/payments', principals: ['arn:a', 'arn:b'] }] };
}

describe('canonical form', () => {
  test('permuted inputs give byte-identical JSON', () => {
    const a = toCanonicalJson(sortedInput());
    const b = toCanonicalJson(permuted());
    expect(b).toBe(a);
    // And the permutation really changed the input.
    expect(JSON.stringify(permuted())).not.toBe(JSON.stringify(sortedInput()));
  });

  test('resource lists are sorted by name, routes by router then name', () => {
    const canonical = canonicalizeMeshSpec(permuted());
    expect(canonical.virtualNodes.map(n => n.virtualNodeName)).toEqual(['orders-v1', 'orders-v2', 'payments']);
    expect(canonical.virtualServices.map(s => s.virtualServiceName)).toEqual(['external.example.com', 'orders.demo.local', 'payments.demo.local']);
    expect(canonical.routes.map(r => `${r.virtualRouterName}/${r.routeName}`)).toEqual([
      'orders-router/orders-grpc', 'orders-router/orders-http', 'payments-router/payments-http2', 'payments-router/payments-tcp',
    ]);
    expect(canonical.gatewayRoutes.map(r => r.gatewayRouteName)).toEqual(['api', 'status', 'web']);
    expect(canonical.proxyAccess!.map(p => [p.nodeId, p.principals])).toEqual([
      ['mesh/demo/virtualNode/orders-v1', ['arn:aws:iam::111122223333:role/orders']],
      ['mesh/demo/virtualNode/payments', ['arn:a', 'arn:b']],
    ]);
  });

  test('keys are sorted at every depth; arrays inside specs keep their order', () => {
    const canonical = canonicalizeMeshSpec(permuted());
    expect(Object.keys(canonical)).toEqual([
      'gatewayRoutes', 'mesh', 'proxyAccess', 'routes', 'specVersion', 'virtualGateways', 'virtualNodes', 'virtualRouters', 'virtualServices',
    ]);
    const orders = canonical.virtualNodes[0];
    expect(Object.keys(orders.spec)).toEqual(['backendDefaults', 'backends', 'listeners', 'logging', 'serviceDiscovery']);
    expect(Object.keys(orders.spec.listeners![0].healthCheck!)).toEqual([
      'healthyThreshold', 'intervalMillis', 'path', 'protocol', 'timeoutMillis', 'unhealthyThreshold',
    ]);
    // Listener order is meaningful and kept, as are targets and header matchers.
    expect(orders.spec.listeners!.map(l => l.portMapping.port)).toEqual([8080, 9090]);
    const http = canonical.routes[1].spec.httpRoute!;
    expect(http.action.weightedTargets.map(t => t.virtualNode)).toEqual(['orders-v1', 'orders-v2']);
    expect(http.match.headers!.map(h => h.name)).toEqual(['x-canary', 'x-tier']);
  });

  test('undefined fields are dropped and the input is left untouched', () => {
    const doc = routedMesh({ routes: [route('r', 'x', { ...httpRouteSpec('a'), priority: undefined })] });
    const before = JSON.stringify(doc);
    const canonical = canonicalizeMeshSpec(doc);
    expect('priority' in canonical.routes[0].spec).toBe(false);
    expect('proxyAccess' in canonical).toBe(false);
    expect(JSON.stringify(doc)).toBe(before);
    expect(canonical.virtualNodes[0]).not.toBe(doc.virtualNodes[0]);
  });

  test('JSON text: 2-space indent and a trailing newline', () => {
    const json = toCanonicalJson(routedMesh({ virtualRouters: [], virtualServices: [], virtualNodes: [listeningNode('a')] }));
    expect(json.endsWith('}\n')).toBe(true);
    expect(json.split('\n').slice(0, 3)).toEqual(['{', '  "gatewayRoutes": [],', '  "mesh": {']);
  });
});

describe('parseMeshSpec', () => {
  test('reads canonical JSON back to the same document', () => {
    const json = toCanonicalJson(fullMeshDoc());
    const doc = parseMeshSpec(json);
    expect(doc).toEqual(canonicalizeMeshSpec(fullMeshDoc()));
    expect(toCanonicalJson(doc)).toBe(json);
  });

  function parseError(json: string): SpecValidationError {
    try {
      parseMeshSpec(json);
    } catch (error) {
      if (error instanceof SpecValidationError) return error;
      throw error;
    }
    throw new Error('parseMeshSpec accepted the input');
  }

  test('bad JSON', () => {
    const error = parseError('{"specVersion": ');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0].path).toBe('(document)');
    expect(error.message).toMatch(/^cannot read mesh spec \(1 issue\):\n {2}\(document\): not valid JSON: /);
  });

  test('JSON that is not an object', () => {
    expect(parseError('[1]').message).toBe('cannot read mesh spec (1 issue):\n  (document): expected a mesh spec document object, got an array');
  });

  test('an unknown spec version stops before validation', () => {
    const json = JSON.stringify({ ...fullMeshDoc(), specVersion: 'open-app-mesh/v9', virtualNodes: 'not even a list' });
    expect(parseError(json).message).toBe(
      'cannot read mesh spec (1 issue):\n  specVersion: unknown spec version: this reader understands "open-app-mesh/v1", "open-app-mesh/v2", '
      + 'the document has "open-app-mesh/v9"; it was written for a newer control plane (one that knows its extensions): '
      + 'upgrade the control plane rather than drop the policies it carries');
    expect(parseError('{}').issues[0].message).toBe('unknown spec version: this reader understands "open-app-mesh/v1", "open-app-mesh/v2", the document has none');
  });

  test('every validation issue at once, one per line', () => {
    const doc = routedMesh({
      virtualNodes: [{ ...listeningNode('a'), spec: { listeners: [{ portMapping: { protocol: 'http', port: 70000 } }] } }],
      routes: [route('r', 'x', httpRouteSpec('ghost')), route('nope', 'y', httpRouteSpec('a'))],
    });
    const error = parseError(JSON.stringify(doc));
    expect(error.message.split('\n')).toEqual([
      'invalid mesh spec (3 issues):',
      '  virtualNodes["a"].spec.listeners[0].portMapping.port: 70000 is above the maximum 65535 (PortMapping.port, 1–65535)',
      '  routes["r/x"].spec.httpRoute.action.weightedTargets[0].virtualNode: virtual node "ghost" does not exist in mesh "demo"',
      '  routes["nope/y"].virtualRouterName: virtual router "nope" does not exist in mesh "demo"',
    ]);
    expect(error.issues).toHaveLength(3);
  });
});
