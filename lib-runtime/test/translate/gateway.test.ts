import { chainFilter, meshDoc, named, vhostRoutes } from './spec-builder';
import { GatewayRouteSpec, HttpGatewayRoute, VirtualGatewaySpec } from '../../../src/spec/appmesh-types';
import { translateNode } from '../../src/translate';
import { ProtoJson } from '../../src/translate/types';

const listener8080 = { portMapping: { port: 8080, protocol: 'http' as const } };

function gatewayEnvoy(routes: Record<string, GatewayRouteSpec>, gateway: VirtualGatewaySpec = { listeners: [listener8080] }) {
  const spec = meshDoc({
    nodes: {
      a: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'a.local' } } },
      g: { listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }], serviceDiscovery: { dns: { hostname: 'g.local' } } },
    },
    services: {
      'a.svc': { provider: { virtualNode: { virtualNodeName: 'a' } } },
      'g.svc': { provider: { virtualNode: { virtualNodeName: 'g' } } },
      'none.svc': {},
    },
    gateways: { gw: gateway },
    gatewayRoutes: Object.fromEntries(Object.entries(routes).map(([name, s]) => [`gw/${name}`, s])),
  });
  return translateNode({ spec, nodeId: 'mesh/m/virtualGateway/gw' });
}

const toA = { target: { virtualService: { virtualServiceName: 'a.svc' } } };
function httpGr(route: Partial<HttpGatewayRoute>): GatewayRouteSpec {
  return { httpRoute: { match: { prefix: '/' }, action: toA, ...route } };
}
const ingressRoutes = (routes: Record<string, GatewayRouteSpec>, gateway?: VirtualGatewaySpec, port = 8080, proto = 'http') =>
  vhostRoutes(gatewayEnvoy(routes, gateway).envoy, `rds_ingress_${proto}_${port}`, 'self_redirect');

describe('virtual gateway listeners', () => {
  test('lds_ingress_0.0.0.0_<port>, TLS inspector, HCM with path normalisation and slash merging', () => {
    const envoy = gatewayEnvoy({ a: httpGr({}) }).envoy;
    const listener = named(envoy.listeners, 'lds_ingress_0.0.0.0_8080');
    expect(listener.address).toEqual({ socket_address: { address: '0.0.0.0', port_value: 8080 } });
    expect((listener.listener_filters as ProtoJson[]).map(f => f.name)).toEqual(['envoy.filters.listener.tls_inspector']);
    const hcm = chainFilter(envoy, 'lds_ingress_0.0.0.0_8080', 'ingress_http_8080');
    expect(hcm).toMatchObject({
      stat_prefix: 'ingress',
      normalize_path: { value: true },
      merge_slashes: true,
      path_with_escaped_slashes_action: 'KEEP_UNCHANGED',
      upgrade_configs: [{ upgrade_type: 'websocket' }],
    });
    expect((hcm.rds as ProtoJson).route_config_name).toBe('rds_ingress_http_8080');
  });

  test('self-redirect cluster: STATIC 127.0.0.1:15001, 0.25 s, gateway connection pool applied', () => {
    const envoy = gatewayEnvoy({ a: httpGr({}) }, { listeners: [{ ...listener8080, connectionPool: { http: { maxConnections: 42 } } }] }).envoy;
    const cluster = named(envoy.clusters, 'cds_ingress_m_gw_self_redirect_http_15001');
    expect(cluster).toMatchObject({ type: 'STATIC', connect_timeout: { seconds: 0, nanos: 250_000_000 } });
    expect(JSON.stringify(cluster.load_assignment)).toContain('{"address":"127.0.0.1","port_value":15001}');
    expect((cluster.circuit_breakers as { thresholds: ProtoJson[] }).thresholds[0].max_connections).toEqual({ value: 42 });
  });

  test('several listeners: self-redirect names carry the listener port; routes go by port', () => {
    const gateway = { listeners: [listener8080, { portMapping: { port: 9090, protocol: 'grpc' as const } }] };
    const routes = {
      web: httpGr({ match: { prefix: '/', port: 8080 } }),
      rpc: { grpcRoute: { match: { serviceName: 'pkg.S', port: 9090 }, action: { target: { virtualService: { virtualServiceName: 'g.svc' } } } } },
    };
    const envoy = gatewayEnvoy(routes, gateway).envoy;
    expect(envoy.clusters.map(c => c.name)).toEqual(expect.arrayContaining([
      'cds_ingress_m_gw_self_redirect_8080_http_15001',
      'cds_ingress_m_gw_self_redirect_9090_grpc_15001',
    ]));
    expect(vhostRoutes(envoy, 'rds_ingress_http_8080', 'self_redirect').map(r => r.name)).toEqual(['web']);
    const rpc = vhostRoutes(envoy, 'rds_ingress_grpc_9090', 'self_redirect');
    expect(rpc).toEqual([{
      name: 'rpc',
      match: { prefix: '/pkg.S/' },
      route: { cluster: 'cds_ingress_m_gw_self_redirect_9090_grpc_15001', timeout: { seconds: 15, nanos: 0 }, host_rewrite_literal: 'g.svc' },
    }]);
    expect(chainFilter(envoy, 'lds_ingress_0.0.0.0_9090', 'ingress_grpc_9090').stat_prefix).toBe('ingress.grpc.9090');
  });
});

describe('gateway routes and rewrites', () => {
  test('default: prefix → /, Host → target service, 15 s; /foo/ also matches exact /foo', () => {
    expect(ingressRoutes({ r: httpGr({ match: { prefix: '/foo/' } }) })).toEqual([
      { name: 'r_exact', match: { path: '/foo' }, route: { cluster: 'cds_ingress_m_gw_self_redirect_http_15001', timeout: { seconds: 15, nanos: 0 }, host_rewrite_literal: 'a.svc', prefix_rewrite: '/' } },
      { name: 'r', match: { prefix: '/foo/' }, route: { cluster: 'cds_ingress_m_gw_self_redirect_http_15001', timeout: { seconds: 15, nanos: 0 }, host_rewrite_literal: 'a.svc', prefix_rewrite: '/' } },
    ]);
  });

  test('prefix / is not rewritten (already /)', () => {
    expect((ingressRoutes({ r: httpGr({ match: { prefix: '/' } }) })[0].route as ProtoJson).prefix_rewrite).toBeUndefined();
  });

  test('explicit prefix value', () => {
    const routes = ingressRoutes({ r: httpGr({ match: { prefix: '/maroon/' }, action: { ...toA, rewrite: { prefix: { value: '/red/' } } } }) });
    expect(routes.map(r => (r.route as ProtoJson).prefix_rewrite)).toEqual(['/red/', '/red/']);
  });

  test('defaultPrefix DISABLED keeps the matched prefix (no twin route)', () => {
    const routes = ingressRoutes({ r: httpGr({ match: { prefix: '/keep/' }, action: { ...toA, rewrite: { prefix: { defaultPrefix: 'DISABLED' } } } }) });
    expect(routes).toHaveLength(1);
    expect((routes[0].route as ProtoJson).prefix_rewrite).toBeUndefined();
  });

  test('defaultTargetHostname DISABLED keeps Host and adds x-app-mesh-virtual-service', () => {
    const [route] = ingressRoutes({ r: httpGr({ action: { ...toA, rewrite: { hostname: { defaultTargetHostname: 'DISABLED' } } } }) });
    expect((route.route as ProtoJson).host_rewrite_literal).toBeUndefined();
    expect(route.request_headers_to_add).toEqual([{ header: { key: 'x-app-mesh-virtual-service', value: 'a.svc' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }]);
  });

  test('exact path with a path rewrite replaces the whole path; regex paths are not rewritten', () => {
    const routes = ingressRoutes({
      exact: httpGr({ match: { path: { exact: '/old' } }, action: { ...toA, rewrite: { path: { exact: '/new' } } } }),
      regex: httpGr({ match: { path: { regex: '/x/.*' } } }),
    });
    expect(named(routes, 'exact')).toMatchObject({ match: { path: '/old' }, route: { prefix_rewrite: '/new' } });
    expect(named(routes, 'regex')).toMatchObject({ match: { safe_regex: { regex: '/x/.*' } } });
    expect((named(routes, 'regex').route as ProtoJson).prefix_rewrite).toBeUndefined();
  });

  test('hostname exact / suffix match :authority, tolerating a port', () => {
    const routes = ingressRoutes({
      exact: httpGr({ match: { prefix: '/', hostname: { exact: 'www.example.com' } } }),
      suffix: httpGr({ match: { prefix: '/', hostname: { suffix: '.example.com' } } }),
    });
    expect((named(routes, 'exact').match as ProtoJson).headers).toEqual([{ name: ':authority', string_match: { safe_regex: { regex: '^www\\.example\\.com(:\\d+)?$' } } }]);
    expect((named(routes, 'suffix').match as ProtoJson).headers).toEqual([{ name: ':authority', string_match: { safe_regex: { regex: '^.*\\.example\\.com(:\\d+)?$' } } }]);
  });

  test('headers, method and query parameters match as on routes', () => {
    const [route] = ingressRoutes({ r: httpGr({ match: { prefix: '/', method: 'GET', headers: [{ name: 'x', match: { exact: '1' } }], queryParameters: [{ name: 'q' }] } }) });
    expect(route.match).toEqual({
      prefix: '/',
      headers: [{ name: ':method', string_match: { exact: 'GET' } }, { name: 'x', string_match: { exact: '1' } }],
      query_parameters: [{ name: 'q', present_match: true }],
    });
  });

  test('order: priority, then longest prefix, / last', () => {
    const routes = ingressRoutes({
      root: httpGr({ match: { prefix: '/' } }),
      deep: httpGr({ match: { prefix: '/a/b/' }, action: { ...toA, rewrite: { prefix: { defaultPrefix: 'DISABLED' } } } }),
      top: { ...httpGr({ match: { prefix: '/' } }), priority: 1 },
    });
    expect(routes.map(r => r.name)).toEqual(['top', 'deep', 'root']);
  });
});

describe('gateway re-entry through 15001', () => {
  test('rds_egress_http_15001: a virtual host per targeted service, an empty one without routes, and default_backend', () => {
    const envoy = gatewayEnvoy({
      a: httpGr({ match: { prefix: '/a/' } }),
      none: httpGr({ match: { prefix: '/n/' }, action: { target: { virtualService: { virtualServiceName: 'none.svc' } } } }),
    }).envoy;
    const rc = named(envoy.routes, 'rds_egress_http_15001');
    const hosts = rc.virtual_hosts as ProtoJson[];
    expect(hosts.map(h => [h.name, h.domains, (h.routes as ProtoJson[]).length])).toEqual([
      ['a.svc', ['a.svc', 'a.svc:15001'], 1],
      ['none.svc', ['none.svc', 'none.svc:15001'], 0],
      ['default_backend', ['*'], 1],
    ]);
    const fallback = named(hosts, 'default_backend');
    expect(fallback.response_headers_to_remove).toEqual(['x-app-mesh-virtual-service']);
    expect(((fallback.routes as ProtoJson[])[0].match as ProtoJson).headers).toEqual([{ name: 'x-app-mesh-virtual-service', string_match: { exact: 'a.svc' } }]);
    const egress = named(envoy.listeners, 'lds_egress_0.0.0.0_15001');
    expect((egress.filter_chains as ProtoJson[]).map(c => c.filter_chain_match)).toEqual([{ destination_port: { value: 15001 } }]);
    expect(envoy.clusters.map(c => c.name)).toContain('cds_egress_m_a_http_8080');
  });

  test('TLS origination from backendDefaults.clientPolicy only', () => {
    const envoy = gatewayEnvoy({ a: httpGr({}) }, {
      listeners: [listener8080],
      backendDefaults: { clientPolicy: { tls: { validation: { trust: { file: { certificateChain: '/ca.pem' } } } } } },
    }).envoy;
    expect(named(envoy.clusters, 'cds_egress_m_a_http_8080').transport_socket).toBeDefined();
  });

  test('gateway listener TLS', () => {
    const envoy = gatewayEnvoy({ a: httpGr({}) }, {
      listeners: [{ ...listener8080, tls: { mode: 'STRICT', certificate: { file: { certificateChain: '/c.pem', privateKey: '/k.pem' } } } }],
    }).envoy;
    const chain = (named(envoy.listeners, 'lds_ingress_0.0.0.0_8080').filter_chains as ProtoJson[])[0];
    expect(((chain.transport_socket as ProtoJson).typed_config as ProtoJson)['@type']).toBe('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext');
  });
});
