import { accessLogs } from './access-log';
import { selfRedirectCluster } from './clusters';
import { ResourceCollector } from './collector';
import { CompiledMesh } from './compile';
import {
  BIND_ADDRESS_V4,
  DEFAULT_PER_REQUEST_TIMEOUT_MS,
  EGRESS_PORT,
  LOCAL_ADDRESS_V4,
  VIRTUAL_SERVICE_HEADER,
} from './defaults';
import { httpConnectionManagerFilter, tlsInspectorFilter } from './http-connection-manager';
import { exactHeader, grpcRouteMatch, hostnameMatcher, httpRouteMatch } from './match';
import {
  EGRESS_STAT_PREFIX,
  egressListenerName,
  egressRouteConfigName,
  ingressListenerName,
  ingressRouteConfigName,
  ingressStatPrefix,
  Protocol,
  selfRedirectClusterName,
} from './names';
import { gatewayAuthFilters } from './policies/gateway-auth';
import { mergeHttpFilters } from './policies/http-filters';
import { applyRoutePolicies } from './policies/route-policies';
import { durationMs, socketAddress, u32 } from './proto-json';
import { ServicePortTable } from './service-routes';
import { listenerTransportSocket } from './tls';
import { DiscoveredEndpoints, ProtoJson } from './types';
import { addRemoteClusters, ClusterRequest, tlsChains } from './virtual-node';
import { GatewayRouteSpec, HttpGatewayRoute } from '../../../src/spec/appmesh-types';
import { GatewayRouteResource, VirtualGatewayResource } from '../../../src/spec/document';

/**
 * Virtual gateways (docs/envoy-mapping.md §8): gateway listener → ingress routes pick a gateway
 * route, rewrite, and send the request to the gateway's own 15001 → the outbound route table picks
 * the virtual service's routes → remote node.
 */
export function renderVirtualGateway(mesh: CompiledMesh, gateway: VirtualGatewayResource, endpoints: DiscoveredEndpoints): ResourceCollector {
  const out = new ResourceCollector();
  const listeners = [...gateway.spec.listeners].sort((a, b) => a.portMapping.port - b.portMapping.port);
  const multi = listeners.length > 1;
  const accessLog = accessLogs(gateway.spec.logging?.accessLog?.file);
  const routes = mesh.gatewayRoutesByGateway.get(gateway.virtualGatewayName) ?? [];
  const httpFilters = gatewayAuthFilters(out, mesh, gateway, endpoints);

  for (const listener of listeners) {
    const { port, protocol } = listener.portMapping;
    const redirect = selfRedirectClusterName(mesh.meshName, gateway.virtualGatewayName, protocol, port, multi);
    out.addCluster(selfRedirectCluster(redirect, protocol, listener.connectionPool, LOCAL_ADDRESS_V4, EGRESS_PORT));
    const routeConfigName = ingressRouteConfigName(protocol, port);
    const onListener = routes.filter(r => gatewayRouteProtocol(r.spec) === protocol && (gatewayRoutePort(r.spec) ?? port) === port);
    // Gateway route policies (docs/policies.md): fields of each route, and the filters they need here.
    const withPolicies = onListener.flatMap(r => gatewayRouteToEnvoy(r, redirect).map(route => applyRoutePolicies(mesh, r.extensions, route)));
    const routeFilters = mergeHttpFilters(...withPolicies.map(p => p.httpFilters));
    out.addRoute({
      name: routeConfigName,
      virtual_hosts: [{
        name: 'self_redirect',
        domains: ['*'],
        routes: withPolicies.map(p => p.route),
      }],
    });
    const filter = httpConnectionManagerFilter({
      statPrefix: ingressStatPrefix(protocol, port, multi),
      routeConfigName,
      accessLog,
      normalizePaths: true,
      ...(httpFilters.length || routeFilters.length ? { httpFilters: mergeHttpFilters(httpFilters, routeFilters) } : {}),
    });
    out.addListener({
      name: ingressListenerName(port),
      address: socketAddress(BIND_ADDRESS_V4, port),
      traffic_direction: 'INBOUND',
      listener_filters: [tlsInspectorFilter()],
      filter_chains: tlsChains(`ingress_${protocol}_${port}`, port, filter, listenerTransportSocket(listener.tls), listener.tls?.mode),
    });
  }
  renderGatewayEgress(out, mesh, gateway, routes, endpoints, accessLog);
  return out;
}

/** A virtual service a gateway route targets, with the port the route names (`target.port`), if any. */
export interface GatewayTarget {
  readonly serviceName: string;
  readonly port?: number;
}

/** Every distinct (service, port) the gateway's routes target, by service name, then port (none first). */
export function gatewayTargets(routes: readonly GatewayRouteResource[]): GatewayTarget[] {
  const targets = new Map<string, GatewayTarget>();
  for (const route of routes) {
    const target = (route.spec.httpRoute ?? route.spec.http2Route ?? route.spec.grpcRoute)?.action.target;
    if (!target) continue;
    const serviceName = target.virtualService.virtualServiceName;
    const found: GatewayTarget = target.port !== undefined ? { serviceName, port: target.port } : { serviceName };
    targets.set(gatewayTargetAuthority(found), found);
  }
  const byName = (a: GatewayTarget, b: GatewayTarget) => (a.serviceName < b.serviceName ? -1 : a.serviceName > b.serviceName ? 1 : 0);
  return [...targets.values()].sort((a, b) => byName(a, b) || (a.port ?? -1) - (b.port ?? -1));
}

/**
 * The authority a gateway route's requests carry from the ingress hop to the re-entry hop (and
 * the name a proxyless client dials): the service name, or `<service>:<port>` when the route
 * names a target port, so routes to different ports of one service reach different tables.
 */
export function gatewayTargetAuthority(target: GatewayTarget): string {
  return target.port === undefined ? target.serviceName : `${target.serviceName}:${target.port}`;
}

/** The table a gateway target uses: the one of its port; without a port, the first HTTP-family one. */
export function gatewayTable(tables: readonly ServicePortTable[], port: number | undefined): ServicePortTable | undefined {
  const http = tables.filter(t => t.protocol !== 'tcp');
  return port !== undefined ? http.find(t => t.port === port) : http[0];
}

/**
 * Re-entry side: `lds_egress_0.0.0.0_15001` → `rds_egress_http_15001` with a virtual host per
 * targeted service (domains `[<vs>, <vs>:15001]`) and per targeted (service, port) (domain
 * `<vs>:<port>`), empty when it has no routes, and a `default_backend` virtual host that picks
 * one by `x-app-mesh-virtual-service`.
 */
function renderGatewayEgress(
  out: ResourceCollector,
  mesh: CompiledMesh,
  gateway: VirtualGatewayResource,
  routes: readonly GatewayRouteResource[],
  endpoints: DiscoveredEndpoints,
  accessLog: ProtoJson[] | undefined,
): void {
  const policy = gateway.spec.backendDefaults?.clientPolicy;
  const virtualHosts: ProtoJson[] = [];
  const defaultRoutes: ProtoJson[] = [];
  const requests: ClusterRequest[] = [];
  const tables: ServicePortTable[] = [];
  for (const target of gatewayTargets(routes)) {
    const authority = gatewayTargetAuthority(target);
    const table = gatewayTable(mesh.tablesOf(target.serviceName), target.port);
    virtualHosts.push({
      name: authority,
      domains: target.port === undefined ? [authority, `${authority}:${EGRESS_PORT}`] : [authority],
      routes: table ? table.routes : [],
    });
    if (!table) continue;
    tables.push(table);
    const selector = exactHeader(VIRTUAL_SERVICE_HEADER, authority);
    for (const route of table.routes) {
      const match = route.match as ProtoJson;
      defaultRoutes.push({ ...route, match: { ...match, headers: [selector, ...((match.headers as ProtoJson[] | undefined) ?? [])] } });
    }
    for (const listener of table.targets) requests.push({ target: listener, policy });
  }
  virtualHosts.push({ name: 'default_backend', domains: ['*'], routes: defaultRoutes, response_headers_to_remove: [VIRTUAL_SERVICE_HEADER] });
  const routeConfigName = egressRouteConfigName('http', EGRESS_PORT);
  out.addRoute({ name: routeConfigName, virtual_hosts: virtualHosts });
  // Route policies of the targeted services' routes need their filters in this HCM.
  const policyFilters = mergeHttpFilters(...tables.map(t => t.httpFilters));
  out.addListener({
    name: egressListenerName(),
    address: socketAddress(BIND_ADDRESS_V4, EGRESS_PORT),
    traffic_direction: 'OUTBOUND',
    filter_chains: [{
      name: `egress_http_${EGRESS_PORT}`,
      filter_chain_match: { destination_port: u32(EGRESS_PORT) },
      filters: [httpConnectionManagerFilter({
        statPrefix: EGRESS_STAT_PREFIX,
        routeConfigName,
        accessLog,
        ...(policyFilters.length ? { httpFilters: policyFilters } : {}),
      })],
    }],
  });
  addRemoteClusters(out, mesh, requests, endpoints, 'envoy');
}

/**
 * One gateway route → Envoy routes to the self-redirect cluster. Defaults (§7, §8): the matched
 * prefix is rewritten to `/` and Host to the target service; 15 s timeout. A prefix `/foo/` also
 * gets an exact `/foo` twin so the bare path matches too.
 */
function gatewayRouteToEnvoy(resource: GatewayRouteResource, cluster: string): ProtoJson[] {
  const spec = resource.spec;
  const http: HttpGatewayRoute | undefined = spec.httpRoute ?? spec.http2Route;
  const grpc = spec.grpcRoute;
  const kind = http ?? grpc;
  if (!kind) return [];
  const target = kind.action.target;
  // Host (or the selecting header) names the port too when the route names one: see gatewayTargetAuthority.
  const authority = gatewayTargetAuthority({ serviceName: target.virtualService.virtualServiceName, port: target.port });
  const hostname = kind.match.hostname ? hostnameMatcher(kind.match.hostname) : undefined;
  const extraHeaders = hostname ? [hostname] : [];
  const action: ProtoJson = { cluster, timeout: durationMs(DEFAULT_PER_REQUEST_TIMEOUT_MS) };
  const route: ProtoJson = { name: resource.gatewayRouteName };
  const keepHost = kind.action.rewrite?.hostname?.defaultTargetHostname === 'DISABLED';
  if (!keepHost) {
    action.host_rewrite_literal = authority;
  } else {
    route.request_headers_to_add = [{ header: { key: VIRTUAL_SERVICE_HEADER, value: authority }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }];
  }
  if (grpc) {
    return [{ ...route, match: grpcRouteMatch(grpc.match, extraHeaders), route: action }];
  }
  const match = http!.match;
  const rewrite = http!.action.rewrite;
  let twinPrefix: string | undefined;
  if (match.prefix !== undefined) {
    const prefixRewrite = rewrite?.prefix?.value ?? (rewrite?.prefix?.defaultPrefix === 'DISABLED' ? undefined : '/');
    if (prefixRewrite !== undefined && prefixRewrite !== match.prefix) {
      action.prefix_rewrite = prefixRewrite;
      if (match.prefix.length > 1 && match.prefix.endsWith('/')) twinPrefix = match.prefix.slice(0, -1);
    }
  } else if (match.path?.exact !== undefined && rewrite?.path?.exact !== undefined) {
    // With a path match, prefix_rewrite replaces the whole path.
    action.prefix_rewrite = rewrite.path.exact;
  }
  const routesOut: ProtoJson[] = [];
  if (twinPrefix !== undefined) {
    routesOut.push({ ...route, name: `${resource.gatewayRouteName}_exact`, match: httpRouteMatch({ ...match, prefix: undefined, path: { exact: twinPrefix } }, extraHeaders), route: action });
  }
  routesOut.push({ ...route, match: httpRouteMatch(match, extraHeaders), route: action });
  return routesOut;
}

function gatewayRouteProtocol(spec: GatewayRouteSpec): Protocol | undefined {
  if (spec.httpRoute) return 'http';
  if (spec.http2Route) return 'http2';
  if (spec.grpcRoute) return 'grpc';
  return undefined;
}

function gatewayRoutePort(spec: GatewayRouteSpec): number | undefined {
  return (spec.httpRoute ?? spec.http2Route ?? spec.grpcRoute)?.match.port;
}

