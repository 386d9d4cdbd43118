import { GatewayRouteExtensions, RouteExtensions } from '../../../../src/spec/extensions';
import { CompiledMesh, TargetListener } from '../compile';
import { ProtoJson } from '../types';
import { FAULT_FILTER, faultFilter, faultPerRoute } from './fault-injection';
import { headerRuleFields } from './header-rules';
import { HTTP_LOCAL_RATE_LIMIT, httpLocalRateLimitConfig, httpLocalRateLimitFilter } from './rate-limit';
import { requestMirrors } from './request-mirror';

/**
 * The one place a route's or gateway route's `extensions` (docs/policies.md) become Envoy: fields
 * of the route, HTTP filters the HCM serving it must carry, and clusters it needs. Pure.
 */
export interface RoutePolicies {
  /** The Envoy route with its policies applied. */
  readonly route: ProtoJson;
  /** The route's per-filter overrides a gRPC client implements (A33 fault injection only). */
  readonly proxylessPerFilter?: ProtoJson;
  /** HTTP filters the Envoy HCM needs for this route (before the router; merge with mergeHttpFilters). */
  readonly httpFilters: readonly ProtoJson[];
  /** HTTP filters a gRPC client's HCM needs for this route. */
  readonly proxylessHttpFilters: readonly ProtoJson[];
  /** Listeners whose clusters the caller needs beyond the route's targets (mirrors). */
  readonly targets: readonly TargetListener[];
}

const NONE: RoutePolicies = { route: {}, httpFilters: [], proxylessHttpFilters: [], targets: [] };

/** `route` (an Envoy route with an action) with the policies of `extensions` applied. */
export function applyRoutePolicies(
  mesh: CompiledMesh,
  extensions: RouteExtensions | GatewayRouteExtensions | undefined,
  route: ProtoJson,
): RoutePolicies {
  if (extensions === undefined) return { ...NONE, route };
  const out: ProtoJson = { ...route };
  const perFilter: ProtoJson = {};
  const httpFilters: ProtoJson[] = [];
  const proxylessHttpFilters: ProtoJson[] = [];
  let proxylessPerFilter: ProtoJson | undefined;
  let targets: TargetListener[] = [];
  if (extensions.faultInjection) {
    const fault = faultPerRoute(extensions.faultInjection);
    perFilter[FAULT_FILTER] = fault;
    httpFilters.push(faultFilter());
    // gRPC clients ignore HTTPFault.headers (grpc-js-xds 1.14 reads delay, abort and
    // max_active_faults only): a header-gated fault would hit every call, so they get none.
    if (extensions.faultInjection.headerPresent === undefined) {
      proxylessPerFilter = { [FAULT_FILTER]: fault };
      proxylessHttpFilters.push(faultFilter());
    }
  }
  const mirrors = (extensions as RouteExtensions).requestMirrors;
  if (mirrors?.length) {
    const rendered = requestMirrors(mesh, mirrors);
    if (rendered.policies.length > 0) out.route = { ...(out.route as ProtoJson), request_mirror_policies: rendered.policies };
    targets = rendered.targets;
  }
  if (extensions.rateLimit) {
    // The HCM's filter has no bucket of its own: only routes with a limit are limited (Envoy only; gRPC has no local rate limit).
    perFilter[HTTP_LOCAL_RATE_LIMIT] = httpLocalRateLimitConfig(extensions.rateLimit);
    httpFilters.push(httpLocalRateLimitFilter(undefined));
  }
  if (extensions.headerRules) Object.assign(out, headerRuleFields(extensions.headerRules, route.request_headers_to_add as ProtoJson[] | undefined));
  if (Object.keys(perFilter).length > 0) out.typed_per_filter_config = { ...(route.typed_per_filter_config as ProtoJson | undefined), ...perFilter };
  return { route: out, ...(proxylessPerFilter ? { proxylessPerFilter } : {}), httpFilters, proxylessHttpFilters, targets };
}
