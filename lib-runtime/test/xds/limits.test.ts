/**
 * XdsLimits: what an unauthenticated peer can make the server hold. Each limit refuses with a
 * status naming the limit, its value and its flag, is reported to onRefused, and is checked
 * before the authorize hook (or anything else) sees the node.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import { AdsTestClient, deltaRequest, type Message, sotwRequest, type TestStream } from './ads-test-client';
import { edsCluster } from './fixtures';
import { Harness } from './harness';
import type { XdsLimits } from '../../src/xds/limits';
import { messageType } from '../../src/xds/protos';
import { CLUSTER_TYPE_URL } from '../../src/xds/type-urls';
import { XdsServer } from '../../src/xds/xds-server';

let h: Harness;
let authorized: string[];
const extraClients: AdsTestClient[] = [];

async function start(limits: Partial<XdsLimits>): Promise<void> {
  authorized = [];
  h = await Harness.start({
    limits,
    groupOf: () => 'all',
    authorize: ({ nodeId }) => {
      authorized.push(nodeId);
      return true;
    },
  });
  h.server.setResources('all', CLUSTER_TYPE_URL, [edsCluster('c1')]);
}

function connect(): AdsTestClient {
  const client = new AdsTestClient(h.port);
  extraClients.push(client);
  return client;
}

/** Open a SotW stream for `id` and wait for its first response (so the server counts it). */
async function served(client: AdsTestClient, id: string): Promise<TestStream> {
  const stream = client.sotw();
  stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id } }));
  await stream.next();
  return stream;
}

async function expectRefused(stream: TestStream, code: grpc.status, details: string, cause: keyof XdsLimits): Promise<void> {
  expect(await stream.status()).toEqual({ code, details });
  const refused = await h.recorder.waitFor((e) => e.hook === 'refused' && e.refusal.cause === cause);
  expect(refused).toMatchObject({ refusal: { cause, code, message: details } });
}

/** Wait until the server tracks `n` streams (closes reach it a little after the client's). */
async function untilTracked(n: number): Promise<void> {
  for (let i = 0; i < 200 && h.server.stats().trackedStreams !== n; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(h.server.stats().trackedStreams).toBe(n);
}

afterEach(async () => {
  for (const c of extraClients.splice(0)) c.close();
  await h.stop();
});

describe('the node of the first request', () => {
  test('maxNodeBytes: the encoded node is measured before it is decoded', async () => {
    await start({ maxNodeBytes: 1000 });
    const node = { id: 'big', user_agent_name: 'u'.repeat(1000) };
    const type = messageType('envoy.config.core.v3.Node');
    const size = type.encode(type.fromObject(node)).finish().length;
    const stream = h.client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node }));
    await expectRefused(stream, grpc.status.INVALID_ARGUMENT, `node is ${size} bytes; the limit is 1000 (--max-node-bytes)`, 'maxNodeBytes');
    // a node of exactly the limit is served
    const fits = h.client.delta();
    fits.send(deltaRequest(CLUSTER_TYPE_URL, { node: { id: 'big', user_agent_name: 'u'.repeat(1000 - (size - 1000)) } }));
    expect((await fits.next()).resources).toHaveLength(1);
    expect(authorized).toEqual(['big']);
  });

  test('maxNodeIdLength', async () => {
    await start({ maxNodeIdLength: 10 });
    await served(h.client, 'x'.repeat(10));
    const stream = h.client.delta();
    stream.send(deltaRequest(CLUSTER_TYPE_URL, { node: { id: 'x'.repeat(11) } }));
    await expectRefused(stream, grpc.status.INVALID_ARGUMENT, 'node id is 11 characters; the limit is 10 (--max-node-id-length)', 'maxNodeIdLength');
    expect(authorized).toEqual(['x'.repeat(10)]);
  });

  test('maxMetadataDepth counts nested structs and lists; metadata itself is level 1', async () => {
    await start({ maxMetadataDepth: 3 });
    const nested = (levels: number): Message => (levels === 1
      ? { fields: { leaf: { stringValue: 'v' } } }
      : { fields: { k: { listValue: { values: [{ structValue: nested(levels - 1) }] } } } });
    // struct (1) > list (2) > struct (3)
    const ok = h.client.sotw();
    ok.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'flat', metadata: { fields: { k: { listValue: { values: [{ structValue: { fields: {} } }] } } } } } }));
    await ok.next();
    const stream = h.client.sotw();
    // struct > list > struct > list > struct: 5 levels
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'deep', metadata: nested(3) } }));
    await expectRefused(stream, grpc.status.INVALID_ARGUMENT,
      'node.metadata is nested more than 3 levels deep; the limit is 3 (--max-metadata-depth)', 'maxMetadataDepth');
    expect(authorized).toEqual(['flat']);
  });

  test('a 25,000-deep metadata is refused with the limit, not a stack overflow', async () => {
    await start({});
    // Encoded by hand: Struct { k: list [ list [ list [ ... ] ] ] }, a field at a time without recursion.
    const ld = (field: number): number => field * 8 + 2;
    const w = protobuf.Writer.create();
    w.uint32(ld(1)).fork().uint32(ld(1)).string('k').uint32(ld(2)).fork(); // Struct.fields entry, its Value
    const depth = 25000; // within maxNodeBytes
    for (let i = 0; i < depth; i++) w.uint32(ld(6)).fork().uint32(ld(1)).fork(); // Value.list_value, ListValue.values
    for (let i = 0; i < 2 * depth + 2; i++) w.ldelim();
    const metadata = w.finish();
    const node = protobuf.Writer.create().uint32(ld(1)).string('deep').uint32(ld(3)).bytes(metadata).finish();
    const request = protobuf.Writer.create().uint32(ld(2)).bytes(node).uint32(ld(4)).string(CLUSTER_TYPE_URL).finish();
    const stream = h.client.sotw();
    stream.send(Buffer.from(request) as unknown as Message);
    await expectRefused(stream, grpc.status.INVALID_ARGUMENT,
      'node.metadata is nested more than 16 levels deep; the limit is 16 (--max-metadata-depth)', 'maxMetadataDepth');
    expect(authorized).toEqual([]);
  });

  test('a first request that is not a well-formed message is refused as such', async () => {
    await start({});
    const stream = h.client.sotw();
    stream.send(Buffer.from([0x12, 0x7f, 0x0a]) as unknown as Message); // node: 127 bytes announced, 1 present
    const status = await stream.status();
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toMatch(/^the request could not be decoded: /);
    await h.recorder.waitFor((e) => e.hook === 'refused' && e.refusal.cause === 'malformedRequest');
  });
});

describe('maxResourceNamesPerRequest', () => {
  test('SotW: resource_names of a first and of a later request', async () => {
    await start({ maxResourceNamesPerRequest: 3 });
    const first = h.client.sotw();
    first.send(sotwRequest(CLUSTER_TYPE_URL, ['a', 'b', 'c', 'd'], { node: { id: 'n1' } }));
    await expectRefused(first, grpc.status.INVALID_ARGUMENT,
      'the request names 4 resources; the limit is 3 (--max-resource-names-per-request)', 'maxResourceNamesPerRequest');
    expect(authorized).toEqual([]);

    const later = h.client.sotw();
    later.send(sotwRequest(CLUSTER_TYPE_URL, ['c1', 'b', 'c'], { node: { id: 'n2' } }));
    await later.next();
    later.send(sotwRequest(CLUSTER_TYPE_URL, ['c1', 'b', 'c', 'd']));
    expect(await later.status()).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    const close = await h.recorder.waitFor((e) => e.hook === 'close');
    expect(close).toMatchObject({ stream: { nodeId: 'n2' }, close: { code: grpc.status.INVALID_ARGUMENT } });
    const refused = h.recorder.of('refused');
    expect(refused.map((e) => e.refusal.nodeId)).toEqual(['n1', 'n2']);
    expect(refused[1].refusal.streamId).toBe(close.hook === 'close' ? close.stream.streamId : -1);
  });

  test('delta: subscribe, unsubscribe and initial_resource_versions together', async () => {
    await start({ maxResourceNamesPerRequest: 3 });
    const stream = h.client.delta();
    stream.send(deltaRequest(CLUSTER_TYPE_URL, { node: { id: 'n1' }, subscribe: ['a', 'b'], unsubscribe: ['c'], initial: { d: 'v1' } }));
    await expectRefused(stream, grpc.status.INVALID_ARGUMENT,
      'the request names 4 resources; the limit is 3 (--max-resource-names-per-request)', 'maxResourceNamesPerRequest');
    const fits = h.client.delta();
    fits.send(deltaRequest(CLUSTER_TYPE_URL, { node: { id: 'n2' }, subscribe: ['c1', 'b'], initial: { d: 'v1' } }));
    expect((await fits.next()).resources).toHaveLength(1);
  });
});

describe('streams', () => {
  test('maxStreamsPerConnection: one connection is refused more, another is not, and a closed stream frees its place', async () => {
    await start({ maxStreamsPerConnection: 2 });
    const a1 = await served(h.client, 'a1');
    await served(h.client, 'a2');
    const a3 = h.client.sotw();
    a3.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'a3' } }));
    await expectRefused(a3, grpc.status.RESOURCE_EXHAUSTED,
      'this connection has 2 streams; the limit is 2 (--max-streams-per-connection)', 'maxStreamsPerConnection');
    await served(connect(), 'b1');
    a1.close();
    await h.recorder.waitFor((e) => e.hook === 'close' && e.stream.nodeId === 'a1');
    await served(h.client, 'a4');
    expect(authorized).toEqual(['a1', 'a2', 'b1', 'a4']);
    expect(h.server.stats()).toMatchObject({ trackedStreams: 3, trackedConnections: 2 });
  });

  test('on a Unix socket, where grpc-js cannot tell connections apart, streams are not counted per connection', async () => {
    await start({}); // for afterEach; this test has a server of its own
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xds-unix-'));
    const server = new XdsServer({ groupOf: () => 'all', limits: { maxStreamsPerConnection: 1 } });
    server.setResources('all', CLUSTER_TYPE_URL, [edsCluster('c1')]);
    await server.listen(`unix:${path.join(dir, 'xds.sock')}`);
    const clients = [new AdsTestClient(`unix:${path.join(dir, 'xds.sock')}`), new AdsTestClient(`unix:${path.join(dir, 'xds.sock')}`)];
    try {
      for (const [i, client] of clients.entries()) await served(client, `u${i}`);
      expect(server.stats()).toMatchObject({ trackedStreams: 2, trackedConnections: 0 });
    } finally {
      for (const c of clients) c.close();
      await server.shutdown(0);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('maxStreams counts every connection', async () => {
    await start({ maxStreams: 2 });
    await served(h.client, 'a');
    const other = connect();
    await served(other, 'b');
    const third = connect().sotw();
    third.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'c' } }));
    await expectRefused(third, grpc.status.RESOURCE_EXHAUSTED, 'the server holds 2 streams; the limit is 2 (--max-streams)', 'maxStreams');
    other.close();
    await untilTracked(1);
    await served(connect(), 'd');
  });

  test('refused and closed streams leave nothing tracked', async () => {
    await start({ maxStreamsPerConnection: 1, maxNodeIdLength: 5 });
    await served(h.client, 'ok');
    const overConnection = h.client.sotw();
    overConnection.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'ok2' } }));
    const longId = connect().sotw();
    longId.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'too-long' } }));
    connect().delta(); // a stream that never sends anything
    expect((await overConnection.status()).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect((await longId.status()).code).toBe(grpc.status.INVALID_ARGUMENT);
    h.client.close();
    for (const c of extraClients.splice(0)) c.close();
    await untilTracked(0);
    expect(h.server.stats()).toMatchObject({ trackedStreams: 0, trackedConnections: 0, openStreams: 0 });
    expect(h.server.connectedGroups()).toEqual([]);
  });
});

