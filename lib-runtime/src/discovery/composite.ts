import { EndpointState } from './endpoint-state';
import { ChangeListener, DiscoveredEndpoints, DiscoveryTarget, EndpointDiscovery, ErrorListener } from './types';

/**
 * Several sources as one (`--endpoints static:… --endpoints cloudmap`): each looks up the
 * targets of its kind; the maps are merged, later sources winning for a node both know.
 * Change events are forwarded only when the merged map changed.
 */
export class CompositeDiscovery implements EndpointDiscovery {
  readonly name: string;
  private readonly state = new EndpointState();

  constructor(private readonly sources: readonly EndpointDiscovery[]) {
    this.name = sources.map((s) => s.name).join('+') || 'none';
    for (const source of sources) {
      source.onChange(() => this.merge());
      source.onError((event) => this.state.reportError(event));
    }
  }

  async start(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.start()));
    this.merge();
  }

  async stop(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.stop()));
  }

  setTargets(targets: readonly DiscoveryTarget[]): void {
    for (const source of this.sources) source.setTargets(targets);
  }

  onChange(listener: ChangeListener): () => void { return this.state.onChange(listener); }
  onError(listener: ErrorListener): () => void { return this.state.onError(listener); }
  current(): DiscoveredEndpoints { return this.state.snapshot(); }
  ready(): boolean { return this.sources.every((s) => s.ready()); }

  private merge(): void {
    // Null prototype: assigning a node named `__proto__` must add a key, not replace the prototype.
    const merged: DiscoveredEndpoints = Object.create(null);
    for (const source of this.sources) {
      for (const [name, endpoints] of Object.entries(source.current())) merged[name] = endpoints;
    }
    this.state.replaceAll(merged);
  }
}
