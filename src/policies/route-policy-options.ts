import { FaultInjection } from './fault-injection';
import { HeaderRule } from './header-rule';

/** Policies beyond App Mesh that HTTP, HTTP/2 and gRPC routes and gateway routes accept (docs/policies.md). */
export interface RoutePolicyOptions {
  /**
   * Delay or abort a share of the route's requests.
   * @default - no fault injection
   */
  readonly faultInjection?: FaultInjection;
  /**
   * Changes to request headers, applied before the request is forwarded.
   * @default - none
   */
  readonly requestHeaderRules?: HeaderRule[];
  /**
   * Changes to response headers.
   * @default - none
   */
  readonly responseHeaderRules?: HeaderRule[];
}
