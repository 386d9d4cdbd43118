/**
 * Node and gateway policies of issue 16 on rendered config: local rate limits and RBAC on a
 * virtual node's inbound listeners (and RBAC on its xDS-enabled gRPC server Listeners), JWT
 * authentication and external authorization on a gateway. Every view is encoded through Envoy's
 * protos and checked with Envoy's validation rules.
 */
import { MeshSpecDocument } from '../../../../src/spec/document';
import { AuthorizationPolicy } from '../../../../src/spec/extensions/authorization';
import { ProtoJson } from '../../../src/translate';
import { UNRESOLVED_EXT_AUTHZ_CLUSTER } from '../../../src/translate/policies/gateway-auth';
import { serverListenerName } from '../../../src/translate/proxyless-server';
import { checkedTranslation } from '../envoy-checks';
import { meshDoc, named } from '../spec-builder';

const STRICT_MTLS = {
  mode: 'STRICT' as const,
  certificate: { acm: { certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/y' } },
  validation: { trust: { file: { certificateChain: '/certs/mesh-ca.pem' } } },
};

/** Node `api` (http 8080 and tcp 9000, mTLS), node `web` and gateway `gw` as callers, service `authz` (grpc 9191). */
function mesh(extensions: { api?: object; gw?: object }): MeshSpecDocument {
  const doc = meshDoc({
    nodes: {
      api: {
        listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: STRICT_MTLS }, { portMapping: { port: 9000, protocol: 'tcp' }, tls: STRICT_MTLS }],
        serviceDiscovery: { dns: { hostname: 'api.local' } },
      },
      web: { backends: [{ virtualService: { virtualServiceName: 'api.svc' } }] },
      authz: { listeners: [{ portMapping: { port: 9191, protocol: 'grpc' } }], serviceDiscovery: { dns: { hostname: 'authz.local' } } },
    },
    services: {
      'api.svc': { provider: { virtualNode: { virtualNodeName: 'api' } } },
      'authz.svc': { provider: { virtualNode: { virtualNodeName: 'authz' } } },
    },
    gateways: { gw: { listeners: [{ portMapping: { port: 8443, protocol: 'http' } }] } },
    gatewayRoutes: { 'gw/to-api': { httpRoute: { match: { prefix: '/' }, action: { target: { virtualService: { virtualServiceName: 'api.svc' } } } } } },
  });
  return {
    ...doc,
    specVersion: 'open-app-mesh/v2',
    virtualNodes: doc.virtualNodes.map(n => (n.virtualNodeName === 'api' && extensions.api ? { ...n, extensions: extensions.api } : n)),
    virtualGateways: doc.virtualGateways.map(g => (extensions.gw ? { ...g, extensions: extensions.gw } : g)),
  };
}

function chainFilters(listeners: ProtoJson[], listener: string, chain: string): ProtoJson[] {
  return named(named(listeners, listener).filter_chains as ProtoJson[], chain).filters as ProtoJson[];
}

function httpFilters(hcmFilter: ProtoJson): ProtoJson[] {
  return (hcmFilter.typed_config as ProtoJson).http_filters as ProtoJson[];
}

const INGRESS = 'lds_ingress_0.0.0.0_15000';

describe('local rate limits', () => {
  test('one for every listener: a token bucket on the HTTP chain (filter enabled and enforced at 100 %) and on the TCP chain', () => {
    const spec = mesh({ api: { rateLimits: [{ tokenBucket: { maxTokens: 100, tokensPerFill: 10, fillInterval: { unit: 's', value: 1 } } }] } });
    const { envoy, proxyless } = checkedTranslation(spec, 'mesh/m/virtualNode/api');
    const [hcm] = chainFilters(envoy.listeners, INGRESS, 'ingress_http_8080');
    const [limit, router] = httpFilters(hcm);
    expect(router.name).toBe('envoy.filters.http.router');
    expect(limit).toEqual({
      name: 'envoy.filters.http.local_ratelimit',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
        'stat_prefix': 'http_local_rate_limit',
        'token_bucket': { max_tokens: 100, tokens_per_fill: { value: 10 }, fill_interval: { seconds: 1, nanos: 0 } },
        'filter_enabled': { runtime_key: 'local_rate_limit_enabled', default_value: { numerator: 100, denominator: 'HUNDRED' } },
        'filter_enforced': { runtime_key: 'local_rate_limit_enforced', default_value: { numerator: 100, denominator: 'HUNDRED' } },
      },
    });
    const tcp = chainFilters(envoy.listeners, INGRESS, 'ingress_tcp_9000');
    expect(tcp.map(f => f.name)).toEqual(['envoy.filters.network.local_ratelimit', 'envoy.filters.network.tcp_proxy']);
    expect(tcp[0].typed_config).toMatchObject({ stat_prefix: 'ingress.tcp.9000', token_bucket: { max_tokens: 100 } });
    // gRPC implements no local rate limit: the proxyless view has none.
    expect(JSON.stringify(proxyless)).not.toContain('local_ratelimit');
  });

  test('a limit for one port wins over the one for every port; status and response headers as configured; tokensPerFill defaults to maxTokens', () => {
    const spec = mesh({
      api: {
        rateLimits: [
          { tokenBucket: { maxTokens: 5, fillInterval: { unit: 'ms', value: 500 } }, port: 8080, responseStatus: 503, responseHeaders: [{ name: 'x-limited', value: 'yes' }] },
          { tokenBucket: { maxTokens: 1000, fillInterval: { unit: 's', value: 1 } } },
        ],
      },
    });
    const { envoy } = checkedTranslation(spec, 'mesh/m/virtualNode/api');
    const config = httpFilters(chainFilters(envoy.listeners, INGRESS, 'ingress_http_8080')[0])[0].typed_config as ProtoJson;
    expect(config.token_bucket).toEqual({ max_tokens: 5, tokens_per_fill: { value: 5 }, fill_interval: { seconds: 0, nanos: 500_000_000 } });
    expect(config.status).toEqual({ code: 503 });
    expect(config.response_headers_to_add).toEqual([{ header: { key: 'x-limited', value: 'yes' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }]);
    expect(chainFilters(envoy.listeners, INGRESS, 'ingress_tcp_9000')[0].typed_config).toMatchObject({ token_bucket: { max_tokens: 1000 } });
  });
});

describe('authorization by mesh identity', () => {
  const policy: AuthorizationPolicy = {
    rules: [
      { name: 'web-reads', from: { virtualNodes: ['web'] }, ports: [8080], http: { paths: [{ prefix: '/api/' }, { exact: '/health' }], methods: ['GET'] } },
      { name: 'gateway', from: { virtualGateways: ['gw'] }, http: { headers: [{ name: 'x-tenant', match: { exact: 'a' } }] } },
      { name: 'batch', from: { virtualNodes: ['web'] }, ports: [9000] },
    ],
  };

  test('RBAC ALLOW before the router on the HTTP chain: callers by SPIFFE ID suffix, paths, methods and headers', () => {
    const { envoy } = checkedTranslation(mesh({ api: { authorization: policy } }), 'mesh/m/virtualNode/api');
    const filters = httpFilters(chainFilters(envoy.listeners, INGRESS, 'ingress_http_8080')[0]);
    expect(filters.map(f => f.name)).toEqual(['envoy.filters.http.rbac', 'envoy.filters.http.router']);
    expect(filters[0].typed_config).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC',
      'rules': {
        action: 'ALLOW',
        policies: {
          'web-reads': {
            permissions: [{
              and_rules: {
                rules: [
                  { or_rules: { rules: [{ url_path: { path: { prefix: '/api/' } } }, { url_path: { path: { exact: '/health' } } }] } },
                  { header: { name: ':method', string_match: { exact: 'GET' } } },
                ],
              },
            }],
            principals: [{ authenticated: { principal_name: { suffix: '/mesh/m/virtualNode/web' } } }],
          },
          'gateway': {
            permissions: [{ header: { name: 'x-tenant', string_match: { exact: 'a' } } }],
            principals: [{ authenticated: { principal_name: { suffix: '/mesh/m/virtualGateway/gw' } } }],
          },
        },
      },
    });
  });

  test('the TCP chain gets the network RBAC filter with the rules without HTTP conditions that apply to its port', () => {
    const { envoy } = checkedTranslation(mesh({ api: { authorization: policy } }), 'mesh/m/virtualNode/api');
    const tcp = chainFilters(envoy.listeners, INGRESS, 'ingress_tcp_9000');
    expect(tcp.map(f => f.name)).toEqual(['envoy.filters.network.rbac', 'envoy.filters.network.tcp_proxy']);
    expect(tcp[0].typed_config).toMatchObject({ stat_prefix: 'ingress.tcp.9000.', rules: { action: 'ALLOW', policies: { batch: { permissions: [{ any: true }] } } } });
    expect(Object.keys(((tcp[0].typed_config as ProtoJson).rules as ProtoJson).policies as object)).toEqual(['batch']);
  });

  test('deny by default: a listener no rule applies to gets an empty ALLOW set', () => {
    const only8080: AuthorizationPolicy = { rules: [{ name: 'web', from: { virtualNodes: ['web'] }, ports: [8080] }] };
    const { envoy } = checkedTranslation(mesh({ api: { authorization: only8080 } }), 'mesh/m/virtualNode/api');
    expect(chainFilters(envoy.listeners, INGRESS, 'ingress_tcp_9000')[0].typed_config).toMatchObject({ rules: { action: 'ALLOW', policies: {} } });
  });

  test('SHADOW mode: shadow_rules with their stat prefix, no enforced rules; the proxyless server gets no RBAC filter', () => {
    const { envoy, proxyless } = checkedTranslation(mesh({ api: { authorization: { ...policy, mode: 'SHADOW' } } }), 'mesh/m/virtualNode/api');
    const rbac = httpFilters(chainFilters(envoy.listeners, INGRESS, 'ingress_http_8080')[0])[0].typed_config as ProtoJson;
    expect(rbac.rules).toBeUndefined();
    expect(rbac.shadow_rules_stat_prefix).toBe('oam_shadow.');
    expect(Object.keys((rbac.shadow_rules as ProtoJson).policies as object)).toEqual(['web-reads', 'gateway']);
    expect(JSON.stringify(proxyless)).not.toContain('rbac');
  });

  test('the xDS-enabled gRPC server Listeners of the node carry the same RBAC filter before the router (gRFC A41)', () => {
    const { proxyless } = checkedTranslation(mesh({ api: { authorization: policy } }), 'mesh/m/virtualNode/api');
    const listener = named(proxyless.listeners, serverListenerName('0.0.0.0:8080'));
    const hcm = ((listener.filter_chains as ProtoJson[])[0].filters as ProtoJson[])[0];
    expect(httpFilters(hcm).map(f => f.name)).toEqual(['envoy.filters.http.rbac', 'envoy.filters.http.router']);
    expect(Object.keys(((httpFilters(hcm)[0].typed_config as ProtoJson).rules as ProtoJson).policies as object)).toEqual(['web-reads', 'gateway']);
    // On the port the spec calls tcp, the same rules as Envoy's there: those without HTTP conditions.
    const tcp = named(proxyless.listeners, serverListenerName('0.0.0.0:9000'));
    const tcpHcm = ((tcp.filter_chains as ProtoJson[])[0].filters as ProtoJson[])[0];
    expect(Object.keys(((httpFilters(tcpHcm)[0].typed_config as ProtoJson).rules as ProtoJson).policies as object)).toEqual(['batch']);
  });
});

describe('gateway: JWT authentication and external authorization', () => {
  const jwt = {
    providers: [
      { name: 'corp', issuer: 'https://idp.example.com', audiences: ['shop'], remoteJwks: { uri: 'https://idp.example.com/.well-known/jwks.json' }, claimToHeaders: [{ claim: 'sub', header: 'x-user' }] },
      { name: 'partners', issuer: 'partners', localJwks: { inline: '{"keys":[]}' }, forward: true },
    ],
    rules: [{ prefix: '/health', providers: [] }, { prefix: '/', providers: ['corp', 'partners'] }],
  };

  test('jwt_authn before ext_authz before the router; a cluster for the JWKS host with TLS; the authorization service\'s cluster', () => {
    const spec = mesh({ gw: { jwtAuthentication: jwt, externalAuthorization: { virtualServiceName: 'authz.svc', protocol: 'grpc', timeout: { unit: 'ms', value: 500 } } } });
    const { envoy } = checkedTranslation(spec, 'mesh/m/virtualGateway/gw');
    const filters = httpFilters(chainFilters(envoy.listeners, 'lds_ingress_0.0.0.0_8443', 'ingress_http_8443')[0]);
    expect(filters.map(f => f.name)).toEqual(['envoy.filters.http.jwt_authn', 'envoy.filters.http.ext_authz', 'envoy.filters.http.router']);
    expect(filters[0].typed_config).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication',
      'providers': {
        corp: {
          issuer: 'https://idp.example.com',
          audiences: ['shop'],
          remote_jwks: { http_uri: { uri: 'https://idp.example.com/.well-known/jwks.json', cluster: 'oam_jwks_idp.example.com_443', timeout: { seconds: 5, nanos: 0 } } },
          claim_to_headers: [{ header_name: 'x-user', claim_name: 'sub' }],
        },
        partners: { issuer: 'partners', local_jwks: { inline_string: '{"keys":[]}' }, forward: true },
      },
      'rules': [
        { match: { prefix: '/health' } },
        { match: { prefix: '/' }, requires: { requires_any: { requirements: [{ provider_name: 'corp' }, { provider_name: 'partners' }] } } },
      ],
    });
    expect(named(envoy.clusters, 'oam_jwks_idp.example.com_443')).toMatchObject({
      type: 'LOGICAL_DNS',
      load_assignment: { endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'idp.example.com', port_value: 443 } } } }] }] },
      transport_socket: { typed_config: { sni: 'idp.example.com', common_tls_context: { validation_context: { trusted_ca: { filename: '/etc/ssl/certs/ca-certificates.crt' } } } } },
    });
    expect(filters[1].typed_config).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz',
      'transport_api_version': 'V3',
      'grpc_service': { envoy_grpc: { cluster_name: 'cds_egress_m_authz_grpc_9191', authority: 'authz.svc' }, timeout: { seconds: 0, nanos: 500_000_000 } },
    });
    expect(named(envoy.clusters, 'cds_egress_m_authz_grpc_9191').type).toBe('LOGICAL_DNS');
  });

  test('HTTP authorization service: server_uri with the cluster, path prefix and failure mode; the default timeout is Envoy\'s 200 ms', () => {
    const spec = mesh({ gw: { externalAuthorization: { virtualServiceName: 'api.svc', port: 8080, protocol: 'http', failureModeAllow: true, pathPrefix: '/check' } } });
    const { envoy } = checkedTranslation(spec, 'mesh/m/virtualGateway/gw');
    const [authz] = httpFilters(chainFilters(envoy.listeners, 'lds_ingress_0.0.0.0_8443', 'ingress_http_8443')[0]);
    expect(authz.typed_config).toMatchObject({
      http_service: { server_uri: { uri: 'http://api.svc:8080', cluster: 'cds_egress_m_api_http_8080', timeout: { seconds: 0, nanos: 200_000_000 } }, path_prefix: '/check' },
      failure_mode_allow: true,
    });
  });

  test('an authorization service that resolves to no node fails closed: checks go to a cluster without endpoints', () => {
    const spec = mesh({ gw: { externalAuthorization: { virtualServiceName: 'api.svc', port: 1234, protocol: 'grpc' } } });
    const { envoy } = checkedTranslation(spec, 'mesh/m/virtualGateway/gw');
    const [authz] = httpFilters(chainFilters(envoy.listeners, 'lds_ingress_0.0.0.0_8443', 'ingress_http_8443')[0]);
    expect(authz.typed_config).toMatchObject({ grpc_service: { envoy_grpc: { cluster_name: UNRESOLVED_EXT_AUTHZ_CLUSTER } } });
    expect((authz.typed_config as ProtoJson).failure_mode_allow).toBeUndefined();
    expect(named(envoy.clusters, UNRESOLVED_EXT_AUTHZ_CLUSTER).load_assignment).toEqual({ cluster_name: UNRESOLVED_EXT_AUTHZ_CLUSTER });
  });
});

describe('rate limits per route', () => {
  test('the caller\'s egress HCM carries the filter without a bucket; the route carries its bucket in typed_per_filter_config; gRPC gets neither', () => {
    const doc = meshDoc({
      nodes: {
        client: { backends: [{ virtualService: { virtualServiceName: 'svc' } }] },
        v1: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'v1.local' } } },
      },
      services: { svc: { provider: { virtualRouter: { virtualRouterName: 'r' } } } },
      routers: { r: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] } },
      routes: {
        'r/limited': { httpRoute: { match: { prefix: '/limited' }, action: { weightedTargets: [{ virtualNode: 'v1', weight: 1 }] } } },
        'r/free': { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'v1', weight: 1 }] } } },
      },
    });
    const bucket = { tokenBucket: { maxTokens: 3, fillInterval: { unit: 's' as const, value: 60 } } };
    const spec: MeshSpecDocument = { ...doc, specVersion: 'open-app-mesh/v2', routes: doc.routes.map(r => (r.routeName === 'limited' ? { ...r, extensions: { rateLimit: bucket } } : r)) };
    const { envoy, proxyless } = checkedTranslation(spec, 'mesh/m/virtualNode/client');
    const hcm = chainFilters(envoy.listeners, 'lds_egress_0.0.0.0_15001', 'egress_http_8080')[0];
    expect(httpFilters(hcm)).toEqual([
      { name: 'envoy.filters.http.local_ratelimit', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit', 'stat_prefix': 'http_local_rate_limit' } },
      { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } },
    ]);
    const routes = named(named(envoy.routes, 'rds_egress_http_8080').virtual_hosts as ProtoJson[], 'svc').routes as ProtoJson[];
    const limited = routes.find(r => (r.match as ProtoJson).prefix === '/limited')!;
    expect(limited.typed_per_filter_config).toEqual({
      'envoy.filters.http.local_ratelimit': expect.objectContaining({ token_bucket: { max_tokens: 3, tokens_per_fill: { value: 3 }, fill_interval: { seconds: 60, nanos: 0 } } }),
    });
    expect(routes.find(r => (r.match as ProtoJson).prefix === '/')!.typed_per_filter_config).toBeUndefined();
    expect(JSON.stringify(proxyless)).not.toContain('local_ratelimit');
  });
});

test('a gateway route\'s rate limit: the bucket on its routes, the filter after jwt_authn and ext_authz in the gateway listener\'s HCM', () => {
  const doc = mesh({ gw: { jwtAuthentication: { providers: [{ name: 'p', issuer: 'p', localJwks: { inline: '{"keys":[]}' } }] }, externalAuthorization: { virtualServiceName: 'authz.svc', protocol: 'grpc' } } });
  const bucket = { tokenBucket: { maxTokens: 10, fillInterval: { unit: 's' as const, value: 1 } }, responseStatus: 503 };
  const spec: MeshSpecDocument = { ...doc, gatewayRoutes: doc.gatewayRoutes.map(r => ({ ...r, extensions: { rateLimit: bucket } })) };
  const { envoy } = checkedTranslation(spec, 'mesh/m/virtualGateway/gw');
  const filters = httpFilters(chainFilters(envoy.listeners, 'lds_ingress_0.0.0.0_8443', 'ingress_http_8443')[0]);
  expect(filters.map(f => f.name)).toEqual(['envoy.filters.http.jwt_authn', 'envoy.filters.http.ext_authz', 'envoy.filters.http.local_ratelimit', 'envoy.filters.http.router']);
  const routes = named(named(envoy.routes, 'rds_ingress_http_8443').virtual_hosts as ProtoJson[], 'self_redirect').routes as ProtoJson[];
  expect(routes).not.toHaveLength(0);
  for (const route of routes) {
    expect(route.typed_per_filter_config).toEqual({ 'envoy.filters.http.local_ratelimit': expect.objectContaining({ status: { code: 503 }, token_bucket: expect.objectContaining({ max_tokens: 10 }) }) });
  }
});
