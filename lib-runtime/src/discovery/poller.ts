/**
 * Runs one lookup over and over: at a jittered interval while it succeeds, with capped
 * exponential backoff while it fails. Jitter keeps many control-plane replicas (and many
 * targets) from hitting a rate-limited API in lock step.
 */

/** Time source, replaceable in tests so backoff can be checked without waiting. */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  random(): number;
}

export const REAL_SCHEDULER: Scheduler = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    // A pending poll must not keep the process alive after shutdown starts.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  random: Math.random,
};

export interface PollTiming {
  /** Delay between successful polls. */
  readonly intervalMs: number;
  /** Fraction of the interval added or removed at random (0.2 = ±20 %). */
  readonly jitter: number;
  /** First retry delay after a failure; doubles per consecutive failure. */
  readonly backoffBaseMs: number;
  /** Upper bound of the retry delay. */
  readonly backoffMaxMs: number;
}

export type PollOutcome = 'ok' | 'throttled' | 'error';

/**
 * What one lookup reports: its outcome, or a success that names the delay before the next
 * lookup itself (a server-chosen poll interval, such as AppConfig's), used as given.
 */
export type PollResult = PollOutcome | { readonly outcome: 'ok'; readonly nextPollMs: number };

export class Poller {
  private handle: unknown;
  private running = false;
  private inFlight: Promise<void> | undefined;
  private failures = 0;

  constructor(
    private readonly timing: PollTiming,
    /** One lookup; resolves with its outcome and never rejects. */
    private readonly poll: () => Promise<PollResult>,
    private readonly scheduler: Scheduler = REAL_SCHEDULER,
  ) {}

  /** Starts polling; resolves after the first lookup finished (whatever its outcome). */
  start(): Promise<void> {
    if (this.running) return this.inFlight ?? Promise.resolve();
    this.running = true;
    return this.tick();
  }

  /** Stops polling and waits for a lookup in progress. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.handle !== undefined) this.scheduler.clearTimeout(this.handle);
    this.handle = undefined;
    await this.inFlight;
  }

  /** Consecutive failures so far (0 after a success). */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Delay before the next lookup, given the last outcome. */
  nextDelay(outcome: PollOutcome): number {
    const { intervalMs, jitter, backoffBaseMs, backoffMaxMs } = this.timing;
    if (outcome === 'ok') {
      return Math.max(0, Math.round(intervalMs * (1 + jitter * (2 * this.scheduler.random() - 1))));
    }
    // "Equal jitter": half the capped exponential delay is fixed, half random, so retries
    // spread out yet never come back sooner than half the backoff.
    const exp = Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.min(this.failures - 1, 30));
    return Math.round(exp / 2 + (exp / 2) * this.scheduler.random());
  }

  private tick(): Promise<void> {
    this.handle = undefined;
    const run = (async () => {
      const result = await this.poll();
      const outcome = typeof result === 'string' ? result : result.outcome;
      this.failures = outcome === 'ok' ? 0 : this.failures + 1;
      if (!this.running) return;
      this.handle = this.scheduler.setTimeout(() => {
        void this.tick();
      }, typeof result === 'string' ? this.nextDelay(outcome) : result.nextPollMs);
    })();
    this.inFlight = run;
    return run;
  }
}
