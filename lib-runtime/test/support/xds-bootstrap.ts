import * as fs from 'node:fs';
import * as path from 'node:path';

/** What some tests' bootstraps add to the smallest one. */
export interface XdsBootstrapOptions {
  /** node.cluster: grpc-js-xds shares one xDS client per bootstrap, so a distinct cluster keeps channels of one node id apart. */
  readonly cluster?: string;
  /** Top-level fields added as given (certificate_providers, server_listener_resource_name_template, ...). */
  readonly extra?: Record<string, unknown>;
}

/**
 * The smallest xDS bootstrap grpc-js-xds and gRPC C-core both accept: one insecure xDS server on
 * loopback `xdsPort`, and the node id the client presents.
 */
export function xdsBootstrap(xdsPort: number, nodeId: string, options: XdsBootstrapOptions = {}): string {
  return JSON.stringify({
    xds_servers: [{ server_uri: `127.0.0.1:${xdsPort}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: { id: nodeId, ...(options.cluster === undefined ? {} : { cluster: options.cluster }), locality: {} },
    ...options.extra,
  });
}

/** Writes xdsBootstrap to `<dir>/bootstrap.json` (the file GRPC_XDS_BOOTSTRAP names) and returns its path. */
export function writeXdsBootstrap(dir: string, xdsPort: number, nodeId: string): string {
  const file = path.join(dir, 'bootstrap.json');
  fs.writeFileSync(file, xdsBootstrap(xdsPort, nodeId));
  return file;
}
