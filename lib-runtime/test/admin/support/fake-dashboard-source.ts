import { demoSpec } from './dashboard-mesh';
import { parseMeshSpec } from '../../../../src/spec/canonical';
import type { AdminState } from '../../../src/admin/admin-server';
import type { DashboardSource } from '../../../src/admin/dashboard/dashboard-source';
import { SpecHistory } from '../../../src/admin/dashboard/spec-history';

/** A dashboard source with the demo's spec, no streams, and a history the test fills; counts snapshots built and listeners. */
export class FakeDashboardSource implements DashboardSource {
  readonly history = new SpecHistory();
  /** How many snapshots were built (each reads the push latency once). */
  snapshots = 0;
  private readonly listeners = new Set<() => void>();
  private readonly doc = parseMeshSpec(demoSpec(75));

  get listenerCount(): number {
    return this.listeners.size;
  }

  servedSpec() {
    return { doc: this.doc, version: 'aaaaaaaaaaaa' };
  }

  knownNodes(): string[] {
    return ['mesh/apps/virtualNode/serviceA'];
  }

  xdsStatus() {
    return { streams: [], recentNacks: [], versions: {} };
  }

  async pushLatency() {
    this.snapshots++;
    return { buckets: [], count: 0, sum: 0 };
  }

  specHistory() {
    return this.history.entries();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records a spec outcome and tells the listeners. */
  change(errors: string[] = []): void {
    if (errors.length > 0) this.history.rejected('test', undefined, errors);
    else this.history.applied('test', String(this.history.entries().length).padStart(12, '0'));
    for (const listener of this.listeners) listener();
  }
}

/** An admin state that has only a dashboard (the other endpoints answer trivially). */
export function dashboardOnlyState(source: DashboardSource): AdminState {
  return {
    dashboard: source,
    readiness: () => ({ ready: true, reasons: [] }),
    metrics: () => '',
    configDump: () => undefined,
    knownNodes: () => [],
    clients: () => ({ streams: [] }),
  };
}
