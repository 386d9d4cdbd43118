import { IConstruct } from 'constructs';

/** Kinds of App Mesh resources, as `SpecResourceRef.kind`. */
export type MeshResourceKind =
  | 'mesh'
  | 'virtualNode'
  | 'virtualService'
  | 'virtualRouter'
  | 'route'
  | 'virtualGateway'
  | 'gatewayRoute';

/**
 * What a construct that stands for one App Mesh resource tells the spec builder.
 * Every function is called at synth (or by buildMeshSpecs), so what is added to the
 * construct after it was created (listeners, backends, routes...) is included.
 */
export interface MeshResourceRegistration {
  /** Which resource this is. */
  readonly kind: MeshResourceKind;
  /** Name of the mesh the resource belongs to (for a mesh: its own name). */
  readonly meshName: () => string;
  /** Name of the resource (for a mesh: the mesh name). */
  readonly name: () => string;
  /** Name of the parent router or gateway, for routes and gateway routes. */
  readonly parentName?: () => string;
  /**
   * Account that owns the mesh, when it is not the resource's own (a mesh shared with this
   * account, imported with `Mesh.fromMeshArn`); App Mesh's `meshOwner`.
   */
  readonly meshOwner?: () => string | undefined;
  /** The resource's spec, with App Mesh API field names. */
  readonly renderSpec: () => object;
}

/** A registered resource and the construct that registered it. */
export interface RegisteredMeshResource {
  readonly construct: IConstruct;
  readonly registration: MeshResourceRegistration;
}

/** A principal allowed to stream configuration as one proxy (grantStreamAggregatedResources). */
export interface ProxyPrincipalGrant {
  readonly meshName: () => string;
  readonly nodeId: () => string;
  readonly principal: string;
}

// Symbols from the global registry, so a second copy of this module (two installs of
// the library in one app) still finds the resources the other copy registered.
const RESOURCE = Symbol.for('open-app-mesh.meshResource');
const PROXY_GRANTS = Symbol.for('open-app-mesh.proxyGrants');

let registrations = 0;

/**
 * Store the registration on the construct. Constructs call `registerMeshResource`
 * (mesh-resource.ts), which also wires validation and the assembly writer.
 */
export function storeMeshResource(construct: IConstruct, registration: MeshResourceRegistration): void {
  if ((construct as any)[RESOURCE] !== undefined) {
    throw new Error(`[${construct.node.path}] is already registered as a mesh resource`);
  }
  Object.defineProperty(construct, RESOURCE, { value: registration, enumerable: false });
  registrations++;
}

/** The registration of `construct`, if it defines a mesh resource. */
export function meshResourceOf(construct: IConstruct): MeshResourceRegistration | undefined {
  return (construct as any)[RESOURCE];
}

/**
 * Record that `principal` may stream configuration as the proxy with node id `nodeId`.
 * `scope` is any construct of the app (the node itself or an imported reference to it).
 */
export function recordProxyPrincipal(scope: IConstruct, grant: ProxyPrincipalGrant): void {
  let grants: ProxyPrincipalGrant[] | undefined = (scope as any)[PROXY_GRANTS];
  if (grants === undefined) {
    grants = [];
    Object.defineProperty(scope, PROXY_GRANTS, { value: grants, enumerable: false });
  }
  grants.push(grant);
  registrations++;
}

/** Proxy grants recorded on `construct`. */
export function proxyGrantsOf(construct: IConstruct): ProxyPrincipalGrant[] {
  return (construct as any)[PROXY_GRANTS] ?? [];
}

/** Changes whenever something is registered; lets callers cache per tree state. */
export function registryVersion(): number {
  return registrations;
}
