import { PermissionsOptions } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { aws_appmesh as refs } from 'aws-cdk-lib/interfaces';
import { grantActions, grantProxyStream } from './private/proxy-grant';
import { IVirtualNode, VirtualNode } from './virtual-node';

/** Grants on a virtual node, as aws-cdk-lib's `VirtualNodeGrants`. */
export class VirtualNodeGrants {
  /**
   * Grants on `resource`: a virtual node of this library, or any reference to one by ARN
   * (`arn:…:appmesh:…:mesh/<mesh>/virtualNode/<name>`), which is imported for the purpose.
   */
  public static fromVirtualNode(resource: refs.IVirtualNodeRef): VirtualNodeGrants {
    return new VirtualNodeGrants(resource);
  }

  /** The virtual node the grants are on. */
  protected readonly resource: refs.IVirtualNodeRef;

  private constructor(resource: refs.IVirtualNodeRef) {
    this.resource = resource;
  }

  /**
   * Let `grantee` stream configuration as this node's proxy: its principal ARN is
   * recorded in the spec's `proxyAccess` for the node id. See
   * `VirtualNode.grantStreamAggregatedResources`.
   */
  public streamAggregatedResources(grantee: iam.IGrantable): iam.Grant {
    const node = this.virtualNode();
    return grantProxyStream(node, () => node.mesh.meshName, () => VirtualNode.nodeIdOf(node), grantee);
  }

  /**
   * Grant `actions` on this node, as aws-cdk-lib does. `appmesh:StreamAggregatedResources`
   * (or `appmesh:*`) is what the control plane enforces, exactly like `streamAggregatedResources`;
   * any other App Mesh action names an API that no longer exists, so it grants nothing and
   * says so in a synth warning.
   */
  public actions(grantee: iam.IGrantable, actions: string[], options?: PermissionsOptions): iam.Grant {
    return grantActions(this.virtualNode(), grantee, actions, () => this.streamAggregatedResources(grantee), options);
  }

  private virtualNode(): IVirtualNode {
    const resource = this.resource as Partial<IVirtualNode>;
    if (resource.mesh !== undefined && resource.virtualNodeName !== undefined) return resource as IVirtualNode;
    const id = 'GrantsVirtualNode';
    return (this.resource.node.tryFindChild(id) as IVirtualNode | undefined)
      ?? VirtualNode.fromVirtualNodeArn(this.resource, id, this.resource.virtualNodeRef.virtualNodeArn);
  }
}
