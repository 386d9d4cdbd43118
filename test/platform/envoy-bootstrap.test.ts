import { Duration } from 'aws-cdk-lib';
import { checkEnvoyJson } from './envoy-json-check';
import { EnvoyBootstrap, SDS_CLUSTER_NAME, XDS_CLUSTER_NAME } from '../../src/platform/envoy-bootstrap';

const BASE = { nodeId: 'mesh/apps/virtualNode/serviceA', controlPlaneHost: 'xds.apps.open-app-mesh.local', controlPlanePort: 18000 };

describe('EnvoyBootstrap', () => {
  test('is a valid envoy.config.bootstrap.v3.Bootstrap in proto3 JSON', () => {
    expect(checkEnvoyJson('envoy.config.bootstrap.v3.Bootstrap', EnvoyBootstrap.render(BASE))).toEqual([]);
    const tuned = EnvoyBootstrap.render({ ...BASE, cluster: 'c', adminPort: 9999, initialFetchTimeout: Duration.millis(1500), connectTimeout: Duration.seconds(3) });
    expect(checkEnvoyJson('envoy.config.bootstrap.v3.Bootstrap', tuned)).toEqual([]);
  });

  test('the checker catches what Envoy would reject', () => {
    const broken = EnvoyBootstrap.render(BASE);
    broken.static_resources.clusters[0].conect_timeout = '1s';
    broken.dynamic_resources.lds_config.initial_fetch_timeout = { seconds: 1 };
    broken.static_resources.clusters[0].type = 'DNS';
    const problems = checkEnvoyJson('envoy.config.bootstrap.v3.Bootstrap', broken);
    expect(problems).toHaveLength(3);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringContaining('dynamic_resources.lds_config.initial_fetch_timeout: a Duration must be a string'),
      expect.stringContaining('clusters[0].type: "DNS" is not a value of DiscoveryType'),
      expect.stringContaining('clusters[0].conect_timeout: no such field'),
    ]));
  });

  test('node identity, admin and one ADS stream (SotW v3) with LDS and CDS through it', () => {
    const b = EnvoyBootstrap.render(BASE);
    expect(b.node).toEqual({ id: BASE.nodeId, cluster: BASE.nodeId });
    expect(b.admin.address.socket_address).toEqual({ address: '0.0.0.0', port_value: 9901 });
    expect(b.dynamic_resources.ads_config).toEqual({
      api_type: 'GRPC',
      transport_api_version: 'V3',
      grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER_NAME } }],
    });
    for (const source of [b.dynamic_resources.lds_config, b.dynamic_resources.cds_config]) {
      expect(source).toEqual({ ads: {}, resource_api_version: 'V3', initial_fetch_timeout: '0s' });
    }
  });

  test('the control plane is a STRICT_DNS HTTP/2 cluster with keepalives', () => {
    const [cluster] = EnvoyBootstrap.render({ ...BASE, connectTimeout: Duration.millis(250) }).static_resources.clusters;
    expect(cluster.type).toBe('STRICT_DNS');
    expect(cluster.connect_timeout).toBe('0.25s');
    expect(cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address)
      .toEqual({ address: BASE.controlPlaneHost, port_value: 18000 });
    const http = cluster.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
    expect(http.explicit_http_config.http2_protocol_options.connection_keepalive).toEqual({ interval: '10s', timeout: '20s' });
  });

  test('through a local agent: xDS on its proxy socket, SDS on its socket (the cluster name SDS configs use), admin on loopback', () => {
    const b = EnvoyBootstrap.render({ ...BASE, adminAddress: '127.0.0.1', xdsSocketPath: '/run/a/xds.sock', sdsSocketPath: '/run/a/sds.sock' });
    expect(checkEnvoyJson('envoy.config.bootstrap.v3.Bootstrap', b)).toEqual([]);
    expect(b.admin.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 9901 });
    const [xds, sds] = b.static_resources.clusters;
    expect(b.static_resources.clusters).toHaveLength(2);
    expect(xds).toMatchObject({ name: XDS_CLUSTER_NAME, type: 'STATIC' });
    expect(xds.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address).toEqual({ pipe: { path: '/run/a/xds.sock' } });
    // No TCP keepalive socket options on a Unix socket (Envoy would fail to set them); HTTP/2 pings stay.
    expect(xds.upstream_connection_options).toBeUndefined();
    expect(JSON.stringify(xds)).not.toContain(BASE.controlPlaneHost);
    expect(sds.name).toBe('static_cluster_sds_unix_socket');
    expect(SDS_CLUSTER_NAME).toBe('static_cluster_sds_unix_socket');
    expect(sds).toMatchObject({ type: 'STATIC', connect_timeout: '1s' });
    expect(sds.load_assignment).toEqual({
      cluster_name: SDS_CLUSTER_NAME,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { pipe: { path: '/run/a/sds.sock' } } } }] }],
    });
    expect(sds.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'].explicit_http_config)
      .toEqual({ http2_protocol_options: {} });
  });

  test('the static runtime layer allows RE2 programs up to size 1000, as App Mesh\'s bootstrap did', () => {
    const [staticLayer, adminLayer] = EnvoyBootstrap.render(BASE).layered_runtime.layers;
    expect(staticLayer).toEqual({ name: 'static', static_layer: { 're2.max_program_size.error_level': 1000 } });
    expect(adminLayer).toEqual({ name: 'admin', admin_layer: {} });
  });

  test('depends only on identity and address: the same inputs give the same bytes', () => {
    expect(EnvoyBootstrap.toJson(BASE)).toBe(EnvoyBootstrap.toJson({ ...BASE }));
    expect(EnvoyBootstrap.toJson(BASE)).not.toContain('routes');
    expect(JSON.parse(EnvoyBootstrap.toJson(BASE))).toEqual(EnvoyBootstrap.render(BASE));
  });
});
