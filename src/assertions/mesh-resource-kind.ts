/**
 * The kinds of resource a mesh spec document holds, named as App Mesh names them.
 */
export enum MeshResourceKind {
  /** The mesh itself (one per document). */
  MESH = 'mesh',
  /** A virtual node. */
  VIRTUAL_NODE = 'virtualNode',
  /** A virtual service. */
  VIRTUAL_SERVICE = 'virtualService',
  /** A virtual router. */
  VIRTUAL_ROUTER = 'virtualRouter',
  /** A route of a virtual router. */
  ROUTE = 'route',
  /** A virtual gateway. */
  VIRTUAL_GATEWAY = 'virtualGateway',
  /** A gateway route of a virtual gateway. */
  GATEWAY_ROUTE = 'gatewayRoute',
}
