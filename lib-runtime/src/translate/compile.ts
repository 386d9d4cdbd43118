import { DEFAULT_EGRESS_FILTER } from './defaults';
import { Protocol, remoteClusterName } from './names';
import { compareGatewayRoutes, compareRoutes } from './route-order';
import { ServicePortTable, serviceTables } from './service-routes';
import { Listener } from '../../../src/spec/appmesh-types';
import {
  GatewayRouteResource,
  MeshSpecDocument,
  RouteResource,
  VirtualGatewayResource,
  VirtualNodeResource,
  VirtualRouterResource,
  VirtualServiceResource,
} from '../../../src/spec/document';

/**
 * A mesh spec indexed once for rendering many nodes: lookup maps, routes in App Mesh order,
 * per-service route tables built on first use and shared by every caller, and a fingerprint
 * per resource so a change can be traced to the nodes it affects.
 */
export interface CompiledMesh {
  readonly spec: MeshSpecDocument;
  readonly meshName: string;
  readonly egressFilter: 'ALLOW_ALL' | 'DROP_ALL';
  readonly ipPreference?: string;
  readonly nodes: ReadonlyMap<string, VirtualNodeResource>;
  readonly services: ReadonlyMap<string, VirtualServiceResource>;
  readonly routers: ReadonlyMap<string, VirtualRouterResource>;
  /** Routes per router, in App Mesh's evaluation order. */
  readonly routesByRouter: ReadonlyMap<string, RouteResource[]>;
  readonly gateways: ReadonlyMap<string, VirtualGatewayResource>;
  /** Gateway routes per gateway, in App Mesh's evaluation order. */
  readonly gatewayRoutesByGateway: ReadonlyMap<string, GatewayRouteResource[]>;
  /** Every virtual service name, sorted. */
  readonly serviceNames: readonly string[];
  /** Resource key (`node:<n>`, `service:<s>`, …) → JSON of its spec. */
  readonly fingerprints: ReadonlyMap<string, string>;
  /** Route tables per virtual service, one per port it is reachable on; built lazily. */
  tablesOf(serviceName: string): readonly ServicePortTable[];
}

/** Builds the index. Pure; linear in the size of the spec. */
export function compileMesh(spec: MeshSpecDocument): CompiledMesh {
  const meshName = spec.mesh.meshName;
  const nodes = indexBy(spec.virtualNodes, r => r.virtualNodeName);
  const services = indexBy(spec.virtualServices, r => r.virtualServiceName);
  const routers = indexBy(spec.virtualRouters, r => r.virtualRouterName);
  const gateways = indexBy(spec.virtualGateways, r => r.virtualGatewayName);
  const routesByRouter = groupBy(spec.routes, r => r.virtualRouterName);
  for (const list of routesByRouter.values()) list.sort(compareRoutes);
  const gatewayRoutesByGateway = groupBy(spec.gatewayRoutes, r => r.virtualGatewayName);
  for (const list of gatewayRoutesByGateway.values()) list.sort(compareGatewayRoutes);

  const fingerprints = new Map<string, string>();
  fingerprints.set('mesh', JSON.stringify(spec.mesh.spec ?? {}));
  for (const r of spec.virtualNodes) fingerprints.set(`node:${r.virtualNodeName}`, JSON.stringify(r.spec));
  for (const r of spec.virtualServices) fingerprints.set(`service:${r.virtualServiceName}`, JSON.stringify(r.spec));
  for (const r of spec.virtualRouters) fingerprints.set(`router:${r.virtualRouterName}`, JSON.stringify(r.spec));
  for (const r of spec.routes) fingerprints.set(`route:${r.virtualRouterName}/${r.routeName}`, JSON.stringify(r.spec));
  for (const r of spec.virtualGateways) fingerprints.set(`gateway:${r.virtualGatewayName}`, JSON.stringify(r.spec));
  for (const r of spec.gatewayRoutes) fingerprints.set(`gatewayRoute:${r.virtualGatewayName}/${r.gatewayRouteName}`, JSON.stringify(r.spec));

  const tableCache = new Map<string, readonly ServicePortTable[]>();
  const compiled: CompiledMesh = {
    spec,
    meshName,
    egressFilter: spec.mesh.spec?.egressFilter?.type ?? DEFAULT_EGRESS_FILTER,
    ipPreference: spec.mesh.spec?.serviceDiscovery?.ipPreference,
    nodes,
    services,
    routers,
    routesByRouter,
    gateways,
    gatewayRoutesByGateway,
    serviceNames: [...services.keys()].sort(),
    fingerprints,
    tablesOf(serviceName: string) {
      let tables = tableCache.get(serviceName);
      if (!tables) {
        tables = serviceTables(compiled, serviceName);
        tableCache.set(serviceName, tables);
      }
      return tables;
    },
  };
  return compiled;
}

/** A listener of a virtual node that some route sends traffic to: one `cds_egress_…` cluster. */
export interface TargetListener {
  readonly node: VirtualNodeResource;
  readonly listener: Listener;
  readonly protocol: Protocol;
  readonly clusterName: string;
}

/**
 * The listener of `nodeName` a weighted target reaches: the one on `port` if given, else the
 * only listener, else the first one speaking `protocol`, else the first one. Undefined when the
 * node or the listener does not exist (the target is then left out).
 */
export function targetListener(
  mesh: CompiledMesh,
  nodeName: string,
  port: number | undefined,
  protocol: Protocol | undefined,
): TargetListener | undefined {
  const node = mesh.nodes.get(nodeName);
  const listeners = node?.spec.listeners ?? [];
  if (!node || listeners.length === 0) return undefined;
  let listener: Listener | undefined;
  if (port !== undefined) {
    listener = listeners.find(l => l.portMapping.port === port);
  } else if (listeners.length === 1) {
    listener = listeners[0];
  } else {
    listener = listeners.find(l => l.portMapping.protocol === protocol) ?? listeners[0];
  }
  if (!listener) return undefined;
  const proto = listener.portMapping.protocol;
  return {
    node,
    listener,
    protocol: proto,
    clusterName: remoteClusterName(mesh.meshName, node.virtualNodeName, proto, listener.portMapping.port),
  };
}

function indexBy<T>(items: readonly T[] | undefined, key: (item: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items ?? []) map.set(key(item), item);
  return map;
}

function groupBy<T>(items: readonly T[] | undefined, key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items ?? []) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
