/**
 * The validation-rule checker on real Envoy messages: for each rule kind that occurs in the
 * messages the control plane emits, a resource that breaks it is caught with the path of the
 * field, and the same resource mended passes. Resources are written in the project's proto JSON
 * (snake_case, Any as {'@type': …}), and each one also encodes, so a passing case is a real
 * resource rather than a shape the checker happens to ignore.
 */
import { checkResourceObject, messageTypeOfUrl } from '../../src/xds/protos';
import { CLUSTER_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL } from '../../src/xds/type-urls';
import { formatViolation, validationRuleViolations } from '../../src/xds/validation-rules';

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
const UPSTREAM_TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
const ROUND_ROBIN = 'type.googleapis.com/envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin';
const ORIGINAL_DST = 'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst';

type Json = Record<string, unknown>;

/** The violations of a resource, one line each; the resource must fit its message. */
function violations(typeUrl: string, resource: Json): string[] {
  expect(checkResourceObject(typeUrl, resource)).toEqual([]);
  return validationRuleViolations(typeUrl, resource).map(formatViolation);
}

const ads = { ads: {}, resource_api_version: 'V3' };

function cluster(fields: Json = {}): Json {
  return { name: 'orders', type: 'EDS', eds_cluster_config: { eds_config: ads }, connect_timeout: { seconds: 1 }, ...fields };
}

function route(fields: Json = {}): Json {
  return { match: { prefix: '/' }, route: { cluster: 'orders' }, ...fields };
}

function routeConfig(virtualHost: Json = {}, routeFields: Json = {}): Json {
  return { name: 'rds', virtual_hosts: [{ name: 'orders', domains: ['*'], routes: [route(routeFields)], ...virtualHost }] };
}

function hcm(fields: Json = {}): Json {
  return {
    name: 'ingress',
    address: { socket_address: { address: '0.0.0.0', port_value: 15000 } },
    filter_chains: [{
      filters: [{
        name: 'envoy.filters.network.http_connection_manager',
        typed_config: {
          '@type': HCM,
          'stat_prefix': 'ingress',
          'rds': { config_source: ads, route_config_name: 'rds' },
          'http_filters': [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER } }],
          ...fields,
        },
      }],
    }],
  };
}

function upstreamTls(fields: Json): Json {
  return cluster({ transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: { '@type': UPSTREAM_TLS, ...fields } } });
}

const HCM_PATH = 'Listener "ingress".filter_chains[0].filters[0].typed_config(HttpConnectionManager)';
const TLS_PATH = 'Cluster "orders".transport_socket.typed_config(UpstreamTlsContext)';

test('the resources the cases start from pass', () => {
  expect(violations(CLUSTER_TYPE_URL, cluster())).toEqual([]);
  expect(violations(ROUTE_TYPE_URL, routeConfig())).toEqual([]);
  expect(violations(LISTENER_TYPE_URL, hcm())).toEqual([]);
  expect(violations(CLUSTER_TYPE_URL, upstreamTls({ sni: 'orders.local' }))).toEqual([]);
});

describe('message rules', () => {
  test('message.required: a route without a match', () => {
    expect(violations(ROUTE_TYPE_URL, routeConfig({}, { match: undefined })))
      .toEqual(['RouteConfiguration "rds".virtual_hosts[0].routes[0].match: message.required']);
  });

  test('oneof required: a route without an action, a match without a path specifier', () => {
    expect(violations(ROUTE_TYPE_URL, routeConfig({}, { route: undefined })))
      .toEqual([expect.stringMatching(/^RouteConfiguration "rds"\.virtual_hosts\[0\]\.routes\[0\]\.action: oneof required: one of route, redirect, direct_response/)]);
    expect(violations(ROUTE_TYPE_URL, routeConfig({}, { match: {} })))
      .toEqual([expect.stringMatching(/routes\[0\]\.match\.path_specifier: oneof required: one of prefix, path, safe_regex/)]);
  });

  test('a oneof member that is not set is not checked; one that is set is', () => {
    // RouteAction.cluster has min_len 1 but sits in a oneof: absent, its rule does not apply.
    expect(violations(ROUTE_TYPE_URL, routeConfig({}, { route: { weighted_clusters: { clusters: [{ name: 'orders', weight: { value: 1 } }] } } }))).toEqual([]);
    expect(violations(ROUTE_TYPE_URL, routeConfig({}, { route: { cluster: '' } })))
      .toEqual(['RouteConfiguration "rds".virtual_hosts[0].routes[0].route.cluster: string.min_len 1 (has 0)']);
  });
});

describe('string rules', () => {
  test('min_len: an absent scalar outside a oneof is its default, the empty string', () => {
    expect(violations(CLUSTER_TYPE_URL, cluster({ name: undefined }))).toEqual(['Cluster.name: string.min_len 1 (has 0)']);
  });

  test('max_bytes, inside a typed config', () => {
    expect(violations(CLUSTER_TYPE_URL, upstreamTls({ sni: `${'a'.repeat(251)}.éé` })))
      .toEqual([`${TLS_PATH}.sni: string.max_bytes 255 (has 256)`]);
    // 254 characters, 255 bytes: the rule counts bytes.
    expect(violations(CLUSTER_TYPE_URL, upstreamTls({ sni: `${'a'.repeat(251)}.éa` }))).toEqual([]);
  });

  test('pattern (RE2, unanchored unless the pattern anchors it)', () => {
    expect(violations(ROUTE_TYPE_URL, routeConfig({}, { match: { path_separated_prefix: '/api/' } })))
      .toEqual([expect.stringMatching(/routes\[0\]\.match\.path_separated_prefix: string\.pattern "\^\[\^\?#\]\+\[\^\?#\/\]\$" \(got "\/api\/"\)$/)]);
    expect(violations(ROUTE_TYPE_URL, routeConfig({}, { match: { path_separated_prefix: '/api' } }))).toEqual([]);
  });

  test('well_known_regex HTTP_HEADER_NAME and HTTP_HEADER_VALUE with strict: false refuse NUL, CR, LF', () => {
    const header = (key: string, value: string): Json => ({ request_headers_to_add: [{ header: { key, value } }] });
    expect(violations(ROUTE_TYPE_URL, routeConfig({}, header('x-team', 'a b\tc')))).toEqual([]);
    expect(violations(ROUTE_TYPE_URL, routeConfig({}, header('x-team\n', 'ok')))).toEqual([
      'RouteConfiguration "rds".virtual_hosts[0].routes[0].request_headers_to_add[0].header.key: string.well_known_regex HTTP_HEADER_NAME (strict: false) (got "x-team\\n")',
    ]);
    expect(violations(ROUTE_TYPE_URL, routeConfig({}, header('x-team', 'a\r\nb')))).toEqual([
      'RouteConfiguration "rds".virtual_hosts[0].routes[0].request_headers_to_add[0].header.value: string.well_known_regex HTTP_HEADER_VALUE (strict: false) (got "a\\r\\nb")',
    ]);
  });

  test('in', () => {
    expect(violations(LISTENER_TYPE_URL, hcm({ scheme_header_transformation: { scheme_to_overwrite: 'ftp' } })))
      .toEqual([`${HCM_PATH}.scheme_header_transformation.scheme_to_overwrite: string.in ["http","https"] (got "ftp")`]);
    expect(violations(LISTENER_TYPE_URL, hcm({ scheme_header_transformation: { scheme_to_overwrite: 'https' } }))).toEqual([]);
  });
});

describe('numbers, enums, bools and wrappers', () => {
  test('a UInt32Value carries the uint32 rule of its field (gt 0, lte 8192)', () => {
    expect(violations(LISTENER_TYPE_URL, hcm({ max_request_headers_kb: { value: 0 } })))
      .toEqual([`${HCM_PATH}.max_request_headers_kb: uint32.gt 0, lte 8192 (got 0)`]);
    expect(violations(LISTENER_TYPE_URL, hcm({ max_request_headers_kb: { value: 8193 } })))
      .toEqual([`${HCM_PATH}.max_request_headers_kb: uint32.gt 0, lte 8192 (got 8193)`]);
    expect(violations(LISTENER_TYPE_URL, hcm({ max_request_headers_kb: { value: 8192 } }))).toEqual([]);
  });

  test('a DoubleValue carries the double rule of its field (gte 1, lte 3)', () => {
    expect(violations(CLUSTER_TYPE_URL, cluster({ preconnect_policy: { predictive_preconnect_ratio: { value: 0.5 } } })))
      .toEqual(['Cluster "orders".preconnect_policy.predictive_preconnect_ratio: double.gte 1, lte 3 (got 0.5)']);
    expect(violations(CLUSTER_TYPE_URL, cluster({ preconnect_policy: { predictive_preconnect_ratio: { value: 1.5 } } }))).toEqual([]);
  });

  test('repeated items with a uint32 range (source ports 1 to 65535)', () => {
    const chain = (hcm().filter_chains as Json[])[0];
    const listener = (ports: number[]): Json => ({ ...hcm(), filter_chains: [{ ...chain, filter_chain_match: { source_ports: ports } }] });
    expect(violations(LISTENER_TYPE_URL, listener([80, 0])))
      .toEqual(['Listener "ingress".filter_chains[0].filter_chain_match.source_ports[1]: uint32.gte 1, lte 65535 (got 0)']);
    expect(violations(LISTENER_TYPE_URL, listener([80, 65535]))).toEqual([]);
  });

  test('enum defined_only refuses a number the enum does not name', () => {
    expect(violations(CLUSTER_TYPE_URL, cluster({ type: 9 }))).toEqual(['Cluster "orders".type: enum.defined_only (got 9)']);
    expect(violations(CLUSTER_TYPE_URL, cluster({ type: 3 }))).toEqual([]);
  });

  test('enum not_in 0: an absent enum is its zero value', () => {
    const san = (matcher: Json): Json => upstreamTls({ common_tls_context: { validation_context: { match_typed_subject_alt_names: [matcher] } } });
    expect(violations(CLUSTER_TYPE_URL, san({ matcher: { exact: 'spiffe://orders' } })))
      .toEqual([`${TLS_PATH}.common_tls_context.validation_context.match_typed_subject_alt_names[0].san_type: enum.not_in [SAN_TYPE_UNSPECIFIED] (got SAN_TYPE_UNSPECIFIED)`]);
    expect(violations(CLUSTER_TYPE_URL, san({ san_type: 'URI', matcher: { exact: 'spiffe://orders' } }))).toEqual([]);
  });

  test('bool const', () => {
    const withPredicate = (predicate: Json): Json => ({
      ...hcm(),
      listener_filters: [{ name: 'envoy.filters.listener.original_dst', typed_config: { '@type': ORIGINAL_DST }, filter_disabled: predicate }],
    });
    expect(violations(LISTENER_TYPE_URL, withPredicate({ any_match: false })))
      .toEqual(['Listener "ingress".listener_filters[0].filter_disabled.any_match: bool.const true (got false)']);
    expect(violations(LISTENER_TYPE_URL, withPredicate({ any_match: true }))).toEqual([]);
  });
});

describe('lists and maps', () => {
  test('repeated min_items: a virtual host without domains', () => {
    expect(violations(ROUTE_TYPE_URL, routeConfig({ domains: [] })))
      .toEqual(['RouteConfiguration "rds".virtual_hosts[0].domains: repeated.min_items 1 (has 0)']);
  });

  test('repeated items: each domain is a header value', () => {
    expect(violations(ROUTE_TYPE_URL, routeConfig({ domains: ['orders', 'orders\r'] })))
      .toEqual(['RouteConfiguration "rds".virtual_hosts[0].domains[1]: string.well_known_regex HTTP_HEADER_VALUE (strict: false) (got "orders\\r")']);
  });

  test('repeated unique', () => {
    const redirect = (headers: string[]): Json => ({ route: { cluster: 'orders', internal_redirect_policy: { response_headers_to_copy: headers } } });
    expect(violations(ROUTE_TYPE_URL, routeConfig({}, redirect(['x-a', 'x-b', 'x-a']))))
      .toEqual(['RouteConfiguration "rds".virtual_hosts[0].routes[0].route.internal_redirect_policy.response_headers_to_copy: repeated.unique ("x-a" repeats)']);
    expect(violations(ROUTE_TYPE_URL, routeConfig({}, redirect(['x-a', 'x-b'])))).toEqual([]);
  });

  test('repeated items string in', () => {
    const router = (headers: string[]): Json => ({ http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER, 'strict_check_headers': headers } }] });
    expect(violations(LISTENER_TYPE_URL, hcm(router(['x-envoy-max-retries', 'x-team']))))
      .toEqual([expect.stringMatching(/^Listener "ingress"\.filter_chains\[0\]\.filters\[0\]\.typed_config\(HttpConnectionManager\)\.http_filters\[0\]\.typed_config\(Router\)\.strict_check_headers\[1\]: string\.in \[.*\] \(got "x-team"\)$/)]);
    expect(violations(LISTENER_TYPE_URL, hcm(router(['x-envoy-max-retries'])))).toEqual([]);
  });

  test('map keys: metadata namespaces are not empty', () => {
    expect(violations(CLUSTER_TYPE_URL, cluster({ metadata: { filter_metadata: { '': { fields: {} } } } })))
      .toEqual(['Cluster "orders".metadata.filter_metadata[""](key): string.min_len 1 (has 0)']);
    expect(violations(CLUSTER_TYPE_URL, cluster({ metadata: { filter_metadata: { 'envoy.lb': { fields: {} } } } }))).toEqual([]);
  });
});

describe('durations and Any', () => {
  test('duration gt {} (connect_timeout must be positive)', () => {
    expect(violations(CLUSTER_TYPE_URL, cluster({ connect_timeout: { seconds: 0 } })))
      .toEqual(['Cluster "orders".connect_timeout: duration.gt 0s (got 0s)']);
    expect(violations(CLUSTER_TYPE_URL, cluster({ connect_timeout: { seconds: '-1', nanos: 500000000 } })))
      .toEqual(['Cluster "orders".connect_timeout: duration.gt 0s (got -0.5s)']);
    expect(violations(CLUSTER_TYPE_URL, cluster({ connect_timeout: { nanos: 1 } }))).toEqual([]);
  });

  test('duration required and gt 1ms', () => {
    const dnsCluster = (refresh: Json): Json => cluster({ type: 'STRICT_DNS', eds_cluster_config: undefined, dns_failure_refresh_rate: refresh });
    expect(violations(CLUSTER_TYPE_URL, dnsCluster({ max_interval: { seconds: 5 } })))
      .toEqual(['Cluster "orders".dns_failure_refresh_rate.base_interval: duration.required']);
    expect(violations(CLUSTER_TYPE_URL, dnsCluster({ base_interval: { nanos: 1000000 } })))
      .toEqual(['Cluster "orders".dns_failure_refresh_rate.base_interval: duration.gt 0.001s (got 0.001s)']);
    expect(violations(CLUSTER_TYPE_URL, dnsCluster({ base_interval: { nanos: 1000001 } }))).toEqual([]);
  });

  test('any required: an extension config without its typed config', () => {
    const policy = (extension: Json): Json => cluster({ load_balancing_policy: { policies: [{ typed_extension_config: extension }] } });
    expect(violations(CLUSTER_TYPE_URL, policy({ name: 'envoy.load_balancing_policies.round_robin' })))
      .toEqual(['Cluster "orders".load_balancing_policy.policies[0].typed_extension_config.typed_config: any.required']);
    expect(violations(CLUSTER_TYPE_URL, policy({ name: 'envoy.load_balancing_policies.round_robin', typed_config: { '@type': ROUND_ROBIN } }))).toEqual([]);
  });

  test('an Any given as packed bytes is decoded by its type URL and checked', () => {
    const tls = messageTypeOfUrl(UPSTREAM_TLS);
    const bytes = Buffer.from(tls.encode(tls.fromObject({ sni: 'a'.repeat(256) })).finish());
    const packed = cluster({ transport_socket: { name: 'tls', typed_config: { type_url: UPSTREAM_TLS, value: bytes.toString('base64') } } });
    expect(validationRuleViolations(CLUSTER_TYPE_URL, packed).map(formatViolation))
      .toEqual(['Cluster "orders".transport_socket.typed_config(UpstreamTlsContext).sni: string.max_bytes 255 (has 256)']);
  });

  test('an Any whose type is not loaded is reported, not passed', () => {
    const unknown = cluster({ transport_socket: { name: 'x', typed_config: { '@type': 'type.googleapis.com/example.Unknown' } } });
    expect(validationRuleViolations(CLUSTER_TYPE_URL, unknown).map(formatViolation))
      .toEqual(['Cluster "orders".transport_socket.typed_config(Unknown): any: type.googleapis.com/example.Unknown is not a loaded message, its rules cannot be checked']);
  });
});
