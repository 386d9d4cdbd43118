/**
 * Referential consistency of a snapshot, checked before it is published (docs/xds-rules.md, "Snapshot consistency"):
 * a client that receives a listener naming a missing route, a route naming a missing cluster or
 * an EDS cluster without endpoints waits (gRPC: until the RPC deadline) instead of failing.
 * With `grpcClients`, also the rules proxyless gRPC clients enforce or silently depend on
 * (X26–X30), so a config they would NACK or never resolve is caught on the server.
 *
 * Pure: looks at resource objects (proto-loader form), does not encode. Only types present in
 * the input are cross-checked, so a partial input checks what it can.
 */
import type { ResourceInput } from './resource-cache';
import {
  CLUSTER_TYPE_URL,
  edsNameOfCluster,
  ENDPOINT_TYPE_URL,
  LISTENER_TYPE_URL,
  resourceNameOf,
  ROUTE_TYPE_URL,
  shortTypeName,
} from './type-urls';

const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const TCP_PROXY_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
const AGGREGATE_TYPE = 'type.googleapis.com/envoy.extensions.clusters.aggregate.v3.ClusterConfig';
const UINT32_MAX = 4294967295;

export interface ConsistencyOptions {
  /** Also apply the rules of proxyless gRPC clients (X26–X30). */
  readonly grpcClients?: boolean;
}

export interface SnapshotIssue {
  readonly typeUrl: string;
  /** The resource the issue is about. */
  readonly name: string;
  readonly message: string;
}

type Obj = Record<string, any>;

function list(input: ResourceInput | undefined, typeUrl: string): Array<[string, Obj]> {
  if (!input) return [];
  if (Array.isArray(input)) return (input as Obj[]).map((o) => [resourceNameOf(typeUrl, o), o]);
  if (input instanceof Map) return [...(input as ReadonlyMap<string, Obj>).entries()];
  return Object.entries(input as Readonly<Record<string, Obj>>);
}

function asArray(value: unknown): Obj[] {
  return Array.isArray(value) ? (value as Obj[]) : [];
}

/** The connection managers of a listener: its api_listener and every network filter of its chains. */
function connectionManagers(listener: Obj): Array<{ hcm: Obj; api: boolean }> {
  const out: Array<{ hcm: Obj; api: boolean }> = [];
  const api = listener.api_listener?.api_listener;
  if (api?.['@type'] === HCM_TYPE) out.push({ hcm: api, api: true });
  for (const chain of [...asArray(listener.filter_chains), ...(listener.default_filter_chain ? [listener.default_filter_chain] : [])]) {
    for (const filter of asArray(chain.filters)) {
      if (filter.typed_config?.['@type'] === HCM_TYPE) out.push({ hcm: filter.typed_config, api: false });
    }
  }
  return out;
}

function tcpProxies(listener: Obj): Obj[] {
  const out: Obj[] = [];
  for (const chain of [...asArray(listener.filter_chains), ...(listener.default_filter_chain ? [listener.default_filter_chain] : [])]) {
    for (const filter of asArray(chain.filters)) {
      if (filter.typed_config?.['@type'] === TCP_PROXY_TYPE) out.push(filter.typed_config);
    }
  }
  return out;
}

/** Every weight list of a route configuration, with where it is. */
function routeActions(routeConfig: Obj): Array<{ where: string; action: Obj }> {
  const out: Array<{ where: string; action: Obj }> = [];
  for (const vh of asArray(routeConfig.virtual_hosts)) {
    asArray(vh.routes).forEach((route, i) => {
      if (route.route) out.push({ where: `virtual host ${vh.name} route ${route.name ?? i}`, action: route.route });
    });
  }
  return out;
}

function weightOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object') return Number((value as Obj).value ?? 0);
  return Number(value ?? 0);
}

/** Find what would leave clients waiting or make them NACK. Empty when consistent. */
export function checkSnapshotConsistency(
  byType: Readonly<Record<string, ResourceInput>>,
  options: ConsistencyOptions = {},
): SnapshotIssue[] {
  const issues: SnapshotIssue[] = [];
  const add = (typeUrl: string, name: string, message: string): void => {
    issues.push({ typeUrl, name, message });
  };
  const listeners = list(byType[LISTENER_TYPE_URL], LISTENER_TYPE_URL);
  const routes = list(byType[ROUTE_TYPE_URL], ROUTE_TYPE_URL);
  const clusters = list(byType[CLUSTER_TYPE_URL], CLUSTER_TYPE_URL);
  const endpoints = list(byType[ENDPOINT_TYPE_URL], ENDPOINT_TYPE_URL);
  const routeNames = byType[ROUTE_TYPE_URL] ? new Set(routes.map(([n]) => n)) : undefined;
  const clusterNames = byType[CLUSTER_TYPE_URL] ? new Set(clusters.map(([n]) => n)) : undefined;
  const endpointNames = byType[ENDPOINT_TYPE_URL] ? new Set(endpoints.map(([n]) => n)) : undefined;

  const checkActions = (typeUrl: string, owner: string, routeConfig: Obj): void => {
    for (const { where, action } of routeActions(routeConfig)) {
      const named: string[] = [];
      if (typeof action.cluster === 'string') named.push(action.cluster);
      if (action.weighted_clusters) {
        const entries = asArray(action.weighted_clusters.clusters);
        const total = entries.reduce((sum, c) => sum + weightOf(c.weight), 0);
        if (total <= 0 || total > UINT32_MAX) add(typeUrl, owner, `${where}: weighted_clusters weights sum to ${total} (must be > 0 and <= ${UINT32_MAX})`);
        for (const c of entries) if (typeof c.name === 'string') named.push(c.name);
      }
      if (clusterNames) {
        for (const cluster of named) if (!clusterNames.has(cluster)) add(typeUrl, owner, `${where}: cluster ${cluster} does not exist`);
      }
    }
    if (options.grpcClients) {
      for (const vh of asArray(routeConfig.virtual_hosts)) {
        for (const domain of asArray(vh.domains) as unknown as string[]) {
          const stars = domain.split('*').length - 1;
          if (stars > 1 || (stars === 1 && domain !== '*' && !domain.startsWith('*') && !domain.endsWith('*'))) {
            add(typeUrl, owner, `virtual host ${vh.name}: domain "${domain}" may hold one * only, as first or last character`);
          }
        }
      }
    }
  };

  for (const [name, listener] of listeners) {
    const managers = connectionManagers(listener);
    if (options.grpcClients) {
      if (!listener.api_listener) add(LISTENER_TYPE_URL, name, 'gRPC clients need an api_listener');
      if (listener.listener_filters?.length || listener.use_original_dst) add(LISTENER_TYPE_URL, name, 'gRPC clients reject listener_filters and use_original_dst');
    }
    for (const { hcm, api } of managers) {
      const rdsName = hcm.rds?.route_config_name;
      if (typeof rdsName === 'string' && routeNames && !routeNames.has(rdsName)) {
        add(LISTENER_TYPE_URL, name, `route configuration ${rdsName} does not exist`);
      }
      if (hcm.route_config) checkActions(LISTENER_TYPE_URL, name, hcm.route_config);
      const filters = asArray(hcm.http_filters);
      if (filters.length > 0 && filters[filters.length - 1].typed_config?.['@type'] !== ROUTER_TYPE) {
        add(LISTENER_TYPE_URL, name, 'the last HTTP filter must be the router');
      }
      if (options.grpcClients && api) {
        if (filters.filter((f) => f.typed_config?.['@type'] === ROUTER_TYPE).length !== 1) add(LISTENER_TYPE_URL, name, 'exactly one router filter is required');
        const source = hcm.rds?.config_source;
        if (hcm.rds && !(source?.ads || source?.self)) add(LISTENER_TYPE_URL, name, 'rds.config_source must be ads {} or self {} for gRPC clients');
      }
    }
    for (const proxy of tcpProxies(listener)) {
      const named = [
        ...(typeof proxy.cluster === 'string' ? [proxy.cluster] : []),
        ...asArray(proxy.weighted_clusters?.clusters).map((c) => String(c.name)),
      ];
      if (clusterNames) for (const cluster of named) if (!clusterNames.has(cluster)) add(LISTENER_TYPE_URL, name, `tcp_proxy cluster ${cluster} does not exist`);
    }
  }

  for (const [name, routeConfig] of routes) checkActions(ROUTE_TYPE_URL, name, routeConfig);

  for (const [name, cluster] of clusters) {
    const edsName = edsNameOfCluster(cluster);
    if (edsName !== undefined && endpointNames && !endpointNames.has(edsName)) {
      add(CLUSTER_TYPE_URL, name, `EDS cluster has no ClusterLoadAssignment ${edsName}`);
    }
    const custom = cluster.cluster_type?.typed_config;
    if (custom?.['@type'] === AGGREGATE_TYPE && clusterNames) {
      for (const member of asArray(custom.clusters) as unknown as string[]) {
        if (!clusterNames.has(member)) add(CLUSTER_TYPE_URL, name, `aggregate member cluster ${member} does not exist`);
      }
    }
    if (options.grpcClients) {
      const isAggregate = custom?.['@type'] === AGGREGATE_TYPE;
      if (!isAggregate && cluster.type !== 'EDS' && cluster.type !== 'LOGICAL_DNS') add(CLUSTER_TYPE_URL, name, `gRPC clients support EDS, LOGICAL_DNS and aggregate clusters, not ${cluster.type ?? 'STATIC'}`);
      const source = cluster.eds_cluster_config?.eds_config;
      if (cluster.type === 'EDS' && !(source?.ads || source?.self)) add(CLUSTER_TYPE_URL, name, 'eds_config must be ads {} or self {} for gRPC clients');
      if (cluster.lb_policy === 'LEAST_REQUEST' || cluster.lb_policy === 'MAGLEV') add(CLUSTER_TYPE_URL, name, `gRPC clients reject lb_policy ${cluster.lb_policy}`);
    }
  }

  if (options.grpcClients) {
    for (const [name, assignment] of endpoints) {
      asArray(assignment.endpoints).forEach((locality, i) => {
        if (!(weightOf(locality.load_balancing_weight) > 0)) {
          add(ENDPOINT_TYPE_URL, name, `locality ${i} needs load_balancing_weight > 0 (gRPC drops it otherwise)`);
        }
      });
    }
  }
  return issues;
}

/** One line per issue, for logs and errors. */
export function describeIssues(issues: readonly SnapshotIssue[]): string {
  return issues.map((i) => `${shortTypeName(i.typeUrl)} ${i.name}: ${i.message}`).join('\n');
}
