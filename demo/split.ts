/**
 * Observed versus configured traffic split: counts per version, a binomial check of the
 * counts against the configured weights, and a detector that tells when replies follow a
 * new set of weights. Pure functions, no I/O.
 */

/** Configured weights by version name (the virtual node names), in display order. */
export type Weights = ReadonlyArray<{ readonly version: string; readonly weight: number }>;

/** Replies counted by version. */
export type Counts = Readonly<Record<string, number>>;

/** The result of comparing counts with weights. */
export interface SplitCheck {
  readonly total: number;
  readonly rows: ReadonlyArray<{ readonly version: string; readonly configuredPct: number; readonly observedPct: number; readonly count: number }>;
  /** Largest |z| over the versions (0 when every count is exactly as configured). */
  readonly maxAbsZ: number;
  /** Within `sigmas` standard deviations for every version, and no reply from a 0 % version. */
  readonly withinTolerance: boolean;
  readonly sigmas: number;
}

export function sumOf(counts: Counts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function shareOf(weights: Weights, version: string): number {
  const total = weights.reduce((a, w) => a + w.weight, 0);
  const entry = weights.find((w) => w.version === version);
  return total > 0 && entry ? entry.weight / total : 0;
}

/**
 * Binomial check: each version's count k out of n is Binomial(n, p) with p its configured
 * share, so |k − np| ≤ sigmas·√(np(1−p)). A version with share 0 (or 1) must have exactly
 * 0 (or n) replies; a reply from a version that is not configured fails the check.
 */
export function checkSplit(weights: Weights, counts: Counts, sigmas = 4): SplitCheck {
  const n = sumOf(counts);
  const versions = [...weights.map((w) => w.version), ...Object.keys(counts).filter((v) => !weights.some((w) => w.version === v))];
  let maxAbsZ = 0;
  let within = n > 0;
  const rows = versions.map((version) => {
    const p = shareOf(weights, version);
    const k = counts[version] ?? 0;
    const sd = Math.sqrt(n * p * (1 - p));
    const deviation = Math.abs(k - n * p);
    if (sd === 0) {
      if (deviation > 0) within = false;
    } else {
      const z = deviation / sd;
      maxAbsZ = Math.max(maxAbsZ, z);
      if (z > sigmas) within = false;
    }
    return { version, configuredPct: 100 * p, observedPct: n > 0 ? (100 * k) / n : 0, count: k };
  });
  return { total: n, rows, maxAbsZ, withinTolerance: within, sigmas };
}

/**
 * Decides when replies follow `next` rather than `previous` weights: the log-likelihood ratio
 * of the most recent `window` replies under the two must exceed ln(`odds`). With the default
 * odds of a million, a switch from 75/25 to 0/100 is seen after 10 replies in a row from the
 * second version, which 75/25 produces with probability 1e-6.
 */
export class SwitchDetector {
  private readonly recent: number[] = [];
  private sum = 0;
  private readonly threshold: number;

  constructor(private readonly previous: Weights, private readonly next: Weights, private readonly window = 40, odds = 1e6) {
    this.threshold = Math.log(odds);
  }

  /** Feeds one reply's version; true once the change is observed. */
  observe(version: string): boolean {
    const term = Math.log(shareOf(this.next, version)) - Math.log(shareOf(this.previous, version));
    // An impossible reply under the new weights (−∞) restarts the evidence.
    if (term === -Infinity) {
      this.recent.length = 0;
      this.sum = 0;
      return false;
    }
    this.recent.push(term);
    this.sum += term;
    if (this.recent.length > this.window) this.sum -= this.recent.shift()!;
    return this.sum >= this.threshold;
  }
}

/** Parses `75/25` into weights for the given versions. */
export function parseWeights(text: string, versions: readonly [string, string]): Weights {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new Error(`weights must look like 75/25, got '${text}'`);
  const weights = [Number(match[1]), Number(match[2])];
  if (weights[0] + weights[1] === 0) throw new Error(`weights '${text}' send traffic nowhere`);
  if (weights.some((w) => w > 100)) throw new Error(`App Mesh weights are 0-100, got '${text}'`);
  return [{ version: versions[0], weight: weights[0] }, { version: versions[1], weight: weights[1] }];
}

/** `75/25`. */
export function formatWeights(weights: Weights): string {
  return weights.map((w) => w.weight).join('/');
}

/** The split as a fixed-width text table with the check's verdict. */
export function formatSplitTable(check: SplitCheck, labels: Readonly<Record<string, string>> = {}): string[] {
  const name = (v: string) => labels[v] ?? v;
  const width = Math.max(7, ...check.rows.map((r) => name(r.version).length));
  const line = (a: string, b: string, c: string, d: string) => `${a.padEnd(width)}  ${b.padStart(10)}  ${c.padStart(9)}  ${d.padStart(7)}`;
  const pct = (x: number) => `${x.toFixed(1)} %`;
  const out = [line('version', 'configured', 'observed', 'replies'), line('-'.repeat(width), '----------', '---------', '-------')];
  for (const row of check.rows) out.push(line(name(row.version), pct(row.configuredPct), pct(row.observedPct), String(row.count)));
  out.push(line('total', '', '', String(check.total)));
  const verdict = check.withinTolerance ? 'PASS' : 'FAIL';
  out.push(`binomial check: largest |z| = ${check.maxAbsZ.toFixed(2)} (tolerance ${check.sigmas}σ; a 0 % version must get no reply) → ${verdict}`);
  return out;
}
