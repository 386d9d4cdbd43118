/**
 * The dashboard's data: the push latency histogram read from the control plane's registry, the
 * bounded spec history, and the change notice wrapped around the xDS hooks.
 */
import { ChangeNotice } from '../../src/admin/dashboard/change-notice';
import { readPushLatency } from '../../src/admin/dashboard/push-latency';
import { SpecHistory } from '../../src/admin/dashboard/spec-history';
import { ControlPlaneMetrics } from '../../src/admin/metrics';
import type { XdsStreamInfo } from '../../src/xds/events';
import { CLUSTER_TYPE_URL, LISTENER_TYPE_URL } from '../../src/xds/type-urls';

const STREAM: XdsStreamInfo = {
  streamId: 1, protocol: 'sotw', peer: '127.0.0.1:1', nodeId: 'mesh/apps/virtualNode/serviceA', node: { id: 'mesh/apps/virtualNode/serviceA' }, group: 'g', openedAt: 0,
};

describe('readPushLatency', () => {
  test('is empty before any ACK', async () => {
    expect(await readPushLatency(new ControlPlaneMetrics().registry)).toEqual({ buckets: [], count: 0, sum: 0 });
  });

  test('sums the per-type series and gives per-bucket (not cumulative) counts', async () => {
    const metrics = new ControlPlaneMetrics();
    const hooks = metrics.xdsHooks();
    const acks = [[LISTENER_TYPE_URL, 3], [LISTENER_TYPE_URL, 40], [CLUSTER_TYPE_URL, 4], [CLUSTER_TYPE_URL, 20_000]] as const;
    for (const [typeUrl, latencyMs] of acks) {
      hooks.onAck!(STREAM, { typeUrl, version: '1', nonce: 'n', latencyMs });
    }
    const histogram = await readPushLatency(metrics.registry);
    expect(histogram.count).toBe(4);
    expect(histogram.sum).toBeCloseTo(20.047, 6);
    const counts = Object.fromEntries(histogram.buckets.map((b) => [String(b.le), b.count]));
    expect(counts).toEqual({
      0.001: 0, 0.0025: 0, 0.005: 2, 0.01: 0, 0.025: 0, 0.05: 1, 0.1: 0, 0.25: 0, 0.5: 0, 1: 0, 2.5: 0, 5: 0, 10: 0, null: 1,
    });
  });

  test('names a metric that is not registered', async () => {
    await expect(readPushLatency(new ControlPlaneMetrics().registry, 'oam_nothing')).rejects.toThrow('metric oam_nothing is not registered');
  });
});

describe('SpecHistory', () => {
  test('keeps the last `capacity` outcomes, oldest first', () => {
    const history = new SpecHistory(3);
    for (let i = 0; i < 5; i++) history.applied('spec.json', `v${i}`, i);
    expect(history.entries().map((e) => e.version)).toEqual(['v2', 'v3', 'v4']);
  });

  test('bounds what one rejection keeps: 20 errors of at most 1000 characters, and says how many more', () => {
    const history = new SpecHistory();
    history.rejected('s3://bucket/spec.json', undefined, Array.from({ length: 25 }, (_, i) => `${i}: ${'x'.repeat(2000)}`), 7);
    const [entry] = history.entries();
    expect(entry).toMatchObject({ at: 7, outcome: 'rejected', version: null, origin: 's3://bucket/spec.json' });
    expect(entry.errors).toHaveLength(21);
    expect(entry.errors[0]).toHaveLength(1001);
    expect(entry.errors[20]).toBe('(and 5 more)');
  });

  test('refuses a capacity that is not a whole number of at least 1', () => {
    expect(() => new SpecHistory(0)).toThrow('spec history capacity must be a whole number ≥ 1, got 0');
  });
});

describe('ChangeNotice', () => {
  test('the wrapped hooks still run the originals, and each notifies; a failing listener stops neither', () => {
    const notice = new ChangeNotice();
    const seen: string[] = [];
    const hooks = notice.wrapXdsHooks({ onAck: () => seen.push('ack'), onRefused: () => seen.push('refused') });
    notice.subscribe(() => { throw new Error('listener failed'); });
    const unsubscribe = notice.subscribe(() => seen.push('notified'));
    hooks.onAck!(STREAM, { typeUrl: LISTENER_TYPE_URL, version: '1', nonce: 'n', latencyMs: 1 });
    hooks.onStreamOpen!(STREAM);
    expect(seen).toEqual(['ack', 'notified', 'notified']);
    // Refusals change nothing the dashboard shows.
    hooks.onRefused!({ cause: 'draining', code: 14, message: 'x', protocol: 'sotw', peer: 'p' });
    expect(seen).toEqual(['ack', 'notified', 'notified', 'refused']);
    unsubscribe();
    notice.notify();
    expect(seen).toHaveLength(4);
  });
});
