import { CompiledMesh, TargetListener } from './compile';
import {
  DEFAULT_DNS_LOOKUP_FAMILY,
  DEFAULT_DNS_RESPONSE_TYPE,
  DNS_LOOKUP_FAMILY,
  LOCAL_CONNECT_TIMEOUT_MS,
  REMOTE_CONNECT_TIMEOUT_MS,
  UNLIMITED,
} from './defaults';
import { dnsLoadAssignment, loadAssignment, staticLoadAssignment } from './endpoints';
import { Protocol } from './names';
import { adsConfigSource, appMeshMillis, durationMs, packed, TYPE, u32 } from './proto-json';
import { proxylessClusterTransportSocket } from './proxyless-tls';
import { clusterTransportSocket, UpstreamNode } from './tls';
import { DiscoveredEndpoint, ProtoJson } from './types';
import {
  ClientPolicy,
  HealthCheckPolicy,
  Listener,
  VirtualGatewayClientPolicy,
  VirtualGatewayConnectionPool,
  VirtualNodeConnectionPool,
} from '../../../src/spec/appmesh-types';
import { VirtualNodeResource } from '../../../src/spec/document';

/**
 * Clusters (docs/envoy-mapping.md §3, §5, §7): the local app, remote virtual nodes, the
 * passthrough clusters, and the gateway self-redirect.
 */

/** §7: INT32_MAX breakers on every cluster, with the listener's connection pool applied (§3). */
export function circuitBreakers(pool?: VirtualNodeConnectionPool | VirtualGatewayConnectionPool): ProtoJson {
  const threshold: ProtoJson = {
    max_connections: u32(UNLIMITED),
    max_pending_requests: u32(UNLIMITED),
    max_requests: u32(UNLIMITED),
    max_retries: u32(UNLIMITED),
  };
  if (pool?.http) {
    threshold.max_connections = u32(pool.http.maxConnections);
    if (pool.http.maxPendingRequests !== undefined) threshold.max_pending_requests = u32(pool.http.maxPendingRequests);
  } else if (pool?.http2) {
    threshold.max_requests = u32(pool.http2.maxRequests);
  } else if (pool?.grpc) {
    threshold.max_requests = u32(pool.grpc.maxRequests);
  } else if (pool && 'tcp' in pool && pool.tcp) {
    threshold.max_connections = u32(pool.tcp.maxConnections);
  }
  return { thresholds: [threshold] };
}

/** HTTP/2 towards upstreams that speak http2 or grpc. */
function upstreamProtocolOptions(protocol: Protocol): ProtoJson | undefined {
  if (protocol !== 'http2' && protocol !== 'grpc') return undefined;
  return {
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': packed(TYPE.httpProtocolOptions, {
      explicit_http_config: { http2_protocol_options: {} },
    }),
  };
}

/** §3: the local app, STATIC on loopback, carrying the listener's connection pool. */
export function localCluster(name: string, listener: Listener, address: string): ProtoJson {
  const cluster: ProtoJson = {
    name,
    type: 'STATIC',
    connect_timeout: durationMs(LOCAL_CONNECT_TIMEOUT_MS),
    lb_policy: 'ROUND_ROBIN',
    load_assignment: staticLoadAssignment(name, address, listener.portMapping.port),
    circuit_breakers: circuitBreakers(listener.connectionPool),
  };
  const options = upstreamProtocolOptions(listener.portMapping.protocol);
  if (options) cluster.typed_extension_protocol_options = options;
  return cluster;
}

/** §8: the gateway's self-redirect to its own 15001, with the gateway listener's pool. */
export function selfRedirectCluster(
  name: string,
  protocol: Protocol,
  pool: VirtualGatewayConnectionPool | undefined,
  address: string,
  port: number,
): ProtoJson {
  const cluster: ProtoJson = {
    name,
    type: 'STATIC',
    connect_timeout: durationMs(LOCAL_CONNECT_TIMEOUT_MS),
    lb_policy: 'ROUND_ROBIN',
    load_assignment: staticLoadAssignment(name, address, port),
    circuit_breakers: circuitBreakers(pool),
  };
  const options = upstreamProtocolOptions(protocol);
  if (options) cluster.typed_extension_protocol_options = options;
  return cluster;
}

/** §4: original-destination passthrough (AWS APIs; everything else under ALLOW_ALL). */
export function passthroughCluster(name: string): ProtoJson {
  return {
    name,
    type: 'ORIGINAL_DST',
    connect_timeout: durationMs(REMOTE_CONNECT_TIMEOUT_MS),
    lb_policy: 'CLUSTER_PROVIDED',
    circuit_breakers: circuitBreakers(),
  };
}

/** The name callers know a node by: its DNS hostname, `<service>.<namespace>` for Cloud Map. */
export function discoveryName(node: VirtualNodeResource): string {
  const sd = node.spec.serviceDiscovery;
  if (sd?.dns) return sd.dns.hostname;
  if (sd?.awsCloudMap) return `${sd.awsCloudMap.serviceName}.${sd.awsCloudMap.namespaceName}`;
  return node.virtualNodeName;
}

/** Which view a cluster is for: an Envoy sidecar, or a proxyless gRPC client. */
export type View = 'envoy' | 'proxyless';

/** A rendered remote cluster plus its EDS assignment when it is an EDS cluster. */
export interface RemoteCluster {
  readonly cluster: ProtoJson;
  readonly assignment?: ProtoJson;
}

/**
 * §5: the cluster callers use for one target listener. Cloud Map and static discovery → EDS.
 * DNS → EDS when the control plane supplied endpoints for the node, else LOGICAL_DNS
 * (responseType LOADBALANCER, the default) or STRICT_DNS (ENDPOINTS); proxyless clients only
 * support LOGICAL_DNS. Health check and outlier detection come from the target listener, TLS
 * from the caller's client policy (for proxyless clients only a mesh CA trust, proxyless-tls.ts).
 */
export function remoteCluster(
  mesh: CompiledMesh,
  target: TargetListener,
  policy: ClientPolicy | VirtualGatewayClientPolicy | undefined,
  endpoints: readonly DiscoveredEndpoint[] | undefined,
  view: View,
): RemoteCluster {
  const { node, listener, clusterName } = target;
  const dns = node.spec.serviceDiscovery?.dns;
  const cluster: ProtoJson = { name: clusterName };
  let assignment: ProtoJson | undefined;
  if (dns && endpoints === undefined) {
    const responseType = dns.responseType ?? DEFAULT_DNS_RESPONSE_TYPE;
    cluster.type = view === 'envoy' && responseType === 'ENDPOINTS' ? 'STRICT_DNS' : 'LOGICAL_DNS';
    cluster.load_assignment = dnsLoadAssignment(target, dns.hostname);
    const preference = dns.ipPreference ?? mesh.ipPreference;
    cluster.dns_lookup_family = (preference && DNS_LOOKUP_FAMILY[preference]) || DEFAULT_DNS_LOOKUP_FAMILY;
  } else {
    cluster.type = 'EDS';
    cluster.eds_cluster_config = { eds_config: adsConfigSource() };
    assignment = loadAssignment(target, endpoints ?? []);
  }
  cluster.connect_timeout = durationMs(REMOTE_CONNECT_TIMEOUT_MS);
  cluster.lb_policy = 'ROUND_ROBIN';
  cluster.circuit_breakers = circuitBreakers();
  const upstream: UpstreamNode = { meshName: node.meshName, virtualNodeName: node.virtualNodeName, discoveryName: discoveryName(node) };
  if (view === 'envoy') {
    // gRPC clients (gRFC A50) know only success-rate and failure-percentage ejection, and turn
    // success-rate ejection on whenever outlier_detection is present: App Mesh's consecutive-5xx
    // rule has no gRPC equivalent, so proxyless clusters carry none rather than a different rule.
    const outlier = outlierDetection(listener);
    if (outlier) cluster.outlier_detection = outlier;
    if (listener.healthCheck) {
      cluster.health_checks = [healthCheck(listener.healthCheck, upstream.discoveryName, listener.portMapping.port)];
    }
    const socket = clusterTransportSocket(policy, listener.portMapping.port, listener.tls, upstream);
    if (socket) cluster.transport_socket = socket;
    const options = upstreamProtocolOptions(target.protocol);
    if (options) cluster.typed_extension_protocol_options = options;
    if (cluster.type === 'EDS') cluster.ignore_health_on_host_removal = true;
  } else {
    const socket = proxylessClusterTransportSocket(policy, listener.portMapping.port, upstream);
    if (socket) cluster.transport_socket = socket;
  }
  return { cluster, assignment };
}

/** §5: active health check from the target listener's `healthCheck`. */
export function healthCheck(hc: HealthCheckPolicy, hostName: string, listenerPort: number): ProtoJson {
  const out: ProtoJson = {
    timeout: durationMs(hc.timeoutMillis),
    interval: durationMs(hc.intervalMillis),
    unhealthy_threshold: u32(hc.unhealthyThreshold),
    healthy_threshold: u32(hc.healthyThreshold),
  };
  if (hc.protocol === 'http' || hc.protocol === 'http2') {
    const http: ProtoJson = { host: `${hostName}:${listenerPort}`, path: hc.path ?? '/' };
    if (hc.protocol === 'http2') http.codec_client_type = 'HTTP2';
    out.http_health_check = http;
  } else if (hc.protocol === 'grpc') {
    out.grpc_health_check = {};
  } else {
    out.tcp_health_check = {};
  }
  return out;
}

/** §5: passive outlier detection from the target listener. */
export function outlierDetection(listener: Listener): ProtoJson | undefined {
  const od = listener.outlierDetection;
  if (!od) return undefined;
  return {
    consecutive_5xx: u32(od.maxServerErrors),
    interval: durationMs(appMeshMillis(od.interval) ?? 0),
    base_ejection_time: durationMs(appMeshMillis(od.baseEjectionDuration) ?? 0),
    max_ejection_percent: u32(od.maxEjectionPercent),
  };
}
