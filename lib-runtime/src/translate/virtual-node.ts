import { accessLogs } from './access-log';
import { localCluster, passthroughCluster, View } from './clusters';
import { ResourceCollector } from './collector';
import { CompiledMesh, TargetListener } from './compile';
import {
  AWS_API_PORT,
  AWS_API_SERVER_NAME,
  BIND_ADDRESS_ANY,
  BIND_ADDRESS_V4,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_PER_REQUEST_TIMEOUT_MS,
  EGRESS_PORT,
  INGRESS_PORT,
  LOCAL_ADDRESS_V4,
  LOCAL_ADDRESS_V6,
} from './defaults';
import { discoveredFor } from './endpoints';
import { httpConnectionManagerFilter, originalDstFilter, tcpProxyFilter, tlsInspectorFilter } from './http-connection-manager';
import {
  allowAllClusterName,
  awsApiClusterName,
  EGRESS_STAT_PREFIX,
  egressListenerName,
  egressRouteConfigName,
  ingressListenerName,
  ingressRouteConfigName,
  ingressStatPrefix,
  localClusterName,
  Protocol,
} from './names';
import { mergeHttpFilters } from './policies/http-filters';
import { httpLocalRateLimitFilter, networkLocalRateLimitFilter, rateLimitForPort } from './policies/rate-limit';
import { rbacHttpFilter, rbacNetworkFilter } from './policies/rbac';
import { appMeshMillis, durationMs, socketAddress, u32 } from './proto-json';
import { ServicePortTable } from './service-routes';
import { sharedOutput, sharedRemoteCluster } from './shared-output';
import { listenerTransportSocket } from './tls';
import { DiscoveredEndpoints, ProtoJson } from './types';
import { ClientPolicy, Listener, VirtualGatewayClientPolicy } from '../../../src/spec/appmesh-types';
import { VirtualNodeResource } from '../../../src/spec/document';

/** A target listener together with the client policy of the first caller-side backend reaching it. */
export interface ClusterRequest {
  readonly target: TargetListener;
  readonly policy: ClientPolicy | VirtualGatewayClientPolicy | undefined;
}

/** Adds each requested remote cluster (and its EDS assignment) once; the objects are shared with other nodes. */
export function addRemoteClusters(
  out: ResourceCollector,
  mesh: CompiledMesh,
  requests: Iterable<ClusterRequest>,
  endpoints: DiscoveredEndpoints,
  view: View,
): void {
  for (const { target, policy } of requests) {
    if (out.hasCluster(target.clusterName)) continue;
    const rendered = sharedRemoteCluster(mesh, target, policy, discoveredFor(endpoints, target.node.virtualNodeName), view);
    out.addCluster(rendered.cluster);
    if (rendered.assignment) out.addEndpoints(rendered.assignment);
  }
}

/** The node's effective IP preference: its own discovery setting wins over the mesh's. */
function ipPreferenceOf(mesh: CompiledMesh, node: VirtualNodeResource): string | undefined {
  const sd = node.spec.serviceDiscovery;
  return sd?.dns?.ipPreference ?? sd?.awsCloudMap?.ipPreference ?? mesh.ipPreference;
}

/** Bind address: 0.0.0.0, or `::` with IPv4 compatibility once any IP preference is set (§2). */
function bindAddress(preference: string | undefined, port: number): ProtoJson {
  return preference ? socketAddress(BIND_ADDRESS_ANY, port, true) : socketAddress(BIND_ADDRESS_V4, port);
}

/** The Envoy view of a virtual node: inbound side (§3) and outbound side (§4). */
export function renderVirtualNode(mesh: CompiledMesh, node: VirtualNodeResource, endpoints: DiscoveredEndpoints): ResourceCollector {
  const out = new ResourceCollector();
  renderIngress(out, mesh, node);
  renderEgress(out, mesh, node, endpoints);
  return out;
}

function sortedListeners(listeners: readonly Listener[] | undefined): Listener[] {
  return [...(listeners ?? [])].sort((a, b) => a.portMapping.port - b.portMapping.port);
}

/** §3: `lds_ingress_0.0.0.0_15000`, one chain (two when PERMISSIVE) per listener port. */
function renderIngress(out: ResourceCollector, mesh: CompiledMesh, node: VirtualNodeResource): void {
  const listeners = sortedListeners(node.spec.listeners);
  if (listeners.length === 0) return;
  const preference = ipPreferenceOf(mesh, node);
  const localAddress = preference === 'IPv6_PREFERRED' || preference === 'IPv6_ONLY' ? LOCAL_ADDRESS_V6 : LOCAL_ADDRESS_V4;
  const multi = listeners.length > 1;
  const accessLog = accessLogs(node.spec.logging?.accessLog?.file);
  const chains: ProtoJson[] = [];
  let anyTls = false;
  const { authorization, rateLimits } = node.extensions ?? {};
  for (const listener of listeners) {
    const { port, protocol } = listener.portMapping;
    const clusterName = localClusterName(mesh.meshName, node.virtualNodeName, protocol, port);
    out.addCluster(localCluster(clusterName, listener, localAddress));
    const statPrefix = ingressStatPrefix(protocol, port, multi);
    const rateLimit = rateLimitForPort(rateLimits, port);
    // Authorization first, so refused callers spend no tokens of the rate limit.
    const filters: ProtoJson[] = [];
    if (protocol === 'tcp') {
      const idle = appMeshMillis(listener.timeout?.tcp?.idle) ?? DEFAULT_IDLE_TIMEOUT_MS;
      if (authorization) filters.push(rbacNetworkFilter(mesh.meshName, authorization, port, `${statPrefix}.`));
      if (rateLimit) filters.push(networkLocalRateLimitFilter(statPrefix, rateLimit));
      filters.push(tcpProxyFilter(statPrefix, [{ name: clusterName, weight: 1 }], durationMs(idle), accessLog));
    } else {
      const routeConfigName = ingressRouteConfigName(protocol, port);
      const httpFilters: ProtoJson[] = [];
      if (authorization) httpFilters.push(rbacHttpFilter(mesh.meshName, authorization, port));
      if (rateLimit) httpFilters.push(httpLocalRateLimitFilter(rateLimit));
      const hcm = httpConnectionManagerFilter({ statPrefix, routeConfigName, accessLog, ...(httpFilters.length ? { httpFilters } : {}) });
      filters.push(hcm);
      out.addRoute(ingressRouteConfig(routeConfigName, clusterName, listener));
    }
    const socket = listenerTransportSocket(listener.tls);
    chains.push(...tlsChains(`ingress_${protocol}_${port}`, port, filters, socket, listener.tls?.mode));
    anyTls = anyTls || socket !== undefined;
  }
  const listenerFilters = [originalDstFilter()];
  if (anyTls) listenerFilters.push(tlsInspectorFilter());
  out.addListener({
    name: ingressListenerName(INGRESS_PORT),
    address: bindAddress(preference, INGRESS_PORT),
    traffic_direction: 'INBOUND',
    listener_filters: listenerFilters,
    filter_chains: chains,
  });
}

/**
 * Chains for one inbound port: plaintext, TLS only (STRICT), or a TLS chain told apart by the
 * TLS inspector plus a plaintext chain (PERMISSIVE).
 */
export function tlsChains(
  name: string,
  port: number,
  filter: ProtoJson | ProtoJson[],
  socket: ProtoJson | undefined,
  mode: string | undefined,
): ProtoJson[] {
  const filters = Array.isArray(filter) ? filter : [filter];
  const plain = { name, filter_chain_match: { destination_port: u32(port) }, filters };
  if (!socket) return [plain];
  if (mode === 'PERMISSIVE') {
    return [
      { name: `${name}_tls`, filter_chain_match: { destination_port: u32(port), transport_protocol: 'tls' }, filters, transport_socket: socket },
      { name: `${name}_plaintext`, filter_chain_match: { destination_port: u32(port) }, filters },
    ];
  }
  return [{ ...plain, transport_socket: socket }];
}

/** §3: one catch-all virtual host to the local app with the listener's timeouts. */
function ingressRouteConfig(name: string, clusterName: string, listener: Listener): ProtoJson {
  const protocol = listener.portMapping.protocol as Exclude<Protocol, 'tcp'>;
  const timeout = listener.timeout?.[protocol];
  const perRequest = appMeshMillis(timeout?.perRequest) ?? DEFAULT_PER_REQUEST_TIMEOUT_MS;
  const idle = appMeshMillis(timeout?.idle) ?? DEFAULT_IDLE_TIMEOUT_MS;
  return {
    name,
    virtual_hosts: [{
      name: `ingress_${protocol}_${listener.portMapping.port}`,
      domains: ['*'],
      routes: [{
        match: { prefix: '/' },
        route: { cluster: clusterName, timeout: durationMs(perRequest), idle_timeout: durationMs(idle) },
      }],
    }],
  };
}

interface HttpPortGroup {
  readonly protocol: Protocol;
  /** The backends' tables on this port, in backend name order: one virtual host each. */
  readonly tables: ServicePortTable[];
}

/** §4: `lds_egress_0.0.0.0_15001` with one chain per backend port plus the passthrough chains. */
function renderEgress(out: ResourceCollector, mesh: CompiledMesh, node: VirtualNodeResource, endpoints: DiscoveredEndpoints): void {
  const accessLog = accessLogs(node.spec.logging?.accessLog?.file);
  const httpPorts = new Map<number, HttpPortGroup>();
  const tcpPorts = new Map<number, ServicePortTable>();
  const requests: ClusterRequest[] = [];
  const backends = (node.spec.backends ?? [])
    .map(b => b.virtualService)
    .filter((b): b is NonNullable<typeof b> => b !== undefined)
    .sort((a, b) => (a.virtualServiceName < b.virtualServiceName ? -1 : a.virtualServiceName > b.virtualServiceName ? 1 : 0));
  for (const backend of backends) {
    const policy = backend.clientPolicy ?? node.spec.backendDefaults?.clientPolicy;
    for (const table of mesh.tablesOf(backend.virtualServiceName)) {
      // One protocol per port: the first backend (by name) to claim a port decides; App Mesh's
      // config broke on mixed protocols and collided on shared TCP ports (roadmap #175, #195).
      if (table.protocol === 'tcp') {
        if (httpPorts.has(table.port) || tcpPorts.has(table.port) || table.tcpClusters.length === 0) continue;
        tcpPorts.set(table.port, table);
      } else {
        if (tcpPorts.has(table.port)) continue;
        let group = httpPorts.get(table.port);
        if (!group) {
          group = { protocol: table.protocol, tables: [] };
          httpPorts.set(table.port, group);
        }
        group.tables.push(table);
      }
      for (const target of table.targets) requests.push({ target, policy });
    }
  }

  const chains: ProtoJson[] = [];
  for (const port of [...httpPorts.keys()].sort((a, b) => a - b)) {
    const group = httpPorts.get(port)!;
    const routeConfigName = egressRouteConfigName(group.protocol, port);
    // A service has one table per port, so the route config name and the service names say it all.
    const key = `egressRoutes\u0000${routeConfigName}\u0000${group.tables.map(t => t.serviceName).join('\u0000')}`;
    out.addRoute(sharedOutput(mesh, key, () => ({ name: routeConfigName, virtual_hosts: group.tables.map(t => sharedEgressVirtualHost(mesh, t)) })));
    // Route policies of the backends' tables need their filters in this HCM (docs/policies.md).
    const policyFilters = mergeHttpFilters(...group.tables.map(t => t.httpFilters));
    chains.push({
      name: `egress_${group.protocol}_${port}`,
      filter_chain_match: { destination_port: u32(port) },
      filters: [httpConnectionManagerFilter({
        statPrefix: EGRESS_STAT_PREFIX,
        routeConfigName,
        accessLog,
        ...(policyFilters.length ? { httpFilters: policyFilters } : {}),
      })],
    });
  }
  for (const port of [...tcpPorts.keys()].sort((a, b) => a - b)) {
    const table = tcpPorts.get(port)!;
    chains.push({
      name: `egress_tcp_${port}`,
      filter_chain_match: { destination_port: u32(port) },
      filters: [tcpProxyFilter(EGRESS_STAT_PREFIX, table.tcpClusters, durationMs(table.tcpIdleMs), accessLog)],
    });
  }
  // AWS APIs are reachable whatever the egress filter (roadmap #2).
  const awsCluster = awsApiClusterName(mesh.meshName);
  out.addCluster(passthroughCluster(awsCluster));
  chains.push({
    name: 'egress_amazonaws',
    filter_chain_match: { destination_port: u32(AWS_API_PORT), server_names: [AWS_API_SERVER_NAME] },
    filters: [tcpProxyFilter(EGRESS_STAT_PREFIX, [{ name: awsCluster, weight: 1 }], durationMs(DEFAULT_IDLE_TIMEOUT_MS), accessLog)],
  });
  if (mesh.egressFilter === 'ALLOW_ALL') {
    const allowAll = allowAllClusterName(mesh.meshName);
    out.addCluster(passthroughCluster(allowAll));
    const passthrough = tcpProxyFilter(EGRESS_STAT_PREFIX, [{ name: allowAll, weight: 1 }], durationMs(DEFAULT_IDLE_TIMEOUT_MS), accessLog);
    if (!httpPorts.has(AWS_API_PORT) && !tcpPorts.has(AWS_API_PORT)) {
      // Without it, 443 traffic whose SNI is not an AWS name would match no chain.
      chains.push({ name: `egress_allow_all_${AWS_API_PORT}`, filter_chain_match: { destination_port: u32(AWS_API_PORT) }, filters: [passthrough] });
    }
    chains.push({ name: 'egress_allow_all', filter_chain_match: {}, filters: [passthrough] });
  }
  out.addListener({
    name: egressListenerName(),
    address: bindAddress(ipPreferenceOf(mesh, node), EGRESS_PORT),
    traffic_direction: 'OUTBOUND',
    listener_filters: [originalDstFilter(), tlsInspectorFilter(AWS_API_PORT)],
    filter_chains: chains,
  });
  addRemoteClusters(out, mesh, requests, endpoints, 'envoy');
}

/**
 * One object per service and port in this mesh: every route configuration that lists the host
 * holds the same object, so the xDS layer encodes it once (xds/shared-elements.ts).
 */
function sharedEgressVirtualHost(mesh: CompiledMesh, table: ServicePortTable): ProtoJson {
  return sharedOutput(mesh, `egressVirtualHost\u0000${table.serviceName}\u0000${table.port}`, () => egressVirtualHost(table));
}

/** §4: one virtual host per backend service and port, domains `[<vs>, <vs>:<port>]`. */
export function egressVirtualHost(table: ServicePortTable, extra: ProtoJson = {}): ProtoJson {
  return {
    name: table.serviceName,
    domains: [table.serviceName, `${table.serviceName}:${table.port}`],
    routes: table.routes,
    ...extra,
  };
}
