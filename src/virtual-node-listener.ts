import { Construct } from 'constructs';
import { GrpcConnectionPool, Http2ConnectionPool, HttpConnectionPool, TcpConnectionPool } from './connection-pool';
import { HealthCheck } from './health-check';
import { ListenerTlsOptions } from './listener-tls-options';
import { OutlierDetection } from './outlier-detection';
import {
  AnyConnectionPool, AnyTimeout, renderConnectionPool, renderListenerTimeout, renderOutlierDetection,
} from './private/listener-render';
import { compact } from './private/render';
import { renderListenerTls } from './private/tls-render';
import { GrpcTimeout, HttpTimeout, Protocol, TcpTimeout } from './shared-interfaces';
import * as spec from './spec';

/** What VirtualNodeListener.bind returns. */
export interface VirtualNodeListenerConfig {
  /** The listener, App Mesh `Listener` shape. */
  readonly listener: spec.Listener;
}

/** Options every virtual node listener takes. */
export interface VirtualNodeListenerCommonOptions {
  /**
   * Port the application listens on.
   * @default 8080
   */
  readonly port?: number;
  /**
   * Active health check callers run against this listener.
   * @default - none
   */
  readonly healthCheck?: HealthCheck;
  /**
   * Server-side TLS.
   * @default - plain text
   */
  readonly tls?: ListenerTlsOptions;
  /**
   * Passive health checking by callers.
   * @default - none
   */
  readonly outlierDetection?: OutlierDetection;
}

/** Options of an HTTP/1.1 listener. */
export interface HttpVirtualNodeListenerOptions extends VirtualNodeListenerCommonOptions {
  /**
   * Timeouts.
   * @default - App Mesh defaults
   */
  readonly timeout?: HttpTimeout;
  /**
   * Connection limits.
   * @default - none
   */
  readonly connectionPool?: HttpConnectionPool;
}

/** Options of an HTTP/2 listener. */
export interface Http2VirtualNodeListenerOptions extends VirtualNodeListenerCommonOptions {
  /**
   * Timeouts.
   * @default - App Mesh defaults
   */
  readonly timeout?: HttpTimeout;
  /**
   * Connection limits.
   * @default - none
   */
  readonly connectionPool?: Http2ConnectionPool;
}

/** Options of a gRPC listener. */
export interface GrpcVirtualNodeListenerOptions extends VirtualNodeListenerCommonOptions {
  /**
   * Timeouts.
   * @default - App Mesh defaults
   */
  readonly timeout?: GrpcTimeout;
  /**
   * Connection limits.
   * @default - none
   */
  readonly connectionPool?: GrpcConnectionPool;
}

/** Options of a TCP listener. */
export interface TcpVirtualNodeListenerOptions extends VirtualNodeListenerCommonOptions {
  /**
   * Timeouts.
   * @default - App Mesh defaults
   */
  readonly timeout?: TcpTimeout;
  /**
   * Connection limits.
   * @default - none
   */
  readonly connectionPool?: TcpConnectionPool;
}

/** A port on which a virtual node's application receives traffic. */
export abstract class VirtualNodeListener {
  /** HTTP/1.1 listener. */
  public static http(props: HttpVirtualNodeListenerOptions = {}): VirtualNodeListener {
    return new VirtualNodeListenerImpl(Protocol.HTTP, props, props.timeout, props.connectionPool);
  }

  /** HTTP/2 listener. */
  public static http2(props: Http2VirtualNodeListenerOptions = {}): VirtualNodeListener {
    return new VirtualNodeListenerImpl(Protocol.HTTP2, props, props.timeout, props.connectionPool);
  }

  /** gRPC listener. */
  public static grpc(props: GrpcVirtualNodeListenerOptions = {}): VirtualNodeListener {
    return new VirtualNodeListenerImpl(Protocol.GRPC, props, props.timeout, props.connectionPool);
  }

  /** TCP listener. */
  public static tcp(props: TcpVirtualNodeListenerOptions = {}): VirtualNodeListener {
    return new VirtualNodeListenerImpl(Protocol.TCP, props, props.timeout, props.connectionPool);
  }

  /** Render the listener. */
  public abstract bind(scope: Construct): VirtualNodeListenerConfig;
}

class VirtualNodeListenerImpl extends VirtualNodeListener {
  constructor(
    private readonly protocol: Protocol,
    private readonly options: VirtualNodeListenerCommonOptions,
    private readonly timeout?: AnyTimeout,
    private readonly connectionPool?: AnyConnectionPool,
  ) {
    super();
  }

  public bind(scope: Construct): VirtualNodeListenerConfig {
    const port = this.options.port ?? 8080;
    return {
      listener: compact({
        portMapping: { port, protocol: this.protocol },
        healthCheck: this.options.healthCheck?.bind(scope, { defaultPort: port }).virtualNodeHealthCheck,
        timeout: renderListenerTimeout(this.protocol, this.timeout),
        tls: this.options.tls && renderListenerTls(scope, this.options.tls),
        outlierDetection: renderOutlierDetection(this.options.outlierDetection),
        connectionPool: renderConnectionPool(this.protocol, this.connectionPool),
      }),
    };
  }
}
