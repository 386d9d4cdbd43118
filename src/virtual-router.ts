import { IResource, Names, RemovalPolicy, Resource } from 'aws-cdk-lib';
import { aws_appmesh as refs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { IMesh, Mesh } from './mesh';
import { checkArnKinds } from './private/arn-kinds';
import { registerMeshResource } from './private/mesh-resource';
import { arnSegment, meshOwnerOf, meshResourceArn } from './private/names';
import { warnRemovalPolicyWithoutEffect } from './private/removal-policy';
import { Route, RouteBaseProps } from './route';
import * as spec from './spec';
import { VirtualRouterListener } from './virtual-router-listener';

/** A virtual router: spreads a virtual service's traffic over virtual nodes, by route. */
export interface IVirtualRouter extends IResource, refs.IVirtualRouterRef {
  /**
   * Name of the virtual router.
   * @attribute
   */
  readonly virtualRouterName: string;

  /**
   * ARN of the virtual router, `arn:...:mesh/<mesh>/virtualRouter/<name>`.
   * @attribute
   */
  readonly virtualRouterArn: string;

  /** The mesh the router belongs to. */
  readonly mesh: IMesh;

  /**
   * Add a route to this router. The route is named `props.routeName`, else `id`
   * (aws-cdk-lib always used `id`, ignoring `routeName`).
   */
  addRoute(id: string, props: RouteBaseProps): Route;
}

/** Properties of a virtual router, without its mesh (for `mesh.addVirtualRouter`). */
export interface VirtualRouterBaseProps {
  /**
   * Ports and protocols the router accepts traffic on.
   * @default - one HTTP listener on port 8080 (also when the list is empty)
   */
  readonly listeners?: VirtualRouterListener[];

  /**
   * Name of the virtual router.
   * @default - a name unique in the app, derived from the construct path
   */
  readonly virtualRouterName?: string;
}

/** Properties of a virtual router. */
export interface VirtualRouterProps extends VirtualRouterBaseProps {
  /** The mesh the router belongs to. */
  readonly mesh: IMesh;
}

/** How to reference an existing virtual router. */
export interface VirtualRouterAttributes {
  /** Name of the virtual router. */
  readonly virtualRouterName: string;
  /** The mesh the router belongs to. */
  readonly mesh: IMesh;
}

abstract class VirtualRouterBase extends Resource implements IVirtualRouter {
  public abstract readonly virtualRouterName: string;
  public abstract readonly virtualRouterArn: string;
  public abstract readonly mesh: IMesh;

  /** A reference to this router, as aws-cdk-lib's `IVirtualRouterRef` has it. */
  public get virtualRouterRef(): refs.VirtualRouterReference {
    return { virtualRouterArn: this.virtualRouterArn };
  }

  public addRoute(id: string, props: RouteBaseProps): Route {
    return new Route(this, id, {
      ...props,
      routeName: props.routeName ?? id,
      mesh: this.mesh,
      virtualRouter: this,
    });
  }
}

/** A virtual router. Synthesizes one entry of `virtualRouters` in its mesh's spec document. */
export class VirtualRouter extends VirtualRouterBase {
  /** Identifier used for property injection, as in aws-cdk-lib. */
  public static readonly PROPERTY_INJECTION_ID: string = 'open-app-mesh.VirtualRouter';

  /** Reference an existing virtual router by its ARN. */
  public static fromVirtualRouterArn(scope: Construct, id: string, virtualRouterArn: string): IVirtualRouter {
    return new ImportedVirtualRouter(scope, id, undefined, virtualRouterArn);
  }

  /** Reference an existing virtual router by mesh and name. */
  public static fromVirtualRouterAttributes(scope: Construct, id: string, attrs: VirtualRouterAttributes): IVirtualRouter {
    return new ImportedVirtualRouter(scope, id, attrs);
  }

  public readonly virtualRouterName: string;
  public readonly virtualRouterArn: string;
  public readonly mesh: IMesh;

  private readonly listeners: spec.VirtualRouterListener[];

  constructor(scope: Construct, id: string, props: VirtualRouterProps) {
    super(scope, id, { physicalName: props.virtualRouterName });
    this.mesh = props.mesh;
    this.virtualRouterName = props.virtualRouterName ?? Names.uniqueId(this);
    this.virtualRouterArn = meshResourceArn(this, this.mesh.meshName, 'virtualRouter', this.virtualRouterName);
    // As in aws-cdk-lib, an empty list gets the default listener too.
    const listeners = props.listeners !== undefined && props.listeners.length > 0 ? props.listeners : [VirtualRouterListener.http()];
    this.listeners = listeners.map((listener) => listener.bind(this).listener);

    registerMeshResource(this, {
      kind: 'virtualRouter',
      meshName: () => this.mesh.meshName,
      meshOwner: () => meshOwnerOf(this, this.mesh),
      name: () => this.virtualRouterName,
      renderSpec: (): spec.VirtualRouterSpec => ({ listeners: [...this.listeners] }),
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
}

class ImportedVirtualRouter extends VirtualRouterBase {
  public readonly virtualRouterName: string;
  public readonly virtualRouterArn: string;
  public readonly mesh: IMesh;

  constructor(scope: Construct, id: string, attrs: VirtualRouterAttributes | undefined, arn?: string) {
    super(scope, id);
    if (attrs !== undefined) {
      this.mesh = attrs.mesh;
      this.virtualRouterName = attrs.virtualRouterName;
      this.virtualRouterArn = meshResourceArn(this, this.mesh.meshName, 'virtualRouter', this.virtualRouterName);
    } else {
      this.virtualRouterArn = arn!;
      checkArnKinds(this, this.virtualRouterArn, ['virtualRouter']);
      this.mesh = Mesh.fromMeshName(this, 'Mesh', arnSegment(this, this.virtualRouterArn, 0));
      this.virtualRouterName = arnSegment(this, this.virtualRouterArn, 2);
    }
  }
}
