import type { PushLatencyHistogram } from './push-latency';
import type { SpecHistoryEntry } from './spec-history';
import type { MeshSpecDocument } from '../../../../src/spec/document';
import type { XdsServerStatus } from '../../xds/events';

/** What the dashboard reads from the control plane; it changes nothing. */
export interface DashboardSource {
  /** The spec served now and its version, or undefined while none is. */
  servedSpec(): { doc: MeshSpecDocument; version: string } | undefined;
  /** Node ids (`mesh/<mesh>/<kind>/<name>`) the served spec defines. */
  knownNodes(): string[];
  /** Every connected stream with its per-type versions, and the recent NACKs. */
  xdsStatus(): XdsServerStatus;
  /** Push latency (response to ACK) over all resource types since the start. */
  pushLatency(): Promise<PushLatencyHistogram>;
  /** The last specs offered, oldest first. */
  specHistory(): readonly SpecHistoryEntry[];
  /** Calls `listener` when any of the above may have changed; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}
