import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import { xdsBootstrap } from '../../support/xds-bootstrap';

let registered = false;

/** Registers the xds: scheme once per process. */
export function registerXds(): void {
  if (!registered) {
    grpcXds.register();
    registered = true;
  }
}

/** A proxyless client of `xds:///<service>` with its own bootstrap (and so its own ADS stream). */
export function xdsClient<C extends grpc.Client>(
  ctor: new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => C,
  service: string,
  xdsPort: number,
  nodeId: string,
): C {
  registerXds();
  return new ctor(`xds:///${service}`, grpc.credentials.createInsecure(), {
    'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': xdsBootstrap(xdsPort, nodeId),
  });
}
