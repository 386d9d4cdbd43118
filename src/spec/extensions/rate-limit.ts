import { Duration } from '../appmesh-types';

/** A local token bucket: each Envoy keeps its own, so a limit holds per proxy, not across a node's replicas. */
export interface TokenBucket {
  /** Tokens the bucket holds at most, and starts with (at least 1). */
  readonly maxTokens: number;
  /** Tokens added every `fillInterval` (at least 1). Default: `maxTokens`. */
  readonly tokensPerFill?: number;
  /** How often the bucket is refilled (unit and value set; at least 1 ms). */
  readonly fillInterval: Duration;
}

/** A response header sent with every request a rate limit refuses. */
export interface RateLimitResponseHeader {
  readonly name: string;
  readonly value: string;
}

/**
 * A local rate limit (Envoy `local_ratelimit`) on a route: a token bucket, and what a refused
 * request is answered.
 */
export interface RateLimitPolicy {
  /** The bucket. */
  readonly tokenBucket: TokenBucket;
  /** HTTP status of a refused request (400–599). Default 429. Not used on TCP listeners (the connection is closed). */
  readonly responseStatus?: number;
  /** Headers added to a refused request's response. Not used on TCP listeners. */
  readonly responseHeaders?: RateLimitResponseHeader[];
}

/** A rate limit on a virtual node's inbound listener(s). */
export interface ListenerRateLimitPolicy extends RateLimitPolicy {
  /** The listener port it applies to; absent: every listener of the node, each with its own bucket. */
  readonly port?: number;
}

const RATE_LIMIT_PROPERTIES = {
  tokenBucket: { $ref: '#/$defs/TokenBucket' },
  responseStatus: { type: 'integer', minimum: 400, maximum: 599 },
  responseHeaders: { type: 'array', items: { $ref: '#/$defs/RateLimitResponseHeader' }, minItems: 1, maxItems: 10 },
};

/** Extension-schema definitions of rate limits (same dialect as the App Mesh schema). */
export const RATE_LIMIT_SCHEMA_DEFS: Record<string, unknown> = {
  TokenBucket: {
    type: 'object',
    additionalProperties: false,
    properties: {
      maxTokens: { type: 'integer', minimum: 1, maximum: 4294967295 },
      tokensPerFill: { type: 'integer', minimum: 1, maximum: 4294967295 },
      fillInterval: { $ref: '#/$defs/Duration' },
    },
    required: ['maxTokens', 'fillInterval'],
  },
  RateLimitResponseHeader: {
    type: 'object',
    additionalProperties: false,
    properties: { name: { $ref: '#/$defs/PolicyHeaderName' }, value: { type: 'string', maxLength: 1024 } },
    required: ['name', 'value'],
  },
  RateLimitPolicy: { type: 'object', additionalProperties: false, properties: RATE_LIMIT_PROPERTIES, required: ['tokenBucket'] },
  ListenerRateLimitPolicy: {
    type: 'object',
    additionalProperties: false,
    properties: { ...RATE_LIMIT_PROPERTIES, port: { $ref: '#/$defs/ListenerPort' } },
    required: ['tokenBucket'],
  },
};
