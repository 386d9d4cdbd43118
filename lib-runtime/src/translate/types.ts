/**
 * Plain data shapes at the edges of translation: what comes in besides the spec (discovered
 * endpoints, the node's identity) and what goes out (Envoy v3 resources as proto-JSON).
 */

/** A proto-JSON object as @grpc/proto-loader accepts it (snake_case keys, enums as strings). */
export type ProtoJson = { [field: string]: unknown };

/**
 * Envoy v3 resources for one client, each list sorted by resource name.
 * `routes` are RouteConfiguration, `endpoints` ClusterLoadAssignment, `secrets` Secret.
 */
export interface EnvoyConfig {
  readonly listeners: ProtoJson[];
  readonly routes: ProtoJson[];
  readonly clusters: ProtoJson[];
  readonly endpoints: ProtoJson[];
  readonly secrets: ProtoJson[];
}

/**
 * Two views of one node. `envoy` is what an App Mesh Envoy sidecar or gateway receives
 * (subscribes LDS/CDS with wildcard); `proxyless` is what a @grpc/grpc-js-xds client that uses
 * the same node id receives (one api_listener per callable virtual service, named exactly
 * after the service, so the client dials `xds:///<virtual-service-name>`).
 */
export interface NodeConfig {
  readonly node: NodeRef;
  readonly envoy: EnvoyConfig;
  readonly proxyless: EnvoyConfig;
}

/** Which mesh resource a proxy stands for. */
export interface NodeRef {
  readonly meshName: string;
  readonly kind: 'virtualNode' | 'virtualGateway';
  readonly name: string;
}

/** One discovered instance of a virtual node. */
export interface DiscoveredEndpoint {
  /** IPv4 or IPv6 address (or a hostname, which Envoy then resolves; proxyless clients cannot). */
  readonly address: string;
  /** Port of the instance. */
  readonly port: number;
  /** Availability zone; endpoints are grouped into one locality per zone. */
  readonly zone?: string;
  /** Health as discovery reports it; absent = unknown (Envoy treats unknown as healthy). */
  readonly healthy?: boolean;
  /**
   * Listener port of the virtual node this instance serves. Absent = every listener: on a
   * single-listener node the instance's `port` is used, on a multi-listener node the listener's
   * own port (Cloud Map registers one port per instance; App Mesh reached every listener on the
   * instance's address).
   */
  readonly listenerPort?: number;
}

/**
 * Endpoints the discovery layer found, keyed by virtual node name. A node missing from the map has
 * no discovered endpoints: a DNS-discovered node is then rendered as a DNS cluster (Envoy resolves
 * the hostname), a Cloud Map node as an EDS cluster with an empty assignment. Names are looked up
 * as own properties (`discoveredFor`), so the object may have any prototype or none.
 */
export type DiscoveredEndpoints = { readonly [virtualNodeName: string]: readonly DiscoveredEndpoint[] | undefined };
