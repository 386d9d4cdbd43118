import { ExternalAuthorizationPolicy } from '../../../../src/spec/extensions/external-authorization';
import { appMeshMillis, durationMs, packed } from '../proto-json';
import { ProtoJson } from '../types';

/**
 * External authorization at a gateway (Envoy `ext_authz`) with a service of the mesh: the check
 * goes to the cluster of the service's target node (the caller resolves it), over gRPC (the
 * `envoy.service.auth.v3.Authorization` API) or HTTP. Envoy only.
 */

export const EXT_AUTHZ = 'envoy.filters.http.ext_authz';
const EXT_AUTHZ_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz';
/** Envoy's own default check timeout. */
export const DEFAULT_EXT_AUTHZ_TIMEOUT_MS = 200;

/** The HTTP filter, sending checks to `clusterName`; `authority` is the service name (and port) the check names. */
export function extAuthzFilter(policy: ExternalAuthorizationPolicy, clusterName: string, authority: string): ProtoJson {
  const timeout = durationMs(appMeshMillis(policy.timeout) ?? DEFAULT_EXT_AUTHZ_TIMEOUT_MS);
  const config: ProtoJson = { transport_api_version: 'V3' };
  if (policy.protocol === 'grpc') {
    config.grpc_service = { envoy_grpc: { cluster_name: clusterName, authority }, timeout };
  } else {
    const http: ProtoJson = { server_uri: { uri: `http://${authority}`, cluster: clusterName, timeout } };
    if (policy.pathPrefix) http.path_prefix = policy.pathPrefix;
    config.http_service = http;
  }
  if (policy.failureModeAllow) config.failure_mode_allow = true;
  return { name: EXT_AUTHZ, typed_config: packed(EXT_AUTHZ_TYPE, config) };
}
