import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import * as appmesh from '../src';
import { MeshResourceKind, MeshTemplate } from '../src/assertions';

/**
 * A mesh using every construct and most options: the snapshot shows the whole spec
 * the constructs produce, so any change of output is a visible diff in review.
 */
function buildShop(): Stack {
  const app = new App();
  const stack = new Stack(app, 'Shop', { env: { account: '123456789012', region: 'eu-west-1' } });
  const mesh = new appmesh.Mesh(stack, 'Mesh', {
    meshName: 'shop',
    egressFilter: appmesh.MeshFilterType.ALLOW_ALL,
    serviceDiscovery: { ipPreference: appmesh.IpPreference.IPV4_PREFERRED },
  });

  const namespace = new servicediscovery.HttpNamespace(stack, 'Namespace', { name: 'shop.local' });
  const webService = namespace.createService('WebService', { name: 'web' });

  const mutualTls: appmesh.ListenerTlsOptions = {
    mode: appmesh.TlsMode.STRICT,
    certificate: appmesh.TlsCertificate.file('/certs/web.pem', '/certs/web.key'),
    mutualTlsValidation: {
      trust: appmesh.TlsValidationTrust.file('/certs/mesh-ca.pem'),
      subjectAlternativeNames: appmesh.SubjectAlternativeNames.matchingExactly('ingress.shop.local'),
    },
  };
  const outlierDetection: appmesh.OutlierDetection = {
    baseEjectionDuration: Duration.seconds(30),
    interval: Duration.seconds(10),
    maxEjectionPercent: 50,
    maxServerErrors: 5,
  };

  // Nodes: one found through Cloud Map, the others through DNS.
  const webV1 = mesh.addVirtualNode('WebV1', {
    virtualNodeName: 'web-v1',
    serviceDiscovery: appmesh.ServiceDiscovery.cloudMap(webService, { version: 'v1' }, appmesh.IpPreference.IPV4_ONLY),
    listeners: [
      appmesh.VirtualNodeListener.http({
        port: 8080,
        healthCheck: appmesh.HealthCheck.http({ path: '/health', interval: Duration.seconds(10), unhealthyThreshold: 3 }),
        timeout: { idle: Duration.seconds(60), perRequest: Duration.seconds(5) },
        tls: mutualTls,
        outlierDetection,
        connectionPool: { maxConnections: 200, maxPendingRequests: 50 },
      }),
      appmesh.VirtualNodeListener.http2({
        port: 8081,
        healthCheck: appmesh.HealthCheck.http2({ path: '/health' }),
        connectionPool: { maxRequests: 500 },
      }),
    ],
    backendDefaults: {
      tlsClientPolicy: { validation: { trust: appmesh.TlsValidationTrust.file('/certs/mesh-ca.pem') } },
    },
    accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout', appmesh.LoggingFormat.fromText('%START_TIME% %REQ(:PATH)% %RESPONSE_CODE%\n')),
  });
  const webV2 = mesh.addVirtualNode('WebV2', {
    virtualNodeName: 'web-v2',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('web-v2.shop.local', appmesh.DnsResponseType.ENDPOINTS),
    listeners: [
      appmesh.VirtualNodeListener.http({ port: 8080, tls: mutualTls }),
      appmesh.VirtualNodeListener.http2({ port: 8081 }),
    ],
  });
  const catalog = mesh.addVirtualNode('Catalog', {
    virtualNodeName: 'catalog',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('catalog.shop.local', appmesh.DnsResponseType.LOAD_BALANCER, appmesh.IpPreference.IPV6_PREFERRED),
    listeners: [appmesh.VirtualNodeListener.grpc({
      port: 50051,
      healthCheck: appmesh.HealthCheck.grpc(),
      timeout: { perRequest: Duration.seconds(2) },
      outlierDetection,
      connectionPool: { maxRequests: 1000 },
    })],
    accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout', appmesh.LoggingFormat.fromJson({ path: '%REQ(:PATH)%', status: '%RESPONSE_CODE%' })),
  });
  const ledger = mesh.addVirtualNode('Ledger', {
    virtualNodeName: 'ledger',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('ledger.shop.local'),
    listeners: [appmesh.VirtualNodeListener.tcp({
      port: 9000,
      healthCheck: appmesh.HealthCheck.tcp({ timeout: Duration.seconds(3) }),
      timeout: { idle: Duration.minutes(10) },
      connectionPool: { maxConnections: 64 },
    })],
  });

  // A router with two listeners: every route names the port it serves.
  const webRouter = mesh.addVirtualRouter('WebRouter', {
    virtualRouterName: 'web',
    listeners: [appmesh.VirtualRouterListener.http(8080), appmesh.VirtualRouterListener.http2(8081)],
  });
  webRouter.addRoute('Canary', {
    routeName: 'web-canary',
    routeSpec: appmesh.RouteSpec.http({
      priority: 10,
      match: {
        path: appmesh.HttpRoutePathMatch.startsWith('/'),
        headers: [appmesh.HeaderMatch.valueIs('x-canary', 'true')],
        method: appmesh.HttpRouteMethod.GET,
        queryParameters: [appmesh.QueryParameterMatch.valueIs('beta', '1')],
        port: 8080,
      },
      weightedTargets: [
        { virtualNode: webV1, weight: 80, port: 8080 },
        { virtualNode: webV2, weight: 20, port: 8080 },
      ],
      retryPolicy: {
        retryAttempts: 3,
        retryTimeout: Duration.seconds(2),
        httpRetryEvents: [appmesh.HttpRetryEvent.SERVER_ERROR, appmesh.HttpRetryEvent.GATEWAY_ERROR],
        tcpRetryEvents: [appmesh.TcpRetryEvent.CONNECTION_ERROR],
      },
      timeout: { idle: Duration.seconds(30), perRequest: Duration.seconds(10) },
    }),
  });
  webRouter.addRoute('Default', {
    routeName: 'web-default',
    routeSpec: appmesh.RouteSpec.http({
      priority: 100,
      match: { port: 8080 },
      weightedTargets: [{ virtualNode: webV1, port: 8080 }],
    }),
  });
  webRouter.addRoute('Stream', {
    routeName: 'web-stream',
    routeSpec: appmesh.RouteSpec.http2({
      match: { path: appmesh.HttpRoutePathMatch.regex('^/stream/[a-z]+$'), port: 8081 },
      weightedTargets: [{ virtualNode: webV1, weight: 1, port: 8081 }, { virtualNode: webV2, weight: 1, port: 8081 }],
      retryPolicy: { retryAttempts: 2, retryTimeout: Duration.millis(500), httpRetryEvents: [appmesh.HttpRetryEvent.STREAM_ERROR] },
    }),
  });

  const catalogRouter = mesh.addVirtualRouter('CatalogRouter', {
    virtualRouterName: 'catalog',
    listeners: [appmesh.VirtualRouterListener.grpc(50051)],
  });
  catalogRouter.addRoute('Lookup', {
    routeName: 'catalog-lookup',
    routeSpec: appmesh.RouteSpec.grpc({
      match: {
        serviceName: 'shop.catalog.v1.Catalog',
        methodName: 'Lookup',
        metadata: [appmesh.HeaderMatch.valueStartsWith('x-region', 'eu-')],
      },
      weightedTargets: [{ virtualNode: catalog }],
      retryPolicy: {
        retryAttempts: 4,
        retryTimeout: Duration.seconds(1),
        grpcRetryEvents: [appmesh.GrpcRetryEvent.UNAVAILABLE, appmesh.GrpcRetryEvent.DEADLINE_EXCEEDED],
      },
      timeout: { perRequest: Duration.seconds(3) },
    }),
  });

  const ledgerRouter = mesh.addVirtualRouter('LedgerRouter', {
    virtualRouterName: 'ledger',
    listeners: [appmesh.VirtualRouterListener.tcp(9000)],
  });
  ledgerRouter.addRoute('Tcp', {
    routeName: 'ledger-tcp',
    routeSpec: appmesh.RouteSpec.tcp({
      weightedTargets: [{ virtualNode: ledger, weight: 100 }],
      timeout: { idle: Duration.minutes(5) },
    }),
  });

  const web = new appmesh.VirtualService(stack, 'Web', {
    virtualServiceName: 'web.shop.local',
    virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(webRouter),
  });
  const catalogService = new appmesh.VirtualService(stack, 'CatalogService', {
    virtualServiceName: 'catalog.shop.local',
    virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(catalogRouter),
  });
  const ledgerService = new appmesh.VirtualService(stack, 'LedgerService', {
    virtualServiceName: 'ledger.shop.local',
    virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(ledgerRouter),
  });
  webV1.addBackend(appmesh.Backend.virtualService(catalogService, {
    tlsClientPolicy: {
      ports: [50051],
      validation: {
        trust: appmesh.TlsValidationTrust.sds('mesh-ca'),
        subjectAlternativeNames: appmesh.SubjectAlternativeNames.matchingExactly('catalog.shop.local'),
      },
      mutualTlsCertificate: appmesh.TlsCertificate.sds('web-client'),
    },
  }));
  webV2.addBackend(appmesh.Backend.virtualService(catalogService));
  catalog.addBackend(appmesh.Backend.virtualService(ledgerService));

  // The ingress gateway: three listeners, so every gateway route names its port.
  const gateway = mesh.addVirtualGateway('Ingress', {
    virtualGatewayName: 'ingress',
    listeners: [
      appmesh.VirtualGatewayListener.http({
        port: 443,
        healthCheck: appmesh.HealthCheck.http({ path: '/ping' }),
        tls: {
          mode: appmesh.TlsMode.STRICT,
          certificate: appmesh.TlsCertificate.sds('ingress-cert'),
          mutualTlsValidation: {
            trust: appmesh.TlsValidationTrust.sds('partner-ca'),
            subjectAlternativeNames: appmesh.SubjectAlternativeNames.matchingExactly('partner.example.com'),
          },
        },
        connectionPool: { maxConnections: 1000, maxPendingRequests: 100 },
      }),
      appmesh.VirtualGatewayListener.http2({ port: 8443, connectionPool: { maxRequests: 2000 } }),
      appmesh.VirtualGatewayListener.grpc({ port: 50051, healthCheck: appmesh.HealthCheck.grpc(), connectionPool: { maxRequests: 500 } }),
    ],
    backendDefaults: {
      tlsClientPolicy: {
        validation: { trust: appmesh.TlsValidationTrust.file('/certs/mesh-ca.pem') },
        mutualTlsCertificate: appmesh.TlsCertificate.file('/certs/ingress-client.pem', '/certs/ingress-client.key'),
      },
    },
    accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout', appmesh.LoggingFormat.fromJson({ host: '%REQ(:AUTHORITY)%' })),
  });
  gateway.addGatewayRoute('Shop', {
    gatewayRouteName: 'shop-http',
    routeSpec: appmesh.GatewayRouteSpec.http({
      routeTarget: web,
      routeTargetPort: 8080,
      match: {
        port: 443,
        path: appmesh.HttpGatewayRoutePathMatch.startsWith('/shop/', '/'),
        hostname: appmesh.GatewayRouteHostnameMatch.endsWith('.example.com'),
        headers: [appmesh.HeaderMatch.valueDoesNotMatchRegex('user-agent', '.*bot.*')],
        method: appmesh.HttpRouteMethod.GET,
        rewriteRequestHostname: false,
      },
    }),
  });
  gateway.addGatewayRoute('Api', {
    gatewayRouteName: 'api-http',
    routeSpec: appmesh.GatewayRouteSpec.http({
      priority: 5,
      routeTarget: web,
      routeTargetPort: 8080,
      match: {
        port: 443,
        path: appmesh.HttpGatewayRoutePathMatch.startsWith('/api/', ''),
        queryParameters: [appmesh.QueryParameterMatch.valueIs('format', 'json')],
      },
    }),
  });
  gateway.addGatewayRoute('Stream', {
    gatewayRouteName: 'stream-http2',
    routeSpec: appmesh.GatewayRouteSpec.http2({
      routeTarget: web,
      routeTargetPort: 8081,
      match: { port: 8443, path: appmesh.HttpGatewayRoutePathMatch.exactly('/live', '/stream/live') },
    }),
  });
  gateway.addGatewayRoute('Catalog', {
    gatewayRouteName: 'catalog-grpc',
    routeSpec: appmesh.GatewayRouteSpec.grpc({
      routeTarget: catalogService,
      match: {
        port: 50051,
        serviceName: 'shop.catalog.v1.Catalog',
        hostname: appmesh.GatewayRouteHostnameMatch.exactly('catalog.example.com'),
        metadata: [appmesh.HeaderMatch.valueIsNot('x-internal', 'true')],
        rewriteRequestHostname: true,
      },
    }),
  });

  gateway.grantStreamAggregatedResources(iam.Role.fromRoleArn(stack, 'IngressRole', 'arn:aws:iam::123456789012:role/shop-ingress'));
  webV1.grantStreamAggregatedResources(iam.Role.fromRoleArn(stack, 'WebRole', 'arn:aws:iam::123456789012:role/shop-web'));
  return stack;
}

describe('a full example mesh', () => {
  const template = MeshTemplate.fromStack(buildShop());

  test('synthesizes the spec in the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('holds every resource it declares', () => {
    template.resourceCountIs(MeshResourceKind.VIRTUAL_NODE, 4);
    template.resourceCountIs(MeshResourceKind.VIRTUAL_ROUTER, 3);
    template.resourceCountIs(MeshResourceKind.ROUTE, 5);
    template.resourceCountIs(MeshResourceKind.VIRTUAL_SERVICE, 3);
    template.resourceCountIs(MeshResourceKind.VIRTUAL_GATEWAY, 1);
    template.resourceCountIs(MeshResourceKind.GATEWAY_ROUTE, 4);
    template.hasProxyAccess('mesh/shop/virtualGateway/ingress', ['arn:aws:iam::123456789012:role/shop-ingress']);
    template.hasProxyAccess('mesh/shop/virtualNode/web-v1', ['arn:aws:iam::123456789012:role/shop-web']);
  });
});
