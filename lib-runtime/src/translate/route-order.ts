import { GatewayRouteResource, RouteResource } from '../../../src/spec/document';

/**
 * App Mesh's route order (docs/envoy-mapping.md §6): explicit `priority` 0–1000 first, 0 first;
 * routes without priority after them, longer matches first; ties broken by name so the output is
 * deterministic.
 */
const NO_PRIORITY = 1001;

export function compareRoutes(a: RouteResource, b: RouteResource): number {
  return compareKeys(
    a.spec.priority ?? NO_PRIORITY, routeMatchLength(a), a.routeName,
    b.spec.priority ?? NO_PRIORITY, routeMatchLength(b), b.routeName,
  );
}

/** Gateway routes: priority first, then the longest prefix (so `/` comes last), then name. */
export function compareGatewayRoutes(a: GatewayRouteResource, b: GatewayRouteResource): number {
  return compareKeys(
    a.spec.priority ?? NO_PRIORITY, gatewayRouteMatchLength(a), a.gatewayRouteName,
    b.spec.priority ?? NO_PRIORITY, gatewayRouteMatchLength(b), b.gatewayRouteName,
  );
}

function compareKeys(pa: number, la: number, na: string, pb: number, lb: number, nb: string): number {
  if (pa !== pb) return pa - pb;
  if (la !== lb) return lb - la;
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** Length of the path part of a route's match: how specific it is. */
export function routeMatchLength(route: RouteResource): number {
  const spec = route.spec;
  const http = spec.httpRoute ?? spec.http2Route;
  if (http) {
    const m = http.match;
    return (m.prefix ?? m.path?.exact ?? m.path?.regex ?? '').length;
  }
  if (spec.grpcRoute) {
    const m = spec.grpcRoute.match;
    return (m.serviceName ?? '').length + (m.methodName ?? '').length;
  }
  return 0;
}

function gatewayRouteMatchLength(route: GatewayRouteResource): number {
  const spec = route.spec;
  const http = spec.httpRoute ?? spec.http2Route;
  if (http) {
    const m = http.match;
    return (m.prefix ?? m.path?.exact ?? m.path?.regex ?? '').length;
  }
  return (spec.grpcRoute?.match.serviceName ?? '').length;
}
