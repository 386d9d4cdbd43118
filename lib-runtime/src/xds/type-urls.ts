/**
 * The xDS v3 resource types this server knows by name, and what the protocol says about each:
 * how a resource is named, whether SotW responses carry the full set, whether the legacy
 * wildcard applies, and the make-before-break push order on ADS.
 */

const PREFIX = 'type.googleapis.com/';

export const LISTENER_TYPE_URL = `${PREFIX}envoy.config.listener.v3.Listener`;
export const ROUTE_TYPE_URL = `${PREFIX}envoy.config.route.v3.RouteConfiguration`;
export const CLUSTER_TYPE_URL = `${PREFIX}envoy.config.cluster.v3.Cluster`;
export const ENDPOINT_TYPE_URL = `${PREFIX}envoy.config.endpoint.v3.ClusterLoadAssignment`;
export const SECRET_TYPE_URL = `${PREFIX}envoy.extensions.transport_sockets.tls.v3.Secret`;

/** Short names, handy in logs and metrics labels. */
export const TYPE_URLS = {
  listener: LISTENER_TYPE_URL,
  route: ROUTE_TYPE_URL,
  cluster: CLUSTER_TYPE_URL,
  endpoint: ENDPOINT_TYPE_URL,
  secret: SECRET_TYPE_URL,
} as const;

/** Every type the server serves, in make-before-break order for additions and changes. */
export const RESOURCE_TYPE_URLS: readonly string[] = [
  CLUSTER_TYPE_URL,
  ENDPOINT_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_TYPE_URL,
  SECRET_TYPE_URL,
];

/**
 * Order in which removals are sent: the users of a resource let go of it before it goes
 * (listeners and routes stop naming a cluster before the cluster and its endpoints vanish).
 */
export const REMOVAL_ORDER: readonly string[] = [
  LISTENER_TYPE_URL,
  ROUTE_TYPE_URL,
  CLUSTER_TYPE_URL,
  ENDPOINT_TYPE_URL,
  SECRET_TYPE_URL,
];

/** SotW responses of these types hold every subscribed resource; omission means deletion. */
export function isFullStateType(typeUrl: string): boolean {
  return typeUrl === LISTENER_TYPE_URL || typeUrl === CLUSTER_TYPE_URL;
}

/** Types for which an empty first request means "everything" (the legacy wildcard). */
export function allowsLegacyWildcard(typeUrl: string): boolean {
  return typeUrl === LISTENER_TYPE_URL || typeUrl === CLUSTER_TYPE_URL;
}

/** The message name inside a type URL (`type.googleapis.com/a.b.C` → `a.b.C`). */
export function messageNameOf(typeUrl: string): string {
  return typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
}

/** A short label for a type URL (`Cluster`), for logs and errors. */
export function shortTypeName(typeUrl: string): string {
  const name = messageNameOf(typeUrl);
  return name.substring(name.lastIndexOf('.') + 1);
}

/** The xDS resource name of a resource object: `cluster_name` for endpoints, `name` otherwise. */
export function resourceNameOf(typeUrl: string, resource: object): string {
  const record = resource as Record<string, unknown>;
  const name = typeUrl === ENDPOINT_TYPE_URL ? record.cluster_name : record.name;
  if (typeof name !== 'string' || name === '') {
    const field = typeUrl === ENDPOINT_TYPE_URL ? 'cluster_name' : 'name';
    throw new Error(`${shortTypeName(typeUrl)} resource has no ${field}`);
  }
  return name;
}

/**
 * The EDS resource name a Cluster asks for (its `eds_cluster_config.service_name`, else its
 * name), or undefined when the cluster does not use EDS. Used to re-send endpoints after a
 * cluster changes, because Envoy warms a changed cluster only on a fresh EDS response.
 */
export function edsNameOfCluster(cluster: object): string | undefined {
  const record = cluster as { name?: unknown; type?: unknown; eds_cluster_config?: { service_name?: unknown } };
  if (record.type !== 'EDS' && record.eds_cluster_config === undefined) return undefined;
  const serviceName = record.eds_cluster_config?.service_name;
  if (typeof serviceName === 'string' && serviceName !== '') return serviceName;
  return typeof record.name === 'string' ? record.name : undefined;
}
