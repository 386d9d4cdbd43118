import { PermissionsOptions } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { aws_appmesh as refs } from 'aws-cdk-lib/interfaces';
import { proxyNodeId } from './private/names';
import { grantActions, grantProxyStream } from './private/proxy-grant';
import { IVirtualGateway, VirtualGateway } from './virtual-gateway';

/** Grants on a virtual gateway, as aws-cdk-lib's `VirtualGatewayGrants`. */
export class VirtualGatewayGrants {
  /**
   * Grants on `resource`: a virtual gateway of this library, or any reference to one by ARN
   * (`arn:…:appmesh:…:mesh/<mesh>/virtualGateway/<name>`), which is imported for the purpose.
   */
  public static fromVirtualGateway(resource: refs.IVirtualGatewayRef): VirtualGatewayGrants {
    return new VirtualGatewayGrants(resource);
  }

  /** The virtual gateway the grants are on. */
  protected readonly resource: refs.IVirtualGatewayRef;

  private constructor(resource: refs.IVirtualGatewayRef) {
    this.resource = resource;
  }

  /**
   * Let `grantee` stream configuration as this gateway's proxy: its principal ARN is
   * recorded in the spec's `proxyAccess` for the node id `mesh/<mesh>/virtualGateway/<name>`.
   * See `VirtualGateway.grantStreamAggregatedResources`.
   */
  public streamAggregatedResources(grantee: iam.IGrantable): iam.Grant {
    const gateway = this.virtualGateway();
    return grantProxyStream(gateway,
      () => gateway.mesh.meshName,
      () => proxyNodeId(gateway.mesh.meshName, 'virtualGateway', gateway.virtualGatewayName),
      grantee);
  }

  /**
   * Grant `actions` on this gateway, as aws-cdk-lib does. `appmesh:StreamAggregatedResources`
   * (or `appmesh:*`) is what the control plane enforces, exactly like `streamAggregatedResources`;
   * any other App Mesh action names an API that no longer exists, so it grants nothing and
   * says so in a synth warning.
   */
  public actions(grantee: iam.IGrantable, actions: string[], options?: PermissionsOptions): iam.Grant {
    return grantActions(this.virtualGateway(), grantee, actions, () => this.streamAggregatedResources(grantee), options);
  }

  private virtualGateway(): IVirtualGateway {
    const resource = this.resource as Partial<IVirtualGateway>;
    if (resource.mesh !== undefined && resource.virtualGatewayName !== undefined) return resource as IVirtualGateway;
    const id = 'GrantsVirtualGateway';
    return (this.resource.node.tryFindChild(id) as IVirtualGateway | undefined)
      ?? VirtualGateway.fromVirtualGatewayArn(this.resource, id, this.resource.virtualGatewayRef.virtualGatewayArn);
  }
}
