import { Duration } from 'aws-cdk-lib';
import { checkEnvoyJson } from './envoy-json-check';
import { EnvoyBootstrap, XDS_CLUSTER_NAME } from '../../src/platform/envoy-bootstrap';

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

  test('depends only on identity and address: the same inputs give the same bytes', () => {
    expect(EnvoyBootstrap.toJson(BASE)).toBe(EnvoyBootstrap.toJson({ ...BASE }));
    expect(EnvoyBootstrap.toJson(BASE)).not.toContain('routes');
    expect(JSON.parse(EnvoyBootstrap.toJson(BASE))).toEqual(EnvoyBootstrap.render(BASE));
  });
});
