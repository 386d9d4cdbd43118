import { ProtoJson } from './types';
import { Duration } from '../../../src/spec/appmesh-types';

/** Type URLs of every message translation packs into a resource list or an Any field. */
export const TYPE = {
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  routeConfiguration: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  clusterLoadAssignment: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
  httpConnectionManager: 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  router: 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
  tcpProxy: 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
  originalDst: 'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst',
  tlsInspector: 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector',
  downstreamTlsContext: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
  upstreamTlsContext: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
  fileAccessLog: 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog',
  previousHosts: 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate',
  httpProtocolOptions: 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
} as const;

/** Every type URL above, for the xDS layer's proto loading and for tests. */
export const TRANSLATION_TYPE_URLS: readonly string[] = Object.values(TYPE);

/** An Any field in proto-loader's JSON form. */
export function packed(typeUrl: string, fields: ProtoJson = {}): ProtoJson {
  return { '@type': typeUrl, ...fields };
}

/** google.protobuf.Duration from milliseconds. */
export function durationMs(ms: number): ProtoJson {
  const whole = Math.floor(ms / 1000);
  return { seconds: whole, nanos: Math.round((ms - whole * 1000) * 1_000_000) };
}

/** Milliseconds of an App Mesh Duration (`unit` s or ms; absent unit reads as seconds). */
export function appMeshMillis(duration: Duration | undefined): number | undefined {
  if (!duration || duration.value === undefined) {
    return undefined;
  }
  return duration.unit === 'ms' ? duration.value : duration.value * 1000;
}

/** google.protobuf.UInt32Value / BoolValue wrappers. */
export function u32(value: number): ProtoJson {
  return { value };
}
export function bool(value: boolean): ProtoJson {
  return { value };
}

/** An ADS config source (RDS, EDS and SDS inside resources point back at the ADS stream). */
export function adsConfigSource(): ProtoJson {
  return { ads: {}, resource_api_version: 'V3' };
}

/** A socket address. */
export function socketAddress(address: string, port: number, ipv4Compat?: boolean): ProtoJson {
  const socket: ProtoJson = { address, port_value: port };
  if (ipv4Compat) {
    socket.ipv4_compat = true;
  }
  return { socket_address: socket };
}

/** Escapes a literal for use in an RE2 regex. */
export function regexEscape(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** Sorts resources by their `name` (or `cluster_name` for load assignments). */
export function byName(a: ProtoJson, b: ProtoJson): number {
  const an = String(a.name ?? a.cluster_name);
  const bn = String(b.name ?? b.cluster_name);
  return an < bn ? -1 : an > bn ? 1 : 0;
}
