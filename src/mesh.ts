import { IResource, Names, RemovalPolicy, Resource } from 'aws-cdk-lib';
import { aws_appmesh as refs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { checkArnKinds } from './private/arn-kinds';
import { registerMeshResource } from './private/mesh-resource';
import { arnSegment, meshResourceArn } from './private/names';
import { warnRemovalPolicyWithoutEffect } from './private/removal-policy';
import { warnIfNotSpiffeSafe } from './private/spiffe-name-warning';
import { MeshServiceDiscovery } from './service-discovery';
import * as spec from './spec';
import { VirtualGateway, VirtualGatewayBaseProps } from './virtual-gateway';
import { VirtualNode, VirtualNodeBaseProps } from './virtual-node';
import { VirtualRouter, VirtualRouterBaseProps } from './virtual-router';

/** What traffic leaving the mesh is allowed. */
export enum MeshFilterType {
  /** Proxies may reach any destination. */
  ALLOW_ALL = 'ALLOW_ALL',
  /** Proxies may reach only mesh resources (their backends). */
  DROP_ALL = 'DROP_ALL',
}

/** A service mesh: the boundary that holds virtual nodes, routers, services and gateways. */
export interface IMesh extends IResource, refs.IMeshRef {
  /**
   * Name of the mesh.
   * @attribute
   */
  readonly meshName: string;

  /**
   * ARN of the mesh, `arn:<partition>:appmesh:<region>:<account>:mesh/<name>`.
   * @attribute
   */
  readonly meshArn: string;

  /** Define a virtual router in this mesh, as a child of the mesh construct. */
  addVirtualRouter(id: string, props?: VirtualRouterBaseProps): VirtualRouter;

  /** Define a virtual node in this mesh, as a child of the mesh construct. */
  addVirtualNode(id: string, props?: VirtualNodeBaseProps): VirtualNode;

  /** Define a virtual gateway in this mesh, as a child of the mesh construct. */
  addVirtualGateway(id: string, props?: VirtualGatewayBaseProps): VirtualGateway;
}

abstract class MeshBase extends Resource implements IMesh {
  public abstract readonly meshName: string;
  public abstract readonly meshArn: string;

  /** A reference to this mesh, as aws-cdk-lib's `IMeshRef` has it. */
  public get meshRef(): refs.MeshReference {
    return { meshArn: this.meshArn };
  }

  public addVirtualRouter(id: string, props: VirtualRouterBaseProps = {}): VirtualRouter {
    return new VirtualRouter(this, id, { ...props, mesh: this });
  }

  public addVirtualNode(id: string, props: VirtualNodeBaseProps = {}): VirtualNode {
    return new VirtualNode(this, id, { ...props, mesh: this });
  }

  public addVirtualGateway(id: string, props: VirtualGatewayBaseProps = {}): VirtualGateway {
    return new VirtualGateway(this, id, { ...props, mesh: this });
  }
}

/** Properties of a Mesh. */
export interface MeshProps {
  /**
   * Name of the mesh.
   * @default - a name unique in the app, derived from the construct path
   */
  readonly meshName?: string;

  /**
   * Which traffic may leave the mesh.
   * @default DROP_ALL (rendered explicitly in the spec)
   */
  readonly egressFilter?: MeshFilterType;

  /**
   * Mesh-wide service discovery settings.
   * @default - none
   */
  readonly serviceDiscovery?: MeshServiceDiscovery;
}

/**
 * A service mesh. Synthesizes the `mesh` part of the mesh spec document named after it;
 * the resources defined in it fill the rest of the document.
 */
export class Mesh extends MeshBase {
  /** Identifier used for property injection, as in aws-cdk-lib. */
  public static readonly PROPERTY_INJECTION_ID: string = 'open-app-mesh.Mesh';

  /** Reference a mesh defined elsewhere by its ARN. */
  public static fromMeshArn(scope: Construct, id: string, meshArn: string): IMesh {
    checkArnKinds(scope, meshArn, []);
    return new ImportedMesh(scope, id, arnSegment(scope, meshArn, 0), meshArn);
  }

  /**
   * Reference a mesh defined elsewhere by its name (in this stack's account and region).
   * Resources defined in it go to the document of that mesh name; if no Mesh construct
   * of that name exists in the app, the document's mesh spec is App Mesh's default
   * (egress filter DROP_ALL).
   */
  public static fromMeshName(scope: Construct, id: string, meshName: string): IMesh {
    return new ImportedMesh(scope, id, meshName);
  }

  public readonly meshName: string;
  public readonly meshArn: string;

  constructor(scope: Construct, id: string, props: MeshProps = {}) {
    super(scope, id, { physicalName: props.meshName });
    this.meshName = props.meshName ?? Names.uniqueId(this);
    this.meshArn = meshResourceArn(this, this.meshName);
    warnIfNotSpiffeSafe(this, 'its virtual nodes and gateways', [['mesh name', this.meshName]]);

    const meshSpec: spec.MeshSpec = {
      // App Mesh's default, rendered so the document states the effective behaviour.
      egressFilter: { type: props.egressFilter ?? MeshFilterType.DROP_ALL },
      ...(props.serviceDiscovery?.ipPreference !== undefined
        ? { serviceDiscovery: { ipPreference: props.serviceDiscovery.ipPreference } }
        : {}),
    };
    registerMeshResource(this, {
      kind: 'mesh',
      meshName: () => this.meshName,
      name: () => this.meshName,
      renderSpec: () => meshSpec,
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

class ImportedMesh extends MeshBase {
  public readonly meshArn: string;

  constructor(scope: Construct, id: string, public readonly meshName: string, meshArn?: string) {
    super(scope, id, meshArn !== undefined ? { environmentFromArn: meshArn } : {});
    this.meshArn = meshArn ?? meshResourceArn(this, meshName);
  }
}
