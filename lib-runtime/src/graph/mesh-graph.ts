import { summarizeGatewayRouteMatch, summarizeRouteMatch } from './match-summary';
import { resourcePolicyLines, routePolicyLines } from './policy-summary';
import type { Listener, VirtualGatewayListener, VirtualNodeSpec, WeightedTarget } from '../../../src/spec/appmesh-types';
import type { MeshSpecDocument } from '../../../src/spec/document';

/**
 * The graph model of one mesh: what a picture of the mesh shows, free of any drawing
 * concern. Built by a pure function from the spec; the Mermaid and SVG writers only
 * read it. Everything is ordered deterministically so the same spec draws the same.
 */

/** Kinds of box, in the left-to-right order the picture lays them out. */
export const GRAPH_NODE_KINDS = ['virtualGateway', 'virtualService', 'virtualRouter', 'route', 'virtualNode'] as const;
export type GraphNodeKind = typeof GRAPH_NODE_KINDS[number];

/** Kinds of arrow. */
export const GRAPH_EDGE_KINDS = ['gatewayRoute', 'provider', 'routerRoute', 'routeTarget', 'mirror', 'backend'] as const;
export type GraphEdgeKind = typeof GRAPH_EDGE_KINDS[number];

/** One mesh resource (or a resource the spec refers to but does not define). */
export interface GraphNode {
  /** Unique within the graph: `<kind>:<name>`, routes `route:<router>/<route>`. */
  readonly id: string;
  readonly kind: GraphNodeKind;
  /** The resource name as written in the spec. */
  readonly name: string;
  /** For a route, the router it belongs to. */
  readonly parentName?: string;
  /** Short facts shown under the name: listeners, discovery, route protocol and match, policies (`⚑ …`). */
  readonly details: string[];
  /** False when the spec only refers to this resource (a dangling reference). */
  readonly declared: boolean;
}

/** A relation between two resources; always drawn from `from` to `to`. */
export interface GraphEdge {
  readonly kind: GraphEdgeKind;
  readonly from: string;
  readonly to: string;
  /** Bold first label line; the gateway route name for gateway routes. */
  readonly title?: string;
  /** Further label lines: match summary, weight. */
  readonly labels: string[];
}

export interface MeshGraph {
  readonly meshName: string;
  /** Mesh-wide facts for the caption (egress filter, IP preference). */
  readonly details: string[];
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
}

/** Stable node id for a resource. */
export function graphNodeId(kind: GraphNodeKind, name: string, parentName?: string): string {
  return parentName === undefined ? `${kind}:${name}` : `${kind}:${parentName}/${name}`;
}

/** Builds the graph of a mesh spec document. Pure; tolerates dangling references. */
export function buildMeshGraph(doc: MeshSpecDocument): MeshGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];

  const declare = (node: Omit<GraphNode, 'id' | 'declared'>): string => {
    const id = graphNodeId(node.kind, node.name, node.parentName);
    nodes.set(id, { ...node, id, declared: true });
    return id;
  };
  // A reference to something the spec does not define still gets a box, marked as such.
  const reference = (kind: GraphNodeKind, name: string): string => {
    const id = graphNodeId(kind, name);
    if (!nodes.has(id)) nodes.set(id, { id, kind, name, details: ['not defined in this spec'], declared: false });
    return id;
  };

  for (const gw of doc.virtualGateways ?? []) {
    declare({ kind: 'virtualGateway', name: gw.virtualGatewayName, details: [...listenerLines(gw.spec.listeners ?? []), ...resourcePolicyLines(gw.extensions)] });
  }
  for (const vs of doc.virtualServices ?? []) {
    const provider = vs.spec.provider;
    declare({ kind: 'virtualService', name: vs.virtualServiceName, details: provider ? [] : ['no provider'] });
  }
  for (const vr of doc.virtualRouters ?? []) {
    declare({ kind: 'virtualRouter', name: vr.virtualRouterName, details: listenerLines(vr.spec.listeners ?? []) });
  }
  for (const route of doc.routes ?? []) {
    const summary = summarizeRouteMatch(route.spec);
    const head = [summary.protocol ?? 'no route kind'];
    if (route.spec.priority !== undefined) head.push(`priority ${route.spec.priority}`);
    declare({
      kind: 'route',
      name: route.routeName,
      parentName: route.virtualRouterName,
      details: [head.join(' · '), ...summary.lines, ...routePolicyLines(route.extensions)],
    });
  }
  for (const vn of doc.virtualNodes ?? []) {
    declare({ kind: 'virtualNode', name: vn.virtualNodeName, details: [...virtualNodeLines(vn.spec), ...resourcePolicyLines(vn.extensions)] });
  }

  // Edges are collected after every declaration so a reference never shadows a definition.
  for (const gr of doc.gatewayRoutes ?? []) {
    const summary = summarizeGatewayRouteMatch(gr.spec);
    const target = (gr.spec.httpRoute ?? gr.spec.http2Route ?? gr.spec.grpcRoute)?.action.target;
    const head = [summary.protocol ?? 'no route kind'];
    if (gr.spec.priority !== undefined) head.push(`priority ${gr.spec.priority}`);
    const labels = [head.join(' · '), ...summary.lines, ...routePolicyLines(gr.extensions)];
    if (target?.port !== undefined) labels.push(`to port ${target.port}`);
    const from = reference('virtualGateway', gr.virtualGatewayName);
    if (!target) continue;
    const to = reference('virtualService', target.virtualService.virtualServiceName);
    edges.push({ kind: 'gatewayRoute', from, to, title: gr.gatewayRouteName, labels });
  }
  for (const vs of doc.virtualServices ?? []) {
    const from = graphNodeId('virtualService', vs.virtualServiceName);
    const provider = vs.spec.provider;
    if (provider?.virtualRouter) {
      edges.push({ kind: 'provider', from, to: reference('virtualRouter', provider.virtualRouter.virtualRouterName), labels: [] });
    } else if (provider?.virtualNode) {
      edges.push({ kind: 'provider', from, to: reference('virtualNode', provider.virtualNode.virtualNodeName), labels: [] });
    }
  }
  for (const route of doc.routes ?? []) {
    const id = graphNodeId('route', route.routeName, route.virtualRouterName);
    edges.push({ kind: 'routerRoute', from: reference('virtualRouter', route.virtualRouterName), to: id, labels: [] });
    const targets = weightedTargets(route.spec);
    const total = targets.reduce((sum, t) => sum + t.weight, 0);
    for (const t of targets) {
      edges.push({ kind: 'routeTarget', from: id, to: reference('virtualNode', t.virtualNode), labels: [weightLabel(t, total)] });
    }
    // A mirror is drawn like a target, dashed: copies whose answers are dropped.
    for (const m of route.extensions?.requestMirrors ?? []) {
      const labels = [`mirror ${m.percentage}%${m.port !== undefined ? ` · port ${m.port}` : ''}`];
      edges.push({ kind: 'mirror', from: id, to: reference('virtualNode', m.virtualNode), labels });
    }
  }
  for (const vn of doc.virtualNodes ?? []) {
    const from = graphNodeId('virtualNode', vn.virtualNodeName);
    for (const backend of vn.spec.backends ?? []) {
      if (!backend.virtualService) continue;
      edges.push({ kind: 'backend', from, to: reference('virtualService', backend.virtualService.virtualServiceName), labels: [] });
    }
  }

  const sortedNodes = [...nodes.values()].sort(compareNodes);
  const rank = new Map(sortedNodes.map((n, i) => [n.id, i]));
  const sortedEdges = dedupeEdges(edges).sort((a, b) =>
    GRAPH_EDGE_KINDS.indexOf(a.kind) - GRAPH_EDGE_KINDS.indexOf(b.kind)
    || rank.get(a.from)! - rank.get(b.from)!
    || rank.get(a.to)! - rank.get(b.to)!
    || compareText(a.title ?? '', b.title ?? '')
    || compareText(a.labels.join('\n'), b.labels.join('\n')));

  return { meshName: doc.mesh.meshName, details: meshLines(doc), nodes: sortedNodes, edges: sortedEdges };
}

function compareNodes(a: GraphNode, b: GraphNode): number {
  return GRAPH_NODE_KINDS.indexOf(a.kind) - GRAPH_NODE_KINDS.indexOf(b.kind)
    || compareText(a.parentName ?? '', b.parentName ?? '')
    || compareText(a.name, b.name);
}

/** Code-unit order, not locale order: the same on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The same backend listed twice (or the same target twice) is one arrow. */
function dedupeEdges(edges: GraphEdge[]): GraphEdge[] {
  const seen = new Set<string>();
  return edges.filter((e) => {
    const key = JSON.stringify([e.kind, e.from, e.to, e.title, e.labels]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function weightedTargets(spec: MeshSpecDocument['routes'][number]['spec']): WeightedTarget[] {
  const action = (spec.httpRoute ?? spec.http2Route ?? spec.grpcRoute ?? spec.tcpRoute)?.action;
  return action?.weightedTargets ?? [];
}

/** `75%` — the share of the route's traffic; weights in App Mesh are relative. */
function weightLabel(target: WeightedTarget, total: number): string {
  const share = total > 0 ? (target.weight * 100) / total : 0;
  const percent = `${Number.isInteger(share) ? share : share.toFixed(1)}%`;
  const parts = [total === 100 ? percent : `${percent} (weight ${target.weight})`];
  if (target.port !== undefined) parts.push(`port ${target.port}`);
  return parts.join(' · ');
}

function listenerLines(listeners: (Listener | VirtualGatewayListener)[]): string[] {
  return listeners.map((l) => `${l.portMapping.protocol} :${l.portMapping.port}${l.tls ? ` tls ${l.tls.mode.toLowerCase()}` : ''}`);
}

function virtualNodeLines(spec: VirtualNodeSpec): string[] {
  const lines = listenerLines(spec.listeners ?? []);
  const discovery = spec.serviceDiscovery;
  if (discovery?.dns) lines.push(`dns ${discovery.dns.hostname}`);
  if (discovery?.awsCloudMap) lines.push(`cloud map ${discovery.awsCloudMap.namespaceName}/${discovery.awsCloudMap.serviceName}`);
  return lines;
}

function meshLines(doc: MeshSpecDocument): string[] {
  const spec = doc.mesh.spec ?? {};
  const lines = [`egress ${spec.egressFilter?.type ?? 'DROP_ALL'}`];
  if (spec.serviceDiscovery?.ipPreference) lines.push(`ip ${spec.serviceDiscovery.ipPreference}`);
  return lines;
}
