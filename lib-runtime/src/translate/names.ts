import { BIND_ADDRESS_V4, EGRESS_PORT, INGRESS_PORT } from './defaults';

/**
 * Envoy resource names exactly as App Mesh's control plane wrote them (docs/envoy-mapping.md
 * §2): dashboards and alarms key on them, so a migrating user keeps their stat names.
 */

export type Protocol = 'http' | 'http2' | 'grpc' | 'tcp';

/** `lds_ingress_0.0.0.0_15000` for nodes, `lds_ingress_0.0.0.0_<port>` for gateway listeners. */
export function ingressListenerName(port: number = INGRESS_PORT): string {
  return `lds_ingress_${BIND_ADDRESS_V4}_${port}`;
}

/** `lds_egress_0.0.0.0_15001`, nodes and gateways alike. */
export function egressListenerName(): string {
  return `lds_egress_${BIND_ADDRESS_V4}_${EGRESS_PORT}`;
}

/** `rds_ingress_<protocol>_<port>`. */
export function ingressRouteConfigName(protocol: Protocol, port: number): string {
  return `rds_ingress_${protocol}_${port}`;
}

/** `rds_egress_<protocol>_<port>`: one per backend port; gateways use `rds_egress_http_15001`. */
export function egressRouteConfigName(protocol: Protocol, port: number): string {
  return `rds_egress_${protocol}_${port}`;
}

/** `cds_ingress_<mesh>_<virtualNode>_<protocol>_<port>`: the local app. */
export function localClusterName(mesh: string, node: string, protocol: Protocol, port: number): string {
  return `cds_ingress_${mesh}_${node}_${protocol}_${port}`;
}

/** `cds_egress_<mesh>_<virtualNode>_<protocol>_<port>`: one per target listener. */
export function remoteClusterName(mesh: string, node: string, protocol: Protocol, port: number): string {
  return `cds_egress_${mesh}_${node}_${protocol}_${port}`;
}

/** `cds_egress_<mesh>_amazonaws`: passthrough for AWS APIs. */
export function awsApiClusterName(mesh: string): string {
  return `cds_egress_${mesh}_amazonaws`;
}

/** `cds_egress_<mesh>_mesh-allow-all`: passthrough under ALLOW_ALL. */
export function allowAllClusterName(mesh: string): string {
  return `cds_egress_${mesh}_mesh-allow-all`;
}

/**
 * `cds_ingress_<mesh>_<gateway>_self_redirect_<protocol>_15001`; with several gateway listeners
 * `…_self_redirect_<listenerPort>_<protocol>_15001`.
 */
export function selfRedirectClusterName(mesh: string, gateway: string, protocol: Protocol, listenerPort: number, multiListener: boolean): string {
  const portPart = multiListener ? `${listenerPort}_` : '';
  return `cds_ingress_${mesh}_${gateway}_self_redirect_${portPart}${protocol}_${EGRESS_PORT}`;
}

/** HCM / tcp_proxy stat prefix: `ingress`, or `ingress.<protocol>.<port>` once a node has several listeners. */
export function ingressStatPrefix(protocol: Protocol, port: number, multiListener: boolean): string {
  return multiListener ? `ingress.${protocol}.${port}` : 'ingress';
}

export const EGRESS_STAT_PREFIX = 'egress';
