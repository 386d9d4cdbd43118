import parsePrometheusTextFormat, { PrometheusFamily } from 'parse-prometheus-text-format';
import * as client from 'prom-client';
import { ControlPlaneMetrics, typeLabel } from '../../src/admin/metrics';
import type { XdsStreamInfo } from '../../src/xds/events';

const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const LDS = 'type.googleapis.com/envoy.config.listener.v3.Listener';

function stream(streamId: number, nodeId = 'mesh/apps/virtualNode/serviceA'): XdsStreamInfo {
  return { streamId, protocol: 'sotw', peer: '127.0.0.1:1', nodeId, node: { id: nodeId }, group: 'g', openedAt: 0 };
}

/** The /metrics text read back by a Prometheus text-format parser, by family name. */
async function scrape(metrics: ControlPlaneMetrics): Promise<Map<string, PrometheusFamily>> {
  return new Map(parsePrometheusTextFormat(await metrics.render()).map((f) => [f.name, f]));
}

describe('ControlPlaneMetrics', () => {
  test('serves every metric the README documents, with its type and help', async () => {
    const families = await scrape(new ControlPlaneMetrics());
    expect(Object.fromEntries([...families.values()].map((f) => [f.name, [f.type, f.help]]))).toEqual({
      oam_xds_streams: ['GAUGE', 'Open xDS streams per node id.'],
      oam_xds_streams_opened_total: ['COUNTER', 'xDS streams accepted.'],
      oam_xds_streams_refused_total: ['COUNTER', 'xDS streams refused, per reason (an unknown node id, no or another node\'s identity, a limit, a drain).'],
      oam_certificate_exchanges_refused_total: ['COUNTER', 'Certificate exchanges refused, per reason.'],
      oam_certificates_issued_total: ['COUNTER', 'Workload certificates issued by the certificate exchange.'],
      oam_xds_pushes_total: ['COUNTER', 'Configuration pushes (a resource change served to the affected streams).'],
      oam_xds_responses_total: ['COUNTER', 'Discovery responses sent, per resource type.'],
      oam_xds_acks_total: ['COUNTER', 'Responses acknowledged by clients, per resource type.'],
      oam_xds_nacks_total: ['COUNTER', 'Responses rejected by clients (NACK), per resource type.'],
      oam_xds_push_latency_seconds: ['HISTOGRAM', 'Time from sending a response to its ACK, per resource type.'],
      oam_xds_push_duration_seconds: ['HISTOGRAM', 'Time the server spent planning and writing one push.'],
      oam_spec_info: ['GAUGE', 'The spec being served (value 1; labels carry its version and mesh).'],
      oam_spec_loads_total: ['COUNTER', 'Valid specs loaded.'],
      oam_spec_rejections_total: ['COUNTER', 'Specs rejected as invalid (the last good spec stays).'],
      oam_discovery_errors_total: ['COUNTER', 'Failed endpoint lookups, per source and kind (throttled or error).'],
      oam_discovery_endpoints: ['GAUGE', 'Discovered endpoints per virtual node.'],
      oam_translate_errors_total: ['COUNTER', 'Nodes whose configuration could not be rendered.'],
      oam_translate_duration_seconds: ['HISTOGRAM', 'Time to render one node\'s configuration.'],
    });
  });

  test('the xDS hooks and the control plane\'s updates show as labelled series with their values', async () => {
    const m = new ControlPlaneMetrics(() => [{ labels: { virtual_node: 'serviceB' }, value: 3 }]);
    const hooks = m.xdsHooks();
    hooks.onStreamOpen!(stream(1));
    hooks.onStreamOpen!(stream(2));
    hooks.onStreamClose!(stream(2), { reason: 'gone' });
    hooks.onResponse!(stream(1), { typeUrl: CDS, version: '1', nonce: 'a', resourceNames: [], bytes: 10 });
    hooks.onResponse!(stream(1), { typeUrl: LDS, version: '1', nonce: 'b', resourceNames: [], bytes: 10 });
    hooks.onAck!(stream(1), { typeUrl: CDS, version: '1', nonce: 'a', latencyMs: 3 });
    hooks.onNack!(stream(1), {
      nodeId: 'mesh/apps/virtualNode/serviceA', group: 'g', streamId: 1, typeUrl: LDS, rejectedVersion: '2', acceptedVersion: '1', nonce: 'c', message: 'bad', code: 3, at: 0, latencyMs: 1,
    });
    hooks.onPush!({ groups: ['g'], streams: 1, responses: 2, durationMs: 20 });
    m.discoveryErrors.inc({ source: 'dns', kind: 'error' });
    m.specInfo.set({ version: 'v1', mesh: 'apps' }, 1);
    m.specInfo.reset();
    m.specInfo.set({ version: 'v2', mesh: 'apps' }, 1);

    const f = await scrape(m);
    expect(f.get('oam_xds_streams')!.metrics).toEqual([{ labels: { node: 'mesh/apps/virtualNode/serviceA' }, value: '1' }]);
    expect(f.get('oam_xds_streams_opened_total')!.metrics).toEqual([{ value: '2' }]);
    expect(f.get('oam_xds_streams_refused_total')!.metrics).toEqual([]);
    expect(f.get('oam_xds_responses_total')!.metrics).toEqual([
      { labels: { type: 'Cluster' }, value: '1' },
      { labels: { type: 'Listener' }, value: '1' },
    ]);
    expect(f.get('oam_xds_acks_total')!.metrics).toEqual([{ labels: { type: 'Cluster' }, value: '1' }]);
    expect(f.get('oam_xds_nacks_total')!.metrics).toEqual([{ labels: { type: 'Listener' }, value: '1' }]);
    expect(f.get('oam_xds_pushes_total')!.metrics).toEqual([{ value: '1' }]);
    // Cumulative buckets: 20 ms is above 0.01 and within 0.025.
    const bounds = ['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];
    const cumulative = ['0', '0', '0', '0', '1', '1', '1', '1', '1', '1', '1', '1', '1', '1'];
    expect(f.get('oam_xds_push_duration_seconds')!.metrics).toEqual([{
      buckets: Object.fromEntries(bounds.map((le, i) => [le, cumulative[i]])),
      count: '1',
      sum: '0.02',
    }]);
    // This parser folds a labelled histogram's series into one bucket map (and drops the label,
    // _sum and _count), so with a single series it shows that series' buckets: 3 ms fits 0.005.
    expect(f.get('oam_xds_push_latency_seconds')!.metrics[0].buckets).toMatchObject({ '0.0025': '0', '0.005': '1', '+Inf': '1' });
    expect(f.get('oam_discovery_errors_total')!.metrics).toEqual([{ labels: { source: 'dns', kind: 'error' }, value: '1' }]);
    expect(f.get('oam_discovery_endpoints')!.metrics).toEqual([{ labels: { virtual_node: 'serviceB' }, value: '3' }]);
    expect(f.get('oam_spec_info')!.metrics).toEqual([{ labels: { version: 'v2', mesh: 'apps' }, value: '1' }]);

    // The per-series reads the control plane's tests use agree with the scrape.
    expect(await m.streamsOpened.get()).toBe(2);
    expect(await m.acks.get({ type: 'Cluster' })).toBe(1);
    expect(await m.acks.get({ type: 'Listener' })).toBe(0);
    expect(await m.discoveryErrors.get({ source: 'dns', kind: 'error' })).toBe(1);
    expect(await m.pushLatency.count({ type: 'Cluster' })).toBe(1);
    expect(await m.pushDuration.count()).toBe(1);
    expect(await m.translateDuration.count({})).toBe(0);
  });

  test('label values with quotes, backslashes and newlines read back unchanged', async () => {
    const m = new ControlPlaneMetrics();
    const nodeId = 'mesh/a"quoted"\\back\\\\slash\nnew line/virtualNode/x';
    m.xdsHooks().onStreamOpen!(stream(1, nodeId));
    m.specInfo.set({ version: 'v"1\\', mesh: 'line\nbreak' }, 1);
    const f = await scrape(m);
    expect(f.get('oam_xds_streams')!.metrics).toEqual([{ labels: { node: nodeId }, value: '1' }]);
    expect(f.get('oam_spec_info')!.metrics).toEqual([{ labels: { version: 'v"1\\', mesh: 'line\nbreak' }, value: '1' }]);
  });

  test('an update with a value that is not a finite number is dropped, never thrown', async () => {
    const m = new ControlPlaneMetrics();
    const hooks = m.xdsHooks();
    expect(() => hooks.onPush!({ groups: ['g'], streams: 1, responses: 1, durationMs: NaN })).not.toThrow();
    expect(() => m.translateDuration.observe({}, Infinity)).not.toThrow();
    expect(() => m.specLoads.inc({}, NaN)).not.toThrow();
    const f = await scrape(m);
    expect(f.get('oam_xds_pushes_total')!.metrics).toEqual([{ value: '1' }]);
    expect(f.get('oam_xds_push_duration_seconds')!.metrics[0].count).toBe('0');
    expect(f.get('oam_translate_duration_seconds')!.metrics[0].count).toBe('0');
    expect(f.get('oam_spec_loads_total')!.metrics).toEqual([{ value: '0' }]);
  });

  test('each instance has a registry of its own, not prom-client\'s process-wide default', async () => {
    const a = new ControlPlaneMetrics();
    const b = new ControlPlaneMetrics();
    a.specLoads.inc();
    expect(await b.specLoads.get()).toBe(0);
    expect(client.register.getSingleMetric('oam_spec_loads_total')).toBeUndefined();
    expect((await scrape(b)).get('oam_spec_loads_total')!.metrics).toEqual([{ value: '0' }]);
  });

  test('type labels are the last segment of the type URL', () => {
    expect(typeLabel('type.googleapis.com/envoy.config.route.v3.RouteConfiguration')).toBe('RouteConfiguration');
  });
});
