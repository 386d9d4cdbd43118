import { checkAgainstSchema, SchemaRootName } from '../../src/spec/schema-check';

/** Every structural problem of `value` against `root`, as `path: message`. */
function problems(root: SchemaRootName, value: unknown, isUnresolved?: (v: unknown) => boolean): string[] {
  const found: string[] = [];
  checkAgainstSchema(root, value, 'x.spec', (path, message) => found.push(`${path}: ${message}`), isUnresolved);
  return found;
}

const healthCheck = { protocol: 'http', intervalMillis: 5000, timeoutMillis: 2000, healthyThreshold: 2, unhealthyThreshold: 2 };
const listener = (extra: object) => ({ listeners: [{ portMapping: { protocol: 'http', port: 8080 }, ...extra }] });

describe('schema interpreter', () => {
  test('compiles every root of the generated schema and accepts minimal specs', () => {
    const roots: SchemaRootName[] = ['MeshSpec', 'VirtualNodeSpec', 'VirtualServiceSpec', 'VirtualRouterSpec', 'RouteSpec', 'GatewayRouteSpec'];
    for (const root of roots) expect(problems(root, {})).toEqual([]);
    expect(problems('VirtualGatewaySpec', { listeners: [] })).toEqual([]);
  });

  test('a number below the minimum names the path, the field and the range with its unit', () => {
    expect(problems('VirtualNodeSpec', listener({ healthCheck: { ...healthCheck, intervalMillis: 4000 } }))).toEqual([
      'x.spec.listeners[0].healthCheck.intervalMillis: 4000 is below the minimum 5000 (HealthCheckPolicy.intervalMillis, 5000–300000 ms)',
    ]);
  });

  test('a number above the maximum', () => {
    expect(problems('VirtualNodeSpec', listener({ healthCheck: { ...healthCheck, healthyThreshold: 11 } }))).toEqual([
      'x.spec.listeners[0].healthCheck.healthyThreshold: 11 is above the maximum 10 (HealthCheckPolicy.healthyThreshold, 2–10)',
    ]);
  });

  test('a lower bound without an upper bound', () => {
    expect(problems('VirtualNodeSpec', listener({ connectionPool: { http: { maxConnections: 0 } } }))).toEqual([
      'x.spec.listeners[0].connectionPool.http.maxConnections: 0 is below the minimum 1 (VirtualNodeHttpConnectionPool.maxConnections, at least 1)',
    ]);
  });

  test('integers must be integers', () => {
    expect(problems('RouteSpec', { priority: 1.5 })).toEqual(['x.spec.priority: expected an integer, got 1.5 (RouteSpec.priority)']);
    expect(problems('RouteSpec', { priority: '1' })).toEqual(['x.spec.priority: expected an integer, got "1" (RouteSpec.priority)']);
  });

  test('wrong types for objects, arrays, strings and booleans', () => {
    expect(problems('VirtualNodeSpec', [])).toEqual(['x.spec: expected an object, got an array (VirtualNodeSpec)']);
    expect(problems('VirtualNodeSpec', { listeners: {} })).toEqual(['x.spec.listeners: expected an array, got an object (VirtualNodeSpec.listeners)']);
    expect(problems('VirtualNodeSpec', { serviceDiscovery: { dns: { hostname: 7 } } })).toEqual([
      'x.spec.serviceDiscovery.dns.hostname: expected a string, got 7 (DnsServiceDiscovery.hostname)',
    ]);
    expect(problems('VirtualNodeSpec', { backendDefaults: { clientPolicy: { tls: { enforce: 'yes', validation: { trust: { sds: { secretName: 's' } } } } } } })).toEqual([
      'x.spec.backendDefaults.clientPolicy.tls.enforce: expected a boolean, got "yes" (ClientPolicyTls.enforce)',
    ]);
    expect(problems('VirtualNodeSpec', listener({ tls: undefined, healthCheck: undefined, outlierDetection: null }))).toEqual([
      'x.spec.listeners[0].outlierDetection: expected an object, got null (Listener.outlierDetection)',
    ]);
  });

  test('enums list the allowed values', () => {
    expect(problems('MeshSpec', { egressFilter: { type: 'ALLOW_SOME' } })).toEqual([
      'x.spec.egressFilter.type: "ALLOW_SOME" is not one of "ALLOW_ALL", "DROP_ALL" (EgressFilter.type)',
    ]);
    expect(problems('VirtualGatewaySpec', { listeners: [{ portMapping: { protocol: 'tcp', port: 1 } }] })).toEqual([
      'x.spec.listeners[0].portMapping.protocol: "tcp" is not one of "http", "http2", "grpc" (VirtualGatewayPortMapping.protocol)',
    ]);
  });

  test('missing required fields are reported at their own path', () => {
    expect(problems('VirtualGatewaySpec', {})).toEqual(['x.spec.listeners: missing required field (VirtualGatewaySpec.listeners)']);
    expect(problems('VirtualRouterSpec', { listeners: [{ portMapping: { port: 80 } }] })).toEqual([
      'x.spec.listeners[0].portMapping.protocol: missing required field (PortMapping.protocol)',
    ]);
  });

  test('unknown fields are rejected and the known ones listed', () => {
    expect(problems('MeshSpec', { egresFilter: {} })).toEqual(['x.spec.egresFilter: unknown field (MeshSpec has egressFilter, serviceDiscovery)']);
  });

  test('fields set to undefined count as absent', () => {
    expect(problems('MeshSpec', { egressFilter: undefined, other: undefined })).toEqual([]);
  });

  test('unions need exactly one member', () => {
    expect(problems('VirtualNodeSpec', { serviceDiscovery: {} })).toEqual([
      'x.spec.serviceDiscovery: set exactly one of awsCloudMap, dns; none is set (ServiceDiscovery)',
    ]);
    expect(problems('VirtualNodeSpec', { serviceDiscovery: { dns: { hostname: 'a' }, awsCloudMap: { namespaceName: 'n', serviceName: 's' } } })).toEqual([
      'x.spec.serviceDiscovery: set exactly one of awsCloudMap, dns; dns and awsCloudMap are set (ServiceDiscovery)',
    ]);
  });

  test('item counts', () => {
    const target = { virtualNode: 'a', weight: 1 };
    expect(problems('RouteSpec', { tcpRoute: { action: { weightedTargets: [] } } })).toEqual([
      'x.spec.tcpRoute.action.weightedTargets: 0 items is below the minimum 1 (TcpRouteAction.weightedTargets, 1–10 items)',
    ]);
    expect(problems('RouteSpec', { tcpRoute: { action: { weightedTargets: new Array(11).fill(target) } } })).toEqual([
      'x.spec.tcpRoute.action.weightedTargets: 11 items is above the maximum 10 (TcpRouteAction.weightedTargets, 1–10 items)',
    ]);
    const retry = { maxRetries: 1, perRetryTimeout: { unit: 's', value: 1 }, tcpRetryEvents: ['connection-error', 'connection-error'] };
    expect(problems('RouteSpec', { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [target] }, retryPolicy: retry } })).toEqual([
      'x.spec.httpRoute.retryPolicy.tcpRetryEvents: 2 items is above the maximum 1 (HttpRetryPolicy.tcpRetryEvents, exactly 1 item)',
    ]);
  });

  test('string lengths, counted in characters', () => {
    expect(problems('RouteSpec', { httpRoute: { match: { path: { exact: '' } }, action: { weightedTargets: [{ virtualNode: 'a', weight: 1 }] } } })).toEqual([
      'x.spec.httpRoute.match.path.exact: "" is empty, below the minimum length 1 (HttpPathMatch.exact, length 1–255)',
    ]);
    const long = 'h'.repeat(51);
    expect(problems('RouteSpec', { grpcRoute: { match: { metadata: [{ name: long }] }, action: { weightedTargets: [{ virtualNode: 'a', weight: 1 }] } } })).toEqual([
      `x.spec.grpcRoute.match.metadata[0].name: "${long}" has 51 characters, above the maximum length 50 (GrpcRouteMetadata.name, length 1–50)`,
    ]);
    // 50 emoji are 100 UTF-16 units but 50 characters: within the limit.
    expect(problems('RouteSpec', { grpcRoute: { match: { methodName: '🙂'.repeat(50) }, action: { weightedTargets: [{ virtualNode: 'a', weight: 1 }] } } })).toEqual([]);
  });

  test('patterns', () => {
    const cloudMap = (key: string) => ({ serviceDiscovery: { awsCloudMap: { namespaceName: 'n', serviceName: 's', attributes: [{ key, value: 'v' }] } } });
    expect(problems('VirtualNodeSpec', cloudMap('bad key'))).toEqual([
      'x.spec.serviceDiscovery.awsCloudMap.attributes[0].key: "bad key" does not match the pattern ^[a-zA-Z0-9!-~]+$ (AwsCloudMapInstanceAttribute.key)',
    ]);
    expect(problems('VirtualNodeSpec', cloudMap('ECS_SERVICE_NAME'))).toEqual([]);
  });

  test('array items carry their definition name', () => {
    const tls = { validation: { trust: { file: { certificateChain: '/ca' } } }, ports: [443, 70000] };
    expect(problems('VirtualNodeSpec', { backendDefaults: { clientPolicy: { tls } } })).toEqual([
      'x.spec.backendDefaults.clientPolicy.tls.ports[1]: 70000 is above the maximum 65535 (PortNumber, 1–65535)',
    ]);
  });

  test('every problem of a value is reported, not just the first', () => {
    expect(problems('VirtualNodeSpec', listener({ healthCheck: { protocol: 'udp', intervalMillis: 1, timeoutMillis: 1, healthyThreshold: 1 } }))).toEqual([
      'x.spec.listeners[0].healthCheck.protocol: "udp" is not one of "http", "tcp", "http2", "grpc" (HealthCheckPolicy.protocol)',
      'x.spec.listeners[0].healthCheck.intervalMillis: 1 is below the minimum 5000 (HealthCheckPolicy.intervalMillis, 5000–300000 ms)',
      'x.spec.listeners[0].healthCheck.timeoutMillis: 1 is below the minimum 2000 (HealthCheckPolicy.timeoutMillis, 2000–60000 ms)',
      'x.spec.listeners[0].healthCheck.healthyThreshold: 1 is below the minimum 2 (HealthCheckPolicy.healthyThreshold, 2–10)',
      'x.spec.listeners[0].healthCheck.unhealthyThreshold: missing required field (HealthCheckPolicy.unhealthyThreshold)',
    ]);
  });

  test('unresolved values (tokens) skip every check, at any depth', () => {
    const TOKEN = '${Token[TOKEN.1]}';
    const tokenNumber = -1.8881545897087626e+289;
    const isUnresolved = (v: unknown) => v === TOKEN || v === tokenNumber;
    const spec = { listeners: [{ portMapping: { protocol: TOKEN, port: tokenNumber } }], serviceDiscovery: TOKEN };
    expect(problems('VirtualNodeSpec', spec, isUnresolved)).toEqual([]);
    expect(problems('VirtualNodeSpec', spec).length).toBe(3);
  });
});
