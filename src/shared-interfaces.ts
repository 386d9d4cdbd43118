import { Duration } from 'aws-cdk-lib';

/**
 * Protocol of a listener, a health check or a port mapping.
 *
 * aws-cdk-lib keeps this enum internal although its own tests use it; it is public here.
 */
export enum Protocol {
  /** HTTP/1.1 */
  HTTP = 'http',
  /** Raw TCP */
  TCP = 'tcp',
  /** HTTP/2 */
  HTTP2 = 'http2',
  /** gRPC (over HTTP/2) */
  GRPC = 'grpc',
}

/** Timeouts of an HTTP or HTTP/2 listener or route. */
export interface HttpTimeout {
  /**
   * How long a connection may stay idle.
   * @default - none rendered; the proxy's default applies (300 s in App Mesh)
   */
  readonly idle?: Duration;
  /**
   * How long a single request may take; zero disables the limit.
   * @default - none rendered; 15 seconds in App Mesh
   */
  readonly perRequest?: Duration;
}

/** Timeouts of a gRPC listener or route. */
export interface GrpcTimeout {
  /**
   * How long a connection may stay idle.
   * @default - none rendered; the proxy's default applies (300 s in App Mesh)
   */
  readonly idle?: Duration;
  /**
   * How long a single request may take; zero disables the limit.
   * @default - none rendered; 15 seconds in App Mesh
   */
  readonly perRequest?: Duration;
}

/** Timeouts of a TCP listener or route. */
export interface TcpTimeout {
  /**
   * How long a connection may stay idle.
   * @default - none rendered; the proxy's default applies (300 s in App Mesh)
   */
  readonly idle?: Duration;
}

/** Events on which an HTTP request is retried. */
export enum HttpRetryEvent {
  /** HTTP status 500, 501, 502, 503, 504, 505, 506, 507, 508, 510 or 511. */
  SERVER_ERROR = 'server-error',
  /** HTTP status 502, 503 or 504. */
  GATEWAY_ERROR = 'gateway-error',
  /** HTTP status 409. */
  CLIENT_ERROR = 'client-error',
  /** A stream reset by the upstream with REFUSED_STREAM. */
  STREAM_ERROR = 'stream-error',
}

/** Events on which a request is retried at the connection level. */
export enum TcpRetryEvent {
  /** A connection failure: reset, disconnect, refused, connect timeout. */
  CONNECTION_ERROR = 'connection-error',
}

/** gRPC status codes on which a request is retried. */
export enum GrpcRetryEvent {
  /** gRPC status CANCELLED. */
  CANCELLED = 'cancelled',
  /** gRPC status DEADLINE_EXCEEDED. */
  DEADLINE_EXCEEDED = 'deadline-exceeded',
  /** gRPC status INTERNAL. */
  INTERNAL_ERROR = 'internal',
  /** gRPC status RESOURCE_EXHAUSTED. */
  RESOURCE_EXHAUSTED = 'resource-exhausted',
  /** gRPC status UNAVAILABLE. */
  UNAVAILABLE = 'unavailable',
}
