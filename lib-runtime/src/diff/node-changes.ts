import { FieldChange, jsonChanges, sameJson } from './json-changes';
import { CompiledMesh, listNodeIds, renderNode } from '../translate';
import { parseNodeId } from '../translate/node-id';
import type { DiscoveredEndpoints, EnvoyConfig, NodeConfig, ProtoJson } from '../translate/types';

/**
 * How each node's configuration changes: both specs rendered by the control plane's own
 * translation, with the same endpoints on both sides (none: no discovery runs, so DNS nodes
 * are DNS clusters and Cloud Map nodes have empty assignments, exactly as a control plane serves
 * them before its first discovery round), then compared per view and resource.
 */

/** The two views a control plane serves a node: Envoy, and proxyless gRPC clients. */
export type ClientView = 'envoy' | 'proxyless';
export const CLIENT_VIEWS: readonly ClientView[] = ['envoy', 'proxyless'];

/** xDS resource types, by the names Envoy's config dump uses. */
export type ResourceType = 'listener' | 'route' | 'cluster' | 'endpoint' | 'secret';

const TYPES: readonly { type: ResourceType; list: keyof EnvoyConfig }[] = [
  { type: 'listener', list: 'listeners' },
  { type: 'route', list: 'routes' },
  { type: 'cluster', list: 'clusters' },
  { type: 'endpoint', list: 'endpoints' },
  { type: 'secret', list: 'secrets' },
];

/** The endpoints both sides are rendered with. */
export const DIFF_ENDPOINTS: DiscoveredEndpoints = Object.freeze(Object.create(null)) as DiscoveredEndpoints;

/** One xDS resource of one view that differs. */
export interface NodeResourceChange {
  readonly view: ClientView;
  readonly type: ResourceType;
  readonly name: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Field changes of a changed resource, paths from the resource (`.virtual_hosts[name="…"]…`). */
  readonly fields: readonly FieldChange[];
}

/** A node whose configuration differs. */
export interface NodeChange {
  /** `mesh/<mesh>/virtualNode/<name>` or `mesh/<mesh>/virtualGateway/<name>`. */
  readonly nodeId: string;
  /** added / removed: the node is only in the new / old spec. */
  readonly change: 'added' | 'removed' | 'changed';
  readonly resources: readonly NodeResourceChange[];
}

/** A node that cannot be rendered: the spec is not one the control plane would serve. */
export class RenderError extends Error {
  constructor(readonly nodeId: string, readonly side: 'old' | 'new', cause: unknown) {
    super(`rendering ${nodeId} from the ${side} spec failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RenderError';
  }
}

export interface NodeChangeOptions {
  /** Only this node (short node id). */
  readonly nodeId?: string;
  /** Views to compare (default both). */
  readonly views?: readonly ClientView[];
}

/** Nodes whose rendered configuration differs, in node id order (virtual nodes, then gateways). */
export function nodeChanges(before: CompiledMesh | undefined, after: CompiledMesh | undefined, options: NodeChangeOptions = {}): NodeChange[] {
  const views = options.views ?? CLIENT_VIEWS;
  const oldIds = new Set(before ? listNodeIds(before) : []);
  const newIds = new Set(after ? listNodeIds(after) : []);
  const ids = [...oldIds, ...[...newIds].filter(id => !oldIds.has(id))]
    .filter(id => options.nodeId === undefined || id === options.nodeId)
    .sort(byKindThenName);
  const out: NodeChange[] = [];
  for (const nodeId of ids) {
    const old = oldIds.has(nodeId) ? render(before!, nodeId, 'old') : undefined;
    const now = newIds.has(nodeId) ? render(after!, nodeId, 'new') : undefined;
    const resources = views.flatMap(view => viewChanges(view, old?.[view], now?.[view]));
    if (resources.length === 0) continue;
    out.push({ nodeId, change: old === undefined ? 'added' : now === undefined ? 'removed' : 'changed', resources });
  }
  return out;
}

function render(mesh: CompiledMesh, nodeId: string, side: 'old' | 'new'): NodeConfig {
  try {
    return renderNode(mesh, parseNodeId(nodeId), DIFF_ENDPOINTS);
  } catch (error) {
    throw new RenderError(nodeId, side, error);
  }
}

function viewChanges(view: ClientView, before: EnvoyConfig | undefined, after: EnvoyConfig | undefined): NodeResourceChange[] {
  const out: NodeResourceChange[] = [];
  for (const { type, list } of TYPES) {
    const old = byName(before?.[list] ?? []);
    const now = byName(after?.[list] ?? []);
    const names = [...old.keys(), ...[...now.keys()].filter(name => !old.has(name))].sort();
    for (const name of names) {
      const [b, a] = [old.get(name), now.get(name)];
      if (b === undefined) out.push({ view, type, name, change: 'added', fields: [] });
      else if (a === undefined) out.push({ view, type, name, change: 'removed', fields: [] });
      else if (!sameJson(b, a)) out.push({ view, type, name, change: 'changed', fields: jsonChanges(b, a, '') });
    }
  }
  return out;
}

function byName(resources: readonly ProtoJson[]): Map<string, ProtoJson> {
  return new Map(resources.map(r => [String(r.name ?? r.cluster_name), r]));
}

/** listNodeIds' order: virtual nodes, then gateways, each by name. */
function byKindThenName(a: string, b: string): number {
  const rank = (id: string) => (id.includes('/virtualGateway/') ? 1 : 0);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}
