import { Construct } from 'constructs';
import { GrpcConnectionPool, Http2ConnectionPool, HttpConnectionPool } from './connection-pool';
import { HealthCheck } from './health-check';
import { ListenerTlsOptions } from './listener-tls-options';
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
    // The port range (1–65535) is the spec schema's to check at synth, as App Mesh did.
    this.port = options.port ?? DEFAULT_GATEWAY_PORT;
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
    // A TCP check has no gateway form. aws-cdk-lib renders it anyway and App Mesh refused it, so
    // it goes into the spec as written and the schema reports its protocol at synth.
    return config.virtualGatewayHealthCheck
      ?? config.virtualNodeHealthCheck as unknown as spec.VirtualGatewayHealthCheckPolicy | undefined;
  }
}
