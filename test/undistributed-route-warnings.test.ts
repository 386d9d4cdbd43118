import { Annotations as CoreAnnotations, App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { newStack } from './helpers';
import { compiledMeshOf, EnvoyConfig, renderNode, resolveNode } from '../lib-runtime/src/translate';
import { ProtoJson } from '../lib-runtime/src/translate/types';
import * as appmesh from '../src';
import { MeshSpecs } from '../src/mesh-specs';

/**
 * Code written for aws-cdk-lib/aws-appmesh that App Mesh accepted although a route could never
 * carry traffic: it synthesizes here too, with a warning per route (acknowledgeable, so
 * `cdk synth --strict` fails until someone looks), and the control plane leaves the route out
 * of the Envoy configuration, as App Mesh did.
 */

/** A caller `client` of `orders.shop.local`, provided by router `orders` with the given listeners. */
function routedApp(listeners?: appmesh.VirtualRouterListener[]) {
  const { app, stack } = newStack();
  const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'shop' });
  const orders = mesh.addVirtualNode('OrdersNode', {
    virtualNodeName: 'orders-v1',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('orders.internal'),
    listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
  });
  const router = mesh.addVirtualRouter('Router', { virtualRouterName: 'orders', listeners });
  const service = new appmesh.VirtualService(stack, 'Orders', {
    virtualServiceName: 'orders.shop.local',
    virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(router),
  });
  mesh.addVirtualNode('Client', {
    virtualNodeName: 'client',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('client.internal'),
    backends: [appmesh.Backend.virtualService(service)],
  });
  router.addRoute('Served', {
    routeName: 'served',
    routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: orders }], match: { path: appmesh.HttpRoutePathMatch.startsWith('/') } }),
  });
  return { app, stack, mesh, router, orders, service };
}

/** The Envoy route names `nodeId` gets in route configuration `routeConfig`, rendered from the synthesized spec. */
function envoyRouteNames(stack: Stack, nodeId: string, routeConfig: string): unknown[] {
  const [doc] = MeshSpecs.collect(stack);
  const mesh = compiledMeshOf(doc);
  const envoy: EnvoyConfig = renderNode(mesh, resolveNode(mesh, nodeId), {}).envoy;
  const config = envoy.routes.find(route => route.name === routeConfig);
  if (config === undefined) throw new Error(`no route configuration ${routeConfig}`);
  return (config.virtual_hosts as ProtoJson[]).flatMap(host => (host.routes as ProtoJson[]).map(route => route.name));
}

/** Synth succeeds and `path` carries exactly one warning, of `rule`, whose text matches `text`. */
function expectWarning(app: App, stack: Stack, path: string, rule: string, text: string): void {
  expect(() => app.synth()).not.toThrow();
  const id = `open-app-mesh:${rule}`;
  const escapedPath = path.slice(1).replace(/[/]/g, '\\/');
  Annotations.fromStack(stack).hasWarning(path, Match.stringLikeRegexp(`^\\[${escapedPath}\\] ${text}.* \\[ack: ${id}\\]$`));
  expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('open-app-mesh:'))).toHaveLength(1);
}

describe('a route App Mesh accepted but did not distribute', () => {
  test('an http2 route on a router with the default http listener: warning, and callers do not get the route', () => {
    const { app, stack, router, orders } = routedApp();
    router.addRoute('H2', {
      routeName: 'h2',
      routeSpec: appmesh.RouteSpec.http2({ weightedTargets: [{ virtualNode: orders }] }),
    });
    expectWarning(app, stack, '/Stack/Mesh/Router/H2', 'route-protocol-matches-listener',
      'routes\\["orders/h2"\\]\\.spec\\.http2Route: http2Route needs a listener of protocol http2, but the listener of virtual router "orders" on port 8080 is http; '
      + 'App Mesh accepted such a route and did not distribute it');
    expect(envoyRouteNames(stack, 'mesh/shop/virtualNode/client', 'rds_egress_http_8080')).toEqual(['served']);
  });

  test('a route whose port match names no listener of the router: warning, and callers do not get the route', () => {
    const { app, stack, router, orders } = routedApp();
    router.addRoute('OtherPort', {
      routeName: 'other-port',
      routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: orders }], match: { port: 9090 } }),
    });
    expectWarning(app, stack, '/Stack/Mesh/Router/OtherPort', 'route-match-port-is-listener',
      'routes\\["orders/other-port"\\]\\.spec\\.httpRoute\\.match\\.port: port 9090 is not a listener port of virtual router "orders" \\(listener ports: 8080\\)');
    expect(envoyRouteNames(stack, 'mesh/shop/virtualNode/client', 'rds_egress_http_8080')).toEqual(['served']);
  });

  test('a route whose targets all weigh 0: warning, and callers do not get the route', () => {
    const { app, stack, router, orders } = routedApp();
    router.addRoute('Drained', {
      routeName: 'drained',
      routeSpec: appmesh.RouteSpec.http({
        weightedTargets: [{ virtualNode: orders, weight: 0 }],
        match: { path: appmesh.HttpRoutePathMatch.startsWith('/drained') },
      }),
    });
    expectWarning(app, stack, '/Stack/Mesh/Router/Drained', 'weights-not-all-zero',
      'routes\\["orders/drained"\\]\\.spec\\.httpRoute\\.action\\.weightedTargets: every weight is 0');
    expect(envoyRouteNames(stack, 'mesh/shop/virtualNode/client', 'rds_egress_http_8080')).toEqual(['served']);
  });

  test('a gRPC gateway route on a gateway with the default http listener: warning, and the gateway does not get the route', () => {
    const { app, stack, mesh, service } = routedApp();
    const gateway = mesh.addVirtualGateway('Gateway', { virtualGatewayName: 'ingress' });
    gateway.addGatewayRoute('Web', { gatewayRouteName: 'web', routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service }) });
    gateway.addGatewayRoute('Rpc', {
      gatewayRouteName: 'rpc',
      routeSpec: appmesh.GatewayRouteSpec.grpc({ routeTarget: service, match: { serviceName: 'shop.Orders' } }),
    });
    expectWarning(app, stack, '/Stack/Mesh/Gateway/Rpc', 'gateway-route-protocol-matches-listener',
      'gatewayRoutes\\["ingress/rpc"\\]\\.spec\\.grpcRoute: grpcRoute needs a listener of protocol grpc, but the listener of virtual gateway "ingress" on port 8080 is http');
    expect(envoyRouteNames(stack, 'mesh/shop/virtualGateway/ingress', 'rds_ingress_http_8080')).toEqual(['web']);
  });

  test('the warning is acknowledged by its id, and only for that rule', () => {
    const { app, stack, router, orders } = routedApp();
    router.addRoute('H2', { routeName: 'h2', routeSpec: appmesh.RouteSpec.http2({ weightedTargets: [{ virtualNode: orders }] }) });
    router.addRoute('Drained', {
      routeName: 'drained',
      routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: orders, weight: 0 }], match: { path: appmesh.HttpRoutePathMatch.startsWith('/d') } }),
    });
    CoreAnnotations.of(router).acknowledgeWarning('open-app-mesh:route-protocol-matches-listener', 'h2 is kept for the next listener');
    app.synth();
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('open-app-mesh:'));
    expect(warnings.map(w => w.id)).toEqual(['/Stack/Mesh/Router/Drained']);
  });
});
