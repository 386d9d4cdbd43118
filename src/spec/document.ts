import {
  GatewayRouteSpec,
  MeshSpec,
  RouteSpec,
  VirtualGatewaySpec,
  VirtualNodeSpec,
  VirtualRouterSpec,
  VirtualServiceSpec,
} from './appmesh-types';
import { GatewayRouteExtensions, RouteExtensions, VirtualGatewayExtensions, VirtualNodeExtensions } from './extensions';

/**
 * Version of a mesh-spec document without extensions: App Mesh resources only. Readers refuse
 * documents of a version they do not know (docs/policies.md, "Versions").
 */
export const SPEC_VERSION = 'open-app-mesh/v1';

/**
 * Version of a document that carries at least one `extensions` section. A reader that knows only
 * `SPEC_VERSION` refuses it instead of serving the App Mesh part without the policies.
 */
export const SPEC_VERSION_EXTENSIONS = 'open-app-mesh/v2';

/** Every document version this code reads, oldest first. */
export const KNOWN_SPEC_VERSIONS: readonly string[] = [SPEC_VERSION, SPEC_VERSION_EXTENSIONS];

/** The mesh itself, as App Mesh's `MeshData` (less the service-side metadata). */
export interface MeshResource {
  /** Name of the mesh (1–255 characters). */
  readonly meshName: string;
  /**
   * The 12-digit account that owns the mesh, when its resources are defined from another
   * account it was shared with (App Mesh's `meshOwner`). Informational: a document holds one
   * mesh, whoever defines its resources.
   */
  readonly meshOwner?: string;
  /** The mesh spec. */
  readonly spec: MeshSpec;
}

/** A virtual node, as App Mesh's `VirtualNodeData`. */
export interface VirtualNodeResource {
  /** Mesh the node belongs to. */
  readonly meshName: string;
  /** Name of the node (1–255 characters). */
  readonly virtualNodeName: string;
  /** The node spec. */
  readonly spec: VirtualNodeSpec;
  /** Policies beyond App Mesh (docs/policies.md); absent when there are none. Needs `open-app-mesh/v2`. */
  readonly extensions?: VirtualNodeExtensions;
}

/** A virtual service, as App Mesh's `VirtualServiceData`. */
export interface VirtualServiceResource {
  /** Mesh the service belongs to. */
  readonly meshName: string;
  /** Name of the service, in hostname form (what callers address). */
  readonly virtualServiceName: string;
  /** The service spec. */
  readonly spec: VirtualServiceSpec;
}

/** A virtual router, as App Mesh's `VirtualRouterData`. */
export interface VirtualRouterResource {
  /** Mesh the router belongs to. */
  readonly meshName: string;
  /** Name of the router (1–255 characters). */
  readonly virtualRouterName: string;
  /** The router spec. */
  readonly spec: VirtualRouterSpec;
}

/** A route of a virtual router, as App Mesh's `RouteData`. */
export interface RouteResource {
  /** Mesh the route belongs to. */
  readonly meshName: string;
  /** Router the route belongs to. */
  readonly virtualRouterName: string;
  /** Name of the route (1–255 characters, unique per router). */
  readonly routeName: string;
  /** The route spec. */
  readonly spec: RouteSpec;
  /** Policies beyond App Mesh (docs/policies.md); absent when there are none. Needs `open-app-mesh/v2`. */
  readonly extensions?: RouteExtensions;
}

/** A virtual gateway, as App Mesh's `VirtualGatewayData`. */
export interface VirtualGatewayResource {
  /** Mesh the gateway belongs to. */
  readonly meshName: string;
  /** Name of the gateway (1–255 characters). */
  readonly virtualGatewayName: string;
  /** The gateway spec. */
  readonly spec: VirtualGatewaySpec;
  /** Policies beyond App Mesh (docs/policies.md); absent when there are none. Needs `open-app-mesh/v2`. */
  readonly extensions?: VirtualGatewayExtensions;
}

/** A gateway route of a virtual gateway, as App Mesh's `GatewayRouteData`. */
export interface GatewayRouteResource {
  /** Mesh the gateway route belongs to. */
  readonly meshName: string;
  /** Gateway the route belongs to. */
  readonly virtualGatewayName: string;
  /** Name of the gateway route (1–255 characters, unique per gateway). */
  readonly gatewayRouteName: string;
  /** The gateway route spec. */
  readonly spec: GatewayRouteSpec;
  /** Policies beyond App Mesh (docs/policies.md); absent when there are none. Needs `open-app-mesh/v2`. */
  readonly extensions?: GatewayRouteExtensions;
}

/**
 * Who may stream configuration as a given proxy: set by `grantStreamAggregatedResources`.
 * The control plane's stream authentication compares a stream's peer identity with these
 * principals before it serves the claimed node id.
 */
export interface ProxyAccess {
  /** The proxy's node id, `mesh/<mesh>/virtualNode/<name>` or `mesh/<mesh>/virtualGateway/<name>`. */
  readonly nodeId: string;
  /** Principals (IAM role ARNs) allowed to claim the node id, sorted. */
  readonly principals: string[];
}

/**
 * The mesh spec: one mesh and all its resources, the contract between the
 * constructs and the control plane.
 *
 * Canonical form: keys sorted, every resource list sorted by name (routes and gateway
 * routes by parent name, then name), so one CDK app always gives byte-identical JSON.
 *
 * Check a document with `validateMeshSpec`, write it with `toCanonicalJson`, and read it
 * back with `parseMeshSpec` (which validates and throws `SpecValidationError`).
 */
export interface MeshSpecDocument {
  /** Document format version: `SPEC_VERSION`, or `SPEC_VERSION_EXTENSIONS` when any resource has extensions. */
  readonly specVersion: string;
  /** The mesh. */
  readonly mesh: MeshResource;
  /** Virtual nodes of the mesh. */
  readonly virtualNodes: VirtualNodeResource[];
  /** Virtual services of the mesh. */
  readonly virtualServices: VirtualServiceResource[];
  /** Virtual routers of the mesh. */
  readonly virtualRouters: VirtualRouterResource[];
  /** Routes of the mesh's virtual routers. */
  readonly routes: RouteResource[];
  /** Virtual gateways of the mesh. */
  readonly virtualGateways: VirtualGatewayResource[];
  /** Gateway routes of the mesh's virtual gateways. */
  readonly gatewayRoutes: GatewayRouteResource[];
  /** Stream authorisation per proxy; absent when no grant was made. Sorted by node id. */
  readonly proxyAccess?: ProxyAccess[];
}

/** True when any resource of the document carries an `extensions` section. */
export function hasExtensions(doc: Pick<MeshSpecDocument, 'virtualNodes' | 'routes' | 'virtualGateways' | 'gatewayRoutes'>): boolean {
  const lists: readonly (readonly { readonly extensions?: object }[] | undefined)[] = [
    doc.virtualNodes, doc.routes, doc.virtualGateways, doc.gatewayRoutes,
  ];
  return lists.some(list => Array.isArray(list) && list.some(resource => resource?.extensions !== undefined));
}

/** The version a document must declare: `SPEC_VERSION_EXTENSIONS` when it has extensions, else `SPEC_VERSION`. */
export function requiredSpecVersion(doc: Pick<MeshSpecDocument, 'virtualNodes' | 'routes' | 'virtualGateways' | 'gatewayRoutes'>): string {
  return hasExtensions(doc) ? SPEC_VERSION_EXTENSIONS : SPEC_VERSION;
}
