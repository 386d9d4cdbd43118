import type * as client from 'prom-client';
import { Counter, Histogram } from './instruments';
import * as prom from './prom-client-parts';
import type { XdsServerHooks, XdsStreamInfo } from '../xds/events';

/** Short type label from a type URL: `type.googleapis.com/envoy.config.cluster.v3.Cluster` → `Cluster`. */
export function typeLabel(typeUrl: string): string {
  const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  return name.slice(name.lastIndexOf('.') + 1) || typeUrl;
}

/**
 * The `{type}` label set of a type URL, made once per type: every response and every ACK counts
 * one, and the types served are few. (Only served types reach these hooks; the bound is a guard.)
 */
const typeLabelSets = new Map<string, Readonly<{ type: string }>>();
function typeLabels(typeUrl: string): Readonly<{ type: string }> {
  let labels = typeLabelSets.get(typeUrl);
  if (!labels) {
    labels = Object.freeze({ type: typeLabel(typeUrl) });
    if (typeLabelSets.size < 64) typeLabelSets.set(typeUrl, labels);
  }
  return labels;
}

/** What a scrape-time gauge reports: one value per label set (only the gauge's declared label names). */
type GaugeSamples = () => { labels: Record<string, string>; value: number }[];

/**
 * The control plane's metrics, all prefixed `oam_`, in a prom-client registry of their own (not
 * the process-wide default). Stream gauges are computed at scrape time from the live streams so
 * they can never drift.
 */
export class ControlPlaneMetrics {
  readonly registry = new prom.Registry();
  readonly streamsOpened: Counter;
  readonly responses: Counter;
  readonly acks: Counter;
  readonly nacks: Counter;
  readonly pushes: Counter;
  readonly pushLatency: Histogram;
  readonly pushDuration: Histogram;
  readonly specInfo: client.Gauge<'version' | 'mesh'>;
  readonly specLoads: Counter;
  readonly specRejections: Counter;
  readonly discoveryErrors: Counter;
  readonly translateErrors: Counter;
  readonly translateDuration: Histogram;
  readonly refusedStreams: Counter;
  readonly exchangesRefused: Counter;
  readonly certificatesIssued: Counter;
  private readonly openStreams = new Map<number, XdsStreamInfo>();

  constructor(endpointCount: GaugeSamples = () => []) {
    const r = this.registry;
    const counter = (name: string, help: string, labelNames: string[] = []) => new Counter(r, { name, help, labelNames });
    const histogram = (name: string, help: string, labelNames: string[] = []) => new Histogram(r, { name, help, labelNames });
    computedGauge(r, 'oam_xds_streams', 'Open xDS streams per node id.', ['node'], () => this.streamsPerNode());
    this.streamsOpened = counter('oam_xds_streams_opened_total', 'xDS streams accepted.');
    this.refusedStreams = counter('oam_xds_streams_refused_total', 'xDS streams refused, per reason (an unknown node id, no or another node\'s identity, a limit, a drain).', ['reason']);
    this.exchangesRefused = counter('oam_certificate_exchanges_refused_total', 'Certificate exchanges refused, per reason.', ['reason']);
    this.certificatesIssued = counter('oam_certificates_issued_total', 'Workload certificates issued by the certificate exchange.');
    this.pushes = counter('oam_xds_pushes_total', 'Configuration pushes (a resource change served to the affected streams).');
    this.responses = counter('oam_xds_responses_total', 'Discovery responses sent, per resource type.', ['type']);
    this.acks = counter('oam_xds_acks_total', 'Responses acknowledged by clients, per resource type.', ['type']);
    this.nacks = counter('oam_xds_nacks_total', 'Responses rejected by clients (NACK), per resource type.', ['type']);
    this.pushLatency = histogram('oam_xds_push_latency_seconds', 'Time from sending a response to its ACK, per resource type.', ['type']);
    this.pushDuration = histogram('oam_xds_push_duration_seconds', 'Time the server spent planning and writing one push.');
    this.specInfo = new prom.Gauge({
      name: 'oam_spec_info', help: 'The spec being served (value 1; labels carry its version and mesh).', labelNames: ['version', 'mesh'], registers: [r],
    });
    this.specLoads = counter('oam_spec_loads_total', 'Valid specs loaded.');
    this.specRejections = counter('oam_spec_rejections_total', 'Specs rejected as invalid (the last good spec stays).');
    this.discoveryErrors = counter('oam_discovery_errors_total', 'Failed endpoint lookups, per source and kind (throttled or error).', ['source', 'kind']);
    computedGauge(r, 'oam_discovery_endpoints', 'Discovered endpoints per virtual node.', ['virtual_node'], endpointCount);
    this.translateErrors = counter('oam_translate_errors_total', 'Nodes whose configuration could not be rendered.');
    this.translateDuration = histogram('oam_translate_duration_seconds', 'Time to render one node\'s configuration.');
  }

  /** Hooks for the xDS server that feed these metrics. */
  xdsHooks(): XdsServerHooks {
    return {
      onStreamOpen: (stream) => {
        this.openStreams.set(stream.streamId, stream);
        this.streamsOpened.inc();
      },
      onStreamClose: (stream) => { this.openStreams.delete(stream.streamId); },
      onResponse: (_stream, event) => this.responses.inc(typeLabels(event.typeUrl)),
      onAck: (_stream, event) => {
        const labels = typeLabels(event.typeUrl);
        this.acks.inc(labels);
        this.pushLatency.observe(labels, event.latencyMs / 1000);
      },
      onNack: (_stream, nack) => this.nacks.inc(typeLabels(nack.typeUrl)),
      onPush: (event) => {
        this.pushes.inc();
        this.pushDuration.observe({}, event.durationMs / 1000);
      },
    };
  }

  /** The whole registry in the Prometheus text format (prom-client collects asynchronously). */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  private streamsPerNode(): ReturnType<GaugeSamples> {
    const counts = new Map<string, number>();
    for (const s of this.openStreams.values()) counts.set(s.nodeId, (counts.get(s.nodeId) ?? 0) + 1);
    return [...counts].sort().map(([node, value]) => ({ labels: { node }, value }));
  }
}

/** A gauge whose series are replaced by `samples` at each scrape. */
function computedGauge(registry: client.Registry, name: string, help: string, labelNames: string[], samples: GaugeSamples): void {
  new prom.Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, value } of samples()) this.set(labels, value);
    },
  });
}
