import { IResource, Names, RemovalPolicy, Resource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { aws_appmesh as refs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { AccessLog } from './access-log';
import { Backend } from './backend';
import { BackendDefaults } from './backend-defaults';
import { IMesh, Mesh } from './mesh';
import { AllowFromOptions, AuthorizationMode } from './policies/authorization';
import { EnvoyPatch } from './policies/envoy-patch';
import { attachEnvoyPatch } from './policies/envoy-patch-synth-check';
import { RateLimit } from './policies/rate-limit';
import { addAuthorizationRule, addRateLimit, setAuthorizationMode } from './private/access-policies';
import { checkArnKinds } from './private/arn-kinds';
import { meshError } from './private/errors';
import { registerMeshResource } from './private/mesh-resource';
import { arnSegment, meshOwnerOf, meshResourceArn, proxyNodeId } from './private/names';
import { warnRemovalPolicyWithoutEffect } from './private/removal-policy';
import { compact } from './private/render';
import { warnIfNotSpiffeSafe } from './private/spiffe-name-warning';
import { renderClientPolicy } from './private/tls-render';
import { ServiceDiscovery, ServiceDiscoveryConfig } from './service-discovery';
import * as spec from './spec';
import type { IVirtualGateway } from './virtual-gateway';
import { VirtualNodeGrants } from './virtual-node-grants';
import { VirtualNodeListener } from './virtual-node-listener';

/** A virtual node: a logical group of tasks or pods running one version of a service, fronted by a proxy. */
export interface IVirtualNode extends IResource, refs.IVirtualNodeRef {
  /**
   * Name of the virtual node.
   * @attribute
   */
  readonly virtualNodeName: string;

  /**
   * ARN of the virtual node, `arn:...:mesh/<mesh>/virtualNode/<name>`.
   * @attribute
   */
  readonly virtualNodeArn: string;

  /** The mesh the node belongs to. */
  readonly mesh: IMesh;

  /**
   * Let `identity` stream configuration as this node's proxy.
   * See `VirtualNode.grantStreamAggregatedResources`.
   */
  grantStreamAggregatedResources(identity: iam.IGrantable): iam.Grant;
}

/** Properties of a virtual node, without its mesh (for `mesh.addVirtualNode`). */
export interface VirtualNodeBaseProps {
  /**
   * Name of the virtual node.
   * @default - a name unique in the app, derived from the construct path
   */
  readonly virtualNodeName?: string;

  /**
   * How callers find the node's endpoints. Required as soon as the node has a listener.
   * @default - none (the node only makes outbound calls)
   */
  readonly serviceDiscovery?: ServiceDiscovery;

  /**
   * Virtual services the node calls.
   * @default - none; add with `addBackend`
   */
  readonly backends?: Backend[];

  /**
   * Ports the node's application listens on.
   * @default - none; add with `addListener`
   */
  readonly listeners?: VirtualNodeListener[];

  /**
   * Access log of the node's proxy.
   * @default - none
   */
  readonly accessLog?: AccessLog;

  /**
   * Settings of every backend without its own.
   * @default - none
   */
  readonly backendDefaults?: BackendDefaults;
}

/** Properties of a virtual node. */
export interface VirtualNodeProps extends VirtualNodeBaseProps {
  /** The mesh the node belongs to. */
  readonly mesh: IMesh;
}

/** How to reference an existing virtual node. */
export interface VirtualNodeAttributes {
  /** Name of the virtual node. */
  readonly virtualNodeName: string;
  /** The mesh the node belongs to. */
  readonly mesh: IMesh;
}

abstract class VirtualNodeBase extends Resource implements IVirtualNode {
  public abstract readonly virtualNodeName: string;
  public abstract readonly virtualNodeArn: string;
  public abstract readonly mesh: IMesh;

  /** Grants on this node. */
  public readonly grants: VirtualNodeGrants = VirtualNodeGrants.fromVirtualNode(this);

  /** A reference to this node, as aws-cdk-lib's `IVirtualNodeRef` has it. */
  public get virtualNodeRef(): refs.VirtualNodeReference {
    return { virtualNodeArn: this.virtualNodeArn };
  }

  /**
   * Envoy node id of this node's proxies, `mesh/<mesh>/virtualNode/<name>` (the resource
   * part of the ARN, as App Mesh's Envoy image used). Proxies must present it to the
   * control plane.
   */
  public get nodeId(): string {
    return proxyNodeId(this.mesh.meshName, 'virtualNode', this.virtualNodeName);
  }

  /**
   * Let `identity` stream configuration as this node's proxy.
   *
   * App Mesh checked the IAM action `appmesh:StreamAggregatedResources`; here the
   * grantee's principal ARN (role, user or ArnPrincipal) is recorded in the spec
   * document's `proxyAccess` under this node's node id. The control plane enforces it at its
   * certificate exchange: a workload gets a certificate for this node only when its proven
   * identity (its IAM role, matched by account and role name) is among those principals, and
   * every xDS stream must present that certificate and receives only the node it names.
   * The returned Grant carries no IAM statement (it is an
   * `iam.Grant.drop`, whose `success` is false), since the stream goes to the control plane
   * and not to an AWS API; the authorisation lives in the mesh spec.
   */
  public grantStreamAggregatedResources(identity: iam.IGrantable): iam.Grant {
    return this.grants.streamAggregatedResources(identity);
  }
}

/**
 * A virtual node. Synthesizes one entry of `virtualNodes` in its mesh's spec document.
 * Listeners and backends may be added after construction.
 */
export class VirtualNode extends VirtualNodeBase {
  /** Identifier used for property injection, as in aws-cdk-lib. */
  public static readonly PROPERTY_INJECTION_ID: string = 'open-app-mesh.VirtualNode';

  /** Reference an existing virtual node by its ARN. */
  public static fromVirtualNodeArn(scope: Construct, id: string, virtualNodeArn: string): IVirtualNode {
    return new ImportedVirtualNode(scope, id, undefined, virtualNodeArn);
  }

  /** Reference an existing virtual node by mesh and name. */
  public static fromVirtualNodeAttributes(scope: Construct, id: string, attrs: VirtualNodeAttributes): IVirtualNode {
    return new ImportedVirtualNode(scope, id, attrs);
  }

  /**
   * Envoy node id of any virtual node, `mesh/<mesh>/virtualNode/<name>`: what its proxies
   * must present to the control plane.
   */
  public static nodeIdOf(virtualNode: IVirtualNode): string {
    return proxyNodeId(virtualNode.mesh.meshName, 'virtualNode', virtualNode.virtualNodeName);
  }

  public readonly virtualNodeName: string;
  public readonly virtualNodeArn: string;
  public readonly mesh: IMesh;

  private readonly serviceDiscoveryConfig?: ServiceDiscoveryConfig;
  private readonly listeners: spec.Listener[] = [];
  private readonly backends: spec.Backend[] = [];
  private readonly backendDefaults?: spec.BackendDefaults;
  private readonly logging?: spec.Logging;

  constructor(scope: Construct, id: string, props: VirtualNodeProps) {
    super(scope, id, { physicalName: props.virtualNodeName });
    this.mesh = props.mesh;
    this.virtualNodeName = props.virtualNodeName ?? Names.uniqueId(this);
    this.virtualNodeArn = meshResourceArn(this, this.mesh.meshName, 'virtualNode', this.virtualNodeName);
    warnIfNotSpiffeSafe(this, 'this virtual node', [['mesh name', this.mesh.meshName], ['virtual node name', this.virtualNodeName]]);

    this.serviceDiscoveryConfig = props.serviceDiscovery?.bind(this);
    for (const listener of props.listeners ?? []) this.addListener(listener);
    for (const backend of props.backends ?? []) this.addBackend(backend);
    const tlsClientPolicy = props.backendDefaults?.tlsClientPolicy;
    if (tlsClientPolicy !== undefined) {
      this.backendDefaults = { clientPolicy: renderClientPolicy(this, tlsClientPolicy) };
    }
    const accessLog = props.accessLog?.bind(this).virtualNodeAccessLog;
    if (accessLog !== undefined) this.logging = { accessLog };

    registerMeshResource(this, {
      kind: 'virtualNode',
      meshName: () => this.mesh.meshName,
      meshOwner: () => meshOwnerOf(this, this.mesh),
      name: () => this.virtualNodeName,
      renderSpec: () => this.renderSpec(),
    });
  }

  /**
   * Add a listener. A node may have several (on distinct ports); it then needs service
   * discovery, since callers must find it.
   */
  public addListener(listener: VirtualNodeListener): void {
    if (this.serviceDiscoveryConfig === undefined) {
      throw meshError(
        'ServiceDiscoveryRequired',
        'Service discovery information is required for a VirtualNode with a listener.',
        this,
      );
    }
    this.listeners.push(listener.bind(this).listener);
  }

  /** Add a backend: a virtual service this node calls. */
  public addBackend(backend: Backend): void {
    this.backends.push(backend.bind(this).virtualServiceBackend);
  }

  /**
   * Add a patch to the Envoy resources the control plane renders for this node (docs/envoy-patches.md):
   * applied after everything else, to the Envoy view only, and checked at synth.
   */
  public addEnvoyPatch(patch: EnvoyPatch): void {
    attachEnvoyPatch(this, 'virtualNode', () => this.virtualNodeName, patch);
  }

  /**
   * Allow these virtual nodes or gateways of the mesh to call this node (docs/policies.md). Once
   * the node has a rule, its inbound listeners refuse every request no rule allows. Callers are
   * known by the SPIFFE ID of their mesh certificate, so the listeners need mutual TLS.
   */
  public allowFrom(callers: (IVirtualNode | IVirtualGateway)[], options: AllowFromOptions = {}): void {
    addAuthorizationRule(this, callers, options);
  }

  /** Enforce the `allowFrom` rules (the default), or only count their decisions (`SHADOW`, a dry run). */
  public applyAuthorizationMode(mode: AuthorizationMode): void {
    setAuthorizationMode(this, mode);
  }

  /**
   * Limit the requests (TCP: connections) the node's listener on `port` accepts, or each of its
   * listeners when no port is given (docs/policies.md). A limit for a port wins over one for every port.
   */
  public addRateLimit(rateLimit: RateLimit, port?: number): void {
    addRateLimit(this, rateLimit, port);
  }

  private renderSpec(): spec.VirtualNodeSpec {
    const discovery = this.serviceDiscoveryConfig;
    return compact({
      serviceDiscovery: discovery && compact({ dns: discovery.dns, awsCloudMap: discovery.cloudmap }),
      listeners: [...this.listeners],
      backends: [...this.backends],
      backendDefaults: this.backendDefaults,
      logging: this.logging,
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

class ImportedVirtualNode extends VirtualNodeBase {
  public readonly virtualNodeName: string;
  public readonly virtualNodeArn: string;
  public readonly mesh: IMesh;

  constructor(scope: Construct, id: string, attrs: VirtualNodeAttributes | undefined, arn?: string) {
    super(scope, id);
    if (attrs !== undefined) {
      this.mesh = attrs.mesh;
      this.virtualNodeName = attrs.virtualNodeName;
      this.virtualNodeArn = meshResourceArn(this, this.mesh.meshName, 'virtualNode', this.virtualNodeName);
    } else {
      this.virtualNodeArn = arn!;
      checkArnKinds(this, this.virtualNodeArn, ['virtualNode']);
      this.mesh = Mesh.fromMeshName(this, 'Mesh', arnSegment(this, this.virtualNodeArn, 0));
      this.virtualNodeName = arnSegment(this, this.virtualNodeArn, 2);
    }
  }
}
