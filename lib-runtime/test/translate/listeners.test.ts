import { chainFilter, meshDoc, named, vhostRoutes } from './spec-builder';
import { Listener, VirtualNodeSpec } from '../../../src/spec/appmesh-types';
import { translateNode } from '../../src/translate';
import { ProtoJson } from '../../src/translate/types';

const http8080: Listener = { portMapping: { port: 8080, protocol: 'http' } };

function envoyOf(node: VirtualNodeSpec, meshSpec = {}, others: Record<string, VirtualNodeSpec> = {}, services = {}) {
  const spec = meshDoc({ mesh: meshSpec, nodes: { n: node, ...others }, services });
  return translateNode({ spec, nodeId: 'mesh/m/virtualNode/n' }).envoy;
}

describe('inbound side', () => {
  test('lds_ingress_0.0.0.0_15000 on 0.0.0.0:15000, original_dst, one chain per listener port', () => {
    const envoy = envoyOf({ listeners: [http8080, { portMapping: { port: 5432, protocol: 'tcp' } }] });
    const listener = named(envoy.listeners, 'lds_ingress_0.0.0.0_15000');
    expect(listener.address).toEqual({ socket_address: { address: '0.0.0.0', port_value: 15000 } });
    expect(listener.traffic_direction).toBe('INBOUND');
    expect((listener.listener_filters as ProtoJson[]).map(f => f.name)).toEqual(['envoy.filters.listener.original_dst']);
    expect((listener.filter_chains as ProtoJson[]).map(c => c.filter_chain_match)).toEqual([
      { destination_port: { value: 5432 } },
      { destination_port: { value: 8080 } },
    ]);
  });

  test('HCM: stat ingress, RDS rds_ingress_<proto>_<port> over ADS, router, tracing, websocket', () => {
    const hcm = chainFilter(envoyOf({ listeners: [http8080] }), 'lds_ingress_0.0.0.0_15000', 'ingress_http_8080');
    expect(hcm.stat_prefix).toBe('ingress');
    expect(hcm.rds).toEqual({ config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: 'rds_ingress_http_8080' });
    expect((hcm.http_filters as ProtoJson[]).map(f => f.name)).toEqual(['envoy.filters.http.router']);
    expect(hcm.tracing).toEqual({});
    expect(hcm.upgrade_configs).toEqual([{ upgrade_type: 'websocket' }]);
  });

  test('stat prefix ingress.<protocol>.<port> once a node has several listeners', () => {
    const envoy = envoyOf({ listeners: [http8080, { portMapping: { port: 9090, protocol: 'grpc' } }] });
    expect(chainFilter(envoy, 'lds_ingress_0.0.0.0_15000', 'ingress_http_8080').stat_prefix).toBe('ingress.http.8080');
    expect(chainFilter(envoy, 'lds_ingress_0.0.0.0_15000', 'ingress_grpc_9090').stat_prefix).toBe('ingress.grpc.9090');
  });

  test('inbound route: catch-all to the local cluster, listener timeouts with 15 s / 300 s defaults', () => {
    const defaults = vhostRoutes(envoyOf({ listeners: [http8080] }), 'rds_ingress_http_8080', 'ingress_http_8080');
    expect(defaults).toEqual([{ match: { prefix: '/' }, route: { cluster: 'cds_ingress_m_n_http_8080', timeout: { seconds: 15, nanos: 0 }, idle_timeout: { seconds: 300, nanos: 0 } } }]);
    const explicit = vhostRoutes(envoyOf({ listeners: [{ ...http8080, timeout: { http: { perRequest: { unit: 's', value: 60 }, idle: { unit: 'ms', value: 1500 } } } }] }), 'rds_ingress_http_8080', 'ingress_http_8080');
    expect(explicit[0].route).toEqual({ cluster: 'cds_ingress_m_n_http_8080', timeout: { seconds: 60, nanos: 0 }, idle_timeout: { seconds: 1, nanos: 500_000_000 } });
  });

  test('tcp listener: tcp_proxy to the local cluster with the idle timeout (default 300 s)', () => {
    const proxy = chainFilter(envoyOf({ listeners: [{ portMapping: { port: 5432, protocol: 'tcp' } }] }), 'lds_ingress_0.0.0.0_15000', 'ingress_tcp_5432');
    expect(proxy).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
      'stat_prefix': 'ingress',
      'cluster': 'cds_ingress_m_n_tcp_5432',
      'idle_timeout': { seconds: 300, nanos: 0 },
    });
    const custom = chainFilter(envoyOf({ listeners: [{ portMapping: { port: 5432, protocol: 'tcp' }, timeout: { tcp: { idle: { unit: 's', value: 3600 } } } }] }), 'lds_ingress_0.0.0.0_15000', 'ingress_tcp_5432');
    expect(custom.idle_timeout).toEqual({ seconds: 3600, nanos: 0 });
  });

  test('no listeners: no inbound listener, egress only', () => {
    expect(envoyOf({}).listeners.map(l => l.name)).toEqual(['lds_egress_0.0.0.0_15001']);
  });

  test('IP preference: bind :: with IPv4 compat; IPv6 preference → local cluster on ::1', () => {
    const envoy = envoyOf({ listeners: [http8080], serviceDiscovery: { dns: { hostname: 'n', ipPreference: 'IPv6_PREFERRED' } } });
    expect(named(envoy.listeners, 'lds_ingress_0.0.0.0_15000').address).toEqual({ socket_address: { address: '::', port_value: 15000, ipv4_compat: true } });
    expect(named(envoy.listeners, 'lds_egress_0.0.0.0_15001').address).toEqual({ socket_address: { address: '::', port_value: 15001, ipv4_compat: true } });
    expect(JSON.stringify(named(envoy.clusters, 'cds_ingress_m_n_http_8080').load_assignment)).toContain('"address":"::1"');
    const v4 = envoyOf({ listeners: [http8080] }, { serviceDiscovery: { ipPreference: 'IPv4_ONLY' } });
    expect(JSON.stringify(named(v4.clusters, 'cds_ingress_m_n_http_8080').load_assignment)).toContain('"address":"127.0.0.1"');
  });
});

describe('outbound side and the egress filter', () => {
  const backends: VirtualNodeSpec = { backends: [{ virtualService: { virtualServiceName: 'web' } }, { virtualService: { virtualServiceName: 'db' } }] };
  const others: Record<string, VirtualNodeSpec> = {
    w: { listeners: [http8080], serviceDiscovery: { dns: { hostname: 'w' } } },
    d: { listeners: [{ portMapping: { port: 5432, protocol: 'tcp' } }], serviceDiscovery: { dns: { hostname: 'd' } } },
  };
  const services = { web: { provider: { virtualNode: { virtualNodeName: 'w' } } }, db: { provider: { virtualNode: { virtualNodeName: 'd' } } } };

  test('lds_egress_0.0.0.0_15001: HTTP chain per port, TCP chain per port, AWS SNI chain; DROP_ALL has no catch-all', () => {
    const envoy = envoyOf(backends, {}, others, services);
    const listener = named(envoy.listeners, 'lds_egress_0.0.0.0_15001');
    expect(listener.traffic_direction).toBe('OUTBOUND');
    expect((listener.filter_chains as ProtoJson[]).map(c => [c.name, c.filter_chain_match])).toEqual([
      ['egress_http_8080', { destination_port: { value: 8080 } }],
      ['egress_tcp_5432', { destination_port: { value: 5432 } }],
      ['egress_amazonaws', { destination_port: { value: 443 }, server_names: ['*.amazonaws.com'] }],
    ]);
    expect(chainFilter(envoy, 'lds_egress_0.0.0.0_15001', 'egress_tcp_5432').cluster).toBe('cds_egress_m_d_tcp_5432');
    expect(chainFilter(envoy, 'lds_egress_0.0.0.0_15001', 'egress_http_8080').stat_prefix).toBe('egress');
    expect(named(envoy.clusters, 'cds_egress_m_amazonaws')).toMatchObject({ type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED' });
    expect(envoy.clusters.some(c => c.name === 'cds_egress_m_mesh-allow-all')).toBe(false);
  });

  test('ALLOW_ALL adds the 443 and catch-all passthrough chains and cluster', () => {
    const envoy = envoyOf(backends, { egressFilter: { type: 'ALLOW_ALL' } }, others, services);
    const chains = named(envoy.listeners, 'lds_egress_0.0.0.0_15001').filter_chains as ProtoJson[];
    expect(chains.slice(-2).map(c => [c.name, c.filter_chain_match])).toEqual([
      ['egress_allow_all_443', { destination_port: { value: 443 } }],
      ['egress_allow_all', {}],
    ]);
    expect(chainFilter(envoy, 'lds_egress_0.0.0.0_15001', 'egress_allow_all').cluster).toBe('cds_egress_m_mesh-allow-all');
    expect(named(envoy.clusters, 'cds_egress_m_mesh-allow-all')).toMatchObject({ type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED' });
  });

  test('the TLS inspector runs only for port 443', () => {
    const filters = named(envoyOf({}).listeners, 'lds_egress_0.0.0.0_15001').listener_filters as ProtoJson[];
    expect(filters.map(f => f.name)).toEqual(['envoy.filters.listener.original_dst', 'envoy.filters.listener.tls_inspector']);
    expect(filters[1].filter_disabled).toEqual({ not_match: { destination_port_range: { start: 443, end: 444 } } });
  });

  test('the first backend claiming a port decides its protocol; later conflicting ones are dropped', () => {
    const envoy = envoyOf(
      { backends: [{ virtualService: { virtualServiceName: 'a-tcp' } }, { virtualService: { virtualServiceName: 'b-http' } }] },
      {},
      {
        t: { listeners: [{ portMapping: { port: 9000, protocol: 'tcp' } }], serviceDiscovery: { dns: { hostname: 't' } } },
        h: { listeners: [{ portMapping: { port: 9000, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'h' } } },
      },
      { 'a-tcp': { provider: { virtualNode: { virtualNodeName: 't' } } }, 'b-http': { provider: { virtualNode: { virtualNodeName: 'h' } } } },
    );
    const chains = (named(envoy.listeners, 'lds_egress_0.0.0.0_15001').filter_chains as ProtoJson[]).map(c => c.name);
    expect(chains).toEqual(['egress_tcp_9000', 'egress_amazonaws']);
  });
});

describe('access logs', () => {
  const logged = (format?: object) => envoyOf({
    listeners: [http8080],
    logging: { accessLog: { file: { path: '/dev/stdout', ...(format ? { format } : {}) } } },
  });
  const accessLog = (envoy: ReturnType<typeof envoyOf>, listener: string, chain: string) =>
    (chainFilter(envoy, listener, chain).access_log as ProtoJson[])[0];

  test('file logger on every HCM and TCP proxy, default format', () => {
    const envoy = logged();
    for (const [listener, chain] of [['lds_ingress_0.0.0.0_15000', 'ingress_http_8080'], ['lds_egress_0.0.0.0_15001', 'egress_amazonaws']]) {
      expect(accessLog(envoy, listener, chain)).toEqual({
        name: 'envoy.access_loggers.file',
        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog', 'path': '/dev/stdout' },
      });
    }
  });

  test('text format gets a trailing newline', () => {
    const config = accessLog(logged({ text: '%START_TIME% %RESPONSE_CODE%' }), 'lds_ingress_0.0.0.0_15000', 'ingress_http_8080').typed_config as ProtoJson;
    expect(config.log_format).toEqual({ text_format_source: { inline_string: '%START_TIME% %RESPONSE_CODE%\n' } });
  });

  test('json format becomes a Struct of format strings', () => {
    const config = accessLog(logged({ json: [{ key: 'code', value: '%RESPONSE_CODE%' }] }), 'lds_ingress_0.0.0.0_15000', 'ingress_http_8080').typed_config as ProtoJson;
    expect(config.log_format).toEqual({ json_format: { fields: { code: { stringValue: '%RESPONSE_CODE%' } } } });
  });

  test('no logging: no access log', () => {
    expect(chainFilter(envoyOf({ listeners: [http8080] }), 'lds_ingress_0.0.0.0_15000', 'ingress_http_8080').access_log).toBeUndefined();
  });
});
