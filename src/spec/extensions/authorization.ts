import { HttpRouteHeader } from '../appmesh-types';

/** Who may call: workloads of this mesh, by name. */
export interface AuthorizationSource {
  /** Virtual nodes of the mesh. */
  readonly virtualNodes?: string[];
  /** Virtual gateways of the mesh. */
  readonly virtualGateways?: string[];
}

/** A request path condition: exactly one of `exact` and `prefix`. */
export interface AuthorizationPath {
  readonly exact?: string;
  readonly prefix?: string;
}

/** HTTP conditions of a rule: each list given must match (any of its paths or methods; every header). */
export interface AuthorizationHttpMatch {
  /** Paths, any of them. A gRPC method is the path `/<package>.<Service>/<Method>`. */
  readonly paths?: AuthorizationPath[];
  /** HTTP methods, any of them (`GET`, …; gRPC calls are `POST`). */
  readonly methods?: string[];
  /** Request headers that must all match, as in an App Mesh route's header match. */
  readonly headers?: HttpRouteHeader[];
}

/** One rule: these callers may make these requests on these listeners. */
export interface AuthorizationRule {
  /** The rule's name, unique in the node: the RBAC policy name in stats and logs. */
  readonly name: string;
  /** The callers allowed (at least one workload). */
  readonly from: AuthorizationSource;
  /** Listener ports the rule applies to; absent: every listener of the node. */
  readonly ports?: number[];
  /** HTTP conditions; absent: any request. A rule with them does not apply to TCP listeners. */
  readonly http?: AuthorizationHttpMatch;
}

/**
 * Authorization by mesh identity on a virtual node's inbound listeners (Envoy RBAC, gRFC A41):
 * callers are known by the SPIFFE ID of their mesh certificate (so the listener needs mutual
 * TLS). Once a node has a rule, whatever no rule allows is denied, on every listener.
 */
export interface AuthorizationPolicy {
  /**
   * `ENFORCE` (default): requests no rule allows are refused (HTTP 403, gRPC PERMISSION_DENIED, a
   * TCP connection closed). `SHADOW`: nothing is refused; Envoy counts what the rules would decide
   * (`…rbac.oam_shadow.shadow_allowed` / `shadow_denied`). Proxyless gRPC servers ignore shadow rules.
   */
  readonly mode?: 'ENFORCE' | 'SHADOW';
  /** The rules; a request is allowed when any one matches. */
  readonly rules: AuthorizationRule[];
}

/** Extension-schema definitions of authorization (same dialect as the App Mesh schema). */
export const AUTHORIZATION_SCHEMA_DEFS: Record<string, unknown> = {
  AuthorizationSource: {
    type: 'object',
    additionalProperties: false,
    properties: {
      virtualNodes: { type: 'array', items: { $ref: '#/$defs/ResourceName' }, maxItems: 100 },
      virtualGateways: { type: 'array', items: { $ref: '#/$defs/ResourceName' }, maxItems: 100 },
    },
    minProperties: 1,
  },
  AuthorizationPath: {
    type: 'object',
    additionalProperties: false,
    properties: { exact: { type: 'string', minLength: 1, maxLength: 255 }, prefix: { type: 'string', minLength: 1, maxLength: 255 } },
    minProperties: 1,
    maxProperties: 1,
  },
  AuthorizationHttpMatch: {
    type: 'object',
    additionalProperties: false,
    properties: {
      paths: { type: 'array', items: { $ref: '#/$defs/AuthorizationPath' }, minItems: 1, maxItems: 50 },
      methods: { type: 'array', items: { type: 'string', pattern: '^[A-Z]+$', maxLength: 20 }, minItems: 1, maxItems: 10 },
      headers: { type: 'array', items: { $ref: '#/$defs/HttpRouteHeader' }, minItems: 1, maxItems: 10 },
    },
    minProperties: 1,
  },
  AuthorizationRule: {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', minLength: 1, maxLength: 100 },
      from: { $ref: '#/$defs/AuthorizationSource' },
      ports: { type: 'array', items: { $ref: '#/$defs/ListenerPort' }, minItems: 1, maxItems: 10 },
      http: { $ref: '#/$defs/AuthorizationHttpMatch' },
    },
    required: ['name', 'from'],
  },
  AuthorizationPolicy: {
    type: 'object',
    additionalProperties: false,
    properties: {
      mode: { type: 'string', enum: ['ENFORCE', 'SHADOW'] },
      rules: { type: 'array', items: { $ref: '#/$defs/AuthorizationRule' }, minItems: 1, maxItems: 100 },
    },
    required: ['rules'],
  },
};
