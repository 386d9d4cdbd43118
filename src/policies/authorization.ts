import { AuthorizationPath } from './authorization-path';
import { HeaderMatch } from '../header-match';
import { HttpRouteMethod } from '../http-route-method';

/** Whether a virtual node's authorization rules are enforced or only counted. */
export enum AuthorizationMode {
  /** Requests no rule allows are refused (HTTP 403, gRPC PERMISSION_DENIED, TCP connection closed). */
  ENFORCE = 'ENFORCE',
  /**
   * Dry run: nothing is refused; Envoy counts what the rules would decide in the stats
   * `…rbac.oam_shadow.shadow_allowed` and `…rbac.oam_shadow.shadow_denied`. Proxyless gRPC servers
   * have no dry run: they get no authorization in this mode.
   */
  SHADOW = 'SHADOW',
}

/** Conditions of one `allowFrom` rule besides the callers. */
export interface AllowFromOptions {
  /**
   * Name of the rule: the RBAC policy name in Envoy's stats and logs. Unique within the node.
   * @default - `allow-<n>`, n counting the node's rules from 0
   */
  readonly name?: string;
  /**
   * Listener ports the rule applies to.
   * @default - every listener of the node
   */
  readonly ports?: number[];
  /**
   * Request paths allowed (any of them). A rule with HTTP conditions does not apply to TCP listeners.
   * @default - any path
   */
  readonly paths?: AuthorizationPath[];
  /**
   * HTTP methods allowed (any of them); gRPC calls are POST.
   * @default - any method
   */
  readonly methods?: HttpRouteMethod[];
  /**
   * Request headers that must all match.
   * @default - no header condition
   */
  readonly headers?: HeaderMatch[];
}
