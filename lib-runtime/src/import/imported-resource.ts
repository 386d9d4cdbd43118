/**
 * What every reader produces: mesh resources in the App Mesh API shape of the mesh spec
 * document, each remembering where it came from so errors and the report can name its source.
 */

/** The seven App Mesh resource kinds, as the spec document's `SpecResourceRef.kind`. */
export type ResourceKind =
  | 'mesh'
  | 'virtualNode'
  | 'virtualService'
  | 'virtualRouter'
  | 'route'
  | 'virtualGateway'
  | 'gatewayRoute';

/** Where a resource was defined: the file and, inside it, how the source names it. */
export interface SourceLocation {
  /** The input file, as given on the command line. */
  readonly file: string;
  /** The resource inside the file: a CloudFormation logical id, `Kind namespace/name`, a file's operation. */
  readonly origin: string;
}

/** One mesh resource read from a source, in App Mesh API shape. */
export interface ImportedResource {
  readonly kind: ResourceKind;
  /** Name of the mesh it belongs to; undefined when the source did not say (filled from `--mesh`). */
  readonly meshName?: string;
  /** Its own name (the mesh name for a mesh). */
  readonly name: string;
  /** Parent router (routes) or gateway (gateway routes). */
  readonly parentName?: string;
  /** The spec, App Mesh API shape (camelCase). */
  readonly spec: Record<string, unknown>;
  /** The mesh's owner account, when the source names one. */
  readonly meshOwner?: string;
  readonly source: SourceLocation;
  /** What the reader had to assume or leave out for this resource, one sentence each. */
  readonly assumptions: string[];
  readonly dropped: string[];
  /** Why the whole resource is left out of the spec (e.g. its CloudFormation condition is false). */
  readonly excluded?: string;
}

/** The document field and name field of each kind. */
export const KIND_FIELDS: Record<ResourceKind, { readonly nameField: string; readonly parentField?: string; readonly noun: string }> = {
  mesh: { nameField: 'meshName', noun: 'mesh' },
  virtualNode: { nameField: 'virtualNodeName', noun: 'virtual node' },
  virtualService: { nameField: 'virtualServiceName', noun: 'virtual service' },
  virtualRouter: { nameField: 'virtualRouterName', noun: 'virtual router' },
  route: { nameField: 'routeName', parentField: 'virtualRouterName', noun: 'route' },
  virtualGateway: { nameField: 'virtualGatewayName', noun: 'virtual gateway' },
  gatewayRoute: { nameField: 'gatewayRouteName', parentField: 'virtualGatewayName', noun: 'gateway route' },
};

/** `virtual node "web"`, `route "catalog/default"`: how messages and the report name a resource. */
export function describeResource(resource: Pick<ImportedResource, 'kind' | 'name' | 'parentName'>): string {
  const qualified = resource.parentName === undefined ? resource.name : `${resource.parentName}/${resource.name}`;
  return `${KIND_FIELDS[resource.kind].noun} "${qualified}"`;
}
