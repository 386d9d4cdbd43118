/**
 * Token buckets per key (a source address, a proven identity): each key may spend `burst` at once
 * and earns `perSecond` back. The table is bounded: when it is full, the key seen least recently
 * is forgotten (a forgotten key starts full again, which errs towards serving, never towards
 * holding memory for an attacker who cycles keys).
 */
export interface TokenBucketOptions {
  readonly burst: number;
  readonly perSecond: number;
  /** Keys remembered at most. Default 10 000. */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class KeyedTokenBuckets {
  // A Map iterates in insertion order; re-inserting on use keeps the least recent first.
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly options: TokenBucketOptions) {
    if (!(options.burst >= 1) || !(options.perSecond > 0)) throw new Error('token buckets: burst must be ≥ 1 and perSecond > 0');
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Takes a token for `key`; false (and nothing taken) when its bucket is empty. */
  take(key: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.options.burst, at: now };
    this.buckets.delete(key);
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.options.perSecond);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return allowed;
  }

  /** Seconds until `key` has a token again (for Retry-After). */
  retryAfterSeconds(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket || bucket.tokens >= 1) return 0;
    return Math.ceil((1 - bucket.tokens) / this.options.perSecond);
  }
}
