import { meshDoc, named } from './spec-builder';
import { translateNode } from '../../src/translate';
import { ProtoJson } from '../../src/translate/types';

const grpcNode = (host: string) => ({ listeners: [{ portMapping: { port: 50051, protocol: 'grpc' as const } }], serviceDiscovery: { awsCloudMap: { namespaceName: 'ns', serviceName: host } } });

function proxylessOf(mesh = {}, clientBackends = ['greeter']) {
  const spec = meshDoc({
    mesh,
    nodes: {
      client: { backends: clientBackends.map(virtualServiceName => ({ virtualService: { virtualServiceName } })) },
      v1: grpcNode('v1'),
      v2: grpcNode('v2'),
      web: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
      db: { listeners: [{ portMapping: { port: 5432, protocol: 'tcp' } }] },
    },
    services: {
      greeter: { provider: { virtualRouter: { virtualRouterName: 'r' } } },
      web: { provider: { virtualNode: { virtualNodeName: 'web' } } },
      db: { provider: { virtualNode: { virtualNodeName: 'db' } } },
      empty: {},
    },
    routers: { r: { listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }] } },
    routes: {
      'r/split': {
        grpcRoute: {
          match: { serviceName: 'helloworld.Greeter' },
          action: { weightedTargets: [{ virtualNode: 'v1', weight: 75 }, { virtualNode: 'v2', weight: 25 }] },
          retryPolicy: { maxRetries: 3, perRetryTimeout: { unit: 's', value: 1 }, grpcRetryEvents: ['unavailable'] as never, httpRetryEvents: ['server-error'] },
          timeout: { perRequest: { unit: 's', value: 5 } },
        },
      },
      'r/no-timeout': {
        grpcRoute: { match: { serviceName: 'other.Svc' }, action: { weightedTargets: [{ virtualNode: 'v1', weight: 1 }] }, timeout: { perRequest: { unit: 's', value: 0 } } },
      },
    },
  });
  return translateNode({
    spec,
    nodeId: 'mesh/m/virtualNode/client',
    endpoints: { v1: [{ address: '127.0.0.1', port: 50001 }], v2: [{ address: '127.0.0.1', port: 50002, zone: 'z1' }] },
  }).proxyless;
}

const hcmOf = (listener: ProtoJson) => (listener.api_listener as ProtoJson).api_listener as ProtoJson;

describe('proxyless gRPC view', () => {
  test('one api_listener per backend service, named exactly after it (X26)', () => {
    const view = proxylessOf();
    expect(view.listeners.map(l => l.name)).toEqual(['greeter']);
    const listener = view.listeners[0];
    expect(listener.listener_filters).toBeUndefined();
    expect(listener.use_original_dst).toBeUndefined();
    const hcm = hcmOf(listener);
    expect(hcm['@type']).toBe('type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
    const filters = hcm.http_filters as ProtoJson[];
    expect(filters.filter(f => f.name === 'envoy.filters.http.router')).toHaveLength(1);
    expect(filters[filters.length - 1].name).toBe('envoy.filters.http.router');
    expect(view.routes).toEqual([]);
  });

  test('virtual host domains match the target (X27) and carry the same routes', () => {
    const rc = hcmOf(proxylessOf().listeners[0]).route_config as ProtoJson;
    const [vhost] = rc.virtual_hosts as ProtoJson[];
    expect(vhost.domains).toEqual(['greeter', 'greeter:50051']);
    expect((vhost.routes as ProtoJson[]).map(r => [r.name, r.match])).toEqual([
      ['split', { prefix: '/helloworld.Greeter/' }],
      ['no-timeout', { prefix: '/other.Svc/' }],
    ]);
  });

  test('weighted clusters (X30), gRPC-only retry conditions, max_stream_duration for timeouts', () => {
    const routes = ((hcmOf(proxylessOf().listeners[0]).route_config as ProtoJson).virtual_hosts as ProtoJson[])[0].routes as ProtoJson[];
    expect(routes[0].route).toEqual({
      weighted_clusters: { clusters: [{ name: 'cds_egress_m_v1_grpc_50051', weight: { value: 75 } }, { name: 'cds_egress_m_v2_grpc_50051', weight: { value: 25 } }] },
      retry_policy: { retry_on: 'unavailable', num_retries: { value: 3 } },
      max_stream_duration: { max_stream_duration: { seconds: 5, nanos: 0 } },
    });
    // perRequest 0 = no limit; the default policy reduces to `unavailable`.
    expect(routes[1].route).toEqual({
      weighted_clusters: { clusters: [{ name: 'cds_egress_m_v1_grpc_50051', weight: { value: 1 } }] },
      retry_policy: { retry_on: 'unavailable', num_retries: { value: 2 } },
    });
  });

  test('maxRetries 0 means no retry policy for gRPC clients (grpc-js rejects num_retries 0)', () => {
    const spec = meshDoc({
      nodes: { client: { backends: [{ virtualService: { virtualServiceName: 's' } }] }, t: grpcNode('t') },
      services: { s: { provider: { virtualRouter: { virtualRouterName: 'r' } } } },
      routers: { r: { listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }] } },
      routes: {
        'r/a': {
          grpcRoute: {
            match: {},
            action: { weightedTargets: [{ virtualNode: 't', weight: 1 }] },
            retryPolicy: { maxRetries: 0, perRetryTimeout: { unit: 's', value: 1 }, grpcRetryEvents: ['unavailable'] as never },
          },
        },
      },
    });
    const config = translateNode({ spec, nodeId: 'mesh/m/virtualNode/client' });
    const route = (((hcmOf(config.proxyless.listeners[0]).route_config as ProtoJson).virtual_hosts as ProtoJson[])[0].routes as ProtoJson[])[0];
    expect((route.route as ProtoJson).retry_policy).toBeUndefined();
    const envoyRoute = ((named(config.envoy.routes, 'rds_egress_grpc_50051').virtual_hosts as ProtoJson[])[0].routes as ProtoJson[])[0];
    expect(((envoyRoute.route as ProtoJson).retry_policy as ProtoJson).num_retries).toEqual({ value: 0 });
  });

  test('no outlier detection or health checks on proxyless clusters (Envoy keeps them)', () => {
    const target = {
      listeners: [{
        portMapping: { port: 50051, protocol: 'grpc' as const },
        outlierDetection: { maxServerErrors: 3, interval: { unit: 's' as const, value: 1 }, baseEjectionDuration: { unit: 's' as const, value: 1 }, maxEjectionPercent: 50 },
        healthCheck: { healthyThreshold: 2, intervalMillis: 5000, timeoutMillis: 2000, unhealthyThreshold: 2, protocol: 'grpc' as const },
      }],
    };
    const spec = meshDoc({
      nodes: { client: { backends: [{ virtualService: { virtualServiceName: 's' } }] }, t: target },
      services: { s: { provider: { virtualNode: { virtualNodeName: 't' } } } },
    });
    const config = translateNode({ spec, nodeId: 'mesh/m/virtualNode/client' });
    const proxyless = named(config.proxyless.clusters, 'cds_egress_m_t_grpc_50051');
    expect(proxyless.outlier_detection).toBeUndefined();
    expect(proxyless.health_checks).toBeUndefined();
    const envoy = named(config.envoy.clusters, 'cds_egress_m_t_grpc_50051');
    expect(envoy.outlier_detection).toBeDefined();
    expect(envoy.health_checks).toBeDefined();
  });

  test('clusters are EDS over ADS, round robin (X28); localities weighted > 0 (X29)', () => {
    const view = proxylessOf();
    for (const cluster of view.clusters) {
      expect(cluster).toMatchObject({ type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } }, lb_policy: 'ROUND_ROBIN' });
      expect(cluster.health_checks).toBeUndefined();
    }
    for (const assignment of view.endpoints) {
      for (const locality of assignment.endpoints as ProtoJson[]) {
        expect((locality.load_balancing_weight as { value: number }).value).toBeGreaterThan(0);
      }
    }
    expect(named(view.endpoints, 'cds_egress_m_v2_grpc_50051').endpoints).toEqual([{
      locality: { zone: 'z1' },
      lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 50002 } } } }],
      load_balancing_weight: { value: 1 },
    }]);
  });

  test('ALLOW_ALL: every service of the mesh (TCP-only ones excepted; empty ones get an empty host)', () => {
    const view = proxylessOf({ egressFilter: { type: 'ALLOW_ALL' } }, []);
    expect(view.listeners.map(l => l.name)).toEqual(['empty', 'greeter', 'web']);
    const empty = ((hcmOf(named(view.listeners, 'empty')).route_config as ProtoJson).virtual_hosts as ProtoJson[])[0];
    expect(empty).toEqual({ name: 'empty', domains: ['empty'], routes: [] });
  });

  test('routes matching query parameters are left out (gRPC paths have no query)', () => {
    const spec = meshDoc({
      nodes: { client: { backends: [{ virtualService: { virtualServiceName: 's' } }] }, t: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] } },
      services: { s: { provider: { virtualRouter: { virtualRouterName: 'r' } } } },
      routers: { r: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] } },
      routes: {
        'r/q': { httpRoute: { match: { prefix: '/', queryParameters: [{ name: 'a' }] }, action: { weightedTargets: [{ virtualNode: 't', weight: 1 }] } } },
        'r/p': { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 't', weight: 1 }] } } },
      },
    });
    const config = translateNode({ spec, nodeId: 'mesh/m/virtualNode/client' });
    const routes = ((hcmOf(config.proxyless.listeners[0]).route_config as ProtoJson).virtual_hosts as ProtoJson[])[0].routes as ProtoJson[];
    expect(routes.map(r => r.name)).toEqual(['p']);
    expect(config.envoy.routes.length).toBeGreaterThan(0);
  });

  test('a gateway node gets listeners for the services its routes target', () => {
    const spec = meshDoc({
      nodes: { v1: grpcNode('v1') },
      services: { s: { provider: { virtualNode: { virtualNodeName: 'v1' } } } },
      gateways: { gw: { listeners: [{ portMapping: { port: 9090, protocol: 'grpc' } }] } },
      gatewayRoutes: { 'gw/r': { grpcRoute: { match: {}, action: { target: { virtualService: { virtualServiceName: 's' } } } } } },
    });
    expect(translateNode({ spec, nodeId: 'mesh/m/virtualGateway/gw' }).proxyless.listeners.map(l => l.name)).toEqual(['s']);
  });
});
