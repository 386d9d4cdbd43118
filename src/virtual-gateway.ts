import { IResource, Names, RemovalPolicy, Resource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { aws_appmesh as refs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { AccessLog } from './access-log';
import { BackendDefaults } from './backend-defaults';
import { GatewayRoute, GatewayRouteBaseProps } from './gateway-route';
import { IMesh, Mesh } from './mesh';
import { EnvoyPatch } from './policies/envoy-patch';
import { attachEnvoyPatch } from './policies/envoy-patch-synth-check';
import { ExternalAuthorization } from './policies/external-authorization';
import { JwtAuthenticationProps } from './policies/jwt-provider';
import { addExternalAuthorization, addJwtAuthentication } from './private/access-policies';
import { checkArnKinds } from './private/arn-kinds';
import { registerMeshResource } from './private/mesh-resource';
import { arnSegment, meshOwnerOf, meshResourceArn, proxyNodeId } from './private/names';
import { warnRemovalPolicyWithoutEffect } from './private/removal-policy';
import { warnIfNotSpiffeSafe } from './private/spiffe-name-warning';
import { renderClientPolicy } from './private/tls-render';
import * as spec from './spec';
import { VirtualGatewayGrants } from './virtual-gateway-grants';
import { VirtualGatewayListener, VirtualGatewayListenerConfig } from './virtual-gateway-listener';

/**
 * A virtual gateway: a standalone proxy that lets traffic from outside the mesh reach
 * virtual services inside it, following its gateway routes.
 */
export interface IVirtualGateway extends IResource, refs.IVirtualGatewayRef {
  /**
   * Name of the virtual gateway.
   *
   * @attribute
   */
  readonly virtualGatewayName: string;

  /**
   * ARN of the virtual gateway, `arn:<partition>:appmesh:<region>:<account>:mesh/<mesh>/virtualGateway/<name>`.
   *
   * @attribute
   */
  readonly virtualGatewayArn: string;

  /** The mesh the gateway belongs to. */
  readonly mesh: IMesh;

  /** Adds a gateway route to this gateway, keeping `gatewayRouteName` when given. */
  addGatewayRoute(id: string, route: GatewayRouteBaseProps): GatewayRoute;

  /**
   * Lets `identity` (the gateway proxy's role, user or ARN principal) stream configuration
   * as this gateway's proxy. See `VirtualGateway.grantStreamAggregatedResources`.
   */
  grantStreamAggregatedResources(identity: iam.IGrantable): iam.Grant;
}

/** Properties of a virtual gateway, less its mesh (what `Mesh.addVirtualGateway` takes). */
export interface VirtualGatewayBaseProps {
  /**
   * Name of the virtual gateway.
   *
   * @default - a name derived from the construct path
   */
  readonly virtualGatewayName?: string;

  /**
   * Ports the gateway accepts traffic on. With more than one, every gateway route must
   * match a port.
   *
   * @default - one HTTP listener on port 8080
   */
  readonly listeners?: VirtualGatewayListener[];

  /**
   * Access log of the gateway proxy.
   *
   * @default - no access log
   */
  readonly accessLog?: AccessLog;

  /**
   * Settings for traffic from the gateway to every route target (TLS origination).
   *
   * @default - plain text toward targets
   */
  readonly backendDefaults?: BackendDefaults;
}

/** Properties of a virtual gateway. */
export interface VirtualGatewayProps extends VirtualGatewayBaseProps {
  /** The mesh the gateway belongs to. */
  readonly mesh: IMesh;
}

/** Identifies an existing virtual gateway. */
export interface VirtualGatewayAttributes {
  /** Name of the virtual gateway. */
  readonly virtualGatewayName: string;

  /** The mesh the gateway belongs to. */
  readonly mesh: IMesh;
}

/** What owned and imported gateways share: adding routes and granting proxy access. */
abstract class VirtualGatewayBase extends Resource implements IVirtualGateway {
  public abstract readonly virtualGatewayName: string;
  public abstract readonly virtualGatewayArn: string;
  public abstract readonly mesh: IMesh;

  /** Grants on this gateway. */
  public readonly grants: VirtualGatewayGrants = VirtualGatewayGrants.fromVirtualGateway(this);

  /** A reference to this gateway, as aws-cdk-lib's `IVirtualGatewayRef` has it. */
  public get virtualGatewayRef(): refs.VirtualGatewayReference {
    return { virtualGatewayArn: this.virtualGatewayArn };
  }

  /**
   * Envoy node id of this gateway's proxies, `mesh/<mesh>/virtualGateway/<name>` (the
   * resource part of the ARN, as App Mesh's Envoy image used). Proxies must present it
   * to the control plane.
   */
  public get nodeId(): string {
    return proxyNodeId(this.mesh.meshName, 'virtualGateway', this.virtualGatewayName);
  }

  /** Adds a gateway route under this gateway, keeping `gatewayRouteName` when given. */
  public addGatewayRoute(id: string, props: GatewayRouteBaseProps): GatewayRoute {
    return new GatewayRoute(this, id, { ...props, virtualGateway: this });
  }

  /**
   * Let `identity` stream configuration as this gateway's proxy.
   *
   * App Mesh checked the IAM action `appmesh:StreamAggregatedResources`; here the
   * grantee's principal ARN is recorded in the spec document's `proxyAccess` under this
   * gateway's node id. The control plane issues a certificate for this gateway only to a
   * workload whose proven identity is among those principals, and serves the gateway's
   * configuration only to streams presenting that certificate. The returned Grant
   * carries no IAM statement: the stream goes to the control plane, not to an AWS API.
   */
  public grantStreamAggregatedResources(identity: iam.IGrantable): iam.Grant {
    return this.grants.streamAggregatedResources(identity);
  }
}

/**
 * A virtual gateway of the mesh: rendered into the mesh spec document as a
 * `virtualGateways` entry, its routes as `gatewayRoutes` entries.
 */
export class VirtualGateway extends VirtualGatewayBase {
  /** Identifier used for property injection, as in aws-cdk-lib. */
  public static readonly PROPERTY_INJECTION_ID: string = 'open-app-mesh.VirtualGateway';

  /** References a virtual gateway defined elsewhere, by ARN (`...:mesh/<mesh>/virtualGateway/<name>`). */
  public static fromVirtualGatewayArn(scope: Construct, id: string, virtualGatewayArn: string): IVirtualGateway {
    return new ImportedVirtualGateway(scope, id, { arn: virtualGatewayArn });
  }

  /** References a virtual gateway defined elsewhere, by mesh and name. */
  public static fromVirtualGatewayAttributes(scope: Construct, id: string, attrs: VirtualGatewayAttributes): IVirtualGateway {
    return new ImportedVirtualGateway(scope, id, { attrs });
  }

  /**
   * Envoy node id of any virtual gateway, `mesh/<mesh>/virtualGateway/<name>`: what its
   * proxies must present to the control plane.
   */
  public static nodeIdOf(virtualGateway: IVirtualGateway): string {
    return proxyNodeId(virtualGateway.mesh.meshName, 'virtualGateway', virtualGateway.virtualGatewayName);
  }

  public readonly virtualGatewayName: string;
  public readonly virtualGatewayArn: string;
  public readonly mesh: IMesh;

  /** The gateway's listeners as rendered, in declaration order. */
  protected readonly listeners: VirtualGatewayListenerConfig[];

  private readonly accessLog?: spec.VirtualGatewayAccessLog;
  private readonly backendDefaults?: spec.VirtualGatewayBackendDefaults;

  constructor(scope: Construct, id: string, props: VirtualGatewayProps) {
    super(scope, id, { physicalName: props.virtualGatewayName });
    this.virtualGatewayName = props.virtualGatewayName ?? Names.uniqueId(this);
    this.mesh = props.mesh;
    warnIfNotSpiffeSafe(this, 'this virtual gateway', [['mesh name', this.mesh.meshName], ['virtual gateway name', this.virtualGatewayName]]);

    // An empty list or a port used twice is App Mesh's to refuse: the spec rules
    // gateway-needs-listener and gateway-listener-ports-unique report it at synth.
    const listeners = props.listeners ?? [VirtualGatewayListener.http()];
    this.listeners = listeners.map((listener) => listener.bind(this));

    this.accessLog = props.accessLog?.bind(this).virtualGatewayAccessLog;
    const tlsClientPolicy = props.backendDefaults?.tlsClientPolicy;
    this.backendDefaults = tlsClientPolicy && {
      // Node and gateway client policies share one shape.
      clientPolicy: renderClientPolicy(this, tlsClientPolicy) as spec.VirtualGatewayClientPolicy,
    };
    this.virtualGatewayArn = meshResourceArn(this, this.mesh.meshName, 'virtualGateway', this.virtualGatewayName);

    registerMeshResource(this, {
      kind: 'virtualGateway',
      meshName: () => this.mesh.meshName,
      meshOwner: () => meshOwnerOf(this, this.mesh),
      name: () => this.virtualGatewayName,
      renderSpec: () => this.renderSpec(),
    });
  }

  /**
   * Add a patch to the Envoy resources the control plane renders for this gateway (docs/envoy-patches.md):
   * applied after everything else, to the Envoy view only, and checked at synth.
   */
  public addEnvoyPatch(patch: EnvoyPatch): void {
    attachEnvoyPatch(this, 'virtualGateway', () => this.virtualGatewayName, patch);
  }

  /**
   * Require end-user JWTs on the gateway's listeners (Envoy `jwt_authn`, docs/policies.md): a request
   * without a valid token of an accepted provider is answered 401.
   */
  public addJwtAuthentication(props: JwtAuthenticationProps): void {
    addJwtAuthentication(this, props);
  }

  /**
   * Check every request with an authorization service of the mesh before routing it (Envoy
   * `ext_authz`, after JWT authentication; docs/policies.md).
   */
  public addExternalAuthorization(authorization: ExternalAuthorization): void {
    addExternalAuthorization(this, authorization);
  }

  private renderSpec(): spec.VirtualGatewaySpec {
    return {
      listeners: this.listeners.map((l) => l.listener),
      ...(this.backendDefaults !== undefined ? { backendDefaults: this.backendDefaults } : {}),
      ...(this.accessLog !== undefined ? { logging: { accessLog: this.accessLog } } : {}),
    };
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

interface ImportedVirtualGatewaySource {
  readonly arn?: string;
  readonly attrs?: VirtualGatewayAttributes;
}

/** A virtual gateway defined outside this app: routes can be added to it; it adds no gateway to the spec. */
class ImportedVirtualGateway extends VirtualGatewayBase {
  public readonly virtualGatewayName: string;
  public readonly virtualGatewayArn: string;
  public readonly mesh: IMesh;

  constructor(scope: Construct, id: string, source: ImportedVirtualGatewaySource) {
    super(scope, id);
    if (source.attrs !== undefined) {
      this.mesh = source.attrs.mesh;
      this.virtualGatewayName = source.attrs.virtualGatewayName;
      this.virtualGatewayArn = meshResourceArn(this, this.mesh.meshName, 'virtualGateway', this.virtualGatewayName);
      return;
    }
    const arn = source.arn!;
    checkArnKinds(this, arn, ['virtualGateway']);
    this.mesh = Mesh.fromMeshName(this, 'Mesh', arnSegment(this, arn, 0));
    this.virtualGatewayName = arnSegment(this, arn, 2);
    this.virtualGatewayArn = arn;
  }
}
