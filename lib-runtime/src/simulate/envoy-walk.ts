import { describeChains, selectFilterChain, Connection } from './filter-chain';
import { normalizePath } from './path-normalization';
import { hostOf, SimRequest } from './request';
import { applyRewrites, clustersOf, durationText, numberOf, policyOf, WeightedCluster } from './route-action';
import { routeExtras } from './route-extras';
import { evaluateRoute, MatchableRequest } from './route-match';
import type { Hop, Outcome, RouteVerdict, Target } from './simulation';
import { ClusterLabel, describeTargets } from './targets';
import { selectVirtualHost } from './virtual-host';
import type { EnvoyConfig, ProtoJson } from '../translate';

/**
 * The Envoy view walked as Envoy walks it: the listener that receives the connection (the
 * intercepting outbound listener of a sidecar, or the listener bound to the port), its filter
 * chain, the HTTP connection manager's route configuration, the virtual host, the first route
 * that matches, and that route's clusters. When a route's only cluster points back at one of the
 * node's own listeners on loopback (a gateway's self-redirect to its 15001), the rewritten
 * request is walked again there.
 */

export interface WalkResult {
  readonly outcome: Outcome;
  readonly reason?: string;
  readonly hops: Hop[];
  readonly targets: Target[];
  readonly notes: string[];
}

const HCM = 'envoy.filters.network.http_connection_manager';
const TCP_PROXY = 'envoy.filters.network.tcp_proxy';
const ORIGINAL_DST = 'envoy.filters.listener.original_dst';
const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];
/** A self-redirect loop would never end; Envoy's own guard is the request's timeout. */
const MAX_HOPS = 4;

type Request = MatchableRequest & { readonly authority: string; readonly method: string };

function boundPort(listener: ProtoJson): number | undefined {
  return numberOf(((listener.address as ProtoJson | undefined)?.socket_address as ProtoJson | undefined)?.port_value);
}

function intercepting(listener: ProtoJson): boolean {
  const filters = (listener.listener_filters ?? []) as ProtoJson[];
  return listener.traffic_direction === 'OUTBOUND' && filters.some(f => f.name === ORIGINAL_DST);
}

export function walkEnvoy(config: EnvoyConfig, request: SimRequest, labels: ReadonlyMap<string, ClusterLabel>): WalkResult {
  const hops: Hop[] = [];
  const notes: string[] = [];
  const done = (outcome: Outcome, reason: string | undefined, targets: Target[] = []): WalkResult =>
    ({ outcome, ...(reason !== undefined ? { reason } : {}), hops, targets, notes });

  let listener = config.listeners.find(intercepting);
  let entry: string;
  if (listener) {
    entry = `the application's connection to port ${request.port} is redirected here (traffic interception); original_dst restores port ${request.port}`;
  } else {
    listener = config.listeners.find(l => boundPort(l) === request.port);
    entry = `bound to port ${request.port}`;
  }
  if (!listener) {
    const ports = config.listeners.map(l => `${String(l.name)} (port ${boundPort(l) ?? '?'})`).join(', ') || 'none';
    return done('refused', `no listener of this node takes connections to port ${request.port}; its listeners: ${ports}`);
  }
  let connection: Connection = request.scheme === 'https'
    ? { port: request.port, serverName: hostOf(request.authority), transportProtocol: 'tls' }
    : { port: request.port, transportProtocol: 'raw_buffer' };
  let current: Request = {
    method: request.method,
    authority: request.authority,
    path: request.path,
    headers: [[':method', request.method], [':scheme', request.scheme], [':authority', request.authority], [':path', request.path], ...request.headers],
  };

  for (let hopCount = 0; hopCount < MAX_HOPS; hopCount++) {
    const listenerName = String(listener.name);
    const hopBase = { listener: listenerName, entry, request: { method: current.method, authority: current.authority, path: current.path } };
    const choice = selectFilterChain(listener, connection);
    if (!choice) {
      hops.push({ ...hopBase, routes: [], notTried: 0 });
      return done('refused', `no filter chain of ${listenerName} accepts a ${connection.transportProtocol === 'tls' ? 'TLS ' : ''}connection to port ${connection.port}, so Envoy closes it; chains: ${describeChains(listener)}`);
    }
    const chain = choice.chain;
    const chainName = `${String(chain.name ?? '(unnamed)')} (${choice.why})`;
    const filters = (chain.filters ?? []) as ProtoJson[];
    const tcp = filters.find(f => f.name === TCP_PROXY);
    const hcmFilter = filters.find(f => f.name === HCM);
    if (chain.transport_socket && connection.transportProtocol !== 'tls') {
      hops.push({ ...hopBase, filterChain: chainName, routes: [], notTried: 0 });
      return done('refused', `filter chain ${String(chain.name)} terminates TLS and the request is plain text: the TLS handshake fails (use an https:// URL)`);
    }
    if (tcp) {
      const proxy = (tcp.typed_config ?? {}) as ProtoJson;
      const idle = durationText(proxy.idle_timeout);
      hops.push({ ...hopBase, filterChain: chainName, routes: [], notTried: 0, tcpProxy: idle ? { idleTimeout: idle } : {} });
      notes.push('a TCP proxy forwards the connection as it is: no HTTP routing, headers and path play no part');
      return done('routed', undefined, describeTargets(clustersOf(proxy), config, labels));
    }
    if (!hcmFilter) {
      hops.push({ ...hopBase, filterChain: chainName, routes: [], notTried: 0 });
      return done('refused', `filter chain ${String(chain.name)} has neither an HTTP connection manager nor a TCP proxy`);
    }
    if (connection.transportProtocol === 'tls' && !chain.transport_socket) {
      hops.push({ ...hopBase, filterChain: chainName, routes: [], notTried: 0 });
      return done('refused', `filter chain ${String(chain.name)} does not terminate TLS, so its HTTP connection manager cannot read an https:// request`);
    }
    const hcm = (hcmFilter.typed_config ?? {}) as ProtoJson;
    const rdsName = (hcm.rds as ProtoJson | undefined)?.route_config_name as string | undefined;
    const routeConfig = (hcm.route_config as ProtoJson | undefined) ?? config.routes.find(r => r.name === rdsName);
    if (!routeConfig) {
      hops.push({ ...hopBase, filterChain: chainName, routes: [], notTried: 0 });
      return done('refused', `route configuration ${rdsName} is not served to this node: Envoy waits for it and then answers 404`);
    }
    const routeConfigName = String(routeConfig.name ?? rdsName ?? '(inline)');
    const normalized = normalizePath(current.path, {
      dotSegments: (hcm.normalize_path as { value?: boolean } | undefined)?.value === true,
      mergeSlashes: hcm.merge_slashes === true,
    });
    if (normalized !== current.path) current = withHeader({ ...current, path: normalized }, ':path', normalized);
    const stripPort = hcm.strip_any_host_port === true || routeConfig.ignore_port_in_host_matching === true
      || (hcm.strip_matching_host_port === true && portOf(current.authority) === connection.port);
    const host = stripPort ? hostOf(current.authority) : current.authority;
    const normalizedPath = normalized !== hopBase.request.path ? { normalizedPath: normalized } : {};
    const hop = { ...hopBase, filterChain: chainName, routeConfiguration: routeConfigName, ...normalizedPath };
    const virtualHosts = (routeConfig.virtual_hosts ?? []) as ProtoJson[];
    const vh = selectVirtualHost(virtualHosts, host, 'envoy');
    if (!vh) {
      hops.push({ ...hop, routes: [], notTried: 0 });
      const domains = virtualHosts.map(v => `${String(v.name)} [${((v.domains ?? []) as string[]).join(', ')}]`).join('; ') || 'none';
      return done('no-route', `no virtual host of ${routeConfigName} has a domain matching host "${host}", so Envoy answers 404 (NR); virtual hosts: ${domains}`);
    }
    const virtualHost = { name: String(vh.virtualHost.name), domains: (vh.virtualHost.domains ?? []) as string[], matchedBy: `${vh.kind} domain "${vh.pattern}" matches host "${host}"` };
    const routes = (vh.virtualHost.routes ?? []) as ProtoJson[];
    const verdicts: RouteVerdict[] = [];
    let matched: ProtoJson | undefined;
    for (let i = 0; i < routes.length && !matched; i++) {
      const verdict = evaluateRoute(routes[i], i, current, 'envoy', text => notes.push(text));
      verdicts.push(verdict);
      if (verdict.matched) matched = routes[i];
    }
    const notTried = routes.length - verdicts.length;
    if (!matched) {
      hops.push({ ...hop, virtualHost, routes: verdicts, notTried });
      return done('no-route', `no route of virtual host ${virtualHost.name} matches (${routes.length} tried), so Envoy answers 404 (NR)`);
    }
    const verdict = verdicts[verdicts.length - 1];
    if (verdict.probability !== undefined && verdict.probability < 1) {
      notes.push(`route ${verdict.name} matches only ${(verdict.probability * 100).toFixed(1)} % of such requests (runtime_fraction); the rest continue with the routes after it`);
    }
    const action = matched.route as ProtoJson | undefined;
    if (!action) {
      hops.push({ ...hop, virtualHost, routes: verdicts, notTried, route: verdict.name });
      const what = matched.redirect ? 'redirects the client' : matched.direct_response ? `answers ${String((matched.direct_response as ProtoJson).status)} itself` : 'has no route action';
      return done('no-route', `route ${verdict.name} ${what}: the request goes to no cluster`);
    }
    const policy = policyOf(action, 'envoy', text => notes.push(text));
    const rewritten = applyRewrites(matched, vh.virtualHost, current);
    const clusters = clustersOf(action);
    const redirect = selfRedirect(clusters, config);
    const rewrite = rewritten.rewrite ? { rewrite: rewritten.rewrite } : {};
    const extras = routeExtras(matched);
    const also = extras.length > 0 ? { also: extras } : {};
    const base = { ...hop, virtualHost, routes: verdicts, notTried, route: verdict.name, policy, ...rewrite, ...also };
    if (!redirect) {
      hops.push(base);
      if (clusters.length === 0) return done('no-route', `route ${verdict.name} names no cluster`);
      return done('routed', undefined, describeTargets(clusters, config, labels));
    }
    hops.push({ ...base, next: `cluster ${clusters[0].name} sends to ${redirect.address}:${redirect.port}, this node's own listener ${String(redirect.listener.name)}: the request is routed again there` });
    listener = redirect.listener;
    entry = `from cluster ${clusters[0].name} (the node's own ${redirect.address}:${redirect.port})`;
    connection = { port: redirect.port, transportProtocol: 'raw_buffer' };
    current = { ...rewritten.request, method: current.method };
  }
  return done('refused', `the request loops through this node's own listeners more than ${MAX_HOPS} times`);
}

function withHeader(request: Request, name: string, value: string): Request {
  return { ...request, headers: request.headers.map(([n, v]) => [n, n === name ? value : v] as const) };
}

function portOf(authority: string): number | undefined {
  const match = /:(\d+)$/.exec(authority);
  return match ? Number(match[1]) : undefined;
}

/** A single STATIC cluster whose endpoints are all loopback on a port one of the node's listeners binds. */
function selfRedirect(clusters: readonly WeightedCluster[], config: EnvoyConfig): { listener: ProtoJson; address: string; port: number } | undefined {
  if (clusters.length !== 1) return undefined;
  const cluster = config.clusters.find(c => c.name === clusters[0].name);
  if (!cluster || (cluster.type ?? 'STATIC') !== 'STATIC') return undefined;
  const addresses: Array<{ address: string; port: number }> = [];
  for (const locality of (((cluster.load_assignment as ProtoJson | undefined)?.endpoints ?? []) as ProtoJson[])) {
    for (const lb of (locality.lb_endpoints ?? []) as ProtoJson[]) {
      const socket = (((lb.endpoint as ProtoJson | undefined)?.address as ProtoJson | undefined)?.socket_address ?? {}) as ProtoJson;
      addresses.push({ address: String(socket.address), port: numberOf(socket.port_value) ?? 0 });
    }
  }
  if (addresses.length === 0 || !addresses.every(a => LOOPBACK.includes(a.address) && a.port === addresses[0].port)) return undefined;
  const listener = config.listeners.find(l => boundPort(l) === addresses[0].port && !intercepting(l));
  return listener ? { listener, ...addresses[0] } : undefined;
}
