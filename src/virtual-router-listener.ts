import { Construct } from 'constructs';
import { Protocol } from './shared-interfaces';
import * as spec from './spec';

/** What VirtualRouterListener.bind returns. */
export interface VirtualRouterListenerConfig {
  /** The listener, App Mesh `VirtualRouterListener` shape. */
  readonly listener: spec.VirtualRouterListener;
}

/** A port and protocol on which a virtual router accepts traffic. */
export abstract class VirtualRouterListener {
  /**
   * HTTP/1.1 listener.
   * @param port default 8080
   */
  public static http(port?: number): VirtualRouterListener {
    return new VirtualRouterListenerImpl(Protocol.HTTP, port);
  }

  /**
   * HTTP/2 listener.
   * @param port default 8080
   */
  public static http2(port?: number): VirtualRouterListener {
    return new VirtualRouterListenerImpl(Protocol.HTTP2, port);
  }

  /**
   * gRPC listener.
   * @param port default 8080
   */
  public static grpc(port?: number): VirtualRouterListener {
    return new VirtualRouterListenerImpl(Protocol.GRPC, port);
  }

  /**
   * TCP listener.
   * @param port default 8080
   */
  public static tcp(port?: number): VirtualRouterListener {
    return new VirtualRouterListenerImpl(Protocol.TCP, port);
  }

  /** Render the listener. */
  public abstract bind(scope: Construct): VirtualRouterListenerConfig;
}

class VirtualRouterListenerImpl extends VirtualRouterListener {
  constructor(private readonly protocol: Protocol, private readonly port?: number) {
    super();
  }

  public bind(_scope: Construct): VirtualRouterListenerConfig {
    return { listener: { portMapping: { port: this.port ?? 8080, protocol: this.protocol } } };
  }
}
