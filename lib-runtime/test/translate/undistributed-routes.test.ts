import { encodingProblems } from './envoy-checks';
import { chainFilter, meshDoc, MeshParts, routedMesh, vhostRoutes } from './spec-builder';
import { GatewayRouteSpec, RouteSpec, WeightedTarget } from '../../../src/spec/appmesh-types';
import { MeshSpecDocument } from '../../../src/spec/document';
import { validateMeshSpec } from '../../../src/spec/validate';
import { EnvoyConfig, translateNode } from '../../src/translate';
import { ProtoJson } from '../../src/translate/types';

/**
 * Routes App Mesh accepted but never distributed to Envoy: the spec is valid (with a warning),
 * and the rendered configuration is what App Mesh sent, without those routes and still valid.
 */

/** The spec is served: no errors, and exactly these rules warn. */
function expectServedWithWarnings(doc: MeshSpecDocument, rules: string[]): void {
  const warned: (string | undefined)[] = [];
  expect(validateMeshSpec(doc, { onWarning: issue => warned.push(issue.rule) })).toEqual([]);
  expect(warned).toEqual(rules);
}

function envoyOf(doc: MeshSpecDocument, nodeId: string): EnvoyConfig {
  const envoy = translateNode({ spec: doc, nodeId }).envoy;
  expect(encodingProblems(envoy)).toEqual([]);
  return envoy;
}

const names = (routes: ProtoJson[]) => routes.map(route => route.name);
const toV1 = (weight: number): WeightedTarget[] => [{ virtualNode: 'v1', weight }];
const http = (weightedTargets = toV1(1), port?: number): RouteSpec =>
  ({ httpRoute: { match: { prefix: '/', ...(port !== undefined ? { port } : {}) }, action: { weightedTargets } } });

/** The route names the caller `client` gets for service `svc` on router port 8080. */
function clientRouteNames(doc: MeshSpecDocument): unknown[] {
  return names(vhostRoutes(envoyOf(doc, 'mesh/m/virtualNode/client'), 'rds_egress_http_8080', 'svc'));
}

describe('routes of a virtual router', () => {
  test('a route whose kind is not its listener\'s protocol is left out of that listener\'s table', () => {
    const doc = routedMesh({
      served: http(),
      http2: { http2Route: { match: { prefix: '/h2' }, action: { weightedTargets: toV1(1) } } },
      grpc: { grpcRoute: { match: { serviceName: 'demo.Svc' }, action: { weightedTargets: toV1(1) } } },
    });
    expectServedWithWarnings(doc, ['route-protocol-matches-listener', 'route-protocol-matches-listener']);
    expect(clientRouteNames(doc)).toEqual(['served']);
  });

  test('a route whose match.port names no router listener is left out', () => {
    const doc = routedMesh({ served: http(), elsewhere: http(toV1(1), 9999) });
    expectServedWithWarnings(doc, ['route-match-port-is-listener']);
    expect(clientRouteNames(doc)).toEqual(['served']);
  });

  test('an HTTP route whose weights are all 0 is left out; the next route takes its requests', () => {
    const doc = routedMesh({ silent: http([{ virtualNode: 'v1', weight: 0 }, { virtualNode: 'v2', weight: 0 }]), served: http() });
    expectServedWithWarnings(doc, ['weights-not-all-zero']);
    expect(clientRouteNames(doc)).toEqual(['served']);
  });
});

describe('TCP routes', () => {
  const tcp = (weightedTargets: WeightedTarget[]): RouteSpec => ({ tcpRoute: { action: { weightedTargets } } });
  const tcpNodes: MeshParts = {
    nodes: {
      t1: { listeners: [{ portMapping: { port: 7000, protocol: 'tcp' } }], serviceDiscovery: { dns: { hostname: 't1.local' } } },
      t2: { listeners: [{ portMapping: { port: 7000, protocol: 'tcp' } }], serviceDiscovery: { dns: { hostname: 't2.local' } } },
    },
    routers: { r: { listeners: [{ portMapping: { port: 7000, protocol: 'tcp' } }] } },
  };
  const proxyOf = (doc: MeshSpecDocument) => chainFilter(envoyOf(doc, 'mesh/m/virtualNode/client'), 'lds_egress_0.0.0.0_15001', 'egress_tcp_7000');

  test('a first route whose weights are all 0 is not distributed: the next route carries the port', () => {
    // Routes are taken in name order: `a` comes first.
    const doc = routedMesh({ a: tcp([{ virtualNode: 't1', weight: 0 }]), b: tcp([{ virtualNode: 't2', weight: 1 }]) }, tcpNodes);
    expectServedWithWarnings(doc, ['weights-not-all-zero']);
    expect(proxyOf(doc).cluster).toBe('cds_egress_m_t2_tcp_7000');
  });

  test('a target of weight 0 beside others is left out (Envoy\'s tcp_proxy refuses a weight of 0)', () => {
    const doc = routedMesh({ split: tcp([{ virtualNode: 't1', weight: 0 }, { virtualNode: 't2', weight: 3 }]) }, tcpNodes);
    expectServedWithWarnings(doc, []);
    const proxy = proxyOf(doc);
    expect(proxy.cluster).toBe('cds_egress_m_t2_tcp_7000');
    expect(proxy.weighted_clusters).toBeUndefined();
  });

  test('when no route of the port has a weight above 0, the port gets no chain', () => {
    const doc = routedMesh({ silent: tcp([{ virtualNode: 't1', weight: 0 }]) }, tcpNodes);
    expectServedWithWarnings(doc, ['weights-not-all-zero']);
    expect(() => proxyOf(doc)).toThrow(/no resource egress_tcp_7000/);
  });
});

describe('routes of a virtual gateway', () => {
  const toA = { target: { virtualService: { virtualServiceName: 'a.svc' } } };
  function gatewayDoc(routes: Record<string, GatewayRouteSpec>): MeshSpecDocument {
    return meshDoc({
      nodes: { a: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'a.local' } } } },
      services: { 'a.svc': { provider: { virtualNode: { virtualNodeName: 'a' } } } },
      gateways: { gw: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] } },
      gatewayRoutes: Object.fromEntries(Object.entries(routes).map(([name, spec]) => [`gw/${name}`, spec])),
    });
  }
  const ingressRouteNames = (doc: MeshSpecDocument) =>
    names(vhostRoutes(envoyOf(doc, 'mesh/m/virtualGateway/gw'), 'rds_ingress_http_8080', 'self_redirect'));

  test('a gateway route whose kind is not its listener\'s protocol is left out', () => {
    const doc = gatewayDoc({ served: { httpRoute: { match: { prefix: '/' }, action: toA } }, grpc: { grpcRoute: { match: { serviceName: 'demo.Svc' }, action: toA } } });
    expectServedWithWarnings(doc, ['gateway-route-protocol-matches-listener']);
    expect(ingressRouteNames(doc)).toEqual(['served']);
  });

  test('a gateway route whose match.port names no gateway listener is left out', () => {
    const doc = gatewayDoc({ served: { httpRoute: { match: { prefix: '/' }, action: toA } }, elsewhere: { httpRoute: { match: { prefix: '/x', port: 9999 }, action: toA } } });
    expectServedWithWarnings(doc, ['gateway-route-match-port-is-listener']);
    expect(ingressRouteNames(doc)).toEqual(['served']);
  });
});
