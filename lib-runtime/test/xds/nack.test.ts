/**
 * X10 and X11 with the raw client: a NACK is told apart by error_detail, recorded (node, type,
 * versions, nonce, message) and reported through the hook; the rejected version is not sent again;
 * a corrected version is sent and ACKed. (The same with a real grpc-js-xds client is in
 * grpc-js-xds.test.ts.)
 */
import { ackOf, deltaRequest, namesIn, sotwRequest } from './ads-test-client';
import { assignment } from './fixtures';
import { Harness } from './harness';
import { ENDPOINT_TYPE_URL } from '../../src/xds/type-urls';

const NODE = { id: 'node-n', locality: {} };
const GROUP = 'node-n';
let h: Harness;

beforeEach(async () => {
  h = await Harness.start();
  h.server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('a', [1]), assignment('b', [2])]);
});

afterEach(async () => {
  await h.stop();
});

test('X10: a NACK is recorded and reported, causes no resend, and a corrected version is sent and ACKed', async () => {
  const stream = h.client.sotw();
  stream.send(sotwRequest(ENDPOINT_TYPE_URL, ['a', 'b'], { node: NODE }));
  const good = await h.receiveAndAck(stream, ['a', 'b']);

  h.pushNow(() => h.server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('a', [10]), assignment('b', [2])]));
  const bad = await stream.next();
  expect(namesIn(bad)).toEqual(['a']);
  // the client rejects it and stays on the good version
  await h.expectNoResponseTo(stream, sotwRequest(ENDPOINT_TYPE_URL, ['a', 'b'], { nonce: bad.nonce, version: good.version_info, error: 'port 10 is not allowed' }));

  const [nackEvent] = h.recorder.of('nack');
  expect(nackEvent.nack).toMatchObject({
    nodeId: 'node-n',
    group: GROUP,
    typeUrl: ENDPOINT_TYPE_URL,
    rejectedVersion: bad.version_info,
    acceptedVersion: good.version_info,
    nonce: bad.nonce,
    message: 'port 10 is not allowed',
    code: 3,
  });
  expect(nackEvent.stream.nodeId).toBe('node-n');
  const status = h.server.status();
  expect(status.recentNacks).toEqual([nackEvent.nack]);
  const eds = status.streams[0].types[0];
  expect(eds).toMatchObject({ ackedVersion: good.version_info, sentVersion: bad.version_info, awaitingAck: false, lastNack: nackEvent.nack });

  // nothing changed: no push, however often asked; an identical re-set is not a change either
  expect(h.pushNow(() => h.server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('a', [10]), assignment('b', [2])]))).toBe(0);
  await h.expectNoResponseTo(stream, sotwRequest(ENDPOINT_TYPE_URL, ['a', 'b'], { nonce: bad.nonce, version: good.version_info, error: 'port 10 is not allowed' }));

  // corrected: sent and ACKed
  h.pushNow(() => h.server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('a', [11]), assignment('b', [2])]));
  const fixed = await h.receiveAndAck(stream, ['a', 'b']);
  expect(namesIn(fixed)).toEqual(['a']);
  expect(fixed.version_info).not.toBe(bad.version_info);
  expect(h.server.status().streams[0].types[0]).toMatchObject({ ackedVersion: fixed.version_info, awaitingAck: false });
  expect(h.recorder.of('response').filter((e) => e.response.version === bad.version_info)).toHaveLength(1);
});

test('X11: NACK means error_detail is set, whatever version_info says', async () => {
  const stream = h.client.sotw();
  stream.send(sotwRequest(ENDPOINT_TYPE_URL, ['a'], { node: NODE }));
  const first = await stream.next();
  // a client that echoes the new version in its NACK: still a NACK
  await h.sendHandled(stream, sotwRequest(ENDPOINT_TYPE_URL, ['a'], { nonce: first.nonce, version: first.version_info, error: 'rejected' }));
  expect(h.recorder.of('nack')).toHaveLength(1);
  expect(h.recorder.of('nack')[0].nack.acceptedVersion).toBe(first.version_info);

  h.pushNow(() => h.server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('a', [5]), assignment('b', [2])]));
  const second = await stream.next();
  // an ACK whose version_info differs from the one sent (e.g. empty): still an ACK
  await h.sendHandled(stream, sotwRequest(ENDPOINT_TYPE_URL, ['a'], { nonce: second.nonce, version: '' }));
  expect(h.recorder.of('ack')).toHaveLength(1);
  expect(h.recorder.of('ack')[0].ack).toMatchObject({ version: second.version_info, nonce: second.nonce });
  expect(h.recorder.of('nack')).toHaveLength(1);
  expect(ackOf(second, ['a']).error_detail).toBeUndefined();
});

test('X10 (delta): a NACK is recorded and the rejected resource versions are not sent again', async () => {
  const stream = h.client.delta();
  stream.send(deltaRequest(ENDPOINT_TYPE_URL, { node: NODE, subscribe: ['a', 'b'] }));
  const first = await stream.next();
  await h.sendHandled(stream, deltaRequest(ENDPOINT_TYPE_URL, { nonce: first.nonce }));
  h.pushNow(() => h.server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('a', [7]), assignment('b', [2])]));
  const bad = await stream.next();
  await h.expectNoResponseTo(stream, deltaRequest(ENDPOINT_TYPE_URL, { nonce: bad.nonce, error: 'no' }));
  const [nack] = h.recorder.of('nack');
  expect(nack.nack).toMatchObject({ typeUrl: ENDPOINT_TYPE_URL, nonce: bad.nonce, message: 'no', rejectedVersion: bad.system_version_info });
  expect(nack.stream.protocol).toBe('delta');
  // a later change of b sends b alone: a's rejected version is not pushed again
  h.pushNow(() => h.server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('a', [7]), assignment('b', [3])]));
  const next = await stream.next();
  expect(next.resources.map((r: { name: string }) => r.name)).toEqual(['b']);
});
