import { meshDoc, named, routedMesh, vhostRoutes } from './spec-builder';
import { HttpRoute, RouteSpec } from '../../../src/spec/appmesh-types';
import { translateNode } from '../../src/translate';
import { DEFAULT_RETRY_POLICY, HOST_SELECTION_RETRY_MAX_ATTEMPTS } from '../../src/translate/defaults';
import { ProtoJson } from '../../src/translate/types';

const target = { weightedTargets: [{ virtualNode: 'v1', weight: 1 }] };

function httpRoute(route: Partial<HttpRoute>): RouteSpec {
  return { httpRoute: { match: { prefix: '/' }, action: target, ...route } };
}

/** Renders `client` with the given router routes and returns the routes of vhost `svc`. */
function clientRoutes(routes: Record<string, RouteSpec>): ProtoJson[] {
  const config = translateNode({ spec: routedMesh(routes), nodeId: 'mesh/m/virtualNode/client' });
  return vhostRoutes(config.envoy, 'rds_egress_http_8080', 'svc');
}

function only(routes: Record<string, RouteSpec>): ProtoJson {
  const rendered = clientRoutes(routes);
  expect(rendered).toHaveLength(1);
  return rendered[0];
}

const action = (route: ProtoJson) => route.route as ProtoJson;

describe('route matches', () => {
  test('prefix', () => {
    expect(only({ a: httpRoute({ match: { prefix: '/api/' } }) }).match).toEqual({ prefix: '/api/' });
  });

  test('exact path', () => {
    expect(only({ a: httpRoute({ match: { path: { exact: '/status' } } }) }).match).toEqual({ path: '/status' });
  });

  test('regex path', () => {
    expect(only({ a: httpRoute({ match: { path: { regex: '/v[0-9]+/.*' } } }) }).match).toEqual({ safe_regex: { regex: '/v[0-9]+/.*' } });
  });

  test('method and scheme become pseudo-header matches', () => {
    expect(only({ a: httpRoute({ match: { prefix: '/', method: 'PUT', scheme: 'https' } }) }).match).toEqual({
      prefix: '/',
      headers: [
        { name: ':method', string_match: { exact: 'PUT' } },
        { name: ':scheme', string_match: { exact: 'https' } },
      ],
    });
  });

  test('every header match kind, invert and presence', () => {
    const match = only({
      a: httpRoute({
        match: {
          prefix: '/',
          headers: [
            { name: 'e', match: { exact: 'x' } },
            { name: 'p', match: { prefix: 'pre' } },
            { name: 's', match: { suffix: 'suf' } },
            { name: 'r', match: { regex: '^a+$' } },
            { name: 'n', match: { range: { start: 10, end: 20 } } },
            { name: 'i', invert: true, match: { exact: 'no' } },
            { name: 'present' },
          ],
        },
      }),
    }).match as ProtoJson;
    expect(match.headers).toEqual([
      { name: 'e', string_match: { exact: 'x' } },
      { name: 'p', string_match: { prefix: 'pre' } },
      { name: 's', string_match: { suffix: 'suf' } },
      { name: 'r', string_match: { safe_regex: { regex: '^a+$' } } },
      { name: 'n', range_match: { start: 10, end: 20 } },
      { name: 'i', string_match: { exact: 'no' }, invert_match: true },
      { name: 'present', present_match: true },
    ]);
  });

  test('query parameters: exact and presence', () => {
    const match = only({ a: httpRoute({ match: { prefix: '/', queryParameters: [{ name: 'q', match: { exact: '1' } }, { name: 'flag' }] } }) }).match as ProtoJson;
    expect(match.query_parameters).toEqual([{ name: 'q', string_match: { exact: '1' } }, { name: 'flag', present_match: true }]);
  });

  test('gRPC service + method, service only, neither, metadata', () => {
    const spec = meshDoc({
      nodes: {
        client: { backends: [{ virtualService: { virtualServiceName: 'g' } }] },
        s: { listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }], serviceDiscovery: { dns: { hostname: 's' } } },
      },
      services: { g: { provider: { virtualRouter: { virtualRouterName: 'r' } } } },
      routers: { r: { listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }] } },
      routes: {
        'r/method': { grpcRoute: { match: { serviceName: 'pkg.Svc', methodName: 'Get', metadata: [{ name: 'x-t', match: { prefix: 'a' } }] }, action: { weightedTargets: [{ virtualNode: 's', weight: 1 }] } } },
        'r/service': { grpcRoute: { match: { serviceName: 'pkg.Svc' }, action: { weightedTargets: [{ virtualNode: 's', weight: 1 }] } } },
        'r/any': { grpcRoute: { match: {}, action: { weightedTargets: [{ virtualNode: 's', weight: 1 }] } } },
      },
    });
    const routes = vhostRoutes(translateNode({ spec, nodeId: 'mesh/m/virtualNode/client' }).envoy, 'rds_egress_grpc_50051', 'g');
    expect(routes.map(r => [r.name, r.match])).toEqual([
      ['method', { path: '/pkg.Svc/Get', headers: [{ name: 'x-t', string_match: { prefix: 'a' } }] }],
      ['service', { prefix: '/pkg.Svc/' }],
      ['any', { prefix: '/' }],
    ]);
  });
});

describe('route order', () => {
  test('priority first (0 first), then longer matches, then name', () => {
    const routes = clientRoutes({
      z: httpRoute({ match: { prefix: '/' } }),
      long: httpRoute({ match: { prefix: '/a/b/c' } }),
      short: httpRoute({ match: { prefix: '/a' } }),
      m: httpRoute({ match: { prefix: '/' } }),
      b: httpRoute({ match: { prefix: '/' } }),
    });
    expect(routes.map(r => r.name)).toEqual(['long', 'short', 'b', 'm', 'z']);
    const withPriority = clientRoutes({
      z: httpRoute({ match: { prefix: '/' } }),
      long: httpRoute({ match: { prefix: '/a/b/c' } }),
      p5: { ...httpRoute({}), priority: 5 },
      p0: { ...httpRoute({}), priority: 0 },
    });
    expect(withPriority.map(r => r.name)).toEqual(['p0', 'p5', 'long', 'z']);
  });
});

describe('weighted clusters', () => {
  test('weights over cds_egress clusters; zero weights stay; duplicates merge', () => {
    const route = only({
      a: httpRoute({ action: { weightedTargets: [{ virtualNode: 'v1', weight: 60 }, { virtualNode: 'v2', weight: 0 }, { virtualNode: 'v1', weight: 10 }] } }),
    });
    expect(action(route).weighted_clusters).toEqual({
      clusters: [
        { name: 'cds_egress_m_v1_http_8080', weight: { value: 70 } },
        { name: 'cds_egress_m_v2_http_8080', weight: { value: 0 } },
      ],
    });
  });

  test('a route whose targets do not exist or weigh nothing is left out', () => {
    expect(clientRoutes({
      ghost: httpRoute({ action: { weightedTargets: [{ virtualNode: 'ghost', weight: 1 }] } }),
      zero: httpRoute({ action: { weightedTargets: [{ virtualNode: 'v1', weight: 0 }] } }),
    })).toEqual([]);
  });

  test('target port picks the listener of a multi-listener node', () => {
    const spec = routedMesh({ a: httpRoute({ action: { weightedTargets: [{ virtualNode: 'multi', weight: 1, port: 9090 }] } }) }, {
      nodes: { multi: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }, { portMapping: { port: 9090, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'multi' } } } },
    });
    const routes = vhostRoutes(translateNode({ spec, nodeId: 'mesh/m/virtualNode/client' }).envoy, 'rds_egress_http_8080', 'svc');
    expect(action(routes[0]).weighted_clusters).toEqual({ clusters: [{ name: 'cds_egress_m_multi_http_9090', weight: { value: 1 } }] });
  });
});

describe('retry policies', () => {
  const retry = (policy: HttpRoute['retryPolicy']) => action(only({ a: httpRoute({ retryPolicy: policy }) })).retry_policy as ProtoJson;
  const base = { maxRetries: 4, perRetryTimeout: { unit: 'ms' as const, value: 1500 } };

  test.each([
    ['server-error', '', [500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511]],
    ['gateway-error', '', [502, 503, 504]],
    ['client-error', '', [409]],
  ])('http event %s → retriable status codes', (event, _unused, codes) => {
    const policy = retry({ ...base, httpRetryEvents: [event] });
    expect(policy.retry_on).toBe('retriable-status-codes');
    expect(policy.retriable_status_codes).toEqual(codes);
  });

  test('stream-error → refused-stream', () => {
    const policy = retry({ ...base, httpRetryEvents: ['stream-error'] });
    expect(policy.retry_on).toBe('refused-stream');
    expect(policy.retriable_status_codes).toBeUndefined();
  });

  test('tcp connection-error → connect-failure', () => {
    expect(retry({ ...base, tcpRetryEvents: ['connection-error'] }).retry_on).toBe('connect-failure');
  });

  test('gRPC events keep their names', () => {
    const spec = meshDoc({
      nodes: {
        client: { backends: [{ virtualService: { virtualServiceName: 'g' } }] },
        s: { listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }], serviceDiscovery: { dns: { hostname: 's' } } },
      },
      services: { g: { provider: { virtualRouter: { virtualRouterName: 'r' } } } },
      routers: { r: { listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }] } },
      routes: {
        'r/a': {
          grpcRoute: {
            match: {},
            action: { weightedTargets: [{ virtualNode: 's', weight: 1 }] },
            retryPolicy: { ...base, grpcRetryEvents: ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'] as never, httpRetryEvents: ['gateway-error'] },
          },
        },
      },
    });
    const route = vhostRoutes(translateNode({ spec, nodeId: 'mesh/m/virtualNode/client' }).envoy, 'rds_egress_grpc_50051', 'g')[0];
    expect((action(route).retry_policy as ProtoJson).retry_on).toBe('cancelled,deadline-exceeded,internal,resource-exhausted,unavailable,retriable-status-codes');
  });

  test('maxRetries, perRetryTimeout and the previous-hosts predicate', () => {
    expect(retry({ ...base, httpRetryEvents: ['stream-error'] })).toEqual({
      retry_on: 'refused-stream',
      num_retries: { value: 4 },
      per_try_timeout: { seconds: 1, nanos: 500_000_000 },
      retry_host_predicate: [{
        name: 'envoy.retry_host_predicates.previous_hosts',
        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate' },
      }],
      host_selection_retry_max_attempts: HOST_SELECTION_RETRY_MAX_ATTEMPTS,
    });
  });

  test('default retry policy on a route without one', () => {
    const policy = action(only({ a: httpRoute({}) })).retry_policy as ProtoJson;
    expect(policy.retry_on).toBe('connect-failure,refused-stream,unavailable,retriable-status-codes');
    expect(policy.retriable_status_codes).toEqual([503]);
    expect(policy.num_retries).toEqual({ value: DEFAULT_RETRY_POLICY.numRetries });
    expect(policy.host_selection_retry_max_attempts).toBe(5);
    expect((policy.retry_host_predicate as ProtoJson[])[0].name).toBe('envoy.retry_host_predicates.previous_hosts');
  });

  test('default retry policy and timeouts on a node-provided service', () => {
    const spec = meshDoc({
      nodes: {
        client: { backends: [{ virtualService: { virtualServiceName: 'direct' } }] },
        s: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 's' } } },
      },
      services: { direct: { provider: { virtualNode: { virtualNodeName: 's' } } } },
    });
    const routes = vhostRoutes(translateNode({ spec, nodeId: 'mesh/m/virtualNode/client' }).envoy, 'rds_egress_http_8080', 'direct');
    expect(routes).toHaveLength(1);
    expect(routes[0].match).toEqual({ prefix: '/' });
    expect(action(routes[0]).cluster).toBe('cds_egress_m_s_http_8080');
    expect(action(routes[0]).timeout).toEqual({ seconds: 15, nanos: 0 });
    expect((action(routes[0]).retry_policy as ProtoJson).retriable_status_codes).toEqual([503]);
  });
});

describe('route timeouts', () => {
  test('defaults: 15 s per request, 300 s idle', () => {
    const a = action(only({ a: httpRoute({}) }));
    expect(a.timeout).toEqual({ seconds: 15, nanos: 0 });
    expect(a.idle_timeout).toEqual({ seconds: 300, nanos: 0 });
  });

  test('explicit values, in s and ms', () => {
    const a = action(only({ a: httpRoute({ timeout: { perRequest: { unit: 'ms', value: 2500 }, idle: { unit: 's', value: 30 } } }) }));
    expect(a.timeout).toEqual({ seconds: 2, nanos: 500_000_000 });
    expect(a.idle_timeout).toEqual({ seconds: 30, nanos: 0 });
  });

  test('0 disables the per-request timeout', () => {
    expect(action(only({ a: httpRoute({ timeout: { perRequest: { unit: 's', value: 0 } } }) })).timeout).toEqual({ seconds: 0, nanos: 0 });
  });
});

describe('egress route configs', () => {
  test('one virtual host per backend service, domains [vs, vs:port]', () => {
    const config = translateNode({ spec: routedMesh({ a: httpRoute({}) }), nodeId: 'mesh/m/virtualNode/client' }).envoy;
    const rc = named(config.routes, 'rds_egress_http_8080');
    expect((rc.virtual_hosts as ProtoJson[]).map(v => [v.name, v.domains])).toEqual([['svc', ['svc', 'svc:8080']]]);
  });

  test('an undeclared service is not reachable under DROP_ALL', () => {
    const spec = routedMesh({ a: httpRoute({}) }, { services: { other: { provider: { virtualNode: { virtualNodeName: 'v2' } } } } });
    const config = translateNode({ spec, nodeId: 'mesh/m/virtualNode/client' }).envoy;
    const hosts = (named(config.routes, 'rds_egress_http_8080').virtual_hosts as ProtoJson[]).map(v => v.name);
    expect(hosts).toEqual(['svc']);
  });

  test('routes of a router listener only carry routes of its protocol and port', () => {
    const spec = routedMesh({
      a: httpRoute({ match: { prefix: '/a', port: 8080 } }),
      b: httpRoute({ match: { prefix: '/b', port: 9090 } }),
      c: { http2Route: { match: { prefix: '/c', port: 9090 }, action: target } },
    }, { routers: { r: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }, { portMapping: { port: 9090, protocol: 'http2' } }] } } });
    const config = translateNode({ spec, nodeId: 'mesh/m/virtualNode/client' }).envoy;
    expect(vhostRoutes(config, 'rds_egress_http_8080', 'svc').map(r => r.name)).toEqual(['a']);
    expect(vhostRoutes(config, 'rds_egress_http2_9090', 'svc').map(r => r.name)).toEqual(['c']);
  });
});
