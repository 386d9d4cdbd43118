import { ChangeListener, DiscoveredEndpoint, DiscoveredEndpoints, DiscoveryError, ErrorListener } from './types';

/**
 * The endpoint map shared by every discovery source: stores per-node lists in a canonical
 * order and notifies listeners only when the map really changed, so an unchanged poll
 * answer never causes an EDS push.
 */
export class EndpointState {
  private readonly byNode = new Map<string, { endpoints: DiscoveredEndpoint[]; key: string }>();
  private readonly changeListeners = new Set<ChangeListener>();
  private readonly errorListeners = new Set<ErrorListener>();

  /** Replaces one node's endpoints; returns true (and notifies) when they differ from before. */
  set(virtualNodeName: string, endpoints: readonly DiscoveredEndpoint[]): boolean {
    const changed = this.put(virtualNodeName, endpoints);
    if (changed) this.emit();
    return changed;
  }

  /** Replaces the whole map at once (one notification at most). */
  replaceAll(next: DiscoveredEndpoints): boolean {
    let changed = false;
    for (const name of [...this.byNode.keys()]) {
      if (!Object.hasOwn(next, name)) {
        this.byNode.delete(name);
        changed = true;
      }
    }
    for (const [name, endpoints] of Object.entries(next)) {
      changed = this.put(name, endpoints) || changed;
    }
    if (changed) this.emit();
    return changed;
  }

  /** Forgets nodes that are no longer targets. */
  retain(names: ReadonlySet<string>): boolean {
    let changed = false;
    for (const name of [...this.byNode.keys()]) {
      if (!names.has(name)) {
        this.byNode.delete(name);
        changed = true;
      }
    }
    if (changed) this.emit();
    return changed;
  }

  has(virtualNodeName: string): boolean {
    return this.byNode.has(virtualNodeName);
  }

  /** A null-prototype map: a node named `constructor` or `__proto__` is a plain key like any other. */
  snapshot(): DiscoveredEndpoints {
    const out: DiscoveredEndpoints = Object.create(null);
    for (const name of [...this.byNode.keys()].sort()) {
      out[name] = this.byNode.get(name)!.endpoints.map((e) => ({ ...e }));
    }
    return out;
  }

  onChange(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onError(listener: ErrorListener): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  reportError(event: DiscoveryError): void {
    for (const listener of this.errorListeners) listener(event);
  }

  private put(virtualNodeName: string, endpoints: readonly DiscoveredEndpoint[]): boolean {
    const sorted = canonicalEndpoints(endpoints);
    const key = JSON.stringify(sorted);
    if (this.byNode.get(virtualNodeName)?.key === key) return false;
    this.byNode.set(virtualNodeName, { endpoints: sorted, key });
    return true;
  }

  private emit(): void {
    const snapshot = this.snapshot();
    for (const listener of this.changeListeners) listener(snapshot);
  }
}

/** Sorted, de-duplicated endpoints with only the known fields, in a fixed key order. */
export function canonicalEndpoints(endpoints: readonly DiscoveredEndpoint[]): DiscoveredEndpoint[] {
  const seen = new Map<string, DiscoveredEndpoint>();
  for (const e of endpoints) {
    const clean: { address: string; port: number; zone?: string; healthy?: boolean } = { address: e.address, port: e.port };
    if (e.zone !== undefined) clean.zone = e.zone;
    if (e.healthy !== undefined) clean.healthy = e.healthy;
    seen.set(`${e.address}|${e.port}`, clean);
  }
  return [...seen.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
}
