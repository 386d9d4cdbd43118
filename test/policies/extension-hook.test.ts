import * as appmesh from '../../src';
import { contributeExtensions } from '../../src/private/extensions';
import { buildMeshSpecs } from '../../src/private/spec-builder';
import { SPEC_VERSION, SPEC_VERSION_EXTENSIONS } from '../../src/spec';
import { newStack, onlyDocument } from '../helpers';

function routedApp() {
  const { stack } = newStack();
  const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'm' });
  const node = mesh.addVirtualNode('node', {
    virtualNodeName: 'node',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('node.local'),
    listeners: [appmesh.VirtualNodeListener.http()],
  });
  const router = mesh.addVirtualRouter('router', { virtualRouterName: 'router', listeners: [appmesh.VirtualRouterListener.http()] });
  const route = router.addRoute('route', { routeName: 'route', routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: node }] }) });
  return { stack, node, route };
}

describe('the construct hook of the extension section', () => {
  test('without contributors the document stays v1 and has no extensions', () => {
    const { stack } = routedApp();
    const doc = onlyDocument(stack);
    expect(doc.specVersion).toBe(SPEC_VERSION);
    expect(JSON.stringify(doc)).not.toContain('extensions');
  });

  test('contributions are merged beside the spec, lists concatenated, and the document becomes v2', () => {
    const { stack, route } = routedApp();
    contributeExtensions(route, () => ({ headerRules: { requestHeadersToRemove: ['x-a'] } }));
    contributeExtensions(route, () => ({ requestMirrors: [{ virtualNode: 'node', percentage: 1 }] }));
    contributeExtensions(route, () => ({ requestMirrors: [{ virtualNode: 'node', percentage: 2 }] }));
    contributeExtensions(route, () => undefined);
    const doc = onlyDocument(stack);
    expect(doc.specVersion).toBe(SPEC_VERSION_EXTENSIONS);
    expect(doc.routes[0].extensions).toEqual({
      headerRules: { requestHeadersToRemove: ['x-a'] },
      requestMirrors: [{ virtualNode: 'node', percentage: 1 }, { virtualNode: 'node', percentage: 2 }],
    });
  });

  test('a field set twice names the construct path', () => {
    const { stack, route } = routedApp();
    contributeExtensions(route, () => ({ faultInjection: { abort: { httpStatus: 503, percentage: 1 } } }));
    contributeExtensions(route, () => ({ faultInjection: { abort: { httpStatus: 500, percentage: 1 } } }));
    expect(() => buildMeshSpecs(stack)).toThrow('[Stack/mesh/router/route] extensions.faultInjection is set twice; a resource carries one faultInjection policy');
  });

  test('a bad contribution fails synth with the construct path and the spec field', () => {
    const { stack, route } = routedApp();
    contributeExtensions(route, () => ({ requestMirrors: [{ virtualNode: 'ghost', percentage: 1 }] }));
    expect(() => buildMeshSpecs(stack)).toThrow(
      '[Stack/mesh/router/route] routes["router/route"].extensions.requestMirrors[0].virtualNode: mirror target virtual node "ghost" does not exist in mesh "m"');
  });
});
