import { IResource, Names, RemovalPolicy, Resource } from 'aws-cdk-lib';
import { aws_appmesh as refs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { IMesh, Mesh } from './mesh';
import { checkArnKinds } from './private/arn-kinds';
import { registerMeshResource } from './private/mesh-resource';
import { arnSegment, meshOwnerOf, meshResourceArn } from './private/names';
import { warnRemovalPolicyWithoutEffect } from './private/removal-policy';
import * as spec from './spec';
import { IVirtualNode } from './virtual-node';
import { IVirtualRouter } from './virtual-router';

/** A virtual service: the name callers address, served by a virtual node or router. */
export interface IVirtualService extends IResource, refs.IVirtualServiceRef {
  /**
   * Name of the virtual service (hostname form, e.g. `serviceb.apps.local`).
   * @attribute
   */
  readonly virtualServiceName: string;

  /**
   * ARN of the virtual service, `arn:...:mesh/<mesh>/virtualService/<name>`.
   * @attribute
   */
  readonly virtualServiceArn: string;

  /** The mesh the service belongs to. */
  readonly mesh: IMesh;
}

/** Properties of a virtual service. */
export interface VirtualServiceProps {
  /**
   * Name of the virtual service; use the hostname callers resolve (an FQDN).
   * @default - a name unique in the app, derived from the construct path
   */
  readonly virtualServiceName?: string;

  /** What serves the service; also decides the mesh. */
  readonly virtualServiceProvider: VirtualServiceProvider;
}

/** How to reference an existing virtual service. */
export interface VirtualServiceAttributes {
  /** Name of the virtual service. */
  readonly virtualServiceName: string;
  /** The mesh the service belongs to. */
  readonly mesh: IMesh;
}

/** A virtual service. Synthesizes one entry of `virtualServices` in its mesh's spec document. */
export class VirtualService extends Resource implements IVirtualService {
  /** Identifier used for property injection, as in aws-cdk-lib. */
  public static readonly PROPERTY_INJECTION_ID: string = 'open-app-mesh.VirtualService';

  /** Reference an existing virtual service by its ARN. */
  public static fromVirtualServiceArn(scope: Construct, id: string, virtualServiceArn: string): IVirtualService {
    return new ImportedVirtualService(scope, id, undefined, virtualServiceArn);
  }

  /** Reference an existing virtual service by mesh and name. */
  public static fromVirtualServiceAttributes(scope: Construct, id: string, attrs: VirtualServiceAttributes): IVirtualService {
    return new ImportedVirtualService(scope, id, attrs);
  }

  public readonly virtualServiceName: string;
  public readonly virtualServiceArn: string;
  public readonly mesh: IMesh;

  /** A reference to this service, as aws-cdk-lib's `IVirtualServiceRef` has it. */
  public get virtualServiceRef(): refs.VirtualServiceReference {
    return { virtualServiceArn: this.virtualServiceArn };
  }

  constructor(scope: Construct, id: string, props: VirtualServiceProps) {
    super(scope, id, { physicalName: props.virtualServiceName });
    this.virtualServiceName = props.virtualServiceName ?? Names.uniqueId(this);
    const provider = props.virtualServiceProvider.bind(this);
    this.mesh = provider.mesh;
    this.virtualServiceArn = meshResourceArn(this, this.mesh.meshName, 'virtualService', this.virtualServiceName);

    const serviceSpec: spec.VirtualServiceSpec = provider.virtualNodeProvider
      ? { provider: { virtualNode: provider.virtualNodeProvider } }
      : provider.virtualRouterProvider
        ? { provider: { virtualRouter: provider.virtualRouterProvider } }
        : {};
    registerMeshResource(this, {
      kind: 'virtualService',
      meshName: () => this.mesh.meshName,
      meshOwner: () => meshOwnerOf(this, this.mesh),
      name: () => this.virtualServiceName,
      renderSpec: () => serviceSpec,
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

class ImportedVirtualService extends Resource implements IVirtualService {
  public readonly virtualServiceName: string;
  public readonly virtualServiceArn: string;
  public readonly mesh: IMesh;

  /** A reference to this service, as aws-cdk-lib's `IVirtualServiceRef` has it. */
  public get virtualServiceRef(): refs.VirtualServiceReference {
    return { virtualServiceArn: this.virtualServiceArn };
  }

  constructor(scope: Construct, id: string, attrs: VirtualServiceAttributes | undefined, arn?: string) {
    super(scope, id);
    if (attrs !== undefined) {
      this.mesh = attrs.mesh;
      this.virtualServiceName = attrs.virtualServiceName;
      this.virtualServiceArn = meshResourceArn(this, this.mesh.meshName, 'virtualService', this.virtualServiceName);
    } else {
      this.virtualServiceArn = arn!;
      checkArnKinds(this, this.virtualServiceArn, ['virtualService']);
      this.mesh = Mesh.fromMeshName(this, 'Mesh', arnSegment(this, this.virtualServiceArn, 0));
      this.virtualServiceName = arnSegment(this, this.virtualServiceArn, 2);
    }
  }
}

/** What VirtualServiceProvider.bind returns. */
export interface VirtualServiceProviderConfig {
  /**
   * The node serving the service, App Mesh `VirtualNodeServiceProvider`.
   * @default - not served by a node
   */
  readonly virtualNodeProvider?: spec.VirtualNodeServiceProvider;
  /**
   * The router serving the service, App Mesh `VirtualRouterServiceProvider`.
   * @default - not served by a router
   */
  readonly virtualRouterProvider?: spec.VirtualRouterServiceProvider;
  /** The mesh of the provider, hence of the service. */
  readonly mesh: IMesh;
}

/** What serves a virtual service. */
export abstract class VirtualServiceProvider {
  /** A virtual node serves the service directly. */
  public static virtualNode(virtualNode: IVirtualNode): VirtualServiceProvider {
    return new VirtualServiceProviderImpl(virtualNode.mesh, { virtualNodeName: virtualNode.virtualNodeName });
  }

  /** A virtual router spreads the service's traffic over its routes' targets. */
  public static virtualRouter(virtualRouter: IVirtualRouter): VirtualServiceProvider {
    return new VirtualServiceProviderImpl(virtualRouter.mesh, undefined, {
      virtualRouterName: virtualRouter.virtualRouterName,
    });
  }

  /** No provider yet: the service exists in `mesh` but has no endpoints. */
  public static none(mesh: IMesh): VirtualServiceProvider {
    return new VirtualServiceProviderImpl(mesh);
  }

  /** Render the provider. */
  public abstract bind(_construct: Construct): VirtualServiceProviderConfig;
}

class VirtualServiceProviderImpl extends VirtualServiceProvider {
  constructor(
    private readonly mesh: IMesh,
    private readonly virtualNodeProvider?: spec.VirtualNodeServiceProvider,
    private readonly virtualRouterProvider?: spec.VirtualRouterServiceProvider,
  ) {
    super();
  }

  public bind(_construct: Construct): VirtualServiceProviderConfig {
    return {
      mesh: this.mesh,
      ...(this.virtualNodeProvider ? { virtualNodeProvider: this.virtualNodeProvider } : {}),
      ...(this.virtualRouterProvider ? { virtualRouterProvider: this.virtualRouterProvider } : {}),
    };
  }
}
