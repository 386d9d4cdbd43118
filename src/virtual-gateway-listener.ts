import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GrpcConnectionPool, Http2ConnectionPool, HttpConnectionPool } from './connection-pool';
import { HealthCheck } from './health-check';
import { ListenerTlsOptions } from './listener-tls-options';
import { meshError } from './private/errors';
import { compact } from './private/render';
import { renderListenerTls } from './private/tls-render';
import { Protocol } from './shared-interfaces';
import * as spec from './spec';

/** Port a gateway listener takes when none is given, as in aws-cdk-lib. */
const DEFAULT_GATEWAY_PORT = 8080;

/** Options every kind of gateway listener takes. */
export interface VirtualGatewayListenerCommonOptions {
  /**
   * Port the gateway's proxy listens on.
   *
   * @default 8080
   */
  readonly port?: number;

  /**
   * Health check of the gateway proxy itself (HTTP, HTTP/2 or gRPC; not TCP).
   *
   * @default - no health check
   */
  readonly healthCheck?: HealthCheck;

  /**
   * TLS the listener terminates, with optional client certificate validation (mutual TLS).
   *
   * @default - plain text
   */
  readonly tls?: ListenerTlsOptions;
}

/** Options of an HTTP/1.1 gateway listener. */
export interface HttpGatewayListenerOptions extends VirtualGatewayListenerCommonOptions {
  /**
   * Connection limits toward the targets.
   *
   * @default - no limits
   */
  readonly connectionPool?: HttpConnectionPool;
}

/** Options of an HTTP/2 gateway listener. */
export interface Http2GatewayListenerOptions extends VirtualGatewayListenerCommonOptions {
  /**
   * Request limits toward the targets.
   *
   * @default - no limits
   */
  readonly connectionPool?: Http2ConnectionPool;
}

/** Options of a gRPC gateway listener. */
export interface GrpcGatewayListenerOptions extends VirtualGatewayListenerCommonOptions {
  /**
   * Request limits toward the targets.
   *
   * @default - no limits
   */
  readonly connectionPool?: GrpcConnectionPool;
}

/** What VirtualGatewayListener.bind returns. */
export interface VirtualGatewayListenerConfig {
  /** The listener, App Mesh `VirtualGatewayListener` shape. */
  readonly listener: spec.VirtualGatewayListener;
}

/**
 * A port on which a virtual gateway accepts traffic from outside the mesh.
 * Gateways speak HTTP, HTTP/2 or gRPC; there is no TCP gateway listener.
 */
export abstract class VirtualGatewayListener {
  /** An HTTP/1.1 listener. */
  public static http(options: HttpGatewayListenerOptions = {}): VirtualGatewayListener {
    return new VirtualGatewayListenerImpl(Protocol.HTTP, options, options.connectionPool && {
      http: compact({
        maxConnections: options.connectionPool.maxConnections,
        maxPendingRequests: options.connectionPool.maxPendingRequests,
      }),
    });
  }

  /** An HTTP/2 listener. */
  public static http2(options: Http2GatewayListenerOptions = {}): VirtualGatewayListener {
    return new VirtualGatewayListenerImpl(Protocol.HTTP2, options, options.connectionPool && {
      http2: { maxRequests: options.connectionPool.maxRequests },
    });
  }

  /** A gRPC listener. */
  public static grpc(options: GrpcGatewayListenerOptions = {}): VirtualGatewayListener {
    return new VirtualGatewayListenerImpl(Protocol.GRPC, options, options.connectionPool && {
      grpc: { maxRequests: options.connectionPool.maxRequests },
    });
  }

  /** Renders the listener for the virtual gateway `scope`. */
  public abstract bind(scope: Construct): VirtualGatewayListenerConfig;
}

type GatewayProtocol = 'http' | 'http2' | 'grpc';

class VirtualGatewayListenerImpl extends VirtualGatewayListener {
  private readonly port: number;

  constructor(
    private readonly protocol: Protocol,
    private readonly options: VirtualGatewayListenerCommonOptions,
    private readonly connectionPool: spec.VirtualGatewayConnectionPool | undefined,
  ) {
    super();
    this.port = options.port ?? DEFAULT_GATEWAY_PORT;
    if (!Token.isUnresolved(this.port) && (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535)) {
      throw meshError('ListenerPortOutOfRange', `Virtual gateway listener port must be an integer between 1 and 65535, got ${this.port}`);
    }
  }

  public bind(scope: Construct): VirtualGatewayListenerConfig {
    return {
      listener: compact({
        portMapping: { port: this.port, protocol: this.protocol as GatewayProtocol },
        healthCheck: this.renderHealthCheck(scope),
        // Node and gateway listener TLS share one shape; gateway trusts are file or SDS by type.
        tls: this.options.tls && renderListenerTls(scope, this.options.tls) as spec.VirtualGatewayListenerTls,
        connectionPool: this.connectionPool,
      }),
    };
  }

  private renderHealthCheck(scope: Construct): spec.VirtualGatewayHealthCheckPolicy | undefined {
    if (this.options.healthCheck === undefined) {
      return undefined;
    }
    const config = this.options.healthCheck.bind(scope, { defaultPort: this.port });
    if (config.virtualGatewayHealthCheck === undefined) {
      throw meshError('GatewayHealthCheckProtocol',
        `A virtual gateway listener cannot use a ${config.virtualNodeHealthCheck?.protocol ?? 'this'} health check; use HealthCheck.http(), http2() or grpc()`, scope);
    }
    return config.virtualGatewayHealthCheck;
  }
}
