import { adsConfigSource, bool, packed, TYPE } from './proto-json';
import { ProtoJson } from './types';

/** The router filter, always the last (and only) HTTP filter. */
export function routerFilter(): ProtoJson {
  return { name: 'envoy.filters.http.router', typed_config: packed(TYPE.router) };
}

export interface HcmOptions {
  readonly statPrefix: string;
  readonly routeConfigName: string;
  readonly accessLog?: ProtoJson[];
  /** Gateways: path normalisation and slash merging on, escaped slashes kept (§7). */
  readonly normalizePaths?: boolean;
  /** Policy filters (docs/policies.md), in order, before the router. */
  readonly httpFilters?: readonly ProtoJson[];
}

/**
 * App Mesh's HTTP connection manager (docs/envoy-mapping.md §3, §8): RDS over ADS, router
 * filter, empty tracing block (the tracer comes from the bootstrap), WebSocket upgrades on.
 */
export function httpConnectionManagerFilter(options: HcmOptions): ProtoJson {
  const hcm: ProtoJson = {
    stat_prefix: options.statPrefix,
    codec_type: 'AUTO',
    rds: { config_source: adsConfigSource(), route_config_name: options.routeConfigName },
    http_filters: [...(options.httpFilters ?? []), routerFilter()],
    tracing: {},
    upgrade_configs: [{ upgrade_type: 'websocket' }],
  };
  if (options.accessLog) hcm.access_log = options.accessLog;
  if (options.normalizePaths) {
    hcm.normalize_path = bool(true);
    hcm.merge_slashes = true;
    hcm.path_with_escaped_slashes_action = 'KEEP_UNCHANGED';
  }
  return { name: 'envoy.filters.network.http_connection_manager', typed_config: packed(TYPE.httpConnectionManager, hcm) };
}

/** TCP proxy filter to one cluster or a weighted set. */
export function tcpProxyFilter(
  statPrefix: string,
  clusters: readonly { name: string; weight: number }[],
  idleTimeout: ProtoJson,
  accessLog?: ProtoJson[],
): ProtoJson {
  const proxy: ProtoJson = { stat_prefix: statPrefix };
  if (clusters.length === 1) {
    proxy.cluster = clusters[0].name;
  } else {
    proxy.weighted_clusters = { clusters: clusters.map(c => ({ name: c.name, weight: c.weight })) };
  }
  proxy.idle_timeout = idleTimeout;
  if (accessLog) proxy.access_log = accessLog;
  return { name: 'envoy.filters.network.tcp_proxy', typed_config: packed(TYPE.tcpProxy, proxy) };
}

/** Listener filters: restore the pre-redirect destination; inspect TLS when chains need it. */
export function originalDstFilter(): ProtoJson {
  return { name: 'envoy.filters.listener.original_dst', typed_config: packed(TYPE.originalDst) };
}

export function tlsInspectorFilter(onlyPort?: number): ProtoJson {
  const filter: ProtoJson = { name: 'envoy.filters.listener.tls_inspector', typed_config: packed(TYPE.tlsInspector) };
  if (onlyPort !== undefined) {
    // Skip other ports: the inspector would stall server-first protocols until its timeout.
    filter.filter_disabled = { not_match: { destination_port_range: { start: onlyPort, end: onlyPort + 1 } } };
  }
  return filter;
}
