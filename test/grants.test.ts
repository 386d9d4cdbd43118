import { Annotations as AssertAnnotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { aws_appmesh as refs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import * as appmesh from '../src';
import { newStack, onlyDocument } from './helpers';

/** A node reference that is not one of our constructs: only an ARN, as aws-cdk-lib's IVirtualNodeRef carries. */
class ArnOnlyNodeRef extends Construct implements refs.IVirtualNodeRef {
  readonly env = { account: '123456789012', region: 'eu-west-1' };
  constructor(scope: Construct, id: string, readonly virtualNodeRef: refs.VirtualNodeReference) {
    super(scope, id);
  }
}

class ArnOnlyGatewayRef extends Construct implements refs.IVirtualGatewayRef {
  readonly env = { account: '123456789012', region: 'eu-west-1' };
  constructor(scope: Construct, id: string, readonly virtualGatewayRef: refs.VirtualGatewayReference) {
    super(scope, id);
  }
}

function meshWithNodeAndGateway() {
  const { stack } = newStack();
  const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'shop' });
  const node = new appmesh.VirtualNode(stack, 'node', {
    mesh,
    virtualNodeName: 'cart',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('cart.local'),
    listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
  });
  const gateway = new appmesh.VirtualGateway(stack, 'gateway', { mesh, virtualGatewayName: 'edge' });
  return { stack, node, gateway };
}

const ROLE = 'arn:aws:iam::123456789012:role/task';

describe('VirtualNodeGrants / VirtualGatewayGrants, as aws-cdk-lib spells them', () => {
  test('actions(grantee, ["appmesh:StreamAggregatedResources"]) is the enforced proxy grant', () => {
    const { stack, node, gateway } = meshWithNodeAndGateway();
    const grant = node.grants.actions(new iam.ArnPrincipal(ROLE), ['appmesh:StreamAggregatedResources']);
    appmesh.VirtualGatewayGrants.fromVirtualGateway(gateway).actions(new iam.ArnPrincipal(ROLE), ['appmesh:*']);
    expect(grant.success).toBe(false); // no IAM statement: the control plane enforces it
    expect(onlyDocument(stack).proxyAccess).toEqual([
      { nodeId: 'mesh/shop/virtualGateway/edge', principals: [ROLE] },
      { nodeId: 'mesh/shop/virtualNode/cart', principals: [ROLE] },
    ]);
    AssertAnnotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('granted nothing'));
  });

  test('other App Mesh actions grant nothing and say so at synth', () => {
    const { stack, node } = meshWithNodeAndGateway();
    node.grants.actions(new iam.ArnPrincipal(ROLE), ['appmesh:DescribeVirtualNode']);
    expect(onlyDocument(stack).proxyAccess ?? []).toEqual([]);
    AssertAnnotations.fromStack(stack).hasWarning('/Stack/node',
      Match.stringLikeRegexp('appmesh:DescribeVirtualNode granted nothing.*open-app-mesh:grant-action-without-effect'));
  });

  test('fromVirtualNode / fromVirtualGateway take any reference by ARN, as aws-cdk-lib\'s do', () => {
    const { stack } = meshWithNodeAndGateway();
    const nodeRef = new ArnOnlyNodeRef(stack, 'nodeRef', { virtualNodeArn: 'arn:aws:appmesh:eu-west-1:123456789012:mesh/shop/virtualNode/cart' });
    const gatewayRef = new ArnOnlyGatewayRef(stack, 'gatewayRef', { virtualGatewayArn: 'arn:aws:appmesh:eu-west-1:123456789012:mesh/shop/virtualGateway/edge' });
    const nodeGrants = appmesh.VirtualNodeGrants.fromVirtualNode(nodeRef);
    nodeGrants.streamAggregatedResources(new iam.ArnPrincipal(ROLE));
    nodeGrants.streamAggregatedResources(new iam.ArnPrincipal('arn:aws:iam::123456789012:role/other'));
    appmesh.VirtualGatewayGrants.fromVirtualGateway(gatewayRef).streamAggregatedResources(new iam.ArnPrincipal(ROLE));
    expect(onlyDocument(stack).proxyAccess).toEqual([
      { nodeId: 'mesh/shop/virtualGateway/edge', principals: [ROLE] },
      { nodeId: 'mesh/shop/virtualNode/cart', principals: ['arn:aws:iam::123456789012:role/other', ROLE] },
    ]);
  });
});
