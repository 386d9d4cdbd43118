// Routing by request content: a virtual router that picks a version of the `catalog` API by
// path, header, method and query parameter, with retries and timeouts per route; and a gRPC
// router that picks a version of the `ratings` service by method and metadata.
// Written as for aws-cdk-lib/aws-appmesh: only the import of the mesh library differs.
//
// Run: npx ts-node --transpile-only examples/routing/app.ts   (writes cdk.out/store.mesh.json)
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as appmesh from '../../src';

/** Mesh `store`: web → catalog.store.local (HTTP routes) and ratings.store.local (gRPC routes). */
export class RoutingStack extends Stack {
  public readonly mesh: appmesh.Mesh;
  public readonly catalogRouter: appmesh.VirtualRouter;
  public readonly ratingsRouter: appmesh.VirtualRouter;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.mesh = new appmesh.Mesh(this, 'Mesh', { meshName: 'store', egressFilter: appmesh.MeshFilterType.DROP_ALL });

    const httpNode = (name: string, host: string) => this.mesh.addVirtualNode(name, {
      virtualNodeName: name,
      serviceDiscovery: appmesh.ServiceDiscovery.dns(host),
      listeners: [appmesh.VirtualNodeListener.http({
        port: 8080,
        healthCheck: appmesh.HealthCheck.http({ path: '/health' }),
        // A listener timeout covers every route to this node.
        timeout: { idle: Duration.seconds(60), perRequest: Duration.seconds(20) },
      })],
    });
    const catalogV1 = httpNode('catalog-v1', 'catalog-v1.store.local');
    const catalogV2 = httpNode('catalog-v2', 'catalog-v2.store.local');
    const catalogAdmin = httpNode('catalog-admin', 'catalog-admin.store.local');

    this.catalogRouter = this.mesh.addVirtualRouter('CatalogRouter', {
      virtualRouterName: 'catalog',
      listeners: [appmesh.VirtualRouterListener.http(8080)],
    });

    // Lower priority numbers are matched first; routes without a priority come last.
    this.catalogRouter.addRoute('admin', {
      routeName: 'admin',
      routeSpec: appmesh.RouteSpec.http({
        priority: 10,
        match: {
          path: appmesh.HttpRoutePathMatch.startsWith('/admin/'),
          headers: [appmesh.HeaderMatch.valueStartsWith('authorization', 'Bearer ')],
        },
        weightedTargets: [{ virtualNode: catalogAdmin }],
        // Admin reports are slow: a longer per-request timeout, no retries.
        timeout: { perRequest: Duration.seconds(60) },
      }),
    });

    this.catalogRouter.addRoute('beta-header', {
      routeName: 'beta-header',
      routeSpec: appmesh.RouteSpec.http({
        priority: 20,
        match: {
          path: appmesh.HttpRoutePathMatch.startsWith('/'),
          headers: [appmesh.HeaderMatch.valueIs('x-beta', 'true')],
        },
        weightedTargets: [{ virtualNode: catalogV2 }],
        retryPolicy: {
          retryAttempts: 3,
          retryTimeout: Duration.seconds(2),
          httpRetryEvents: [appmesh.HttpRetryEvent.SERVER_ERROR, appmesh.HttpRetryEvent.GATEWAY_ERROR],
          tcpRetryEvents: [appmesh.TcpRetryEvent.CONNECTION_ERROR],
        },
      }),
    });

    this.catalogRouter.addRoute('beta-query', {
      routeName: 'beta-query',
      routeSpec: appmesh.RouteSpec.http({
        priority: 30,
        match: {
          path: appmesh.HttpRoutePathMatch.regex('/items/[0-9]+'),
          method: appmesh.HttpRouteMethod.GET,
          queryParameters: [appmesh.QueryParameterMatch.valueIs('version', '2')],
        },
        weightedTargets: [{ virtualNode: catalogV2 }],
      }),
    });

    this.catalogRouter.addRoute('default', {
      routeName: 'default',
      routeSpec: appmesh.RouteSpec.http({
        priority: 100,
        match: { path: appmesh.HttpRoutePathMatch.startsWith('/') },
        weightedTargets: [{ virtualNode: catalogV1 }],
        timeout: { perRequest: Duration.seconds(5), idle: Duration.seconds(30) },
        retryPolicy: {
          retryAttempts: 2,
          retryTimeout: Duration.millis(500),
          httpRetryEvents: [appmesh.HttpRetryEvent.GATEWAY_ERROR],
          tcpRetryEvents: [appmesh.TcpRetryEvent.CONNECTION_ERROR],
        },
      }),
    });

    const grpcNode = (name: string, host: string) => this.mesh.addVirtualNode(name, {
      virtualNodeName: name,
      serviceDiscovery: appmesh.ServiceDiscovery.dns(host),
      listeners: [appmesh.VirtualNodeListener.grpc({ port: 50051, healthCheck: appmesh.HealthCheck.grpc() })],
    });
    const ratingsV1 = grpcNode('ratings-v1', 'ratings-v1.store.local');
    const ratingsV2 = grpcNode('ratings-v2', 'ratings-v2.store.local');

    this.ratingsRouter = this.mesh.addVirtualRouter('RatingsRouter', {
      virtualRouterName: 'ratings',
      listeners: [appmesh.VirtualRouterListener.grpc(50051)],
    });

    this.ratingsRouter.addRoute('ratings-write', {
      routeName: 'ratings-write',
      routeSpec: appmesh.RouteSpec.grpc({
        priority: 10,
        match: { serviceName: 'store.Ratings', methodName: 'Submit' },
        weightedTargets: [{ virtualNode: ratingsV2 }],
        // Writes are not retried; they get a deadline instead. 4 s, not less: gRPC Python ends calls
        // 1 to 2 s before a timeout that comes from xDS (grpc/grpc#34547).
        timeout: { perRequest: Duration.seconds(4) },
      }),
    });

    this.ratingsRouter.addRoute('ratings-canary-users', {
      routeName: 'ratings-canary-users',
      routeSpec: appmesh.RouteSpec.grpc({
        priority: 20,
        match: { serviceName: 'store.Ratings', metadata: [appmesh.HeaderMatch.valueIs('x-user-group', 'canary')] },
        weightedTargets: [{ virtualNode: ratingsV2 }],
      }),
    });

    this.ratingsRouter.addRoute('ratings-read', {
      routeName: 'ratings-read',
      routeSpec: appmesh.RouteSpec.grpc({
        priority: 100,
        match: { serviceName: 'store.Ratings' },
        weightedTargets: [{ virtualNode: ratingsV1, weight: 90 }, { virtualNode: ratingsV2, weight: 10 }],
        timeout: { perRequest: Duration.seconds(3) },
        retryPolicy: {
          retryAttempts: 3,
          retryTimeout: Duration.seconds(1),
          grpcRetryEvents: [appmesh.GrpcRetryEvent.UNAVAILABLE, appmesh.GrpcRetryEvent.RESOURCE_EXHAUSTED],
          httpRetryEvents: [appmesh.HttpRetryEvent.GATEWAY_ERROR],
          tcpRetryEvents: [appmesh.TcpRetryEvent.CONNECTION_ERROR],
        },
      }),
    });

    const catalog = new appmesh.VirtualService(this, 'CatalogService', {
      virtualServiceName: 'catalog.store.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(this.catalogRouter),
    });
    const ratings = new appmesh.VirtualService(this, 'RatingsService', {
      virtualServiceName: 'ratings.store.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(this.ratingsRouter),
    });

    this.mesh.addVirtualNode('web', {
      virtualNodeName: 'web',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('web.store.local'),
      listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
      backends: [appmesh.Backend.virtualService(catalog), appmesh.Backend.virtualService(ratings)],
    });
  }
}

/** Define the routing stack in `app`. */
export function buildRoutingApp(app: App): RoutingStack {
  return new RoutingStack(app, 'RoutingMesh');
}

if (require.main === module) {
  const app = new App();
  buildRoutingApp(app);
  app.synth();
}
