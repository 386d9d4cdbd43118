import * as fs from 'node:fs';
import * as path from 'node:path';
import { sim, summary, whyNot } from './simulate-helpers';
import type { MeshSpecDocument } from '../../../src/spec/document';
import { selectFilterChain } from '../../src/simulate/filter-chain';
import { selectVirtualHost } from '../../src/simulate/virtual-host';
import type { ProtoJson } from '../../src/translate';
import { editable, exampleSpec } from '../diff/example-assemblies';
import { routedMesh } from '../translate/spec-builder';

/**
 * Routing edge cases: each spec edit goes through the validator and the translation, and simulate
 * reads the result. Domain and filter chain selection are also checked on hand-written Envoy
 * resources, for the shapes translation never renders (wildcard domains, SNI wildcards).
 */

jest.setTimeout(60_000);

const ROUTING = exampleSpec('routing');
const GATEWAY = exampleSpec('gateway');

function fixture(name: string): MeshSpecDocument {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'translate', 'fixtures', `${name}.json`), 'utf8')) as MeshSpecDocument;
}

function route(doc: any, router: string, name: string): any {
  return doc.routes.find((r: any) => r.virtualRouterName === router && r.routeName === name).spec;
}

function gatewayRoute(doc: any, name: string): any {
  return doc.gatewayRoutes.find((r: any) => r.gatewayRouteName === name).spec;
}

const BETA_REQUEST = ['GET', 'http://catalog.store.local:8080/items/42?version=2', '-H', 'x-beta: true'];

describe('route order and matches on the routing example', () => {
  test('priority: moving beta-query before beta-header changes which route takes the same request', () => {
    expect(summary(sim(ROUTING, 'web', BETA_REQUEST)).route).toBe('beta-header');
    const edited = editable(ROUTING);
    route(edited, 'catalog', 'beta-query').priority = 5;
    const s = sim(edited, 'web', BETA_REQUEST);
    expect(summary(s)).toMatchObject({ routes: ['beta-query: match'], route: 'beta-query' });
    expect(s.hops[0].notTried).toBe(3);
    // Its own policy now applies: the default retry policy, no per-try timeout.
    expect(s.hops[0].policy?.retry).toMatchObject({ retryOn: ['connect-failure', 'refused-stream', 'unavailable', 'retriable-status-codes'], numRetries: 2 });
  });

  test('regex path: RE2, matched against the whole path without the query string', () => {
    const edited = editable(ROUTING);
    route(edited, 'catalog', 'beta-query').httpRoute.match.path.regex = '/items/[0-9]{1,2}';
    expect(summary(sim(edited, 'web', ['GET', 'http://catalog.store.local:8080/items/12?version=2'])).route).toBe('beta-query');
    const long = sim(edited, 'web', ['GET', 'http://catalog.store.local:8080/items/123?version=2']);
    expect(whyNot(long, 'beta-query')).toEqual(['path regex /items/[0-9]{1,2} (whole path) vs path "/items/123"']);
    // No implicit search: a pattern matching part of the path does not match it.
    route(edited, 'catalog', 'beta-query').httpRoute.match.path.regex = 'items/[0-9]+';
    expect(whyNot(sim(edited, 'web', ['GET', 'http://catalog.store.local:8080/items/12?version=2']), 'beta-query'))
      .toEqual(['path regex items/[0-9]+ (whole path) vs path "/items/12"']);
  });

  test('header invert (Envoy): another value matches, the value does not, and an absent header does not', () => {
    const edited = editable(ROUTING);
    route(edited, 'catalog', 'beta-header').httpRoute.match.headers[0].invert = true;
    const other = sim(edited, 'web', ['GET', 'http://catalog.store.local:8080/x', '-H', 'x-beta: false']);
    expect(other.hops[0].route).toBe('beta-header');
    expect(other.hops[0].routes[1].checks[1].text).toBe('header x-beta: not exact "true" vs "false"');
    expect(whyNot(sim(edited, 'web', ['GET', 'http://catalog.store.local:8080/x', '-H', 'x-beta: true']), 'beta-header'))
      .toEqual(['header x-beta: not exact "true" vs "true"']);
    const absent = sim(edited, 'web', ['GET', 'http://catalog.store.local:8080/x']);
    expect(whyNot(absent, 'beta-header')).toEqual(['header x-beta: not exact "true": absent (Envoy: an inverted matcher does not match an absent header)']);
    expect(absent.hops[0].route).toBe('default');
  });

  test('inverted metadata, absent: Envoy (host:port) and a proxyless client (xds:///) answer differently, and the answer says so', () => {
    const edited = editable(ROUTING);
    route(edited, 'ratings', 'ratings-canary-users').grpcRoute.match.metadata[0].invert = true;
    const envoy = sim(edited, 'web', ['grpc', 'ratings.store.local:50051', 'store.Ratings/Get']);
    const proxyless = sim(edited, 'web', ['grpc', 'xds:///ratings.store.local', 'store.Ratings/Get']);
    expect(envoy.hops[0].route).toBe('ratings-read');
    expect(proxyless.hops[0].route).toBe('ratings-canary-users');
    expect(proxyless.notes).toEqual(['x-user-group is absent and the route\'s matcher on it is inverted: grpc-js matches, gRPC C-core and Envoy do not']);
  });

  test('gRPC method match: exact path for service + method, case-sensitive', () => {
    const s = sim(ROUTING, 'web', ['grpc', 'ratings.store.local:50051', 'store.ratings/Submit']);
    expect(s.outcome).toBe('no-route');
    expect(s.hops[0].routes.map(r => r.checks[0].text)).toEqual([
      'path "/store.Ratings/Submit" vs path "/store.ratings/Submit"',
      'prefix "/store.Ratings/" vs path "/store.ratings/Submit"',
      'prefix "/store.Ratings/" vs path "/store.ratings/Submit"',
    ]);
  });
});

describe('target settings', () => {
  test('outlier detection of the target listener, in the Envoy view only (gRPC clients get none)', () => {
    const edited = editable(ROUTING);
    const node = edited.virtualNodes.find((n: any) => n.virtualNodeName === 'catalog-v1');
    node.spec.listeners[0].outlierDetection = { maxServerErrors: 5, interval: { unit: 's', value: 10 }, baseEjectionDuration: { unit: 'ms', value: 30000 }, maxEjectionPercent: 20 };
    const envoy = sim(edited, 'web', ['GET', 'http://catalog.store.local:8080/']);
    expect(envoy.targets[0].outlierDetection).toBe('ejects a host after 5 consecutive 5xx, checked every 10 s, for 30 s × ejections, at most 20 % of hosts');
    const proxyless = sim(edited, 'web', ['grpc', 'xds:///catalog.store.local', 'catalog.Catalog/List']);
    expect(proxyless.targets.map(t => [t.virtualNode, t.outlierDetection])).toEqual([['catalog-v1', undefined]]);
  });
});

describe('what a route also does (policies example): reported, not played', () => {
  const policies = fixture('example-policies');

  test('mirroring on cart\'s main route, fault injection on its chaos route', () => {
    const main = sim(policies, 'web', ['GET', 'http://cart.shop.local:8080/checkout']);
    expect(main.hops[0].route).toBe('main');
    expect(main.hops[0].also).toEqual(['mirrors 5 % of these requests to cds_egress_shop_cart-next_http_8080 (the copy\'s response is ignored)']);
    const chaos = sim(policies, 'web', ['GET', 'http://cart.shop.local:8080/checkout', '-H', 'x-chaos: on']);
    expect(chaos.hops[0].route).toBe('chaos');
    expect(chaos.hops[0].also).toEqual(['fault injection: aborts 10 % with HTTP 503, delays 50 % by 0.5 s, only for requests with x-chaos']);
  });

  test('a gRPC route with an abort fault and a local rate limit', () => {
    const s = sim(policies, 'web', ['grpc', 'ratings.shop.local:9090', 'shop.Ratings/Get']);
    expect(s.hops[0].also).toEqual([
      'fault injection: aborts 1 % with gRPC status 14',
      expect.stringMatching(/^local rate limit: \d+ requests, refilled \d+ per [\d.]+ s; over the limit: 429$/),
    ]);
  });
});

describe('port match on a router with two listeners', () => {
  const twoPorts = { listeners: [{ portMapping: { port: 8080, protocol: 'http' as const } }, { portMapping: { port: 9090, protocol: 'http' as const } }] };
  const doc = routedMesh({
    nine: { priority: 1, httpRoute: { match: { prefix: '/', port: 9090 }, action: { weightedTargets: [{ virtualNode: 'v2', weight: 1, port: 9090 }] } } },
    eighty: { priority: 2, httpRoute: { match: { prefix: '/', port: 8080 }, action: { weightedTargets: [{ virtualNode: 'v1', weight: 1, port: 8080 }] } } },
  }, { routers: { r: twoPorts }, nodes: { v2: { ...twoPorts, serviceDiscovery: { dns: { hostname: 'v2.local' } } }, v1: { ...twoPorts, serviceDiscovery: { dns: { hostname: 'v1.local' } } } } });

  test('each port has its own chain and route table: 9090 reaches nine, 8080 eighty', () => {
    const nine = sim(doc, 'client', ['GET', 'http://svc:9090/']);
    expect(nine.hops[0]).toMatchObject({ filterChain: 'egress_http_9090 (destination port 9090)', routeConfiguration: 'rds_egress_http_9090', route: 'nine' });
    expect(nine.targets.map(t => `${t.virtualNode}:${t.port}`)).toEqual(['v2:9090']);
    const eighty = sim(doc, 'client', ['GET', 'http://svc:8080/']);
    expect(summary(eighty)).toMatchObject({ routes: ['eighty: match'], targets: ['v1 100.0%'] });
  });

  test('the Host port must be one of the virtual host\'s domains: svc:9090 sent to port 8080 gets 404', () => {
    const s = sim(doc, 'client', ['GET', 'http://svc:8080/', '-H', 'host: svc:9090']);
    expect(s.outcome).toBe('no-route');
    expect(s.reason).toContain('no virtual host of rds_egress_http_8080 has a domain matching host "svc:9090"');
    // A Host without a port matches the bare service name.
    expect(sim(doc, 'client', ['GET', 'http://svc:8080/', '-H', 'host: svc']).hops[0].virtualHost?.matchedBy).toBe('exact domain "svc" matches host "svc"');
  });
});

describe('gateway rewrites', () => {
  test('a prefix rewrite to another value, and no rewrite when the default prefix is disabled', () => {
    const edited = editable(GATEWAY);
    gatewayRoute(edited, 'shop').httpRoute.action.rewrite = { prefix: { value: '/store/' } };
    expect(sim(edited, 'ingress-gw', ['GET', 'http://x.example.com:8080/shop/cart']).hops[0].rewrite?.path)
      .toEqual({ from: '/shop/cart', to: '/store/cart', by: 'prefix_rewrite "/store/"' });
    gatewayRoute(edited, 'shop').httpRoute.action.rewrite = { prefix: { defaultPrefix: 'DISABLED' } };
    const kept = sim(edited, 'ingress-gw', ['GET', 'http://x.example.com:8080/shop/cart']);
    expect(kept.hops[0].rewrite).toEqual({ authority: { from: 'x.example.com:8080', to: 'shop.edge.local' } });
    expect(kept.hops[1].request.path).toBe('/shop/cart');
  });

  test('hostname rewrite disabled: Host is kept, the service travels in x-app-mesh-virtual-service and the default_backend host picks it', () => {
    const edited = editable(GATEWAY);
    gatewayRoute(edited, 'shop').httpRoute.action.rewrite = { hostname: { defaultTargetHostname: 'DISABLED' }, prefix: { value: '/' } };
    const s = sim(edited, 'ingress-gw', ['GET', 'http://www.example.com:8080/shop/cart']);
    expect(s.hops[0].rewrite).toEqual({
      path: { from: '/shop/cart', to: '/cart', by: 'prefix_rewrite "/"' },
      headersAdded: ['x-app-mesh-virtual-service: shop.edge.local'],
    });
    expect(s.hops[1].virtualHost).toEqual({ name: 'default_backend', domains: ['*'], matchedBy: 'any host (*) domain "*" matches host "www.example.com:8080"' });
    // default_backend holds every targeted service's routes, each behind its selector header.
    const routes = s.hops[1].routes;
    expect(routes.slice(0, -1).map(r => whyNot(s, r.name))).toEqual([
      ['header x-app-mesh-virtual-service: exact "docs.edge.local" vs "shop.edge.local"'],
      ['header x-app-mesh-virtual-service: exact "search.edge.local" vs "shop.edge.local"'],
    ]);
    expect(routes[routes.length - 1].checks.map(c => c.text)).toContain('header x-app-mesh-virtual-service: exact "shop.edge.local" vs "shop.edge.local"');
    expect(summary(s).targets).toEqual(['shop-blue 80.0%', 'shop-green 20.0%']);
  });
});

describe('gateway fixtures: an exact path rewrite and a TLS listener', () => {
  test('a path match with an exact rewrite replaces the whole path, keeping the query', () => {
    const s = sim(fixture('gateway'), 'ingress-gw', ['GET', 'http://gw.example.com:8080/blue?a=1']);
    expect(s.hops[0].route).toBe('blue-exact');
    expect(s.hops[0].rewrite?.path).toEqual({ from: '/blue?a=1', to: '/index.html?a=1', by: 'prefix_rewrite "/index.html"' });
    expect(s.hops[1].request.path).toBe('/index.html?a=1');
  });

  test('a STRICT TLS gateway listener: plain text is refused at the handshake, https:// is routed', () => {
    const plain = sim(fixture('acm'), 'ingress', ['GET', 'http://colors.example.com:8443/']);
    expect(plain.outcome).toBe('refused');
    expect(plain.reason).toMatch(/^filter chain ingress_http_8443 terminates TLS and the request is plain text: the TLS handshake fails/);
    const tls = sim(fixture('acm'), 'ingress', ['GET', 'https://colors.example.com:8443/']);
    expect(tls.outcome).toBe('routed');
    expect(tls.hops.map(h => h.route)).toEqual(['colors', expect.any(String)]);
  });
});

describe('filter chains and virtual hosts on hand-written resources', () => {
  test('domains: exact beats the longest suffix wildcard beats prefix beats *; Envoy ignores case, a wildcard needs one character', () => {
    const hosts: ProtoJson[] = [
      { name: 'any', domains: ['*'] },
      { name: 'prefix', domains: ['api.*'] },
      { name: 'short-suffix', domains: ['*.com'] },
      { name: 'long-suffix', domains: ['*.example.com'] },
      { name: 'exact', domains: ['api.example.com'] },
    ];
    const pick = (host: string, semantics: 'envoy' | 'grpc' = 'envoy') => selectVirtualHost(hosts, host, semantics)?.virtualHost.name;
    expect(pick('api.example.com')).toBe('exact');
    expect(pick('API.Example.com')).toBe('exact');
    expect(pick('API.Example.com', 'grpc')).toBe('short-suffix');
    expect(pick('www.example.com')).toBe('long-suffix');
    expect(pick('www.other.com')).toBe('short-suffix');
    expect(pick('api.internal')).toBe('prefix');
    expect(pick('.example.com')).toBe('short-suffix');
    expect(pick('localhost')).toBe('any');
    expect(selectVirtualHost(hosts.slice(1), 'localhost', 'envoy')).toBeUndefined();
  });

  test('chains: the port, then the SNI (exact over wildcard over none), then the transport protocol', () => {
    const listener = {
      filter_chains: [
        { name: 'any', filter_chain_match: {} },
        { name: 'port', filter_chain_match: { destination_port: { value: 443 } } },
        { name: 'wild', filter_chain_match: { destination_port: { value: 443 }, server_names: ['*.amazonaws.com'] } },
        { name: 'exact', filter_chain_match: { destination_port: { value: 443 }, server_names: ['s3.amazonaws.com'] } },
        { name: 'tls', filter_chain_match: { destination_port: { value: 8443 }, transport_protocol: 'tls' } },
        { name: 'plain', filter_chain_match: { destination_port: { value: 8443 } } },
      ],
    };
    const pick = (port: number, serverName?: string) => selectFilterChain(listener, { port, serverName, transportProtocol: serverName ? 'tls' : 'raw_buffer' })?.chain.name;
    expect(pick(443, 's3.amazonaws.com')).toBe('exact');
    expect(pick(443, 'sqs.amazonaws.com')).toBe('wild');
    expect(pick(443, 'example.com')).toBe('port');
    expect(pick(443)).toBe('port');
    expect(pick(8443, 'x')).toBe('tls');
    expect(pick(8443)).toBe('plain');
    expect(pick(9999)).toBe('any');
  });

  test('a sidecar\'s https call to an AWS API takes the TCP passthrough chain', () => {
    const s = sim(ROUTING, 'web', ['GET', 'https://s3.us-east-1.amazonaws.com/bucket']);
    expect(s.outcome).toBe('routed');
    expect(s.hops[0].filterChain).toBe('egress_amazonaws (destination port 443, server name *.amazonaws.com)');
    expect(s.hops[0].tcpProxy).toEqual({ idleTimeout: '300 s' });
    expect(s.targets[0]).toMatchObject({ cluster: 'cds_egress_store_amazonaws', probability: 1 });
    expect(s.targets[0].discovery).toMatch(/^ORIGINAL_DST/);
  });
});
