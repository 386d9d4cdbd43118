import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as upstream from 'aws-cdk-lib/aws-appmesh';
import * as ours from '../src';

/**
 * The same check, the same message: every check aws-cdk-lib/aws-appmesh makes at a call, made
 * here at the same call, with aws-cdk-lib's message (its facts, units and wording) and its
 * error code. Users' own tests match on these messages. Each case is plain aws-cdk-lib code,
 * run once against each library (`lib` is either module: the import swap of a migration).
 */
type AppMesh = typeof upstream;

interface Case {
  /** aws-cdk-lib's error code for the check. */
  readonly code: string;
  readonly run: (lib: AppMesh, stack: Stack) => unknown;
}

const meshAndRouter = (lib: AppMesh, stack: Stack) => {
  const mesh = new lib.Mesh(stack, 'mesh');
  const router = mesh.addVirtualRouter('router', { listeners: [lib.VirtualRouterListener.http()] });
  const node = mesh.addVirtualNode('node', { serviceDiscovery: lib.ServiceDiscovery.dns('node.local') });
  return { mesh, router, node };
};

const httpRoute = (lib: AppMesh, stack: Stack, options: Partial<upstream.HttpRouteSpecOptions>) => {
  const { router, node } = meshAndRouter(lib, stack);
  return router.addRoute('route', { routeSpec: lib.RouteSpec.http({ weightedTargets: [{ virtualNode: node }], ...options }) });
};

const grpcRoute = (lib: AppMesh, stack: Stack, options: Partial<upstream.GrpcRouteSpecOptions>) => {
  const { router, node } = meshAndRouter(lib, stack);
  return router.addRoute('route', {
    routeSpec: lib.RouteSpec.grpc({ weightedTargets: [{ virtualNode: node }], match: { serviceName: 'svc' }, ...options }),
  });
};

const gatewayRoute = (lib: AppMesh, stack: Stack, spec: (service: upstream.IVirtualService) => upstream.GatewayRouteSpec) => {
  const mesh = new lib.Mesh(stack, 'mesh');
  const gateway = mesh.addVirtualGateway('gateway', { listeners: [lib.VirtualGatewayListener.http()] });
  const service = new lib.VirtualService(stack, 'service', {
    virtualServiceProvider: lib.VirtualServiceProvider.none(mesh),
    virtualServiceName: 'svc.local',
  });
  return gateway.addGatewayRoute('route', { routeSpec: spec(service) });
};

const CASES: Case[] = [
  { code: 'HealthyThresholdOutOfRange', run: (lib) => lib.HealthCheck.http({ healthyThreshold: 1 }) },
  { code: 'UnhealthyThresholdOutOfRange', run: (lib) => lib.HealthCheck.tcp({ unhealthyThreshold: 11 }) },
  { code: 'IntervalOutOfRange', run: (lib) => lib.HealthCheck.grpc({ interval: Duration.seconds(1) }) },
  { code: 'TimeoutOutOfRange', run: (lib) => lib.HealthCheck.http2({ timeout: Duration.minutes(2) }) },
  { code: 'PrefixPathMustStartWithSlash', run: (lib) => lib.HttpRoutePathMatch.startsWith('api') },
  { code: 'ExactPathMustStartWithSlash', run: (lib) => lib.HttpRoutePathMatch.exactly('api') },
  { code: 'ExactPathMustStartWithSlash', run: (lib) => lib.HttpGatewayRoutePathMatch.exactly('api') },
  { code: 'PrefixPathMustStartWithSlash', run: (lib) => lib.HttpGatewayRoutePathMatch.startsWith('api/') },
  { code: 'PrefixPathMustEndWithSlash', run: (lib) => lib.HttpGatewayRoutePathMatch.startsWith('/api', '/v2/') },
  { code: 'PrefixPathRewriteMustStartAndEndWithSlash', run: (lib) => lib.HttpGatewayRoutePathMatch.startsWith('/api/', 'v2') },
  { code: 'ExactPathRewriteCannotBeEmpty', run: (lib) => lib.HttpGatewayRoutePathMatch.exactly('/api', '') },
  { code: 'ExactPathRewriteMustStartWithSlash', run: (lib) => lib.HttpGatewayRoutePathMatch.exactly('/api', 'v2') },
  { code: 'RetryEventsRequired', run: (lib, stack) => httpRoute(lib, stack, { retryPolicy: { retryAttempts: 2, retryTimeout: Duration.seconds(1) } }) },
  {
    code: 'GrpcRetryEventsRequired',
    run: (lib, stack) => grpcRoute(lib, stack, { retryPolicy: { retryAttempts: 2, retryTimeout: Duration.seconds(1) } }),
  },
  { code: 'ServiceNameRequired', run: (lib, stack) => grpcRoute(lib, stack, { match: { methodName: 'Get' } }) },
  { code: 'JsonKeyPairsEmpty', run: (lib) => lib.LoggingFormat.fromJson({}) },
  {
    code: 'CertificateAuthorityRequired',
    run: (lib, stack) => lib.TlsValidationTrust.acm([]).bind(stack),
  },
  {
    code: 'ServiceDiscoveryRequired',
    run: (lib, stack) => new lib.Mesh(stack, 'mesh').addVirtualNode('node', { listeners: [lib.VirtualNodeListener.http()] }),
  },
  {
    code: 'HeaderCountOutOfRange',
    run: (lib, stack) => httpRoute(lib, stack, { match: { headers: [] } }),
  },
  {
    code: 'QueryParameterCountOutOfRange',
    run: (lib, stack) => httpRoute(lib, stack, {
      match: { queryParameters: Array.from({ length: 11 }, (_, i) => lib.QueryParameterMatch.valueIs(`q${i}`, 'v')) },
    }),
  },
  {
    code: 'MetadataCountOutOfRange',
    run: (lib, stack) => grpcRoute(lib, stack, { match: { metadata: [] } }),
  },
  { code: 'GrpcRouteMatchRequired', run: (lib, stack) => grpcRoute(lib, stack, { match: {} }) },
  {
    code: 'GrpcGatewayRouteMatchRequired',
    run: (lib, stack) => gatewayRoute(lib, stack,
      (service) => lib.GatewayRouteSpec.grpc({ routeTarget: service, match: { rewriteRequestHostname: false } })),
  },
];

/** What `run` threw (or undefined), constructs created in a fresh app each time. */
function thrown(lib: AppMesh, c: Case): Error | undefined {
  const stack = new Stack(new App(), 'Stack');
  try {
    c.run(lib, stack);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

describe('errors: the same call throws the same message as aws-cdk-lib', () => {
  test('every check aws-cdk-lib/aws-appmesh makes is covered here', () => {
    // The codes its compiled sources throw with; a new one in a newer aws-cdk-lib shows up here.
    const dir = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'aws-appmesh', 'lib');
    const sources = [...fs.readdirSync(dir), ...fs.readdirSync(path.join(dir, 'private')).map((f) => `private/${f}`)]
      .filter((f) => f.endsWith('.js'))
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    const codes = new Set([...sources.matchAll(/lit\)?`(\w+)`,\s*["`]/g)].map((m) => m[1]));
    codes.delete('UnexpectedIResolvable'); // the L1 Cfn* resources' token check
    codes.delete('CertificateAuthoritiesNotImplemented'); // a runtime type check for jsii languages; TypeScript's types rule it out
    expect([...codes].sort()).toEqual([...new Set(CASES.map((c) => c.code))].sort());
  });

  test.each(CASES.map((c, i) => [`${c.code} #${i}`, c] as const))('%s', (_name, c) => {
    const theirs = thrown(upstream, c);
    expect(theirs?.message).toBeDefined();
    const mine = thrown(ours as unknown as AppMesh, c);
    expect(mine).toBeDefined();
    expect(mine!.message).toContain(theirs!.message);
    expect(mine!.message).toContain(c.code);
  });
});
