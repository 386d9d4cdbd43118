import type { EnvoyConfig } from '../../src/translate';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL } from '../../src/xds/type-urls';
import { XdsServer } from '../../src/xds/xds-server';

/**
 * The version an xDS server gives `typeUrl` in a group holding `config`: what a node's served
 * version is when it holds exactly that render (a scratch server, so nothing else is counted).
 */
export function snapshotVersion(config: EnvoyConfig, typeUrl: string): string | undefined {
  const scratch = new XdsServer();
  scratch.setSnapshot('g', { [LISTENER_TYPE_URL]: config.listeners, [ROUTE_TYPE_URL]: config.routes, [CLUSTER_TYPE_URL]: config.clusters, [ENDPOINT_TYPE_URL]: config.endpoints });
  return scratch.version('g', typeUrl);
}
