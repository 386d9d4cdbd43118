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
 * per-service route tables built on first use and shared by every caller, and every resource
 * under a key so a change can be traced to the nodes it affects.
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
  /**
   * Resource key (`mesh`, `node:<n>`, `service:<s>`, `router:<r>`, `route:<r>/<n>`, `gateway:<g>`,
   * `gatewayRoute:<g>/<n>`) → its spec object. Built on first use (affectedNodes compares the lookup maps directly).
   */
  readonly resourceSpecs: ReadonlyMap<string, object>;
  /** Reverse index for change tracking: who calls each service, what each router and node serves. Built on first use. */
  readonly dependents: MeshDependents;
  /** Route tables per virtual service, one per port it is reachable on; built lazily. */
  tablesOf(serviceName: string): readonly ServicePortTable[];
}

const EMPTY = {};
/** Builds the index. Pure; linear in the size of the spec; route tables and reverse index are built on use. */
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

  let resourceSpecs: ReadonlyMap<string, object> | undefined;
  let dependents: MeshDependents | undefined;
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
    get resourceSpecs() {
      resourceSpecs ??= keyResources(spec);
      return resourceSpecs;
    },
    get dependents() {
      dependents ??= derivedDependents.get(compiled) ?? indexDependents(spec, services, routesByRouter);
      return dependents;
    },
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

function keyResources(spec: MeshSpecDocument): ReadonlyMap<string, object> {
  const resourceSpecs = new Map<string, object>();
  resourceSpecs.set('mesh', spec.mesh.spec ?? EMPTY);
  for (const r of spec.virtualNodes ?? []) resourceSpecs.set(`node:${r.virtualNodeName}`, r.spec);
  for (const r of spec.virtualServices ?? []) resourceSpecs.set(`service:${r.virtualServiceName}`, r.spec);
  for (const r of spec.virtualRouters ?? []) resourceSpecs.set(`router:${r.virtualRouterName}`, r.spec);
  for (const r of spec.routes ?? []) resourceSpecs.set(`route:${r.virtualRouterName}/${r.routeName}`, r.spec);
  for (const r of spec.virtualGateways ?? []) resourceSpecs.set(`gateway:${r.virtualGatewayName}`, r.spec);
  for (const r of spec.gatewayRoutes ?? []) resourceSpecs.set(`gatewayRoute:${r.virtualGatewayName}/${r.gatewayRouteName}`, r.spec);
  return resourceSpecs;
}

const derivedDependents = new WeakMap<CompiledMesh, MeshDependents>();

/**
 * Hands `mesh` a reverse index worked out from an earlier version's (see affectedNodes), so
 * `mesh.dependents` does not rebuild it by walking the whole spec. Ignored once the index is built.
 */
export function provideDependents(mesh: CompiledMesh, dependents: MeshDependents): void {
  derivedDependents.set(mesh, dependents);
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

/**
 * Reverse dependencies, built in one pass: the node ids (short form) that call each virtual
 * service (its backends' owners and the gateways whose routes target it), the services each
 * router provides, and the services whose routes (or provider) reach each virtual node.
 */
export interface MeshDependents {
  readonly callersOfService: ReadonlyMap<string, ReadonlySet<string>>;
  readonly servicesOfRouter: ReadonlyMap<string, ReadonlySet<string>>;
  readonly servicesReachingNode: ReadonlyMap<string, ReadonlySet<string>>;
}

function indexDependents(
  spec: MeshSpecDocument,
  services: ReadonlyMap<string, VirtualServiceResource>,
  routesByRouter: ReadonlyMap<string, RouteResource[]>,
): MeshDependents {
  const meshName = spec.mesh.meshName;
  const callersOfService = new Map<string, Set<string>>();
  const servicesOfRouter = new Map<string, Set<string>>();
  const servicesReachingNode = new Map<string, Set<string>>();
  for (const node of spec.virtualNodes ?? []) {
    const id = `mesh/${meshName}/virtualNode/${node.virtualNodeName}`;
    for (const backend of node.spec.backends ?? []) {
      if (backend.virtualService) addTo(callersOfService, backend.virtualService.virtualServiceName, id);
    }
  }
  for (const route of spec.gatewayRoutes ?? []) {
    const target = (route.spec.httpRoute ?? route.spec.http2Route ?? route.spec.grpcRoute)?.action.target;
    if (target) addTo(callersOfService, target.virtualService.virtualServiceName, `mesh/${meshName}/virtualGateway/${route.virtualGatewayName}`);
  }
  // A gateway's external authorization service is called like a route target (its cluster is in the gateway's view).
  for (const gateway of spec.virtualGateways ?? []) {
    const authz = gateway.extensions?.externalAuthorization?.virtualServiceName;
    if (authz !== undefined) addTo(callersOfService, authz, `mesh/${meshName}/virtualGateway/${gateway.virtualGatewayName}`);
  }
  for (const [serviceName, service] of services) {
    const provider = service.spec.provider;
    if (provider?.virtualNode) addTo(servicesReachingNode, provider.virtualNode.virtualNodeName, serviceName);
    const router = provider?.virtualRouter?.virtualRouterName;
    if (!router) continue;
    addTo(servicesOfRouter, router, serviceName);
    for (const route of routesByRouter.get(router) ?? []) {
      const kind = route.spec.httpRoute ?? route.spec.http2Route ?? route.spec.grpcRoute ?? route.spec.tcpRoute;
      for (const target of kind?.action.weightedTargets ?? []) addTo(servicesReachingNode, target.virtualNode, serviceName);
      // Mirror targets get copies of the service's requests: callers render their clusters too.
      for (const mirror of route.extensions?.requestMirrors ?? []) addTo(servicesReachingNode, mirror.virtualNode, serviceName);
    }
  }
  return { callersOfService, servicesOfRouter, servicesReachingNode };
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
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
