import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The smallest xDS bootstrap grpc-js-xds and gRPC C-core both accept: one insecure xDS server on
 * loopback `xdsPort`, and the node id the client presents.
 */
export function xdsBootstrap(xdsPort: number, nodeId: string): string {
  return JSON.stringify({
    xds_servers: [{ server_uri: `127.0.0.1:${xdsPort}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: { id: nodeId, locality: {} },
  });
}

/** Writes xdsBootstrap to `<dir>/bootstrap.json` (the file GRPC_XDS_BOOTSTRAP names) and returns its path. */
export function writeXdsBootstrap(dir: string, xdsPort: number, nodeId: string): string {
  const file = path.join(dir, 'bootstrap.json');
  fs.writeFileSync(file, xdsBootstrap(xdsPort, nodeId));
  return file;
}
