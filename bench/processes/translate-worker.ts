/**
 * Translation cost, in a process of its own: a full translation of every node of a mesh, and an
 * incremental change of one route's weights (what the control plane does on such a change:
 * compile the new spec, work out the affected nodes, re-render only those).
 */
import { affectedNodes, compileMesh, listNodeIds, renderNode, resolveNode } from '../../lib-runtime/src/translate';
import type { CompiledMesh, EnvoyConfig } from '../../lib-runtime/src/translate';
import { encodeResource } from '../../lib-runtime/src/xds/protos';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL } from '../../lib-runtime/src/xds/type-urls';
import { generateMesh, SHARED_SERVICE, staticEndpoints } from '../lib/mesh-generator';
import { serveCommands } from '../lib/worker-ipc';

/** Un-timed changes before each incremental measurement (see there). */
const WARM_UP_CHANGES = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function renderAll(mesh: CompiledMesh, ids: readonly string[], endpoints: ReturnType<typeof staticEndpoints>): void {
  for (const id of ids) renderNode(mesh, resolveNode(mesh, id), endpoints);
}

function encodedSize(config: EnvoyConfig): number {
  let bytes = 0;
  const parts: Array<[string, object[]]> = [
    [LISTENER_TYPE_URL, config.listeners],
    [ROUTE_TYPE_URL, config.routes],
    [CLUSTER_TYPE_URL, config.clusters],
    [ENDPOINT_TYPE_URL, config.endpoints],
  ];
  for (const [typeUrl, list] of parts) for (const r of list) bytes += encodeResource(typeUrl, r).length;
  return bytes;
}

serveCommands({
  translate(args: { virtualNodes: number; repetitions: number }) {
    const base = generateMesh({ virtualNodes: args.virtualNodes });
    const endpoints = staticEndpoints(base);
    // Full: compile the spec and render both views of every node.
    const full: Array<{ compileMs: number; renderMs: number }> = [];
    for (let i = 0; i < args.repetitions; i++) {
      const t0 = performance.now();
      const mesh = compileMesh(base.doc);
      const t1 = performance.now();
      renderAll(mesh, listNodeIds(mesh), endpoints);
      full.push({ compileMs: t1 - t0, renderMs: performance.now() - t1 });
    }
    const prev = compileMesh(base.doc);
    renderAll(prev, listNodeIds(prev), endpoints);
    const sample = renderNode(prev, resolveNode(prev, `mesh/bench/virtualNode/${base.appNodes[0]}`), endpoints);

    // Incremental: one ordinary service's split (its callers), and the shared service's (everyone).
    const incremental = (service: string) => {
      // A long-running control plane has applied changes before, so its diffing code is compiled by
      // the JIT: first a few un-timed changes of other services, each doing the same work as a
      // timed one (compile, diff, re-render the affected nodes). The timed changes below are still
      // distinct from the base and from each other, and each re-renders its nodes.
      for (const other of base.services.filter((s) => s !== service).slice(0, WARM_UP_CHANGES)) {
        const mesh = compileMesh(generateMesh({ virtualNodes: args.virtualNodes }, { [other]: { v1: 70, v2: 30 } }).doc);
        renderAll(mesh, affectedNodes(prev, mesh).affected, endpoints);
      }
      const runs: Array<{ compileMs: number; affectedMs: number; renderMs: number; totalMs: number; affected: number }> = [];
      for (let i = 0; i < args.repetitions; i++) {
        const next = generateMesh({ virtualNodes: args.virtualNodes }, { [service]: { v1: 50 + i, v2: 50 - i } });
        const t0 = performance.now();
        const mesh = compileMesh(next.doc);
        const t1 = performance.now();
        const change = affectedNodes(prev, mesh);
        const t2 = performance.now();
        renderAll(mesh, change.affected, endpoints);
        const t3 = performance.now();
        runs.push({ compileMs: t1 - t0, affectedMs: t2 - t1, renderMs: t3 - t2, totalMs: t3 - t0, affected: change.affected.length });
      }
      const pick = (k: keyof typeof runs[number]) => median(runs.map((r) => r[k]));
      return {
        compileMs: pick('compileMs'),
        affectedMs: pick('affectedMs'),
        renderMs: pick('renderMs'),
        totalMs: pick('totalMs'),
        affected: runs[0].affected,
      };
    };
    return {
      virtualNodes: args.virtualNodes,
      nodeIds: listNodeIds(prev).length,
      full: {
        compileMs: median(full.map((f) => f.compileMs)),
        renderMs: median(full.map((f) => f.renderMs)),
        totalMs: median(full.map((f) => f.compileMs + f.renderMs)),
      },
      oneService: incremental(base.services[Math.floor(base.services.length / 2)]),
      sharedService: incremental(SHARED_SERVICE),
      nodeConfigBytes: { envoy: encodedSize(sample.envoy), proxyless: encodedSize(sample.proxyless) },
    };
  },
});
