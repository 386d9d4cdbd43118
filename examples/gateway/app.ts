// Ingress: a virtual gateway is the mesh's front door. Its gateway routes send outside
// traffic to virtual services by path, hostname and header (HTTP) or by gRPC service name;
// inside the mesh the virtual services route as usual. With more than one gateway listener,
// each gateway route names the listener port it belongs to (App Mesh's rule, checked at synth).
// Written as for aws-cdk-lib/aws-appmesh: only the import of the mesh library differs.
//
// Run: npx ts-node --transpile-only examples/gateway/app.ts   (writes cdk.out/edge.mesh.json)
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as appmesh from '../../src';

/** Mesh `edge`: ingress gateway → shop.edge.local (router, 80/20), docs.edge.local, search.edge.local (gRPC). */
export class GatewayStack extends Stack {
  public readonly mesh: appmesh.Mesh;
  public readonly gateway: appmesh.VirtualGateway;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.mesh = new appmesh.Mesh(this, 'Mesh', { meshName: 'edge' });

    const httpNode = (name: string) => this.mesh.addVirtualNode(name, {
      virtualNodeName: name,
      serviceDiscovery: appmesh.ServiceDiscovery.dns(`${name}.edge.local`),
      listeners: [appmesh.VirtualNodeListener.http({ port: 8080, healthCheck: appmesh.HealthCheck.http({ path: '/health' }) })],
    });
    const shopBlue = httpNode('shop-blue');
    const shopGreen = httpNode('shop-green');
    const docs = httpNode('docs');
    const search = this.mesh.addVirtualNode('search', {
      virtualNodeName: 'search',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('search.edge.local'),
      listeners: [appmesh.VirtualNodeListener.grpc({ port: 50051 })],
    });

    // shop: blue/green behind a router.
    const shopRouter = this.mesh.addVirtualRouter('ShopRouter', {
      virtualRouterName: 'shop',
      listeners: [appmesh.VirtualRouterListener.http(8080)],
    });
    shopRouter.addRoute('shop-split', {
      routeName: 'shop-split',
      routeSpec: appmesh.RouteSpec.http({
        weightedTargets: [{ virtualNode: shopBlue, weight: 80 }, { virtualNode: shopGreen, weight: 20 }],
      }),
    });
    const shopService = new appmesh.VirtualService(this, 'ShopService', {
      virtualServiceName: 'shop.edge.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(shopRouter),
    });
    // docs and search: a virtual node provides the service directly.
    const docsService = new appmesh.VirtualService(this, 'DocsService', {
      virtualServiceName: 'docs.edge.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(docs),
    });
    const searchService = new appmesh.VirtualService(this, 'SearchService', {
      virtualServiceName: 'search.edge.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(search),
    });

    this.gateway = this.mesh.addVirtualGateway('Ingress', {
      virtualGatewayName: 'ingress-gw',
      listeners: [
        appmesh.VirtualGatewayListener.http({
          port: 8080,
          healthCheck: appmesh.HealthCheck.http({ path: '/ping', interval: Duration.seconds(10) }),
        }),
        appmesh.VirtualGatewayListener.grpc({ port: 8443 }),
      ],
      accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout'),
    });

    // docs.example.com/* → docs, whatever the path.
    this.gateway.addGatewayRoute('docs-host', {
      gatewayRouteName: 'docs-host',
      routeSpec: appmesh.GatewayRouteSpec.http({
        priority: 10,
        routeTarget: docsService,
        match: { port: 8080, hostname: appmesh.GatewayRouteHostnameMatch.exactly('docs.example.com') },
      }),
    });
    // /shop/* with header x-preview: green → the shop service; the prefix is rewritten to /.
    this.gateway.addGatewayRoute('shop-preview', {
      gatewayRouteName: 'shop-preview',
      routeSpec: appmesh.GatewayRouteSpec.http({
        priority: 20,
        routeTarget: shopService,
        match: {
          port: 8080,
          path: appmesh.HttpGatewayRoutePathMatch.startsWith('/shop/', '/'),
          headers: [appmesh.HeaderMatch.valueIs('x-preview', 'green')],
        },
      }),
    });
    this.gateway.addGatewayRoute('shop', {
      gatewayRouteName: 'shop',
      routeSpec: appmesh.GatewayRouteSpec.http({
        priority: 30,
        routeTarget: shopService,
        match: { port: 8080, path: appmesh.HttpGatewayRoutePathMatch.startsWith('/shop/', '/') },
      }),
    });
    // gRPC clients of search.v1.Search on the gRPC listener.
    this.gateway.addGatewayRoute('search', {
      gatewayRouteName: 'search',
      routeSpec: appmesh.GatewayRouteSpec.grpc({
        routeTarget: searchService,
        match: { port: 8443, serviceName: 'search.v1.Search' },
      }),
    });
  }
}

/** Define the gateway stack in `app`. */
export function buildGatewayApp(app: App): GatewayStack {
  return new GatewayStack(app, 'GatewayMesh');
}

if (require.main === module) {
  const app = new App();
  buildGatewayApp(app);
  app.synth();
}
