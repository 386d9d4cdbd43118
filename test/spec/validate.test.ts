import {
  fullMeshDoc, gatewayMesh, gatewayRoute, httpGatewayRouteSpec, httpRouteSpec, issueLines, listeningNode, MESH, meshDoc,
  node, route, routedMesh, router, service,
} from './fixtures';
import { MeshSpecDocument, parseMeshSpec, SpecIssue, SpecValidationError, validateMeshSpec } from '../../src/spec';

describe('a valid document', () => {
  test('the full example mesh has no issues', () => {
    expect(validateMeshSpec(fullMeshDoc())).toEqual([]);
  });

  test('an empty mesh has no issues', () => {
    expect(validateMeshSpec(meshDoc())).toEqual([]);
  });

  test('validation does not change the document', () => {
    const doc = fullMeshDoc();
    const before = JSON.stringify(doc);
    validateMeshSpec(doc);
    expect(JSON.stringify(doc)).toBe(before);
  });
});

describe('document envelope', () => {
  test('a non-object document', () => {
    expect(issueLines('mesh')).toEqual(['(document): expected a mesh spec document object, got "mesh"']);
  });

  test('specVersion must be a known version', () => {
    expect(issueLines({ ...meshDoc(), specVersion: 'open-app-mesh/v2' })).toEqual([]);
    expect(issueLines({ ...meshDoc(), specVersion: 'v1' })).toEqual([
      'specVersion: unknown spec version: this reader understands "open-app-mesh/v1", "open-app-mesh/v2", the document has "v1"',
    ]);
    const { specVersion: _dropped, ...rest } = meshDoc();
    expect(issueLines(rest)).toEqual(['specVersion: unknown spec version: this reader understands "open-app-mesh/v1", "open-app-mesh/v2", the document has none']);
  });

  test('unknown document fields and missing lists', () => {
    const { routes: _dropped, ...rest } = meshDoc();
    expect(issueLines({ ...rest, extra: 1 })).toEqual([
      'extra: unknown field (a mesh spec document has specVersion, mesh, proxyAccess, virtualNodes, virtualServices, virtualRouters, routes, virtualGateways, gatewayRoutes)',
      'routes: missing required list (an empty list is written [])',
    ]);
  });

  test('a resource list that is not a list', () => {
    expect(issueLines({ ...meshDoc(), virtualNodes: {} })).toEqual(['virtualNodes: expected a list of virtual nodes, got an object']);
  });

  test('the mesh object', () => {
    expect(issueLines({ ...meshDoc(), mesh: null })).toEqual(['mesh: expected the mesh object { meshName, spec }, got null']);
    expect(issueLines({ ...meshDoc(), mesh: { meshName: '', spec: { egressFilter: { type: 'NONE' } }, tags: [] } })).toEqual([
      'mesh.meshName: the mesh name is empty',
      'mesh.tags: unknown field (the mesh has meshName, meshOwner, spec)',
      'mesh.spec.egressFilter.type: "NONE" is not one of "ALLOW_ALL", "DROP_ALL" (EgressFilter.type)',
    ]);
  });

  test('every resource belongs to the document\'s mesh', () => {
    const other = { ...listeningNode('a'), meshName: 'other' };
    expect(issueLines(meshDoc({ virtualNodes: [other] }))).toEqual([
      'virtualNodes["a"].meshName: "other" is not the document\'s mesh "demo"; every resource of a document belongs to its mesh',
    ]);
  });

  test('resource names: missing, wrong type, too long', () => {
    const long = 'n'.repeat(256);
    const doc = meshDoc({
      virtualNodes: [{ meshName: MESH, spec: {} } as any, node(long)],
      virtualRouters: [{ meshName: MESH, virtualRouterName: 5, spec: { listeners: [] } } as any],
    });
    expect(issueLines(doc)).toEqual([
      'virtualNodes[0].virtualNodeName: missing required field (the virtual node name)',
      `virtualNodes["${long}"].virtualNodeName: the virtual node name has 256 characters, above the maximum length 255 (1–255 characters)`,
      'virtualRouters[0].virtualRouterName: expected the virtual router name as a string, got 5',
    ]);
  });

  test('virtual service names are hostnames without the 255 cap', () => {
    const name = `${'a'.repeat(250)}.demo.local`;
    expect(issueLines(meshDoc({ virtualServices: [service(name)] }))).toEqual([]);
  });

  test('a resource needs a spec and has no unknown fields', () => {
    const doc = meshDoc({ virtualServices: [{ meshName: MESH, virtualServiceName: 's', tags: {} } as any], virtualNodes: ['n' as any] });
    expect(issueLines(doc)).toEqual([
      'virtualNodes[0]: expected a virtual node object, got "n"',
      'virtualServices["s"].tags: unknown field (a virtual service has meshName, virtualServiceName, spec)',
      'virtualServices["s"].spec: missing required field (a virtual service needs a spec)',
    ]);
  });

  test('schema limits are reported with the resource path', () => {
    const healthCheck = { protocol: 'http' as const, intervalMillis: 4000, timeoutMillis: 2000, healthyThreshold: 2, unhealthyThreshold: 2 };
    const serviceA = node('serviceA', { listeners: [{ portMapping: { protocol: 'http', port: 8080 }, healthCheck }], serviceDiscovery: { dns: { hostname: 'a' } } });
    expect(issueLines(meshDoc({ virtualNodes: [serviceA] }))).toEqual([
      'virtualNodes["serviceA"].spec.listeners[0].healthCheck.intervalMillis: 4000 is below the minimum 5000 (HealthCheckPolicy.intervalMillis, 5000–300000 ms)',
    ]);
  });

  test('issues carry the resource they belong to and the rule that found them', () => {
    const doc = routedMesh({ routes: [route('r', 'x', httpRouteSpec('ghost'))] });
    expect(validateMeshSpec(doc)).toEqual([{
      path: 'routes["r/x"].spec.httpRoute.action.weightedTargets[0].virtualNode',
      message: 'virtual node "ghost" does not exist in mesh "demo"',
      resource: { kind: 'route', name: 'x', parentName: 'r' },
      rule: 'weighted-target-exists',
    }]);
  });
});

describe('unique names', () => {
  test('per kind in the mesh', () => {
    const doc = meshDoc({
      virtualNodes: [listeningNode('a'), listeningNode('b'), listeningNode('a')],
      virtualServices: [service('s'), service('s')],
      // A node and a router may share a name: uniqueness is per kind.
      virtualRouters: [router('a', ['http', 80])],
    });
    expect(issueLines(doc)).toEqual([
      'virtualNodes[2].virtualNodeName: duplicate virtual node name "a", also used by virtualNodes["a"]; virtual node names are unique per mesh',
      'virtualServices[1].virtualServiceName: duplicate virtual service name "s", also used by virtualServices["s"]; virtual service names are unique per mesh',
    ]);
  });

  test('routes per router, gateway routes per gateway', () => {
    const doc = routedMesh({
      virtualRouters: [router('r', ['http', 8080]), router('r2', ['http', 8080])],
      routes: [route('r', 'x', httpRouteSpec('a')), route('r2', 'x', httpRouteSpec('a')), route('r', 'x', httpRouteSpec('a'))],
      virtualGateways: [gatewayMesh().virtualGateways[0]],
      gatewayRoutes: [gatewayRoute('gw', 'g', httpGatewayRouteSpec('svc')), gatewayRoute('gw', 'g', httpGatewayRouteSpec('svc'))],
    });
    expect(issueLines(doc)).toEqual([
      'routes[2].routeName: duplicate route name "x", also used by routes["r/x"]; route names are unique per virtual router (virtual router "r")',
      'gatewayRoutes[1].gatewayRouteName: duplicate gateway route name "g", also used by gatewayRoutes["gw/g"]; gateway route names are unique per virtual gateway (virtual gateway "gw")',
    ]);
  });
});

describe('structural issues and cross-field rules together', () => {
  test('a resource with a structural issue skips its own rules; references to it do not cascade', () => {
    const broken = node('a', { listeners: [{ portMapping: { protocol: 'http', port: 0 } }], serviceDiscovery: { dns: { hostname: 'a' } } });
    const doc = routedMesh({
      virtualNodes: [broken],
      // Would break three route rules (kind, target port, weights) if the spec were sound.
      routes: [route('r', 'x', { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'a', weight: 101, port: 9 }] } } })],
    });
    expect(issueLines(doc)).toEqual([
      'virtualNodes["a"].spec.listeners[0].portMapping.port: 0 is below the minimum 1 (PortMapping.port, 1–65535)',
      'routes["r/x"].spec.httpRoute.action.weightedTargets[0].weight: 101 is above the maximum 100 (WeightedTarget.weight, 0–100)',
    ]);
  });

  test('issues are grouped per resource, in document order', () => {
    const doc = routedMesh({
      virtualNodes: [listeningNode('a'), node('b', { backends: [{ virtualService: { virtualServiceName: 'nope' } }], logging: { accessLog: {} } })],
      routes: [route('r', 'x', httpRouteSpec('ghost'))],
    });
    expect(issueLines(doc)).toEqual([
      'virtualNodes["b"].spec.logging.accessLog: set exactly one of file; none is set (AccessLog)',
      'routes["r/x"].spec.httpRoute.action.weightedTargets[0].virtualNode: virtual node "ghost" does not exist in mesh "demo"',
    ]);
  });
});

describe('unresolved values (CDK tokens)', () => {
  const TOKEN_STRING = '${Token[TOKEN.42]}';
  const TOKEN_NUMBER = -1.8881545897087626e+289;
  const isUnresolved = (value: unknown) => value === TOKEN_STRING || value === TOKEN_NUMBER
    || (typeof value === 'object' && value !== null && 'resolve' in value);
  const lazyList = { resolve: () => [] };

  test('token names and ports skip reference and port checks', () => {
    const doc = routedMesh({
      virtualNodes: [listeningNode('a'), { ...listeningNode('b'), meshName: TOKEN_STRING }],
      virtualServices: [service(TOKEN_STRING, { node: TOKEN_STRING })],
      routes: [
        route('r', 'x', { httpRoute: { match: { prefix: TOKEN_STRING, port: TOKEN_NUMBER }, action: { weightedTargets: [{ virtualNode: TOKEN_STRING, weight: TOKEN_NUMBER }] } } }),
        route(TOKEN_STRING, 'y', httpRouteSpec('a')),
      ],
    });
    expect(issueLines(doc, { isUnresolved })).toEqual([]);
    // Without the callback the same values are plain (wrong) data.
    expect(issueLines(doc).length).toBeGreaterThan(3);
  });

  test('names that resolved to CloudFormation intrinsics', () => {
    const ref = { Ref: 'MeshName' };
    const isIntrinsic = (value: unknown) => typeof value === 'object' && value !== null && 'Ref' in value;
    const doc = meshDoc({
      mesh: { meshName: ref as any, spec: {} },
      virtualNodes: [{ ...listeningNode('a'), meshName: ref as any }, { ...listeningNode('b'), virtualNodeName: ref as any }],
    });
    expect(issueLines(doc, { isUnresolved: isIntrinsic })).toEqual([]);
    expect(issueLines(doc)).toEqual([
      'mesh.meshName: expected the mesh name as a string, got an object',
      'virtualNodes["a"].meshName: expected the mesh name as a string, got an object',
      'virtualNodes[1].virtualNodeName: expected the virtual node name as a string, got an object',
    ]);
  });

  test('a token standing for a whole list or object', () => {
    const doc = routedMesh({
      virtualNodes: [node('a', { listeners: lazyList as any, serviceDiscovery: lazyList as any })],
      virtualRouters: [router('r', ['http', 8080]), { ...router('r2'), spec: { listeners: lazyList as any } }],
      routes: [route('r2', 'x', { httpRoute: { match: { prefix: '/', port: 9 }, action: { weightedTargets: [{ virtualNode: 'a', weight: 1, port: 7 }] } } })],
    });
    expect(issueLines(doc, { isUnresolved })).toEqual([]);
  });
});

describe('proxyAccess', () => {
  const withGrants = (proxyAccess: unknown): MeshSpecDocument =>
    ({ ...gatewayMesh(), proxyAccess } as MeshSpecDocument);

  test('valid grants for a node and a gateway', () => {
    expect(issueLines(withGrants([
      { nodeId: 'mesh/demo/virtualNode/a', principals: ['arn:aws:iam::111122223333:role/a'] },
      { nodeId: 'mesh/demo/virtualGateway/gw', principals: [] },
    ]))).toEqual([]);
  });

  test('wrong shapes', () => {
    expect(issueLines(withGrants({}))).toEqual(['proxyAccess: expected a list of { nodeId, principals }, got an object']);
    expect(issueLines(withGrants(['x', { nodeId: 7, principals: [] }]))).toEqual([
      'proxyAccess[0]: expected { nodeId, principals }, got "x"',
      'proxyAccess[1].nodeId: expected a node id string, got 7',
    ]);
  });

  test('bad node ids, unknown targets, duplicates and bad principals', () => {
    expect(issueLines(withGrants([
      { nodeId: 'virtualNode/a', principals: [] },
      { nodeId: 'mesh/other/virtualNode/a', principals: [] },
      { nodeId: 'mesh/demo/virtualGateway/nope', principals: [''] },
      { nodeId: 'mesh/demo/virtualNode/a', principals: [], extra: true },
      { nodeId: 'mesh/demo/virtualNode/a', principals: 'arn' },
    ]))).toEqual([
      'proxyAccess[0].nodeId: "virtualNode/a" is not a node id (mesh/<mesh>/virtualNode/<name> or mesh/<mesh>/virtualGateway/<name>)',
      'proxyAccess[1].nodeId: "mesh/other/virtualNode/a" names mesh "other", not the document\'s mesh "demo"',
      'proxyAccess[2].nodeId: "mesh/demo/virtualGateway/nope" names a virtual gateway that does not exist in the mesh',
      'proxyAccess[2].principals[0]: expected a principal ARN, got ""',
      'proxyAccess[3].extra: unknown field (a proxy access entry has nodeId, principals)',
      'proxyAccess[4].nodeId: duplicate node id "mesh/demo/virtualNode/a", also in proxyAccess[3]; merge the principals into one entry',
      'proxyAccess[4].principals: expected a list of principal ARNs, got "arn"',
    ]);
  });
});

describe('SpecValidationError', () => {
  test('is an Error whose message lists every issue on its own line', () => {
    const issues = validateMeshSpec(routedMesh({ routes: [route('r', 'x', httpRouteSpec('ghost', 'phantom'))] }));
    const error = new SpecValidationError(issues);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(SpecValidationError);
    expect(error.name).toBe('SpecValidationError');
    expect(error.issues).toBe(issues);
    expect(error.stack).toContain('validate.test.ts');
    expect(error.message).toBe([
      'invalid mesh spec (2 issues):',
      '  routes["r/x"].spec.httpRoute.action.weightedTargets[0].virtualNode: virtual node "ghost" does not exist in mesh "demo"',
      '  routes["r/x"].spec.httpRoute.action.weightedTargets[1].virtualNode: virtual node "phantom" does not exist in mesh "demo"',
    ].join('\n'));
    expect(String(error)).toBe(`SpecValidationError: ${error.message}`);
    expect(() => { throw error; }).toThrow(/invalid mesh spec \(2 issues\)/);
  });
});

describe('warnings', () => {
  const zeroWeights = routedMesh({
    routes: [route('r', 'x', { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'a', weight: 0 }] } } })],
  });

  test('are not errors: a spec with warnings only is read and served', () => {
    const warnings: SpecIssue[] = [];
    const doc = parseMeshSpec(JSON.stringify(zeroWeights), { onWarning: issue => warnings.push(issue) });
    expect(doc.routes).toHaveLength(1);
    expect(warnings).toEqual([expect.objectContaining({
      path: 'routes["r/x"].spec.httpRoute.action.weightedTargets',
      rule: 'weights-not-all-zero',
      resource: { kind: 'route', name: 'x', parentName: 'r' },
    })]);
  });

  test('stay apart from errors: a spec with both is refused for its errors, and its warnings are still reported', () => {
    const doc = { ...zeroWeights, routes: [...zeroWeights.routes, route('r', 'y', httpRouteSpec('ghost'))] };
    const warnings: SpecIssue[] = [];
    expect(validateMeshSpec(doc, { onWarning: issue => warnings.push(issue) }).map(issue => issue.rule)).toEqual(['weighted-target-exists']);
    expect(warnings.map(issue => issue.rule)).toEqual(['weights-not-all-zero']);
  });
});
