/**
 * shutdown(graceMs) drains: new streams are refused at once, open streams are ended with OK one
 * after another across the window (so their clients reconnect elsewhere a few at a time), then
 * the server stops. Order and spread are asserted, with lower bounds only: timers never fire
 * early, while a busy machine may make them late.
 */
import * as grpc from '@grpc/grpc-js';
import { AdsTestClient, sotwRequest, type TestStream } from './ads-test-client';
import { edsCluster } from './fixtures';
import { HookRecorder } from './hook-recorder';
import { CLUSTER_TYPE_URL } from '../../src/xds/type-urls';
import { XdsServer } from '../../src/xds/xds-server';

// Long enough that a loaded machine still opens the late stream inside the window.
const WINDOW_MS = 2400;
const STREAMS = 6;

test('streams end spread over the window, in order, and a new stream during the drain is refused', async () => {
  const recorder = new HookRecorder();
  const closedAt = new Map<string, number>();
  const server = new XdsServer({
    pushDebounceMs: 0,
    groupOf: () => 'all',
    hooks: {
      ...recorder.hooks,
      onStreamClose: (stream, event) => {
        closedAt.set(stream.nodeId, Date.now());
        recorder.hooks.onStreamClose!(stream, event);
      },
    },
  });
  const port = await server.listen();
  server.setResources('all', CLUSTER_TYPE_URL, [edsCluster('c1')]);
  const clients = Array.from({ length: 2 }, () => new AdsTestClient(port));
  try {
    const streams: TestStream[] = [];
    for (let i = 0; i < STREAMS; i++) {
      const stream = clients[i % 2].sotw();
      stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: `n${i}` } }));
      await stream.next();
      streams.push(stream);
    }

    const started = Date.now();
    const drained = server.shutdown(WINDOW_MS);
    // the first stream ends at once, the others wait their turn
    await recorder.waitFor((e) => e.hook === 'close');
    expect([...closedAt.keys()]).toEqual(['n0']);

    // On a connection that is already open, so only the stream is new.
    const refused = clients[1].sotw();
    refused.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'late' } }));
    expect(await refused.status()).toEqual({ code: grpc.status.UNAVAILABLE, details: 'server draining' });
    expect(recorder.of('refused').map((e) => e.refusal.cause)).toEqual(['draining']);

    await drained;
    // every stream ended with OK (clients keep their config and reconnect), stream i not before i/N of the window
    for (const stream of streams) expect(await stream.status()).toEqual({ code: grpc.status.OK, details: 'OK' });
    const order = [...closedAt.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
    expect(order).toEqual(Array.from({ length: STREAMS }, (_, i) => `n${i}`));
    for (let i = 1; i < STREAMS; i++) expect(closedAt.get(`n${i}`)! - started).toBeGreaterThanOrEqual((i * WINDOW_MS) / STREAMS - 1);
    expect(closedAt.get(`n${STREAMS - 1}`)! - closedAt.get('n0')!).toBeGreaterThanOrEqual(WINDOW_MS / 2);
    expect(server.stats()).toMatchObject({ trackedStreams: 0, trackedConnections: 0 });
  } finally {
    for (const c of clients) c.close();
    await server.shutdown(0);
  }
});

test('a drain without streams stops at once, and shutdown called again returns the same drain', async () => {
  const server = new XdsServer();
  const port = await server.listen();
  const first = server.shutdown(60000);
  expect(server.shutdown(10)).toBe(first);
  await first; // resolves without waiting for the window: nothing to drain
  const client = new AdsTestClient(port);
  const stream = client.sotw();
  stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'n' } }));
  expect((await stream.status()).code).toBe(grpc.status.UNAVAILABLE);
  client.close();
});
