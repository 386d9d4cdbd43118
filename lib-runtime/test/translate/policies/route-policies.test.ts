/**
 * Route and gateway route policies of issue 16 on rendered config: fault injection (Envoy's fault
 * filter, and gRFC A33 for proxyless clients), request mirroring and header rules. Every view is
 * encoded through Envoy's protos and checked with Envoy's validation rules.
 */
import { RouteSpec } from '../../../../src/spec/appmesh-types';
import { MeshSpecDocument, SPEC_VERSION_EXTENSIONS } from '../../../../src/spec/document';
import { GatewayRouteExtensions, RouteExtensions } from '../../../../src/spec/extensions';
import { affectedNodes, choicesOfKey, clientProfile, compileMesh, configForClient, nodesUsingEndpoints, ProtoJson } from '../../../src/translate';
import { checkedTranslation, encodingProblems } from '../envoy-checks';
import { meshDoc, named, routedMesh, vhostRoutes } from '../spec-builder';

const HTTP_TO_V1: RouteSpec = { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'v1', weight: 1 }] } } };
const FAULT = 'envoy.filters.http.fault';
const FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';

/** `client` → `svc` → router `r` → route `main` (to v1) carrying `extensions`; node `shadow` (http 9090) to mirror to. */
function policyMesh(extensions: RouteExtensions, route: RouteSpec = HTTP_TO_V1): MeshSpecDocument {
  const doc = routedMesh({ main: route }, {
    nodes: { shadow: { listeners: [{ portMapping: { port: 9090, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'shadow.local' } } } },
  });
  return { ...doc, specVersion: SPEC_VERSION_EXTENSIONS, routes: doc.routes.map(r => ({ ...r, extensions })) };
}

function hcmFilterNames(listener: ProtoJson, chain?: string): string[] {
  const hcm = chain === undefined
    ? (listener.api_listener as ProtoJson).api_listener as ProtoJson
    : (named(listener.filter_chains as ProtoJson[], chain).filters as ProtoJson[])[0].typed_config as ProtoJson;
  return (hcm.http_filters as ProtoJson[]).map(f => String(f.name));
}

describe('fault injection', () => {
  const extensions: RouteExtensions = {
    faultInjection: {
      delay: { fixedDelay: { unit: 'ms', value: 250 }, percentage: 12.5 },
      abort: { grpcStatus: 14, percentage: 0.0001 },
      headerPresent: 'x-chaos',
    },
  };

  test('the route overrides the fault filter; the caller\'s egress HCM has the filter before the router', () => {
    const config = checkedTranslation(policyMesh(extensions), 'mesh/m/virtualNode/client');
    const [route] = vhostRoutes(config.envoy, 'rds_egress_http_8080', 'svc');
    expect(route.typed_per_filter_config).toEqual({
      [FAULT]: {
        '@type': FAULT_TYPE,
        'delay': { fixed_delay: { seconds: 0, nanos: 250_000_000 }, percentage: { numerator: 125_000, denominator: 'MILLION' } },
        'abort': { grpc_status: 14, percentage: { numerator: 1, denominator: 'MILLION' } },
        'headers': [{ name: 'x-chaos', present_match: true }],
      },
    });
    expect(hcmFilterNames(named(config.envoy.listeners, 'lds_egress_0.0.0.0_15001'), 'egress_http_8080'))
      .toEqual([FAULT, 'envoy.filters.http.router']);
  });

  test('a proxyless caller gets the same override and the filter in its listener\'s HCM (gRFC A33)', () => {
    const { headerPresent: _gated, ...everyCall } = extensions.faultInjection!;
    const config = checkedTranslation(policyMesh({ faultInjection: everyCall }), 'mesh/m/virtualNode/client');
    const listener = named(config.proxyless.listeners, 'svc');
    expect(hcmFilterNames(listener)).toEqual([FAULT, 'envoy.filters.http.router']);
    const hcm = (listener.api_listener as ProtoJson).api_listener as ProtoJson;
    const [route] = ((hcm.route_config as ProtoJson).virtual_hosts as ProtoJson[])[0].routes as ProtoJson[];
    expect(Object.keys(route.typed_per_filter_config as ProtoJson)).toEqual([FAULT]);
  });

  test('a header-gated fault is left out of the proxyless view: gRPC clients ignore HTTPFault.headers and would fault every call', () => {
    const config = checkedTranslation(policyMesh(extensions), 'mesh/m/virtualNode/client');
    const listener = named(config.proxyless.listeners, 'svc');
    expect(hcmFilterNames(listener)).toEqual(['envoy.filters.http.router']);
    expect(JSON.stringify(listener)).not.toContain('typed_per_filter_config');
  });

  test('an HTTP abort renders http_status; nodes whose routes have no fault keep the router alone', () => {
    const config = checkedTranslation(policyMesh({ faultInjection: { abort: { httpStatus: 503, percentage: 100 } } }), 'mesh/m/virtualNode/client');
    const [route] = vhostRoutes(config.envoy, 'rds_egress_http_8080', 'svc');
    expect(((route.typed_per_filter_config as ProtoJson)[FAULT] as ProtoJson).abort).toEqual({ http_status: 503, percentage: { numerator: 1_000_000, denominator: 'MILLION' } });
    const plain = checkedTranslation(policyMesh({}), 'mesh/m/virtualNode/client');
    expect(hcmFilterNames(named(plain.envoy.listeners, 'lds_egress_0.0.0.0_15001'), 'egress_http_8080')).toEqual(['envoy.filters.http.router']);
  });
});

describe('request mirroring', () => {
  test('a mirror copies a share to the target node\'s cluster, which the caller gets even though no route targets it', () => {
    const config = checkedTranslation(policyMesh({ requestMirrors: [{ virtualNode: 'shadow', percentage: 10 }] }), 'mesh/m/virtualNode/client');
    const [route] = vhostRoutes(config.envoy, 'rds_egress_http_8080', 'svc');
    expect((route.route as ProtoJson).request_mirror_policies).toEqual([
      { cluster: 'cds_egress_m_shadow_http_9090', runtime_fraction: { default_value: { numerator: 100_000, denominator: 'MILLION' } } },
    ]);
    expect(config.envoy.clusters.map(c => c.name)).toContain('cds_egress_m_shadow_http_9090');
  });

  test('the proxyless view carries no mirror (gRPC does not implement it)', () => {
    const config = checkedTranslation(policyMesh({ requestMirrors: [{ virtualNode: 'shadow', percentage: 10 }] }), 'mesh/m/virtualNode/client');
    expect(JSON.stringify(config.proxyless.listeners)).not.toContain('request_mirror_policies');
  });

  test('changing only a route\'s policies re-renders its callers, and a mirror target\'s callers are its dependents', () => {
    const before = compileMesh(policyMesh({}));
    const after = compileMesh(policyMesh({ requestMirrors: [{ virtualNode: 'shadow', percentage: 10 }] }));
    expect(affectedNodes(before, after).affected).toContain('mesh/m/virtualNode/client');
    expect(nodesUsingEndpoints(before, ['shadow'])).not.toContain('mesh/m/virtualNode/client');
    expect(nodesUsingEndpoints(after, ['shadow'])).toContain('mesh/m/virtualNode/client');
  });
});

describe('header rules', () => {
  const extensions: RouteExtensions = {
    headerRules: {
      requestHeadersToAdd: [{ name: 'x-team', value: 'cart', action: 'SET' }, { name: 'x-via', value: 'mesh', action: 'APPEND' }, { name: 'x-tenant', value: 'none', action: 'ADD_IF_ABSENT' }],
      requestHeadersToRemove: ['x-debug'],
      responseHeadersToAdd: [{ name: 'x-served-by', value: '%UPSTREAM_CLUSTER%', action: 'SET' }],
      responseHeadersToRemove: ['server'],
    },
  };

  test('header rules become the route\'s header fields with append_action', () => {
    const config = checkedTranslation(policyMesh(extensions), 'mesh/m/virtualNode/client');
    const [route] = vhostRoutes(config.envoy, 'rds_egress_http_8080', 'svc');
    expect(route.request_headers_to_add).toEqual([
      { header: { key: 'x-team', value: 'cart' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'x-via', value: 'mesh' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' },
      { header: { key: 'x-tenant', value: 'none' }, append_action: 'ADD_IF_ABSENT' },
    ]);
    expect(route.request_headers_to_remove).toEqual(['x-debug']);
    expect(route.response_headers_to_add).toEqual([{ header: { key: 'x-served-by', value: '%UPSTREAM_CLUSTER%' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }]);
    expect(route.response_headers_to_remove).toEqual(['server']);
    // Envoy-only: a gRPC client does not rewrite headers, so its routes carry none of it.
    expect(JSON.stringify(config.proxyless.listeners)).not.toContain('headers_to_');
  });
});

describe('header rules for older Envoys (client-dialect.ts)', () => {
  const rules: RouteExtensions = {
    headerRules: {
      requestHeadersToAdd: [{ name: 'x-team', value: 'cart', action: 'SET' }, { name: 'x-via', value: 'mesh', action: 'APPEND' }],
      responseHeadersToAdd: [{ name: 'x-first', value: '1', action: 'ADD_IF_ABSENT' }],
    },
  };

  test('an Envoy before 1.24 reads `append` (it ignores append_action before 1.23 and would append); 1.24 reads append_action', () => {
    const config = checkedTranslation(policyMesh(rules), 'mesh/m/virtualNode/client');
    const envoy = (minor: number) => clientProfile({ user_agent_name: 'envoy', user_agent_build_version: { version: { major_number: 1, minor_number: minor, patch: 0 } } }).choices;
    const old = configForClient(config, envoy(22));
    const [route] = vhostRoutes(old, 'rds_egress_http_8080', 'svc');
    expect(route.request_headers_to_add).toEqual([
      { header: { key: 'x-team', value: 'cart' }, append: { value: false } },
      { header: { key: 'x-via', value: 'mesh' }, append: { value: true } },
    ]);
    expect(route.response_headers_to_add).toEqual([{ header: { key: 'x-first', value: '1' }, append: { value: false } }]);
    expect(encodingProblems(old)).toEqual([]);
    const [current] = vhostRoutes(configForClient(config, envoy(24)), 'rds_egress_http_8080', 'svc');
    expect((current.request_headers_to_add as ProtoJson[])[0].append_action).toBe('OVERWRITE_IF_EXISTS_OR_ADD');
    // A gRPC client's view carries no header rules in any dialect.
    expect(JSON.stringify(configForClient(config, choicesOfKey('proxyless+total-weight')).listeners)).not.toContain('headers_to_add');
  });
});

describe('gateway routes', () => {
  function gatewayMesh(extensions: GatewayRouteExtensions, keepHost = false): MeshSpecDocument {
    const doc = meshDoc({
      nodes: { api: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'api.local' } } } },
      services: { 'api.svc': { provider: { virtualNode: { virtualNodeName: 'api' } } } },
      gateways: { gw: { listeners: [{ portMapping: { port: 8443, protocol: 'http' } }] } },
      gatewayRoutes: {
        'gw/to-api': {
          httpRoute: {
            match: { prefix: '/api/' },
            action: {
              target: { virtualService: { virtualServiceName: 'api.svc' } },
              ...(keepHost ? { rewrite: { hostname: { defaultTargetHostname: 'DISABLED' as const } } } : {}),
            },
          },
        },
      },
    });
    return { ...doc, specVersion: SPEC_VERSION_EXTENSIONS, gatewayRoutes: doc.gatewayRoutes.map(r => ({ ...r, extensions })) };
  }

  test('fault injection and header rules apply to every Envoy route of the gateway route, with the filter in the ingress HCM', () => {
    const config = checkedTranslation(gatewayMesh({
      faultInjection: { abort: { httpStatus: 429, percentage: 50 } },
      headerRules: { responseHeadersToAdd: [{ name: 'x-gateway', value: 'gw', action: 'SET' }] },
    }), 'mesh/m/virtualGateway/gw');
    const routes = vhostRoutes(config.envoy, 'rds_ingress_http_8443', 'self_redirect');
    expect(routes.map(r => r.name)).toEqual(['to-api_exact', 'to-api']);
    for (const route of routes) {
      expect(Object.keys(route.typed_per_filter_config as ProtoJson)).toEqual([FAULT]);
      expect(route.response_headers_to_add).toEqual([{ header: { key: 'x-gateway', value: 'gw' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }]);
    }
    expect(hcmFilterNames(named(config.envoy.listeners, 'lds_ingress_0.0.0.0_8443'), 'ingress_http_8443')).toEqual([FAULT, 'envoy.filters.http.router']);
    // The re-entry hop carries no gateway route policy: faults are injected once.
    expect(hcmFilterNames(named(config.envoy.listeners, 'lds_egress_0.0.0.0_15001'), 'egress_http_15001')).toEqual(['envoy.filters.http.router']);
  });

  test('request headers a policy adds follow the gateway\'s own x-app-mesh-virtual-service header', () => {
    const config = checkedTranslation(gatewayMesh({ headerRules: { requestHeadersToAdd: [{ name: 'x-entry', value: 'gw', action: 'APPEND' }] } }, true), 'mesh/m/virtualGateway/gw');
    const [, route] = vhostRoutes(config.envoy, 'rds_ingress_http_8443', 'self_redirect');
    expect((route.request_headers_to_add as ProtoJson[]).map(h => (h.header as ProtoJson).key)).toEqual(['x-app-mesh-virtual-service', 'x-entry']);
  });
});
