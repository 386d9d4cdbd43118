/**
 * Encode once, share the bytes: the serialization work of a push depends on what changed, not on
 * how many streams receive it. And pushes are debounced: a burst of changes costs one push.
 * (Counts only; speed is measured by the benchmark, never asserted here.)
 */
import { AdsTestClient, deltaRequest, type Message, sotwRequest, type TestStream } from './ads-test-client';
import { assignment } from './fixtures';
import { Harness } from './harness';
import { ENDPOINT_TYPE_URL } from '../../src/xds/type-urls';

const NAMES = Array.from({ length: 50 }, (_, i) => `svc-${i}`);

function assignments(changedPort = 0, changed = 0): object[] {
  return NAMES.map((name, i) => assignment(name, [i < changed ? changedPort : 1000 + i]));
}

interface PushCost { resourceEncodes: number; anyEncodes: number; responses: number; initialEncodes: number }

/** Open `sotw` + `delta` streams in one group, then change 5 of 50 resources and count the work. */
async function pushCost(sotw: number, delta: number): Promise<PushCost> {
  // Many streams on two connections: above the default per-connection limit.
  const h = await Harness.start({ groupOf: () => 'fleet', limits: { maxStreamsPerConnection: sotw + delta } });
  const clients = [new AdsTestClient(h.port), new AdsTestClient(h.port)];
  try {
    h.server.setResources('fleet', ENDPOINT_TYPE_URL, assignments());
    const afterSet = h.server.stats();
    const streams: Array<{ stream: TestStream; delta: boolean }> = [];
    for (let i = 0; i < sotw + delta; i++) {
      const isDelta = i >= sotw;
      const stream = isDelta ? clients[i % 2].delta() : clients[i % 2].sotw();
      const node = { id: `node-${i}`, locality: {} };
      stream.send(isDelta ? deltaRequest(ENDPOINT_TYPE_URL, { node, subscribe: NAMES }) : sotwRequest(ENDPOINT_TYPE_URL, NAMES, { node }));
      streams.push({ stream, delta: isDelta });
    }
    for (const { stream, delta: isDelta } of streams) {
      const r: Message = await stream.next();
      expect(r.resources).toHaveLength(50);
      stream.send(isDelta
        ? deltaRequest(ENDPOINT_TYPE_URL, { nonce: r.nonce })
        : sotwRequest(ENDPOINT_TYPE_URL, NAMES, { nonce: r.nonce, version: r.version_info }));
    }
    await h.recorder.waitFor((e) => e.hook === 'ack' && h.recorder.of('ack').length === sotw + delta);
    const initialEncodes = h.server.stats().resourceEncodes + h.server.stats().anyEncodes - afterSet.resourceEncodes - afterSet.anyEncodes;

    const before = h.server.stats();
    h.server.setResources('fleet', ENDPOINT_TYPE_URL, assignments(9999, 5));
    h.server.flush();
    for (const { stream } of streams) {
      const r = await stream.next();
      const names = (r.resources as Message[]).map((x) => x.name ?? x.cluster_name ?? x.resource?.cluster_name);
      expect(names.sort()).toEqual(NAMES.slice(0, 5).sort());
    }
    const after = h.server.stats();
    return {
      resourceEncodes: after.resourceEncodes - before.resourceEncodes,
      anyEncodes: after.anyEncodes - before.anyEncodes,
      responses: after.responses - before.responses,
      initialEncodes,
    };
  } finally {
    for (const c of clients) c.close();
    await h.stop();
  }
}

test('the number of serializations per push does not grow with the number of streams', async () => {
  const one = await pushCost(1, 0);
  const many = await pushCost(30, 30);
  // the 45 unchanged resources are recognised by their JSON hash without encoding; each of the
  // 5 changed ones is encoded and wrapped in an Any once; streams only copy the bytes
  expect(one).toEqual({ resourceEncodes: 5, anyEncodes: 5, responses: 1, initialEncodes: 0 });
  expect(many).toEqual({ resourceEncodes: 5, anyEncodes: 5, responses: 60, initialEncodes: 0 });
}, 30000);

test('a burst of changes within the debounce window costs one push', async () => {
  const h = await Harness.start({ pushDebounceMs: 50 });
  try {
    h.server.setResources('node-b', ENDPOINT_TYPE_URL, assignments());
    const stream = h.client.sotw();
    stream.send(sotwRequest(ENDPOINT_TYPE_URL, NAMES, { node: { id: 'node-b', locality: {} } }));
    await h.receiveAndAck(stream, NAMES);
    const pushesBefore = h.server.stats().pushes;
    // Only pushes from here on: the first set's push may come after the stream was served.
    const eventsBefore = h.recorder.events.length;
    for (let i = 1; i <= 10; i++) h.server.setResources('node-b', ENDPOINT_TYPE_URL, assignments(20000 + i, 1));
    const push = await h.recorder.waitFor((e) => e.hook === 'push', 5000, eventsBefore);
    expect(push).toMatchObject({ push: { groups: ['node-b'], streams: 1, responses: 1 } });
    const r = await stream.next();
    // the client receives only the final state of the burst
    expect(r.resources).toHaveLength(1);
    expect(r.resources[0].endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value).toBe(20010);
    expect(h.server.stats().pushes).toBe(pushesBefore + 1);
  } finally {
    await h.stop();
  }
});
