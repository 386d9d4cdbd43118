import { App, Stack } from 'aws-cdk-lib';
import * as appmesh from '../src';
import { newStack, onlyDocument } from './helpers';
import { buildMeshSpecs } from '../src/private/spec-builder';

describe('VirtualService', () => {
  test('provided by a virtual node', () => {
    const { stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'test-mesh' });
    const node = mesh.addVirtualNode('node', { virtualNodeName: 'node' });
    const service = new appmesh.VirtualService(stack, 'service', {
      virtualServiceName: 'service.domain.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(node),
    });
    expect(service.mesh).toBe(mesh);
    expect(onlyDocument(stack).virtualServices).toEqual([{
      meshName: 'test-mesh', virtualServiceName: 'service.domain.local', spec: { provider: { virtualNode: { virtualNodeName: 'node' } } },
    }]);
  });

  test('provided by a virtual router', () => {
    const { stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'test-mesh' });
    const router = mesh.addVirtualRouter('router', { virtualRouterName: 'router' });
    new appmesh.VirtualService(stack, 'service', {
      virtualServiceName: 'service.domain.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(router),
    });
    expect(onlyDocument(stack).virtualServices[0].spec).toEqual({ provider: { virtualRouter: { virtualRouterName: 'router' } } });
  });

  test('without provider: empty spec; default name is a unique id', () => {
    const { stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'test-mesh' });
    const service = new appmesh.VirtualService(stack, 'service', { virtualServiceProvider: appmesh.VirtualServiceProvider.none(mesh) });
    expect(service.virtualServiceName).toMatch(/^Stackservice[0-9A-F]{8}$/);
    expect(onlyDocument(stack).virtualServices).toEqual([{ meshName: 'test-mesh', virtualServiceName: service.virtualServiceName, spec: {} }]);
  });

  test('the mesh comes from the provider, also for imported meshes', () => {
    const { stack } = newStack();
    const mesh = appmesh.Mesh.fromMeshName(stack, 'mesh', 'elsewhere');
    const node = appmesh.VirtualNode.fromVirtualNodeAttributes(stack, 'node', { mesh, virtualNodeName: 'n' });
    const service = new appmesh.VirtualService(stack, 'service', {
      virtualServiceName: 's.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(node),
    });
    expect(service.mesh.meshName).toBe('elsewhere');
    expect(stack.resolve(service.virtualServiceArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':appmesh:eu-west-1:123456789012:mesh/elsewhere/virtualService/s.local']],
    });
  });

  // aws-cdk-lib's test of this name imported a virtual router (Q6); this one imports a service.
  test('import using an ARN', () => {
    const { stack } = newStack();
    const arn = 'arn:aws:appmesh:us-west-2:123456789012:mesh/test-mesh/virtualService/test.domain.local';
    const service = appmesh.VirtualService.fromVirtualServiceArn(stack, 'imported', arn);
    expect(service.virtualServiceName).toBe('test.domain.local');
    expect(service.mesh.meshName).toBe('test-mesh');
    expect(service.virtualServiceArn).toBe(arn);
  });

  test('import using attributes', () => {
    const { stack } = newStack();
    const mesh = appmesh.Mesh.fromMeshName(stack, 'mesh', 'test-mesh');
    const service = appmesh.VirtualService.fromVirtualServiceAttributes(stack, 'imported', { mesh, virtualServiceName: 'test.domain.local' });
    expect(service.virtualServiceName).toBe('test.domain.local');
    expect(service.mesh).toBe(mesh);
  });

  test('an imported service works as a backend when the app defines it; an unknown one is reported', () => {
    const app = new App();
    const defining = new Stack(app, 'Defining');
    const using = new Stack(app, 'Using');
    const definingMesh = new appmesh.Mesh(defining, 'mesh', { meshName: 'test-mesh' });
    new appmesh.VirtualService(defining, 'svc', { virtualServiceName: 'ext.local', virtualServiceProvider: appmesh.VirtualServiceProvider.none(definingMesh) });
    const mesh = appmesh.Mesh.fromMeshName(using, 'mesh', 'test-mesh');
    const service = appmesh.VirtualService.fromVirtualServiceAttributes(using, 'imported', { mesh, virtualServiceName: 'ext.local' });
    const node = mesh.addVirtualNode('node', { virtualNodeName: 'node', backends: [appmesh.Backend.virtualService(service)] });
    expect(onlyDocument(app).virtualNodes[0].spec.backends).toEqual([{ virtualService: { virtualServiceName: 'ext.local' } }]);

    node.addBackend(appmesh.Backend.virtualService(
      appmesh.VirtualService.fromVirtualServiceAttributes(using, 'unknown', { mesh, virtualServiceName: 'nowhere.local' })));
    expect(() => buildMeshSpecs(app)).toThrow(/\[Using\/mesh\/node\] .*backends\[1\].*nowhere\.local/);
  });
});
