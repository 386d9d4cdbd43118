/**
 * Mesh specs written for the code generator's round trip: together they use every field of the
 * App Mesh model the constructs can express, in the spellings importers produce (durations in
 * seconds, defaults left out, unsorted Cloud Map attributes).
 */
import { MeshSpecDocument, SPEC_VERSION } from '../../../src/spec/document';

type Parts = Omit<MeshSpecDocument, 'specVersion' | 'mesh'> & { mesh: MeshSpecDocument['mesh'] };

function doc(parts: Partial<Parts> & { mesh: Parts['mesh'] }): MeshSpecDocument {
  return {
    specVersion: SPEC_VERSION,
    virtualNodes: [],
    virtualServices: [],
    virtualRouters: [],
    routes: [],
    virtualGateways: [],
    gatewayRoutes: [],
    ...parts,
  };
}

const s = (value: number) => ({ unit: 's' as const, value });
const ms = (value: number) => ({ unit: 'ms' as const, value });

/** Every route kind, match kind, retry policy and timeout, behind one router per protocol. */
export const ROUTES = doc({
  mesh: { meshName: 'routes', spec: { egressFilter: { type: 'ALLOW_ALL' }, serviceDiscovery: { ipPreference: 'IPv6_PREFERRED' } } },
  virtualNodes: [
    {
      meshName: 'routes',
      virtualNodeName: 'caller',
      spec: { backends: [{ virtualService: { virtualServiceName: 'web.routes.local' } }, { virtualService: { virtualServiceName: 'rpc.routes.local' } }] },
    },
    ...['web-v1', 'web-v2'].map((name) => ({
      meshName: 'routes',
      virtualNodeName: name,
      spec: {
        serviceDiscovery: { dns: { hostname: `${name}.routes.local`, responseType: 'ENDPOINTS' as const } },
        listeners: [{ portMapping: { port: 8080, protocol: 'http' as const } }, { portMapping: { port: 8081, protocol: 'http2' as const } }],
      },
    })),
    {
      meshName: 'routes',
      virtualNodeName: 'rpc',
      spec: {
        serviceDiscovery: { dns: { hostname: 'rpc.routes.local', ipPreference: 'IPv4_ONLY' } },
        listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }, { portMapping: { port: 9000, protocol: 'tcp' } }],
      },
    },
  ],
  virtualServices: [
    { meshName: 'routes', virtualServiceName: 'web.routes.local', spec: { provider: { virtualRouter: { virtualRouterName: 'web' } } } },
    { meshName: 'routes', virtualServiceName: 'rpc.routes.local', spec: { provider: { virtualRouter: { virtualRouterName: 'rpc' } } } },
  ],
  virtualRouters: [
    { meshName: 'routes', virtualRouterName: 'web', spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }, { portMapping: { port: 8081, protocol: 'http2' } }] } },
    { meshName: 'routes', virtualRouterName: 'rpc', spec: { listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }, { portMapping: { port: 9000, protocol: 'tcp' } }] } },
  ],
  routes: [
    {
      meshName: 'routes',
      virtualRouterName: 'web',
      routeName: 'headers',
      spec: {
        priority: 1,
        httpRoute: {
          match: {
            prefix: '/api/',
            port: 8080,
            method: 'POST',
            scheme: 'https',
            headers: [
              { name: 'x-exact', match: { exact: 'a' } },
              { name: 'x-not-exact', invert: true, match: { exact: 'b' } },
              { name: 'x-prefix', match: { prefix: 'p' } },
              { name: 'x-not-prefix', invert: true, match: { prefix: 'q' } },
              { name: 'x-suffix', invert: false, match: { suffix: 's' } },
              { name: 'x-not-suffix', invert: true, match: { suffix: 't' } },
              { name: 'x-regex', match: { regex: '^v[0-9]+$' } },
              { name: 'x-not-regex', invert: true, match: { regex: '^w' } },
              { name: 'x-range', match: { range: { start: 1, end: 10 } } },
              { name: 'x-not-range', invert: true, match: { range: { start: 100, end: 200 } } },
            ],
            queryParameters: [{ name: 'version', match: { exact: '2' } }],
          },
          action: { weightedTargets: [{ virtualNode: 'web-v1', weight: 90, port: 8080 }, { virtualNode: 'web-v2', weight: 10, port: 8080 }] },
          retryPolicy: { maxRetries: 3, perRetryTimeout: s(2), httpRetryEvents: ['server-error', 'gateway-error', 'client-error', 'stream-error'], tcpRetryEvents: ['connection-error'] },
          timeout: { idle: s(300), perRequest: ms(1500) },
        },
      },
    },
    {
      meshName: 'routes',
      virtualRouterName: 'web',
      routeName: 'exact-path',
      spec: {
        priority: 2,
        httpRoute: {
          match: { path: { exact: '/health' }, port: 8080 },
          action: { weightedTargets: [{ virtualNode: 'web-v1', weight: 1 }] },
          retryPolicy: { maxRetries: 1, perRetryTimeout: ms(250), tcpRetryEvents: ['connection-error'] },
        },
      },
    },
    {
      meshName: 'routes',
      virtualRouterName: 'web',
      routeName: 'regex-path',
      spec: {
        http2Route: {
          match: { path: { regex: '/v[0-9]+/.*' }, port: 8081, method: 'GET', scheme: 'http' },
          action: { weightedTargets: [{ virtualNode: 'web-v2', weight: 1, port: 8081 }] },
          timeout: { perRequest: s(0) },
        },
      },
    },
    {
      meshName: 'routes',
      virtualRouterName: 'web',
      routeName: 'port-only',
      spec: { http2Route: { match: { port: 8081 }, action: { weightedTargets: [{ virtualNode: 'web-v1', weight: 0, port: 8081 }, { virtualNode: 'web-v2', weight: 5, port: 8081 }] } } },
    },
    {
      meshName: 'routes',
      virtualRouterName: 'rpc',
      routeName: 'methods',
      spec: {
        priority: 10,
        grpcRoute: {
          match: {
            serviceName: 'orders.v1.Orders',
            methodName: 'Get',
            port: 50051,
            metadata: [{ name: 'tenant', match: { exact: 'blue' } }, { name: 'x-debug', invert: true, match: { prefix: '1' } }],
          },
          action: { weightedTargets: [{ virtualNode: 'rpc', weight: 100, port: 50051 }] },
          retryPolicy: {
            maxRetries: 2,
            perRetryTimeout: s(1),
            grpcRetryEvents: ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'],
            httpRetryEvents: ['gateway-error'],
            tcpRetryEvents: ['connection-error'],
          },
          timeout: { idle: s(60), perRequest: s(5) },
        },
      },
    },
    {
      meshName: 'routes',
      virtualRouterName: 'rpc',
      routeName: 'stream',
      spec: { tcpRoute: { match: { port: 9000 }, action: { weightedTargets: [{ virtualNode: 'rpc', weight: 1, port: 9000 }] }, timeout: { idle: s(3600) } } },
    },
  ],
});

/** Node listeners with every option: health checks, TLS, outlier detection, pools, timeouts; Cloud Map; logging; backend defaults. */
export const NODES = doc({
  mesh: { meshName: 'nodes', spec: {} },
  virtualNodes: [
    {
      meshName: 'nodes',
      virtualNodeName: 'frontend',
      spec: {
        serviceDiscovery: {
          awsCloudMap: {
            namespaceName: 'nodes.local',
            serviceName: 'frontend',
            attributes: [{ key: 'stage', value: 'prod' }, { key: 'color', value: 'blue' }],
            ipPreference: 'IPv4_PREFERRED',
          },
        },
        listeners: [
          {
            portMapping: { port: 8080, protocol: 'http' },
            healthCheck: { protocol: 'http', path: '/ping', healthyThreshold: 3, unhealthyThreshold: 4, intervalMillis: 10000, timeoutMillis: 3000 },
            outlierDetection: { baseEjectionDuration: s(30), interval: s(10), maxEjectionPercent: 50, maxServerErrors: 5 },
            connectionPool: { http: { maxConnections: 100, maxPendingRequests: 50 } },
            timeout: { http: { idle: s(30), perRequest: s(10) } },
            tls: {
              mode: 'STRICT',
              certificate: { file: { certificateChain: '/certs/frontend.pem', privateKey: '/certs/frontend.key' } },
              validation: { trust: { file: { certificateChain: '/certs/ca.pem' } }, subjectAlternativeNames: { match: { exact: ['backend.nodes.local'] } } },
            },
          },
          {
            portMapping: { port: 8443, protocol: 'http2' },
            healthCheck: { protocol: 'http2', healthyThreshold: 2, unhealthyThreshold: 2, intervalMillis: 5000, timeoutMillis: 2000, port: 9901 },
            connectionPool: { http2: { maxRequests: 200 } },
            timeout: { http2: { perRequest: ms(800) } },
            tls: { mode: 'PERMISSIVE', certificate: { sds: { secretName: 'frontend-cert' } }, validation: { trust: { sds: { secretName: 'mesh-ca' } } } },
          },
        ],
        backends: [
          {
            virtualService: {
              virtualServiceName: 'backend.nodes.local',
              clientPolicy: {
                tls: {
                  ports: [8080],
                  certificate: { sds: { secretName: 'frontend-client' } },
                  validation: { trust: { sds: { secretName: 'mesh-ca' } }, subjectAlternativeNames: { match: { exact: ['backend.nodes.local', 'backend'] } } },
                },
              },
            },
          },
          { virtualService: { virtualServiceName: 'external.nodes.local' } },
        ],
        backendDefaults: {
          clientPolicy: {
            tls: {
              enforce: false,
              certificate: { file: { certificateChain: '/certs/client.pem', privateKey: '/certs/client.key' } },
              validation: { trust: { file: { certificateChain: '/certs/ca.pem' } } },
            },
          },
        },
        logging: { accessLog: { file: { path: '/var/log/envoy.json', format: { json: [{ key: 'status', value: '%RESPONSE_CODE%' }, { key: 'path', value: '%REQ(:PATH)%' }, { key: '__proto__', value: '%PROTOCOL%' }] } } } },
      },
    },
    {
      meshName: 'nodes',
      virtualNodeName: 'backend',
      spec: {
        serviceDiscovery: { awsCloudMap: { namespaceName: 'nodes.local', serviceName: 'backend' } },
        listeners: [
          {
            portMapping: { port: 8080, protocol: 'grpc' },
            healthCheck: { protocol: 'grpc', healthyThreshold: 2, unhealthyThreshold: 3, intervalMillis: 5000, timeoutMillis: 2000 },
            connectionPool: { grpc: { maxRequests: 64 } },
            timeout: { grpc: { idle: s(120), perRequest: s(30) } },
            tls: { mode: 'STRICT', certificate: { acm: { certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/0b9c3f1e-backend' } } },
          },
          {
            portMapping: { port: 9000, protocol: 'tcp' },
            healthCheck: { protocol: 'tcp', healthyThreshold: 2, unhealthyThreshold: 2, intervalMillis: 30000, timeoutMillis: 5000 },
            connectionPool: { tcp: { maxConnections: 10 } },
            timeout: { tcp: { idle: s(600) } },
            outlierDetection: { baseEjectionDuration: ms(500), interval: s(1), maxEjectionPercent: 100, maxServerErrors: 1 },
          },
          {
            portMapping: { port: 8090, protocol: 'http' },
            connectionPool: { http: { maxConnections: 5 } },
          },
        ],
        backendDefaults: {
          clientPolicy: {
            tls: { validation: { trust: { acm: { certificateAuthorityArns: ['arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/mesh-ca'] } } } },
          },
        },
        logging: { accessLog: { file: { path: '/dev/stdout', format: { text: '[%START_TIME%] %REQ(:METHOD)% %RESPONSE_CODE%\n' } } } },
      },
    },
    { meshName: 'nodes', virtualNodeName: 'idle', spec: {} },
  ],
  virtualServices: [
    { meshName: 'nodes', virtualServiceName: 'backend.nodes.local', spec: { provider: { virtualNode: { virtualNodeName: 'backend' } } } },
    { meshName: 'nodes', virtualServiceName: 'frontend.nodes.local', spec: { provider: { virtualNode: { virtualNodeName: 'frontend' } } } },
    { meshName: 'nodes', virtualServiceName: 'external.nodes.local', spec: {} },
  ],
});

/** Gateways: listeners of each protocol with TLS and pools, and gateway routes with every match and rewrite. */
export const GATEWAYS = doc({
  mesh: { meshName: 'edge', spec: { egressFilter: { type: 'DROP_ALL' } } },
  virtualNodes: [
    {
      meshName: 'edge',
      virtualNodeName: 'shop',
      spec: {
        serviceDiscovery: { dns: { hostname: 'shop.edge.local' } },
        listeners: [{ portMapping: { port: 8080, protocol: 'http' } }, { portMapping: { port: 8081, protocol: 'grpc' } }],
      },
    },
  ],
  virtualServices: [{ meshName: 'edge', virtualServiceName: 'shop.edge.local', spec: { provider: { virtualNode: { virtualNodeName: 'shop' } } } }],
  virtualGateways: [
    {
      meshName: 'edge',
      virtualGatewayName: 'ingress',
      spec: {
        listeners: [
          {
            portMapping: { port: 443, protocol: 'http' },
            healthCheck: { protocol: 'http', path: '/healthz', healthyThreshold: 2, unhealthyThreshold: 2, intervalMillis: 5000, timeoutMillis: 2000, port: 443 },
            connectionPool: { http: { maxConnections: 1000, maxPendingRequests: 100 } },
            tls: {
              mode: 'STRICT',
              certificate: { acm: { certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/edge' } },
              validation: { trust: { file: { certificateChain: '/certs/clients.pem' } }, subjectAlternativeNames: { match: { exact: ['partner.example.com'] } } },
            },
          },
          {
            portMapping: { port: 8443, protocol: 'http2' },
            healthCheck: { protocol: 'grpc', healthyThreshold: 5, unhealthyThreshold: 5, intervalMillis: 60000, timeoutMillis: 10000 },
            connectionPool: { http2: { maxRequests: 500 } },
            tls: { mode: 'DISABLED', certificate: { file: { certificateChain: '/certs/edge.pem', privateKey: '/certs/edge.key' } } },
          },
          {
            portMapping: { port: 50051, protocol: 'grpc' },
            connectionPool: { grpc: { maxRequests: 300 } },
            tls: { mode: 'PERMISSIVE', certificate: { sds: { secretName: 'edge' } }, validation: { trust: { sds: { secretName: 'clients' } } } },
          },
        ],
        backendDefaults: {
          clientPolicy: {
            tls: {
              enforce: true,
              ports: [8080, 8081],
              certificate: { sds: { secretName: 'edge-client' } },
              validation: { trust: { acm: { certificateAuthorityArns: ['arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/mesh-ca', 'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/old-ca'] } } },
            },
          },
        },
        logging: { accessLog: { file: { path: '/dev/stdout' } } },
      },
    },
  ],
  gatewayRoutes: [
    {
      meshName: 'edge',
      virtualGatewayName: 'ingress',
      gatewayRouteName: 'prefix-rewrite',
      spec: {
        priority: 5,
        httpRoute: {
          match: {
            prefix: '/shop/',
            port: 443,
            hostname: { exact: 'www.example.com' },
            method: 'GET',
            headers: [{ name: 'x-canary', match: { exact: 'yes' } }, { name: 'x-bot', invert: true, match: { regex: 'bot' } }],
            queryParameters: [{ name: 'lang', match: { exact: 'en' } }],
          },
          action: {
            target: { virtualService: { virtualServiceName: 'shop.edge.local' }, port: 8080 },
            rewrite: { prefix: { value: '/' }, hostname: { defaultTargetHostname: 'DISABLED' } },
          },
        },
      },
    },
    {
      meshName: 'edge',
      virtualGatewayName: 'ingress',
      gatewayRouteName: 'keep-prefix',
      spec: {
        httpRoute: {
          match: { prefix: '/static/', port: 443, hostname: { suffix: '.example.com' } },
          action: { target: { virtualService: { virtualServiceName: 'shop.edge.local' }, port: 8080 }, rewrite: { prefix: { defaultPrefix: 'DISABLED' } } },
        },
      },
    },
    {
      meshName: 'edge',
      virtualGatewayName: 'ingress',
      gatewayRouteName: 'exact-rewrite',
      spec: {
        http2Route: {
          match: { path: { exact: '/old' }, port: 8443 },
          action: { target: { virtualService: { virtualServiceName: 'shop.edge.local' }, port: 8080 }, rewrite: { path: { exact: '/new' }, hostname: { defaultTargetHostname: 'ENABLED' } } },
        },
      },
    },
    {
      meshName: 'edge',
      virtualGatewayName: 'ingress',
      gatewayRouteName: 'regex',
      spec: {
        http2Route: {
          match: { path: { regex: '/v[0-9]+/items' }, port: 8443 },
          action: { target: { virtualService: { virtualServiceName: 'shop.edge.local' }, port: 8080 } },
        },
      },
    },
    {
      meshName: 'edge',
      virtualGatewayName: 'ingress',
      gatewayRouteName: 'hostname-only',
      spec: {
        priority: 900,
        httpRoute: {
          match: { hostname: { exact: 'shop.example.com' }, port: 443 },
          action: { target: { virtualService: { virtualServiceName: 'shop.edge.local' }, port: 8080 } },
        },
      },
    },
    {
      meshName: 'edge',
      virtualGatewayName: 'ingress',
      gatewayRouteName: 'rpc',
      spec: {
        grpcRoute: {
          match: {
            serviceName: 'shop.v1.Cart',
            port: 50051,
            hostname: { suffix: '.internal' },
            metadata: [{ name: 'region', match: { suffix: '-1' } }, { name: 'shard', invert: true, match: { range: { start: 0, end: 4 } } }],
          },
          action: { target: { virtualService: { virtualServiceName: 'shop.edge.local' }, port: 8081 }, rewrite: { hostname: { defaultTargetHostname: 'DISABLED' } } },
        },
      },
    },
  ],
  proxyAccess: [{ nodeId: 'mesh/edge/virtualGateway/ingress', principals: ['arn:aws:iam::111122223333:role/edge-task'] }],
});

/** Names that need care as identifiers and construct ids: shared names across kinds, keywords, digits. */
export const NAMES = doc({
  mesh: { meshName: 'odd-names_1', spec: {} },
  virtualNodes: [
    { meshName: 'odd-names_1', virtualNodeName: 'default', spec: { serviceDiscovery: { dns: { hostname: 'a.local' } }, listeners: [{ portMapping: { port: 80, protocol: 'http' } }] } },
    { meshName: 'odd-names_1', virtualNodeName: '2fast', spec: { serviceDiscovery: { dns: { hostname: 'b.local' } }, listeners: [{ portMapping: { port: 80, protocol: 'http' } }] } },
    { meshName: 'odd-names_1', virtualNodeName: 'it\'s "quoted"', spec: { backends: [{ virtualService: { virtualServiceName: 'default' } }] } },
  ],
  virtualRouters: [{ meshName: 'odd-names_1', virtualRouterName: 'default', spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] } }],
  routes: [{
    meshName: 'odd-names_1',
    virtualRouterName: 'default',
    routeName: 'default',
    spec: { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'default', weight: 1 }, { virtualNode: '2fast', weight: 1 }] } } },
  }],
  virtualServices: [{ meshName: 'odd-names_1', virtualServiceName: 'default', spec: { provider: { virtualRouter: { virtualRouterName: 'default' } } } }],
  virtualGateways: [{ meshName: 'odd-names_1', virtualGatewayName: 'default', spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] } }],
  gatewayRoutes: [{
    meshName: 'odd-names_1',
    virtualGatewayName: 'default',
    gatewayRouteName: 'default',
    spec: { httpRoute: { match: { prefix: '/' }, action: { target: { virtualService: { virtualServiceName: 'default' } } } } },
  }],
});

/** The hand-written specs by name. */
export const HAND_WRITTEN: Record<string, MeshSpecDocument> = { routes: ROUTES, nodes: NODES, gateways: GATEWAYS, names: NAMES };
