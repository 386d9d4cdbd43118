import * as net from 'net';
import { Token } from 'aws-cdk-lib';

/**
 * A static cluster for a telemetry collector at `address:port` (a host name or an IP; STRICT_DNS
 * resolves both), HTTP/2 when the collector speaks gRPC.
 */
export function collectorCluster(name: string, address: string, port: number, http2: boolean): any {
  return {
    name,
    type: 'STRICT_DNS',
    connect_timeout: '1s',
    dns_lookup_family: 'V4_PREFERRED',
    ...(http2 ? {
      typed_extension_protocol_options: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
          '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
          'explicit_http_config': { http2_protocol_options: {} },
        },
      },
    } : {}),
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address, port_value: port } } } }] }],
    },
  };
}

/** Throws unless `port` is a port number, known at synth time (it is written into JSON). */
export function checkPort(where: string, field: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${where}: ${field} must be a port number between 1 and 65535, got ${port}`);
  }
}

/** Throws unless `address` is an IP literal: Envoy sends UDP telemetry to an address, without DNS. */
export function checkIpAddress(where: string, field: string, address: string): void {
  if (Token.isUnresolved(address)) return;
  if (net.isIP(address) === 0) {
    throw new Error(`${where}: ${field} must be an IP address (Envoy does not resolve names for UDP telemetry), got '${address}'`);
  }
}

/** Throws when `address` is empty. */
export function checkHost(where: string, field: string, address: string): void {
  if (!Token.isUnresolved(address) && address.trim() === '') {
    throw new Error(`${where}: ${field} must be a host name or an IP address, got an empty string`);
  }
}
