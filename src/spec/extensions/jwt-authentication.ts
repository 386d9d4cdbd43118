import { Duration } from '../appmesh-types';

/** JWKS fetched from a URL; the translation adds a cluster for its host. */
export interface RemoteJwks {
  /** `https://host[:port]/path` (or `http://`). */
  readonly uri: string;
  /** Fetch timeout (unit and value set). Default 5 s. */
  readonly timeout?: Duration;
  /** How long fetched keys are kept (unit and value set). Default: Envoy's, 5 minutes. */
  readonly cacheDuration?: Duration;
  /** CA bundle the gateway verifies an `https` JWKS host with. Default `/etc/ssl/certs/ca-certificates.crt`. */
  readonly trustedCaFile?: string;
}

/** Keys inline: a JWKS document. */
export interface LocalJwks {
  /** The JWKS as JSON text. */
  readonly inline: string;
}

/** A claim copied into a request header for the services behind the gateway. */
export interface JwtClaimToHeader {
  /** The claim (nested claims joined with `.`). */
  readonly claim: string;
  /** The header. */
  readonly header: string;
}

/** One token issuer. Exactly one of `remoteJwks` and `localJwks`. */
export interface JwtProvider {
  /** The provider's name, unique in the gateway; rules name it. */
  readonly name: string;
  /** The required `iss` claim. */
  readonly issuer: string;
  /** Accepted `aud` values; absent: any audience. */
  readonly audiences?: string[];
  readonly remoteJwks?: RemoteJwks;
  readonly localJwks?: LocalJwks;
  /** Keep the token in the request sent on. Default false: it is removed. */
  readonly forward?: boolean;
  /** Claims copied into request headers. */
  readonly claimToHeaders?: JwtClaimToHeader[];
}

/** Requests under a path prefix need a token of one of the providers. */
export interface JwtRule {
  /** Path prefix of the request as the gateway received it. Default `/`. */
  readonly prefix?: string;
  /** Provider names; a token of any one suffices. Empty: no token needed under this prefix (e.g. a health path). */
  readonly providers: string[];
}

/**
 * End-user authentication at a virtual gateway (Envoy `jwt_authn`): requests must carry a JWT
 * that a provider verifies; a request without a valid one is answered 401.
 */
export interface JwtAuthenticationPolicy {
  /** The providers (at least one). */
  readonly providers: JwtProvider[];
  /**
   * Which requests need which providers, first matching prefix wins; a request no rule matches
   * needs no token. Absent: every request needs a token of any provider.
   */
  readonly rules?: JwtRule[];
}

/** Extension-schema definitions of JWT authentication (same dialect as the App Mesh schema). */
export const JWT_AUTHENTICATION_SCHEMA_DEFS: Record<string, unknown> = {
  RemoteJwks: {
    type: 'object',
    additionalProperties: false,
    properties: {
      uri: { type: 'string', pattern: '^https?://[^/?#]+', maxLength: 2048 },
      timeout: { $ref: '#/$defs/Duration' },
      cacheDuration: { $ref: '#/$defs/Duration' },
      trustedCaFile: { type: 'string', minLength: 1, maxLength: 255 },
    },
    required: ['uri'],
  },
  LocalJwks: {
    type: 'object',
    additionalProperties: false,
    properties: { inline: { type: 'string', minLength: 1, maxLength: 65536 } },
    required: ['inline'],
  },
  JwtClaimToHeader: {
    type: 'object',
    additionalProperties: false,
    properties: { claim: { type: 'string', minLength: 1, maxLength: 255 }, header: { $ref: '#/$defs/PolicyHeaderName' } },
    required: ['claim', 'header'],
  },
  JwtProvider: {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', minLength: 1, maxLength: 100 },
      issuer: { type: 'string', minLength: 1, maxLength: 2048 },
      audiences: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 2048 }, minItems: 1, maxItems: 20 },
      remoteJwks: { $ref: '#/$defs/RemoteJwks' },
      localJwks: { $ref: '#/$defs/LocalJwks' },
      forward: { type: 'boolean' },
      claimToHeaders: { type: 'array', items: { $ref: '#/$defs/JwtClaimToHeader' }, minItems: 1, maxItems: 20 },
    },
    required: ['name', 'issuer'],
  },
  JwtRule: {
    type: 'object',
    additionalProperties: false,
    properties: {
      prefix: { type: 'string', pattern: '^/', maxLength: 255 },
      providers: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 100 }, maxItems: 20 },
    },
    required: ['providers'],
  },
  JwtAuthenticationPolicy: {
    type: 'object',
    additionalProperties: false,
    properties: {
      providers: { type: 'array', items: { $ref: '#/$defs/JwtProvider' }, minItems: 1, maxItems: 20 },
      rules: { type: 'array', items: { $ref: '#/$defs/JwtRule' }, minItems: 1, maxItems: 100 },
    },
    required: ['providers'],
  },
};
