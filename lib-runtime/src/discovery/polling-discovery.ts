import { Logger, SILENT_LOGGER } from '../log';
import { endpointProblems } from './endpoint-check';
import { EndpointState } from './endpoint-state';
import { Poller, PollOutcome, PollTiming, REAL_SCHEDULER, Scheduler } from './poller';
import {
  ChangeListener, DiscoveredEndpoint, DiscoveredEndpoints, DiscoveryError, DiscoveryTarget,
  EndpointDiscovery, ErrorListener, LookupErrorKind,
} from './types';

/**
 * Shared machinery of the sources that look endpoints up per target (DNS, Cloud Map):
 * one poller per virtual node, started, restarted or stopped as the spec's targets change.
 * A failed lookup reports an error and keeps that node's last known endpoints. Every endpoint
 * an answer holds passes the same check as a static file's; one that fails is dropped (the
 * rest are served), and the reasons are logged when they change.
 */

/** Records why part of an answer was left out (e.g. a Cloud Map instance without a usable address). */
export type DropReporter = (reason: string) => void;

/** Reasons spelled out per log line; a thousand bad instances are one bounded line. */
const REASONS_LOGGED = 20;

interface PollerEntry {
  readonly key: string;
  poller: Poller;
  attempted: boolean;
  /** Reasons dropped from the last answer, joined: logged only when they change. */
  dropped: string;
}

export abstract class PollingDiscovery implements EndpointDiscovery {
  abstract readonly name: DiscoveryError['source'];
  protected readonly state = new EndpointState();
  protected readonly log: Logger;
  private readonly pollers = new Map<string, PollerEntry>();
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
      const entry: PollerEntry = { key: JSON.stringify(target), poller: undefined as unknown as Poller, attempted: false, dropped: '' };
      entry.poller = new Poller(this.timing, async () => {
        const outcome = await this.pollOnce(target, entry);
        entry.attempted = true;
        return outcome;
      }, this.scheduler);
      this.pollers.set(name, entry);
      if (this.started) void entry.poller.start();
    }
    const names = new Set(wanted.keys());
    this.targetsRetained(names);
    this.state.retain(names);
  }

  onChange(listener: ChangeListener): () => void { return this.state.onChange(listener); }
  onError(listener: ErrorListener): () => void { return this.state.onError(listener); }
  current(): DiscoveredEndpoints { return this.state.snapshot(); }

  ready(): boolean {
    return [...this.pollers.values()].every((p) => p.attempted);
  }

  /** Whether this source is responsible for the target (it declares this source's kind of discovery). */
  protected abstract handles(target: DiscoveryTarget): boolean;

  /** One lookup; throws on failure; tells `drop` why it left part of the answer out. */
  protected abstract lookup(target: DiscoveryTarget, drop: DropReporter): Promise<DiscoveredEndpoint[]>;

  /**
   * What a (checked) answer does to the node's endpoints: it replaces them, unless a source
   * returns undefined to keep the last known ones (DNS does so for some empty answers).
   */
  protected settle(_target: DiscoveryTarget, endpoints: DiscoveredEndpoint[]): DiscoveredEndpoint[] | undefined {
    return endpoints;
  }

  /** Told of every failed lookup, after it was reported. */
  protected lookupFailed(_target: DiscoveryTarget): void {}

  /** Told of the names still targeted whenever the targets change. */
  protected targetsRetained(_names: ReadonlySet<string>): void {}

  /** Whether an error means "slow down" (throttling) rather than a plain failure. */
  protected abstract classify(error: unknown): LookupErrorKind;

  private async pollOnce(target: DiscoveryTarget, entry: PollerEntry): Promise<PollOutcome> {
    const name = target.virtualNodeName;
    const failures = entry.poller.consecutiveFailures;
    try {
      const dropped: string[] = [];
      const answer = await this.lookup(target, (reason) => dropped.push(reason));
      // The target may have been dropped or replaced while the lookup ran.
      if (this.pollers.get(name) !== entry) return 'ok';
      const checked = answer.filter((e, i) => {
        const problems = endpointProblems(e, `answer[${i}]`);
        dropped.push(...problems);
        return problems.length === 0;
      });
      if (failures > 0) this.log.info('endpoint lookup works again', { virtualNode: name, failures });
      this.reportDropped(target, entry, dropped);
      const next = this.settle(target, checked);
      if (next && this.state.set(name, next)) {
        this.log.info('endpoints changed', { virtualNode: name, count: next.length });
      }
      return 'ok';
    } catch (error) {
      const kind = this.classify(error);
      // Warn when a node's lookups start failing; the retries of an outage go to debug (each is counted).
      this.log[failures === 0 ? 'warn' : 'debug']('endpoint lookup failed; keeping the last known endpoints', {
        virtualNode: name, kind, error, kept: this.state.has(name), failures: failures + 1,
      });
      this.state.reportError({ source: this.name, virtualNodeName: name, kind, error });
      if (this.pollers.get(name) === entry) this.lookupFailed(target);
      return kind;
    }
  }

  private reportDropped(target: DiscoveryTarget, entry: PollerEntry, dropped: readonly string[]): void {
    const key = dropped.join('\n');
    if (key === entry.dropped) return;
    entry.dropped = key;
    if (dropped.length > 0) {
      this.log.warn('endpoints left out of the answer', {
        virtualNode: target.virtualNodeName, count: dropped.length, reasons: dropped.slice(0, REASONS_LOGGED),
      });
    } else {
      this.log.info('no endpoints left out of the answer any more', { virtualNode: target.virtualNodeName });
    }
  }
}
