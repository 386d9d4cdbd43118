/**
 * Two gateway routes to one virtual service on different `target.port`s (`/fruit` → 3333,
 * `/vegetable` → 4444, from the App Mesh multi-listener walkthrough) reach different ports: one
 * re-entry virtual host and one set of clusters per (service, port).
 */
import { meshDoc, MESH, named, vhostRoutes } from './spec-builder';
import { GatewayRouteSpec } from '../../../src/spec/appmesh-types';
import { NodeConfig, ProtoJson, translateNode } from '../../src/translate';

const SERVICE = 'produce.local';

function gatewayConfig(extraRoutes: Record<string, GatewayRouteSpec> = {}): NodeConfig {
  const to = (prefix: string, port?: number, keepHost = false): GatewayRouteSpec => ({
    httpRoute: {
      match: { prefix },
      action: {
        target: { virtualService: { virtualServiceName: SERVICE }, ...(port !== undefined ? { port } : {}) },
        ...(keepHost ? { rewrite: { hostname: { defaultTargetHostname: 'DISABLED' as const } } } : {}),
      },
    },
  });
  const spec = meshDoc({
    nodes: {
      produce: {
        listeners: [{ portMapping: { port: 3333, protocol: 'http' } }, { portMapping: { port: 4444, protocol: 'http' } }],
        serviceDiscovery: { dns: { hostname: 'produce.internal' } },
      },
    },
    services: { [SERVICE]: { provider: { virtualNode: { virtualNodeName: 'produce' } } } },
    gateways: { gw: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] } },
    gatewayRoutes: {
      'gw/fruit': to('/fruit/', 3333),
      'gw/vegetable': to('/vegetable/', 4444, true),
      ...extraRoutes,
    },
  });
  return translateNode({ spec, nodeId: `mesh/${MESH}/virtualGateway/gw` });
}

const clusterOf = (route: ProtoJson) => (route.route as ProtoJson).cluster;

describe('gateway routes to one service on different target ports', () => {
  test('the ingress hop names the port in Host (or in the selecting header when Host is kept)', () => {
    const routes = vhostRoutes(gatewayConfig().envoy, 'rds_ingress_http_8080', 'self_redirect');
    expect(named(routes, 'fruit').route).toMatchObject({ host_rewrite_literal: `${SERVICE}:3333` });
    expect(named(routes, 'vegetable').request_headers_to_add).toEqual([
      { header: { key: 'x-app-mesh-virtual-service', value: `${SERVICE}:4444` }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    ]);
  });

  test('re-entry: a virtual host per (service, port), each routing to that port\'s cluster; both clusters exist', () => {
    const { envoy } = gatewayConfig();
    const reentry = named(envoy.routes, 'rds_egress_http_15001').virtual_hosts as ProtoJson[];
    expect(reentry.map(vh => [vh.name, vh.domains])).toEqual([
      [`${SERVICE}:3333`, [`${SERVICE}:3333`]],
      [`${SERVICE}:4444`, [`${SERVICE}:4444`]],
      ['default_backend', ['*']],
    ]);
    expect(vhostRoutes(envoy, 'rds_egress_http_15001', `${SERVICE}:3333`).map(clusterOf)).toEqual(['cds_egress_m_produce_http_3333']);
    expect(vhostRoutes(envoy, 'rds_egress_http_15001', `${SERVICE}:4444`).map(clusterOf)).toEqual(['cds_egress_m_produce_http_4444']);
    const selectors = vhostRoutes(envoy, 'rds_egress_http_15001', 'default_backend')
      .map(r => [((r.match as ProtoJson).headers as ProtoJson[])[0], clusterOf(r)]);
    expect(selectors).toEqual([
      [{ name: 'x-app-mesh-virtual-service', string_match: { exact: `${SERVICE}:3333` } }, 'cds_egress_m_produce_http_3333'],
      [{ name: 'x-app-mesh-virtual-service', string_match: { exact: `${SERVICE}:4444` } }, 'cds_egress_m_produce_http_4444'],
    ]);
    expect(envoy.clusters.map(c => c.name)).toEqual(expect.arrayContaining(['cds_egress_m_produce_http_3333', 'cds_egress_m_produce_http_4444']));
  });

  test('a route without a port keeps the plain service host next to the port ones', () => {
    const any: GatewayRouteSpec = { httpRoute: { match: { prefix: '/any/' }, action: { target: { virtualService: { virtualServiceName: SERVICE } } } } };
    const { envoy } = gatewayConfig({ 'gw/any': any });
    expect(named(vhostRoutes(envoy, 'rds_ingress_http_8080', 'self_redirect'), 'any').route).toMatchObject({ host_rewrite_literal: SERVICE });
    const reentry = named(envoy.routes, 'rds_egress_http_15001').virtual_hosts as ProtoJson[];
    expect(named(reentry, SERVICE).domains).toEqual([SERVICE, `${SERVICE}:15001`]);
    expect(vhostRoutes(envoy, 'rds_egress_http_15001', SERVICE).map(clusterOf)).toEqual(['cds_egress_m_produce_http_3333']);
  });

  test('proxyless: a listener per dialed authority, <service>:<port>, with that port\'s cluster', () => {
    const { proxyless } = gatewayConfig();
    expect(proxyless.listeners.map(l => l.name)).toEqual([`${SERVICE}:3333`, `${SERVICE}:4444`]);
    const hcm = (named(proxyless.listeners, `${SERVICE}:4444`).api_listener as ProtoJson).api_listener as ProtoJson;
    const [vh] = (hcm.route_config as ProtoJson).virtual_hosts as ProtoJson[];
    expect(vh.domains).toEqual([`${SERVICE}:4444`]);
    expect((vh.routes as ProtoJson[]).map(clusterOf)).toEqual(['cds_egress_m_produce_http_4444']);
    expect(proxyless.clusters.map(c => c.name).sort()).toEqual(['cds_egress_m_produce_http_3333', 'cds_egress_m_produce_http_4444']);
  });
});
