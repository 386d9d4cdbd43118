/**
 * Small, valid Envoy v3 resources for the xDS tests, in the proto-loader object form the
 * translator produces. Not a test file itself.
 */
export const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

/** A gRPC-style API listener whose HTTP connection manager takes its routes from RDS over ADS. */
export function apiListener(name: string, routeConfigName: string): object {
  return {
    name,
    api_listener: {
      api_listener: {
        '@type': HCM_TYPE,
        'stat_prefix': name,
        'rds': { route_config_name: routeConfigName, config_source: { ads: {}, resource_api_version: 'V3' } },
        'http_filters': [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } }],
      },
    },
  };
}

/** A gRPC-style API listener with the routes inline, sending everything to weighted clusters. */
export function inlineRouteListener(name: string, clusters: Array<{ name: string; weight: number }>, extra: object = {}): object {
  return {
    name,
    api_listener: {
      api_listener: {
        '@type': HCM_TYPE,
        'stat_prefix': name,
        'route_config': routeConfig(`${name}-route`, name, clusters),
        'http_filters': [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } }],
        ...extra,
      },
    },
  };
}

/** A route configuration with one virtual host for `domain`, splitting every request over clusters. */
export function routeConfig(name: string, domain: string, clusters: Array<{ name: string; weight: number }>): object {
  const action = clusters.length === 1
    ? { cluster: clusters[0].name }
    : { weighted_clusters: { clusters: clusters.map((c) => ({ name: c.name, weight: { value: c.weight } })) } };
  return {
    name,
    virtual_hosts: [{ name: `${name}-vh`, domains: [domain], routes: [{ match: { prefix: '' }, route: action }] }],
  };
}

/** An EDS cluster fed over ADS. */
export function edsCluster(name: string, extra: object = {}): object {
  return {
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
    lb_policy: 'ROUND_ROBIN',
    connect_timeout: { seconds: '1', nanos: 0 },
    ...extra,
  };
}

/** Endpoints of a cluster in one locality with weight 1 (gRPC drops weight-0 localities). */
export function assignment(clusterName: string, ports: number[], host = '127.0.0.1'): object {
  return {
    cluster_name: clusterName,
    endpoints: [{
      locality: { region: 'local' },
      load_balancing_weight: { value: 1 },
      lb_endpoints: ports.map((port) => ({
        endpoint: { address: { socket_address: { address: host, port_value: port } } },
        health_status: 'HEALTHY',
      })),
    }],
  };
}

/** A TLS secret holding an inline certificate chain (contents are irrelevant to the protocol). */
export function secret(name: string, pem = 'not-a-real-certificate'): object {
  return { name, tls_certificate: { certificate_chain: { inline_string: pem }, private_key: { inline_string: 'not-a-real-key' } } };
}
