import { CompiledMesh, TargetListener, targetListener } from './compile';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_PER_REQUEST_TIMEOUT_MS } from './defaults';
import { grpcRouteMatch, httpRouteMatch } from './match';
import { Protocol } from './names';
import { mergeHttpFilters } from './policies/http-filters';
import { applyRoutePolicies } from './policies/route-policies';
import { appMeshMillis, durationMs, u32 } from './proto-json';
import { defaultRetryPolicy, proxylessRetryPolicy, retryPolicy } from './retry';
import { ProtoJson } from './types';
import { GrpcRoute, HttpRoute, HttpTimeout, RouteSpec, TcpRoute, WeightedTarget } from '../../../src/spec/appmesh-types';
import { RouteResource } from '../../../src/spec/document';

/**
 * What callers of one virtual service get on one port: the Envoy routes of its virtual host
 * (HTTP family) or the weighted clusters of its TCP proxy, and the target listeners those refer
 * to. Built once per service and shared by every caller (docs/envoy-mapping.md §4, §6).
 */
export interface ServicePortTable {
  readonly serviceName: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** HTTP/HTTP2/gRPC: routes for Envoy. */
  readonly routes: readonly ProtoJson[];
  /** HTTP/HTTP2/gRPC: the same routes as a gRPC client accepts them. */
  readonly proxylessRoutes: readonly ProtoJson[];
  /** TCP: clusters and weights of the TCP proxy. */
  readonly tcpClusters: readonly { readonly name: string; readonly weight: number }[];
  /** TCP: idle timeout in ms. */
  readonly tcpIdleMs: number;
  /** Every target listener the table refers to (mirror targets included), one per cluster name, sorted by cluster name. */
  readonly targets: readonly TargetListener[];
  /** HTTP filters an Envoy HCM serving these routes needs before its router (route policies); usually none. */
  readonly httpFilters: readonly ProtoJson[];
  /** The same for a gRPC client's HCM (only what gRPC implements). */
  readonly proxylessHttpFilters: readonly ProtoJson[];
}

/** Tables of one service; empty when it has no provider or the provider does not exist. */
export function serviceTables(mesh: CompiledMesh, serviceName: string): ServicePortTable[] {
  const provider = mesh.services.get(serviceName)?.spec.provider;
  if (provider?.virtualNode) {
    return nodeProviderTables(mesh, serviceName, provider.virtualNode.virtualNodeName);
  }
  if (provider?.virtualRouter) {
    return routerProviderTables(mesh, serviceName, provider.virtualRouter.virtualRouterName);
  }
  return [];
}

/**
 * A node provider: per listener of the node one catch-all route to its cluster, with the
 * default retry policy and the default timeouts (§4).
 */
function nodeProviderTables(mesh: CompiledMesh, serviceName: string, nodeName: string): ServicePortTable[] {
  const node = mesh.nodes.get(nodeName);
  const listeners = [...(node?.spec.listeners ?? [])].sort((a, b) => a.portMapping.port - b.portMapping.port);
  return listeners.map(listener => {
    const port = listener.portMapping.port;
    const target = targetListener(mesh, nodeName, port, undefined)!;
    if (target.protocol === 'tcp') {
      return tcpTable(serviceName, port, [{ name: target.clusterName, weight: 1 }], DEFAULT_IDLE_TIMEOUT_MS, [target]);
    }
    const action: ProtoJson = {
      cluster: target.clusterName,
      timeout: durationMs(DEFAULT_PER_REQUEST_TIMEOUT_MS),
      idle_timeout: durationMs(DEFAULT_IDLE_TIMEOUT_MS),
      retry_policy: defaultRetryPolicy(),
    };
    const route: ProtoJson = { match: { prefix: '/' }, route: action };
    return {
      serviceName,
      port,
      protocol: target.protocol,
      routes: [route],
      proxylessRoutes: [proxylessRoute(route, DEFAULT_PER_REQUEST_TIMEOUT_MS)],
      tcpClusters: [],
      tcpIdleMs: DEFAULT_IDLE_TIMEOUT_MS,
      targets: [target],
      httpFilters: [],
      proxylessHttpFilters: [],
    };
  });
}

/** A router provider: per router listener, the router's routes of that protocol and port (§6). */
function routerProviderTables(mesh: CompiledMesh, serviceName: string, routerName: string): ServicePortTable[] {
  const router = mesh.routers.get(routerName);
  const listeners = [...(router?.spec.listeners ?? [])].sort((a, b) => a.portMapping.port - b.portMapping.port);
  const routes = mesh.routesByRouter.get(routerName) ?? [];
  const tables: ServicePortTable[] = [];
  for (const listener of listeners) {
    const { port, protocol } = listener.portMapping;
    const onPort = routes.filter(r => routeProtocol(r.spec) === protocol && (routePort(r.spec) ?? port) === port);
    if (protocol === 'tcp') {
      // TCP routes match on the port only: the first distributed one in order wins.
      let first: TcpRoute | undefined;
      let clusters: WeightedCluster[] = [];
      let targets: TargetListener[] = [];
      for (const route of onPort) {
        const resolved = resolveTargets(mesh, route.spec.tcpRoute!.action.weightedTargets, protocol);
        // Envoy's tcp_proxy refuses a cluster weight of 0: such targets are left out, and a route
        // with no weight above 0 is not distributed, like an HTTP one.
        const live = resolved.clusters.filter(c => c.weight > 0);
        if (live.length === 0) continue;
        first = route.spec.tcpRoute;
        clusters = live;
        targets = resolved.targets.filter(t => live.some(c => c.name === t.clusterName));
        break;
      }
      const idle = appMeshMillis(first?.timeout?.idle) ?? DEFAULT_IDLE_TIMEOUT_MS;
      tables.push(tcpTable(serviceName, port, clusters, idle, targets));
      continue;
    }
    const envoyRoutes: ProtoJson[] = [];
    const proxylessRoutes: ProtoJson[] = [];
    const targets = new Map<string, TargetListener>();
    const httpFilters: ProtoJson[][] = [];
    const proxylessHttpFilters: ProtoJson[][] = [];
    for (const route of onPort) {
      const rendered = httpFamilyRoute(mesh, route, protocol);
      if (!rendered) continue;
      // Route policies (docs/policies.md): fields of the route, filters of the HCM, mirror clusters.
      const policies = applyRoutePolicies(mesh, route.extensions, rendered.route);
      envoyRoutes.push(policies.route);
      const proxyless = rendered.hasQueryMatch ? undefined : proxylessRoute(rendered.route, rendered.perRequestMs, policies.proxylessPerFilter);
      if (proxyless) proxylessRoutes.push(proxyless);
      for (const t of [...rendered.targets, ...policies.targets]) targets.set(t.clusterName, t);
      httpFilters.push([...policies.httpFilters]);
      if (proxyless) proxylessHttpFilters.push([...policies.proxylessHttpFilters]);
    }
    tables.push({
      serviceName,
      port,
      protocol,
      routes: envoyRoutes,
      proxylessRoutes,
      tcpClusters: [],
      tcpIdleMs: DEFAULT_IDLE_TIMEOUT_MS,
      targets: sortTargets(targets),
      httpFilters: mergeHttpFilters(...httpFilters),
      proxylessHttpFilters: mergeHttpFilters(...proxylessHttpFilters),
    });
  }
  return tables;
}

function tcpTable(serviceName: string, port: number, clusters: WeightedCluster[], idleMs: number, targets: TargetListener[]): ServicePortTable {
  return { serviceName, port, protocol: 'tcp', routes: [], proxylessRoutes: [], tcpClusters: clusters, tcpIdleMs: idleMs, targets, httpFilters: [], proxylessHttpFilters: [] };
}

interface WeightedCluster {
  readonly name: string;
  readonly weight: number;
}

interface RenderedRoute {
  readonly route: ProtoJson;
  readonly targets: TargetListener[];
  readonly perRequestMs: number;
  readonly hasQueryMatch: boolean;
}

/** One http/http2/grpc route → Envoy route; undefined when no target resolves or all weights are 0. */
function httpFamilyRoute(mesh: CompiledMesh, resource: RouteResource, protocol: Protocol): RenderedRoute | undefined {
  const spec = resource.spec;
  const http: HttpRoute | undefined = spec.httpRoute ?? spec.http2Route;
  const grpc: GrpcRoute | undefined = spec.grpcRoute;
  const kind = http ?? grpc;
  if (!kind) return undefined;
  const resolved = resolveTargets(mesh, kind.action.weightedTargets, protocol);
  if (resolved.clusters.length === 0 || resolved.clusters.every(c => c.weight === 0)) return undefined;
  const match = http ? httpRouteMatch(http.match) : grpcRouteMatch(grpc!.match);
  const timeout: HttpTimeout | undefined = kind.timeout;
  const perRequestMs = appMeshMillis(timeout?.perRequest) ?? DEFAULT_PER_REQUEST_TIMEOUT_MS;
  const idleMs = appMeshMillis(timeout?.idle) ?? DEFAULT_IDLE_TIMEOUT_MS;
  const action: ProtoJson = {
    weighted_clusters: { clusters: resolved.clusters.map(c => ({ name: c.name, weight: u32(c.weight) })) },
    timeout: durationMs(perRequestMs),
    idle_timeout: durationMs(idleMs),
    retry_policy: retryPolicy(kind.retryPolicy),
  };
  return {
    route: { name: resource.routeName, match, route: action },
    targets: resolved.targets,
    perRequestMs,
    hasQueryMatch: !!http?.match.queryParameters?.length,
  };
}

/**
 * The route as a gRPC client takes it: same match and clusters, retries reduced to gRPC
 * conditions, the per-request timeout as route-level `max_stream_duration` (gRFC A31; grpc-js
 * ignores `timeout`). Routes matching query parameters are left out by the caller: gRPC paths
 * carry no query string, so they could never match. `perFilter`: the route's policy overrides a
 * gRPC client implements (fault injection, gRFC A33); header rules and mirrors are Envoy's only.
 */
function proxylessRoute(route: ProtoJson, perRequestMs: number, perFilter?: ProtoJson): ProtoJson {
  const envoyAction = route.route as ProtoJson;
  const action: ProtoJson = {};
  if (envoyAction.cluster !== undefined) action.cluster = envoyAction.cluster;
  if (envoyAction.weighted_clusters !== undefined) action.weighted_clusters = envoyAction.weighted_clusters;
  const retry = proxylessRetryPolicy(envoyAction.retry_policy as ProtoJson | undefined);
  if (retry) action.retry_policy = retry;
  if (perRequestMs > 0) action.max_stream_duration = { max_stream_duration: durationMs(perRequestMs) };
  const out: ProtoJson = {};
  if (route.name !== undefined) out.name = route.name;
  out.match = route.match;
  out.route = action;
  if (perFilter) out.typed_per_filter_config = perFilter;
  return out;
}

/** Weighted targets → cluster names with weights (duplicates merged, unknown targets dropped). */
interface ResolvedTargets {
  readonly clusters: WeightedCluster[];
  readonly targets: TargetListener[];
}

function resolveTargets(mesh: CompiledMesh, weighted: readonly WeightedTarget[], protocol: Protocol): ResolvedTargets {
  const weights = new Map<string, number>();
  const targets = new Map<string, TargetListener>();
  for (const wt of weighted) {
    const target = targetListener(mesh, wt.virtualNode, wt.port, protocol);
    if (!target) continue;
    weights.set(target.clusterName, (weights.get(target.clusterName) ?? 0) + wt.weight);
    targets.set(target.clusterName, target);
  }
  return {
    clusters: [...weights].map(([name, weight]) => ({ name, weight })),
    targets: sortTargets(targets),
  };
}

function sortTargets(targets: Map<string, TargetListener>): TargetListener[] {
  return [...targets.values()].sort((a, b) => (a.clusterName < b.clusterName ? -1 : a.clusterName > b.clusterName ? 1 : 0));
}

function routeProtocol(spec: RouteSpec): Protocol | undefined {
  if (spec.httpRoute) return 'http';
  if (spec.http2Route) return 'http2';
  if (spec.grpcRoute) return 'grpc';
  if (spec.tcpRoute) return 'tcp';
  return undefined;
}

function routePort(spec: RouteSpec): number | undefined {
  return (spec.httpRoute ?? spec.http2Route)?.match.port ?? spec.grpcRoute?.match.port ?? spec.tcpRoute?.match?.port;
}
