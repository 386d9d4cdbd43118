// Source-compatibility fixture: uses (nearly) every public member of aws-cdk-lib/aws-appmesh the
// way an application would. test/compat.test.ts type-checks it against open-app-mesh and, with
// the import below swapped, against aws-cdk-lib/aws-appmesh; it also synthesizes our variant.
// Keep it valid for BOTH libraries: no open-app-mesh-only API here.
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cloudmap from 'aws-cdk-lib/aws-servicediscovery';
import * as appmesh from '../../src';

/** Define the fixture's resources in `app`; returns the stack. */
export function buildApiUsage(app: App): Stack {
  const stack = new Stack(app, 'ApiUsage', { env: { account: '123456789012', region: 'eu-west-1' } });

  const mesh = new appmesh.Mesh(stack, 'Mesh', {
    meshName: 'usage',
    egressFilter: appmesh.MeshFilterType.ALLOW_ALL,
    serviceDiscovery: { ipPreference: appmesh.IpPreference.IPV4_PREFERRED },
  });
  const meshByName: appmesh.IMesh = appmesh.Mesh.fromMeshName(stack, 'ByName', 'usage');
  const meshByArn: appmesh.IMesh = appmesh.Mesh.fromMeshArn(stack, 'ByArn', 'arn:aws:appmesh:eu-west-1:123456789012:mesh/usage');
  const names: string[] = [mesh.meshName, mesh.meshArn, meshByName.meshName, meshByArn.meshArn];

  const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
  const ca = acmpca.CertificateAuthority.fromCertificateAuthorityArn(stack, 'Ca',
    'arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555');
  const namespace = new cloudmap.HttpNamespace(stack, 'Namespace', { name: 'usage.local' });
  const cloudMapService = namespace.createService('Svc');

  const clientPolicy: appmesh.TlsClientPolicy = {
    enforce: true,
    ports: [8443],
    validation: {
      trust: appmesh.TlsValidationTrust.acm([ca]),
      subjectAlternativeNames: appmesh.SubjectAlternativeNames.matchingExactly('backend.usage.local'),
    },
    mutualTlsCertificate: appmesh.TlsCertificate.file('/certs/client.pem', '/certs/client.key'),
  };
  const backendDefaults: appmesh.BackendDefaults = {
    tlsClientPolicy: {
      validation: { trust: appmesh.TlsValidationTrust.file('/certs/ca.pem') },
      mutualTlsCertificate: appmesh.TlsCertificate.sds('client'),
    },
  };
  const outlierDetection: appmesh.OutlierDetection = {
    baseEjectionDuration: Duration.seconds(10),
    interval: Duration.seconds(30),
    maxEjectionPercent: 50,
    maxServerErrors: 5,
  };

  const backendNode = new appmesh.VirtualNode(stack, 'Backend', {
    mesh,
    virtualNodeName: 'backend',
    serviceDiscovery: appmesh.ServiceDiscovery.cloudMap(cloudMapService, { version: 'v1' }, appmesh.IpPreference.IPV4_ONLY),
    listeners: [
      appmesh.VirtualNodeListener.http({
        port: 8080,
        healthCheck: appmesh.HealthCheck.http({
          healthyThreshold: 3, unhealthyThreshold: 3, interval: Duration.seconds(10), timeout: Duration.seconds(3), path: '/ping',
        }),
        timeout: { idle: Duration.seconds(60), perRequest: Duration.seconds(10) },
        connectionPool: { maxConnections: 100, maxPendingRequests: 50 },
        outlierDetection,
        tls: { mode: appmesh.TlsMode.STRICT, certificate: appmesh.TlsCertificate.acm(certificate) },
      }),
      appmesh.VirtualNodeListener.http2({
        port: 8081,
        healthCheck: appmesh.HealthCheck.http2({ path: '/health' }),
        timeout: { idle: Duration.seconds(60) },
        connectionPool: { maxRequests: 200 },
        tls: {
          mode: appmesh.TlsMode.PERMISSIVE,
          certificate: appmesh.TlsCertificate.file('/certs/server.pem', '/certs/server.key'),
          mutualTlsValidation: {
            trust: appmesh.TlsValidationTrust.sds('clients'),
            subjectAlternativeNames: appmesh.SubjectAlternativeNames.matchingExactly('client.usage.local'),
          },
        },
      }),
      appmesh.VirtualNodeListener.grpc({
        port: 50051,
        healthCheck: appmesh.HealthCheck.grpc({ healthyThreshold: 2 }),
        timeout: { perRequest: Duration.seconds(5) },
        connectionPool: { maxRequests: 100 },
      }),
      appmesh.VirtualNodeListener.tcp({
        port: 5432,
        healthCheck: appmesh.HealthCheck.tcp({ unhealthyThreshold: 5 }),
        timeout: { idle: Duration.minutes(5) },
        connectionPool: { maxConnections: 10 },
        tls: { mode: appmesh.TlsMode.DISABLED, certificate: appmesh.TlsCertificate.sds('db') },
      }),
    ],
    accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout', appmesh.LoggingFormat.fromJson({ status: '%RESPONSE_CODE%' })),
    backendDefaults,
  });
  backendNode.addListener(appmesh.VirtualNodeListener.http({ port: 9090 }));

  const router: appmesh.VirtualRouter = mesh.addVirtualRouter('Router', {
    virtualRouterName: 'router',
    listeners: [
      appmesh.VirtualRouterListener.http(8080),
      appmesh.VirtualRouterListener.http2(8081),
      appmesh.VirtualRouterListener.grpc(50051),
    ],
  });
  // TCP routes cannot match a port in aws-cdk-lib, so they get a router of their own.
  const tcpRouter = new appmesh.VirtualRouter(stack, 'TcpRouter', {
    mesh,
    virtualRouterName: 'tcp-router',
    listeners: [appmesh.VirtualRouterListener.tcp(5432)],
  });
  const httpRoute: appmesh.Route = router.addRoute('http', {
    routeSpec: appmesh.RouteSpec.http({
      priority: 1,
      weightedTargets: [{ virtualNode: backendNode, weight: 90, port: 8080 }],
      match: {
        path: appmesh.HttpRoutePathMatch.startsWith('/api/'),
        headers: [
          appmesh.HeaderMatch.valueIs('a', '1'), appmesh.HeaderMatch.valueIsNot('b', '2'),
          appmesh.HeaderMatch.valueStartsWith('c', 'x'), appmesh.HeaderMatch.valueDoesNotStartWith('d', 'x'),
          appmesh.HeaderMatch.valueEndsWith('e', 'x'), appmesh.HeaderMatch.valueDoesNotEndWith('f', 'x'),
          appmesh.HeaderMatch.valueMatchesRegex('g', 'x+'), appmesh.HeaderMatch.valueDoesNotMatchRegex('h', 'x+'),
          appmesh.HeaderMatch.valuesIsInRange('i', 1, 2), appmesh.HeaderMatch.valuesIsNotInRange('j', 1, 2),
        ],
        method: appmesh.HttpRouteMethod.GET,
        protocol: appmesh.HttpRouteProtocol.HTTPS,
        queryParameters: [appmesh.QueryParameterMatch.valueIs('v', '2')],
        port: 8080,
      },
      timeout: { idle: Duration.seconds(30), perRequest: Duration.seconds(3) },
      retryPolicy: {
        retryAttempts: 3,
        retryTimeout: Duration.seconds(1),
        httpRetryEvents: [appmesh.HttpRetryEvent.SERVER_ERROR, appmesh.HttpRetryEvent.GATEWAY_ERROR,
          appmesh.HttpRetryEvent.CLIENT_ERROR, appmesh.HttpRetryEvent.STREAM_ERROR],
        tcpRetryEvents: [appmesh.TcpRetryEvent.CONNECTION_ERROR],
      },
    }),
  });
  router.addRoute('http2', {
    routeSpec: appmesh.RouteSpec.http2({
      weightedTargets: [{ virtualNode: backendNode, port: 8081 }],
      match: { path: appmesh.HttpRoutePathMatch.exactly('/exact'), port: 8081 },
    }),
  });
  router.addRoute('regex', {
    routeSpec: appmesh.RouteSpec.http({
      weightedTargets: [{ virtualNode: backendNode, port: 8080 }],
      match: { path: appmesh.HttpRoutePathMatch.regex('/v[0-9]+/.*'), port: 8080 },
    }),
  });
  new appmesh.Route(stack, 'Grpc', {
    mesh,
    virtualRouter: router,
    routeName: 'grpc',
    routeSpec: appmesh.RouteSpec.grpc({
      weightedTargets: [{ virtualNode: backendNode, port: 50051 }],
      match: { serviceName: 'pkg.Service', methodName: 'Get', metadata: [appmesh.HeaderMatch.valueIs('tenant', 'a')], port: 50051 },
      timeout: { idle: Duration.seconds(30), perRequest: Duration.seconds(2) },
      retryPolicy: {
        retryAttempts: 2,
        retryTimeout: Duration.seconds(1),
        grpcRetryEvents: [appmesh.GrpcRetryEvent.CANCELLED, appmesh.GrpcRetryEvent.DEADLINE_EXCEEDED,
          appmesh.GrpcRetryEvent.INTERNAL_ERROR, appmesh.GrpcRetryEvent.RESOURCE_EXHAUSTED, appmesh.GrpcRetryEvent.UNAVAILABLE],
      },
    }),
  });
  tcpRouter.addRoute('tcp', {
    routeSpec: appmesh.RouteSpec.tcp({ weightedTargets: [{ virtualNode: backendNode, port: 5432 }], timeout: { idle: Duration.seconds(60) } }),
  });

  const routerService = new appmesh.VirtualService(stack, 'RouterService', {
    virtualServiceName: 'backend.usage.local',
    virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(router),
  });
  const nodeService = new appmesh.VirtualService(stack, 'NodeService', {
    virtualServiceName: 'direct.usage.local',
    virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(backendNode),
  });
  new appmesh.VirtualService(stack, 'EmptyService', {
    virtualServiceName: 'empty.usage.local',
    virtualServiceProvider: appmesh.VirtualServiceProvider.none(mesh),
  });

  const simpleNode = mesh.addVirtualNode('Simple', {
    virtualNodeName: 'simple',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('simple.usage.local', appmesh.DnsResponseType.LOAD_BALANCER),
    listeners: [appmesh.VirtualNodeListener.http()],
  });
  const simpleService = new appmesh.VirtualService(stack, 'SimpleService', {
    virtualServiceName: 'simple.usage.local',
    virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(simpleNode),
  });
  const grpcNode = mesh.addVirtualNode('GrpcNode', {
    virtualNodeName: 'grpc-node',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('grpc.usage.local'),
    listeners: [appmesh.VirtualNodeListener.grpc()],
  });
  const grpcService = new appmesh.VirtualService(stack, 'GrpcService', {
    virtualServiceName: 'grpc.usage.local',
    virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(grpcNode),
  });

  const frontend = mesh.addVirtualNode('Frontend', {
    virtualNodeName: 'frontend',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('frontend.usage.local', appmesh.DnsResponseType.ENDPOINTS, appmesh.IpPreference.IPV6_PREFERRED),
    listeners: [appmesh.VirtualNodeListener.http()],
    backends: [appmesh.Backend.virtualService(routerService, { tlsClientPolicy: clientPolicy })],
    accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout', appmesh.LoggingFormat.fromText('%START_TIME%')),
  });
  frontend.addBackend(appmesh.Backend.virtualService(nodeService));
  const role = new iam.Role(stack, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  const grant: iam.Grant = frontend.grantStreamAggregatedResources(role);

  const gateway: appmesh.VirtualGateway = mesh.addVirtualGateway('Gateway', {
    virtualGatewayName: 'gateway',
    listeners: [
      appmesh.VirtualGatewayListener.http({
        port: 8080,
        healthCheck: appmesh.HealthCheck.http(),
        connectionPool: { maxConnections: 10, maxPendingRequests: 10 },
      }),
      appmesh.VirtualGatewayListener.grpc({ port: 8081, healthCheck: appmesh.HealthCheck.grpc(), connectionPool: { maxRequests: 10 } }),
    ],
    backendDefaults,
    accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout'),
  });
  gateway.addGatewayRoute('GatewayHttp', {
    gatewayRouteName: 'gateway-http',
    routeSpec: appmesh.GatewayRouteSpec.http({
      routeTarget: simpleService,
      match: {
        port: 8080,
        path: appmesh.HttpGatewayRoutePathMatch.startsWith('/backend/', '/'),
        hostname: appmesh.GatewayRouteHostnameMatch.endsWith('.usage.local'),
        method: appmesh.HttpRouteMethod.POST,
        headers: [appmesh.HeaderMatch.valueIs('x', 'y')],
        queryParameters: [appmesh.QueryParameterMatch.valueIs('q', '1')],
        rewriteRequestHostname: false,
      },
    }),
  });
  new appmesh.GatewayRoute(stack, 'GatewayGrpc', {
    virtualGateway: gateway,
    routeSpec: appmesh.GatewayRouteSpec.grpc({
      routeTarget: grpcService,
      match: { port: 8081, serviceName: 'pkg.Service', hostname: appmesh.GatewayRouteHostnameMatch.exactly('grpc.usage.local') },
    }),
  });
  gateway.grantStreamAggregatedResources(role);

  const importedNode: appmesh.IVirtualNode = appmesh.VirtualNode.fromVirtualNodeArn(stack, 'INode',
    'arn:aws:appmesh:eu-west-1:123456789012:mesh/usage/virtualNode/backend');
  const importedNode2 = appmesh.VirtualNode.fromVirtualNodeAttributes(stack, 'INode2', { mesh, virtualNodeName: 'frontend' });
  const importedRouter: appmesh.IVirtualRouter = appmesh.VirtualRouter.fromVirtualRouterArn(stack, 'IRouter',
    'arn:aws:appmesh:eu-west-1:123456789012:mesh/usage/virtualRouter/router');
  const importedRouter2 = appmesh.VirtualRouter.fromVirtualRouterAttributes(stack, 'IRouter2', { mesh, virtualRouterName: 'router' });
  const importedRoute: appmesh.IRoute = appmesh.Route.fromRouteArn(stack, 'IRoute',
    'arn:aws:appmesh:eu-west-1:123456789012:mesh/usage/virtualRouter/router/route/http');
  const importedRoute2 = appmesh.Route.fromRouteAttributes(stack, 'IRoute2', { routeName: 'http', virtualRouter: importedRouter2 });
  const importedService: appmesh.IVirtualService = appmesh.VirtualService.fromVirtualServiceArn(stack, 'IService',
    'arn:aws:appmesh:eu-west-1:123456789012:mesh/usage/virtualService/backend.usage.local');
  const importedService2 = appmesh.VirtualService.fromVirtualServiceAttributes(stack, 'IService2', { mesh, virtualServiceName: 'direct.usage.local' });
  const importedGateway: appmesh.IVirtualGateway = appmesh.VirtualGateway.fromVirtualGatewayArn(stack, 'IGateway',
    'arn:aws:appmesh:eu-west-1:123456789012:mesh/usage/virtualGateway/gateway');
  const importedGateway2 = appmesh.VirtualGateway.fromVirtualGatewayAttributes(stack, 'IGateway2', { mesh, virtualGatewayName: 'gateway' });
  const importedGatewayRoute: appmesh.IGatewayRoute = appmesh.GatewayRoute.fromGatewayRouteArn(stack, 'IGatewayRoute',
    'arn:aws:appmesh:eu-west-1:123456789012:mesh/usage/virtualGateway/gateway/gatewayRoute/gateway-http');
  const importedGatewayRoute2 = appmesh.GatewayRoute.fromGatewayRouteAttributes(stack, 'IGatewayRoute2', {
    gatewayRouteName: 'gateway-http', virtualGateway: importedGateway2,
  });
  names.push(
    importedNode.virtualNodeName, importedNode2.virtualNodeArn, importedRouter.virtualRouterName, importedRoute.routeName,
    importedRoute2.routeArn, importedService.virtualServiceName, importedService2.virtualServiceArn,
    importedGateway.virtualGatewayName, importedGatewayRoute.gatewayRouteName, importedGatewayRoute2.gatewayRouteArn,
    httpRoute.routeName, httpRoute.virtualRouter.virtualRouterName, routerService.mesh.meshName,
  );
  void grant;
  void names;
  return stack;
}
