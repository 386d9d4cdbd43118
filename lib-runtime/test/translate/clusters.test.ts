import { meshDoc, named } from './spec-builder';
import { Listener, VirtualNodeSpec } from '../../../src/spec/appmesh-types';
import { DiscoveredEndpoints, translateNode } from '../../src/translate';
import { ProtoJson } from '../../src/translate/types';

/** `client` calls service `svc` provided directly by node `t` with the given spec. */
function callerView(target: VirtualNodeSpec, endpoints: DiscoveredEndpoints = {}, meshSpec = {}) {
  const spec = meshDoc({
    mesh: meshSpec,
    nodes: { client: { backends: [{ virtualService: { virtualServiceName: 'svc' } }] }, t: target },
    services: { svc: { provider: { virtualNode: { virtualNodeName: 't' } } } },
  });
  return translateNode({ spec, endpoints, nodeId: 'mesh/m/virtualNode/client' });
}

const http8080: Listener = { portMapping: { port: 8080, protocol: 'http' } };
const dnsTarget = (extra: Partial<Listener> = {}, dns: Record<string, unknown> = {}): VirtualNodeSpec => ({
  listeners: [{ ...http8080, ...extra }],
  serviceDiscovery: { dns: { hostname: 't.local', ...dns } },
});

describe('DNS discovery', () => {
  test('LOGICAL_DNS by default (responseType LOADBALANCER), hostname:port, connect 1 s', () => {
    const cluster = named(callerView(dnsTarget()).envoy.clusters, 'cds_egress_m_t_http_8080');
    expect(cluster.type).toBe('LOGICAL_DNS');
    expect(cluster.connect_timeout).toEqual({ seconds: 1, nanos: 0 });
    expect(cluster.dns_lookup_family).toBe('AUTO');
    expect(cluster.load_assignment).toEqual({
      cluster_name: 'cds_egress_m_t_http_8080',
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 't.local', port_value: 8080 } } } }] }],
    });
  });

  test('STRICT_DNS for responseType ENDPOINTS', () => {
    expect(named(callerView(dnsTarget({}, { responseType: 'ENDPOINTS' })).envoy.clusters, 'cds_egress_m_t_http_8080').type).toBe('STRICT_DNS');
  });

  test.each([
    ['IPv4_PREFERRED', 'V4_PREFERRED'],
    ['IPv6_PREFERRED', 'AUTO'],
    ['IPv4_ONLY', 'V4_ONLY'],
    ['IPv6_ONLY', 'V6_ONLY'],
  ])('ipPreference %s → dns_lookup_family %s (node level and mesh level)', (preference, family) => {
    expect(named(callerView(dnsTarget({}, { ipPreference: preference })).envoy.clusters, 'cds_egress_m_t_http_8080').dns_lookup_family).toBe(family);
    const meshLevel = callerView(dnsTarget(), {}, { serviceDiscovery: { ipPreference: preference } });
    expect(named(meshLevel.envoy.clusters, 'cds_egress_m_t_http_8080').dns_lookup_family).toBe(family);
  });

  test('EDS when the control plane supplied endpoints for a DNS node', () => {
    const view = callerView(dnsTarget(), { t: [{ address: '10.0.0.1', port: 8080 }] });
    const cluster = named(view.envoy.clusters, 'cds_egress_m_t_http_8080');
    expect(cluster.type).toBe('EDS');
    expect(cluster.eds_cluster_config).toEqual({ eds_config: { ads: {}, resource_api_version: 'V3' } });
    expect(named(view.envoy.endpoints, 'cds_egress_m_t_http_8080').endpoints).toHaveLength(1);
  });

  test('proxyless clients get LOGICAL_DNS even for ENDPOINTS, and EDS once endpoints are supplied', () => {
    expect(named(callerView(dnsTarget({}, { responseType: 'ENDPOINTS' })).proxyless.clusters, 'cds_egress_m_t_http_8080').type).toBe('LOGICAL_DNS');
    expect(named(callerView(dnsTarget(), { t: [] }).proxyless.clusters, 'cds_egress_m_t_http_8080').type).toBe('EDS');
  });
});

describe('Cloud Map and static discovery → EDS over ADS', () => {
  const cloudMap: VirtualNodeSpec = { listeners: [http8080], serviceDiscovery: { awsCloudMap: { namespaceName: 'ns', serviceName: 's' } } };

  test('Cloud Map: EDS cluster, hosts drained on removal, empty assignment without endpoints', () => {
    const view = callerView(cloudMap);
    const cluster = named(view.envoy.clusters, 'cds_egress_m_t_http_8080');
    expect(cluster.type).toBe('EDS');
    expect(cluster.ignore_health_on_host_removal).toBe(true);
    expect(named(view.envoy.endpoints, 'cds_egress_m_t_http_8080')).toEqual({ cluster_name: 'cds_egress_m_t_http_8080', endpoints: [] });
  });

  test('no service discovery (static endpoints): EDS', () => {
    expect(named(callerView({ listeners: [http8080] }).envoy.clusters, 'cds_egress_m_t_http_8080').type).toBe('EDS');
  });

  test('endpoints grouped by zone, locality weight = endpoint count, health status, sorted', () => {
    const view = callerView(cloudMap, {
      t: [
        { address: '10.0.1.2', port: 8080, zone: 'b', healthy: false },
        { address: '10.0.0.9', port: 9000, zone: 'a', healthy: true },
        { address: '10.0.0.1', port: 8080, zone: 'a' },
      ],
    });
    expect(named(view.envoy.endpoints, 'cds_egress_m_t_http_8080').endpoints).toEqual([
      {
        locality: { zone: 'a' },
        lb_endpoints: [
          { endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 8080 } } } },
          { endpoint: { address: { socket_address: { address: '10.0.0.9', port_value: 9000 } } }, health_status: 'HEALTHY' },
        ],
        load_balancing_weight: { value: 2 },
      },
      {
        locality: { zone: 'b' },
        lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.1.2', port_value: 8080 } } }, health_status: 'UNHEALTHY' }],
        load_balancing_weight: { value: 1 },
      },
    ]);
  });

  test('multi-listener node: endpoints without listenerPort serve each listener on its own port', () => {
    const spec = meshDoc({
      nodes: {
        client: { backends: [{ virtualService: { virtualServiceName: 'svc' } }] },
        t: { listeners: [http8080, { portMapping: { port: 9090, protocol: 'http' } }] },
      },
      services: { svc: { provider: { virtualNode: { virtualNodeName: 't' } } } },
    });
    const view = translateNode({ spec, nodeId: 'mesh/m/virtualNode/client', endpoints: { t: [{ address: '10.0.0.1', port: 1234 }, { address: '10.0.0.2', port: 7777, listenerPort: 9090 }] } }).envoy;
    const ports = (name: string) => ((named(view.endpoints, name).endpoints as ProtoJson[])[0].lb_endpoints as ProtoJson[])
      .map(e => ((e.endpoint as ProtoJson).address as { socket_address: { address: string; port_value: number } }).socket_address);
    expect(ports('cds_egress_m_t_http_8080')).toEqual([{ address: '10.0.0.1', port_value: 8080 }]);
    expect(ports('cds_egress_m_t_http_9090')).toEqual([{ address: '10.0.0.1', port_value: 9090 }, { address: '10.0.0.2', port_value: 7777 }]);
  });
});

describe('health checks, outlier detection, pools', () => {
  const hc = { healthyThreshold: 2, intervalMillis: 5000, timeoutMillis: 2000, unhealthyThreshold: 3 };

  test('http health check: host <discovery name>:<port>, path', () => {
    const cluster = named(callerView(dnsTarget({ healthCheck: { ...hc, protocol: 'http', path: '/ping' } })).envoy.clusters, 'cds_egress_m_t_http_8080');
    expect(cluster.health_checks).toEqual([{
      timeout: { seconds: 2, nanos: 0 },
      interval: { seconds: 5, nanos: 0 },
      unhealthy_threshold: { value: 3 },
      healthy_threshold: { value: 2 },
      http_health_check: { host: 't.local:8080', path: '/ping' },
    }]);
  });

  test('http2 check uses the HTTP/2 codec; path defaults to /; Cloud Map discovery name', () => {
    const spec: VirtualNodeSpec = { listeners: [{ ...http8080, healthCheck: { ...hc, protocol: 'http2' } }], serviceDiscovery: { awsCloudMap: { namespaceName: 'ns', serviceName: 's' } } };
    const check = (named(callerView(spec).envoy.clusters, 'cds_egress_m_t_http_8080').health_checks as ProtoJson[])[0];
    expect(check.http_health_check).toEqual({ host: 's.ns:8080', path: '/', codec_client_type: 'HTTP2' });
  });

  test('grpc and tcp checks', () => {
    const grpc = (named(callerView(dnsTarget({ healthCheck: { ...hc, protocol: 'grpc' } })).envoy.clusters, 'cds_egress_m_t_http_8080').health_checks as ProtoJson[])[0];
    expect(grpc.grpc_health_check).toEqual({});
    const tcp = (named(callerView(dnsTarget({ healthCheck: { ...hc, protocol: 'tcp' } })).envoy.clusters, 'cds_egress_m_t_http_8080').health_checks as ProtoJson[])[0];
    expect(tcp.tcp_health_check).toEqual({});
  });

  test('health check port → per-endpoint health check port', () => {
    const view = callerView(dnsTarget({ healthCheck: { ...hc, protocol: 'http', port: 8081 } }));
    const assignment = named(view.envoy.clusters, 'cds_egress_m_t_http_8080').load_assignment as ProtoJson;
    const endpoint = (((assignment.endpoints as ProtoJson[])[0].lb_endpoints as ProtoJson[])[0].endpoint as ProtoJson);
    expect(endpoint.health_check_config).toEqual({ port_value: 8081 });
  });

  test('outlier detection from the target listener', () => {
    const cluster = named(callerView(dnsTarget({
      outlierDetection: { maxServerErrors: 5, interval: { unit: 's', value: 10 }, baseEjectionDuration: { unit: 'ms', value: 30000 }, maxEjectionPercent: 20 },
    })).envoy.clusters, 'cds_egress_m_t_http_8080');
    expect(cluster.outlier_detection).toEqual({
      consecutive_5xx: { value: 5 },
      interval: { seconds: 10, nanos: 0 },
      base_ejection_time: { seconds: 30, nanos: 0 },
      max_ejection_percent: { value: 20 },
    });
  });

  test('every cluster gets INT32_MAX circuit breakers by default', () => {
    for (const cluster of callerView(dnsTarget()).envoy.clusters) {
      expect(cluster.circuit_breakers).toEqual({
        thresholds: [{
          max_connections: { value: 2147483647 },
          max_pending_requests: { value: 2147483647 },
          max_requests: { value: 2147483647 },
          max_retries: { value: 2147483647 },
        }],
      });
    }
  });

  test.each([
    ['http', { http: { maxConnections: 10, maxPendingRequests: 5 } }, { max_connections: 10, max_pending_requests: 5 }],
    ['http', { http: { maxConnections: 10 } }, { max_connections: 10 }],
    ['http2', { http2: { maxRequests: 7 } }, { max_requests: 7 }],
    ['grpc', { grpc: { maxRequests: 8 } }, { max_requests: 8 }],
    ['tcp', { tcp: { maxConnections: 9 } }, { max_connections: 9 }],
  ] as const)('%s connection pool → local cluster breakers', (protocol, pool, expected) => {
    const spec = meshDoc({ nodes: { n: { listeners: [{ portMapping: { port: 80, protocol }, connectionPool: pool }] } } });
    const local = named(translateNode({ spec, nodeId: 'mesh/m/virtualNode/n' }).envoy.clusters, `cds_ingress_m_n_${protocol}_80`);
    const threshold = (local.circuit_breakers as { thresholds: ProtoJson[] }).thresholds[0];
    const unlimited = { value: 2147483647 };
    const want: ProtoJson = { max_connections: unlimited, max_pending_requests: unlimited, max_requests: unlimited, max_retries: unlimited };
    for (const [key, value] of Object.entries(expected)) want[key] = { value };
    expect(threshold).toEqual(want);
  });

  test('local cluster: STATIC 127.0.0.1:<port>, connect 0.25 s; HTTP/2 upstream for grpc', () => {
    const spec = meshDoc({ nodes: { n: { listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }] } } });
    const local = named(translateNode({ spec, nodeId: 'mesh/m/virtualNode/n' }).envoy.clusters, 'cds_ingress_m_n_grpc_50051');
    expect(local.type).toBe('STATIC');
    expect(local.connect_timeout).toEqual({ seconds: 0, nanos: 250_000_000 });
    expect(local.load_assignment).toEqual({ cluster_name: 'cds_ingress_m_n_grpc_50051', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 50051 } } } }] }] });
    expect(local.typed_extension_protocol_options).toEqual({
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        'explicit_http_config': { http2_protocol_options: {} },
      },
    });
  });
});
