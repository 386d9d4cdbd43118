import type { GroupContent } from './xds/resource-cache';

/**
 * The xDS content last installed for each node and view, kept after the node's groups are freed,
 * so a reconnect (or a stream presenting another spelling of the node id) is served without
 * rendering, hashing or encoding again. An entry stands for one node under the spec and endpoints
 * it was rendered from: its owner forgets a node whenever either changes for it. Entries are keyed
 * by the node's short id, so there is at most one per node of the spec and view, however many ids
 * or streams present it.
 */
export class NodeContentCache {
  private readonly byNode = new Map<string, Map<string, GroupContent>>();

  get(nodeId: string, view: string): GroupContent | undefined {
    return this.byNode.get(nodeId)?.get(view);
  }

  set(nodeId: string, view: string, content: GroupContent): void {
    let views = this.byNode.get(nodeId);
    if (!views) {
      views = new Map();
      this.byNode.set(nodeId, views);
    }
    views.set(view, content);
  }

  /** Drops every view of these nodes. */
  forget(nodeIds: Iterable<string>): void {
    for (const id of nodeIds) this.byNode.delete(id);
  }

  /** Drops the nodes `keep` says no to. */
  retain(keep: (nodeId: string) => boolean): void {
    for (const id of [...this.byNode.keys()]) if (!keep(id)) this.byNode.delete(id);
  }

  clear(): void {
    this.byNode.clear();
  }
}
