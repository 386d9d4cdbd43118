import * as client from 'prom-client';

export type Labels = Readonly<Record<string, string>>;

/** Seconds buckets for latencies from about 1 ms to 10 s. */
const LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface InstrumentOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
}

/**
 * A prom-client counter that can also be read synchronously (prom-client reads only through its
 * async registry; tests compare a count before and after an action). A value prom-client would
 * throw on (not a finite number, or a negative count) is dropped: a metric must not break the
 * code it measures.
 */
export class Counter {
  private readonly metric: client.Counter;

  constructor(registry: client.Registry, options: InstrumentOptions) {
    this.metric = new client.Counter({ ...options, registers: [registry] });
  }

  inc(labels: Labels = {}, by = 1): void {
    if (Number.isFinite(by) && by >= 0) this.metric.inc(labels, by);
  }

  get(labels: Labels = {}): number {
    return seriesOf<{ value: number }>(this.metric, labels)?.value ?? 0;
  }
}

/** A prom-client histogram of latencies whose observation count can be read synchronously; see Counter. */
export class Histogram {
  private readonly metric: client.Histogram;

  constructor(registry: client.Registry, options: InstrumentOptions) {
    this.metric = new client.Histogram({ ...options, buckets: [...LATENCY_BUCKETS], registers: [registry] });
  }

  observe(labels: Labels, value: number): void {
    if (Number.isFinite(value)) this.metric.observe(labels, value);
  }

  count(labels: Labels = {}): number {
    return seriesOf<{ count: number }>(this.metric, labels)?.count ?? 0;
  }
}

/**
 * One series of a prom-client metric, read from its series table (`hashMap`, an internal of
 * prom-client 15; the admin tests fail if it moves). Linear: for tests and diagnostics only.
 */
function seriesOf<S>(metric: object, labels: Labels): S | undefined {
  const table = (metric as { hashMap?: Record<string, S & { labels: Labels }> }).hashMap;
  if (!table) throw new Error('prom-client no longer keeps its series in hashMap; update admin/instruments.ts');
  const keys = Object.keys(labels);
  return Object.values(table).find((s) => {
    const own = Object.keys(s.labels);
    return own.length === keys.length && keys.every((k) => s.labels[k] === labels[k]);
  });
}
