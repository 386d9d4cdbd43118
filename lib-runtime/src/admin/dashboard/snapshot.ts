import type { DashboardSource } from './dashboard-source';
import type { PushLatencyHistogram } from './push-latency';
import type { SpecHistoryEntry } from './spec-history';
import { formatNodeId, parseNodeId } from '../../translate/node-id';
import type { XdsNackRecord, XdsStreamStatus } from '../../xds/events';

/** One resource type on one stream: what was sent, what the proxy accepted, what it rejected last. */
export interface ProxyTypeView {
  /** Short type name: Listener, RouteConfiguration, Cluster, ClusterLoadAssignment, Secret. */
  readonly type: string;
  readonly sent: string | null;
  readonly acked: string | null;
  readonly awaitingAck: boolean;
  readonly resources: number;
  readonly lastNack: NackView | null;
}

export interface NackView {
  readonly nodeId: string;
  readonly type: string;
  readonly rejectedVersion: string;
  readonly acceptedVersion: string;
  readonly message: string;
  readonly at: string;
}

/** One connected proxy (one xDS stream). */
export interface ProxyView {
  readonly streamId: number;
  readonly peer: string;
  readonly userAgent: string | null;
  readonly protocol: string;
  readonly openedAt: string;
  /** ACKed: every type it was sent is acknowledged; pending: a response waits; nacked: its last answer of some type was a NACK. */
  readonly state: 'acked' | 'pending' | 'nacked';
  readonly types: readonly ProxyTypeView[];
}

/** A node id with its connected proxies; `inSpec` false for streams whose node the spec no longer defines. */
export interface NodeView {
  readonly nodeId: string;
  /** The graph box it belongs to (`virtualNode:serviceA`), or null when the id cannot be read. */
  readonly graphId: string | null;
  readonly inSpec: boolean;
  readonly proxies: readonly ProxyView[];
}

/** Everything the page shows but the graph picture, as one JSON document (GET /dashboard/state and each SSE event). */
export interface DashboardSnapshot {
  readonly at: string;
  readonly spec: { readonly version: string; readonly meshName: string } | null;
  readonly nodes: readonly NodeView[];
  readonly recentNacks: readonly NackView[];
  readonly pushLatency: PushLatencyHistogram;
  /** Newest first. */
  readonly history: readonly (Omit<SpecHistoryEntry, 'at'> & { readonly at: string })[];
}

/** NACKs listed at most; the xDS server keeps more for /clients. */
const RECENT_NACKS = 10;

export async function buildSnapshot(source: DashboardSource, now = Date.now()): Promise<DashboardSnapshot> {
  const served = source.servedSpec();
  const status = source.xdsStatus();
  const known = new Set(source.knownNodes());
  const byNode = new Map<string, ProxyView[]>();
  for (const stream of status.streams) {
    const id = shortNodeId(stream.nodeId) ?? stream.nodeId;
    let list = byNode.get(id);
    if (!list) byNode.set(id, (list = []));
    list.push(proxyView(stream));
  }
  for (const id of known) if (!byNode.has(id)) byNode.set(id, []);
  const nodes = [...byNode].sort(([a], [b]) => a.localeCompare(b)).map(([nodeId, proxies]) => ({
    nodeId,
    graphId: graphIdOf(nodeId),
    inSpec: known.has(nodeId),
    proxies: proxies.sort((a, b) => a.streamId - b.streamId),
  }));
  return {
    at: new Date(now).toISOString(),
    spec: served ? { version: served.version, meshName: served.doc.mesh.meshName } : null,
    nodes,
    recentNacks: status.recentNacks.slice(-RECENT_NACKS).reverse().map(nackView),
    pushLatency: await source.pushLatency(),
    history: [...source.specHistory()].reverse().map((entry) => ({ ...entry, at: new Date(entry.at).toISOString() })),
  };
}

function proxyView(stream: XdsStreamStatus): ProxyView {
  const types = stream.types.map((t): ProxyTypeView => ({
    type: shortType(t.typeUrl),
    sent: t.sentVersion ?? null,
    acked: t.ackedVersion ?? null,
    awaitingAck: t.awaitingAck,
    resources: t.resourceCount,
    lastNack: t.lastNack ? nackView(t.lastNack) : null,
  }));
  // A NACK counts while the proxy still runs an older version than the one it rejected.
  const nacked = stream.types.some((t) => t.lastNack && t.ackedVersion !== t.sentVersion && !t.awaitingAck);
  const pending = stream.types.some((t) => t.awaitingAck);
  return {
    streamId: stream.streamId,
    peer: stream.peer,
    userAgent: typeof stream.node.user_agent_name === 'string' ? stream.node.user_agent_name : null,
    protocol: stream.protocol,
    openedAt: new Date(stream.openedAt).toISOString(),
    state: nacked ? 'nacked' : pending ? 'pending' : 'acked',
    types,
  };
}

function nackView(nack: XdsNackRecord): NackView {
  return {
    nodeId: nack.nodeId,
    type: shortType(nack.typeUrl),
    rejectedVersion: nack.rejectedVersion,
    acceptedVersion: nack.acceptedVersion,
    message: nack.message,
    at: new Date(nack.at).toISOString(),
  };
}

function shortType(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}

/** The node id in its short form (`mesh/<mesh>/<kind>/<name>`, also for an ARN), or undefined when it is not one. */
function shortNodeId(nodeId: string): string | undefined {
  try {
    return formatNodeId(parseNodeId(nodeId));
  } catch {
    return undefined;
  }
}

/** The graph's box id of a node id (the graph names boxes `<kind>:<name>`). */
function graphIdOf(nodeId: string): string | null {
  try {
    const node = parseNodeId(nodeId);
    return `${node.kind}:${node.name}`;
  } catch {
    return null;
  }
}
