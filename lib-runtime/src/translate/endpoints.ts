import { TargetListener } from './compile';
import { socketAddress, u32 } from './proto-json';
import { DiscoveredEndpoint, DiscoveredEndpoints, ProtoJson } from './types';

/**
 * The endpoints discovered for a virtual node, or undefined when none were. An own-property
 * lookup: a node named `constructor` or `toString` must not find Object.prototype's member.
 */
export function discoveredFor(endpoints: DiscoveredEndpoints, nodeName: string): readonly DiscoveredEndpoint[] | undefined {
  return Object.hasOwn(endpoints, nodeName) ? endpoints[nodeName] : undefined;
}

/**
 * ClusterLoadAssignment for a target listener from discovered endpoints: one locality per zone,
 * each weighted by its endpoint count (gRPC drops localities without a positive weight, X29;
 * Envoy ignores locality weights unless asked to use them).
 */
export function loadAssignment(target: TargetListener, discovered: readonly DiscoveredEndpoint[]): ProtoJson {
  const listenerPort = target.listener.portMapping.port;
  const singleListener = (target.node.spec.listeners ?? []).length <= 1;
  const healthCheckPort = healthCheckPortOf(target);
  const byZone = new Map<string, ProtoJson[]>();
  const sorted = discovered
    .filter(e => e.listenerPort === undefined || e.listenerPort === listenerPort)
    .map(e => ({ e, port: e.listenerPort !== undefined || singleListener ? e.port : listenerPort }))
    .sort((a, b) => compare(`${a.e.zone ?? ''}|${a.e.address}|${a.port}`, `${b.e.zone ?? ''}|${b.e.address}|${b.port}`));
  for (const { e, port } of sorted) {
    const zone = e.zone ?? '';
    const list = byZone.get(zone) ?? [];
    byZone.set(zone, list);
    list.push(lbEndpoint(e.address, port, healthCheckPort, e.healthy));
  }
  const localities = [...byZone].map(([zone, lbEndpoints]) => {
    const locality: ProtoJson = { locality: zone ? { zone } : {}, lb_endpoints: lbEndpoints, load_balancing_weight: u32(lbEndpoints.length) };
    return locality;
  });
  return { cluster_name: target.clusterName, endpoints: localities };
}

/** The inline assignment of a DNS cluster: the hostname itself, resolved by Envoy. */
export function dnsLoadAssignment(target: TargetListener, hostname: string): ProtoJson {
  const endpoint = lbEndpoint(hostname, target.listener.portMapping.port, healthCheckPortOf(target), undefined);
  return { cluster_name: target.clusterName, endpoints: [{ lb_endpoints: [endpoint] }] };
}

/** A single static endpoint (local app, self-redirect). */
export function staticLoadAssignment(clusterName: string, address: string, port: number): ProtoJson {
  return { cluster_name: clusterName, endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(address, port) } }] }] };
}

function lbEndpoint(address: string, port: number, healthCheckPort: number | undefined, healthy: boolean | undefined): ProtoJson {
  const endpoint: ProtoJson = { address: socketAddress(address, port) };
  // App Mesh's healthCheck.port ("defaults to the listener port") → per-endpoint health check port.
  if (healthCheckPort !== undefined) {
    endpoint.health_check_config = { port_value: healthCheckPort };
  }
  const out: ProtoJson = { endpoint };
  if (healthy !== undefined) {
    out.health_status = healthy ? 'HEALTHY' : 'UNHEALTHY';
  }
  return out;
}

/** The health check port when it differs from the listener port, else undefined. */
function healthCheckPortOf(target: TargetListener): number | undefined {
  const port = target.listener.healthCheck?.port;
  return port !== undefined && port !== target.listener.portMapping.port ? port : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
