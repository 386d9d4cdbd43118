/**
 * A route match with only a `port` (created with `aws appmesh create-route` in the multi-listener
 * walkthroughs) is accepted, as App Mesh accepted it, and means prefix `/` on that port.
 */
import { meshDoc, MESH, named, routedMesh, vhostRoutes } from './spec-builder';
import { validateMeshSpec } from '../../../src/spec/validate';
import { ProtoJson, translateNode } from '../../src/translate';

const twoListeners = { listeners: [{ portMapping: { port: 8080, protocol: 'http' as const } }, { portMapping: { port: 9090, protocol: 'http' as const } }] };

describe('a route match with only a port', () => {
  test('an HTTP route: valid, and rendered as prefix "/" in the table of that port only', () => {
    const spec = routedMesh(
      { nine: { httpRoute: { match: { port: 9090 }, action: { weightedTargets: [{ virtualNode: 'v2', weight: 1 }] } } } },
      { routers: { r: twoListeners } },
    );
    expect(validateMeshSpec(spec).map(i => i.message)).toEqual([]);
    const envoy = translateNode({ spec, nodeId: `mesh/${MESH}/virtualNode/client` }).envoy;
    expect(vhostRoutes(envoy, 'rds_egress_http_9090', 'svc').map(r => [r.name, r.match])).toEqual([['nine', { prefix: '/' }]]);
    expect(vhostRoutes(envoy, 'rds_egress_http_8080', 'svc')).toEqual([]);
  });

  test('an HTTP route with neither prefix, path nor port is still refused, naming the field', () => {
    const spec = routedMesh({ bare: { httpRoute: { match: { method: 'GET' }, action: { weightedTargets: [{ virtualNode: 'v1', weight: 1 }] } } } });
    expect(validateMeshSpec(spec).map(i => `${i.path}: ${i.message}`)).toEqual([
      expect.stringMatching(/\.spec\.httpRoute\.match: an HTTP route match needs exactly one of prefix, path; none is set$/),
    ]);
  });

  test('a gateway route: valid, rendered as prefix "/" with no prefix rewrite', () => {
    const spec = meshDoc({
      nodes: { v1: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'v1.local' } } } },
      services: { svc: { provider: { virtualNode: { virtualNodeName: 'v1' } } } },
      gateways: { gw: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }, { portMapping: { port: 8443, protocol: 'http' } }] } },
      gatewayRoutes: { 'gw/by-port': { httpRoute: { match: { port: 8443 }, action: { target: { virtualService: { virtualServiceName: 'svc' } } } } } },
    });
    expect(validateMeshSpec(spec).map(i => i.message)).toEqual([]);
    const envoy = translateNode({ spec, nodeId: `mesh/${MESH}/virtualGateway/gw` }).envoy;
    const [route] = vhostRoutes(envoy, 'rds_ingress_http_8443', 'self_redirect');
    expect(route.match).toEqual({ prefix: '/' });
    expect((route.route as ProtoJson).prefix_rewrite).toBeUndefined();
    expect(named(envoy.routes, 'rds_ingress_http_8080').virtual_hosts).toEqual([expect.objectContaining({ routes: [] })]);
  });
});
