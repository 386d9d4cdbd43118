import * as appmesh from '../src';
import { newStack, onlyDocument } from './helpers';

/** The message `app.synth()` throws, or undefined when it succeeds. */
function synthError(app: { synth(): unknown }): string | undefined {
  try {
    app.synth();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('resource names at synth', () => {
  test('a virtual node named with "/" fails synth, naming the construct path and the field', () => {
    const { app, stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'apps' });
    mesh.addVirtualNode('Orders', { virtualNodeName: 'orders/v1', serviceDiscovery: appmesh.ServiceDiscovery.dns('orders.local') });
    const message = synthError(app);
    expect(message).toContain('[Stack/Mesh/Orders] virtualNodes["orders/v1"].virtualNodeName: the virtual node name "orders/v1" contains "/"');
  });

  test('a mesh named with "/" is reported once, by the mesh', () => {
    const { app, stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'apps/prod' });
    mesh.addVirtualNode('Orders', { virtualNodeName: 'orders', serviceDiscovery: appmesh.ServiceDiscovery.dns('orders.local') });
    const message = synthError(app) ?? '';
    expect(message).toContain('[Stack/Mesh] mesh.meshName: the mesh name "apps/prod" contains "/"');
    expect(message.match(/contains "\/"/g)).toHaveLength(1);
  });

  test('a gateway route named with a control character fails synth at the gateway route', () => {
    const { app, stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'apps' });
    const node = mesh.addVirtualNode('Orders', { virtualNodeName: 'orders', serviceDiscovery: appmesh.ServiceDiscovery.dns('orders.local') });
    const service = new appmesh.VirtualService(stack, 'Service', {
      virtualServiceName: 'orders.apps.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(node),
    });
    const gateway = mesh.addVirtualGateway('Gateway', { virtualGatewayName: 'ingress', listeners: [appmesh.VirtualGatewayListener.http()] });
    gateway.addGatewayRoute('Route', {
      gatewayRouteName: 'to\torders',
      routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service }),
    });
    expect(synthError(app)).toContain('[Stack/Mesh/Gateway/Route] gatewayRoutes["ingress/to\\torders"].gatewayRouteName: the gateway route name "to\\torders" contains the control character U+0009');
  });

  test('names that are Object.prototype members synthesize like any other', () => {
    const { app, stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'constructor' });
    const node = mesh.addVirtualNode('Node', {
      virtualNodeName: '__proto__',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('proto.local'),
      listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
    });
    const router = mesh.addVirtualRouter('Router', { virtualRouterName: 'toString', listeners: [appmesh.VirtualRouterListener.http(8080)] });
    router.addRoute('Route', {
      routeName: 'hasOwnProperty',
      routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: node }] }),
    });
    new appmesh.VirtualService(stack, 'Service', {
      virtualServiceName: 'valueOf',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(router),
    });
    expect(synthError(app)).toBeUndefined();
    const doc = onlyDocument(stack);
    expect(doc.virtualNodes.map(n => n.virtualNodeName)).toEqual(['__proto__']);
    expect(doc.routes.map(r => [r.virtualRouterName, r.routeName])).toEqual([['toString', 'hasOwnProperty']]);
  });
});
