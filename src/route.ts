import { Arn, ArnFormat, IResource, Names, RemovalPolicy, Resource } from 'aws-cdk-lib';
import { aws_appmesh as refs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { IMesh } from './mesh';
import { RateLimit } from './policies/rate-limit';
import { checkArnKinds } from './private/arn-kinds';
import { contributeExtensions } from './private/extensions';
import { registerMeshResource } from './private/mesh-resource';
import { arnSegment, meshOwnerOf, meshResourceArn } from './private/names';
import { warnRemovalPolicyWithoutEffect } from './private/removal-policy';
import { RouteSpec } from './route-spec';
import * as spec from './spec';
import { IVirtualRouter, VirtualRouter } from './virtual-router';

/** A route of a virtual router: which requests go to which virtual nodes. */
export interface IRoute extends IResource, refs.IRouteRef {
  /**
   * Name of the route.
   * @attribute
   */
  readonly routeName: string;

  /**
   * ARN of the route, `arn:...:mesh/<mesh>/virtualRouter/<router>/route/<name>`.
   * @attribute
   */
  readonly routeArn: string;

  /** The router the route belongs to. */
  readonly virtualRouter: IVirtualRouter;
}

/** Properties of a route, without its router (for `router.addRoute`). */
export interface RouteBaseProps {
  /**
   * Name of the route (unique per router).
   * @default - a name unique in the app, derived from the construct path; `addRoute` uses its `id`
   */
  readonly routeName?: string;

  /** What the route matches and where it sends traffic. */
  readonly routeSpec: RouteSpec;
}

/** Properties of a route. */
export interface RouteProps extends RouteBaseProps {
  /**
   * The mesh of the route. Kept for compatibility: the mesh actually used is the router's.
   */
  readonly mesh: IMesh;

  /** The router the route belongs to. */
  readonly virtualRouter: IVirtualRouter;
}

/** How to reference an existing route. */
export interface RouteAttributes {
  /** Name of the route. */
  readonly routeName: string;
  /** The router the route belongs to. */
  readonly virtualRouter: IVirtualRouter;
}

/** A route. Synthesizes one entry of `routes` in its mesh's spec document. */
export class Route extends Resource implements IRoute {
  /** Identifier used for property injection, as in aws-cdk-lib. */
  public static readonly PROPERTY_INJECTION_ID: string = 'open-app-mesh.Route';

  /** Reference an existing route by its ARN. */
  public static fromRouteArn(scope: Construct, id: string, routeArn: string): IRoute {
    return new ImportedRoute(scope, id, undefined, routeArn);
  }

  /** Reference an existing route by router and name. */
  public static fromRouteAttributes(scope: Construct, id: string, attrs: RouteAttributes): IRoute {
    return new ImportedRoute(scope, id, attrs);
  }

  public readonly routeName: string;
  public readonly routeArn: string;
  public readonly virtualRouter: IVirtualRouter;

  /** A reference to this route, as aws-cdk-lib's `IRouteRef` has it. */
  public get routeRef(): refs.RouteReference {
    return { routeArn: this.routeArn };
  }

  constructor(scope: Construct, id: string, props: RouteProps) {
    super(scope, id, { physicalName: props.routeName });
    this.virtualRouter = props.virtualRouter;
    this.routeName = props.routeName ?? Names.uniqueId(this);
    const mesh = this.virtualRouter.mesh;
    this.routeArn = meshResourceArn(this, mesh.meshName, 'virtualRouter', this.virtualRouter.virtualRouterName, 'route', this.routeName);

    const config = props.routeSpec.bind(this);
    const routeSpec: spec.RouteSpec = {
      ...(config.httpRouteSpec ? { httpRoute: config.httpRouteSpec } : {}),
      ...(config.http2RouteSpec ? { http2Route: config.http2RouteSpec } : {}),
      ...(config.grpcRouteSpec ? { grpcRoute: config.grpcRouteSpec } : {}),
      ...(config.tcpRouteSpec ? { tcpRoute: config.tcpRouteSpec } : {}),
      ...(config.priority !== undefined ? { priority: config.priority } : {}),
    };
    const extensions = config.extensions;
    if (extensions !== undefined) contributeExtensions(this, () => ({ ...extensions }));
    registerMeshResource(this, {
      kind: 'route',
      meshName: () => mesh.meshName,
      meshOwner: () => meshOwnerOf(this, mesh),
      name: () => this.routeName,
      parentName: () => this.virtualRouter.virtualRouterName,
      renderSpec: () => routeSpec,
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
   * Limit the route's requests with a local token bucket in each Envoy that serves it (docs/policies.md):
   * requests beyond it are answered with the limit's status. Not applied by proxyless gRPC clients.
   */
  public addRateLimit(rateLimit: RateLimit): void {
    contributeExtensions(this, () => ({ rateLimit: rateLimit.bind().rateLimit }));
  }
}

class ImportedRoute extends Resource implements IRoute {
  public readonly routeName: string;
  public readonly routeArn: string;
  public readonly virtualRouter: IVirtualRouter;

  /** A reference to this route, as aws-cdk-lib's `IRouteRef` has it. */
  public get routeRef(): refs.RouteReference {
    return { routeArn: this.routeArn };
  }

  constructor(scope: Construct, id: string, attrs: RouteAttributes | undefined, arn?: string) {
    super(scope, id);
    if (attrs !== undefined) {
      this.virtualRouter = attrs.virtualRouter;
      this.routeName = attrs.routeName;
      this.routeArn = meshResourceArn(
        this, this.virtualRouter.mesh.meshName, 'virtualRouter', this.virtualRouter.virtualRouterName, 'route', this.routeName);
    } else {
      this.routeArn = arn!;
      checkArnKinds(this, this.routeArn, ['virtualRouter', 'route']);
      this.virtualRouter = VirtualRouter.fromVirtualRouterArn(this, 'VirtualRouter', routerArnOf(this, this.routeArn));
      this.routeName = arnSegment(this, this.routeArn, 4);
    }
  }
}

// The router's ARN is the route's without the trailing `/route/<name>`, in the same
// partition, region and account.
function routerArnOf(scope: Construct, routeArn: string): string {
  const components = Arn.split(routeArn, ArnFormat.SLASH_RESOURCE_NAME);
  const meshName = arnSegment(scope, routeArn, 0);
  const routerName = arnSegment(scope, routeArn, 2);
  return Arn.format({ ...components, resourceName: `${meshName}/virtualRouter/${routerName}` });
}
