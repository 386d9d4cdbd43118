import { Duration } from '../appmesh-types';

/**
 * External authorization at a virtual gateway (Envoy `ext_authz`): every request is first checked
 * with an authorization service of the mesh; a refusal is answered by the gateway.
 */
export interface ExternalAuthorizationPolicy {
  /** The authorization service: a virtual service of the mesh. */
  readonly virtualServiceName: string;
  /** The port of the service's listener to call; absent: its first HTTP, HTTP/2 or gRPC listener. */
  readonly port?: number;
  /** `grpc`: the `envoy.service.auth.v3.Authorization/Check` API. `http`: each request's headers sent as an HTTP request (2xx allows). */
  readonly protocol: 'grpc' | 'http';
  /** How long a check may take (unit and value set). Default 200 ms, Envoy's. */
  readonly timeout?: Duration;
  /** Let requests through when the check fails or times out. Default false: they are refused (403). */
  readonly failureModeAllow?: boolean;
  /** `http` only: put before the request's path in the check request. */
  readonly pathPrefix?: string;
}

/** Extension-schema definitions of external authorization (same dialect as the App Mesh schema). */
export const EXTERNAL_AUTHORIZATION_SCHEMA_DEFS: Record<string, unknown> = {
  ExternalAuthorizationPolicy: {
    type: 'object',
    additionalProperties: false,
    properties: {
      virtualServiceName: { $ref: '#/$defs/ServiceName' },
      port: { $ref: '#/$defs/ListenerPort' },
      protocol: { type: 'string', enum: ['grpc', 'http'] },
      timeout: { $ref: '#/$defs/Duration' },
      failureModeAllow: { type: 'boolean' },
      pathPrefix: { type: 'string', pattern: '^/', maxLength: 255 },
    },
    required: ['virtualServiceName', 'protocol'],
  },
};
