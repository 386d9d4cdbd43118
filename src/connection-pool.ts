/** Connection limits of an HTTP/1.1 listener. */
export interface HttpConnectionPool {
  /** Most connections open at once to all hosts of the listener (at least 1). */
  readonly maxConnections: number;
  /** Most requests queued beyond `maxConnections` (at least 1). */
  readonly maxPendingRequests: number;
}

/** Connection limits of an HTTP/2 listener. */
export interface Http2ConnectionPool {
  /** Most requests in flight at once to all hosts of the listener (at least 1). */
  readonly maxRequests: number;
}

/** Connection limits of a gRPC listener. */
export interface GrpcConnectionPool {
  /** Most requests in flight at once to all hosts of the listener (at least 1). */
  readonly maxRequests: number;
}

/** Connection limits of a TCP listener. */
export interface TcpConnectionPool {
  /** Most connections open at once to all hosts of the listener (at least 1). */
  readonly maxConnections: number;
}
