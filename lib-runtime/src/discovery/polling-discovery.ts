import { Logger, SILENT_LOGGER } from '../log';
import { EndpointState } from './endpoint-state';
import { Poller, PollOutcome, PollTiming, REAL_SCHEDULER, Scheduler } from './poller';
import {
  ChangeListener, DiscoveredEndpoint, DiscoveredEndpoints, DiscoveryError, DiscoveryErrorKind,
  DiscoveryTarget, EndpointDiscovery, ErrorListener,
} from './types';

/**
 * Shared machinery of the sources that look endpoints up per target (DNS, Cloud Map):
 * one poller per virtual node, started, restarted or stopped as the spec's targets change.
 * A failed lookup reports an error and keeps that node's last known endpoints.
 */
export abstract class PollingDiscovery implements EndpointDiscovery {
  abstract readonly name: DiscoveryError['source'];
  protected readonly state = new EndpointState();
  protected readonly log: Logger;
  private readonly pollers = new Map<string, { key: string; poller: Poller; attempted: boolean }>();
  private started = false;

  constructor(
    private readonly timing: PollTiming,
    log: Logger = SILENT_LOGGER,
    private readonly scheduler: Scheduler = REAL_SCHEDULER,
  ) {
    this.log = log;
  }

  async start(): Promise<void> {
    this.started = true;
    await Promise.all([...this.pollers.values()].map((p) => p.poller.start()));
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.pollers.values()].map((p) => p.poller.stop()));
  }

  setTargets(targets: readonly DiscoveryTarget[]): void {
    const wanted = new Map<string, DiscoveryTarget>();
    for (const t of targets) if (this.handles(t)) wanted.set(t.virtualNodeName, t);
    for (const [name, entry] of [...this.pollers]) {
      const target = wanted.get(name);
      if (!target || JSON.stringify(target) !== entry.key) {
        void entry.poller.stop();
        this.pollers.delete(name);
      }
    }
    for (const [name, target] of wanted) {
      if (this.pollers.has(name)) continue;
      const entry = { key: JSON.stringify(target), poller: undefined as unknown as Poller, attempted: false };
      entry.poller = new Poller(this.timing, async () => {
        const outcome = await this.pollOnce(target);
        entry.attempted = true;
        return outcome;
      }, this.scheduler);
      this.pollers.set(name, entry);
      if (this.started) void entry.poller.start();
    }
    this.state.retain(new Set(wanted.keys()));
  }

  onChange(listener: ChangeListener): () => void { return this.state.onChange(listener); }
  onError(listener: ErrorListener): () => void { return this.state.onError(listener); }
  current(): DiscoveredEndpoints { return this.state.snapshot(); }

  ready(): boolean {
    return [...this.pollers.values()].every((p) => p.attempted);
  }

  /** Whether this source is responsible for the target (it declares this source's kind of discovery). */
  protected abstract handles(target: DiscoveryTarget): boolean;

  /** One lookup; throws on failure. */
  protected abstract lookup(target: DiscoveryTarget): Promise<DiscoveredEndpoint[]>;

  /** Whether an error means "slow down" (throttling) rather than a plain failure. */
  protected abstract classify(error: unknown): DiscoveryErrorKind;

  private async pollOnce(target: DiscoveryTarget): Promise<PollOutcome> {
    try {
      const endpoints = await this.lookup(target);
      // The target may have been dropped while the lookup ran.
      if (!this.pollers.has(target.virtualNodeName)) return 'ok';
      if (this.state.set(target.virtualNodeName, endpoints)) {
        this.log.info('endpoints changed', { virtualNode: target.virtualNodeName, count: endpoints.length });
      }
      return 'ok';
    } catch (error) {
      const kind = this.classify(error);
      this.log.warn('endpoint lookup failed; keeping the last known endpoints', {
        virtualNode: target.virtualNodeName, kind, error, kept: this.state.has(target.virtualNodeName),
      });
      this.state.reportError({ source: this.name, virtualNodeName: target.virtualNodeName, kind, error });
      return kind;
    }
  }
}
