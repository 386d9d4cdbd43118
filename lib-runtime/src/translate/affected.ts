import { CompiledMesh, resourceFingerprint } from './compile';
import { formatNodeId } from './node-id';
import { listNodeIds } from './translate';

/**
 * Which nodes a change touches, so the runtime re-renders only those. A node's output depends on
 * the mesh spec, its own resource, and — per service it may call — the service, its router and
 * routes (or provider node) and every node those routes target; plus the endpoints of those target
 * nodes. Under ALLOW_ALL a virtual node's proxyless view covers every service, so every virtual
 * node depends on every service-side change. Worked out from the changed resources through the
 * reverse index built by compileMesh, so the cost follows the size of the change.
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
  const nextIds = listNodeIds(next);
  if (!prev || prev.meshName !== next.meshName) {
    return { affected: nextIds, removed: prev ? listNodeIds(prev) : [] };
  }
  const nextSet = new Set(nextIds);
  const removed = listNodeIds(prev).filter(id => !nextSet.has(id));
  const changed = changedKeys(prev, next);
  if (changed.length === 0) return { affected: [], removed };
  if (changed.includes('mesh')) return { affected: nextIds, removed };

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
  const affected = nextIds.filter(id => hit.has(id) || (allowAll && serviceSide && id.includes('/virtualNode/')));
  return { affected, removed };
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

/** Keys of resources added, removed or changed (same object = unchanged, else compared by content). */
function changedKeys(prev: CompiledMesh, next: CompiledMesh): string[] {
  const changed: string[] = [];
  for (const [key, spec] of next.resourceSpecs) {
    const before = prev.resourceSpecs.get(key);
    if (before !== spec && (before === undefined || resourceFingerprint(before) !== resourceFingerprint(spec))) changed.push(key);
  }
  for (const key of prev.resourceSpecs.keys()) {
    if (!next.resourceSpecs.has(key)) changed.push(key);
  }
  return changed;
}
