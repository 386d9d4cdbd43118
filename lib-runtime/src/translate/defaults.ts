/**
 * App Mesh's implicit behaviour, in one place. Each value names the App Mesh setting it
 * reproduces (§ numbers: see the translate README).
 */

/** §1: virtual-node inbound listener port (ProxyIngressPort). */
export const INGRESS_PORT = 15000;

/** §1: outbound listener port (ProxyEgressPort), also the gateways' self-redirect target. */
export const EGRESS_PORT = 15001;

/** §4: AWS APIs stay reachable under DROP_ALL through an SNI chain on this port. */
export const AWS_API_PORT = 443;

/** §4: SNI pattern of the AWS API chain. */
export const AWS_API_SERVER_NAME = '*.amazonaws.com';

/** §6 and §7: route per-request timeout when `perRequest` is unset (0 disables). */
export const DEFAULT_PER_REQUEST_TIMEOUT_MS = 15_000;

/** §6 and §7 (model doc: listener/route `idle` default 300 s); also the TCP idle timeout. */
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000;

/** §3 and §7: connect timeout of the local app cluster and the gateway self-redirect cluster. */
export const LOCAL_CONNECT_TIMEOUT_MS = 250;

/** §5 and §7: connect timeout of clusters for remote nodes. */
export const REMOTE_CONNECT_TIMEOUT_MS = 1_000;

/** §7: circuit-breaker thresholds on every cluster: INT32_MAX, i.e. no limit. */
export const UNLIMITED = 2_147_483_647;

/**
 * §7: the retry policy App Mesh put on every HTTP/HTTP2/gRPC route that has none (router routes
 * and the single route of a node-provided service): retry on `unavailable`, `connect-failure`,
 * `refused-stream` and status 503, twice, avoiding previous hosts with 5 selection attempts.
 */
export const DEFAULT_RETRY_POLICY = {
  retryOn: ['connect-failure', 'refused-stream', 'unavailable', 'retriable-status-codes'],
  retriableStatusCodes: [503],
  numRetries: 2,
} as const;

/** §6: every retry policy avoids previously tried hosts with this many selection attempts. */
export const HOST_SELECTION_RETRY_MAX_ATTEMPTS = 5;

/** §6: App Mesh HTTP retry events → Envoy retry conditions / retriable status codes. */
export const HTTP_RETRY_EVENTS: { readonly [event: string]: { readonly retryOn?: string; readonly statusCodes?: readonly number[] } } = {
  'server-error': { statusCodes: [500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511] },
  'gateway-error': { statusCodes: [502, 503, 504] },
  'client-error': { statusCodes: [409] },
  'stream-error': { retryOn: 'refused-stream' },
};

/** §6: TCP retry event → Envoy condition (`connect-failure` per the user guide; `reset` is unconfirmed). */
export const TCP_RETRY_EVENTS: { readonly [event: string]: string } = {
  'connection-error': 'connect-failure',
};

/** §6: gRPC retry events map to the Envoy gRPC conditions of the same names. */
export const GRPC_RETRY_EVENTS: readonly string[] = ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'];

/** §4: mesh egress filter when the mesh sets none. */
export const DEFAULT_EGRESS_FILTER = 'DROP_ALL';

/** Model doc (DnsServiceDiscovery.responseType): LOADBALANCER unless set; §5 maps it to LOGICAL_DNS. */
export const DEFAULT_DNS_RESPONSE_TYPE = 'LOADBALANCER';

/** §5: IP preference → Envoy `dns_lookup_family`; unset → AUTO. */
export const DNS_LOOKUP_FAMILY: { readonly [preference: string]: string } = {
  IPv4_PREFERRED: 'V4_PREFERRED',
  IPv6_PREFERRED: 'AUTO',
  IPv4_ONLY: 'V4_ONLY',
  IPv6_ONLY: 'V6_ONLY',
};
export const DEFAULT_DNS_LOOKUP_FAMILY = 'AUTO';

/** §3: local cluster address; `::1` when the node prefers or requires IPv6. */
export const LOCAL_ADDRESS_V4 = '127.0.0.1';
export const LOCAL_ADDRESS_V6 = '::1';

/** §2: listeners bind 0.0.0.0, or `::` with IPv4 compatibility once any IP preference is set. */
export const BIND_ADDRESS_V4 = '0.0.0.0';
export const BIND_ADDRESS_ANY = '::';

/** §8: header that names the target service when a gateway route keeps the client's Host. */
export const VIRTUAL_SERVICE_HEADER = 'x-app-mesh-virtual-service';

/** §9: SDS server cluster the bootstrap defines for `sds` certificates and trust. */
export const SDS_CLUSTER_NAME = 'static_cluster_sds_unix_socket';

/** §9: ECDH curves observed on App Mesh TLS contexts. */
export const ECDH_CURVES: readonly string[] = ['X25519', 'P-256', 'P-521', 'P-384'];
