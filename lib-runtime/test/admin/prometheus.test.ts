import { ControlPlaneMetrics, typeLabel } from '../../src/admin/metrics';
import { Registry } from '../../src/admin/prometheus';

describe('Prometheus registry', () => {
  test('renders counters, gauges and cumulative histograms in the text format', () => {
    const r = new Registry();
    const c = r.counter('oam_things_total', 'Things.');
    c.inc({ type: 'Cluster' });
    c.inc({ type: 'Cluster' }, 2);
    c.inc({ type: 'Listener' });
    r.gauge('oam_live', 'Computed.', () => [{ labels: { node: 'mesh/apps/virtualNode/a' }, value: 2 }]);
    const h = r.histogram('oam_latency_seconds', 'Latency.', [0.1, 1]);
    h.observe({}, 0.05);
    h.observe({}, 0.5);
    h.observe({}, 3);
    expect(r.render()).toBe([
      '# HELP oam_things_total Things.',
      '# TYPE oam_things_total counter',
      'oam_things_total{type="Cluster"} 3',
      'oam_things_total{type="Listener"} 1',
      '# HELP oam_live Computed.',
      '# TYPE oam_live gauge',
      'oam_live{node="mesh/apps/virtualNode/a"} 2',
      '# HELP oam_latency_seconds Latency.',
      '# TYPE oam_latency_seconds histogram',
      'oam_latency_seconds_bucket{le="0.1"} 1',
      'oam_latency_seconds_bucket{le="1"} 2',
      'oam_latency_seconds_bucket{le="+Inf"} 3',
      'oam_latency_seconds_sum 3.55',
      'oam_latency_seconds_count 3',
      '',
    ].join('\n'));
  });

  test('escapes label values and refuses bad or duplicate names', () => {
    const r = new Registry();
    r.counter('oam_x_total', 'x').inc({ msg: 'a "quoted"\\ line\nbreak' });
    expect(r.render()).toContain('oam_x_total{msg="a \\"quoted\\"\\\\ line\\nbreak"} 1');
    expect(() => r.counter('oam_x_total', 'again')).toThrow(/twice/);
    expect(() => r.counter('bad-name', 'x')).toThrow(/invalid/);
  });

  test('control-plane metrics follow the xDS hooks', () => {
    const m = new ControlPlaneMetrics();
    const hooks = m.xdsHooks();
    const stream = { streamId: 1, protocol: 'sotw' as const, peer: '127.0.0.1:1', nodeId: 'mesh/apps/virtualNode/serviceA', node: { id: 'x' }, group: 'g', openedAt: 0 };
    const cds = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
    hooks.onStreamOpen!(stream);
    hooks.onStreamOpen!({ ...stream, streamId: 2 });
    hooks.onResponse!(stream, { typeUrl: cds, version: '1', nonce: 'a', resourceNames: [], bytes: 10 });
    hooks.onAck!(stream, { typeUrl: cds, version: '1', nonce: 'a', latencyMs: 3 });
    hooks.onNack!(stream, {
      nodeId: stream.nodeId, group: 'g', streamId: 1, typeUrl: cds, rejectedVersion: '2', acceptedVersion: '1', nonce: 'b', message: 'bad', code: 3, at: 0, latencyMs: 1,
    });
    hooks.onStreamClose!({ ...stream, streamId: 2 }, { reason: 'gone' });
    const text = m.render();
    expect(text).toContain('oam_xds_streams{node="mesh/apps/virtualNode/serviceA"} 1');
    expect(text).toContain('oam_xds_acks_total{type="Cluster"} 1');
    expect(text).toContain('oam_xds_nacks_total{type="Cluster"} 1');
    expect(text).toContain('oam_xds_push_latency_seconds_bucket{type="Cluster",le="0.005"} 1');
    expect(typeLabel('type.googleapis.com/envoy.config.route.v3.RouteConfiguration')).toBe('RouteConfiguration');
  });
});
