/** One spec the control plane was offered: applied, or rejected with its errors. */
export interface SpecHistoryEntry {
  /** Date.now() when the outcome was known. */
  readonly at: number;
  readonly outcome: 'applied' | 'rejected';
  /** The spec's version (12 hex digits of its sha-256), when it could be read. */
  readonly version: string | null;
  /** Where it came from: a file path, an s3:// or appconfig:// URL. */
  readonly origin: string;
  /** Why it was rejected (empty when applied). */
  readonly errors: readonly string[];
}

/** Errors kept per entry, and characters per error: a spec with thousands of issues must not fill the ring. */
const MAX_ERRORS = 20;
const MAX_ERROR_LENGTH = 1000;

/** The last `capacity` spec outcomes, oldest first; older ones are dropped. */
export class SpecHistory {
  private readonly ring: SpecHistoryEntry[] = [];

  constructor(readonly capacity = 50) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`spec history capacity must be a whole number ≥ 1, got ${capacity}`);
  }

  applied(origin: string, version: string, at = Date.now()): void {
    this.push({ at, outcome: 'applied', version, origin, errors: [] });
  }

  rejected(origin: string, version: string | undefined, errors: readonly string[], at = Date.now()): void {
    const kept = errors.slice(0, MAX_ERRORS).map((e) => (e.length > MAX_ERROR_LENGTH ? `${e.slice(0, MAX_ERROR_LENGTH)}…` : e));
    if (errors.length > MAX_ERRORS) kept.push(`(and ${errors.length - MAX_ERRORS} more)`);
    this.push({ at, outcome: 'rejected', version: version ?? null, origin, errors: kept });
  }

  /** Oldest first. */
  entries(): readonly SpecHistoryEntry[] {
    return [...this.ring];
  }

  private push(entry: SpecHistoryEntry): void {
    this.ring.push(entry);
    if (this.ring.length > this.capacity) this.ring.shift();
  }
}
