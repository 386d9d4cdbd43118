import { sim, summary, whyNot } from './simulate-helpers';
import { exampleSpec } from '../diff/example-assemblies';

/**
 * simulate on the examples' specs, synthesized from their CDK apps: the answer for each request
 * is read off the rendered configuration of the calling node.
 */

jest.setTimeout(60_000);

const ROUTING = exampleSpec('routing');
const GATEWAY = exampleSpec('gateway');
const CANARY = exampleSpec('canary');
const MTLS = exampleSpec('mtls');

describe('routing example (mesh store), from web', () => {
  test('x-beta: true takes beta-header after admin fails on path and header; its retry policy and the default timeout', () => {
    const s = sim(ROUTING, 'web', ['GET', 'http://catalog.store.local:8080/items/42?version=2', '-H', 'x-beta: true']);
    expect(summary(s)).toEqual({ outcome: 'routed', routes: ['admin: no match', 'beta-header: match'], route: 'beta-header', targets: ['catalog-v2 100.0%'] });
    expect(whyNot(s, 'admin')).toEqual(['prefix "/admin/" vs path "/items/42"', 'header authorization: prefix "Bearer ": absent']);
    const [hop] = s.hops;
    expect(hop).toMatchObject({
      listener: 'lds_egress_0.0.0.0_15001',
      filterChain: 'egress_http_8080 (destination port 8080)',
      routeConfiguration: 'rds_egress_http_8080',
      virtualHost: { name: 'catalog.store.local', matchedBy: 'exact domain "catalog.store.local:8080" matches host "catalog.store.local:8080"' },
      notTried: 2,
    });
    expect(hop.policy).toEqual({
      timeout: '15 s per request',
      idleTimeout: '300 s',
      retry: {
        retryOn: ['connect-failure', 'retriable-status-codes'],
        numRetries: 3,
        perTryTimeout: '2 s',
        retriableStatusCodes: [500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511],
        notes: ['a retry avoids hosts already tried', 'up to 5 host selections per retry'],
      },
    });
    expect(s.targets[0]).toMatchObject({ cluster: 'cds_egress_store_catalog-v2_http_8080', virtualNode: 'catalog-v2', port: 8080, weight: 1, probability: 1 });
    expect(s.targets[0].discovery).toBe('LOGICAL_DNS: the client resolves catalog-v2.store.local:8080 by DNS (AUTO)');
    expect(s.targets[0].healthCheck).toBe('HTTP /health every 5 s, unhealthy after 2 failures');
  });

  test('without the header: beta-query by regex path, method and query parameter', () => {
    const s = sim(ROUTING, 'web', ['GET', 'http://catalog.store.local:8080/items/42?version=2']);
    expect(summary(s).routes).toEqual(['admin: no match', 'beta-header: no match', 'beta-query: match']);
    expect(whyNot(s, 'beta-header')).toEqual(['header x-beta: exact "true": absent']);
    expect(s.hops[0].routes[2].checks.map(c => c.text)).toEqual([
      'path regex /items/[0-9]+ (whole path) vs path "/items/42"',
      'pseudo-header :method: exact "GET" vs "GET"',
      'query version: exact "2" vs "2"',
    ]);
  });

  test('each part of beta-query can fail on its own, and default then takes the request with its own timeout and retries', () => {
    const post = sim(ROUTING, 'web', ['POST', 'http://catalog.store.local:8080/items/42?version=2']);
    expect(whyNot(post, 'beta-query')).toEqual(['pseudo-header :method: exact "GET" vs "POST"']);
    const longer = sim(ROUTING, 'web', ['GET', 'http://catalog.store.local:8080/items/42/reviews?version=2']);
    expect(whyNot(longer, 'beta-query')).toEqual(['path regex /items/[0-9]+ (whole path) vs path "/items/42/reviews"']);
    const query = sim(ROUTING, 'web', ['GET', 'http://catalog.store.local:8080/items/42?version=3']);
    expect(whyNot(query, 'beta-query')).toEqual(['query version: exact "2" vs "3"']);
    for (const s of [post, longer, query]) {
      expect(summary(s)).toMatchObject({ outcome: 'routed', route: 'default', targets: ['catalog-v1 100.0%'] });
      expect(s.hops[0].policy).toMatchObject({ timeout: '5 s per request', idleTimeout: '30 s', retry: { numRetries: 2, perTryTimeout: '0.5 s', retriableStatusCodes: [502, 503, 504] } });
    }
  });

  test('admin needs both its prefix and a Bearer token', () => {
    const s = sim(ROUTING, 'web', ['GET', 'http://catalog.store.local:8080/admin/report', '-H', 'Authorization: Bearer abc']);
    expect(summary(s)).toMatchObject({ route: 'admin', targets: ['catalog-admin 100.0%'] });
    expect(s.hops[0].policy?.timeout).toBe('60 s per request');
  });

  test('a port no backend listens on is refused by the egress listener (exit 1 material)', () => {
    const s = sim(ROUTING, 'web', ['GET', 'http://catalog.store.local:9090/items/1']);
    expect(s.outcome).toBe('refused');
    expect(s.reason).toMatch(/^no filter chain of lds_egress_0.0.0.0_15001 accepts a connection to port 9090, so Envoy closes it; chains: egress_http_8080 \(destination port 8080\), egress_grpc_50051/);
  });

  test('a host that is not a backend: no virtual host, 404 NR', () => {
    const s = sim(ROUTING, 'web', ['GET', 'http://inventory.store.local:8080/']);
    expect(s.outcome).toBe('no-route');
    expect(s.reason).toBe('no virtual host of rds_egress_http_8080 has a domain matching host "inventory.store.local:8080", so Envoy answers 404 (NR); '
      + 'virtual hosts: catalog.store.local [catalog.store.local, catalog.store.local:8080]');
  });

  test('gRPC through the sidecar: method match, then metadata, then the 90/10 read split', () => {
    const s = sim(ROUTING, 'web', ['grpc', 'ratings.store.local:50051', 'store.Ratings/Get']);
    expect(summary(s)).toEqual({
      outcome: 'routed',
      routes: ['ratings-write: no match', 'ratings-canary-users: no match', 'ratings-read: match'],
      route: 'ratings-read',
      targets: ['ratings-v1 90.0%', 'ratings-v2 10.0%'],
    });
    expect(whyNot(s, 'ratings-write')).toEqual(['path "/store.Ratings/Submit" vs path "/store.Ratings/Get"']);
    const submit = sim(ROUTING, 'web', ['grpc', 'ratings.store.local:50051', 'store.Ratings/Submit']);
    expect(summary(submit)).toMatchObject({ route: 'ratings-write', targets: ['ratings-v2 100.0%'] });
    expect(submit.hops[0].policy?.timeout).toBe('4 s per request');
  });

  test('gRPC from a proxyless client: the listener named after the service, gRPC retry conditions and max_stream_duration', () => {
    const s = sim(ROUTING, 'web', ['grpc', 'xds:///ratings.store.local', 'store.Ratings/Get']);
    expect(s.view).toBe('proxyless');
    expect(summary(s)).toMatchObject({ route: 'ratings-read', targets: ['ratings-v1 90.0%', 'ratings-v2 10.0%'] });
    expect(s.hops[0].policy).toEqual({
      timeout: '3 s (max_stream_duration: the call\'s deadline is at most this)',
      retry: { retryOn: ['unavailable', 'resource-exhausted'], numRetries: 3, notes: ['at most 4 attempts', 'exponential back-off from 0.025 s'] },
    });
    // A port in an xds:/// target names another Listener, which this node is not served.
    const withPort = sim(ROUTING, 'web', ['grpc', 'xds:///ratings.store.local:50051', 'store.Ratings/Get']);
    expect(withPort.outcome).toBe('refused');
    expect(withPort.reason).toContain('no Listener named "ratings.store.local:50051"');
    expect(withPort.reason).toContain('this node may dial xds:///catalog.store.local, xds:///ratings.store.local');
  });
});

describe('gateway example (mesh edge), from ingress-gw', () => {
  test('shop-preview: the prefix is rewritten to / and Host to the service, then the shop router splits 80/20', () => {
    const s = sim(GATEWAY, 'ingress-gw', ['GET', 'http://www.example.com:8080/shop/cart?id=7', '-H', 'x-preview: green']);
    expect(s.hops.map(h => h.listener)).toEqual(['lds_ingress_0.0.0.0_8080', 'lds_egress_0.0.0.0_15001']);
    const [ingress, egress] = s.hops;
    expect(summary(s)).toMatchObject({ outcome: 'routed', route: 'shop-split', targets: ['shop-blue 80.0%', 'shop-green 20.0%'] });
    expect(ingress.routes.map(r => `${r.name}: ${r.matched}`)).toEqual(['docs-host: false', 'shop-preview_exact: false', 'shop-preview: true']);
    expect(ingress.rewrite).toEqual({
      path: { from: '/shop/cart?id=7', to: '/cart?id=7', by: 'prefix_rewrite "/"' },
      authority: { from: 'www.example.com:8080', to: 'shop.edge.local' },
    });
    expect(ingress.next).toBe('cluster cds_ingress_edge_ingress-gw_self_redirect_8080_http_15001 sends to 127.0.0.1:15001, '
      + 'this node\'s own listener lds_egress_0.0.0.0_15001: the request is routed again there');
    expect(egress.request).toEqual({ method: 'GET', authority: 'shop.edge.local', path: '/cart?id=7' });
    expect(egress.virtualHost?.name).toBe('shop.edge.local');
    expect(s.targets.map(t => t.weight)).toEqual([80, 20]);
  });

  test('without x-preview the shop route takes it; the bare /shop path takes the exact twin route', () => {
    const plain = sim(GATEWAY, 'ingress-gw', ['GET', 'http://www.example.com:8080/shop/cart']);
    expect(plain.hops[0].route).toBe('shop');
    expect(whyNot(plain, 'shop-preview', 0)).toEqual(['header x-preview: exact "green": absent']);
    const bare = sim(GATEWAY, 'ingress-gw', ['GET', 'http://www.example.com:8080/shop']);
    expect(bare.hops[0].route).toBe('shop_exact');
    expect(bare.hops[0].rewrite?.path).toEqual({ from: '/shop', to: '/', by: 'prefix_rewrite "/"' });
  });

  test('the gateway normalizes the path before routing', () => {
    const s = sim(GATEWAY, 'ingress-gw', ['GET', 'http://www.example.com:8080/docs/../shop//cart']);
    expect(s.hops[0].normalizedPath).toBe('/shop/cart');
    expect(s.hops[0].route).toBe('shop');
  });

  test('hostname match: docs.example.com (any port) → docs, Host rewritten', () => {
    const s = sim(GATEWAY, 'ingress-gw', ['GET', 'http://docs.example.com:8080/guide']);
    expect(summary(s)).toMatchObject({ targets: ['docs 100.0%'] });
    expect(s.hops[0].route).toBe('docs-host');
    expect(s.hops[0].rewrite?.authority).toEqual({ from: 'docs.example.com:8080', to: 'docs.edge.local' });
    const other = sim(GATEWAY, 'ingress-gw', ['GET', 'http://docs.example.org:8080/guide']);
    expect(whyNot(other, 'docs-host', 0)).toEqual(['pseudo-header :authority: regex ^docs\\.example\\.com(:\\d+)?$ vs "docs.example.org:8080"']);
    expect(other.outcome).toBe('no-route');
  });

  test('the gRPC listener: search by service name; nothing else is routed on it', () => {
    const s = sim(GATEWAY, 'ingress-gw', ['grpc', 'search.example.com:8443', 'search.v1.Search/Query']);
    expect(summary(s)).toMatchObject({ outcome: 'routed', targets: ['search 100.0%'] });
    expect(s.hops[0].listener).toBe('lds_ingress_0.0.0.0_8443');
    const other = sim(GATEWAY, 'ingress-gw', ['grpc', 'search.example.com:8443', 'shop.v1.Shop/Buy']);
    expect(other.outcome).toBe('no-route');
    expect(whyNot(other, 'search', 0)).toEqual(['prefix "/search.v1.Search/" vs path "/shop.v1.Shop/Buy"']);
  });

  test('a port the gateway does not listen on is refused', () => {
    const s = sim(GATEWAY, 'ingress-gw', ['GET', 'http://www.example.com:9000/shop/']);
    expect(s.outcome).toBe('refused');
    expect(s.reason).toMatch(/^no listener of this node takes connections to port 9000; its listeners: /);
  });
});

describe('canary and mtls examples', () => {
  test('canary: serviceA → serviceb.apps.local splits 75/25, in both views', () => {
    for (const request of [['GET', 'http://serviceb.apps.local:8080/'], ['grpc', 'xds:///serviceb.apps.local', 'x.Y/Z']]) {
      expect(summary(sim(CANARY, 'serviceA', request)).targets).toEqual(['serviceB 75.0%', 'serviceBv2 25.0%']);
    }
  });

  test('mtls: payments → ledger presents its file certificate and checks the server name', () => {
    const s = sim(MTLS, 'payments', ['POST', 'http://ledger.bank.local:8443/transfers']);
    expect(s.outcome).toBe('routed');
    expect(s.targets[0].tls).toBe('TLS: presents a certificate from file /etc/mesh/certs/payments.pem; '
      + 'verifies the server against CA file /etc/mesh/certs/ca.pem; server SAN DNS exact "ledger.bank.local"');
  });

  test('endpoints given: EDS targets list them', () => {
    const s = sim(CANARY, 'serviceA', ['GET', 'http://serviceb.apps.local:8080/'], {
      serviceB: [{ address: '10.0.0.1', port: 8080, zone: 'a' }, { address: '10.0.0.2', port: 8080, zone: 'b' }],
    });
    expect(s.targets[0]).toMatchObject({ discovery: 'EDS: 2 endpoint(s)', endpoints: ['10.0.0.1:8080 (zone a)', '10.0.0.2:8080 (zone b)'] });
  });
});
