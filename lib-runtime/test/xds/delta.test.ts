/**
 * Incremental ADS (DeltaAggregatedResources), the X25 items, with the raw client against the
 * real server: subscribe/unsubscribe, per-resource versions, removed_resources for deleted and
 * unknown names, initial_resource_versions, wildcard via '*' or an empty first request,
 * subscription changes despite a stale nonce; plus ordering and warming as on SotW.
 */
import * as grpc from '@grpc/grpc-js';
import { deltaNamesIn, deltaRequest, type Message, type TestStream } from './ads-test-client';
import { apiListener, assignment, edsCluster, routeConfig } from './fixtures';
import { Harness } from './harness';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL } from '../../src/xds/type-urls';

const NODE = { id: 'node-d', locality: {} };
const GROUP = 'node-d';
let h: Harness;

function setBase(): void {
  h.server.setSnapshot(GROUP, {
    [CLUSTER_TYPE_URL]: [edsCluster('c1'), edsCluster('c2')],
    [ENDPOINT_TYPE_URL]: [assignment('c1', [1001]), assignment('c2', [1002])],
    [LISTENER_TYPE_URL]: [apiListener('l1', 'r1')],
    [ROUTE_TYPE_URL]: [routeConfig('r1', 'l1', [{ name: 'c1', weight: 1 }])],
  });
}

/** Receive the next delta response and ACK it. */
async function receiveAndAck(stream: TestStream): Promise<Message> {
  const response = await stream.next();
  await h.sendHandled(stream, deltaRequest(response.type_url, { nonce: response.nonce }));
  return response;
}

function versionsIn(response: Message): Record<string, string> {
  return Object.fromEntries((response.resources ?? []).map((r: Message) => [r.name, r.version]));
}

beforeEach(async () => {
  h = await Harness.start();
  setBase();
});

afterEach(async () => {
  await h.stop();
});

test('X01: DeltaAggregatedResources is implemented; an empty type_url ends the stream with INVALID_ARGUMENT', async () => {
  const stream = h.client.delta();
  stream.send(deltaRequest(ENDPOINT_TYPE_URL, { node: NODE, subscribe: ['c1'] }));
  const response = await stream.next();
  expect(response.type_url).toBe(ENDPOINT_TYPE_URL);
  expect(deltaNamesIn(response)).toEqual(['c1']);
  expect(response.resources[0].resource['@type']).toBe(ENDPOINT_TYPE_URL);
  expect(response.resources[0].resource.cluster_name).toBe('c1');
  expect(response.system_version_info).toBe(h.server.version(GROUP, ENDPOINT_TYPE_URL));
  stream.send(deltaRequest(''));
  expect((await stream.status()).code).toBe(grpc.status.INVALID_ARGUMENT);
});

test('subscribe and unsubscribe: only subscribed resources, each with its own version, only when changed', async () => {
  const stream = h.client.delta();
  stream.send(deltaRequest(ENDPOINT_TYPE_URL, { node: NODE, subscribe: ['c1'] }));
  const first = await receiveAndAck(stream);
  expect(deltaNamesIn(first)).toEqual(['c1']);
  // subscribe c2: only c2 is sent
  stream.send(deltaRequest(ENDPOINT_TYPE_URL, { subscribe: ['c2'] }));
  const second = await receiveAndAck(stream);
  expect(deltaNamesIn(second)).toEqual(['c2']);
  const v1 = { ...versionsIn(first), ...versionsIn(second) };
  expect(v1.c1).not.toBe(v1.c2);
  // change c2 only: c2 alone with a new version
  h.pushNow(() => h.server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('c1', [1001]), assignment('c2', [2002])]));
  const third = await receiveAndAck(stream);
  expect(deltaNamesIn(third)).toEqual(['c2']);
  expect(versionsIn(third).c2).not.toBe(v1.c2);
  // unsubscribe c2: no further updates of it
  await h.expectNoResponseTo(stream, deltaRequest(ENDPOINT_TYPE_URL, { unsubscribe: ['c2'] }));
  expect(h.pushNow(() => h.server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('c1', [1001]), assignment('c2', [3002])]))).toBe(0);
  // an ACK with nothing changed is not answered (X09)
  expect(h.recorder.of('ack')).toHaveLength(3);
  // the /clients view
  const [status] = h.server.status().streams;
  expect(status).toMatchObject({ protocol: 'delta', nodeId: 'node-d' });
  expect(status.types).toEqual([expect.objectContaining({
    typeUrl: ENDPOINT_TYPE_URL, wildcard: false, resourceNames: ['c1'], ackedVersion: third.system_version_info, awaitingAck: false, resourceCount: 1,
  })]);
});

test('removed_resources lists deleted resources and subscribed names that do not exist; a name that appears later is pushed', async () => {
  const stream = h.client.delta();
  stream.send(deltaRequest(ENDPOINT_TYPE_URL, { node: NODE, subscribe: ['c1', 'nope'] }));
  const added = await receiveAndAck(stream);
  expect(deltaNamesIn(added)).toEqual(['c1']);
  const missing = await receiveAndAck(stream);
  expect(missing.resources ?? []).toEqual([]);
  expect(missing.removed_resources).toEqual(['nope']);
  // told once only
  expect(h.pushNow(() => h.server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('c1', [1001])]))).toBe(0);
  // appears later: pushed without a new request
  h.pushNow(() => h.server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('c1', [1001]), assignment('nope', [9])]));
  expect(deltaNamesIn(await receiveAndAck(stream))).toEqual(['nope']);
  // deleted: removed_resources
  h.pushNow(() => h.server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('nope', [9])]));
  const removed = await receiveAndAck(stream);
  expect(removed.removed_resources).toEqual(['c1']);
});

test('wildcard: an empty first request for clusters, or "*", returns everything and follows additions and deletions', async () => {
  const legacy = h.client.delta();
  legacy.send(deltaRequest(CLUSTER_TYPE_URL, { node: NODE }));
  expect(deltaNamesIn(await receiveAndAck(legacy)).sort()).toEqual(['c1', 'c2']);

  const star = h.client.delta();
  star.send(deltaRequest(LISTENER_TYPE_URL, { node: NODE, subscribe: ['*'] }));
  expect(deltaNamesIn(await receiveAndAck(star))).toEqual(['l1']);

  h.pushNow(() => h.server.setSnapshot(GROUP, {
    [CLUSTER_TYPE_URL]: [edsCluster('c1'), edsCluster('c3')],
    [LISTENER_TYPE_URL]: [apiListener('l2', 'r1')],
  }));
  const clusters = await receiveAndAck(legacy);
  expect(deltaNamesIn(clusters)).toEqual(['c3']);
  const clusterRemovals = await receiveAndAck(legacy);
  expect(clusterRemovals.removed_resources).toEqual(['c2']);
  const listeners = await receiveAndAck(star);
  expect(deltaNamesIn(listeners)).toEqual(['l2']);
  expect((await receiveAndAck(star)).removed_resources).toEqual(['l1']);

  // leaving the wildcard: no more pushes for the type
  await h.expectNoResponseTo(star, deltaRequest(LISTENER_TYPE_URL, { unsubscribe: ['*'] }));
  expect(h.pushNow(() => h.server.setResources(GROUP, LISTENER_TYPE_URL, [apiListener('l3', 'r1')]))).toBe(0);
});

test('initial_resource_versions: a reconnecting client gets only what differs, and removals of what is gone', async () => {
  const first = h.client.delta();
  first.send(deltaRequest(ENDPOINT_TYPE_URL, { node: NODE, subscribe: ['c1', 'c2'] }));
  const initial = versionsIn(await receiveAndAck(first));
  first.close();
  h.pushNow(() => h.server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('c2', [2002]), assignment('c3', [3003])]));

  const again = h.client.delta();
  again.send(deltaRequest(ENDPOINT_TYPE_URL, { node: NODE, subscribe: ['c1', 'c2', 'c3'], initial: { ...initial, c3: 'stale-version' } }));
  const changed = await receiveAndAck(again);
  expect(deltaNamesIn(changed).sort()).toEqual(['c2', 'c3']);
  const gone = await receiveAndAck(again);
  expect(gone.removed_resources).toEqual(['c1']);

  // and when everything the client has is current: nothing to send
  const third = h.client.delta();
  const current = { c2: versionsIn(changed).c2, c3: versionsIn(changed).c3 };
  await h.expectNoResponseTo(third, deltaRequest(ENDPOINT_TYPE_URL, { node: NODE, subscribe: ['c2', 'c3'], initial: current }));
});

test('subscription changes count even when the nonce is stale', async () => {
  const stream = h.client.delta();
  stream.send(deltaRequest(ENDPOINT_TYPE_URL, { node: NODE, subscribe: ['c1'] }));
  const first = await receiveAndAck(stream);
  h.pushNow(() => h.server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('c1', [5]), assignment('c2', [1002])]));
  const second = await stream.next();
  expect(second.nonce).not.toBe(first.nonce);
  // a request carrying the old nonce subscribes c2: the subscription counts, the ACK part does not
  // (the second response is still un-ACKed, so nothing goes out yet)
  await h.expectNoResponseTo(stream, deltaRequest(ENDPOINT_TYPE_URL, { nonce: first.nonce, subscribe: ['c2'] }));
  expect(h.recorder.of('request').at(-1)!.request.kind).toBe('stale');
  await h.sendHandled(stream, deltaRequest(ENDPOINT_TYPE_URL, { nonce: second.nonce }));
  expect(deltaNamesIn(await stream.next())).toEqual(['c2']);
});

test('make-before-break and warming on delta: clusters, endpoints, listeners, routes; endpoints re-sent after a cluster change', async () => {
  const stream = h.client.delta();
  stream.send(deltaRequest(CLUSTER_TYPE_URL, { node: NODE }));
  const cds = await stream.next();
  expect(cds.type_url).toBe(CLUSTER_TYPE_URL);
  stream.send(deltaRequest(CLUSTER_TYPE_URL, { nonce: cds.nonce }));
  stream.send(deltaRequest(ENDPOINT_TYPE_URL, { subscribe: ['c1', 'c2'] }));
  expect((await receiveAndAck(stream)).type_url).toBe(ENDPOINT_TYPE_URL);
  stream.send(deltaRequest(LISTENER_TYPE_URL, {}));
  expect((await receiveAndAck(stream)).type_url).toBe(LISTENER_TYPE_URL);

  h.pushNow(() => h.server.setSnapshot(GROUP, {
    [LISTENER_TYPE_URL]: [apiListener('l1', 'r2')],
    [CLUSTER_TYPE_URL]: [edsCluster('c1', { lb_policy: 'RING_HASH' }), edsCluster('c2')],
  }));
  const order: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await receiveAndAck(stream);
    order.push(`${r.type_url.split('.').pop()}:${deltaNamesIn(r).join(',')}`);
  }
  expect(order).toEqual(['Cluster:c1', 'ClusterLoadAssignment:c1', 'Listener:l1']);
});
