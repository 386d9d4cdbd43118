import { Construct } from 'constructs';
import * as spec from '../spec';
import { IVirtualNode } from '../virtual-node';

/** Options of `RequestMirror.toVirtualNode`. */
export interface RequestMirrorOptions {
  /** Share of requests copied, in percent (0–100; fractions allowed down to 0.0001). */
  readonly percentage: number;
  /**
   * Listener port of the node that receives the copies.
   * @default - the node's only listener (required when it has several)
   */
  readonly port?: number;
}

/** What `RequestMirror.bind` returns. */
export interface RequestMirrorConfig {
  /** The mirror as the mesh spec carries it (an entry of `extensions.requestMirrors`). */
  readonly requestMirror: spec.RequestMirrorPolicy;
}

/**
 * A share of a route's requests copied to another virtual node, e.g. a new version under real
 * traffic. The copies' responses are dropped; callers only ever see the route's own answer.
 */
export abstract class RequestMirror {
  /** Copy `options.percentage` percent of the route's requests to `virtualNode`. */
  public static toVirtualNode(virtualNode: IVirtualNode, options: RequestMirrorOptions): RequestMirror {
    return new VirtualNodeMirror(virtualNode, options);
  }

  /** Render the mirror. */
  public abstract bind(scope: Construct): RequestMirrorConfig;
}

class VirtualNodeMirror extends RequestMirror {
  constructor(private readonly virtualNode: IVirtualNode, private readonly options: RequestMirrorOptions) {
    super();
  }

  public bind(_scope: Construct): RequestMirrorConfig {
    return {
      requestMirror: {
        virtualNode: this.virtualNode.virtualNodeName,
        ...(this.options.port !== undefined ? { port: this.options.port } : {}),
        percentage: this.options.percentage,
      },
    };
  }
}
