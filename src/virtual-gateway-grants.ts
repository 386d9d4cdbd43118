import * as iam from 'aws-cdk-lib/aws-iam';
import { proxyNodeId } from './private/names';
import { grantProxyStream } from './private/proxy-grant';
import { IVirtualGateway } from './virtual-gateway';

/** Grants on a virtual gateway, as aws-cdk-lib's `VirtualGatewayGrants`. */
export class VirtualGatewayGrants {
  /** Grants on `virtualGateway`. */
  public static fromVirtualGateway(virtualGateway: IVirtualGateway): VirtualGatewayGrants {
    return new VirtualGatewayGrants(virtualGateway);
  }

  private constructor(private readonly virtualGateway: IVirtualGateway) {}

  /**
   * Let `grantee` stream configuration as this gateway's proxy: its principal ARN is
   * recorded in the spec's `proxyAccess` for the node id `mesh/<mesh>/virtualGateway/<name>`.
   * See `VirtualGateway.grantStreamAggregatedResources`.
   */
  public streamAggregatedResources(grantee: iam.IGrantable): iam.Grant {
    const gateway = this.virtualGateway;
    return grantProxyStream(gateway,
      () => gateway.mesh.meshName,
      () => proxyNodeId(gateway.mesh.meshName, 'virtualGateway', gateway.virtualGatewayName),
      grantee);
  }
}
