/**
 * End to end with a real proxyless gRPC client (@grpc/grpc-js-xds 1.14.1, SotW ADS): the client
 * resolves xds:///echo through listener → route → cluster → endpoints served by XdsServer and
 * calls loopback gRPC backends. Also: a NACKed update (X10 with a real client), the weighted
 * split (X30) and a control-plane restart (X24).
 *
 * Each channel gets its own bootstrap through the test-only channel option, so the process-wide
 * bootstrap cache of grpc-js-xds plays no part.
 */
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import { apiListener, assignment, edsCluster, routeConfig } from './fixtures';
import { type HookEvent, HookRecorder } from './hook-recorder';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL } from '../../src/xds/type-urls';
import { XdsServer } from '../../src/xds/xds-server';
import { JsonBackend } from '../cross-client/json-backend';
import { xdsBootstrap } from '../support/xds-bootstrap';

grpcXds.register();
jest.setTimeout(30000);

const HOST = 'echo';
const NODE_ID = 'grpc-client-1';
const WHO = '/test.Echo/Who';
const json = {
  serialize: (value: object): Buffer => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer): any => JSON.parse(bytes.toString() || '{}'),
};

let backends: JsonBackend[];
let xds: XdsServer;
let xdsPort: number;
let recorder: HookRecorder;
const channels: grpc.Client[] = [];

function newXdsServer(): XdsServer {
  recorder = new HookRecorder();
  return new XdsServer({ pushDebounceMs: 5, hooks: recorder.hooks });
}

/** The whole config for the client: listener echo → route echo-route → clusters be1, be2. */
function serve(server: XdsServer, split: Array<{ name: string; weight: number }>): void {
  server.setSnapshot(NODE_ID, {
    [LISTENER_TYPE_URL]: [apiListener(HOST, 'echo-route')],
    [ROUTE_TYPE_URL]: [routeConfig('echo-route', HOST, split)],
    [CLUSTER_TYPE_URL]: backends.map((b) => edsCluster(b.name)),
    [ENDPOINT_TYPE_URL]: backends.map((b) => assignment(b.name, [b.port])),
  });
}

function newClient(): grpc.Client {
  const client = new grpc.Client(`xds:///${HOST}`, grpc.credentials.createInsecure(), {
    'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': xdsBootstrap(xdsPort, NODE_ID),
  });
  channels.push(client);
  return client;
}

function who(client: grpc.Client, timeoutMs = 10000): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(WHO, json.serialize, json.deserialize, {}, { deadline: Date.now() + timeoutMs },
      (err: grpc.ServiceError | null, value?: { backend: string }) => (err ? reject(err) : resolve(value!.backend)));
  });
}

/** Wait for an ACK of `typeUrl` at `version` from the client. */
async function ackOf(typeUrl: string, version: string | undefined): Promise<HookEvent> {
  return recorder.waitFor((e) => e.hook === 'ack' && e.ack.typeUrl === typeUrl && e.ack.version === version, 10000);
}

/**
 * Wait until the client ACKed a response of `typeUrl` that carried `name`, sent after event
 * index `from`: by then the client has applied it.
 */
async function ackedWith(typeUrl: string, name: string, from: number): Promise<void> {
  const sent = await recorder.waitFor((e) => e.hook === 'response' && e.response.typeUrl === typeUrl && e.response.resourceNames.includes(name), 10000, from);
  const nonce = (sent as Extract<HookEvent, { hook: 'response' }>).response.nonce;
  await recorder.waitFor((e) => e.hook === 'ack' && e.ack.nonce === nonce, 10000, from);
}

beforeAll(async () => {
  backends = [new JsonBackend('be1', [WHO], new Map()), new JsonBackend('be2', [WHO], new Map())];
  for (const b of backends) await b.start();
});

afterAll(async () => {
  for (const b of backends) b.stop();
});

beforeEach(async () => {
  xds = newXdsServer();
  xdsPort = await xds.listen();
});

afterEach(async () => {
  for (const c of channels.splice(0)) c.close();
  await xds.shutdown(500);
});

test('resolves xds:///echo through listener → route → cluster → endpoints and completes an RPC', async () => {
  serve(xds, [{ name: 'be1', weight: 1 }]);
  const client = newClient();
  expect(await who(client)).toBe('be1');
  // the client asked for, received and ACKed every link of the chain, by name
  for (const typeUrl of [LISTENER_TYPE_URL, ROUTE_TYPE_URL, CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL]) {
    await recorder.waitFor((e) => e.hook === 'ack' && e.ack.typeUrl === typeUrl, 10000);
  }
  const requested = new Map(recorder.of('request').map((e) => [e.request.typeUrl, e.request.resourceNames]));
  expect(requested.get(LISTENER_TYPE_URL)).toEqual([HOST]);
  expect(requested.get(ROUTE_TYPE_URL)).toEqual(['echo-route']);
  expect(requested.get(CLUSTER_TYPE_URL)).toEqual(['be1']);
  expect(requested.get(ENDPOINT_TYPE_URL)).toEqual(['be1']);
  expect(recorder.of('nack')).toEqual([]);
  expect(recorder.of('open')[0].stream.nodeId).toBe(NODE_ID);
});

test('a NACKed update leaves the client on the last good version, is recorded and reported, and is not re-sent', async () => {
  serve(xds, [{ name: 'be1', weight: 1 }]);
  const client = newClient();
  expect(await who(client)).toBe('be1');
  const goodRoutes = xds.version(NODE_ID, ROUTE_TYPE_URL);
  await ackOf(ROUTE_TYPE_URL, goodRoutes);
  await ackOf(ENDPOINT_TYPE_URL, xds.version(NODE_ID, ENDPOINT_TYPE_URL));

  // weights that sum to 0: valid protobuf, rejected by the client
  serve(xds, [{ name: 'be1', weight: 0 }, { name: 'be2', weight: 0 }]);
  const badRoutes = xds.version(NODE_ID, ROUTE_TYPE_URL);
  const nackEvent = await recorder.waitFor((e) => e.hook === 'nack', 10000);
  const nack = (nackEvent as Extract<HookEvent, { hook: 'nack' }>).nack;
  expect(nack).toMatchObject({ nodeId: NODE_ID, typeUrl: ROUTE_TYPE_URL, rejectedVersion: badRoutes, acceptedVersion: goodRoutes });
  expect(nack.message).toMatch(/weight/i);
  expect(nack.nonce).not.toBe('');
  expect(nack.latencyMs).toBeGreaterThanOrEqual(0);

  // still served by the last good routes
  for (let i = 0; i < 5; i++) expect(await who(client)).toBe('be1');
  const routes = xds.status().streams[0].types.find((t) => t.typeUrl === ROUTE_TYPE_URL)!;
  expect(routes).toMatchObject({ ackedVersion: goodRoutes, sentVersion: badRoutes, awaitingAck: false });
  expect(routes.lastNack).toEqual(nack);
  expect(xds.status().recentNacks).toEqual([nack]);
  const routeResponses = (): number => recorder.of('response').filter((e) => e.response.typeUrl === ROUTE_TYPE_URL).length;
  const afterNack = routeResponses();

  // a corrected version is sent and ACKed; the bad one was never sent again
  const from = recorder.events.length;
  serve(xds, [{ name: 'be2', weight: 1 }]);
  const fixed = xds.version(NODE_ID, ROUTE_TYPE_URL);
  await ackOf(ROUTE_TYPE_URL, fixed);
  await ackedWith(ENDPOINT_TYPE_URL, 'be2', from);
  expect(routeResponses()).toBe(afterNack + 1);
  expect(recorder.of('response').filter((e) => e.response.version === badRoutes && e.response.typeUrl === ROUTE_TYPE_URL)).toHaveLength(1);
  expect(await who(client)).toBe('be2');
  expect(recorder.of('nack')).toHaveLength(1);
});

test('X30: a 3:1 weighted split is honoured within binomial tolerance', async () => {
  serve(xds, [{ name: 'be1', weight: 3 }, { name: 'be2', weight: 1 }]);
  const client = newClient();
  await who(client);
  const n = 400;
  const counts: Record<string, number> = { be1: 0, be2: 0 };
  for (let batch = 0; batch < n / 50; batch++) {
    for (const backend of await Promise.all(Array.from({ length: 50 }, () => who(client)))) counts[backend]++;
  }
  // expected 300 ± 8.7 (1σ); 6σ keeps this test from ever flaking while still catching a wrong split
  expect(Math.abs(counts.be1 - 300)).toBeLessThan(52);
  expect(counts.be1 + counts.be2).toBe(n);
});

test('X24: the client keeps working while the control plane is down and converges after it restarts', async () => {
  serve(xds, [{ name: 'be1', weight: 1 }]);
  const client = newClient();
  expect(await who(client)).toBe('be1');
  await xds.shutdown(500);
  expect(await who(client)).toBe('be1');

  // a new server on the same port with a changed config
  xds = newXdsServer();
  serve(xds, [{ name: 'be2', weight: 1 }]);
  await xds.listen(`127.0.0.1:${xdsPort}`);
  await recorder.waitFor((e) => e.hook === 'open', 20000);
  await ackOf(ROUTE_TYPE_URL, xds.version(NODE_ID, ROUTE_TYPE_URL));
  await ackedWith(ENDPOINT_TYPE_URL, 'be2', 0);
  // the reconnecting client presented the versions it had (content hashes, the same for listeners)
  const listenerRequest = recorder.of('request').find((e) => e.request.typeUrl === LISTENER_TYPE_URL)!;
  expect(listenerRequest.request.versionInfo).toBe(xds.version(NODE_ID, LISTENER_TYPE_URL));
  expect(await who(client)).toBe('be2');
}, 30000);

