import type { WalkResult } from './envoy-walk';
import type { SimRequest } from './request';
import { clustersOf, policyOf } from './route-action';
import { routeExtras } from './route-extras';
import { evaluateRoute, MatchableRequest } from './route-match';
import type { Hop, RouteVerdict, Target } from './simulation';
import { ClusterLabel, describeTargets } from './targets';
import { selectVirtualHost } from './virtual-host';
import type { EnvoyConfig, ProtoJson } from '../translate';

/**
 * The proxyless view walked as a gRPC client (@grpc/grpc-js-xds) walks it: the channel to
 * `xds:///<name>` asks for the Listener named `<name>`, reads the route configuration of its
 * api_listener, picks the virtual host by `<name>` (the channel's authority), and matches each
 * call's method path and metadata against the routes in order; the first match picks the weighted
 * clusters. Timeouts are `max_stream_duration`; retries are gRPC status codes only.
 */

const ROUTE_TYPE = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';

export function walkProxyless(config: EnvoyConfig, request: SimRequest, labels: ReadonlyMap<string, ClusterLabel>): WalkResult {
  const hops: Hop[] = [];
  const notes: string[] = [];
  const target = request.xdsTarget!;
  const done = (outcome: WalkResult['outcome'], reason: string | undefined, targets: Target[] = []): WalkResult =>
    ({ outcome, ...(reason !== undefined ? { reason } : {}), hops, targets, notes });
  const hopBase = { listener: target, entry: `the channel to xds:///${target} subscribes to the Listener named "${target}"`, request: { method: request.method, authority: target, path: request.path } };

  const listener = config.listeners.find(l => l.name === target && l.api_listener !== undefined);
  if (!listener) {
    const names = config.listeners.filter(l => l.api_listener !== undefined).map(l => String(l.name));
    return done('refused', `the proxyless view has no Listener named "${target}", so the channel fails to resolve (the resource does not exist); `
      + `this node may dial ${names.length > 0 ? names.map(n => `xds:///${n}`).join(', ') : 'nothing'}`);
  }
  const hcm = (((listener.api_listener as ProtoJson).api_listener ?? {}) as ProtoJson);
  const rdsName = (hcm.rds as ProtoJson | undefined)?.route_config_name as string | undefined;
  const routeConfig = (hcm.route_config as ProtoJson | undefined) ?? config.routes.find(r => r.name === rdsName);
  if (!routeConfig) {
    hops.push({ ...hopBase, routes: [], notTried: 0 });
    return done('refused', `route configuration ${rdsName ?? '(none)'} of Listener "${target}" is not served: the channel does not resolve`);
  }
  const routeConfiguration = `${String(routeConfig.name ?? rdsName)} (${hcm.route_config ? 'inline in the Listener' : ROUTE_TYPE})`;
  const virtualHosts = (routeConfig.virtual_hosts ?? []) as ProtoJson[];
  const vh = selectVirtualHost(virtualHosts, target, 'grpc');
  if (!vh) {
    hops.push({ ...hopBase, routeConfiguration, routes: [], notTried: 0 });
    return done('refused', `no virtual host of ${String(routeConfig.name)} has a domain matching "${target}": the client rejects the configuration and calls fail UNAVAILABLE`);
  }
  const virtualHost = { name: String(vh.virtualHost.name), domains: (vh.virtualHost.domains ?? []) as string[], matchedBy: `${vh.kind} domain "${vh.pattern}" matches the channel's authority "${target}"` };
  // A gRPC client matches the method path and the call's own metadata; content-type is implied.
  const call: MatchableRequest = { path: request.path, headers: request.headers.filter(([name]) => name !== 'content-type' && name !== 'te') };
  const routes = (vh.virtualHost.routes ?? []) as ProtoJson[];
  const verdicts: RouteVerdict[] = [];
  let matched: ProtoJson | undefined;
  for (let i = 0; i < routes.length && !matched; i++) {
    const verdict = evaluateRoute(routes[i], i, call, 'grpc', text => notes.push(text));
    verdicts.push(verdict);
    if (verdict.matched) matched = routes[i];
  }
  const hop = { ...hopBase, routeConfiguration, virtualHost, routes: verdicts, notTried: routes.length - verdicts.length };
  if (!matched) {
    hops.push(hop);
    return done('no-route', `no route of virtual host ${virtualHost.name} matches (${routes.length} tried): the call fails UNAVAILABLE`);
  }
  const verdict = verdicts[verdicts.length - 1];
  const action = (matched.route ?? {}) as ProtoJson;
  const policy = policyOf(action, 'grpc', text => notes.push(text));
  const extras = routeExtras(matched);
  hops.push({ ...hop, route: verdict.name, policy, ...(extras.length > 0 ? { also: extras } : {}) });
  const clusters = clustersOf(action);
  if (clusters.length === 0) return done('no-route', `route ${verdict.name} names no cluster`);
  return done('routed', undefined, describeTargets(clusters, config, labels));
}
