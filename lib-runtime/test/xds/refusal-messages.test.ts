/**
 * A refused client learns why, however long the node id it presented: status messages travel in
 * an HTTP/2 trailer, and one larger than the client's header limit never arrives (a ~100 KB node
 * id once left the client waiting on a dead stream). Ids and hook messages are abbreviated.
 */
import * as grpc from '@grpc/grpc-js';
import { sotwRequest } from './ads-test-client';
import { Harness } from './harness';
import { abbreviate } from '../../src/xds/abbreviate';
import { CLUSTER_TYPE_URL } from '../../src/xds/type-urls';

const LONG_ID = 'n'.repeat(102400);

let h: Harness | undefined;

afterEach(async () => {
  await h?.stop();
  h = undefined;
});

test('abbreviate keeps short text and cuts long text to its first characters and its length', () => {
  expect(abbreviate('mesh/apps/virtualNode/a')).toBe('mesh/apps/virtualNode/a');
  expect(abbreviate('x'.repeat(128))).toBe('x'.repeat(128));
  expect(abbreviate('x'.repeat(129))).toBe(`${'x'.repeat(128)}… (129 characters)`);
  // a surrogate pair is not split
  expect(abbreviate(`${'x'.repeat(127)}😀tail`)).toBe(`${'x'.repeat(127)}… (133 characters)`);
});

test('a refused ~100 KB node id receives its PERMISSION_DENIED, with the id abbreviated', async () => {
  const seen: string[] = [];
  h = await Harness.start({
    limits: { maxNodeIdLength: 200000 },
    authorize: ({ nodeId }) => {
      seen.push(nodeId);
      return false;
    },
  });
  const stream = h.client.sotw();
  stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: LONG_ID } }));
  const status = await stream.status();
  expect(status.code).toBe(grpc.status.PERMISSION_DENIED);
  expect(status.details).toBe(`node ${'n'.repeat(128)}… (102400 characters) is not allowed`);
  expect(seen).toEqual([LONG_ID]); // the hook decides on the whole id
});

test("the authorize hook's own message is cut to a size every client receives", async () => {
  h = await Harness.start({
    limits: { maxNodeIdLength: 200000 },
    authorize: ({ nodeId }) => ({ allowed: false, message: `unknown node ${nodeId}` }),
  });
  const stream = h.client.sotw();
  stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: LONG_ID } }));
  const status = await stream.status();
  expect(status.code).toBe(grpc.status.PERMISSION_DENIED);
  expect(status.details).toBe(`${`unknown node ${LONG_ID}`.slice(0, 1024)}… (102413 characters)`);
});

test('with the default limits a ~100 KB node id is refused before the authorize hook sees it', async () => {
  const seen: string[] = [];
  h = await Harness.start({
    authorize: ({ nodeId }) => {
      seen.push(nodeId);
      return true;
    },
  });
  const stream = h.client.sotw();
  stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: LONG_ID } }));
  const status = await stream.status();
  expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
  expect(status.details).toBe('node id is 102400 characters; the limit is 1024 (--max-node-id-length)');
  expect(seen).toEqual([]);
  const refused = await h.recorder.waitFor((e) => e.hook === 'refused');
  expect(refused).toMatchObject({
    refusal: { cause: 'maxNodeIdLength', code: grpc.status.INVALID_ARGUMENT, protocol: 'sotw', nodeId: `${'n'.repeat(128)}… (102400 characters)` },
  });
});
