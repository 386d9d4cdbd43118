import { CompiledMesh, MeshDependents, provideDependents } from './compile';
import { formatNodeId } from './node-id';
import { sameContent } from './same-content';
import { listNodeIds } from './translate';
import {
  GatewayRouteResource,
  RouteResource,
  VirtualGatewayResource,
  VirtualNodeResource,
  VirtualRouterResource,
  VirtualServiceResource,
} from '../../../src/spec/document';

/**
 * Which nodes a change touches, so the runtime re-renders only those. A node's output depends on
 * the mesh spec, its own resource, and — per service it may call — the service, its router and
 * routes (or provider node) and every node those routes target; plus the endpoints of those target
 * nodes. Under ALLOW_ALL a virtual node's proxyless view covers every service, so every virtual
 * node depends on every service-side change. Worked out from the changed resources through the
 * reverse index built by compileMesh, so the cost follows the size of the change: resources are
 * compared list position by list position, by walking them (no serialisation), and the new mesh's
 * reverse index is derived from the previous one by re-deriving only the entries the changed
 * resources touch. The walk is what remains in proportion to the mesh: every resource is compared.
 */

/** Result of comparing two compiled meshes. */
export interface MeshChange {
  /** Node ids (short form) present in `next` whose rendered config may differ, sorted like listNodeIds. */
  readonly affected: string[];
  /** Node ids present before and gone now. */
  readonly removed: string[];
}

/** Nodes whose config may change between two versions of the spec (all of them when `prev` is absent). */
export function affectedNodes(prev: CompiledMesh | undefined, next: CompiledMesh): MeshChange {
  if (!prev || prev.meshName !== next.meshName) {
    return { affected: listNodeIds(next), removed: prev ? listNodeIds(prev) : [] };
  }
  const changed = changedKeys(prev, next);
  const removed = removedNodeIds(next, changed);
  if (changed.length === 0) {
    provideDependents(next, prev.dependents);
    return { affected: [], removed };
  }
  if (changed.includes('mesh')) return { affected: listNodeIds(next), removed };
  provideDependents(next, deriveDependents(prev, next, changed));

  const hit = new Set<string>();
  const meshes = [prev, next];
  const addCallers = (service: string) => {
    for (const m of meshes) for (const id of m.dependents.callersOfService.get(service) ?? []) hit.add(id);
  };
  let serviceSide = false;
  for (const key of changed) {
    const colon = key.indexOf(':');
    const kind = key.slice(0, colon);
    const name = key.slice(colon + 1);
    switch (kind) {
      case 'node':
        hit.add(formatNodeId({ meshName: next.meshName, kind: 'virtualNode', name }));
        for (const m of meshes) for (const service of m.dependents.servicesReachingNode.get(name) ?? []) addCallers(service);
        serviceSide = true;
        break;
      case 'service':
        addCallers(name);
        serviceSide = true;
        break;
      case 'router':
      case 'route': {
        const router = kind === 'route' ? name.slice(0, name.indexOf('/')) : name;
        for (const m of meshes) for (const service of m.dependents.servicesOfRouter.get(router) ?? []) addCallers(service);
        serviceSide = true;
        break;
      }
      case 'gateway':
      case 'gatewayRoute': {
        const gateway = kind === 'gatewayRoute' ? name.slice(0, name.indexOf('/')) : name;
        hit.add(formatNodeId({ meshName: next.meshName, kind: 'virtualGateway', name: gateway }));
        break;
      }
    }
  }
  const allowAll = prev.egressFilter === 'ALLOW_ALL' || next.egressFilter === 'ALLOW_ALL';
  if (allowAll && serviceSide) {
    return { affected: listNodeIds(next).filter(id => hit.has(id) || id.includes('/virtualNode/')), removed };
  }
  // Only the hit ids, in listNodeIds order (virtual nodes by name, then gateways), without listing every node.
  const nodePrefix = `mesh/${next.meshName}/virtualNode/`;
  const gatewayPrefix = `mesh/${next.meshName}/virtualGateway/`;
  const nodes: string[] = [];
  const gateways: string[] = [];
  for (const id of hit) {
    if (id.startsWith(nodePrefix)) {
      if (next.nodes.has(id.slice(nodePrefix.length))) nodes.push(id);
    } else if (id.startsWith(gatewayPrefix) && next.gateways.has(id.slice(gatewayPrefix.length))) {
      gateways.push(id);
    }
  }
  return { affected: [...nodes.sort(), ...gateways.sort()], removed };
}

/**
 * Ids of the nodes and gateways of `prev` that `next` no longer has, sorted like listNodeIds: read
 * from the changed keys, which hold every removed resource.
 */
function removedNodeIds(next: CompiledMesh, changed: readonly string[]): string[] {
  const nodes: string[] = [];
  const gateways: string[] = [];
  for (const key of changed) {
    if (key.startsWith('node:')) {
      const name = key.slice('node:'.length);
      if (!next.nodes.has(name)) nodes.push(name);
    } else if (key.startsWith('gateway:')) {
      const name = key.slice('gateway:'.length);
      if (!next.gateways.has(name)) gateways.push(name);
    }
  }
  if (nodes.length === 0 && gateways.length === 0) return [];
  nodes.sort();
  gateways.sort();
  return [
    ...nodes.map(name => formatNodeId({ meshName: next.meshName, kind: 'virtualNode', name })),
    ...gateways.map(name => formatNodeId({ meshName: next.meshName, kind: 'virtualGateway', name })),
  ];
}

/** Nodes whose config uses the endpoints of any of `virtualNodeNames`. */
export function nodesUsingEndpoints(mesh: CompiledMesh, virtualNodeNames: Iterable<string>): string[] {
  const hit = new Set<string>();
  let any = false;
  for (const name of virtualNodeNames) {
    any = true;
    for (const service of mesh.dependents.servicesReachingNode.get(name) ?? []) {
      for (const id of mesh.dependents.callersOfService.get(service) ?? []) hit.add(id);
    }
  }
  if (!any) return [];
  const allowAll = mesh.egressFilter === 'ALLOW_ALL';
  return listNodeIds(mesh).filter(id => hit.has(id) || (allowAll && id.includes('/virtualNode/')));
}

/**
 * Keys (see CompiledMesh.resourceSpecs) of resources added, removed or changed. Each resource list
 * is first compared in place, `next`'s i-th resource against `prev`'s i-th: both are in canonical
 * order, so the names line up unless resources were added, removed or renamed. Only a list whose
 * names do not line up is compared through the lookup maps. A key string is made only for a changed
 * resource.
 */
function changedKeys(prev: CompiledMesh, next: CompiledMesh): string[] {
  const changed: string[] = [];
  if (!sameContent(prev.spec.mesh.spec ?? EMPTY, next.spec.mesh.spec ?? EMPTY)) changed.push('mesh');
  const before = prev.spec;
  const after = next.spec;
  if (!changedInPlace(changed, before.virtualNodes, after.virtualNodes, sameNodeName, nodeKey)) {
    changedByName(changed, 'node', prev.nodes, next.nodes);
  }
  if (!changedInPlace(changed, before.virtualServices, after.virtualServices, sameServiceName, serviceKey)) {
    changedByName(changed, 'service', prev.services, next.services);
  }
  if (!changedInPlace(changed, before.virtualRouters, after.virtualRouters, sameRouterName, routerKey)) {
    changedByName(changed, 'router', prev.routers, next.routers);
  }
  if (!changedInPlace(changed, before.virtualGateways, after.virtualGateways, sameGatewayName, gatewayKey)) {
    changedByName(changed, 'gateway', prev.gateways, next.gateways);
  }
  if (!changedInPlace(changed, before.routes, after.routes, sameRouteName, routeKey)) {
    changedChildren(changed, 'route', prev.routesByRouter, next.routesByRouter, routeName);
  }
  if (!changedInPlace(changed, before.gatewayRoutes, after.gatewayRoutes, sameGatewayRouteName, gatewayRouteKey)) {
    changedChildren(changed, 'gatewayRoute', prev.gatewayRoutesByGateway, next.gatewayRoutesByGateway, gatewayRouteName);
  }
  return changed;
}

const EMPTY = {};

/** Same spec and same policies (the `extensions` beside the spec, docs/policies.md). */
type WithPolicies = { readonly spec: object; readonly extensions?: object };
function sameResource(a: WithPolicies, b: WithPolicies): boolean {
  return sameContent(a.spec, b.spec) && sameContent(a.extensions ?? EMPTY, b.extensions ?? EMPTY);
}
const NONE: readonly never[] = [];

/**
 * Pushes the key of each resource whose spec differs from the one at the same position in
 * `before`. False, with nothing pushed, when the lists differ in length or in a name at some
 * position; then the caller compares by name. Names are unique in a validated spec; in one that is
 * not, this can only report a key more than the maps would (a spare re-render, never a missed one).
 */
function changedInPlace<T extends { readonly spec: object }>(
  changed: string[],
  before: readonly T[] = NONE,
  after: readonly T[] = NONE,
  sameName: (a: T, b: T) => boolean,
  keyOf: (r: T) => string,
): boolean {
  if (before.length !== after.length) return false;
  const mark = changed.length;
  for (let i = 0; i < after.length; i++) {
    const was = before[i];
    const r = after[i];
    if (!sameName(was, r)) {
      changed.length = mark;
      return false;
    }
    if (!sameResource(was, r)) changed.push(keyOf(r));
  }
  return true;
}

const sameNodeName = (a: VirtualNodeResource, b: VirtualNodeResource) => a.virtualNodeName === b.virtualNodeName;
const sameServiceName = (a: VirtualServiceResource, b: VirtualServiceResource) => a.virtualServiceName === b.virtualServiceName;
const sameRouterName = (a: VirtualRouterResource, b: VirtualRouterResource) => a.virtualRouterName === b.virtualRouterName;
const sameGatewayName = (a: VirtualGatewayResource, b: VirtualGatewayResource) => a.virtualGatewayName === b.virtualGatewayName;
const sameRouteName = (a: RouteResource, b: RouteResource) => a.routeName === b.routeName && a.virtualRouterName === b.virtualRouterName;
const sameGatewayRouteName = (a: GatewayRouteResource, b: GatewayRouteResource) =>
  a.gatewayRouteName === b.gatewayRouteName && a.virtualGatewayName === b.virtualGatewayName;
const nodeKey = (r: VirtualNodeResource) => `node:${r.virtualNodeName}`;
const serviceKey = (r: VirtualServiceResource) => `service:${r.virtualServiceName}`;
const routerKey = (r: VirtualRouterResource) => `router:${r.virtualRouterName}`;
const gatewayKey = (r: VirtualGatewayResource) => `gateway:${r.virtualGatewayName}`;
const routeKey = (r: RouteResource) => `route:${r.virtualRouterName}/${r.routeName}`;
const gatewayRouteKey = (r: GatewayRouteResource) => `gatewayRoute:${r.virtualGatewayName}/${r.gatewayRouteName}`;
const routeName = (r: RouteResource) => r.routeName;
const gatewayRouteName = (r: GatewayRouteResource) => r.gatewayRouteName;

/** The by-name comparison of one kind of resource, for a list whose names do not line up. */
function changedByName<T extends { readonly spec: object }>(
  changed: string[], kind: string, before: ReadonlyMap<string, T>, after: ReadonlyMap<string, T>,
): void {
  for (const [name, r] of after) {
    const old = before.get(name);
    if (old === undefined || !sameResource(old, r)) changed.push(`${kind}:${name}`);
  }
  for (const name of before.keys()) if (!after.has(name)) changed.push(`${kind}:${name}`);
}

/** The by-name comparison of routes or gateway routes, per parent. */
function changedChildren<T extends { readonly spec: object }>(
  changed: string[], kind: string, before: ReadonlyMap<string, T[]>, after: ReadonlyMap<string, T[]>, nameOf: (r: T) => string,
): void {
  for (const [parent, list] of after) {
    const old = before.get(parent) ?? [];
    if (old.length === list.length && list.every((r, i) => nameOf(r) === nameOf(old[i]))) {
      // Same names in the same order: compare pairwise.
      for (let i = 0; i < list.length; i++) {
        if (!sameResource(old[i], list[i])) changed.push(`${kind}:${parent}/${nameOf(list[i])}`);
      }
      continue;
    }
    const byName = new Map(old.map(r => [nameOf(r), r]));
    for (const r of list) {
      const was = byName.get(nameOf(r));
      if (was === undefined || !sameResource(was, r)) changed.push(`${kind}:${parent}/${nameOf(r)}`);
      byName.delete(nameOf(r));
    }
    for (const name of byName.keys()) changed.push(`${kind}:${parent}/${name}`);
  }
  for (const [parent, list] of before) {
    if (!after.has(parent)) for (const r of list) changed.push(`${kind}:${parent}/${nameOf(r)}`);
  }
}

/**
 * The reverse index of `next`, from `prev`'s: an entry can differ only where a changed resource
 * contributes (in either version), so only those entries are re-derived — from the candidates the
 * old entry and the changed resources give, each checked against `next`. Other entries are shared.
 */
function deriveDependents(prev: CompiledMesh, next: CompiledMesh, changed: readonly string[]): MeshDependents {
  const old = prev.dependents;
  const meshes = [prev, next];
  const nodePrefix = `mesh/${next.meshName}/virtualNode/`;
  const gatewayPrefix = `mesh/${next.meshName}/virtualGateway/`;
  const touchedServices = new Set<string>(); // callersOfService entries to re-derive
  const touchedRouters = new Set<string>(); // servicesOfRouter entries
  const touchedNodes = new Set<string>(); // servicesReachingNode entries
  const callerCandidates: string[] = [];
  const changedServices: string[] = [];
  const changedRouteRouters = new Set<string>();
  for (const key of changed) {
    const colon = key.indexOf(':');
    const kind = key.slice(0, colon);
    const name = key.slice(colon + 1);
    if (kind === 'node') {
      callerCandidates.push(nodePrefix + name);
      for (const m of meshes) for (const s of servicesCalledByNode(m, name)) touchedServices.add(s);
    } else if (kind === 'gatewayRoute' || kind === 'gateway') {
      const gateway = kind === 'gateway' ? name : name.slice(0, name.indexOf('/'));
      callerCandidates.push(gatewayPrefix + gateway);
      for (const m of meshes) for (const s of servicesCalledByGateway(m, gateway)) touchedServices.add(s);
    } else if (kind === 'service') {
      changedServices.push(name);
      for (const m of meshes) {
        const router = routerOf(m, name);
        if (router !== undefined) touchedRouters.add(router);
        for (const n of nodesReachedByService(m, name)) touchedNodes.add(n);
      }
    } else if (kind === 'route') {
      changedRouteRouters.add(name.slice(0, name.indexOf('/')));
      for (const m of meshes) {
        const slash = name.indexOf('/');
        const route = m.routesByRouter.get(name.slice(0, slash))?.find(r => r.routeName === name.slice(slash + 1));
        if (route) for (const n of routeTargets(route)) touchedNodes.add(n);
      }
    }
  }

  const servicesOfRouter = rederive(old.servicesOfRouter, touchedRouters, router =>
    [...(old.servicesOfRouter.get(router) ?? []), ...changedServices].filter(s => routerOf(next, s) === router));
  const callersOfService = rederive(old.callersOfService, touchedServices, service =>
    [...(old.callersOfService.get(service) ?? []), ...callerCandidates].filter(id =>
      id.startsWith(nodePrefix)
        ? servicesCalledByNode(next, id.slice(nodePrefix.length)).includes(service)
        : servicesCalledByGateway(next, id.slice(gatewayPrefix.length)).includes(service)));
  const serviceCandidates = [...changedServices];
  for (const router of changedRouteRouters) serviceCandidates.push(...(servicesOfRouter.get(router) ?? []));
  const servicesReachingNode = rederive(old.servicesReachingNode, touchedNodes, node =>
    [...(old.servicesReachingNode.get(node) ?? []), ...serviceCandidates].filter(s => nodesReachedByService(next, s).includes(node)));
  return { callersOfService, servicesOfRouter, servicesReachingNode };
}

/**
 * `map` with the entries of `keys` re-derived (absent when empty, as a freshly built index has
 * it). Copied only if an entry really differs: a weight change re-derives the same sets, and the
 * maps, shared read-only between versions, are then not copied at all.
 */
function rederive(
  map: ReadonlyMap<string, ReadonlySet<string>>, keys: ReadonlySet<string>, derive: (key: string) => readonly string[],
): ReadonlyMap<string, ReadonlySet<string>> {
  let copy: Map<string, ReadonlySet<string>> | undefined;
  for (const key of keys) {
    const values = new Set(derive(key));
    const had = map.get(key);
    if (had === undefined ? values.size === 0 : had.size === values.size && [...values].every(v => had.has(v))) continue;
    copy ??= new Map(map);
    if (values.size === 0) copy.delete(key);
    else copy.set(key, values);
  }
  return copy ?? map;
}

function servicesCalledByNode(mesh: CompiledMesh, nodeName: string): string[] {
  const services: string[] = [];
  for (const backend of mesh.nodes.get(nodeName)?.spec.backends ?? []) {
    if (backend.virtualService) services.push(backend.virtualService.virtualServiceName);
  }
  return services;
}

function servicesCalledByGateway(mesh: CompiledMesh, gatewayName: string): string[] {
  const services: string[] = [];
  for (const route of mesh.gatewayRoutesByGateway.get(gatewayName) ?? []) {
    const target = (route.spec.httpRoute ?? route.spec.http2Route ?? route.spec.grpcRoute)?.action.target;
    if (target) services.push(target.virtualService.virtualServiceName);
  }
  // The gateway's external authorization service: its cluster is rendered into the gateway's view.
  const authz = mesh.gateways.get(gatewayName)?.extensions?.externalAuthorization?.virtualServiceName;
  if (authz !== undefined) services.push(authz);
  return services;
}

function routerOf(mesh: CompiledMesh, serviceName: string): string | undefined {
  return mesh.services.get(serviceName)?.spec.provider?.virtualRouter?.virtualRouterName;
}

/** Virtual nodes a service's provider node or its router's routes reach, in `mesh`. */
function nodesReachedByService(mesh: CompiledMesh, serviceName: string): string[] {
  const provider = mesh.services.get(serviceName)?.spec.provider;
  const nodes: string[] = [];
  if (provider?.virtualNode) nodes.push(provider.virtualNode.virtualNodeName);
  const router = provider?.virtualRouter?.virtualRouterName;
  if (router !== undefined) for (const route of mesh.routesByRouter.get(router) ?? []) nodes.push(...routeTargets(route));
  return nodes;
}

/** The nodes a route sends requests to: its weighted targets and the nodes it mirrors to. */
function routeTargets(route: RouteResource): string[] {
  const spec = route.spec;
  const kind = spec.httpRoute ?? spec.http2Route ?? spec.grpcRoute ?? spec.tcpRoute;
  const mirrors = route.extensions?.requestMirrors ?? [];
  return [...(kind?.action.weightedTargets ?? []).map(t => t.virtualNode), ...mirrors.map(m => m.virtualNode)];
}
