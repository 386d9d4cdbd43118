/**
 * The prom-client classes the control plane uses, each required from its own module. The
 * package's index also loads the push gateway (http, https), summaries (tdigest), the default
 * process metrics (with @opentelemetry/api) and cluster aggregation: none of it used here, and
 * about 90 ms of CPU at every start. The classes are the index's own (same modules), so the
 * package's types describe them.
 */
import type * as promClient from 'prom-client';

/* eslint-disable @typescript-eslint/no-require-imports */
export const Registry: typeof promClient.Registry = require('prom-client/lib/registry');
export const Counter: typeof promClient.Counter = require('prom-client/lib/counter');
export const Gauge: typeof promClient.Gauge = require('prom-client/lib/gauge');
export const Histogram: typeof promClient.Histogram = require('prom-client/lib/histogram');
/* eslint-enable @typescript-eslint/no-require-imports */
