import type { WeightedCluster } from './route-action';
import { durationText, numberOf } from './route-action';
import type { Target } from './simulation';
import { describeStringTest, stringTest } from './string-matcher';
import type { MeshSpecDocument } from '../../../src/spec/document';
import type { EnvoyConfig, ProtoJson } from '../translate';
import { remoteClusterName } from '../translate/names';

/**
 * The clusters a route sends to, described from the rendered Cluster and ClusterLoadAssignment:
 * discovery, endpoints, TLS, outlier detection, health checks. The virtual node behind a cluster
 * is named when the cluster name is one the spec's nodes give (App Mesh's naming).
 */

export interface ClusterLabel {
  readonly virtualNode: string;
  readonly port: number;
  readonly protocol: string;
}

/** Cluster name → the virtual node listener it stands for, for every node of the spec. */
export function clusterLabels(doc: MeshSpecDocument): Map<string, ClusterLabel> {
  const labels = new Map<string, ClusterLabel>();
  for (const node of doc.virtualNodes) {
    for (const listener of node.spec.listeners ?? []) {
      const { port, protocol } = listener.portMapping;
      labels.set(remoteClusterName(doc.mesh.meshName, node.virtualNodeName, protocol, port), { virtualNode: node.virtualNodeName, port, protocol });
    }
  }
  return labels;
}

/** The targets of a route (or TCP proxy) with the probability of each: its weight over the sum of the weights. */
export function describeTargets(clusters: readonly WeightedCluster[], config: EnvoyConfig, labels: ReadonlyMap<string, ClusterLabel>): Target[] {
  const total = clusters.reduce((sum, c) => sum + c.weight, 0);
  return clusters.map(({ name, weight }) => {
    const cluster = config.clusters.find(c => c.name === name);
    const label = labels.get(name);
    const base = {
      cluster: name,
      weight,
      probability: total > 0 ? weight / total : 0,
      ...(label ? { virtualNode: label.virtualNode, port: label.port, protocol: label.protocol } : {}),
    };
    if (!cluster) return { ...base, discovery: 'not served: the client has no such cluster, so requests to it fail (no healthy upstream)' };
    const endpoints = endpointsOf(cluster, config);
    const tls = tlsOf(cluster);
    const outlier = outlierOf(cluster);
    const health = healthCheckOf(cluster);
    const connect = durationText(cluster.connect_timeout);
    return {
      ...base,
      discovery: discoveryOf(cluster, endpoints),
      ...(endpoints ? { endpoints } : {}),
      ...(tls ? { tls } : {}),
      ...(outlier ? { outlierDetection: outlier } : {}),
      ...(health ? { healthCheck: health } : {}),
      ...(connect ? { connectTimeout: connect } : {}),
    };
  });
}

function assignmentOf(cluster: ProtoJson, config: EnvoyConfig): ProtoJson | undefined {
  if (cluster.type === 'EDS') return config.endpoints.find(e => e.cluster_name === cluster.name);
  return cluster.load_assignment as ProtoJson | undefined;
}

/** `address:port` of each endpoint (with zone and health when known); undefined when none apply. */
function endpointsOf(cluster: ProtoJson, config: EnvoyConfig): string[] | undefined {
  const assignment = assignmentOf(cluster, config);
  if (!assignment) return undefined;
  const out: string[] = [];
  for (const locality of (assignment.endpoints ?? []) as ProtoJson[]) {
    const zone = (locality.locality as ProtoJson | undefined)?.zone;
    for (const lb of (locality.lb_endpoints ?? []) as ProtoJson[]) {
      const address = (((lb.endpoint as ProtoJson | undefined)?.address as ProtoJson | undefined)?.socket_address ?? {}) as ProtoJson;
      const status = lb.health_status && lb.health_status !== 'UNKNOWN' ? `, ${String(lb.health_status).toLowerCase()}` : '';
      out.push(`${String(address.address)}:${String(address.port_value)}${zone ? ` (zone ${String(zone)}${status})` : status ? ` (${status.slice(2)})` : ''}`);
    }
  }
  return out;
}

function discoveryOf(cluster: ProtoJson, endpoints: string[] | undefined): string {
  const type = String(cluster.type ?? 'STATIC');
  switch (type) {
    case 'EDS':
      return endpoints && endpoints.length > 0
        ? `EDS: ${endpoints.length} endpoint(s)`
        : 'EDS: no endpoints in this rendering (the control plane fills them from discovery; pass --endpoints to see some)';
    case 'LOGICAL_DNS':
    case 'STRICT_DNS':
      return `${type}: the client resolves ${endpoints?.join(', ') ?? 'its hostname'} by DNS${cluster.dns_lookup_family ? ` (${String(cluster.dns_lookup_family)})` : ''}`;
    case 'ORIGINAL_DST':
      return 'ORIGINAL_DST: the connection goes where the application sent it (passthrough)';
    default:
      return `${type}: ${endpoints?.join(', ') ?? 'no endpoints'}`;
  }
}

function tlsOf(cluster: ProtoJson): string | undefined {
  const socket = cluster.transport_socket as ProtoJson | undefined;
  if (!socket) return undefined;
  const context = (socket.typed_config ?? {}) as ProtoJson;
  const common = (context.common_tls_context ?? {}) as ProtoJson;
  const parts: string[] = [];
  if (context.sni) parts.push(`SNI ${String(context.sni)}`);
  const certificate = certificateSource(common);
  parts.push(certificate ? `presents a certificate from ${certificate}` : 'presents no client certificate');
  const combined = common.combined_validation_context as ProtoJson | undefined;
  const validation = (common.validation_context ?? combined?.default_validation_context) as ProtoJson | undefined;
  const trust = (validation && trustSource(validation)) ?? trustSource(common) ?? (combined && trustSource(combined));
  parts.push(trust ? `verifies the server against ${trust}` : 'does not verify the server');
  const sans = [
    ...((validation?.match_typed_subject_alt_names ?? []) as ProtoJson[]).map(m => `${String(m.san_type)} ${describeSan(m.matcher as ProtoJson)}`),
    ...((validation?.match_subject_alt_names ?? []) as ProtoJson[]).map(m => describeSan(m)),
  ];
  if (sans.length > 0) parts.push(`server SAN ${sans.join(' or ')}`);
  return `TLS: ${parts.join('; ')}`;
}

function describeSan(matcher: ProtoJson): string {
  const test = stringTest(matcher);
  return test ? describeStringTest(test) : JSON.stringify(matcher);
}

function certificateSource(common: ProtoJson): string | undefined {
  const files = (common.tls_certificates ?? []) as ProtoJson[];
  if (files.length > 0) return `file ${String(((files[0].certificate_chain ?? {}) as ProtoJson).filename ?? 'inline')}`;
  const sds = (common.tls_certificate_sds_secret_configs ?? []) as ProtoJson[];
  if (sds.length > 0) return `SDS secret "${String(sds[0].name)}"`;
  const provider = common.tls_certificate_provider_instance as ProtoJson | undefined;
  if (provider) return `certificate provider "${String(provider.instance_name)}"`;
  return undefined;
}

function trustSource(validation: ProtoJson): string | undefined {
  const file = (validation.trusted_ca as ProtoJson | undefined)?.filename;
  if (file) return `CA file ${String(file)}`;
  const sds = (validation.validation_context_sds_secret_config ?? validation.validation_context_sds_secret) as ProtoJson | undefined;
  if (sds?.name) return `SDS secret "${String(sds.name)}"`;
  const provider = validation.ca_certificate_provider_instance as ProtoJson | undefined;
  if (provider) return `certificate provider "${String(provider.instance_name)}"`;
  return undefined;
}

function outlierOf(cluster: ProtoJson): string | undefined {
  const od = cluster.outlier_detection as ProtoJson | undefined;
  if (!od) return undefined;
  const parts: string[] = [];
  const consecutive = numberOf(od.consecutive_5xx);
  if (consecutive !== undefined) parts.push(`ejects a host after ${consecutive} consecutive 5xx`);
  const interval = durationText(od.interval);
  if (interval) parts.push(`checked every ${interval}`);
  const base = durationText(od.base_ejection_time);
  if (base) parts.push(`for ${base} × ejections`);
  const max = numberOf(od.max_ejection_percent);
  if (max !== undefined) parts.push(`at most ${max} % of hosts`);
  return parts.join(', ');
}

function healthCheckOf(cluster: ProtoJson): string | undefined {
  const checks = (cluster.health_checks ?? []) as ProtoJson[];
  if (checks.length === 0) return undefined;
  const hc = checks[0];
  const kind = hc.http_health_check
    ? `HTTP ${String((hc.http_health_check as ProtoJson).path ?? '/')}`
    : hc.grpc_health_check ? 'gRPC health' : 'TCP connect';
  return `${kind} every ${durationText(hc.interval) ?? '?'}, unhealthy after ${numberOf(hc.unhealthy_threshold) ?? '?'} failures`;
}
