import * as fs from 'fs';
import * as path from 'path';
import { meshDoc, MeshParts } from './spec-builder';
import { MeshSpecDocument } from '../../../src/spec/document';
import { affectedNodes, CompiledMesh, compileMesh, DiscoveredEndpoints, listNodeIds, nodesUsingEndpoints, translateNode } from '../../src/translate';
import { EnvoyPatchError } from '../../src/translate/policies/envoy-patch';

const parts = (weightV2: number, extra: MeshParts = {}): MeshParts => ({
  nodes: {
    caller: { backends: [{ virtualService: { virtualServiceName: 'svc' } }] },
    bystander: { backends: [{ virtualService: { virtualServiceName: 'other' } }] },
    v1: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
    v2: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
    o: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
  },
  services: {
    svc: { provider: { virtualRouter: { virtualRouterName: 'r' } } },
    other: { provider: { virtualNode: { virtualNodeName: 'o' } } },
  },
  routers: { r: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] } },
  routes: { 'r/split': { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'v1', weight: 100 - weightV2 }, { virtualNode: 'v2', weight: weightV2 }] } } } },
  ...extra,
});

function renderAll(doc: MeshSpecDocument): Map<string, string> {
  const mesh = compileMesh(doc);
  return new Map(['caller', 'bystander', 'v1', 'v2', 'o'].map(n => [n, JSON.stringify(translateNode({ mesh, nodeId: `mesh/m/virtualNode/${n}` }))]));
}

describe('affectedNodes', () => {
  test('a route weight change affects exactly the callers of that service', () => {
    const before = meshDoc(parts(25));
    const after = meshDoc(parts(50));
    const change = affectedNodes(compileMesh(before), compileMesh(after));
    expect(change).toEqual({ affected: ['mesh/m/virtualNode/caller'], removed: [] });
    // Cross-check with a full re-render: only that node's output changed.
    const a = renderAll(before);
    const b = renderAll(after);
    expect([...a.keys()].filter(n => a.get(n) !== b.get(n))).toEqual(['caller']);
  });

  test('a target node change affects its callers and itself', () => {
    const before = meshDoc(parts(25));
    const p = parts(25);
    const after = meshDoc({ ...p, nodes: { ...p.nodes, o: { listeners: [{ portMapping: { port: 9090, protocol: 'http' } }] } } });
    expect(affectedNodes(compileMesh(before), compileMesh(after)).affected).toEqual(['mesh/m/virtualNode/bystander', 'mesh/m/virtualNode/o']);
  });

  test('a mesh change affects every node; no previous mesh means every node', () => {
    const after = compileMesh(meshDoc(parts(25, { mesh: { egressFilter: { type: 'ALLOW_ALL' } } })));
    expect(affectedNodes(compileMesh(meshDoc(parts(25))), after).affected).toHaveLength(5);
    expect(affectedNodes(undefined, after).affected).toHaveLength(5);
  });

  test('identical specs affect nothing; removed nodes are reported', () => {
    expect(affectedNodes(compileMesh(meshDoc(parts(25))), compileMesh(meshDoc(parts(25))))).toEqual({ affected: [], removed: [] });
    const p = parts(25);
    const { bystander: _gone, ...rest } = p.nodes!;
    expect(affectedNodes(compileMesh(meshDoc(p)), compileMesh(meshDoc({ ...p, nodes: rest }))).removed).toEqual(['mesh/m/virtualNode/bystander']);
  });

  test('a weight change re-derives the same reverse index, so the new mesh shares the old maps', () => {
    const prev = compileMesh(meshDoc(parts(25)));
    const next = compileMesh(meshDoc(parts(50)));
    affectedNodes(prev, next);
    expect(next.dependents.servicesReachingNode).toBe(prev.dependents.servicesReachingNode);
    expect(next.dependents.servicesOfRouter).toBe(prev.dependents.servicesOfRouter);
    expect(next.dependents.callersOfService).toBe(prev.dependents.callersOfService);
    // A new target is a real difference: that map is a new one (and prev's is untouched).
    const p = parts(25);
    const moved = compileMesh(meshDoc({
      ...p, routes: { 'r/split': { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'o', weight: 1 }] } } } },
    }));
    affectedNodes(prev, moved);
    expect(moved.dependents.servicesReachingNode).not.toBe(prev.dependents.servicesReachingNode);
    expect([...moved.dependents.servicesReachingNode.get('o')!].sort()).toEqual(['other', 'svc']);
    expect(prev.dependents.servicesReachingNode.get('o')).toEqual(new Set(['other']));
  });

  test('a new route on the router affects callers', () => {
    const p = parts(25);
    const after = meshDoc({ ...p, routes: { ...p.routes, 'r/extra': { httpRoute: { match: { prefix: '/x' }, action: { weightedTargets: [{ virtualNode: 'v2', weight: 1 }] } } } } });
    expect(affectedNodes(compileMesh(meshDoc(p)), compileMesh(after)).affected).toEqual(['mesh/m/virtualNode/caller']);
  });
});

describe('affectedNodes compares lists in place, and by name when the names do not line up', () => {
  /** The same document with every resource list in reverse order (not canonical, same content). */
  const reversed = (doc: MeshSpecDocument): MeshSpecDocument => ({
    ...doc,
    virtualNodes: [...doc.virtualNodes].reverse(),
    virtualServices: [...doc.virtualServices].reverse(),
    virtualRouters: [...doc.virtualRouters].reverse(),
    routes: [...doc.routes].reverse(),
    virtualGateways: [...doc.virtualGateways].reverse(),
    gatewayRoutes: [...doc.gatewayRoutes].reverse(),
  });
  const renamed = <T>(record: Record<string, T>, from: string, to: string): Record<string, T> =>
    Object.fromEntries(Object.entries(record).map(([k, v]) => [k === from ? to : k, v]));

  test('a reordered document is no change', () => {
    expect(affectedNodes(compileMesh(meshDoc(parts(25))), compileMesh(reversed(meshDoc(parts(25)))))).toEqual({ affected: [], removed: [] });
  });

  test('a reordered document with an edit: only the edit counts', () => {
    expect(affectedNodes(compileMesh(meshDoc(parts(25))), compileMesh(reversed(meshDoc(parts(50)))))).toEqual({
      affected: ['mesh/m/virtualNode/caller'], removed: [],
    });
  });

  test('a node renamed in place: the old one is removed, the new one and the callers of the old one affected', () => {
    const p = parts(25);
    const change = affectedNodes(compileMesh(meshDoc(p)), compileMesh(meshDoc({ ...p, nodes: renamed(p.nodes!, 'o', 'o2') })));
    expect(change).toEqual({ affected: ['mesh/m/virtualNode/bystander', 'mesh/m/virtualNode/o2'], removed: ['mesh/m/virtualNode/o'] });
  });

  test('a node added in front of an edited one: both found', () => {
    const p = parts(25);
    const nodes = {
      first: { listeners: [{ portMapping: { port: 8080, protocol: 'http' as const } }] },
      ...p.nodes,
      o: { listeners: [{ portMapping: { port: 9090, protocol: 'http' as const } }] },
    };
    expect(affectedNodes(compileMesh(meshDoc(p)), compileMesh(meshDoc({ ...p, nodes })))).toEqual({
      affected: ['mesh/m/virtualNode/bystander', 'mesh/m/virtualNode/first', 'mesh/m/virtualNode/o'], removed: [],
    });
  });

  test('a route renamed in place, and a route added in front of the edited one', () => {
    const p = parts(25);
    expect(affectedNodes(compileMesh(meshDoc(p)), compileMesh(meshDoc({ ...p, routes: renamed(p.routes!, 'r/split', 'r/split2') }))))
      .toEqual({ affected: ['mesh/m/virtualNode/caller'], removed: [] });
    const q = parts(50);
    const routes = { 'r/a': { httpRoute: { match: { prefix: '/a' }, action: { weightedTargets: [{ virtualNode: 'v1', weight: 1 }] } } }, ...q.routes };
    expect(affectedNodes(compileMesh(meshDoc(p)), compileMesh(meshDoc({ ...q, routes })))).toEqual({ affected: ['mesh/m/virtualNode/caller'], removed: [] });
  });

  test('a service removed and another added at the same position', () => {
    const p = parts(25);
    const services = renamed(p.services!, 'other', 'other2');
    const nodes = { ...p.nodes, bystander: { backends: [{ virtualService: { virtualServiceName: 'other2' } }] } };
    // bystander's backends changed; nobody else calls either service.
    expect(affectedNodes(compileMesh(meshDoc(p)), compileMesh(meshDoc({ ...p, nodes, services })))).toEqual({
      affected: ['mesh/m/virtualNode/bystander'], removed: [],
    });
  });
});

describe('nodesUsingEndpoints', () => {
  test('lists the nodes whose clusters use the endpoints of the given nodes', () => {
    const mesh = compileMesh(meshDoc(parts(25)));
    expect(nodesUsingEndpoints(mesh, ['v2'])).toEqual(['mesh/m/virtualNode/caller']);
    expect(nodesUsingEndpoints(mesh, ['o', 'v1'])).toEqual(['mesh/m/virtualNode/bystander', 'mesh/m/virtualNode/caller']);
    expect(nodesUsingEndpoints(mesh, ['caller'])).toEqual([]);
  });
});

describe('affectedNodes covers every node whose output changes (fixtures, one resource removed or edited at a time)', () => {
  const fixtureDir = path.join(__dirname, 'fixtures');
  const files = fs.readdirSync(fixtureDir).filter(f => f.endsWith('.json')).sort();
  type ListKey = 'virtualNodes' | 'virtualServices' | 'virtualRouters' | 'routes' | 'virtualGateways' | 'gatewayRoutes';
  const lists: ListKey[] = ['virtualNodes', 'virtualServices', 'virtualRouters', 'routes', 'virtualGateways', 'gatewayRoutes'];

  function endpointsFor(doc: MeshSpecDocument, shift = 0): DiscoveredEndpoints {
    return Object.fromEntries(doc.virtualNodes.map((n, i) => [n.virtualNodeName, [{ address: `10.0.0.${i + 1 + shift}`, port: 8080 }]]));
  }

  function renders(doc: MeshSpecDocument, endpoints: DiscoveredEndpoints): Map<string, string> {
    const mesh = compileMesh(doc);
    return new Map(listNodeIds(mesh).map(id => [id, renderOrRefusal(mesh, id, endpoints)]));
  }

  /** A node whose Envoy patches no longer apply is refused (docs/envoy-patches.md): that is its output too. */
  function renderOrRefusal(mesh: CompiledMesh, nodeId: string, endpoints: DiscoveredEndpoints): string {
    try {
      return JSON.stringify(translateNode({ mesh, nodeId, endpoints }));
    } catch (err) {
      if (!(err instanceof EnvoyPatchError)) throw err;
      return `refused: ${err.message}`;
    }
  }

  function actuallyChanged(before: Map<string, string>, after: Map<string, string>): string[] {
    return [...after.keys()].filter(id => before.get(id) !== after.get(id));
  }

  /** The reverse index as sorted plain data, to compare a derived index with a fresh one. */
  function indexOf(mesh: CompiledMesh): Record<string, Array<[string, string[]]>> {
    const plain = (map: ReadonlyMap<string, ReadonlySet<string>>) =>
      [...map].map(([k, v]): [string, string[]] => [k, [...v].sort()]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const d = mesh.dependents;
    return {
      callersOfService: plain(d.callersOfService),
      servicesOfRouter: plain(d.servicesOfRouter),
      servicesReachingNode: plain(d.servicesReachingNode),
    };
  }

  function reverseLists(doc: MeshSpecDocument): MeshSpecDocument {
    return { ...doc, ...Object.fromEntries(lists.map(list => [list, [...(doc[list] as unknown[])].reverse()])) };
  }

  /** Every variant of a document: each resource removed, and each resource's spec emptied. */
  function* variants(doc: MeshSpecDocument): Generator<[string, MeshSpecDocument]> {
    for (const list of lists) {
      const items = doc[list] as unknown[];
      for (let i = 0; i < items.length; i++) {
        yield [`${list}[${i}] removed`, { ...doc, [list]: items.filter((_, j) => j !== i) }];
        const item = items[i] as { spec: object };
        const emptied = list === 'virtualGateways' ? { ...item, spec: { listeners: [] } } : { ...item, spec: {} };
        yield [`${list}[${i}] spec emptied`, { ...doc, [list]: items.map((x, j) => (j === i ? emptied : x)) }];
      }
    }
  }

  test.each(files)('%s', (file) => {
    const doc = JSON.parse(fs.readFileSync(path.join(fixtureDir, file), 'utf8')) as MeshSpecDocument;
    const endpoints = endpointsFor(doc);
    const before = renders(doc, endpoints);
    const prev = compileMesh(doc);
    let checked = 0;
    for (const [label, variant] of variants(doc)) {
      const after = renders(variant, endpoints);
      const changed = actuallyChanged(before, after);
      const next = compileMesh(variant);
      const { affected } = affectedNodes(prev, next);
      const missed = changed.filter(id => !affected.includes(id));
      expect({ label, missed }).toEqual({ label, missed: [] });
      // The reverse index affectedNodes derives for the new mesh equals one built from scratch.
      expect({ label, index: indexOf(next) }).toEqual({ label, index: indexOf(compileMesh(variant)) });
      // And back: the resource restored (an addition), from a mesh whose index was itself derived.
      const restored = compileMesh(doc);
      const back = affectedNodes(next, restored).affected;
      expect({ label, missed: actuallyChanged(after, before).filter(id => !back.includes(id)) }).toEqual({ label, missed: [] });
      expect({ label, index: indexOf(restored) }).toEqual({ label, index: indexOf(prev) });
      // The in-place comparison and the by-name one (forced by reversing every list) agree exactly.
      const byName = affectedNodes(prev, compileMesh(reverseLists(variant)));
      expect({ label, change: byName }).toEqual({ label, change: affectedNodes(prev, compileMesh(variant)) });
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  test.each(files)('%s: endpoint changes', (file) => {
    const doc = JSON.parse(fs.readFileSync(path.join(fixtureDir, file), 'utf8')) as MeshSpecDocument;
    const base = endpointsFor(doc);
    const before = renders(doc, base);
    const mesh = compileMesh(doc);
    for (const node of doc.virtualNodes) {
      const moved = { ...base, [node.virtualNodeName]: [{ address: '192.168.9.9', port: 9999 }] };
      const changed = actuallyChanged(before, renders(doc, moved));
      const using = nodesUsingEndpoints(mesh, [node.virtualNodeName]);
      expect({ node: node.virtualNodeName, missed: changed.filter(id => !using.includes(id)) }).toEqual({ node: node.virtualNodeName, missed: [] });
    }
  });
});
