import { FIXTURE_NAMES, loadFixture, reordered, resourceNames } from './spec-fixtures';
import type { MeshSpecDocument } from '../../../src/spec/document';
import { buildMeshGraph, GraphEdge, MeshGraph } from '../../src/graph/mesh-graph';

function edgesOf(graph: MeshGraph, kind: GraphEdge['kind']): string[] {
  return graph.edges.filter((e) => e.kind === kind).map((e) => `${e.from} -> ${e.to}${e.labels.length > 0 ? ` [${e.labels.join(' | ')}]` : ''}`);
}

function detailsOf(graph: MeshGraph, id: string): string[] {
  const node = graph.nodes.find((n) => n.id === id);
  if (!node) throw new Error(`no node ${id} in ${graph.nodes.map((n) => n.id).join(', ')}`);
  return node.details;
}

describe('buildMeshGraph', () => {
  test('canary: services, router, route, nodes, weights and the backend', () => {
    const graph = buildMeshGraph(loadFixture('canary'));
    expect(graph.meshName).toBe('apps');
    expect(graph.details).toEqual(['egress DROP_ALL']);
    expect(graph.nodes.map((n) => n.id)).toEqual([
      'virtualService:servicea.apps.local',
      'virtualService:serviceb.apps.local',
      'virtualRouter:serviceB-router',
      'route:serviceB-router/serviceB-route',
      'virtualNode:serviceA',
      'virtualNode:serviceB',
      'virtualNode:serviceBv2',
    ]);
    expect(graph.nodes.every((n) => n.declared)).toBe(true);
    expect(edgesOf(graph, 'provider')).toEqual([
      'virtualService:servicea.apps.local -> virtualNode:serviceA',
      'virtualService:serviceb.apps.local -> virtualRouter:serviceB-router',
    ]);
    expect(edgesOf(graph, 'routerRoute')).toEqual(['virtualRouter:serviceB-router -> route:serviceB-router/serviceB-route']);
    expect(edgesOf(graph, 'routeTarget')).toEqual([
      'route:serviceB-router/serviceB-route -> virtualNode:serviceB [75%]',
      'route:serviceB-router/serviceB-route -> virtualNode:serviceBv2 [25%]',
    ]);
    expect(edgesOf(graph, 'backend')).toEqual(['virtualNode:serviceA -> virtualService:serviceb.apps.local']);
    expect(detailsOf(graph, 'route:serviceB-router/serviceB-route')).toEqual(['http', 'prefix /']);
    expect(detailsOf(graph, 'virtualNode:serviceBv2')).toEqual(['http :8080', 'dns servicebv2.apps.local']);
    expect(detailsOf(graph, 'virtualRouter:serviceB-router')).toEqual(['http :8080']);
  });

  test('gateway mesh: gateway routes become labelled edges to their services', () => {
    const graph = buildMeshGraph(loadFixture('gateway'));
    const gatewayRoutes = graph.edges.filter((e) => e.kind === 'gatewayRoute');
    expect(gatewayRoutes.map((e) => [e.title, e.from, e.to, e.labels])).toEqual([
      ['api', 'virtualGateway:ingress-gw', 'virtualService:api.shop.local', ['http · priority 1', 'host = shop.example.com', 'prefix /api/', 'port 8080']],
      ['orders-grpc', 'virtualGateway:ingress-gw', 'virtualService:orders.shop.local', ['grpc', 'service shop.orders.v1.Orders', 'port 8443']],
      ['web', 'virtualGateway:ingress-gw', 'virtualService:web.shop.local', ['http', 'prefix /', 'port 8080']],
    ]);
    expect(detailsOf(graph, 'virtualGateway:ingress-gw')).toEqual(['http :8080', 'grpc :8443']);
    expect(edgesOf(graph, 'routeTarget')).toEqual([
      'route:api-router/api-v1 -> virtualNode:api-v1 [100%]',
      'route:api-router/api-v2 -> virtualNode:api-v2 [90%]',
      'route:api-router/api-v2 -> virtualNode:api-v2-canary [10%]',
    ]);
    expect(edgesOf(graph, 'backend')).toHaveLength(4);
  });

  test('header routing: header, method, query, gRPC and metadata matches; relative weights', () => {
    const graph = buildMeshGraph(loadFixture('header-routing'));
    expect(graph.details).toEqual(['egress ALLOW_ALL', 'ip IPv4_ONLY']);
    expect(detailsOf(graph, 'route:catalog-router/beta-header')).toEqual(['http · priority 1', 'prefix /', 'header x-beta = true']);
    expect(detailsOf(graph, 'route:catalog-router/mobile')).toEqual([
      'http · priority 2',
      'prefix /',
      'method GET',
      'header user-agent ~ .*(Android|iPhone).*',
      'not header x-debug present',
      'query app = mobile',
    ]);
    expect(detailsOf(graph, 'route:inventory-router/tenant-acme')).toEqual([
      'grpc · priority 1',
      'store.inventory.v1.Inventory/Get',
      'metadata x-tenant ^= acme',
    ]);
    expect(detailsOf(graph, 'route:inventory-router/grpc-default')).toEqual(['grpc · priority 5', 'store.inventory.v1.Inventory/*']);
    // Weights 1 and 3 do not add up to 100: the share and the written weight are both shown.
    expect(edgesOf(graph, 'routeTarget')).toContain('route:inventory-router/tenant-acme -> virtualNode:inventory [75% (weight 3)]');
    expect(edgesOf(graph, 'routeTarget')).toContain('route:inventory-router/tenant-acme -> virtualNode:inventory-acme [25% (weight 1)]');
    expect(edgesOf(graph, 'routeTarget')).toContain('route:catalog-router/mobile -> virtualNode:catalog [20%]');
  });

  test.each(FIXTURE_NAMES)('%s: every resource is in the graph', (name) => {
    const doc = loadFixture(name);
    const graph = buildMeshGraph(doc);
    const shown = new Set([graph.meshName, ...graph.nodes.map((n) => n.name), ...graph.edges.flatMap((e) => (e.title ? [e.title] : []))]);
    for (const resource of resourceNames(doc)) expect(shown).toContain(resource);
    expect(graph.nodes.filter((n) => n.kind === 'route')).toHaveLength(doc.routes.length);
    expect(graph.edges.filter((e) => e.kind === 'gatewayRoute')).toHaveLength(doc.gatewayRoutes.length);
  });

  test.each(FIXTURE_NAMES)('%s: the order of the spec lists does not change the graph', (name) => {
    const doc = loadFixture(name);
    expect(buildMeshGraph(reordered(doc))).toEqual(buildMeshGraph(doc));
  });

  test('a reference to an undefined resource gets a box marked as not declared', () => {
    const doc: MeshSpecDocument = {
      ...loadFixture('canary'),
      virtualNodes: loadFixture('canary').virtualNodes.map((vn) => vn.virtualNodeName !== 'serviceA' ? vn : {
        ...vn,
        spec: { ...vn.spec, backends: [{ virtualService: { virtualServiceName: 'payments.external' } }] },
      }).filter((vn) => vn.virtualNodeName !== 'serviceBv2'),
    };
    const graph = buildMeshGraph(doc);
    const missing = graph.nodes.filter((n) => !n.declared);
    expect(missing.map((n) => n.id)).toEqual(['virtualService:payments.external', 'virtualNode:serviceBv2']);
    expect(missing.every((n) => n.details[0] === 'not defined in this spec')).toBe(true);
    expect(edgesOf(graph, 'routeTarget')).toContain('route:serviceB-router/serviceB-route -> virtualNode:serviceBv2 [25%]');
  });

  test('TLS listeners, Cloud Map discovery, target ports and http2 gateway routes are summarized', () => {
    const meshName = 'm';
    const graph = buildMeshGraph({
      specVersion: 'open-app-mesh/v1',
      mesh: { meshName, spec: {} },
      virtualNodes: [{
        meshName,
        virtualNodeName: 'api',
        spec: {
          listeners: [
            { portMapping: { port: 8443, protocol: 'http2' }, tls: { mode: 'STRICT', certificate: { sds: { secretName: 'api-cert' } } } },
            { portMapping: { port: 9090, protocol: 'grpc' } },
          ],
          serviceDiscovery: { awsCloudMap: { namespaceName: 'internal.local', serviceName: 'api' } },
        },
      }],
      virtualServices: [{ meshName, virtualServiceName: 'api.local', spec: { provider: { virtualRouter: { virtualRouterName: 'r' } } } }],
      virtualRouters: [{ meshName, virtualRouterName: 'r', spec: {} }],
      routes: [{
        meshName,
        virtualRouterName: 'r',
        routeName: 'grpc',
        spec: { grpcRoute: { match: { serviceName: 'pkg.Api' }, action: { weightedTargets: [{ virtualNode: 'api', weight: 0, port: 9090 }] } } },
      }],
      virtualGateways: [{ meshName, virtualGatewayName: 'gw', spec: { listeners: [{ portMapping: { port: 443, protocol: 'http2' } }] } }],
      gatewayRoutes: [{
        meshName,
        virtualGatewayName: 'gw',
        gatewayRouteName: 'h2',
        spec: { http2Route: { match: { prefix: '/' }, action: { target: { virtualService: { virtualServiceName: 'api.local' }, port: 8443 } } } },
      }],
    });
    expect(detailsOf(graph, 'virtualNode:api')).toEqual(['http2 :8443 tls strict', 'grpc :9090', 'cloud map internal.local/api']);
    expect(detailsOf(graph, 'virtualRouter:r')).toEqual([]);
    expect(detailsOf(graph, 'virtualService:api.local')).toEqual([]);
    // A weight of 0 out of 0 is 0%; the target port picks the listener.
    expect(edgesOf(graph, 'routeTarget')).toEqual(['route:r/grpc -> virtualNode:api [0% (weight 0) · port 9090]']);
    expect(edgesOf(graph, 'gatewayRoute')).toEqual(['virtualGateway:gw -> virtualService:api.local [http2 | prefix / | to port 8443]']);
  });

  test('an empty mesh has no boxes and no arrows', () => {
    const graph = buildMeshGraph({
      specVersion: 'open-app-mesh/v1',
      mesh: { meshName: 'empty', spec: { egressFilter: { type: 'ALLOW_ALL' } } },
      virtualNodes: [],
      virtualServices: [],
      virtualRouters: [],
      routes: [],
      virtualGateways: [],
      gatewayRoutes: [],
    });
    expect(graph).toEqual({ meshName: 'empty', details: ['egress ALLOW_ALL'], nodes: [], edges: [] });
  });
});
