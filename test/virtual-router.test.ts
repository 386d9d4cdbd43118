import * as appmesh from '../src';
import { newStack, onlyDocument } from './helpers';
import { buildMeshSpecs } from '../src/private/spec-builder';

describe('VirtualRouter', () => {
  test('default listener is HTTP on 8080; name defaults to a unique id', () => {
    const { stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'test-mesh' });
    const router = new appmesh.VirtualRouter(stack, 'router', { mesh });
    expect(router.virtualRouterName).toMatch(/^Stackrouter[0-9A-F]{8}$/);
    expect(onlyDocument(stack).virtualRouters).toEqual([{
      meshName: 'test-mesh',
      virtualRouterName: router.virtualRouterName,
      spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
    }]);
  });

  test('listeners: [] gets the default HTTP listener on 8080, as in aws-cdk-lib (which App Mesh then accepted)', () => {
    const { app, stack } = newStack();
    new appmesh.VirtualRouter(stack, 'router', { mesh: new appmesh.Mesh(stack, 'mesh', { meshName: 'm' }), virtualRouterName: 'r', listeners: [] });
    expect(() => app.synth()).not.toThrow();
    expect(onlyDocument(stack).virtualRouters[0].spec).toEqual({ listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] });
  });

  test.each([
    ['http', appmesh.VirtualRouterListener.http(80), { port: 80, protocol: 'http' }],
    ['http2', appmesh.VirtualRouterListener.http2(81), { port: 81, protocol: 'http2' }],
    ['grpc', appmesh.VirtualRouterListener.grpc(), { port: 8080, protocol: 'grpc' }],
    ['tcp', appmesh.VirtualRouterListener.tcp(5432), { port: 5432, protocol: 'tcp' }],
  ])('%s listener', (_name, listener, portMapping) => {
    const { stack } = newStack();
    new appmesh.VirtualRouter(stack, 'router', { mesh: new appmesh.Mesh(stack, 'mesh', { meshName: 'm' }), virtualRouterName: 'r', listeners: [listener] });
    expect(onlyDocument(stack).virtualRouters[0].spec).toEqual({ listeners: [{ portMapping }] });
  });

  test('several listeners; routes must then match a port', () => {
    const { stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'm' });
    const router = mesh.addVirtualRouter('router', {
      virtualRouterName: 'r',
      listeners: [appmesh.VirtualRouterListener.http(8080), appmesh.VirtualRouterListener.http(8081)],
    });
    const node = mesh.addVirtualNode('n', { virtualNodeName: 'n', serviceDiscovery: appmesh.ServiceDiscovery.dns('n.local'), listeners: [appmesh.VirtualNodeListener.http()] });
    expect(onlyDocument(stack).virtualRouters[0].spec.listeners).toHaveLength(2);
    router.addRoute('ok', { routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: node }], match: { port: 8081 } }) });
    expect(() => buildMeshSpecs(stack)).not.toThrow();
    router.addRoute('no-port', { routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: node }], match: { path: appmesh.HttpRoutePathMatch.exactly('/x') } }) });
    expect(() => buildMeshSpecs(stack)).toThrow(/\[Stack\/mesh\/router\/no-port\]/);
  });

  test('routes added with addRoute live under the router and target nodes by name', () => {
    const { stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'm' });
    const router = mesh.addVirtualRouter('router', { virtualRouterName: 'r' });
    const n1 = mesh.addVirtualNode('n1', { virtualNodeName: 'n1', serviceDiscovery: appmesh.ServiceDiscovery.dns('n1.local'), listeners: [appmesh.VirtualNodeListener.http()] });
    const n2 = mesh.addVirtualNode('n2', { virtualNodeName: 'n2', serviceDiscovery: appmesh.ServiceDiscovery.dns('n2.local'), listeners: [appmesh.VirtualNodeListener.http()] });
    const route = router.addRoute('route-1', {
      routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: n1, weight: 50 }, { virtualNode: n2, weight: 50 }] }),
    });
    expect(route.node.scope).toBe(router);
    expect(route.virtualRouter).toBe(router);
    expect(onlyDocument(stack).routes).toEqual([{
      meshName: 'm',
      virtualRouterName: 'r',
      routeName: 'route-1',
      spec: { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'n1', weight: 50 }, { virtualNode: 'n2', weight: 50 }] } } },
    }]);
  });

  test('ARN and imports', () => {
    const { stack } = newStack();
    const mesh = appmesh.Mesh.fromMeshName(stack, 'mesh', 'test-mesh');
    const byAttrs = appmesh.VirtualRouter.fromVirtualRouterAttributes(stack, 'a', { mesh, virtualRouterName: 'test-router' });
    expect(stack.resolve(byAttrs.virtualRouterArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':appmesh:eu-west-1:123456789012:mesh/test-mesh/virtualRouter/test-router']],
    });
    const arn = 'arn:aws:appmesh:us-west-2:123456789012:mesh/test-mesh/virtualRouter/test-router';
    const byArn = appmesh.VirtualRouter.fromVirtualRouterArn(stack, 'b', arn);
    expect(byArn.virtualRouterName).toBe('test-router');
    expect(byArn.mesh.meshName).toBe('test-mesh');
    expect(byArn.virtualRouterArn).toBe(arn);
  });
});
