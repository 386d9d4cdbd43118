import { gateway, gatewayRoute, httpGatewayRouteSpec, httpRouteSpec, issueLines, listeningNode, meshDoc, router, route, service } from './fixtures';
import { canonicalizeMeshSpec, MeshSpecDocument, parseMeshSpec, SpecValidationError, toCanonicalJson } from '../../src/spec';

/** Names of Object.prototype members: a lookup in a plain object finds them without any entry. */
const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

/** Every resource kind named `name` (the mesh too), each referring to the others by that name. */
function meshAllNamed(name: string): MeshSpecDocument {
  const onMesh = <T extends { meshName: string }>(resource: T): T => ({ ...resource, meshName: name });
  return meshDoc({
    mesh: { meshName: name, spec: {} },
    virtualNodes: [onMesh(listeningNode(name))],
    virtualRouters: [onMesh(router(name, ['http', 8080]))],
    routes: [onMesh(route(name, name, httpRouteSpec(name)))],
    virtualServices: [onMesh(service(name, { router: name }))],
    virtualGateways: [onMesh(gateway(name))],
    gatewayRoutes: [onMesh(gatewayRoute(name, name, httpGatewayRouteSpec(name)))],
    proxyAccess: [
      { nodeId: `mesh/${name}/virtualGateway/${name}`, principals: ['arn:aws:iam::111122223333:role/gw'] },
      { nodeId: `mesh/${name}/virtualNode/${name}`, principals: ['arn:aws:iam::111122223333:role/node'] },
    ],
  });
}

describe('names that are members of Object.prototype', () => {
  test.each(PROTOTYPE_NAMES)('%s names every kind of resource; the spec is valid and reads back unchanged', (name) => {
    const text = toCanonicalJson(meshAllNamed(name));
    const doc = parseMeshSpec(text);
    expect(toCanonicalJson(doc)).toBe(text);
    expect(doc.virtualNodes[0].virtualNodeName).toBe(name);
    expect(doc.gatewayRoutes[0].gatewayRouteName).toBe(name);
  });

  test.each(PROTOTYPE_NAMES)('a reference to a missing resource named %s is reported, for every kind', (name) => {
    // Only the mesh and its name: every reference below points at nothing.
    const doc = meshDoc({
      virtualRouters: [router('r', ['http', 8080])],
      routes: [route('r', 'main', httpRouteSpec(name)), route(name, 'orphan', httpRouteSpec('x'))],
      virtualServices: [service('svc', { node: name })],
      virtualGateways: [gateway('gw')],
      gatewayRoutes: [gatewayRoute('gw', 'main', httpGatewayRouteSpec(name))],
      proxyAccess: [{ nodeId: `mesh/demo/virtualNode/${name}`, principals: ['arn:aws:iam::111122223333:role/n'] }],
    });
    const lines = issueLines(doc).join('\n');
    const quoted = JSON.stringify(name);
    expect(lines).toContain(`.weightedTargets[0].virtualNode: virtual node ${quoted} does not exist`);
    expect(lines).toContain(`.virtualRouterName: virtual router ${quoted} does not exist`);
    expect(lines).toContain(`.provider.virtualNode.virtualNodeName: virtual node ${quoted} does not exist`);
    expect(lines).toContain(`.target.virtualService.virtualServiceName: virtual service ${quoted} does not exist`);
    expect(lines).toContain(`proxyAccess[0].nodeId: "mesh/demo/virtualNode/${name}" names a virtual node that does not exist in the mesh`);
  });

  test('duplicates named __proto__ are found like any other duplicate', () => {
    const doc = meshDoc({ virtualNodes: [listeningNode('__proto__'), listeningNode('__proto__')] });
    expect(issueLines(doc)).toEqual([
      'virtualNodes[1].virtualNodeName: duplicate virtual node name "__proto__", also used by virtualNodes["__proto__"]; virtual node names are unique per mesh',
    ]);
  });

  test('a "__proto__" key read from JSON stays a key through canonical form and is reported', () => {
    const text = toCanonicalJson(meshDoc()).replace('"egressFilter"', '"__proto__": { "polluted": true },\n      "egressFilter"');
    const copy = canonicalizeMeshSpec(JSON.parse(text)) as any;
    expect(Object.keys(copy.mesh.spec)).toEqual(['__proto__', 'egressFilter']);
    expect(copy.mesh.spec.polluted).toBeUndefined();
    expect((() => {
      try {
        return parseMeshSpec(text);
      } catch (error) {
        return (error as SpecValidationError).issues.map(issue => issue.path);
      }
    })()).toEqual(['mesh.spec.__proto__']);
  });
});

describe('characters a resource name must not contain', () => {
  /** A valid mesh with one resource of each kind; `rename` changes one name. */
  function named(names: Partial<Record<'node' | 'router' | 'route' | 'service' | 'gateway' | 'gatewayRoute', string>>): MeshSpecDocument {
    const n = { node: 'a', router: 'r', route: 'main', service: 'svc', gateway: 'gw', gatewayRoute: 'in', ...names };
    return meshDoc({
      virtualNodes: [listeningNode(n.node)],
      virtualRouters: [router(n.router, ['http', 8080])],
      routes: [route(n.router, n.route, httpRouteSpec(n.node))],
      virtualServices: [service(n.service, { router: n.router })],
      virtualGateways: [gateway(n.gateway)],
      gatewayRoutes: [gatewayRoute(n.gateway, n.gatewayRoute, httpGatewayRouteSpec(n.service))],
    });
  }

  const slash = (what: string, name: string, position: number) =>
    `the ${what} ${JSON.stringify(name)} contains "/" (at position ${position}); names must not contain "/", which separates the parts of ARNs and node ids (mesh/<mesh>/virtualNode/<name>)`;

  test('the fixture is valid as it stands', () => {
    expect(issueLines(named({}))).toEqual([]);
  });

  test.each([
    ['node', 'virtualNodes["a/b"].virtualNodeName', 'virtual node name'],
    ['service', 'virtualServices["a/b"].virtualServiceName', 'virtual service name'],
    ['gatewayRoute', 'gatewayRoutes["gw/a/b"].gatewayRouteName', 'gateway route name'],
    ['route', 'routes["r/a/b"].routeName', 'route name'],
  ] as const)('a %s named "a/b" is refused at its name field', (kind, path, what) => {
    expect(issueLines(named({ [kind]: 'a/b' }))).toEqual([`${path}: ${slash(what, 'a/b', 2)}`]);
  });

  test('a router or gateway named "a/b" is reported at its own name, not again at each child route', () => {
    expect(issueLines(named({ router: 'a/b' }))).toEqual([`virtualRouters["a/b"].virtualRouterName: ${slash('virtual router name', 'a/b', 2)}`]);
    expect(issueLines(named({ gateway: 'a/b' }))).toEqual([`virtualGateways["a/b"].virtualGatewayName: ${slash('virtual gateway name', 'a/b', 2)}`]);
  });

  test('a route whose parent does not exist has the parent name\'s characters checked there', () => {
    const doc = named({});
    const orphan = { ...route('x/y', 'orphan', httpRouteSpec('a')) };
    expect(issueLines({ ...doc, routes: [...doc.routes, orphan] })).toEqual([
      `routes["x/y/orphan"].virtualRouterName: ${slash('virtual router name', 'x/y', 2)}`,
    ]);
  });

  test('a mesh named "apps/prod" is reported once, at mesh.meshName', () => {
    const doc = named({}) as any;
    doc.mesh.meshName = 'apps/prod';
    for (const list of ['virtualNodes', 'virtualRouters', 'routes', 'virtualServices', 'virtualGateways', 'gatewayRoutes']) {
      for (const resource of doc[list]) resource.meshName = 'apps/prod';
    }
    expect(issueLines(doc)).toEqual([`mesh.meshName: ${slash('mesh name', 'apps/prod', 5)}`]);
  });

  test('a mesh named "apps@123456789012" is refused: "@" separates a shared mesh from its owner in node ids', () => {
    const doc = named({}) as any;
    doc.mesh.meshName = 'apps@123456789012';
    for (const list of ['virtualNodes', 'virtualRouters', 'routes', 'virtualServices', 'virtualGateways', 'gatewayRoutes']) {
      for (const resource of doc[list]) resource.meshName = 'apps@123456789012';
    }
    expect(issueLines(doc)).toEqual([
      'mesh.meshName: the mesh name "apps@123456789012" contains "@" (at position 5); mesh names must not contain "@", which separates a shared mesh\'s name from its owner account in node ids (mesh/<mesh>@<owner>/virtualNode/<name>)',
    ]);
  });

  test('"@" stays allowed in the names of other resources', () => {
    expect(issueLines(named({ node: 'orders@v1' }))).toEqual([]);
  });

  test.each([
    ['a\nb', 'U+000A', 2],
    ['\u0000a', 'U+0000', 1],
    ['ab\u007f', 'U+007F', 3],
    ['a\u0085', 'U+0085', 2],
  ])('a control character (%j) is refused', (name, code, position) => {
    expect(issueLines(named({ node: name }))).toEqual([
      `virtualNodes[${JSON.stringify(name)}].virtualNodeName: the virtual node name ${JSON.stringify(name)} contains the control character ${code} (at position ${position}); names must not contain control characters`,
    ]);
  });

  test('names with dots, dashes, underscores, colons, spaces and non-ASCII letters stay valid', () => {
    expect(issueLines(named({ node: 'orders_v1.blue-2:a b', service: 'orders.demo.local', gateway: 'ingreß' }))).toEqual([]);
  });

  test('the runtime\'s reader refuses a spec with such a name', () => {
    const text = toCanonicalJson(named({ node: 'a/b' }));
    expect(() => parseMeshSpec(text)).toThrow(SpecValidationError);
    expect(() => parseMeshSpec(text)).toThrow(/virtualNodes\["a\/b"\]\.virtualNodeName: the virtual node name "a\/b" contains "\/"/);
  });
});
