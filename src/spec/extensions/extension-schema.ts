import { AUTHORIZATION_SCHEMA_DEFS } from './authorization';
import { ENVOY_PATCH_SCHEMA_DEFS } from './envoy-patch';
import { EXTERNAL_AUTHORIZATION_SCHEMA_DEFS } from './external-authorization';
import { FAULT_INJECTION_SCHEMA_DEFS } from './fault-injection';
import { HEADER_RULES_SCHEMA_DEFS } from './header-rules';
import { JWT_AUTHENTICATION_SCHEMA_DEFS } from './jwt-authentication';
import { RATE_LIMIT_SCHEMA_DEFS } from './rate-limit';
import { REQUEST_MIRROR_SCHEMA_DEFS } from './request-mirror';

/** Names of the four extension roots, one per resource kind that may carry `extensions`. */
export type ExtensionRootName = 'RouteExtensions' | 'GatewayRouteExtensions' | 'VirtualNodeExtensions' | 'VirtualGatewayExtensions';

/**
 * JSON schema of the extension section, in the dialect of the App Mesh schema (schema-check.ts
 * interprets both). Its `$ref`s may name App Mesh definitions (`Duration`, `ResourceName`,
 * `ListenerPort`): the checker compiles both sets of definitions together. Each policy file
 * exports its own definitions; the roots below list which policy a resource kind may carry.
 */
export const EXTENSION_SCHEMA: any = {
  $defs: {
    // Characters, pseudo-headers and `host` are the rule extension-header-names's (clearer messages).
    PolicyHeaderName: { type: 'string', minLength: 1, maxLength: 256 },
    ...FAULT_INJECTION_SCHEMA_DEFS,
    ...REQUEST_MIRROR_SCHEMA_DEFS,
    ...HEADER_RULES_SCHEMA_DEFS,
    ...RATE_LIMIT_SCHEMA_DEFS,
    ...AUTHORIZATION_SCHEMA_DEFS,
    ...JWT_AUTHENTICATION_SCHEMA_DEFS,
    ...EXTERNAL_AUTHORIZATION_SCHEMA_DEFS,
    ...ENVOY_PATCH_SCHEMA_DEFS,
    RouteExtensions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rateLimit: { $ref: '#/$defs/RateLimitPolicy' },
        faultInjection: { $ref: '#/$defs/FaultInjectionPolicy' },
        requestMirrors: { type: 'array', items: { $ref: '#/$defs/RequestMirrorPolicy' }, minItems: 1, maxItems: 10 },
        headerRules: { $ref: '#/$defs/HeaderRulesPolicy' },
      },
    },
    GatewayRouteExtensions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rateLimit: { $ref: '#/$defs/RateLimitPolicy' },
        faultInjection: { $ref: '#/$defs/FaultInjectionPolicy' },
        headerRules: { $ref: '#/$defs/HeaderRulesPolicy' },
      },
    },
    VirtualNodeExtensions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rateLimits: { type: 'array', items: { $ref: '#/$defs/ListenerRateLimitPolicy' }, minItems: 1, maxItems: 50 },
        authorization: { $ref: '#/$defs/AuthorizationPolicy' },
        envoyPatches: { $ref: '#/$defs/EnvoyPatches' },
      },
    },
    VirtualGatewayExtensions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        jwtAuthentication: { $ref: '#/$defs/JwtAuthenticationPolicy' },
        externalAuthorization: { $ref: '#/$defs/ExternalAuthorizationPolicy' },
        envoyPatches: { $ref: '#/$defs/EnvoyPatches' },
      },
    },
  },
};
