/** Percentiles and units for the report. */

export interface Distribution {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export function distribution(values: readonly number[]): Distribution {
  return { count: values.length, p50: percentile(values, 50), p99: percentile(values, 99), max: Math.max(...values) };
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Milliseconds between two process.hrtime.bigint() readings sent as strings. */
export function msBetween(from: string | bigint, to: string | bigint): number {
  return Number(BigInt(to) - BigInt(from)) / 1e6;
}
