import { CompiledMesh } from './compile';
import { parseNodeId } from './node-id';
import { listNodeIds } from './translate';
import { gatewayTargets } from './virtual-gateway';

/**
 * Which nodes a change touches, so the runtime re-renders only those. A node's output depends on
 * the mesh spec, its own resource, and — per service it may call — the service, its router and
 * routes (or provider node) and every node those routes target; plus the endpoints of those target
 * nodes. Under ALLOW_ALL a node's proxyless view covers every service, so it depends on everything.
 */
interface Dependencies {
  /** Fingerprint keys (see CompiledMesh.fingerprints); undefined = everything. */
  readonly keys?: ReadonlySet<string>;
  /** Virtual node names whose endpoints the node's clusters use; undefined = every node. */
  readonly endpointNodes?: ReadonlySet<string>;
}

const cache = new WeakMap<CompiledMesh, Map<string, Dependencies>>();

function dependenciesOf(mesh: CompiledMesh, nodeId: string): Dependencies {
  let perMesh = cache.get(mesh);
  if (!perMesh) {
    perMesh = new Map();
    cache.set(mesh, perMesh);
  }
  let deps = perMesh.get(nodeId);
  if (!deps) {
    deps = computeDependencies(mesh, nodeId);
    perMesh.set(nodeId, deps);
  }
  return deps;
}

function computeDependencies(mesh: CompiledMesh, nodeId: string): Dependencies {
  const node = parseNodeId(nodeId);
  const keys = new Set<string>(['mesh']);
  const endpointNodes = new Set<string>();
  let services: string[];
  if (node.kind === 'virtualNode') {
    if (mesh.egressFilter === 'ALLOW_ALL') return {};
    keys.add(`node:${node.name}`);
    services = (mesh.nodes.get(node.name)?.spec.backends ?? []).flatMap(b => (b.virtualService ? [b.virtualService.virtualServiceName] : []));
  } else {
    keys.add(`gateway:${node.name}`);
    const routes = mesh.gatewayRoutesByGateway.get(node.name) ?? [];
    for (const r of routes) keys.add(`gatewayRoute:${node.name}/${r.gatewayRouteName}`);
    services = [...gatewayTargets(routes).keys()];
  }
  for (const serviceName of services) {
    keys.add(`service:${serviceName}`);
    const provider = mesh.services.get(serviceName)?.spec.provider;
    const targets: string[] = [];
    if (provider?.virtualNode) {
      targets.push(provider.virtualNode.virtualNodeName);
    } else if (provider?.virtualRouter) {
      const router = provider.virtualRouter.virtualRouterName;
      keys.add(`router:${router}`);
      for (const r of mesh.routesByRouter.get(router) ?? []) {
        keys.add(`route:${router}/${r.routeName}`);
        const kind = r.spec.httpRoute ?? r.spec.http2Route ?? r.spec.grpcRoute ?? r.spec.tcpRoute;
        for (const wt of kind?.action.weightedTargets ?? []) targets.push(wt.virtualNode);
      }
    }
    for (const target of targets) {
      keys.add(`node:${target}`);
      endpointNodes.add(target);
    }
  }
  return { keys, endpointNodes };
}

/** Result of comparing two compiled meshes. */
export interface MeshChange {
  /** Node ids (short form) present in `next` whose rendered config may differ. */
  readonly affected: string[];
  /** Node ids present before and gone now. */
  readonly removed: string[];
}

/** Nodes whose config may change between two versions of the spec (all of them when `prev` is absent). */
export function affectedNodes(prev: CompiledMesh | undefined, next: CompiledMesh): MeshChange {
  const nextIds = listNodeIds(next);
  if (!prev || prev.meshName !== next.meshName) {
    return { affected: nextIds, removed: prev ? listNodeIds(prev) : [] };
  }
  const prevIds = new Set(listNodeIds(prev));
  const nextSet = new Set(nextIds);
  const removed = [...prevIds].filter(id => !nextSet.has(id));
  const changed = new Set<string>();
  for (const [key, value] of next.fingerprints) {
    if (prev.fingerprints.get(key) !== value) changed.add(key);
  }
  for (const key of prev.fingerprints.keys()) {
    if (!next.fingerprints.has(key)) changed.add(key);
  }
  if (changed.size === 0) return { affected: [], removed };
  if (changed.has('mesh')) return { affected: nextIds, removed };
  const affected = nextIds.filter(id => {
    if (!prevIds.has(id)) return true;
    return touches(dependenciesOf(next, id).keys, changed) || touches(dependenciesOf(prev, id).keys, changed);
  });
  return { affected, removed };
}

/** Nodes whose config uses the endpoints of any of `virtualNodeNames`. */
export function nodesUsingEndpoints(mesh: CompiledMesh, virtualNodeNames: Iterable<string>): string[] {
  const names = new Set(virtualNodeNames);
  if (names.size === 0) return [];
  return listNodeIds(mesh).filter(id => touches(dependenciesOf(mesh, id).endpointNodes, names));
}

function touches(deps: ReadonlySet<string> | undefined, changed: ReadonlySet<string>): boolean {
  if (!deps) return true;
  const [small, large] = deps.size < changed.size ? [deps, changed] : [changed, deps];
  for (const key of small) if (large.has(key)) return true;
  return false;
}

