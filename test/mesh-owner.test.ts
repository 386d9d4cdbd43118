import { App, Stack } from 'aws-cdk-lib';
import * as appmesh from '../src';
import { newStack, onlyDocument } from './helpers';
import { buildMeshSpecs } from '../src/private/spec-builder';
import { validateMeshSpec } from '../src/spec';

/** A shared mesh (App Mesh's resource sharing): resources defined from another account than the mesh's. */
const SHARED_MESH_ARN = 'arn:aws:appmesh:eu-west-1:111111111111:mesh/shared';

function nodeIn(mesh: appmesh.IMesh, scope: Stack, id = 'node') {
  return new appmesh.VirtualNode(scope, id, {
    mesh,
    virtualNodeName: id,
    serviceDiscovery: appmesh.ServiceDiscovery.dns(`${id}.local`),
    listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
  });
}

describe('meshOwner: shared meshes', () => {
  test('fromMeshArn keeps the owner account; resources defined from another account record it in the spec', () => {
    const { stack } = newStack(); // account 123456789012
    const mesh = appmesh.Mesh.fromMeshArn(stack, 'shared', SHARED_MESH_ARN);
    expect(mesh.env.account).toBe('111111111111');
    nodeIn(mesh, stack);
    const doc = onlyDocument(stack);
    expect(doc.mesh).toEqual({ meshName: 'shared', meshOwner: '111111111111', spec: { egressFilter: { type: 'DROP_ALL' } } });
  });

  test('no meshOwner for a mesh of the resources\' own account, imported or defined', () => {
    const { stack } = newStack();
    nodeIn(appmesh.Mesh.fromMeshArn(stack, 'own', 'arn:aws:appmesh:eu-west-1:123456789012:mesh/own'), stack);
    nodeIn(new appmesh.Mesh(stack, 'defined', { meshName: 'defined' }), stack, 'other');
    for (const doc of buildMeshSpecs(stack)) expect(doc.mesh.meshOwner).toBeUndefined();
    // Environment-agnostic stacks: the mesh and its resources share the deploy-time account.
    const agnostic = new Stack(new App(), 'Agnostic');
    nodeIn(new appmesh.Mesh(agnostic, 'mesh', { meshName: 'm' }), agnostic);
    expect(onlyDocument(agnostic).mesh.meshOwner).toBeUndefined();
  });

  test('resources of one mesh naming two owner accounts are reported', () => {
    const { stack } = newStack();
    nodeIn(appmesh.Mesh.fromMeshArn(stack, 'meshA', SHARED_MESH_ARN), stack, 'a');
    nodeIn(appmesh.Mesh.fromMeshArn(stack, 'meshB', 'arn:aws:appmesh:eu-west-1:222222222222:mesh/shared'), stack, 'b');
    expect(() => buildMeshSpecs(stack))
      .toThrow(/\[Stack\/b\] mesh 'shared' is owned by "222222222222" here and by "111111111111" at Stack\/a; every resource of a mesh names the same owner account/);
  });

  test('the spec validates meshOwner as a 12-digit account id', () => {
    const doc = {
      specVersion: '1', virtualNodes: [], virtualServices: [], virtualRouters: [], routes: [], virtualGateways: [], gatewayRoutes: [],
    };
    const issues = (meshOwner: unknown) => validateMeshSpec({ ...doc, mesh: { meshName: 'm', meshOwner, spec: {} } } as any)
      .filter((i) => i.path.startsWith('mesh'));
    expect(issues('111111111111')).toEqual([]);
    expect(issues('11111111111').map((i) => `${i.path}: ${i.message}`)).toEqual(['mesh.meshOwner: expected a 12-digit AWS account id, got "11111111111"']);
    expect(issues(111111111111).map((i) => i.path)).toEqual(['mesh.meshOwner']);
  });
});
