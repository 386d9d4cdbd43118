import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';

let registered = false;

/** Registers the xds: scheme once per process. */
export function registerXds(): void {
  if (!registered) {
    grpcXds.register();
    registered = true;
  }
}

/** The smallest bootstrap grpc-js-xds accepts, pointing at a control plane on loopback. */
export function bootstrap(xdsPort: number, nodeId: string): string {
  return JSON.stringify({
    xds_servers: [{ server_uri: `127.0.0.1:${xdsPort}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: { id: nodeId, locality: {} },
  });
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
    'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': bootstrap(xdsPort, nodeId),
  });
}
