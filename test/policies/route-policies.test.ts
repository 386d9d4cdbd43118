import { Duration } from 'aws-cdk-lib';
import * as appmesh from '../../src';
import { buildMeshSpecs } from '../../src/private/spec-builder';
import { SPEC_VERSION_EXTENSIONS } from '../../src/spec';
import { newStack, onlyDocument } from '../helpers';

function meshWithNodes() {
  const { stack } = newStack();
  const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'shop' });
  const node = (name: string, port = 8080) => mesh.addVirtualNode(name, {
    virtualNodeName: name,
    serviceDiscovery: appmesh.ServiceDiscovery.dns(`${name}.local`),
    listeners: [appmesh.VirtualNodeListener.http({ port })],
  });
  const cart = node('cart');
  const cartV2 = node('cart-v2', 9090);
  const router = mesh.addVirtualRouter('router', { virtualRouterName: 'router', listeners: [appmesh.VirtualRouterListener.http(8080)] });
  return { stack, mesh, cart, cartV2, router };
}

describe('route policies on RouteSpec options', () => {
  test('fault injection, mirrors and header rules are written beside the route spec, and the document is v2', () => {
    const { stack, cart, cartV2, router } = meshWithNodes();
    router.addRoute('main', {
      routeName: 'main',
      routeSpec: appmesh.RouteSpec.http({
        weightedTargets: [{ virtualNode: cart }],
        faultInjection: appmesh.FaultInjection.of({
          delay: { fixedDelay: Duration.millis(300), percentage: 5 },
          abort: { httpStatus: 503, percentage: 1.5 },
          headerPresent: 'x-chaos',
        }),
        requestMirrors: [appmesh.RequestMirror.toVirtualNode(cartV2, { percentage: 10 })],
        requestHeaderRules: [appmesh.HeaderRule.set('x-team', 'cart'), appmesh.HeaderRule.remove('x-debug')],
        responseHeaderRules: [appmesh.HeaderRule.append('x-served-by', 'cart'), appmesh.HeaderRule.addIfAbsent('cache-control', 'no-store')],
      }),
    });
    const doc = onlyDocument(stack);
    expect(doc.specVersion).toBe(SPEC_VERSION_EXTENSIONS);
    expect(doc.routes[0].spec.httpRoute?.action.weightedTargets).toEqual([{ virtualNode: 'cart', weight: 1 }]);
    expect(doc.routes[0].extensions).toEqual({
      faultInjection: {
        delay: { fixedDelay: { unit: 'ms', value: 300 }, percentage: 5 },
        abort: { httpStatus: 503, percentage: 1.5 },
        headerPresent: 'x-chaos',
      },
      requestMirrors: [{ virtualNode: 'cart-v2', percentage: 10 }],
      headerRules: {
        requestHeadersToAdd: [{ name: 'x-team', value: 'cart', action: 'SET' }],
        requestHeadersToRemove: ['x-debug'],
        responseHeadersToAdd: [{ name: 'x-served-by', value: 'cart', action: 'APPEND' }, { name: 'cache-control', value: 'no-store', action: 'ADD_IF_ABSENT' }],
      },
    });
  });

  test('gRPC routes take the same policies; the shorthands render one kind of fault', () => {
    const { stack, cart, router } = meshWithNodes();
    router.addRoute('grpc', {
      routeName: 'grpc',
      routeSpec: appmesh.RouteSpec.grpc({
        match: { serviceName: 'shop.Cart' },
        weightedTargets: [{ virtualNode: cart }],
        faultInjection: appmesh.FaultInjection.abortGrpc(14, 20),
      }),
    });
    router.addRoute('slow', {
      routeName: 'slow',
      routeSpec: appmesh.RouteSpec.http2({ match: { path: appmesh.HttpRoutePathMatch.startsWith('/slow') }, weightedTargets: [{ virtualNode: cart }], faultInjection: appmesh.FaultInjection.delay(Duration.seconds(2), 100) }),
    });
    const routes = onlyDocument(stack).routes;
    expect(routes.find(r => r.routeName === 'grpc')?.extensions).toEqual({ faultInjection: { abort: { grpcStatus: 14, percentage: 20 } } });
    expect(routes.find(r => r.routeName === 'slow')?.extensions).toEqual({ faultInjection: { delay: { fixedDelay: { unit: 'ms', value: 2000 }, percentage: 100 } } });
  });

  test('a route without policies keeps the document v1', () => {
    const { stack, cart, router } = meshWithNodes();
    router.addRoute('main', { routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: cart }] }) });
    expect(onlyDocument(stack).specVersion).toBe('open-app-mesh/v1');
  });

  test('bad input fails synth naming the construct path: percentage out of range, unknown mirror target, pseudo-header', () => {
    const { stack, mesh, cart, router } = meshWithNodes();
    const elsewhere = appmesh.VirtualNode.fromVirtualNodeAttributes(stack, 'ghost', { mesh, virtualNodeName: 'ghost' });
    router.addRoute('main', {
      routeName: 'main',
      routeSpec: appmesh.RouteSpec.http({
        weightedTargets: [{ virtualNode: cart }],
        faultInjection: appmesh.FaultInjection.abortHttp(503, 120),
        requestMirrors: [appmesh.RequestMirror.toVirtualNode(elsewhere, { percentage: 10 })],
      }),
    });
    router.addRoute('headers', {
      routeName: 'headers',
      routeSpec: appmesh.RouteSpec.http({
        match: { path: appmesh.HttpRoutePathMatch.startsWith('/h') },
        weightedTargets: [{ virtualNode: cart }],
        requestHeaderRules: [appmesh.HeaderRule.set(':authority', 'x')],
      }),
    });
    expect(() => buildMeshSpecs(stack)).toThrow([
      'Invalid mesh spec:',
      '[Stack/mesh/router/headers] routes["router/headers"].extensions.headerRules.requestHeadersToAdd[0].name: ":authority" is a pseudo-header; Envoy refuses to write headers starting with ":"',
      '[Stack/mesh/router/main] routes["router/main"].extensions.faultInjection.abort.percentage: 120 is above the maximum 100 (FaultAbort.percentage, 0–100)',
    ].join('\n'));
    // Once the schema passes, the rules see the unknown mirror target.
    const fixed = meshWithNodes();
    fixed.router.addRoute('main', {
      routeSpec: appmesh.RouteSpec.http({
        weightedTargets: [{ virtualNode: fixed.cart }],
        requestMirrors: [appmesh.RequestMirror.toVirtualNode(
          appmesh.VirtualNode.fromVirtualNodeAttributes(fixed.stack, 'ghost', { mesh: fixed.mesh, virtualNodeName: 'ghost' }), { percentage: 10 })],
      }),
    });
    expect(() => buildMeshSpecs(fixed.stack)).toThrow(/\[Stack\/mesh\/router\/main\] routes\["router\/.*"\]\.extensions\.requestMirrors\[0\]\.virtualNode: mirror target virtual node "ghost" does not exist in mesh "shop"/);
  });
});

describe('gateway route policies', () => {
  test('fault injection and header rules on a gateway route', () => {
    const { stack, mesh, cart } = meshWithNodes();
    const service = new appmesh.VirtualService(stack, 'svc', { virtualServiceName: 'cart.shop.local', virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(cart) });
    const gateway = mesh.addVirtualGateway('gw', { virtualGatewayName: 'gw', listeners: [appmesh.VirtualGatewayListener.http({ port: 8443 })] });
    gateway.addGatewayRoute('to-cart', {
      gatewayRouteName: 'to-cart',
      routeSpec: appmesh.GatewayRouteSpec.http({
        routeTarget: service,
        faultInjection: appmesh.FaultInjection.abortHttp(503, 1),
        requestHeaderRules: [appmesh.HeaderRule.set('x-entry', 'gw')],
      }),
    });
    const doc = onlyDocument(stack);
    expect(doc.specVersion).toBe(SPEC_VERSION_EXTENSIONS);
    expect(doc.gatewayRoutes[0].extensions).toEqual({
      faultInjection: { abort: { httpStatus: 503, percentage: 1 } },
      headerRules: { requestHeadersToAdd: [{ name: 'x-entry', value: 'gw', action: 'SET' }] },
    });
  });
});
