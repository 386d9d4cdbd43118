import {
  gateway, gatewayMesh, gatewayRoute, httpGatewayRouteSpec, httpRouteSpec, issueLines, listeningNode, MESH, meshDoc,
  node, route, routedMesh, router, service, warningLines,
} from './fixtures';
import { GatewayRouteSpec, HttpGatewayRoute, HttpRoute, MeshSpecDocument, RouteSpec, VirtualNodeResource } from '../../src/spec';

/** The document of `routedMesh()` with one route `r/x` of the given spec. */
function withRoute(spec: RouteSpec, parts: Parameters<typeof routedMesh>[0] = {}): MeshSpecDocument {
  return routedMesh({ routes: [route('r', 'x', spec)], ...parts });
}

/** An httpRoute to node `a` with the given match and extra fields. */
function http(match: HttpRoute['match'], extra: Partial<HttpRoute> = {}): RouteSpec {
  return { httpRoute: { match, action: { weightedTargets: [{ virtualNode: 'a', weight: 1 }] }, ...extra } };
}

/** The document of `gatewayMesh()` with one gateway route `gw/g` of the given spec. */
function withGatewayRoute(spec: GatewayRouteSpec, parts: Parameters<typeof gatewayMesh>[0] = {}): MeshSpecDocument {
  return gatewayMesh({ gatewayRoutes: [gatewayRoute('gw', 'g', spec)], ...parts });
}

/** An HTTP gateway route to `svc` with the given match and rewrite. */
function gatewayHttp(match: HttpGatewayRoute['match'], rewrite?: NonNullable<HttpGatewayRoute['action']['rewrite']>): GatewayRouteSpec {
  return { httpRoute: { match, action: { target: { virtualService: { virtualServiceName: 'svc' } }, rewrite } } };
}

/** A mesh with node `n` built from `spec` (plus DNS discovery) and nothing else. */
function withNode(spec: VirtualNodeResource['spec']): MeshSpecDocument {
  return meshDoc({ virtualNodes: [node('n', { serviceDiscovery: { dns: { hostname: 'n.local' } }, ...spec })] });
}

const R = 'routes["r/x"]';
const G = 'gatewayRoutes["gw/g"]';
const NOT_DISTRIBUTED = 'App Mesh accepted such a route and did not distribute it; no proxy receives it';

/** A warning rule: the document is valid (no errors) and has exactly `expected` as warnings. */
function expectOnlyWarnings(doc: MeshSpecDocument, expected: string[]): void {
  expect(issueLines(doc)).toEqual([]);
  expect(warningLines(doc)).toEqual(expected);
}

describe('the fixtures are valid on their own', () => {
  test.each([
    ['routed mesh with an http route', withRoute(httpRouteSpec('a'))],
    ['gateway mesh with an http gateway route', withGatewayRoute(httpGatewayRouteSpec('svc'))],
  ])('%s', (_name, doc) => {
    expect(issueLines(doc)).toEqual([]);
  });
});

describe('route rules', () => {
  test('route-kind-exactly-one: no kind', () => {
    expect(issueLines(withRoute({}))).toEqual([
      `${R}.spec: a route needs exactly one of httpRoute, http2Route, grpcRoute, tcpRoute; none is set`,
    ]);
  });

  test('route-kind-exactly-one: two kinds', () => {
    const spec = { ...httpRouteSpec('a'), tcpRoute: { action: { weightedTargets: [{ virtualNode: 'a', weight: 1 }] } } };
    expect(issueLines(withRoute(spec))).toEqual([
      `${R}.spec: a route needs exactly one of httpRoute, http2Route, grpcRoute, tcpRoute; httpRoute and tcpRoute are set`,
    ]);
  });

  test('route-parent-exists', () => {
    expect(issueLines(routedMesh({ routes: [route('nope', 'x', httpRouteSpec('a'))] }))).toEqual([
      'routes["nope/x"].virtualRouterName: virtual router "nope" does not exist in mesh "demo"',
    ]);
  });

  test('route-match-port: a router with several listeners needs match.port', () => {
    const doc = withRoute(httpRouteSpec('a'), { virtualRouters: [router('r', ['http', 8080], ['http', 8081])] });
    expect(issueLines(doc)).toEqual([
      `${R}.spec.httpRoute.match.port: virtual router "r" has 2 listeners (ports 8080, 8081), so the route must set match.port`,
    ]);
  });

  test('route-match-port-is-listener: a match.port without a router listener is a warning', () => {
    expectOnlyWarnings(withRoute(http({ prefix: '/', port: 9999 })), [
      `route-match-port-is-listener ${R}.spec.httpRoute.match.port: port 9999 is not a listener port of virtual router "r" (listener ports: 8080); ${NOT_DISTRIBUTED}`,
    ]);
  });

  test('route-protocol-matches-listener: a grpc route on an http router is a warning', () => {
    const spec: RouteSpec = { grpcRoute: { match: { serviceName: 'demo.Svc' }, action: { weightedTargets: [{ virtualNode: 'a', weight: 1 }] } } };
    expectOnlyWarnings(withRoute(spec), [
      `route-protocol-matches-listener ${R}.spec.grpcRoute: grpcRoute needs a listener of protocol grpc, but the listener of virtual router "r" on port 8080 is http; ${NOT_DISTRIBUTED}`,
    ]);
  });

  test('route-protocol-matches-listener: match.port picks a listener of another protocol', () => {
    const doc = withRoute(http({ prefix: '/', port: 9090 }), { virtualRouters: [router('r', ['http', 8080], ['grpc', 9090])] });
    expectOnlyWarnings(doc, [
      `route-protocol-matches-listener ${R}.spec.httpRoute: httpRoute needs a listener of protocol http, but the listener of virtual router "r" on port 9090 is grpc; ${NOT_DISTRIBUTED}`,
    ]);
  });

  test('a route that fits its listener has no warning', () => {
    const doc = withRoute(http({ prefix: '/', port: 9090 }), { virtualRouters: [router('r', ['grpc', 8080], ['http', 9090])] });
    expectOnlyWarnings(doc, []);
  });

  test('weighted-target-exists', () => {
    expect(issueLines(withRoute(httpRouteSpec('a', 'ghost')))).toEqual([
      `${R}.spec.httpRoute.action.weightedTargets[1].virtualNode: virtual node "ghost" does not exist in mesh "demo"`,
    ]);
  });

  test('weighted-target-port', () => {
    const spec: RouteSpec = { tcpRoute: { action: { weightedTargets: [{ virtualNode: 'a', weight: 1, port: 9000 }] } } };
    const doc = withRoute(spec, { virtualRouters: [router('r', ['tcp', 7000])] });
    expect(issueLines(doc)).toEqual([
      `${R}.spec.tcpRoute.action.weightedTargets[0].port: port 9000 is not a listener port of virtual node "a" (listener ports: 8080)`,
    ]);
  });

  test('weighted-target-port: a node without listeners has no ports', () => {
    const spec: RouteSpec = { tcpRoute: { action: { weightedTargets: [{ virtualNode: 'quiet', weight: 1, port: 80 }] } } };
    const doc = withRoute(spec, { virtualNodes: [listeningNode('a'), node('quiet')], virtualRouters: [router('r', ['tcp', 7000])] });
    expect(issueLines(doc)).toEqual([
      `${R}.spec.tcpRoute.action.weightedTargets[0].port: port 80 is not a listener port of virtual node "quiet" (it has no listeners)`,
    ]);
  });

  test('weights-not-all-zero: all weights 0 is a warning', () => {
    const spec: RouteSpec = { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'a', weight: 0 }, { virtualNode: 'a', weight: 0 }] } } };
    expectOnlyWarnings(withRoute(spec), [
      `weights-not-all-zero ${R}.spec.httpRoute.action.weightedTargets: every weight is 0, so the route sends no traffic; App Mesh accepted it, `
        + 'but Envoy refuses weights that add up to 0, so the route is not distributed and its requests go to the next matching route, if any',
    ]);
  });

  test('weights-not-all-zero: one weight above 0 is enough', () => {
    const spec: RouteSpec = { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'a', weight: 0 }, { virtualNode: 'a', weight: 1 }] } } };
    expectOnlyWarnings(withRoute(spec), []);
  });

  test('retry-events-required: HTTP', () => {
    const retryPolicy = { maxRetries: 2, perRetryTimeout: { unit: 'ms' as const, value: 100 } };
    expect(issueLines(withRoute(http({ prefix: '/' }, { retryPolicy })))).toEqual([
      `${R}.spec.httpRoute.retryPolicy: a retry policy needs at least one of httpRetryEvents, tcpRetryEvents`,
    ]);
  });

  test('retry-events-required: gRPC', () => {
    const spec: RouteSpec = {
      grpcRoute: {
        match: { serviceName: 'demo.Svc' },
        action: { weightedTargets: [{ virtualNode: 'a', weight: 1 }] },
        retryPolicy: { maxRetries: 2, perRetryTimeout: { unit: 'ms', value: 100 } },
      },
    };
    const doc = withRoute(spec, { virtualRouters: [router('r', ['grpc', 8080])] });
    expect(issueLines(doc)).toEqual([
      `${R}.spec.grpcRoute.retryPolicy: a retry policy needs at least one of grpcRetryEvents, httpRetryEvents, tcpRetryEvents`,
    ]);
  });

  test('route-durations-complete', () => {
    const retryPolicy = { maxRetries: 1, perRetryTimeout: { value: 100 }, httpRetryEvents: ['server-error'] };
    expect(issueLines(withRoute(http({ prefix: '/' }, { retryPolicy, timeout: { idle: {} } } as Partial<HttpRoute>)))).toEqual([
      `${R}.spec.httpRoute.timeout.idle: a duration needs both unit and value; unit and value are missing`,
      `${R}.spec.httpRoute.retryPolicy.perRetryTimeout: a duration needs both unit and value; unit is missing`,
    ]);
  });

  test('http-retry-event-values', () => {
    const retryPolicy = { maxRetries: 2, perRetryTimeout: { unit: 'ms' as const, value: 100 }, httpRetryEvents: ['server-error', '5xx'] };
    expect(issueLines(withRoute(http({ prefix: '/' }, { retryPolicy })))).toEqual([
      `${R}.spec.httpRoute.retryPolicy.httpRetryEvents[1]: "5xx" is not an HTTP retry event (server-error, gateway-error, client-error, stream-error)`,
    ]);
  });

  const grpcDoc = (match: NonNullable<RouteSpec['grpcRoute']>['match']) => withRoute(
    { grpcRoute: { match, action: { weightedTargets: [{ virtualNode: 'a', weight: 1 }] } } },
    { virtualRouters: [router('r', ['grpc', 8080])] });

  test('grpc-method-needs-service', () => {
    expect(issueLines(grpcDoc({ methodName: 'Get' }))).toEqual([
      `${R}.spec.grpcRoute.match.methodName: methodName needs serviceName (a method is matched within a service)`,
    ]);
  });

  test('grpc-match-not-empty', () => {
    expect(issueLines(grpcDoc({}))).toEqual([
      `${R}.spec.grpcRoute.match: a gRPC route match needs at least one of serviceName, methodName, metadata, port`,
    ]);
    expect(issueLines(grpcDoc({ port: 8080 }))).toEqual([]);
  });

  test('http-match-path: neither prefix nor path', () => {
    expect(issueLines(withRoute(http({ method: 'GET' })))).toEqual([
      `${R}.spec.httpRoute.match: an HTTP route match needs exactly one of prefix, path; none is set`,
    ]);
  });

  test('http-match-path: both prefix and path', () => {
    expect(issueLines(withRoute(http({ prefix: '/', path: { exact: '/a' } })))).toEqual([
      `${R}.spec.httpRoute.match: an HTTP route match needs exactly one of prefix, path; prefix and path are set`,
    ]);
  });

  test('http-match-path: a path match sets exactly one of exact and regex', () => {
    const spec: RouteSpec = { http2Route: { match: { path: { exact: '/a', regex: '/a.*' } }, action: { weightedTargets: [{ virtualNode: 'a', weight: 1 }] } } };
    expect(issueLines(withRoute(spec, { virtualRouters: [router('r', ['http2', 8080])] }))).toEqual([
      `${R}.spec.http2Route.match.path: a path match needs exactly one of exact, regex; exact and regex are set`,
    ]);
  });

  test('path-starts-with-slash: prefix, including the empty prefix', () => {
    expect(issueLines(withRoute(http({ prefix: 'api' })))).toEqual([`${R}.spec.httpRoute.match.prefix: the prefix "api" must start with "/"`]);
    expect(issueLines(withRoute(http({ prefix: '' })))).toEqual([`${R}.spec.httpRoute.match.prefix: the prefix "" must start with "/"`]);
  });

  test('path-starts-with-slash: exact path', () => {
    expect(issueLines(withRoute(http({ path: { exact: 'status' } })))).toEqual([
      `${R}.spec.httpRoute.match.path.exact: the exact path "status" must start with "/"`,
    ]);
  });

  test('header-matchers: no pseudo-headers', () => {
    expect(issueLines(withRoute(http({ prefix: '/', headers: [{ name: ':authority', match: { exact: 'x' } }] })))).toEqual([
      `${R}.spec.httpRoute.match.headers[0].name: ":authority" is a pseudo-header; header names must not start with ":"`,
    ]);
  });

  test('header-matchers: a range needs start below end', () => {
    expect(issueLines(withRoute(http({ prefix: '/', headers: [{ name: 'x-n', match: { range: { start: 5, end: 5 } } }] })))).toEqual([
      `${R}.spec.httpRoute.match.headers[0].match.range: start 5 must be below end 5 (the end is exclusive)`,
    ]);
  });

  test('header-matchers: regexes must be RE2', () => {
    expect(issueLines(withRoute(http({ prefix: '/', headers: [{ name: 'x-v', match: { regex: '(?=v2)v2' } }] })))).toEqual([
      `${R}.spec.httpRoute.match.headers[0].match.regex: the regular expression "(?=v2)v2" is not valid RE2 (error parsing regexp: invalid or unsupported Perl syntax: \`(?=\`)`,
    ]);
    expect(issueLines(grpcDoc({ metadata: [{ name: 'x-v', match: { regex: '(a)\\1' } }] }))).toEqual([
      `${R}.spec.grpcRoute.match.metadata[0].match.regex: the regular expression "(a)\\\\1" is not valid RE2 (error parsing regexp: invalid escape sequence: \`\\1\`)`,
    ]);
  });

  test('http-match-path: a path regex must be RE2', () => {
    expect(issueLines(withRoute(http({ path: { regex: '/(?<!x)y' } })))).toEqual([
      `${R}.spec.httpRoute.match.path.regex: the regular expression "/(?<!x)y" is not valid RE2 (error parsing regexp: invalid named capture: \`(?<!x)y\`)`,
    ]);
  });

  test('header-matchers: gRPC metadata names', () => {
    expect(issueLines(grpcDoc({ metadata: [{ name: ':path' }] }))).toEqual([
      `${R}.spec.grpcRoute.match.metadata[0].name: ":path" is a pseudo-header; header names must not start with ":"`,
    ]);
  });
});

describe('virtual node rules', () => {
  test('node-listener-ports-unique', () => {
    expect(issueLines(meshDoc({ virtualNodes: [listeningNode('n', ['http', 8080], ['grpc', 8080])] }))).toEqual([
      'virtualNodes["n"].spec.listeners[1].portMapping.port: port 8080 is already used by listeners[0]; listener ports must be unique',
    ]);
  });

  test('node-listeners-need-service-discovery', () => {
    expect(issueLines(meshDoc({ virtualNodes: [node('n', { listeners: [{ portMapping: { protocol: 'http', port: 80 } }] })] }))).toEqual([
      'virtualNodes["n"].spec.serviceDiscovery: a virtual node with listeners needs serviceDiscovery (dns or awsCloudMap), or callers cannot find it',
    ]);
    expect(issueLines(meshDoc({ virtualNodes: [node('client-only')] }))).toEqual([]);
  });

  test('node-listener-protocol-keys: timeout', () => {
    const doc = withNode({ listeners: [{ portMapping: { protocol: 'http', port: 80 }, timeout: { grpc: { idle: { unit: 's', value: 1 } } } }] });
    expect(issueLines(doc)).toEqual([
      'virtualNodes["n"].spec.listeners[0].timeout.grpc: timeout grpc does not match the listener protocol http (use timeout.http)',
    ]);
  });

  test('node-listener-protocol-keys: connectionPool', () => {
    const doc = withNode({ listeners: [{ portMapping: { protocol: 'grpc', port: 80 }, connectionPool: { tcp: { maxConnections: 1 } } }] });
    expect(issueLines(doc)).toEqual([
      'virtualNodes["n"].spec.listeners[0].connectionPool.tcp: connectionPool tcp does not match the listener protocol grpc (use connectionPool.grpc)',
    ]);
  });

  test('node-health-check-path', () => {
    const healthCheck = { protocol: 'tcp' as const, path: '/health', intervalMillis: 5000, timeoutMillis: 2000, healthyThreshold: 2, unhealthyThreshold: 2 };
    expect(issueLines(withNode({ listeners: [{ portMapping: { protocol: 'tcp', port: 80 }, healthCheck }] }))).toEqual([
      'virtualNodes["n"].spec.listeners[0].healthCheck.path: a path is only used by http and http2 health checks, not tcp',
    ]);
  });

  test('node-durations-complete', () => {
    const outlierDetection = { maxServerErrors: 1, maxEjectionPercent: 10, interval: { unit: 's' as const }, baseEjectionDuration: { unit: 's' as const, value: 1 } };
    const doc = withNode({ listeners: [{ portMapping: { protocol: 'tcp', port: 80 }, outlierDetection, timeout: { tcp: { idle: { value: 5 } } } }] });
    expect(issueLines(doc)).toEqual([
      'virtualNodes["n"].spec.listeners[0].timeout.tcp.idle: a duration needs both unit and value; unit is missing',
      'virtualNodes["n"].spec.listeners[0].outlierDetection.interval: a duration needs both unit and value; value is missing',
    ]);
  });

  test('node-backend-exists', () => {
    const doc = meshDoc({
      virtualNodes: [node('n', { backends: [{ virtualService: { virtualServiceName: 'known' } }, { virtualService: { virtualServiceName: 'missing' } }] })],
      virtualServices: [service('known')],
    });
    expect(issueLines(doc)).toEqual([
      'virtualNodes["n"].spec.backends[1].virtualService.virtualServiceName: virtual service "missing" does not exist in mesh "demo"',
    ]);
  });
});

describe('virtual service, router and gateway rules', () => {
  test('service-provider-exists: node', () => {
    expect(issueLines(meshDoc({ virtualServices: [service('s', { node: 'ghost' })] }))).toEqual([
      'virtualServices["s"].spec.provider.virtualNode.virtualNodeName: virtual node "ghost" does not exist in mesh "demo"',
    ]);
  });

  test('service-provider-exists: router', () => {
    expect(issueLines(meshDoc({ virtualServices: [service('s', { router: 'ghost' })] }))).toEqual([
      'virtualServices["s"].spec.provider.virtualRouter.virtualRouterName: virtual router "ghost" does not exist in mesh "demo"',
    ]);
  });

  test('router-needs-listener', () => {
    expect(issueLines(meshDoc({ virtualRouters: [router('r')] }))).toEqual([
      'virtualRouters["r"].spec.listeners: a virtual router needs at least one listener; without one no route can match',
    ]);
  });

  test('router-listener-ports-unique', () => {
    expect(issueLines(meshDoc({ virtualRouters: [router('r', ['http', 80], ['tcp', 80])] }))).toEqual([
      'virtualRouters["r"].spec.listeners[1].portMapping.port: port 80 is already used by listeners[0]; listener ports must be unique',
    ]);
  });

  test('gateway-needs-listener', () => {
    expect(issueLines(meshDoc({ virtualGateways: [{ meshName: MESH, virtualGatewayName: 'gw', spec: { listeners: [] } }] }))).toEqual([
      'virtualGateways["gw"].spec.listeners: a virtual gateway needs at least one listener',
    ]);
  });

  test('gateway-listener-ports-unique', () => {
    expect(issueLines(meshDoc({ virtualGateways: [gateway('gw', ['http', 80], ['grpc', 80])] }))).toEqual([
      'virtualGateways["gw"].spec.listeners[1].portMapping.port: port 80 is already used by listeners[0]; listener ports must be unique',
    ]);
  });

  test('gateway-listener-protocol-keys', () => {
    const spec = { listeners: [{ portMapping: { protocol: 'http2' as const, port: 80 }, connectionPool: { http: { maxConnections: 1 } } }] };
    expect(issueLines(meshDoc({ virtualGateways: [{ meshName: MESH, virtualGatewayName: 'gw', spec }] }))).toEqual([
      'virtualGateways["gw"].spec.listeners[0].connectionPool.http: connectionPool http does not match the listener protocol http2 (use connectionPool.http2)',
    ]);
  });

  test('gateway-health-check-path', () => {
    const healthCheck = { protocol: 'grpc' as const, path: '/', intervalMillis: 5000, timeoutMillis: 2000, healthyThreshold: 2, unhealthyThreshold: 2 };
    const spec = { listeners: [{ portMapping: { protocol: 'grpc' as const, port: 80 }, healthCheck }] };
    expect(issueLines(meshDoc({ virtualGateways: [{ meshName: MESH, virtualGatewayName: 'gw', spec }] }))).toEqual([
      'virtualGateways["gw"].spec.listeners[0].healthCheck.path: a path is only used by http and http2 health checks, not grpc',
    ]);
  });
});

describe('gateway route rules', () => {
  const grpcTo = (match: NonNullable<GatewayRouteSpec['grpcRoute']>['match']): GatewayRouteSpec =>
    ({ grpcRoute: { match, action: { target: { virtualService: { virtualServiceName: 'svc' } } } } });
  const grpcGateway = { virtualGateways: [gateway('gw', ['grpc', 8080])] };

  test('gateway-route-kind-exactly-one', () => {
    expect(issueLines(withGatewayRoute({}))).toEqual([
      `${G}.spec: a gateway route needs exactly one of httpRoute, http2Route, grpcRoute; none is set`,
    ]);
  });

  test('gateway-route-parent-exists', () => {
    expect(issueLines(gatewayMesh({ gatewayRoutes: [gatewayRoute('nope', 'g', httpGatewayRouteSpec('svc'))] }))).toEqual([
      'gatewayRoutes["nope/g"].virtualGatewayName: virtual gateway "nope" does not exist in mesh "demo"',
    ]);
  });

  test('gateway-route-match-port: several gateway listeners need match.port (also with a hostname match)', () => {
    const doc = withGatewayRoute(gatewayHttp({ prefix: '/', hostname: { exact: 'a.example.com' } }), { virtualGateways: [gateway('gw', ['http', 8080], ['http', 8443])] });
    expect(issueLines(doc)).toEqual([
      `${G}.spec.httpRoute.match.port: virtual gateway "gw" has 2 listeners (ports 8080, 8443), so the route must set match.port`,
    ]);
  });

  test('gateway-route-match-port-is-listener: a match.port without a gateway listener is a warning', () => {
    expectOnlyWarnings(withGatewayRoute(gatewayHttp({ prefix: '/', port: 1234 })), [
      `gateway-route-match-port-is-listener ${G}.spec.httpRoute.match.port: port 1234 is not a listener port of virtual gateway "gw" (listener ports: 8080); ${NOT_DISTRIBUTED}`,
    ]);
  });

  test('gateway-route-protocol-matches-listener: a grpc gateway route on an http gateway is a warning', () => {
    expectOnlyWarnings(withGatewayRoute(grpcTo({ serviceName: 'demo.Svc' })), [
      `gateway-route-protocol-matches-listener ${G}.spec.grpcRoute: grpcRoute needs a listener of protocol grpc, but the listener of virtual gateway "gw" on port 8080 is http; ${NOT_DISTRIBUTED}`,
    ]);
  });

  test('gateway-route-target-exists', () => {
    expect(issueLines(withGatewayRoute(httpGatewayRouteSpec('ghost')))).toEqual([
      `${G}.spec.httpRoute.action.target.virtualService.virtualServiceName: virtual service "ghost" does not exist in mesh "demo"`,
    ]);
  });

  test('gateway-route-target-port: required when the provider has several listeners', () => {
    const doc = withGatewayRoute(httpGatewayRouteSpec('svc'), { virtualNodes: [listeningNode('a', ['http', 8080], ['grpc', 9090])] });
    expect(issueLines(doc)).toEqual([
      `${G}.spec.httpRoute.action.target.port: the provider of virtual service "svc" has 2 listeners (ports 8080, 9090), so the target must set port`,
    ]);
  });

  test('gateway-route-target-port: must be a provider listener port (router provider)', () => {
    const spec: GatewayRouteSpec = { httpRoute: { match: { prefix: '/' }, action: { target: { virtualService: { virtualServiceName: 'routed' }, port: 81 } } } };
    const doc = withGatewayRoute(spec, {
      virtualRouters: [router('r', ['http', 8080])],
      virtualServices: [service('svc', { node: 'a' }), service('routed', { router: 'r' })],
    });
    expect(issueLines(doc)).toEqual([
      `${G}.spec.httpRoute.action.target.port: port 81 is not a listener port of the provider of virtual service "routed" (listener ports: 8080)`,
    ]);
  });

  test('gateway-grpc-match-not-empty', () => {
    expect(issueLines(withGatewayRoute(grpcTo({}), grpcGateway))).toEqual([
      `${G}.spec.grpcRoute.match: a gRPC gateway route match needs at least one of serviceName, hostname, metadata, port`,
    ]);
    expect(issueLines(withGatewayRoute(grpcTo({ hostname: { suffix: '.example.com' } }), grpcGateway))).toEqual([]);
  });

  test('gateway-match-shape: prefix and path together', () => {
    expect(issueLines(withGatewayRoute(gatewayHttp({ prefix: '/', path: { regex: '/a.*' } })))).toEqual([
      `${G}.spec.httpRoute.match: a gateway route match sets at most one of prefix, path; both are set`,
    ]);
  });

  test('gateway-match-shape: a hostname match sets exactly one of exact and suffix', () => {
    expect(issueLines(withGatewayRoute(gatewayHttp({ hostname: {} })))).toEqual([
      `${G}.spec.httpRoute.match.hostname: a hostname match needs exactly one of exact, suffix; none is set`,
    ]);
  });

  test('gateway-match-shape: a path match sets exactly one of exact and regex', () => {
    expect(issueLines(withGatewayRoute(gatewayHttp({ path: {} })))).toEqual([
      `${G}.spec.httpRoute.match.path: a path match needs exactly one of exact, regex; none is set`,
    ]);
  });

  test('gateway-path-starts-with-slash: an empty gateway prefix is rejected', () => {
    expect(issueLines(withGatewayRoute(gatewayHttp({ prefix: '' })))).toEqual([`${G}.spec.httpRoute.match.prefix: the prefix "" must start with "/"`]);
  });

  test('gateway-path-starts-with-slash: exact path', () => {
    expect(issueLines(withGatewayRoute(gatewayHttp({ path: { exact: 'x' } })))).toEqual([
      `${G}.spec.httpRoute.match.path.exact: the exact path "x" must start with "/"`,
    ]);
  });

  test('gateway-reserved-names: /aws-appmesh paths', () => {
    expect(issueLines(withGatewayRoute(gatewayHttp({ prefix: '/aws-appmesh/' })))).toEqual([
      `${G}.spec.httpRoute.match.prefix: "/aws-appmesh/" is reserved: paths starting with /aws-appmesh belong to App Mesh`,
    ]);
    expect(issueLines(withGatewayRoute(gatewayHttp({ path: { exact: '/aws-appmesh-stats' } })))).toEqual([
      `${G}.spec.httpRoute.match.path.exact: "/aws-appmesh-stats" is reserved: paths starting with /aws-appmesh belong to App Mesh`,
    ]);
  });

  test('gateway-reserved-names: aws.appmesh gRPC services', () => {
    expect(issueLines(withGatewayRoute(grpcTo({ serviceName: 'aws.appmesh.Health' }), grpcGateway))).toEqual([
      `${G}.spec.grpcRoute.match.serviceName: "aws.appmesh.Health" is reserved: gRPC services starting with aws.appmesh belong to App Mesh`,
    ]);
  });

  test('gateway-prefix-rewrite: needs a prefix match', () => {
    expect(issueLines(withGatewayRoute(gatewayHttp({ path: { exact: '/a' } }, { prefix: { value: '/b/' } })))).toEqual([
      `${G}.spec.httpRoute.action.rewrite.prefix: a prefix rewrite needs a prefix match (match.prefix)`,
    ]);
  });

  test('gateway-prefix-rewrite: the matched prefix ends with "/" when a value replaces it', () => {
    expect(issueLines(withGatewayRoute(gatewayHttp({ prefix: '/api' }, { prefix: { value: '/v2/' } })))).toEqual([
      `${G}.spec.httpRoute.match.prefix: the prefix "/api" must end with "/" when the route rewrites the prefix`,
    ]);
  });

  test('gateway-prefix-rewrite: defaultPrefix DISABLED keeps the path and asks nothing of the prefix (aws-cdk-lib\'s startsWith(p, \'\'))', () => {
    expect(issueLines(withGatewayRoute(gatewayHttp({ prefix: '/api' }, { prefix: { defaultPrefix: 'DISABLED' } })))).toEqual([]);
  });

  test('gateway-prefix-rewrite: the replacement starts and ends with "/"', () => {
    expect(issueLines(withGatewayRoute(gatewayHttp({ prefix: '/api/' }, { prefix: { value: '/v2' } })))).toEqual([
      `${G}.spec.httpRoute.action.rewrite.prefix.value: the prefix rewrite "/v2" must start and end with "/"`,
    ]);
  });

  test('gateway-prefix-rewrite: exactly one of defaultPrefix and value', () => {
    expect(issueLines(withGatewayRoute(gatewayHttp({ prefix: '/api/' }, { prefix: { defaultPrefix: 'ENABLED', value: '/v2/' } })))).toEqual([
      `${G}.spec.httpRoute.action.rewrite.prefix: a prefix rewrite needs exactly one of defaultPrefix, value; defaultPrefix and value are set`,
    ]);
  });

  test('gateway-path-rewrite: needs a path match', () => {
    expect(issueLines(withGatewayRoute(gatewayHttp({ prefix: '/' }, { path: { exact: '/b' } })))).toEqual([
      `${G}.spec.httpRoute.action.rewrite.path: a path rewrite needs a path match (match.path)`,
    ]);
  });

  test('gateway-path-rewrite: needs exact', () => {
    expect(issueLines(withGatewayRoute(gatewayHttp({ path: { exact: '/a' } }, { path: {} })))).toEqual([
      `${G}.spec.httpRoute.action.rewrite.path.exact: a path rewrite needs exact: there is no default rewrite for path matches`,
    ]);
  });

  test('gateway-path-rewrite: exact starts with "/"', () => {
    expect(issueLines(withGatewayRoute(gatewayHttp({ path: { regex: '/a.*' } }, { path: { exact: 'b' } })))).toEqual([
      `${G}.spec.httpRoute.action.rewrite.path.exact: the path rewrite "b" must start with "/"`,
    ]);
  });

  test('gateway regexes must be RE2', () => {
    expect(issueLines(withGatewayRoute(gatewayHttp({ path: { regex: '/a++' } })))).toEqual([
      `${G}.spec.httpRoute.match.path.regex: the regular expression "/a++" is not valid RE2 (error parsing regexp: invalid nested repetition operator: \`++\`)`,
    ]);
  });

  test('gateway-header-matchers', () => {
    expect(issueLines(withGatewayRoute(gatewayHttp({ prefix: '/', headers: [{ name: ':method', match: { exact: 'GET' } }] })))).toEqual([
      `${G}.spec.httpRoute.match.headers[0].name: ":method" is a pseudo-header; header names must not start with ":"`,
    ]);
    expect(issueLines(withGatewayRoute(grpcTo({ metadata: [{ name: 'n', match: { range: { start: 9, end: 1 } } }] }), grpcGateway))).toEqual([
      `${G}.spec.grpcRoute.match.metadata[0].match.range: start 9 must be below end 1 (the end is exclusive)`,
    ]);
  });
});
