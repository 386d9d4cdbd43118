import type { EnvoyConfig } from '../../src/translate';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL } from '../../src/xds/type-urls';
import type { XdsSnapshotInput } from '../../src/xds/xds-server';

/** A rendered config as an xDS server snapshot: its listeners, routes, clusters and endpoints (no secrets). */
export function configSnapshot(config: EnvoyConfig): XdsSnapshotInput {
  return {
    [LISTENER_TYPE_URL]: config.listeners,
    [ROUTE_TYPE_URL]: config.routes,
    [CLUSTER_TYPE_URL]: config.clusters,
    [ENDPOINT_TYPE_URL]: config.endpoints,
  };
}
