/**
 * Small builders of mesh spec documents for the spec tests. Each returns plain data;
 * tests spread and override what they need.
 */
import {
  GatewayRouteResource,
  GatewayRouteSpec,
  GrpcRetryPolicy,
  MeshSpecDocument,
  PortMapping,
  RouteResource,
  RouteSpec,
  SPEC_VERSION,
  VirtualGatewayResource,
  VirtualGatewayPortMapping,
  VirtualNodeResource,
  VirtualNodeSpec,
  VirtualRouterResource,
  VirtualServiceResource,
} from '../../src/spec';
import { formatSpecIssue, validateMeshSpec, ValidateOptions } from '../../src/spec/validate';

export const MESH = 'demo';

type Protocol = PortMapping['protocol'];
type GatewayProtocol = VirtualGatewayPortMapping['protocol'];

type DocumentParts = { -readonly [K in keyof MeshSpecDocument]?: MeshSpecDocument[K] };

/** A document of mesh `demo` with the given resources (every list defaults to empty). */
export function meshDoc(parts: DocumentParts = {}): MeshSpecDocument {
  return {
    specVersion: SPEC_VERSION,
    mesh: { meshName: MESH, spec: { egressFilter: { type: 'DROP_ALL' } } },
    virtualNodes: [],
    virtualServices: [],
    virtualRouters: [],
    routes: [],
    virtualGateways: [],
    gatewayRoutes: [],
    ...parts,
  };
}

export function node(name: string, spec: VirtualNodeSpec = {}): VirtualNodeResource {
  return { meshName: MESH, virtualNodeName: name, spec };
}

/** A node with one listener per `[protocol, port]` (default one http listener on 8080) and DNS discovery. */
export function listeningNode(name: string, ...listeners: [Protocol, number][]): VirtualNodeResource {
  const ports = listeners.length > 0 ? listeners : [['http', 8080] as [Protocol, number]];
  return node(name, {
    listeners: ports.map(([protocol, port]) => ({ portMapping: { protocol, port } })),
    serviceDiscovery: { dns: { hostname: `${name}.local` } },
  });
}

export function service(name: string, provider?: { node?: string; router?: string }): VirtualServiceResource {
  const spec = provider?.node !== undefined
    ? { provider: { virtualNode: { virtualNodeName: provider.node } } }
    : provider?.router !== undefined
      ? { provider: { virtualRouter: { virtualRouterName: provider.router } } }
      : {};
  return { meshName: MESH, virtualServiceName: name, spec };
}

/** A router with one listener per `[protocol, port]`. */
export function router(name: string, ...listeners: [Protocol, number][]): VirtualRouterResource {
  return { meshName: MESH, virtualRouterName: name, spec: { listeners: listeners.map(([protocol, port]) => ({ portMapping: { protocol, port } })) } };
}

export function route(routerName: string, name: string, spec: RouteSpec): RouteResource {
  return { meshName: MESH, virtualRouterName: routerName, routeName: name, spec };
}

/** `httpRoute` with prefix `/` to the given nodes (weight 1 each). */
export function httpRouteSpec(...nodes: string[]): RouteSpec {
  return {
    httpRoute: {
      match: { prefix: '/' },
      action: { weightedTargets: nodes.map(virtualNode => ({ virtualNode, weight: 1 })) },
    },
  };
}

/** A gateway with one listener per `[protocol, port]` (default one http listener on 8080). */
export function gateway(name: string, ...listeners: [GatewayProtocol, number][]): VirtualGatewayResource {
  const ports = listeners.length > 0 ? listeners : [['http', 8080] as ['http', number]];
  return { meshName: MESH, virtualGatewayName: name, spec: { listeners: ports.map(([protocol, port]) => ({ portMapping: { protocol, port } })) } };
}

export function gatewayRoute(gatewayName: string, name: string, spec: GatewayRouteSpec): GatewayRouteResource {
  return { meshName: MESH, virtualGatewayName: gatewayName, gatewayRouteName: name, spec };
}

/** `httpRoute` gateway route with prefix `/` to the given service. */
export function httpGatewayRouteSpec(serviceName: string): GatewayRouteSpec {
  return {
    httpRoute: {
      match: { prefix: '/' },
      action: { target: { virtualService: { virtualServiceName: serviceName } } },
    },
  };
}

/**
 * The smallest valid routing setup to put a route under test: node `a` (http 8080),
 * router `r` (http 8080), service `svc` provided by `r`.
 */
export function routedMesh(parts: DocumentParts = {}): MeshSpecDocument {
  return meshDoc({
    virtualNodes: [listeningNode('a')],
    virtualRouters: [router('r', ['http', 8080])],
    virtualServices: [service('svc', { router: 'r' })],
    ...parts,
  });
}

/** A mesh with gateway `gw` (http 8080) in front of service `svc` (node `a`, http 8080). */
export function gatewayMesh(parts: DocumentParts = {}): MeshSpecDocument {
  return meshDoc({
    virtualNodes: [listeningNode('a')],
    virtualServices: [service('svc', { node: 'a' })],
    virtualGateways: [gateway('gw')],
    ...parts,
  });
}

/** Every issue as `path: message`. */
export function issueLines(doc: unknown, options?: ValidateOptions): string[] {
  return validateMeshSpec(doc as MeshSpecDocument, options).map(formatSpecIssue);
}

/** Every warning as `rule-id path: message`. */
export function warningLines(doc: unknown, options?: ValidateOptions): string[] {
  const lines: string[] = [];
  validateMeshSpec(doc as MeshSpecDocument, { ...options, onWarning: issue => lines.push(`${issue.rule} ${formatSpecIssue(issue)}`) });
  return lines;
}

const GRPC_RETRY_EVENTS: GrpcRetryPolicy['grpcRetryEvents'] = ['unavailable', 'deadline-exceeded'];

/**
 * A valid mesh using most of the model: TLS, health checks, outlier detection, pools,
 * a router with two listeners and routes of all four kinds, a gateway with two listeners
 * and gateway routes with rewrites, and a proxy access grant.
 */
export function fullMeshDoc(): MeshSpecDocument {
  const file = { certificateChain: '/certs/chain.pem', privateKey: '/certs/key.pem' };
  return meshDoc({
    mesh: { meshName: MESH, spec: { egressFilter: { type: 'DROP_ALL' }, serviceDiscovery: { ipPreference: 'IPv4_PREFERRED' } } },
    virtualNodes: [
      node('orders-v1', {
        listeners: [
          {
            portMapping: { protocol: 'http', port: 8080 },
            healthCheck: { protocol: 'http', path: '/health', intervalMillis: 5000, timeoutMillis: 2000, healthyThreshold: 2, unhealthyThreshold: 3 },
            outlierDetection: {
              maxServerErrors: 5,
              maxEjectionPercent: 50,
              interval: { unit: 's', value: 10 },
              baseEjectionDuration: { unit: 'ms', value: 30000 },
            },
            timeout: { http: { perRequest: { unit: 's', value: 15 }, idle: { unit: 's', value: 300 } } },
            connectionPool: { http: { maxConnections: 100, maxPendingRequests: 50 } },
            tls: {
              mode: 'STRICT',
              certificate: { file },
              validation: {
                trust: { file: { certificateChain: '/certs/ca.pem' } },
                subjectAlternativeNames: { match: { exact: ['orders-v2.demo.local'] } },
              },
            },
          },
          {
            portMapping: { protocol: 'grpc', port: 9090 },
            healthCheck: { protocol: 'grpc', intervalMillis: 10000, timeoutMillis: 5000, healthyThreshold: 2, unhealthyThreshold: 2 },
            timeout: { grpc: { perRequest: { unit: 'ms', value: 0 } } },
            connectionPool: { grpc: { maxRequests: 200 } },
          },
        ],
        serviceDiscovery: {
          awsCloudMap: { namespaceName: 'demo.local', serviceName: 'orders', attributes: [{ key: 'version', value: 'v1' }] },
        },
        backends: [{
          virtualService: {
            virtualServiceName: 'payments.demo.local',
            clientPolicy: {
              tls: {
                enforce: true,
                ports: [8443],
                validation: { trust: { acm: { certificateAuthorityArns: ['arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca'] } } },
              },
            },
          },
        }],
        backendDefaults: {
          clientPolicy: { tls: { certificate: { sds: { secretName: 'orders-client' } }, validation: { trust: { sds: { secretName: 'mesh-ca' } } } } },
        },
        logging: { accessLog: { file: { path: '/dev/stdout', format: { json: [{ key: 'status', value: '%RESPONSE_CODE%' }] } } } },
      }),
      node('orders-v2', {
        listeners: [
          { portMapping: { protocol: 'http', port: 8080 } },
          { portMapping: { protocol: 'grpc', port: 9090 } },
        ],
        serviceDiscovery: { dns: { hostname: 'orders-v2.demo.local', responseType: 'LOADBALANCER' } },
        logging: { accessLog: { file: { path: '/dev/stdout', format: { text: '%START_TIME% %RESPONSE_CODE%\n' } } } },
      }),
      node('payments', {
        listeners: [
          { portMapping: { protocol: 'tcp', port: 7000 }, timeout: { tcp: { idle: { unit: 's', value: 60 } } }, connectionPool: { tcp: { maxConnections: 10 } } },
          { portMapping: { protocol: 'http2', port: 8443 }, connectionPool: { http2: { maxRequests: 100 } } },
        ],
        serviceDiscovery: { dns: { hostname: 'payments.demo.local', responseType: 'ENDPOINTS', ipPreference: 'IPv6_PREFERRED' } },
      }),
    ],
    virtualServices: [
      service('orders.demo.local', { router: 'orders-router' }),
      service('payments.demo.local', { node: 'payments' }),
      service('external.example.com'),
    ],
    virtualRouters: [
      router('orders-router', ['http', 8080], ['grpc', 9090]),
      router('payments-router', ['tcp', 7000], ['http2', 8443]),
    ],
    routes: [
      route('orders-router', 'orders-http', {
        priority: 10,
        httpRoute: {
          match: {
            port: 8080,
            prefix: '/',
            method: 'GET',
            scheme: 'https',
            headers: [
              { name: 'x-canary', match: { exact: 'true' } },
              { name: 'x-tier', invert: true, match: { range: { start: 1, end: 3 } } },
            ],
            queryParameters: [{ name: 'beta', match: { exact: '1' } }],
          },
          action: {
            weightedTargets: [
              { virtualNode: 'orders-v1', weight: 90, port: 8080 },
              { virtualNode: 'orders-v2', weight: 10, port: 8080 },
            ],
          },
          retryPolicy: { maxRetries: 2, perRetryTimeout: { unit: 'ms', value: 500 }, httpRetryEvents: ['server-error', 'gateway-error'], tcpRetryEvents: ['connection-error'] },
          timeout: { perRequest: { unit: 's', value: 5 } },
        },
      }),
      route('orders-router', 'orders-grpc', {
        grpcRoute: {
          match: {
            port: 9090,
            serviceName: 'demo.Orders',
            methodName: 'Get',
            metadata: [{ name: 'tenant', match: { prefix: 'acme-' } }],
          },
          action: { weightedTargets: [{ virtualNode: 'orders-v1', weight: 1, port: 9090 }, { virtualNode: 'orders-v2', weight: 0, port: 9090 }] },
          retryPolicy: { maxRetries: 3, perRetryTimeout: { unit: 's', value: 1 }, grpcRetryEvents: GRPC_RETRY_EVENTS },
          timeout: { perRequest: { unit: 's', value: 2 } },
        },
      }),
      route('payments-router', 'payments-tcp', {
        tcpRoute: {
          match: { port: 7000 },
          action: { weightedTargets: [{ virtualNode: 'payments', weight: 100, port: 7000 }] },
          timeout: { idle: { unit: 's', value: 30 } },
        },
      }),
      route('payments-router', 'payments-http2', {
        http2Route: {
          match: { port: 8443, path: { exact: '/pay' } },
          action: { weightedTargets: [{ virtualNode: 'payments', weight: 100, port: 8443 }] },
        },
      }),
    ],
    virtualGateways: [{
      meshName: MESH,
      virtualGatewayName: 'ingress',
      spec: {
        listeners: [
          {
            portMapping: { protocol: 'http', port: 8080 },
            healthCheck: { protocol: 'http', path: '/ping', intervalMillis: 5000, timeoutMillis: 2000, healthyThreshold: 2, unhealthyThreshold: 2 },
            connectionPool: { http: { maxConnections: 1000 } },
          },
          {
            portMapping: { protocol: 'grpc', port: 8081 },
            tls: { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/c' } } },
          },
        ],
        backendDefaults: { clientPolicy: { tls: { validation: { trust: { file: { certificateChain: '/certs/ca.pem' } } } } } },
        logging: { accessLog: { file: { path: '/dev/stdout' } } },
      },
    }],
    gatewayRoutes: [
      gatewayRoute('ingress', 'web', {
        priority: 1,
        httpRoute: {
          match: { port: 8080, prefix: '/orders/', hostname: { suffix: '.example.com' } },
          action: {
            target: { virtualService: { virtualServiceName: 'orders.demo.local' }, port: 8080 },
            rewrite: { prefix: { value: '/' }, hostname: { defaultTargetHostname: 'DISABLED' } },
          },
        },
      }),
      gatewayRoute('ingress', 'status', {
        httpRoute: {
          match: { port: 8080, path: { exact: '/status' }, headers: [{ name: 'x-debug', match: { suffix: '1' } }] },
          action: { target: { virtualService: { virtualServiceName: 'payments.demo.local' }, port: 8443 }, rewrite: { path: { exact: '/health' } } },
        },
      }),
      gatewayRoute('ingress', 'api', {
        grpcRoute: {
          match: { port: 8081, serviceName: 'demo.Orders', metadata: [{ name: 'tenant', match: { exact: 'acme' } }] },
          action: { target: { virtualService: { virtualServiceName: 'orders.demo.local' }, port: 9090 } },
        },
      }),
    ],
    proxyAccess: [{ nodeId: `mesh/${MESH}/virtualNode/orders-v1`, principals: ['arn:aws:iam::111122223333:role/orders'] }],
  });
}
