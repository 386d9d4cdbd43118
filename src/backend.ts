import { Construct } from 'constructs';
import { VirtualServiceBackendOptions } from './backend-defaults';
import { renderClientPolicy } from './private/tls-render';
import * as spec from './spec';
import { IVirtualService } from './virtual-service';

/** What Backend.bind returns. */
export interface BackendConfig {
  /** The backend, App Mesh `Backend` shape. */
  readonly virtualServiceBackend: spec.Backend;
}

/** A service a virtual node calls. Under DROP_ALL egress, nodes reach only their backends. */
export abstract class Backend {
  /**
   * A virtual service. Referenced by name only, so nodes may name each other as
   * backends (A → B → A) in one stack or across stacks without a dependency cycle.
   */
  public static virtualService(virtualService: IVirtualService, props: VirtualServiceBackendOptions = {}): Backend {
    return new VirtualServiceBackend(virtualService, props);
  }

  /** Render the backend. */
  public abstract bind(_scope: Construct): BackendConfig;
}

class VirtualServiceBackend extends Backend {
  constructor(private readonly virtualService: IVirtualService, private readonly props: VirtualServiceBackendOptions) {
    super();
  }

  public bind(scope: Construct): BackendConfig {
    const policy = this.props.tlsClientPolicy;
    return {
      virtualServiceBackend: {
        virtualService: {
          virtualServiceName: this.virtualService.virtualServiceName,
          ...(policy !== undefined ? { clientPolicy: renderClientPolicy(scope, policy) } : {}),
        },
      },
    };
  }
}
