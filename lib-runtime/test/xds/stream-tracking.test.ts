/**
 * A closed stream leaves nothing behind in the server, however it ended, and what the server keeps
 * about open streams and past NACKs is bounded.
 */
import * as grpc from '@grpc/grpc-js';
import { ackOf, AdsTestClient, sotwRequest, type TestStream } from './ads-test-client';
import { edsCluster } from './fixtures';
import { Harness } from './harness';
import type { XdsAuthDecision } from '../../src/xds/events';
import { CLUSTER_TYPE_URL } from '../../src/xds/type-urls';

let h: Harness;
const clients: AdsTestClient[] = [];

function connect(): AdsTestClient {
  const client = new AdsTestClient(h.port);
  clients.push(client);
  return client;
}

/** Wait (a bounded time) for something the server does when a client's packets reach it. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function untilTracked(n: number): Promise<void> {
  await until(() => h.server.stats().trackedStreams === n);
  expect(h.server.stats().trackedStreams).toBe(n);
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await h.stop();
});

test('streams that ended in every way leave no stream, connection or group behind', async () => {
  const pending: Array<(d: XdsAuthDecision) => void> = [];
  h = await Harness.start({
    limits: { maxNodeIdLength: 20 },
    authorize: ({ nodeId }) => {
      if (nodeId.startsWith('slow')) return new Promise<XdsAuthDecision>((resolve) => pending.push(resolve));
      return !nodeId.startsWith('denied');
    },
  });
  for (const id of ['served-1', 'served-2', 'slow']) h.server.setResources(id, CLUSTER_TYPE_URL, [edsCluster('c1')]);
  const open = (id: string): TestStream => {
    const s = connect().sotw();
    s.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id } }));
    return s;
  };
  const cancelled = open('served-1');
  await cancelled.next();
  const connectionGone = open('served-2');
  await connectionGone.next();
  const denied = open('denied');
  const tooLong = open('x'.repeat(21));
  const noNode = connect().sotw();
  noNode.send(sotwRequest(CLUSTER_TYPE_URL, []));
  const silent = connect().delta();
  const slow = open('slow');
  await until(() => pending.length === 1);
  expect(pending).toHaveLength(1);

  expect(h.server.connectedGroups().sort()).toEqual(['served-1', 'served-2']);
  expect((await denied.status()).code).toBe(grpc.status.PERMISSION_DENIED);
  expect((await tooLong.status()).code).toBe(grpc.status.INVALID_ARGUMENT);
  expect((await noNode.status()).code).toBe(grpc.status.INVALID_ARGUMENT);
  cancelled.close();
  clients[1].close(); // the connection of served-2
  silent.close();
  slow.close();
  await untilTracked(0);
  // the slow stream is allowed after its client left: it must not be attached now
  pending[0](true);
  await new Promise((resolve) => setImmediate(resolve));
  expect(h.server.stats()).toMatchObject({ trackedStreams: 0, trackedConnections: 0, openStreams: 0 });
  expect(h.server.connectedGroups()).toEqual([]);
  expect(h.server.status().streams).toEqual([]);
});

test('a stream that piles up requests while it is being authorized is refused', async () => {
  h = await Harness.start({ authorize: () => new Promise<XdsAuthDecision>(() => undefined) });
  const stream = h.client.sotw();
  stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'n' } }));
  for (let i = 0; i < 100; i++) stream.send(sotwRequest(CLUSTER_TYPE_URL, [`c${i}`]));
  expect(await stream.status()).toEqual({
    code: grpc.status.RESOURCE_EXHAUSTED,
    details: 'more than 64 requests arrived before the stream was authorized',
  });
  await h.recorder.waitFor((e) => e.hook === 'refused' && e.refusal.cause === 'requestsBeforeAuthorization');
  await untilTracked(0);
});

test('NACK records are bounded in number and in the size of the message kept', async () => {
  h = await Harness.start({ nackHistory: 2 });
  const stream = h.client.sotw();
  let version = 0;
  const push = (): void => {
    h.server.setResources('n', CLUSTER_TYPE_URL, [edsCluster(`c${++version}`)]);
    h.server.flush();
  };
  push();
  stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'n' } }));
  const huge = 'e'.repeat(100000);
  for (let i = 0; i < 3; i++) {
    const response = await stream.next();
    await h.sendHandled(stream, { ...ackOf(response, []), error_detail: { code: 3, message: `${i}${huge}` } });
    push();
  }
  const { recentNacks } = h.server.status();
  expect(recentNacks.map((n) => n.message.slice(0, 1))).toEqual(['1', '2']);
  // lengths and ends compared, so that a failure does not print 100 KB
  const kept = 4096 + '… (100001 characters)'.length;
  expect(recentNacks.map((n) => [n.message.length, n.message.slice(4090)])).toEqual([[kept, 'eeeeee… (100001 characters)'], [kept, 'eeeeee… (100001 characters)']]);
  expect(h.server.status().streams[0].types[0].lastNack?.message).toHaveLength(kept);
});
