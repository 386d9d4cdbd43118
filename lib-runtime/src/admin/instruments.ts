import type * as client from 'prom-client';
import * as prom from './prom-client-parts';

export type Labels = Readonly<Record<string, string>>;

/** Seconds buckets for latencies from about 1 ms to 10 s. */
const LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface InstrumentOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
}

/**
 * A prom-client counter in the control plane's registry, readable per label set (tests compare a
 * count before and after an action). A value prom-client would throw on (not a finite number, or a
 * negative count) is dropped: a metric must not break the code it measures.
 */
export class Counter {
  private readonly metric: client.Counter;
  private readonly name: string;

  constructor(registry: client.Registry, options: InstrumentOptions) {
    this.metric = new prom.Counter({ ...options, registers: [registry] });
    this.name = options.name;
  }

  inc(labels: Labels = {}, by = 1): void {
    if (Number.isFinite(by) && by >= 0) this.metric.inc(labels, by);
  }

  /** The series' value (0 before its first increment). */
  async get(labels: Labels = {}): Promise<number> {
    return valueOf(await this.metric.get(), this.name, labels);
  }
}

/** A prom-client histogram of latencies whose observation count can be read per label set; see Counter. */
export class Histogram {
  private readonly metric: client.Histogram;
  private readonly name: string;

  constructor(registry: client.Registry, options: InstrumentOptions) {
    this.metric = new prom.Histogram({ ...options, buckets: [...LATENCY_BUCKETS], registers: [registry] });
    this.name = options.name;
  }

  observe(labels: Labels, value: number): void {
    if (Number.isFinite(value)) this.metric.observe(labels, value);
  }

  /** How many observations the series holds. */
  async count(labels: Labels = {}): Promise<number> {
    return valueOf(await this.metric.get(), `${this.name}_count`, labels);
  }
}

/** The value of the sample named `name` whose labels are exactly `labels`, through prom-client's public get(). */
function valueOf(metric: client.MetricObjectWithValues<client.MetricValue<string>>, name: string, labels: Labels): number {
  const keys = Object.keys(labels);
  const sample = metric.values.find((v) => {
    // Histogram samples carry their own name (`_bucket`, `_sum`, `_count`); a counter's do not.
    if (((v as { metricName?: string }).metricName ?? metric.name) !== name) return false;
    const own = Object.keys(v.labels);
    return own.length === keys.length && keys.every((k) => v.labels[k] === labels[k]);
  });
  return sample?.value ?? 0;
}
