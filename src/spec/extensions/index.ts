import { AuthorizationPolicy } from './authorization';
import { EnvoyPatchSpec } from './envoy-patch';
import { ExternalAuthorizationPolicy } from './external-authorization';
import { FaultInjectionPolicy } from './fault-injection';
import { HeaderRulesPolicy } from './header-rules';
import { JwtAuthenticationPolicy } from './jwt-authentication';
import { ListenerRateLimitPolicy, RateLimitPolicy } from './rate-limit';
import { RequestMirrorPolicy } from './request-mirror';

export * from './fault-injection';
export * from './header-rules';
export * from './request-mirror';
export * from './authorization';
export * from './external-authorization';
export * from './jwt-authentication';
export * from './rate-limit';
export * from './envoy-patch';

/*
 * The extension section of the mesh spec (docs/policies.md): policies App Mesh never had, carried
 * beside a resource's `spec` as `extensions`, never inside it, so App Mesh field names keep their
 * meaning. Every field is optional; a document with any extension declares `open-app-mesh/v2`.
 */

/** Policies of a route (beside `RouteResource.spec`). */
export interface RouteExtensions {
  /** Delay or abort a share of the route's requests. */
  readonly faultInjection?: FaultInjectionPolicy;
  /** Copy a share of the route's requests to other virtual nodes. */
  readonly requestMirrors?: RequestMirrorPolicy[];
  /** Request and response headers to add, set or remove. */
  readonly headerRules?: HeaderRulesPolicy;
  /** A local rate limit of the route's requests, in each caller's Envoy. */
  readonly rateLimit?: RateLimitPolicy;
}

/** Policies of a gateway route (beside `GatewayRouteResource.spec`). */
export interface GatewayRouteExtensions {
  /** Delay or abort a share of the gateway route's requests. */
  readonly faultInjection?: FaultInjectionPolicy;
  /** Request and response headers to add, set or remove. */
  readonly headerRules?: HeaderRulesPolicy;
  /** A local rate limit of the gateway route's requests, in the gateway's Envoy. */
  readonly rateLimit?: RateLimitPolicy;
}

/** Policies of a virtual node (beside `VirtualNodeResource.spec`). */
export interface VirtualNodeExtensions {
  /** Local rate limits on the inbound listeners (one per port, or one for every listener). */
  readonly rateLimits?: ListenerRateLimitPolicy[];
  /** Which mesh workloads may call the node (RBAC on its inbound listeners). */
  readonly authorization?: AuthorizationPolicy;
  /** Patches of the node's Envoy resources, applied last (docs/envoy-patches.md). */
  readonly envoyPatches?: EnvoyPatchSpec[];
}

/** Policies of a virtual gateway (beside `VirtualGatewayResource.spec`). */
export interface VirtualGatewayExtensions {
  /** End-user JWT validation on the gateway's listeners. */
  readonly jwtAuthentication?: JwtAuthenticationPolicy;
  /** A check of every request with an authorization service of the mesh. */
  readonly externalAuthorization?: ExternalAuthorizationPolicy;
  /** Patches of the gateway's Envoy resources, applied last (docs/envoy-patches.md). */
  readonly envoyPatches?: EnvoyPatchSpec[];
}
