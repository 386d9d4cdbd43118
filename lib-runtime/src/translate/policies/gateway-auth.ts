import { VirtualGatewayResource } from '../../../../src/spec/document';
import { ResourceCollector } from '../collector';
import { CompiledMesh } from '../compile';
import { REMOTE_CONNECT_TIMEOUT_MS } from '../defaults';
import { durationMs } from '../proto-json';
import { DiscoveredEndpoints, ProtoJson } from '../types';
import { addRemoteClusters } from '../virtual-node';
import { extAuthzFilter } from './ext-authz';
import { jwksClusters, jwtAuthnFilter } from './jwt-authn';

/** Cluster of an authorization service that resolves to no node: it has no endpoints, so every check fails. */
export const UNRESOLVED_EXT_AUTHZ_CLUSTER = 'oam_ext_authz_unresolved';

/**
 * The authentication and authorization filters of a gateway's listeners, in the order Envoy must
 * run them: `jwt_authn`, then `ext_authz` (the router comes last). Adds the clusters they call to
 * `out`: one per JWKS host, and the authorization service's cluster (its first target listener on
 * the port asked for, with the gateway's client policy), shared with gateway routes to it.
 */
export function gatewayAuthFilters(
  out: ResourceCollector,
  mesh: CompiledMesh,
  gateway: VirtualGatewayResource,
  endpoints: DiscoveredEndpoints,
): ProtoJson[] {
  const { jwtAuthentication, externalAuthorization } = gateway.extensions ?? {};
  const filters: ProtoJson[] = [];
  if (jwtAuthentication) {
    for (const cluster of jwksClusters(jwtAuthentication)) out.addCluster(cluster);
    filters.push(jwtAuthnFilter(jwtAuthentication));
  }
  if (externalAuthorization) {
    const { virtualServiceName, port } = externalAuthorization;
    const tables = mesh.tablesOf(virtualServiceName).filter(t => t.protocol !== 'tcp');
    const table = port !== undefined ? tables.find(t => t.port === port) : tables[0];
    const target = table?.targets[0];
    let clusterName = UNRESOLVED_EXT_AUTHZ_CLUSTER;
    if (target) {
      addRemoteClusters(out, mesh, [{ target, policy: gateway.spec.backendDefaults?.clientPolicy }], endpoints, 'envoy');
      clusterName = target.clusterName;
    } else {
      // Fail closed: a check that cannot be sent is a failed check (refused unless failureModeAllow).
      out.addCluster({ name: clusterName, type: 'STATIC', connect_timeout: durationMs(REMOTE_CONNECT_TIMEOUT_MS), load_assignment: { cluster_name: clusterName } });
    }
    const authority = port !== undefined ? `${virtualServiceName}:${port}` : virtualServiceName;
    filters.push(extAuthzFilter(externalAuthorization, clusterName, authority));
  }
  return filters;
}
