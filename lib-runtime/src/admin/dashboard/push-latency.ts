import type * as client from 'prom-client';

/** The push latency histogram as the page draws it: per bucket, not cumulative. */
export interface PushLatencyHistogram {
  /** Upper bounds in seconds, ascending; the last bucket (`+Inf`) has le null. */
  readonly buckets: readonly { readonly le: number | null; readonly count: number }[];
  readonly count: number;
  /** Sum of all observations, seconds. */
  readonly sum: number;
}

export const PUSH_LATENCY_METRIC = 'oam_xds_push_latency_seconds';

/**
 * Reads the push latency histogram (`oam_xds_push_latency_seconds`, per resource type) from the
 * control plane's registry through prom-client's public get(), summed over the types.
 */
export async function readPushLatency(registry: client.Registry, metricName = PUSH_LATENCY_METRIC): Promise<PushLatencyHistogram> {
  const metric = registry.getSingleMetric(metricName);
  if (!metric) throw new Error(`metric ${metricName} is not registered`);
  const { values } = await metric.get();
  const cumulative = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const sample of values) {
    const name = (sample as { metricName?: string }).metricName;
    if (name === `${metricName}_bucket`) {
      const le = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
      cumulative.set(le, (cumulative.get(le) ?? 0) + sample.value);
    } else if (name === `${metricName}_count`) {
      count += sample.value;
    } else if (name === `${metricName}_sum`) {
      sum += sample.value;
    }
  }
  const bounds = [...cumulative.keys()].sort((a, b) => a - b);
  let below = 0;
  const buckets = bounds.map((le) => {
    const total = cumulative.get(le)!;
    const bucket = { le: Number.isFinite(le) ? le : null, count: total - below };
    below = total;
    return bucket;
  });
  return { buckets, count, sum };
}
