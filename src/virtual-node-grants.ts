import * as iam from 'aws-cdk-lib/aws-iam';
import { grantProxyStream } from './private/proxy-grant';
import { IVirtualNode, VirtualNode } from './virtual-node';

/** Grants on a virtual node, as aws-cdk-lib's `VirtualNodeGrants`. */
export class VirtualNodeGrants {
  /** Grants on `virtualNode`. */
  public static fromVirtualNode(virtualNode: IVirtualNode): VirtualNodeGrants {
    return new VirtualNodeGrants(virtualNode);
  }

  private constructor(private readonly virtualNode: IVirtualNode) {}

  /**
   * Let `grantee` stream configuration as this node's proxy: its principal ARN is
   * recorded in the spec's `proxyAccess` for the node id. See
   * `VirtualNode.grantStreamAggregatedResources`.
   */
  public streamAggregatedResources(grantee: iam.IGrantable): iam.Grant {
    const node = this.virtualNode;
    return grantProxyStream(node, () => node.mesh.meshName, () => VirtualNode.nodeIdOf(node), grantee);
  }
}
