import * as path from 'path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ts from 'typescript';
import * as appmesh from '../src';
import { buildMeshSpecs, collectMeshSpecs } from '../src/private/spec-builder';
import * as spec from '../src/spec';

/**
 * A mesh with one HTTP gateway (port 8080) and a virtual service to target. The built-in
 * CloudFormation template check is off, as in test/helpers.ts: the stack holds no CloudFormation
 * resources, and that check's first run in a test file costs seconds.
 */
function setUp(listeners?: appmesh.VirtualGatewayListener[]) {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'shop' });
  const gateway = mesh.addVirtualGateway('Gateway', { virtualGatewayName: 'ingress', listeners });
  const service = new appmesh.VirtualService(stack, 'Orders', {
    virtualServiceName: 'orders.shop.local',
    virtualServiceProvider: appmesh.VirtualServiceProvider.none(mesh),
  });
  return { app, stack, mesh, gateway, service };
}

function gatewayRouteSpec(root: Stack, name: string): spec.GatewayRouteSpec {
  const [doc] = buildMeshSpecs(root);
  const found = doc.gatewayRoutes.find((r) => r.gatewayRouteName === name);
  if (!found) throw new Error(`no gateway route ${name}: ${doc.gatewayRoutes.map((r) => r.gatewayRouteName)}`);
  return found.spec;
}

/** Binds a path match the way a gateway route does. */
function bindPath(match: appmesh.HttpGatewayRoutePathMatch) {
  return match.bind(new Stack());
}

describe('HttpGatewayRoutePathMatch', () => {
  test('startsWith without rewrite leaves the rewrite to the service default', () => {
    expect(bindPath(appmesh.HttpGatewayRoutePathMatch.startsWith('/orders/'))).toEqual({ prefixPathMatch: '/orders/' });
  });

  test("startsWith with '' keeps the prefix: defaultPrefix DISABLED", () => {
    expect(bindPath(appmesh.HttpGatewayRoutePathMatch.startsWith('/orders/', ''))).toEqual({
      prefixPathMatch: '/orders/',
      prefixPathRewrite: { defaultPrefix: 'DISABLED' },
    });
  });

  test('startsWith with a value replaces the prefix', () => {
    expect(bindPath(appmesh.HttpGatewayRoutePathMatch.startsWith('/orders/', '/v2/orders/'))).toEqual({
      prefixPathMatch: '/orders/',
      prefixPathRewrite: { value: '/v2/orders/' },
    });
  });

  test('exactly renders a whole-path match and an exact rewrite', () => {
    expect(bindPath(appmesh.HttpGatewayRoutePathMatch.exactly('/health'))).toEqual({ wholePathMatch: { exact: '/health' } });
    expect(bindPath(appmesh.HttpGatewayRoutePathMatch.exactly('/health', '/ping'))).toEqual({
      wholePathMatch: { exact: '/health' },
      wholePathRewrite: { exact: '/ping' },
    });
  });

  test('regex renders a whole-path regex match and an exact rewrite', () => {
    expect(bindPath(appmesh.HttpGatewayRoutePathMatch.regex('^/v[0-9]+/orders$', '/orders'))).toEqual({
      wholePathMatch: { regex: '^/v[0-9]+/orders$' },
      wholePathRewrite: { exact: '/orders' },
    });
  });

  test.each([
    ['startsWith without leading slash', () => appmesh.HttpGatewayRoutePathMatch.startsWith('orders/'),
      /Prefix path for the match must start with '\/', got: orders\/ \(PrefixPathMustStartWithSlash\)/],
    ['empty prefix', () => appmesh.HttpGatewayRoutePathMatch.startsWith(''),
      /Prefix path for the match must start with '\/', got: {2}\(PrefixPathMustStartWithSlash\)/],
    ['rewrite with prefix not ending in a slash', () => appmesh.HttpGatewayRoutePathMatch.startsWith('/orders', '/v2/'),
      /prefix path for the match must end with '\/', got: \/orders \(PrefixPathMustEndWithSlash\)/],
    ['prefix rewrite without leading slash', () => appmesh.HttpGatewayRoutePathMatch.startsWith('/orders/', 'v2/'),
      /Prefix path for the rewrite must start and end with '\/', got: v2\/ \(PrefixPathRewriteMustStartAndEndWithSlash\)/],
    ['prefix rewrite without trailing slash', () => appmesh.HttpGatewayRoutePathMatch.startsWith('/orders/', '/v2'),
      /Prefix path for the rewrite must start and end with '\/', got: \/v2 \(PrefixPathRewriteMustStartAndEndWithSlash\)/],
    ['exact path without leading slash', () => appmesh.HttpGatewayRoutePathMatch.exactly('health'),
      /Exact Path for the match must start with '\/', got: health \(ExactPathMustStartWithSlash\)/],
    ['empty exact rewrite', () => appmesh.HttpGatewayRoutePathMatch.exactly('/health', ''),
      /HttpGatewayRoutePathMatch.exactly: Exact Path for the rewrite cannot be empty.*\(ExactPathRewriteCannotBeEmpty\)/],
    ['exact rewrite without leading slash', () => appmesh.HttpGatewayRoutePathMatch.exactly('/health', 'ping'),
      /Exact Path for the rewrite must start with '\/', got: ping \(ExactPathRewriteMustStartWithSlash\)/],
    ['empty regex rewrite', () => appmesh.HttpGatewayRoutePathMatch.regex('^/a$', ''),
      /HttpGatewayRoutePathMatch.regex: Exact Path for the rewrite cannot be empty/],
    ['regex rewrite without leading slash', () => appmesh.HttpGatewayRoutePathMatch.regex('^/a$', 'b'),
      /HttpGatewayRoutePathMatch.regex: Exact Path for the rewrite must start with '\/', got: b/],
  ])('rejects %s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  // aws-cdk-lib constructs these without a word; App Mesh refused the route at deploy time.
  // Here they construct too, and app.synth() names the gateway route and the spec field.
  test.each([
    ['a reserved prefix', () => appmesh.HttpGatewayRoutePathMatch.startsWith('/aws-appmesh/stats'),
      'spec.httpRoute.match.prefix: "/aws-appmesh/stats" is reserved: paths starting with /aws-appmesh belong to App Mesh'],
    ['a reserved exact path', () => appmesh.HttpGatewayRoutePathMatch.exactly('/aws-appmesh'),
      'spec.httpRoute.match.path.exact: "/aws-appmesh" is reserved'],
    ['an exact path over 255 characters', () => appmesh.HttpGatewayRoutePathMatch.exactly('/' + 'a'.repeat(255)),
      'spec.httpRoute.match.path.exact: "/aaaa'],
    ['an empty exact path', () => appmesh.HttpGatewayRoutePathMatch.exactly(''),
      'spec.httpRoute.match.path.exact: "" is empty, below the minimum length 1'],
    ['an empty regex', () => appmesh.HttpGatewayRoutePathMatch.regex(''),
      'spec.httpRoute.match.path.regex: "" is empty, below the minimum length 1'],
    ['a prefix rewrite over 255 characters', () => appmesh.HttpGatewayRoutePathMatch.startsWith('/a/', '/' + 'b'.repeat(254) + '/'),
      'spec.httpRoute.action.rewrite.prefix.value: "/bbbb'],
  ])('%s constructs, as with aws-cdk-lib, and fails at synth with the path and field', (_name, make, message) => {
    const { app, gateway, service } = setUp();
    expect(() => gateway.addGatewayRoute('Route', {
      gatewayRouteName: 'r',
      routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service, match: { path: make() } }),
    })).not.toThrow();
    expect(() => app.synth()).toThrow(`[Stack/Mesh/Gateway/Route] gatewayRoutes["ingress/r"].${message}`);
  });

  test('a 255-character exact path synthesizes', () => {
    const { app, gateway, service } = setUp();
    gateway.addGatewayRoute('Route', {
      routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service, match: { path: appmesh.HttpGatewayRoutePathMatch.exactly('/' + 'a'.repeat(254)) } }),
    });
    expect(() => app.synth()).not.toThrow();
  });

  test("startsWith('/orders', '') keeps the path as received and synthesizes, as with aws-cdk-lib", () => {
    const { stack, gateway, service } = setUp();
    gateway.addGatewayRoute('Route', {
      gatewayRouteName: 'keep',
      routeSpec: appmesh.GatewayRouteSpec.http({
        routeTarget: service, match: { path: appmesh.HttpGatewayRoutePathMatch.startsWith('/orders', '') },
      }),
    });
    expect(gatewayRouteSpec(stack, 'keep').httpRoute).toMatchObject({
      match: { prefix: '/orders' },
      action: { rewrite: { prefix: { defaultPrefix: 'DISABLED' } } },
    });
  });
});

describe('GatewayRouteHostnameMatch', () => {
  test('exactly and endsWith render exact and suffix', () => {
    const scope = new Stack();
    expect(appmesh.GatewayRouteHostnameMatch.exactly('api.example.com').bind(scope)).toEqual({ hostnameMatch: { exact: 'api.example.com' } });
    expect(appmesh.GatewayRouteHostnameMatch.endsWith('.example.com').bind(scope)).toEqual({ hostnameMatch: { suffix: '.example.com' } });
  });

  test.each([
    ['an empty hostname', () => appmesh.GatewayRouteHostnameMatch.exactly(''),
      'match.hostname.exact: "" is empty, below the minimum length 1 (GatewayRouteHostnameMatch.exact, length 1–253)'],
    ['a 254-character suffix', () => appmesh.GatewayRouteHostnameMatch.endsWith('a'.repeat(254)),
      'match.hostname.suffix: '],
  ])('%s constructs, as with aws-cdk-lib, and fails at synth with the path and field', (_name, make, message) => {
    const { app, gateway, service } = setUp();
    expect(() => gateway.addGatewayRoute('Route', {
      gatewayRouteName: 'r',
      routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service, match: { hostname: make() } }),
    })).not.toThrow();
    expect(() => app.synth()).toThrow(`[Stack/Mesh/Gateway/Route] gatewayRoutes["ingress/r"].spec.httpRoute.${message}`);
  });
});

describe('GatewayRouteSpec.http / http2', () => {
  test('without a match: every path, target only', () => {
    const { stack, gateway, service } = setUp();
    const route = gateway.addGatewayRoute('All', { routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service }) });
    expect(gatewayRouteSpec(stack, route.gatewayRouteName)).toEqual({
      httpRoute: {
        match: { prefix: '/' },
        action: { target: { virtualService: { virtualServiceName: 'orders.shop.local' } } },
      },
    });
  });

  test('every match member and rewrite is rendered with App Mesh field names', () => {
    const { stack, gateway, service } = setUp();
    gateway.addGatewayRoute('Orders', {
      gatewayRouteName: 'orders',
      routeSpec: appmesh.GatewayRouteSpec.http({
        routeTarget: service,
        routeTargetPort: 8080,
        priority: 10,
        match: {
          path: appmesh.HttpGatewayRoutePathMatch.startsWith('/orders/', '/'),
          hostname: appmesh.GatewayRouteHostnameMatch.endsWith('.example.com'),
          method: appmesh.HttpRouteMethod.POST,
          headers: [appmesh.HeaderMatch.valueIs('x-tenant', 'acme'), appmesh.HeaderMatch.valueDoesNotStartWith('x-debug', 'on')],
          queryParameters: [appmesh.QueryParameterMatch.valueIs('version', '2')],
          rewriteRequestHostname: false,
          port: 8080,
        },
      }),
    });
    expect(gatewayRouteSpec(stack, 'orders')).toEqual({
      priority: 10,
      httpRoute: {
        match: {
          prefix: '/orders/',
          hostname: { suffix: '.example.com' },
          method: 'POST',
          headers: [
            { name: 'x-tenant', invert: false, match: { exact: 'acme' } },
            { name: 'x-debug', invert: true, match: { prefix: 'on' } },
          ],
          queryParameters: [{ name: 'version', match: { exact: '2' } }],
          port: 8080,
        },
        action: {
          target: { virtualService: { virtualServiceName: 'orders.shop.local' }, port: 8080 },
          rewrite: { hostname: { defaultTargetHostname: 'DISABLED' }, prefix: { value: '/' } },
        },
      },
    });
  });

  test('http2 renders http2Route; exact path rewrite and hostname rewrite ENABLED', () => {
    const { stack, gateway, service } = setUp([appmesh.VirtualGatewayListener.http2()]);
    gateway.addGatewayRoute('Health', {
      gatewayRouteName: 'health',
      routeSpec: appmesh.GatewayRouteSpec.http2({
        routeTarget: service,
        match: {
          path: appmesh.HttpGatewayRoutePathMatch.exactly('/healthz', '/ping'),
          hostname: appmesh.GatewayRouteHostnameMatch.exactly('api.example.com'),
          rewriteRequestHostname: true,
        },
      }),
    });
    expect(gatewayRouteSpec(stack, 'health')).toEqual({
      http2Route: {
        match: { path: { exact: '/healthz' }, hostname: { exact: 'api.example.com' } },
        action: {
          target: { virtualService: { virtualServiceName: 'orders.shop.local' } },
          rewrite: { hostname: { defaultTargetHostname: 'ENABLED' }, path: { exact: '/ping' } },
        },
      },
    });
  });

  test("prefix rewrite '' renders defaultPrefix DISABLED", () => {
    const { stack, gateway, service } = setUp();
    gateway.addGatewayRoute('Keep', {
      gatewayRouteName: 'keep',
      routeSpec: appmesh.GatewayRouteSpec.http({
        routeTarget: service,
        match: { path: appmesh.HttpGatewayRoutePathMatch.startsWith('/api/', '') },
      }),
    });
    expect(gatewayRouteSpec(stack, 'keep').httpRoute?.action.rewrite).toEqual({ prefix: { defaultPrefix: 'DISABLED' } });
  });

  test.each([
    ['no headers', { headers: [] }, /\[Stack\/Mesh\/Gateway\/Bad\] Number of headers provided for matching must be between 1 and 10, got: 0 \(HeaderCountOutOfRange\)/],
    ['11 headers', { headers: Array.from({ length: 11 }, (_, i) => appmesh.HeaderMatch.valueIs(`h${i}`, 'v')) },
      /Number of headers provided for matching must be between 1 and 10, got: 11 \(HeaderCountOutOfRange\)/],
    ['no query parameters', { queryParameters: [] }, /Number of query parameters provided for matching must be between 1 and 10, got: 0 \(QueryParameterCountOutOfRange\)/],
    ['11 query parameters', { queryParameters: Array.from({ length: 11 }, (_, i) => appmesh.QueryParameterMatch.valueIs(`q${i}`, 'v')) },
      /\[Stack\/Mesh\/Gateway\/Bad\] Number of query parameters provided for matching must be between 1 and 10, got: 11/],
  ])('HTTP gateway routes check list sizes like routes do (Q4): %s', (_name, match, message) => {
    const { gateway, service } = setUp();
    expect(() => gateway.addGatewayRoute('Bad', {
      routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service, match }),
    })).toThrow(message);
  });
});

describe('GatewayRouteSpec.grpc', () => {
  test('renders serviceName, hostname, metadata, port and the hostname rewrite', () => {
    const { stack, gateway, service } = setUp([appmesh.VirtualGatewayListener.grpc({ port: 50051 })]);
    gateway.addGatewayRoute('Grpc', {
      gatewayRouteName: 'grpc',
      routeSpec: appmesh.GatewayRouteSpec.grpc({
        routeTarget: service,
        priority: 0,
        match: {
          serviceName: 'shop.orders.v1.Orders',
          hostname: appmesh.GatewayRouteHostnameMatch.endsWith('.shop.local'),
          metadata: [appmesh.HeaderMatch.valuesIsInRange('x-shard', 0, 8)],
          rewriteRequestHostname: false,
          port: 50051,
        },
      }),
    });
    expect(gatewayRouteSpec(stack, 'grpc')).toEqual({
      priority: 0,
      grpcRoute: {
        match: {
          serviceName: 'shop.orders.v1.Orders',
          hostname: { suffix: '.shop.local' },
          metadata: [{ name: 'x-shard', invert: false, match: { range: { start: 0, end: 8 } } }],
          port: 50051,
        },
        action: {
          target: { virtualService: { virtualServiceName: 'orders.shop.local' } },
          rewrite: { hostname: { defaultTargetHostname: 'DISABLED' } },
        },
      },
    });
  });

  test('without rewriteRequestHostname no rewrite is rendered', () => {
    const { stack, gateway, service } = setUp([appmesh.VirtualGatewayListener.grpc()]);
    gateway.addGatewayRoute('Grpc', {
      gatewayRouteName: 'grpc',
      routeSpec: appmesh.GatewayRouteSpec.grpc({ routeTarget: service, match: { serviceName: 'a.B' } }),
    });
    expect(gatewayRouteSpec(stack, 'grpc').grpcRoute?.action).toEqual({
      target: { virtualService: { virtualServiceName: 'orders.shop.local' } },
    });
  });

  test.each([
    ['an empty match', {}, /\[Stack\/Mesh\/Gateway\/Bad\] At least one gRPC gateway route match property beside rewriteRequestHostname must be provided.*\(GrpcGatewayRouteMatchRequired\)/],
    ['rewriteRequestHostname alone', { rewriteRequestHostname: true }, /\(GrpcGatewayRouteMatchRequired\)/],
    ['no metadata', { metadata: [] }, /Number of metadata provided for matching must be between 1 and 10, got: 0 \(MetadataCountOutOfRange\)/],
    ['11 metadata entries', { metadata: Array.from({ length: 11 }, (_, i) => appmesh.HeaderMatch.valueIs(`m${i}`, 'v')) },
      /\[Stack\/Mesh\/Gateway\/Bad\] Number of metadata provided for matching must be between 1 and 10, got: 11/],
  ])('rejects %s', (_name, match, message) => {
    const { gateway, service } = setUp([appmesh.VirtualGatewayListener.grpc()]);
    expect(() => gateway.addGatewayRoute('Bad', {
      routeSpec: appmesh.GatewayRouteSpec.grpc({ routeTarget: service, match }),
    })).toThrow(message);
  });

  test('a reserved gRPC service name constructs, as with aws-cdk-lib, and fails at synth with the path and field', () => {
    const { app, gateway, service } = setUp([appmesh.VirtualGatewayListener.grpc()]);
    gateway.addGatewayRoute('Internal', {
      gatewayRouteName: 'internal',
      routeSpec: appmesh.GatewayRouteSpec.grpc({ routeTarget: service, match: { serviceName: 'aws.appmesh.Internal' } }),
    });
    expect(() => app.synth()).toThrow('[Stack/Mesh/Gateway/Internal] gatewayRoutes["ingress/internal"].spec.grpcRoute.match.serviceName: '
      + '"aws.appmesh.Internal" is reserved: gRPC services starting with aws.appmesh belong to App Mesh');
  });
});

describe('GatewayRoute', () => {
  test('addGatewayRoute keeps gatewayRouteName and creates the route under the gateway', () => {
    const { gateway, service } = setUp();
    const route = gateway.addGatewayRoute('Route', {
      gatewayRouteName: 'named',
      routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service }),
    });
    expect(route.gatewayRouteName).toBe('named');
    expect(route.node.path).toBe('Stack/Mesh/Gateway/Route');
    expect(route.virtualGateway).toBe(gateway);
  });

  test('the name defaults to one derived from the construct path', () => {
    const { stack, gateway, service } = setUp();
    const route = new appmesh.GatewayRoute(stack, 'Standalone', {
      virtualGateway: gateway,
      routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service }),
    });
    expect(route.gatewayRouteName).toMatch(/^StackStandalone[0-9A-F]{8}$/);
    const [doc] = buildMeshSpecs(stack);
    expect(doc.gatewayRoutes.map((r) => [r.meshName, r.virtualGatewayName, r.gatewayRouteName]))
      .toEqual([['shop', 'ingress', route.gatewayRouteName]]);
  });

  test('its ARN uses the virtualGateway segment (Q2)', () => {
    const { stack, gateway, service } = setUp();
    const route = gateway.addGatewayRoute('Route', {
      gatewayRouteName: 'r1',
      routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service }),
    });
    expect(stack.resolve(route.gatewayRouteArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':appmesh:eu-west-1:123456789012:mesh/shop/virtualGateway/ingress/gatewayRoute/r1']],
    });
    expect(route.gatewayRouteRef).toEqual({ gatewayRouteArn: route.gatewayRouteArn });
  });

  test('fromGatewayRouteArn reads mesh, gateway and route names from the ARN', () => {
    const stack = new Stack();
    const arn = 'arn:aws:appmesh:eu-west-1:123456789012:mesh/shop/virtualGateway/ingress/gatewayRoute/r1';
    const route = appmesh.GatewayRoute.fromGatewayRouteArn(stack, 'Imported', arn);
    expect(route.gatewayRouteName).toBe('r1');
    expect(route.gatewayRouteArn).toBe(arn);
    expect(route.gatewayRouteRef).toEqual({ gatewayRouteArn: arn });
    expect(route.virtualGateway.virtualGatewayName).toBe('ingress');
    expect(route.virtualGateway.mesh.meshName).toBe('shop');
  });

  test('fromGatewayRouteArn reads the ARN of another kind by position, as aws-cdk-lib does, and warns', () => {
    const stack = new Stack(new App({ builtinCloudFormationValidation: false }));
    const arn = 'arn:aws:appmesh:eu-west-1:123456789012:mesh/shop/virtualRouter/orders/route/r1';
    const route = appmesh.GatewayRoute.fromGatewayRouteArn(stack, 'Imported', arn);
    expect([route.gatewayRouteName, route.virtualGateway.virtualGatewayName]).toEqual(['r1', 'orders']);
    Annotations.fromStack(stack).hasWarning('/Default/Imported', Match.stringLikeRegexp(
      "is not the ARN of a gatewayRoute \\(expected \\.\\.\\.:mesh/<mesh>/virtualGateway/<name>/gatewayRoute/<name>\\); .*named 'r1' in mesh 'shop'"));
  });

  test('fromGatewayRouteArn works with a deploy-time ARN', () => {
    const stack = new Stack();
    const arn = new CfnParameter(stack, 'Arn').valueAsString;
    const route = appmesh.GatewayRoute.fromGatewayRouteArn(stack, 'Imported', arn);
    // The resource part is mesh/<mesh>/virtualGateway/<gateway>/gatewayRoute/<name>: the name is its 6th segment.
    const resourcePart = { 'Fn::Select': [5, { 'Fn::Split': [':', { Ref: 'Arn' }] }] };
    expect(stack.resolve(route.gatewayRouteName)).toEqual({ 'Fn::Select': [5, { 'Fn::Split': ['/', resourcePart] }] });
    expect(stack.resolve(route.virtualGateway.virtualGatewayName)).toEqual({ 'Fn::Select': [3, { 'Fn::Split': ['/', resourcePart] }] });
    expect(stack.resolve(route.virtualGateway.mesh.meshName)).toEqual({ 'Fn::Select': [1, { 'Fn::Split': ['/', resourcePart] }] });
  });

  test('fromGatewayRouteAttributes builds the ARN from its gateway', () => {
    const stack = new Stack(undefined, 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
    const mesh = appmesh.Mesh.fromMeshName(stack, 'Mesh', 'shop');
    const gateway = appmesh.VirtualGateway.fromVirtualGatewayAttributes(stack, 'Gw', { mesh, virtualGatewayName: 'ingress' });
    const route = appmesh.GatewayRoute.fromGatewayRouteAttributes(stack, 'Route', { gatewayRouteName: 'r1', virtualGateway: gateway });
    expect(route.gatewayRouteName).toBe('r1');
    expect(stack.resolve(route.gatewayRouteArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':appmesh:eu-west-1:123456789012:mesh/shop/virtualGateway/ingress/gatewayRoute/r1']],
    });
  });

  test('a route added to an imported gateway is rendered with that gateway as parent', () => {
    const stack = new Stack();
    const mesh = appmesh.Mesh.fromMeshName(stack, 'Mesh', 'shop');
    const gateway = appmesh.VirtualGateway.fromVirtualGatewayAttributes(stack, 'Gw', { mesh, virtualGatewayName: 'ingress' });
    const service = appmesh.VirtualService.fromVirtualServiceAttributes(stack, 'Svc', { mesh, virtualServiceName: 'orders.shop.local' });
    gateway.addGatewayRoute('Route', {
      gatewayRouteName: 'r1',
      routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service }),
    });
    const [collected] = collectMeshSpecs(stack);
    expect(collected.document.gatewayRoutes).toEqual([{
      meshName: 'shop',
      virtualGatewayName: 'ingress',
      gatewayRouteName: 'r1',
      spec: { httpRoute: { match: { prefix: '/' }, action: { target: { virtualService: { virtualServiceName: 'orders.shop.local' } } } } },
    }]);
  });
});

describe('gateway routes and gateway listeners (Q3)', () => {
  const twoListeners = () => [
    appmesh.VirtualGatewayListener.http({ port: 8080 }),
    appmesh.VirtualGatewayListener.http({ port: 8081 }),
  ];

  test('a route without a port match fails at synth when the gateway has several listeners', () => {
    const { app, gateway, service } = setUp(twoListeners());
    gateway.addGatewayRoute('NoPort', {
      gatewayRouteName: 'no-port',
      routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service }),
    });
    expect(() => app.synth()).toThrow(
      /\[Stack\/Mesh\/Gateway\/NoPort\] .*match\.port: virtual gateway "ingress" has 2 listeners \(ports 8080, 8081\), so the route must set match\.port/);
  });

  test('a route matching a listener port passes', () => {
    const { app, stack, gateway, service } = setUp(twoListeners());
    gateway.addGatewayRoute('Port', {
      gatewayRouteName: 'port',
      routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service, match: { port: 8081 } }),
    });
    expect(() => app.synth()).not.toThrow();
    expect(gatewayRouteSpec(stack, 'port').httpRoute?.match.port).toBe(8081);
  });

  test('a route matching a port the gateway does not listen on synthesizes with a warning (App Mesh accepted it)', () => {
    const { app, stack, gateway, service } = setUp(twoListeners());
    gateway.addGatewayRoute('Other', {
      gatewayRouteName: 'other',
      routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service, match: { port: 9090 } }),
    });
    expect(() => app.synth()).not.toThrow();
    Annotations.fromStack(stack).hasWarning('/Stack/Mesh/Gateway/Other', Match.stringLikeRegexp(
      '^\\[Stack/Mesh/Gateway/Other\\] .*port 9090 is not a listener port of virtual gateway "ingress" \\(listener ports: 8080, 8081\\).*'
      + '\\[ack: open-app-mesh:gateway-route-match-port-is-listener\\]$'));
  });

  test('a single-listener gateway needs no port match', () => {
    const { app, gateway, service } = setUp();
    gateway.addGatewayRoute('Any', { routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service }) });
    expect(() => app.synth()).not.toThrow();
  });

  test('an out-of-range priority is reported at synth with the construct path', () => {
    const { app, gateway, service } = setUp();
    gateway.addGatewayRoute('Prio', {
      routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service, priority: 1001 }),
    });
    expect(() => app.synth()).toThrow(/\[Stack\/Mesh\/Gateway\/Prio\] .*priority/);
  });
});

describe('source compatibility with aws-cdk-lib/aws-appmesh', () => {
  // Gateway code written for aws-cdk-lib; only the import line differs between the two checks.
  const body = `
import * as cdk from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as iam from 'aws-cdk-lib/aws-iam';
IMPORT

export function build(stack: cdk.Stack): string[] {
  const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'shop' });
  const node = mesh.addVirtualNode('Node', {
    serviceDiscovery: appmesh.ServiceDiscovery.dns('node.shop.local'),
    listeners: [appmesh.VirtualNodeListener.http()],
  });
  const service = new appmesh.VirtualService(stack, 'Service', {
    virtualServiceName: 'svc.shop.local',
    virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(node),
  });
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/x');
  const gateway: appmesh.VirtualGateway = mesh.addVirtualGateway('Gateway', {
    virtualGatewayName: 'gw',
    listeners: [
      appmesh.VirtualGatewayListener.http({
        port: 443,
        healthCheck: appmesh.HealthCheck.http({ interval: cdk.Duration.seconds(10), path: '/ping' }),
        tls: { mode: appmesh.TlsMode.STRICT, certificate: appmesh.TlsCertificate.acm(certificate) },
        connectionPool: { maxConnections: 10, maxPendingRequests: 5 },
      }),
      appmesh.VirtualGatewayListener.http2({
        port: 8443,
        tls: {
          mode: appmesh.TlsMode.PERMISSIVE,
          certificate: appmesh.TlsCertificate.file('/c.pem', '/k.pem'),
          mutualTlsValidation: {
            trust: appmesh.TlsValidationTrust.file('/ca.pem'),
            subjectAlternativeNames: appmesh.SubjectAlternativeNames.matchingExactly('client'),
          },
        },
        connectionPool: { maxRequests: 10 },
      }),
      appmesh.VirtualGatewayListener.grpc({ port: 50051, healthCheck: appmesh.HealthCheck.grpc(), connectionPool: { maxRequests: 10 } }),
    ],
    backendDefaults: {
      tlsClientPolicy: {
        validation: { trust: appmesh.TlsValidationTrust.sds('ca') },
        mutualTlsCertificate: appmesh.TlsCertificate.sds('client'),
      },
    },
    accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout', appmesh.LoggingFormat.fromText('%RESPONSE_CODE%')),
  });
  const route: appmesh.GatewayRoute = gateway.addGatewayRoute('Http', {
    gatewayRouteName: 'http',
    routeSpec: appmesh.GatewayRouteSpec.http({
      routeTarget: service,
      priority: 1,
      match: {
        port: 443,
        path: appmesh.HttpGatewayRoutePathMatch.startsWith('/a/', '/b/'),
        hostname: appmesh.GatewayRouteHostnameMatch.endsWith('.example.com'),
        headers: [appmesh.HeaderMatch.valueIs('h', 'v')],
        method: appmesh.HttpRouteMethod.GET,
        queryParameters: [appmesh.QueryParameterMatch.valueIs('q', 'v')],
        rewriteRequestHostname: false,
      },
    }),
  });
  new appmesh.GatewayRoute(stack, 'Http2', {
    virtualGateway: gateway,
    routeSpec: appmesh.GatewayRouteSpec.http2({
      routeTarget: service,
      match: { port: 8443, path: appmesh.HttpGatewayRoutePathMatch.exactly('/x', '/y') },
    }),
  });
  gateway.addGatewayRoute('Grpc', {
    routeSpec: appmesh.GatewayRouteSpec.grpc({
      routeTarget: service,
      match: {
        port: 50051,
        serviceName: 'pkg.Service',
        hostname: appmesh.GatewayRouteHostnameMatch.exactly('grpc.example.com'),
        metadata: [appmesh.HeaderMatch.valueIsNot('m', 'v')],
        rewriteRequestHostname: true,
      },
    }),
  });
  const imported: appmesh.IVirtualGateway = appmesh.VirtualGateway.fromVirtualGatewayArn(stack, 'ImportedGw',
    'arn:aws:appmesh:eu-west-1:123456789012:mesh/shop/virtualGateway/edge');
  appmesh.VirtualGateway.fromVirtualGatewayAttributes(stack, 'ImportedGw2', { mesh, virtualGatewayName: 'edge' });
  const importedRoute: appmesh.IGatewayRoute = appmesh.GatewayRoute.fromGatewayRouteArn(stack, 'ImportedRoute',
    'arn:aws:appmesh:eu-west-1:123456789012:mesh/shop/virtualGateway/edge/gatewayRoute/r');
  appmesh.GatewayRoute.fromGatewayRouteAttributes(stack, 'ImportedRoute2', { gatewayRouteName: 'r', virtualGateway: imported });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  const grant: iam.Grant = gateway.grantStreamAggregatedResources(role);
  gateway.grants.streamAggregatedResources(role);
  const specConfig: appmesh.GatewayRouteSpecConfig = appmesh.GatewayRouteSpec.http({ routeTarget: service }).bind(stack);
  const pathConfig: appmesh.HttpGatewayRoutePathMatchConfig = appmesh.HttpGatewayRoutePathMatch.regex('^/r$').bind(stack);
  const hostConfig: appmesh.GatewayRouteHostnameMatchConfig = appmesh.GatewayRouteHostnameMatch.exactly('h').bind(stack);
  const listenerConfig: appmesh.VirtualGatewayListenerConfig = appmesh.VirtualGatewayListener.http().bind(stack);
  const options: appmesh.HttpGatewayRouteSpecOptions = { routeTarget: service };
  const grpcOptions: appmesh.GrpcGatewayRouteSpecOptions = { routeTarget: service, match: { serviceName: 's' } };
  const props: appmesh.VirtualGatewayProps = { mesh };
  const base: appmesh.VirtualGatewayBaseProps = {};
  const routeProps: appmesh.GatewayRouteBaseProps = { routeSpec: appmesh.GatewayRouteSpec.grpc(grpcOptions) };
  void [grant, specConfig, pathConfig, hostConfig, listenerConfig, options, props, base, routeProps];
  return [route.gatewayRouteName, route.gatewayRouteArn, gateway.virtualGatewayArn, gateway.mesh.meshName,
    importedRoute.virtualGateway.virtualGatewayName, imported.virtualGatewayName];
}
`;

  /**
   * Type-checks the sources (name → text; files beside this test, never on disk) in one program,
   * and returns the diagnostics of each: only of those files, as the library is type-checked by
   * its own build (checking all of src/ again made this test slow).
   */
  function typeCheck(sources: Record<string, string>): Record<string, string[]> {
    const files = new Map(Object.entries(sources).map(([name, text]) => [path.join(__dirname, name), text]));
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    };
    const host = ts.createCompilerHost(options);
    const original = { getSourceFile: host.getSourceFile, fileExists: host.fileExists, readFile: host.readFile };
    host.fileExists = (f) => files.has(path.resolve(f)) || original.fileExists.call(host, f);
    host.readFile = (f) => files.get(path.resolve(f)) ?? original.readFile.call(host, f);
    host.getSourceFile = (f, version, onError, create) => {
      const text = files.get(path.resolve(f));
      return text !== undefined ? ts.createSourceFile(f, text, version, true) : original.getSourceFile.call(host, f, version, onError, create);
    };
    const program = ts.createProgram([...files.keys()], options, host);
    const text = (d: ts.Diagnostic): string => ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map(text);
    return Object.fromEntries(Object.keys(sources).map((name) => {
      const sourceFile = program.getSourceFile(path.join(__dirname, name))!;
      return [name, [...global, ...[...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)].map(text)]];
    }));
  }

  // The code as written, and with a member name that exists in neither library; one program for all four.
  const broken = body.replace('appmesh.GatewayRouteSpec.grpc(grpcOptions)', 'appmesh.GatewayRouteSpec.grpcx(grpcOptions)');
  const variants = (source: string): Record<string, string> => ({
    'aws-cdk-lib': source.replace('IMPORT', "import * as appmesh from 'aws-cdk-lib/aws-appmesh';"),
    'open-app-mesh': source.replace('IMPORT', "import * as appmesh from '../src';"),
  });
  let checked: Record<string, string[]> | undefined;
  const diagnostics = (): Record<string, string[]> => checked ??= typeCheck(Object.fromEntries([
    ...Object.entries(variants(body)).map(([lib, text]) => [`gateway-compat.${lib}.virtual.ts`, text]),
    ...Object.entries(variants(broken)).map(([lib, text]) => [`gateway-compat-broken.${lib}.virtual.ts`, text]),
  ]));

  test('gateway code written for aws-cdk-lib type-checks against both libraries', () => {
    expect(diagnostics()['gateway-compat.aws-cdk-lib.virtual.ts']).toEqual([]);
    expect(diagnostics()['gateway-compat.open-app-mesh.virtual.ts']).toEqual([]);
  }, 120_000);

  test('the check is real: a wrong member name fails against both libraries', () => {
    expect(broken).not.toBe(body);
    for (const lib of ['aws-cdk-lib', 'open-app-mesh']) {
      expect(diagnostics()[`gateway-compat-broken.${lib}.virtual.ts`]).toEqual([expect.stringContaining("'grpcx'")]);
    }
  }, 120_000);

  test('the same code synthesizes with open-app-mesh', () => {
    const output = ts.transpileModule(body.replace('IMPORT', "import * as appmesh from '../src';"), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const module = { exports: {} as { build: (stack: Stack) => string[] } };
    new Function('require', 'module', 'exports', output)(require, module, module.exports);
    const app = new App();
    const stack = new Stack(app, 'Compat', { env: { account: '123456789012', region: 'eu-west-1' } });
    const names = module.exports.build(stack);
    expect(names[0]).toBe('http');
    expect(names[4]).toBe('edge');
    const [doc] = buildMeshSpecs(stack);
    expect(doc.gatewayRoutes.map((r) => r.gatewayRouteName)).toEqual(expect.arrayContaining(['http']));
    expect(doc.gatewayRoutes).toHaveLength(3);
    expect(doc.virtualGateways.map((g) => g.spec.listeners.map((l) => l.portMapping.port))).toEqual([[443, 8443, 50051]]);
  });
});
