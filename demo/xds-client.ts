import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import { WhoAmIClient } from './whoami';
import { CERTIFICATE_FILE, PRIVATE_KEY_FILE, TRUST_BUNDLE_FILE } from '../lib-runtime/src/agent/certificate-files';

/**
 * serviceA as a proxyless gRPC client: a real @grpc/grpc-js-xds channel to
 * `xds:///<virtual service>`, configured by the control plane over ADS.
 */

/** Where serviceA's xDS client connects, and the agent files that give it mesh mTLS. */
export interface ServiceAConnection {
  /** A gRPC target: the agent's xDS proxy (`unix:///…`) or, in plaintext, the control plane. */
  readonly xdsServerUri: string;
  readonly nodeId: string;
  /** The agent's --out-dir; absent in plaintext. */
  readonly certificateDir?: string;
}

/**
 * The bootstrap a proxyless client needs: the xDS server and the node id
 * `mesh/<mesh>/virtualNode/<node>` that selects which node's view it gets. Its channel to the
 * xDS server is "insecure" because grpc-js-xds 1.14 offers only insecure and google_default
 * channel credentials there: with mTLS it talks to the agent's xDS proxy on a Unix socket, which
 * carries the stream to the control plane over mutual TLS with the node's certificate.
 * Certificate provider `default` (gRPC's file_watcher on the agent's files) is what the spec's
 * mesh-CA TLS settings name, for the calls to the services.
 */
export function xdsBootstrap(connection: ServiceAConnection): string {
  const dir = connection.certificateDir;
  return JSON.stringify({
    xds_servers: [{ server_uri: connection.xdsServerUri, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: { id: connection.nodeId, locality: {} },
    ...(dir === undefined ? {} : {
      certificate_providers: {
        default: {
          plugin_name: 'file_watcher',
          config: {
            certificate_file: path.join(dir, CERTIFICATE_FILE),
            private_key_file: path.join(dir, PRIVATE_KEY_FILE),
            ca_certificate_file: path.join(dir, TRUST_BUNDLE_FILE),
            refresh_interval: '10s',
          },
        },
      },
    }),
  });
}

/**
 * Sets the bootstrap the way a deployed client would get it (GRPC_XDS_BOOTSTRAP_CONFIG, read
 * once per process) and opens a channel. Call once per process. With xDS channel credentials the
 * security of each call comes from the cluster the control plane sent: mTLS where the spec asks
 * for it, plaintext (the fallback) where it does not.
 */
export function connectServiceA(connection: ServiceAConnection, virtualService: string): grpc.Client {
  process.env.GRPC_XDS_BOOTSTRAP_CONFIG = xdsBootstrap(connection);
  grpcXds.register();
  const credentials = connection.certificateDir === undefined
    ? grpc.credentials.createInsecure()
    : new grpcXds.XdsChannelCredentials(grpc.credentials.createInsecure());
  return new WhoAmIClient(`xds:///${virtualService}`, credentials);
}
