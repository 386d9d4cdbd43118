import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import { WhoAmIClient } from './whoami';

/**
 * serviceA as a proxyless gRPC client: a real @grpc/grpc-js-xds channel to
 * `xds:///<virtual service>`, configured by the control plane over ADS.
 */

/**
 * The bootstrap a proxyless client needs (xds-protocol.md §3.1): the control plane's address
 * and the node id `mesh/<mesh>/virtualNode/<node>` that selects which node's view it gets.
 * "insecure": grpc-js-xds 1.14 accepts only insecure or google_default channel credentials to
 * the xDS server, so it reaches a TLS control plane through an agent; the demo runs the
 * control plane with --insecure-plaintext on loopback.
 */
export function xdsBootstrap(xdsPort: number, nodeId: string): string {
  return JSON.stringify({
    xds_servers: [{ server_uri: `127.0.0.1:${xdsPort}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: { id: nodeId, locality: {} },
  });
}

/**
 * Sets the bootstrap the way a deployed client would get it (GRPC_XDS_BOOTSTRAP_CONFIG, read
 * once per process) and opens a channel. Call once per process.
 */
export function connectServiceA(xdsPort: number, nodeId: string, virtualService: string): grpc.Client {
  process.env.GRPC_XDS_BOOTSTRAP_CONFIG = xdsBootstrap(xdsPort, nodeId);
  grpcXds.register();
  return new WhoAmIClient(`xds:///${virtualService}`, grpc.credentials.createInsecure());
}
