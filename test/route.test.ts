import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as appmesh from '../src';
import { newStack, onlyDocument, routeSpec } from './helpers';
import { buildMeshSpecs } from '../src/private/spec-builder';

interface Fixture {
  stack: Stack;
  mesh: appmesh.Mesh;
  router: appmesh.VirtualRouter;
  node: appmesh.VirtualNode;
}

function fixture(routerListeners?: appmesh.VirtualRouterListener[], nodeListeners?: appmesh.VirtualNodeListener[]): Fixture {
  const { stack } = newStack();
  const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'test-mesh' });
  const router = mesh.addVirtualRouter('router', { virtualRouterName: 'router', listeners: routerListeners });
  const node = mesh.addVirtualNode('node', {
    virtualNodeName: 'node',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('node.local'),
    listeners: nodeListeners ?? [appmesh.VirtualNodeListener.http()],
  });
  return { stack, mesh, router, node };
}

/** The rendered spec of a route with `spec` on a router whose listener suits it. */
function render(make: (node: appmesh.IVirtualNode) => appmesh.RouteSpec, listener = appmesh.VirtualRouterListener.http()): any {
  const f = fixture([listener]);
  f.router.addRoute('route', { routeSpec: make(f.node) });
  return routeSpec(onlyDocument(f.stack), 'route');
}

describe('Route', () => {
  describe('HTTP', () => {
    test('defaults: prefix / and weight 1', () => {
      expect(render((node) => appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: node }] }))).toEqual({
        httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'node', weight: 1 }] } },
      });
    });

    test('weights (including 0), target port, priority', () => {
      const f = fixture(undefined, [appmesh.VirtualNodeListener.http({ port: 8080 }), appmesh.VirtualNodeListener.http({ port: 8081 })]);
      const other = f.mesh.addVirtualNode('other', { virtualNodeName: 'other', serviceDiscovery: appmesh.ServiceDiscovery.dns('o.local'), listeners: [appmesh.VirtualNodeListener.http()] });
      f.router.addRoute('route', {
        routeSpec: appmesh.RouteSpec.http({
          priority: 10,
          weightedTargets: [{ virtualNode: f.node, weight: 100, port: 8081 }, { virtualNode: other, weight: 0 }],
        }),
      });
      expect(routeSpec(onlyDocument(f.stack), 'route')).toEqual({
        priority: 10,
        httpRoute: {
          match: { prefix: '/' },
          action: { weightedTargets: [{ virtualNode: 'node', weight: 100, port: 8081 }, { virtualNode: 'other', weight: 0 }] },
        },
      });
    });

    test.each([
      ['startsWith', appmesh.HttpRoutePathMatch.startsWith('/api/'), { prefix: '/api/' }],
      ['exactly', appmesh.HttpRoutePathMatch.exactly('/health'), { path: { exact: '/health' } }],
      ['regex', appmesh.HttpRoutePathMatch.regex('/v[0-9]+/.*'), { path: { regex: '/v[0-9]+/.*' } }],
    ])('path %s', (_name, pathMatch, expected) => {
      const spec = render((node) => appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: node }], match: { path: pathMatch } }));
      expect(spec.httpRoute.match).toEqual(expected);
    });

    test('a prefix or exact path must start with /', () => {
      expect(() => appmesh.HttpRoutePathMatch.startsWith('api')).toThrow(/Prefix Path for the match must start with '\/', got: api \(PrefixPathMustStartWithSlash\)/);
      expect(() => appmesh.HttpRoutePathMatch.exactly('health')).toThrow(/ExactPathMustStartWithSlash/);
    });

    // aws-cdk-lib lets an empty prefix or path through (its checks test the first character of a
    // non-empty string); App Mesh refused them. Refused here too (Q8), at synth, with path and field.
    test.each([
      ['an empty prefix', () => appmesh.HttpRoutePathMatch.startsWith(''), 'spec.httpRoute.match.prefix: the prefix "" must start with "/"'],
      ['an empty exact path', () => appmesh.HttpRoutePathMatch.exactly(''), 'spec.httpRoute.match.path.exact: "" is empty, below the minimum length 1'],
    ])('%s constructs, as with aws-cdk-lib, and fails at synth with the path and field', (_name, make, message) => {
      const f = fixture([appmesh.VirtualRouterListener.http()]);
      expect(() => f.router.addRoute('route', {
        routeName: 'r',
        routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: f.node }], match: { path: make() } }),
      })).not.toThrow();
      expect(() => (f.stack.node.root as App).synth()).toThrow(`[Stack/mesh/router/route] routes["router/r"].${message}`);
    });

    test('every header matcher', () => {
      const spec = render((node) => appmesh.RouteSpec.http({
        weightedTargets: [{ virtualNode: node }],
        match: {
          headers: [
            appmesh.HeaderMatch.valueIs('a', 'x'),
            appmesh.HeaderMatch.valueIsNot('b', 'x'),
            appmesh.HeaderMatch.valueStartsWith('c', 'x'),
            appmesh.HeaderMatch.valueDoesNotStartWith('d', 'x'),
            appmesh.HeaderMatch.valueEndsWith('e', 'x'),
            appmesh.HeaderMatch.valueDoesNotEndWith('f', 'x'),
            appmesh.HeaderMatch.valueMatchesRegex('g', 'x.*'),
            appmesh.HeaderMatch.valueDoesNotMatchRegex('h', 'x.*'),
            appmesh.HeaderMatch.valuesIsInRange('i', 1, 5),
            appmesh.HeaderMatch.valuesIsNotInRange('j', 1, 5),
          ],
        },
      }));
      expect(spec.httpRoute.match.headers).toEqual([
        { name: 'a', invert: false, match: { exact: 'x' } },
        { name: 'b', invert: true, match: { exact: 'x' } },
        { name: 'c', invert: false, match: { prefix: 'x' } },
        { name: 'd', invert: true, match: { prefix: 'x' } },
        { name: 'e', invert: false, match: { suffix: 'x' } },
        { name: 'f', invert: true, match: { suffix: 'x' } },
        { name: 'g', invert: false, match: { regex: 'x.*' } },
        { name: 'h', invert: true, match: { regex: 'x.*' } },
        { name: 'i', invert: false, match: { range: { start: 1, end: 5 } } },
        { name: 'j', invert: true, match: { range: { start: 1, end: 5 } } },
      ]);
    });

    test('method, scheme, query parameters and port', () => {
      const spec = render((node) => appmesh.RouteSpec.http2({
        weightedTargets: [{ virtualNode: node }],
        match: {
          method: appmesh.HttpRouteMethod.POST,
          protocol: appmesh.HttpRouteProtocol.HTTPS,
          queryParameters: [appmesh.QueryParameterMatch.valueIs('version', 'v2')],
          port: 8080,
        },
      }), appmesh.VirtualRouterListener.http2(8080));
      expect(spec).toEqual({
        http2Route: {
          match: { prefix: '/', method: 'POST', scheme: 'https', queryParameters: [{ name: 'version', match: { exact: 'v2' } }], port: 8080 },
          action: { weightedTargets: [{ virtualNode: 'node', weight: 1 }] },
        },
      });
    });

    test('headers and query parameters take 1 to 10 entries (HeaderCountOutOfRange, QueryParameterCountOutOfRange)', () => {
      const f = fixture();
      const eleven = Array.from({ length: 11 }, (_, i) => appmesh.HeaderMatch.valueIs(`h${i}`, 'v'));
      expect(() => f.router.addRoute('a', { routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: f.node }], match: { headers: [] } }) }))
        .toThrow(/\[Stack\/mesh\/router\/a\] Number of headers provided for matching must be between 1 and 10, got: 0 \(HeaderCountOutOfRange\)/);
      expect(() => f.router.addRoute('b', { routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: f.node }], match: { headers: eleven } }) }))
        .toThrow(/got: 11 \(HeaderCountOutOfRange\)/);
      expect(() => f.router.addRoute('c', { routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: f.node }], match: { queryParameters: [] } }) }))
        .toThrow(/query parameters provided for matching must be between 1 and 10, got: 0 \(QueryParameterCountOutOfRange\)/);
    });

    test('timeout and retry policy', () => {
      const spec = render((node) => appmesh.RouteSpec.http({
        weightedTargets: [{ virtualNode: node }],
        timeout: { idle: Duration.seconds(10), perRequest: Duration.seconds(1) },
        retryPolicy: {
          retryAttempts: 5,
          retryTimeout: Duration.seconds(2),
          httpRetryEvents: [appmesh.HttpRetryEvent.SERVER_ERROR, appmesh.HttpRetryEvent.CLIENT_ERROR, appmesh.HttpRetryEvent.STREAM_ERROR],
          tcpRetryEvents: [],
        },
      }));
      expect(spec.httpRoute.timeout).toEqual({ idle: { unit: 'ms', value: 10000 }, perRequest: { unit: 'ms', value: 1000 } });
      // Empty event lists are dropped.
      expect(spec.httpRoute.retryPolicy).toEqual({
        maxRetries: 5, perRetryTimeout: { unit: 'ms', value: 2000 }, httpRetryEvents: ['server-error', 'client-error', 'stream-error'],
      });
    });

    test('a retry policy needs an event (RetryEventsRequired)', () => {
      const { stack } = newStack();
      const node = appmesh.VirtualNode.fromVirtualNodeAttributes(stack, 'n', { mesh: appmesh.Mesh.fromMeshName(stack, 'm', 'm'), virtualNodeName: 'n' });
      expect(() => appmesh.RouteSpec.http({
        weightedTargets: [{ virtualNode: node }],
        retryPolicy: { retryAttempts: 1, retryTimeout: Duration.seconds(1), httpRetryEvents: [], tcpRetryEvents: [] },
      })).toThrow(/at least one of `httpRetryEvents` or `tcpRetryEvents` \(RetryEventsRequired\)/);
    });
  });

  describe('gRPC', () => {
    const grpc = appmesh.VirtualRouterListener.grpc();

    test('service, method, metadata, port, timeout, retries', () => {
      const spec = render((node) => appmesh.RouteSpec.grpc({
        weightedTargets: [{ virtualNode: node, weight: 3 }],
        match: {
          serviceName: 'pkg.Service',
          methodName: 'Call',
          metadata: [appmesh.HeaderMatch.valueStartsWith('x-tenant', 'blue')],
          port: 8080,
        },
        timeout: { perRequest: Duration.seconds(3) },
        retryPolicy: {
          retryAttempts: 2,
          retryTimeout: Duration.millis(500),
          grpcRetryEvents: [appmesh.GrpcRetryEvent.UNAVAILABLE, appmesh.GrpcRetryEvent.INTERNAL_ERROR, appmesh.GrpcRetryEvent.DEADLINE_EXCEEDED],
          tcpRetryEvents: [appmesh.TcpRetryEvent.CONNECTION_ERROR],
        },
      }), grpc);
      expect(spec).toEqual({
        grpcRoute: {
          match: { serviceName: 'pkg.Service', methodName: 'Call', metadata: [{ name: 'x-tenant', invert: false, match: { prefix: 'blue' } }], port: 8080 },
          action: { weightedTargets: [{ virtualNode: 'node', weight: 3 }] },
          timeout: { perRequest: { unit: 'ms', value: 3000 } },
          retryPolicy: {
            maxRetries: 2,
            perRetryTimeout: { unit: 'ms', value: 500 },
            grpcRetryEvents: ['unavailable', 'internal', 'deadline-exceeded'],
            tcpRetryEvents: ['connection-error'],
          },
        },
      });
    });

    test('the match needs a member (GrpcRouteMatchRequired); a method needs its service (ServiceNameRequired)', () => {
      const f = fixture([grpc]);
      expect(() => f.router.addRoute('a', { routeSpec: appmesh.RouteSpec.grpc({ weightedTargets: [{ virtualNode: f.node }], match: {} }) }))
        .toThrow(/\[Stack\/mesh\/router\/a\] At least one gRPC route match property must be provided .* \(GrpcRouteMatchRequired\)/);
      expect(() => f.router.addRoute('b', { routeSpec: appmesh.RouteSpec.grpc({ weightedTargets: [{ virtualNode: f.node }], match: { methodName: 'Call' } }) }))
        .toThrow(/If you specify a method name, you must also specify a service name \(ServiceNameRequired\)/);
      expect(() => f.router.addRoute('c', { routeSpec: appmesh.RouteSpec.grpc({ weightedTargets: [{ virtualNode: f.node }], match: { metadata: [] } }) }))
        .toThrow(/Number of metadata provided for matching must be between 1 and 10, got: 0 \(MetadataCountOutOfRange\)/);
    });

    test('a gRPC retry policy needs an event (GrpcRetryEventsRequired)', () => {
      const { stack } = newStack();
      const node = appmesh.VirtualNode.fromVirtualNodeAttributes(stack, 'n', { mesh: appmesh.Mesh.fromMeshName(stack, 'm', 'm'), virtualNodeName: 'n' });
      expect(() => appmesh.RouteSpec.grpc({
        weightedTargets: [{ virtualNode: node }],
        match: { serviceName: 's' },
        retryPolicy: { retryAttempts: 1, retryTimeout: Duration.seconds(1) },
      })).toThrow(/\(GrpcRetryEventsRequired\)/);
    });
  });

  test('TCP with idle timeout and priority', () => {
    const spec = render((node) => appmesh.RouteSpec.tcp({
      weightedTargets: [{ virtualNode: node }],
      timeout: { idle: Duration.seconds(30) },
      priority: 0,
    }), appmesh.VirtualRouterListener.tcp());
    expect(spec).toEqual({
      priority: 0,
      tcpRoute: { action: { weightedTargets: [{ virtualNode: 'node', weight: 1 }] }, timeout: { idle: { unit: 'ms', value: 30000 } } },
    });
  });

  test('TCP route matching a port, on a router with two TCP listeners', () => {
    const f = fixture(
      [appmesh.VirtualRouterListener.tcp(5432), appmesh.VirtualRouterListener.tcp(5433)],
      [appmesh.VirtualNodeListener.tcp({ port: 5432 })],
    );
    f.router.addRoute('route', { routeSpec: appmesh.RouteSpec.tcp({ weightedTargets: [{ virtualNode: f.node }], match: { port: 5433 } }) });
    expect(routeSpec(onlyDocument(f.stack), 'route')).toEqual({
      tcpRoute: { match: { port: 5433 }, action: { weightedTargets: [{ virtualNode: 'node', weight: 1 }] } },
    });
  });

  describe('names (Q1) and identity', () => {
    test('addRoute names the route after its id unless routeName is given', () => {
      const f = fixture();
      f.router.addRoute('by-id', { routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: f.node }], match: { path: appmesh.HttpRoutePathMatch.exactly('/a') } }) });
      const named = f.router.addRoute('other-id', {
        routeName: 'explicit',
        routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: f.node }], match: { path: appmesh.HttpRoutePathMatch.exactly('/b') } }),
      });
      expect(named.routeName).toBe('explicit');
      expect(onlyDocument(f.stack).routes.map((r) => [r.virtualRouterName, r.routeName])).toEqual([['router', 'by-id'], ['router', 'explicit']]);
    });

    test('new Route: default name is a unique id; ARN names mesh, router and route', () => {
      const f = fixture();
      const route = new appmesh.Route(f.stack, 'route', {
        mesh: f.mesh,
        virtualRouter: f.router,
        routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: f.node }] }),
      });
      expect(route.routeName).toMatch(/^Stackroute[0-9A-F]{8}$/);
      expect(f.stack.resolve(route.routeArn)).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:appmesh:eu-west-1:123456789012:mesh/test-mesh/virtualRouter/router/route/${route.routeName}`]],
      });
    });

    test('fromRouteArn', () => {
      const { stack } = newStack();
      const arn = 'arn:aws:appmesh:us-west-2:123456789012:mesh/test-mesh/virtualRouter/test-router/route/test-route';
      const route = appmesh.Route.fromRouteArn(stack, 'imported', arn);
      expect(route.routeName).toBe('test-route');
      expect(route.routeArn).toBe(arn);
      expect(route.virtualRouter.virtualRouterName).toBe('test-router');
      expect(route.virtualRouter.virtualRouterArn).toBe('arn:aws:appmesh:us-west-2:123456789012:mesh/test-mesh/virtualRouter/test-router');
      expect(route.virtualRouter.mesh.meshName).toBe('test-mesh');
    });

    test('fromRouteArn with a deploy-time ARN', () => {
      const { stack } = newStack();
      const route = appmesh.Route.fromRouteArn(stack, 'imported', new CfnParameter(stack, 'Arn').valueAsString);
      const resourcePart = { 'Fn::Select': [5, { 'Fn::Split': [':', { Ref: 'Arn' }] }] };
      expect(stack.resolve(route.routeName)).toEqual({ 'Fn::Select': [5, { 'Fn::Split': ['/', resourcePart] }] });
      // The router is imported from an ARN rebuilt from the route's: still a deploy-time selection.
      const routerName = JSON.stringify(stack.resolve(route.virtualRouter.virtualRouterName));
      expect(routerName).toMatch(/^\{"Fn::Select":\[3,/);
      expect(routerName).toContain('"Ref":"Arn"');
    });

    test('fromRouteAttributes', () => {
      const { stack } = newStack();
      const mesh = appmesh.Mesh.fromMeshName(stack, 'mesh', 'test-mesh');
      const router = appmesh.VirtualRouter.fromVirtualRouterAttributes(stack, 'router', { mesh, virtualRouterName: 'test-router' });
      const route = appmesh.Route.fromRouteAttributes(stack, 'imported', { routeName: 'test-route', virtualRouter: router });
      expect(route.routeName).toBe('test-route');
      expect(stack.resolve(route.routeArn)).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':appmesh:eu-west-1:123456789012:mesh/test-mesh/virtualRouter/test-router/route/test-route']],
      });
    });

    test('a route added to an imported router goes to that mesh document', () => {
      const { stack } = newStack();
      const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'test-mesh' });
      const node = mesh.addVirtualNode('n', { virtualNodeName: 'n', serviceDiscovery: appmesh.ServiceDiscovery.dns('n.local'), listeners: [appmesh.VirtualNodeListener.http()] });
      mesh.addVirtualRouter('r', { virtualRouterName: 'r' });
      const router = appmesh.VirtualRouter.fromVirtualRouterAttributes(stack, 'imported', { mesh, virtualRouterName: 'r' });
      router.addRoute('extra', { routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: node }] }) });
      expect(onlyDocument(stack).routes.map((r) => `${r.virtualRouterName}/${r.routeName}`)).toEqual(['r/extra']);
    });
  });

  describe('synth-time checks (Q11)', () => {
    test('deploy-time values (tokens) are kept and skip validation', () => {
      const f = fixture();
      const weight = new CfnParameter(f.stack, 'Weight', { type: 'Number' }).valueAsNumber;
      f.router.addRoute('route', { routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: f.node, weight }] }) });
      const target = routeSpec(onlyDocument(f.stack), 'route').httpRoute!.action.weightedTargets[0];
      expect(f.stack.resolve(target.weight)).toEqual({ Ref: 'Weight' });
    });


    test('a target port must be a listener port of the target node', () => {
      const f = fixture(undefined, [appmesh.VirtualNodeListener.http({ port: 8080 })]);
      f.router.addRoute('route', { routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: f.node, port: 9090 }] }) });
      expect(() => buildMeshSpecs(f.stack)).toThrow(/\[Stack\/mesh\/router\/route\] .*weightedTargets\[0\]\.port.*9090/);
    });

    test('two routes with one name on one router are reported', () => {
      const f = fixture();
      new appmesh.Route(f.stack, 'r1', { mesh: f.mesh, virtualRouter: f.router, routeName: 'same', routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: f.node }] }) });
      new appmesh.Route(f.stack, 'r2', { mesh: f.mesh, virtualRouter: f.router, routeName: 'same', routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: f.node }] }) });
      expect(() => buildMeshSpecs(f.stack)).toThrow(/\[Stack\/r2\] route 'same' of 'router' is defined twice/);
    });
  });
});
