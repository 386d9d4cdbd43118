import { IResource, Names, RemovalPolicy, Resource } from 'aws-cdk-lib';
import { aws_appmesh as refs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { GatewayRouteSpec, GatewayRouteSpecConfig } from './gateway-route-spec';
import { Mesh } from './mesh';
import { RateLimit } from './policies/rate-limit';
import { checkArnKinds } from './private/arn-kinds';
import { contributeExtensions } from './private/extensions';
import { registerMeshResource } from './private/mesh-resource';
import { arnSegment, meshOwnerOf, meshResourceArn } from './private/names';
import { warnRemovalPolicyWithoutEffect } from './private/removal-policy';
import { compact } from './private/render';
import * as spec from './spec';
import { IVirtualGateway, VirtualGateway } from './virtual-gateway';

/** A gateway route: a rule of a virtual gateway that sends matching traffic to a virtual service. */
export interface IGatewayRoute extends IResource, refs.IGatewayRouteRef {
  /**
   * Name of the gateway route.
   *
   * @attribute
   */
  readonly gatewayRouteName: string;

  /**
   * ARN of the gateway route,
   * `arn:<partition>:appmesh:<region>:<account>:mesh/<mesh>/virtualGateway/<gateway>/gatewayRoute/<name>`.
   *
   * @attribute
   */
  readonly gatewayRouteArn: string;

  /** The virtual gateway the route belongs to. */
  readonly virtualGateway: IVirtualGateway;
}

/** Properties of a gateway route, less its gateway (what `VirtualGateway.addGatewayRoute` takes). */
export interface GatewayRouteBaseProps {
  /**
   * Name of the gateway route, unique within its gateway.
   *
   * @default - a name derived from the construct path
   */
  readonly gatewayRouteName?: string;

  /** What the route matches and where it sends the traffic. */
  readonly routeSpec: GatewayRouteSpec;
}

/** Properties of a gateway route. */
export interface GatewayRouteProps extends GatewayRouteBaseProps {
  /** The virtual gateway the route belongs to. */
  readonly virtualGateway: IVirtualGateway;
}

/** Identifies an existing gateway route. */
export interface GatewayRouteAttributes {
  /** Name of the gateway route. */
  readonly gatewayRouteName: string;

  /** The virtual gateway the route belongs to. */
  readonly virtualGateway: IVirtualGateway;
}

/**
 * A gateway route: the virtual gateway sends the requests it matches to a virtual service.
 *
 * Its spec is rendered into the mesh spec document as a `gatewayRoutes` entry.
 */
export class GatewayRoute extends Resource implements IGatewayRoute {
  /** Identifier used for property injection, as in aws-cdk-lib. */
  public static readonly PROPERTY_INJECTION_ID: string = 'open-app-mesh.GatewayRoute';

  /**
   * References a gateway route defined elsewhere, by ARN
   * (`...:mesh/<mesh>/virtualGateway/<gateway>/gatewayRoute/<name>`).
   */
  public static fromGatewayRouteArn(scope: Construct, id: string, gatewayRouteArn: string): IGatewayRoute {
    return new ImportedGatewayRoute(scope, id, { arn: gatewayRouteArn });
  }

  /** References a gateway route defined elsewhere, by name and gateway. */
  public static fromGatewayRouteAttributes(scope: Construct, id: string, attrs: GatewayRouteAttributes): IGatewayRoute {
    return new ImportedGatewayRoute(scope, id, { attrs });
  }

  public readonly gatewayRouteName: string;
  public readonly gatewayRouteArn: string;
  public readonly virtualGateway: IVirtualGateway;

  /** A reference to this gateway route, as aws-cdk-lib's `IGatewayRouteRef` has it. */
  public get gatewayRouteRef(): refs.GatewayRouteReference {
    return { gatewayRouteArn: this.gatewayRouteArn };
  }

  /** The rendered spec; bound once, so bad input fails where the route is declared. */
  private readonly specConfig: GatewayRouteSpecConfig;

  constructor(scope: Construct, id: string, props: GatewayRouteProps) {
    super(scope, id, { physicalName: props.gatewayRouteName });
    this.gatewayRouteName = props.gatewayRouteName ?? Names.uniqueId(this);
    this.virtualGateway = props.virtualGateway;
    this.specConfig = props.routeSpec.bind(this);
    this.gatewayRouteArn = meshResourceArn(this, this.virtualGateway.mesh.meshName,
      'virtualGateway', this.virtualGateway.virtualGatewayName, 'gatewayRoute', this.gatewayRouteName);

    const extensions = this.specConfig.extensions;
    if (extensions !== undefined) contributeExtensions(this, () => ({ ...extensions }));
    registerMeshResource(this, {
      kind: 'gatewayRoute',
      meshName: () => this.virtualGateway.mesh.meshName,
      meshOwner: () => meshOwnerOf(this, this.virtualGateway.mesh),
      parentName: () => this.virtualGateway.virtualGatewayName,
      name: () => this.gatewayRouteName,
      renderSpec: () => this.renderSpec(),
    });
  }

  private renderSpec(): spec.GatewayRouteSpec {
    const config = this.specConfig;
    return compact({
      httpRoute: config.httpSpecConfig,
      http2Route: config.http2SpecConfig,
      grpcRoute: config.grpcSpecConfig,
      priority: config.priority,
    });
  }

  /**
   * Accepted for compatibility with aws-cdk-lib, without effect: there is no CloudFormation
   * resource to apply it to (this resource is an entry of the mesh spec document). Synth warns
   * (`open-app-mesh:removal-policy-without-effect`).
   */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    warnRemovalPolicyWithoutEffect(this, policy);
  }

  /**
   * Limit the gateway route's requests with a local token bucket in each Envoy that serves it (docs/policies.md):
   * requests beyond it are answered with the limit's status. Not applied by proxyless gRPC clients.
   */
  public addRateLimit(rateLimit: RateLimit): void {
    contributeExtensions(this, () => ({ rateLimit: rateLimit.bind().rateLimit }));
  }
}

interface ImportedGatewayRouteSource {
  readonly arn?: string;
  readonly attrs?: GatewayRouteAttributes;
}

/** A gateway route defined outside this app: it adds nothing to the mesh spec. */
class ImportedGatewayRoute extends Resource implements IGatewayRoute {
  public readonly gatewayRouteName: string;
  public readonly gatewayRouteArn: string;
  public readonly virtualGateway: IVirtualGateway;

  public get gatewayRouteRef(): refs.GatewayRouteReference {
    return { gatewayRouteArn: this.gatewayRouteArn };
  }

  constructor(scope: Construct, id: string, source: ImportedGatewayRouteSource) {
    super(scope, id);
    if (source.attrs !== undefined) {
      this.gatewayRouteName = source.attrs.gatewayRouteName;
      this.virtualGateway = source.attrs.virtualGateway;
      this.gatewayRouteArn = meshResourceArn(this, this.virtualGateway.mesh.meshName,
        'virtualGateway', this.virtualGateway.virtualGatewayName, 'gatewayRoute', this.gatewayRouteName);
      return;
    }
    const arn = source.arn!;
    checkArnKinds(this, arn, ['virtualGateway', 'gatewayRoute']);
    const meshName = arnSegment(this, arn, 0);
    this.gatewayRouteName = arnSegment(this, arn, 4);
    this.virtualGateway = VirtualGateway.fromVirtualGatewayAttributes(this, 'VirtualGateway', {
      mesh: Mesh.fromMeshName(this, 'Mesh', meshName),
      virtualGatewayName: arnSegment(this, arn, 2),
    });
    this.gatewayRouteArn = arn;
  }
}
