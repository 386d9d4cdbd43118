import { Logger } from '../log';

/**
 * Decides whether an empty DNS answer (NXDOMAIN or NODATA) removes a name's endpoints. A
 * resolver that breaks answers NXDOMAIN for everything, which looks exactly like every service
 * being deleted at once; the policy (documented in dns.ts) tells the two apart:
 *
 * - a name with endpoints loses them only after `removeAfterAnswers` empty answers in a row,
 *   the first at least `removeAfterMs` before the last (a failed lookup neither counts nor resets);
 * - while at least `panicFraction` of the names with endpoints, and at least `panicMinNames` of
 *   them, failed their latest lookup (empty or error), nothing is removed (panic) and the
 *   removal clocks restart; the change into and out of panic is logged once and reported.
 */
export interface NoRecordsPolicy {
  readonly removeAfterAnswers: number;
  readonly removeAfterMs: number;
  readonly panicFraction: number;
  readonly panicMinNames: number;
}

/** Three answers over at least 15 s: about three 5 s polls, so every other name is asked meanwhile. */
export const DNS_NO_RECORDS_POLICY: NoRecordsPolicy = { removeAfterAnswers: 3, removeAfterMs: 15_000, panicFraction: 0.5, panicMinNames: 2 };

/** Told when panic starts or ends, with how many of the names with endpoints fail. */
export type PanicListener = (panicking: boolean, failing: number, names: number) => void;

interface NameState {
  latest: 'records' | 'empty' | 'failed';
  /** The name has endpoints to lose. */
  known: boolean;
  /** Since when, and how many times in a row, a known name answered empty. */
  hold?: { since: number; answers: number };
}

export class NoRecordsGuard {
  private readonly names = new Map<string, NameState>();
  private panicking = false;

  constructor(
    private readonly policy: NoRecordsPolicy,
    private readonly now: () => number,
    private readonly log: Logger,
    private readonly onPanicChange: PanicListener = () => {},
  ) {}

  get panic(): boolean {
    return this.panicking;
  }

  /** The name answered with records: they replace its endpoints. */
  records(name: string): void {
    const state = this.state(name);
    if (state.hold) this.log.info('DNS records are back; the kept endpoints are replaced by the answer', { virtualNode: name });
    state.latest = 'records';
    state.known = true;
    state.hold = undefined;
    this.evaluate();
  }

  /** The name answered empty: true when that empties its endpoints, false to keep the last known ones. */
  empty(name: string): boolean {
    const state = this.state(name);
    state.latest = 'empty';
    this.evaluate();
    if (!state.known) return true;
    if (this.panicking) {
      state.hold = undefined;
      return false;
    }
    const now = this.now();
    const hold = state.hold ?? (state.hold = { since: now, answers: 0 });
    hold.answers++;
    const { removeAfterAnswers, removeAfterMs } = this.policy;
    if (hold.answers >= removeAfterAnswers && now - hold.since >= removeAfterMs) {
      this.log.warn('no DNS records in a row; endpoints removed', { virtualNode: name, answers: hold.answers, forMs: now - hold.since });
      state.known = false;
      state.hold = undefined;
      this.evaluate();
      return true;
    }
    if (hold.answers === 1) {
      this.log.warn('no DNS records; keeping the last known endpoints until the name stays empty', {
        virtualNode: name, removeAfterAnswers, removeAfterMs,
      });
    }
    return false;
  }

  /** The name's lookup failed (timeout, SERVFAIL, refused): its endpoints stay anyway. */
  failed(name: string): void {
    this.state(name).latest = 'failed';
    this.evaluate();
  }

  /** Forgets names no longer looked up. */
  retain(names: ReadonlySet<string>): void {
    for (const name of [...this.names.keys()]) if (!names.has(name)) this.names.delete(name);
    this.evaluate();
  }

  private state(name: string): NameState {
    let state = this.names.get(name);
    if (!state) {
      state = { latest: 'records', known: false };
      this.names.set(name, state);
    }
    return state;
  }

  private evaluate(): void {
    let names = 0;
    let failing = 0;
    for (const state of this.names.values()) {
      if (!state.known) continue;
      names++;
      if (state.latest !== 'records') failing++;
    }
    const panicking = failing >= this.policy.panicMinNames && failing >= this.policy.panicFraction * names;
    if (panicking === this.panicking) return;
    this.panicking = panicking;
    if (panicking) {
      this.log.error('DNS panic: most names fail at once, as in a resolver outage; keeping every last known endpoint', { failing, names });
    } else {
      this.log.info('DNS panic over: most names resolve again', { failing, names });
    }
    this.onPanicChange(panicking, failing, names);
  }
}
