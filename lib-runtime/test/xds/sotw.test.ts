/**
 * State-of-the-World ADS against the real server on loopback, one test (or describe block) per
 * rule of docs/xds-rules.md that a server can be held to.
 *
 * Covered elsewhere: X10/X11 (NACK) in nack.test.ts, X18 fan-out and encode-once in
 * fanout.test.ts, X25 in delta.test.ts, X24 and X26–X30 end to end with a real grpc-js-xds
 * client in grpc-js-xds.test.ts.
 * Client-only / content items: X26–X30 are properties of the resources the translator produces
 * (api_listener shape, domains, EDS clusters, locality weights, weighted_clusters sums); the server
 * serves whatever valid resources it is given, so here they are exercised only by the end-to-end
 * test with resources that satisfy them. X24's "keeps working from cache" is client behaviour.
 */
import * as grpc from '@grpc/grpc-js';
import { ackOf, AdsTestClient, type Message, namesIn, sotwRequest, type TestStream } from './ads-test-client';
import { apiListener, assignment, edsCluster, routeConfig, secret } from './fixtures';
import { HookRecorder } from './hook-recorder';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL, SECRET_TYPE_URL } from '../../src/xds/type-urls';
import { XdsServer } from '../../src/xds/xds-server';
import { shareNodeParts } from '../../src/xds/xds-stream';

const NODE = { id: 'node-a', cluster: 'frontend', locality: {} };
const GROUP = 'node-a';

let server: XdsServer;
let recorder: HookRecorder;
let client: AdsTestClient;
let port: number;

async function startServer(options: ConstructorParameters<typeof XdsServer>[0] = {}): Promise<void> {
  recorder = new HookRecorder();
  server = new XdsServer({ pushDebounceMs: 0, hooks: recorder.hooks, ...options });
  port = await server.listen();
  client = new AdsTestClient(port);
}

function setBase(group = GROUP): void {
  server.setSnapshot(group, {
    [CLUSTER_TYPE_URL]: [edsCluster('c1'), edsCluster('c2')],
    [ENDPOINT_TYPE_URL]: [assignment('c1', [1001]), assignment('c2', [1002])],
    [LISTENER_TYPE_URL]: [apiListener('l1', 'r1')],
    [ROUTE_TYPE_URL]: [routeConfig('r1', 'l1', [{ name: 'c1', weight: 1 }])],
  });
}

/** Send a request and wait until the server has handled it (and written whatever it answers). */
async function sendHandled(stream: TestStream, request: Message): Promise<void> {
  const before = recorder.requestCount;
  stream.send(request);
  await recorder.requestsHandled(before + 1);
}

/** Receive the next response and ACK it with `names`. */
async function receiveAndAck(stream: TestStream, names: string[]): Promise<Message> {
  const response = await stream.next();
  await sendHandled(stream, ackOf(response, names));
  return response;
}

/** Assert that handling `request` produces no response at all. */
async function expectNoResponseTo(stream: TestStream, request: Message): Promise<void> {
  const before = server.stats().responses;
  await sendHandled(stream, request);
  expect(server.stats().responses).toBe(before);
}

/** Apply a change and push it now, returning the number of responses the push wrote. */
function pushNow(change: () => void): number {
  const before = server.stats().responses;
  change();
  server.flush();
  return server.stats().responses - before;
}

beforeEach(async () => {
  await startServer();
});

afterEach(async () => {
  client.close();
  await server.shutdown(500);
});

describe('stream and handshake', () => {
  test('X01: StreamAggregatedResources serves a wildcard CDS request', async () => {
    setBase();
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE }));
    const response = await stream.next();
    expect(response.type_url).toBe(CLUSTER_TYPE_URL);
    expect(namesIn(response).sort()).toEqual(['c1', 'c2']);
  });

  test('X02: a request with an empty type_url ends the stream with INVALID_ARGUMENT', async () => {
    setBase();
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE }));
    await stream.next();
    stream.send(sotwRequest('', []));
    const status = await stream.status();
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toMatch(/type_url/);
  });

  test('X02: a first request without a node ends the stream with INVALID_ARGUMENT', async () => {
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, []));
    const status = await stream.status();
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toMatch(/node/);
  });

  test('X03: the node comes from the first request; later requests without it (or with another) change nothing', async () => {
    setBase();
    server.setResources('someone-else', CLUSTER_TYPE_URL, [edsCluster('foreign')]);
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE }));
    await receiveAndAck(stream, []);
    // no node on this one, a different node on the next: the stream stays node-a's
    stream.send(sotwRequest(ENDPOINT_TYPE_URL, ['c1']));
    const eds = await stream.next();
    expect(namesIn(eds)).toEqual(['c1']);
    stream.send({ ...ackOf(eds, ['c1', 'c2']), node: { id: 'someone-else', locality: {} } });
    const eds2 = await stream.next();
    expect(namesIn(eds2)).toEqual(['c2']);
    expect(server.status().streams.map((s) => s.nodeId)).toEqual(['node-a']);
    expect(recorder.of('open').map((e) => e.stream.node.cluster)).toEqual(['frontend']);
  });

  test('X04: an unknown type URL is ignored (no answer) and the stream keeps working', async () => {
    setBase();
    const stream = client.sotw();
    const unknown = 'type.googleapis.com/envoy.service.runtime.v3.Runtime';
    stream.send(sotwRequest(unknown, ['rt'], { node: NODE }));
    await recorder.waitFor((e) => e.hook === 'request' && e.request.kind === 'unknown-type' && e.request.typeUrl === unknown);
    expect(server.stats().responses).toBe(0);
    stream.send(sotwRequest(CLUSTER_TYPE_URL, []));
    const response = await stream.next();
    expect(response.type_url).toBe(CLUSTER_TYPE_URL);
    expect(stream.hasEnded).toBe(false);
  });
});

describe('response shape', () => {
  test('X05: every resource is an Any of the response type and decodes as that message, for all five types', async () => {
    setBase();
    server.setResources(GROUP, SECRET_TYPE_URL, [secret('s1')]);
    const stream = client.sotw();
    const wanted: Array<[string, string[], string]> = [
      [CLUSTER_TYPE_URL, [], 'c1'],
      [ENDPOINT_TYPE_URL, ['c1', 'c2'], 'c1'],
      [LISTENER_TYPE_URL, [], 'l1'],
      [ROUTE_TYPE_URL, ['r1'], 'r1'],
      [SECRET_TYPE_URL, ['s1'], 's1'],
    ];
    const byType = new Map<string, Message>();
    let first = true;
    for (const [typeUrl, names, expectedName] of wanted) {
      stream.send(sotwRequest(typeUrl, names, first ? { node: NODE } : {}));
      first = false;
      const response = await receiveAndAck(stream, names);
      byType.set(typeUrl, response);
      expect(response.type_url).toBe(typeUrl);
      expect(response.resources.length).toBeGreaterThan(0);
      for (const resource of response.resources) expect(resource['@type']).toBe(typeUrl);
      expect(namesIn(response)).toContain(expectedName);
    }
    // fields decode all the way down, through the Any-packed connection manager
    const listener = byType.get(LISTENER_TYPE_URL)!.resources[0];
    expect(listener.api_listener.api_listener['@type']).toMatch(/HttpConnectionManager$/);
    expect(listener.api_listener.api_listener.rds.route_config_name).toBe('r1');
    expect(byType.get(ENDPOINT_TYPE_URL)!.resources[0].endpoints[0].load_balancing_weight.value).toBe(1);
    expect(byType.get(SECRET_TYPE_URL)!.resources[0].tls_certificate.certificate_chain.inline_string).toBe('not-a-real-certificate');
  });

  test('X06: every response has a non-empty version_info and a nonce unique within the stream', async () => {
    setBase();
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE }));
    const nonces = new Set<string>();
    const responses: Message[] = [];
    responses.push(await receiveAndAck(stream, []));
    for (let i = 0; i < 4; i++) {
      server.setResources(GROUP, CLUSTER_TYPE_URL, [edsCluster('c1'), edsCluster('c2', { connect_timeout: { seconds: String(i + 2), nanos: 0 } })]);
      server.flush();
      responses.push(await receiveAndAck(stream, []));
    }
    for (const r of responses) {
      expect(r.version_info).not.toBe('');
      expect(r.nonce).not.toBe('');
      nonces.add(r.nonce);
    }
    expect(nonces.size).toBe(responses.length);
  });

  test('X07: a duplicate name is refused when set, so no response can hold a name twice', async () => {
    expect(() => server.setResources(GROUP, CLUSTER_TYPE_URL, [edsCluster('c1'), edsCluster('c1')])).toThrow(/duplicate Cluster name "c1"/);
    setBase();
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, ['c1', 'c1', 'c2'], { node: NODE }));
    const response = await stream.next();
    expect(namesIn(response).sort()).toEqual(['c1', 'c2']);
  });

  test('X08: SotW CDS and LDS responses always hold the complete subscribed set', async () => {
    setBase();
    server.setResources(GROUP, LISTENER_TYPE_URL, [apiListener('l1', 'r1'), apiListener('l2', 'r1'), apiListener('l3', 'r1')]);
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE }));
    await receiveAndAck(stream, []);
    stream.send(sotwRequest(LISTENER_TYPE_URL, ['l1', 'l3']));
    expect(namesIn(await receiveAndAck(stream, ['l1', 'l3'])).sort()).toEqual(['l1', 'l3']);

    // change only c2 and only l3: both responses still carry everything subscribed
    pushNow(() => server.setSnapshot(GROUP, {
      [CLUSTER_TYPE_URL]: [edsCluster('c1'), edsCluster('c2', { lb_policy: 'RING_HASH' })],
      [LISTENER_TYPE_URL]: [apiListener('l1', 'r1'), apiListener('l2', 'r1'), apiListener('l3', 'r2')],
    }));
    const cds = await receiveAndAck(stream, []);
    expect(cds.type_url).toBe(CLUSTER_TYPE_URL);
    expect(namesIn(cds).sort()).toEqual(['c1', 'c2']);
    // the endpoints of the changed cluster are not subscribed on this stream: next comes LDS
    const lds = await receiveAndAck(stream, ['l1', 'l3']);
    expect(lds.type_url).toBe(LISTENER_TYPE_URL);
    expect(namesIn(lds).sort()).toEqual(['l1', 'l3']);
  });
});

describe('ACK', () => {
  test('X09: a pure ACK with nothing changed produces no response', async () => {
    setBase();
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE }));
    const response = await stream.next();
    await expectNoResponseTo(stream, ackOf(response, []));
    // and a repeated identical request (same nonce) is no reason to answer either
    await expectNoResponseTo(stream, ackOf(response, []));
    expect(recorder.of('ack')).toHaveLength(2);
  });

  test('X12: a request echoing a stale nonce is ignored', async () => {
    setBase();
    const stream = client.sotw();
    stream.send(sotwRequest(ENDPOINT_TYPE_URL, ['c1'], { node: NODE }));
    const first = await receiveAndAck(stream, ['c1']);
    pushNow(() => server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('c1', [2001]), assignment('c2', [1002])]));
    const second = await stream.next();
    expect(second.nonce).not.toBe(first.nonce);
    // a late request carrying the old nonce and a new name: superseded, so not answered
    await expectNoResponseTo(stream, sotwRequest(ENDPOINT_TYPE_URL, ['c1', 'c2'], { nonce: first.nonce, version: first.version_info }));
    expect(recorder.of('request').at(-1)!.request.kind).toBe('stale');
    // its name change was ignored too: the ACK of the current nonce with the old names changes nothing
    await expectNoResponseTo(stream, ackOf(second, ['c1']));
  });
});

describe('subscriptions', () => {
  test('X13: named RDS/EDS subscriptions return only the named, existing resources', async () => {
    setBase();
    server.setResources(GROUP, ROUTE_TYPE_URL, [routeConfig('r1', 'l1', [{ name: 'c1', weight: 1 }]), routeConfig('r2', 'l2', [{ name: 'c2', weight: 1 }])]);
    const stream = client.sotw();
    stream.send(sotwRequest(ROUTE_TYPE_URL, ['r2', 'missing'], { node: NODE }));
    expect(namesIn(await receiveAndAck(stream, ['r2', 'missing']))).toEqual(['r2']);
    stream.send(sotwRequest(ENDPOINT_TYPE_URL, ['c1']));
    expect(namesIn(await stream.next())).toEqual(['c1']);
  });

  test('X14: a name added in a new request (same version) is sent, and only it', async () => {
    setBase();
    const stream = client.sotw();
    stream.send(sotwRequest(ENDPOINT_TYPE_URL, ['c1'], { node: NODE }));
    const first = await stream.next();
    stream.send(ackOf(first, ['c1', 'c2']));
    const second = await stream.next();
    expect(second.version_info).toBe(first.version_info);
    expect(namesIn(second)).toEqual(['c2']);
  });

  test('X15: a name no longer subscribed receives no further updates', async () => {
    setBase();
    const stream = client.sotw();
    stream.send(sotwRequest(ENDPOINT_TYPE_URL, ['c1', 'c2'], { node: NODE }));
    const first = await stream.next();
    await sendHandled(stream, ackOf(first, ['c1']));
    expect(pushNow(() => server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('c1', [1001]), assignment('c2', [3002])]))).toBe(0);
    pushNow(() => server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('c1', [3001]), assignment('c2', [3003])]));
    expect(namesIn(await stream.next())).toEqual(['c1']);
  });

  test('X16: legacy wildcard and explicit * return everything; after names were used an empty list means nothing', async () => {
    setBase();
    const legacy = client.sotw();
    legacy.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE }));
    expect(namesIn(await receiveAndAck(legacy, [])).sort()).toEqual(['c1', 'c2']);
    // legacy wildcard survives empty ACKs: a new cluster is pushed
    pushNow(() => server.setResources(GROUP, CLUSTER_TYPE_URL, [edsCluster('c1'), edsCluster('c2'), edsCluster('c3')]));
    expect(namesIn(await receiveAndAck(legacy, [])).sort()).toEqual(['c1', 'c2', 'c3']);

    const explicit = client.sotw();
    explicit.send(sotwRequest(LISTENER_TYPE_URL, ['*'], { node: { ...NODE, id: 'node-b' } }));
    server.setResources('node-b', LISTENER_TYPE_URL, [apiListener('x', 'r'), apiListener('y', 'r')]);
    server.flush();
    const all = await explicit.next();
    expect(namesIn(all).sort()).toEqual(['x', 'y']);
    // named, then an empty list: nothing, and later changes are not pushed
    await sendHandled(explicit, ackOf(all, ['x']));
    const named = await explicit.next();
    expect(namesIn(named)).toEqual(['x']);
    await expectNoResponseTo(explicit, ackOf(named, []));
    expect(pushNow(() => server.setResources('node-b', LISTENER_TYPE_URL, [apiListener('x', 'r2'), apiListener('y', 'r2')]))).toBe(0);
  });

  test('X17: a subscribed name that does not exist yet is pushed once it appears, without a new request', async () => {
    setBase();
    const stream = client.sotw();
    stream.send(sotwRequest(ENDPOINT_TYPE_URL, ['later'], { node: NODE }));
    await recorder.requestsHandled(1);
    expect(server.stats().responses).toBe(0);
    pushNow(() => server.setResources(GROUP, ENDPOINT_TYPE_URL, [assignment('c1', [1001]), assignment('later', [4001])]));
    const response = await stream.next();
    expect(namesIn(response)).toEqual(['later']);
  });
});

describe('updates and ordering', () => {
  test('X18: a change reaches every affected stream of the group, and only those', async () => {
    client.close();
    await server.shutdown(500);
    // 25 streams on the one connection of the test client: above the default per-connection limit.
    await startServer({ groupOf: (node) => String(node.cluster), limits: { maxStreamsPerConnection: 25 } });
    setBase('frontend');
    setBase('backend');
    const open = async (cluster: string, i: number): Promise<TestStream> => {
      const s = client.sotw();
      s.send(sotwRequest(ENDPOINT_TYPE_URL, ['c1'], { node: { id: `${cluster}-${i}`, cluster, locality: {} } }));
      await receiveAndAck(s, ['c1']);
      return s;
    };
    const frontend = await Promise.all(Array.from({ length: 20 }, (_, i) => open('frontend', i)));
    const backend = await Promise.all(Array.from({ length: 5 }, (_, i) => open('backend', i)));
    expect(pushNow(() => server.setResources('frontend', ENDPOINT_TYPE_URL, [assignment('c1', [5001]), assignment('c2', [1002])]))).toBe(20);
    for (const s of frontend) {
      const r = await s.next();
      expect(r.resources[0].endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value).toBe(5001);
    }
    expect(backend.every((s) => s.pending === 0)).toBe(true);
    expect(recorder.of('push').at(-1)!.push).toMatchObject({ groups: ['frontend'], streams: 20, responses: 20 });
  });

  test('X19: a type version changes only when that type changes', async () => {
    setBase();
    const versions = (): Record<string, string> => server.status().versions[GROUP];
    const before = versions();
    // identical content: no change, no push
    expect(server.setSnapshot(GROUP, {
      [CLUSTER_TYPE_URL]: [edsCluster('c1'), edsCluster('c2')],
      [ENDPOINT_TYPE_URL]: [assignment('c1', [1001]), assignment('c2', [1002])],
    })).toBe(false);
    expect(versions()).toEqual(before);
    // a listener change moves only the listener version
    expect(server.setResources(GROUP, LISTENER_TYPE_URL, [apiListener('l1', 'r9')])).toBe(true);
    const after = versions();
    expect(after.Listener).not.toBe(before.Listener);
    expect({ ...after, Listener: '' }).toEqual({ ...before, Listener: '' });

    // on the wire: a stream on CDS sees no new CDS version (no response at all)
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE }));
    const cds = await receiveAndAck(stream, []);
    expect(pushNow(() => server.setResources(GROUP, LISTENER_TYPE_URL, [apiListener('l1', 'r8')]))).toBe(0);
    expect(pushNow(() => server.setResources(GROUP, CLUSTER_TYPE_URL, [edsCluster('c1'), edsCluster('c2', { lb_policy: 'RING_HASH' })]))).toBe(1);
    const cds2 = await stream.next();
    expect(cds2.version_info).not.toBe(cds.version_info);
  });
});

describe('make-before-break (X20) and warming (X21)', () => {
  /** A stream that holds CDS (wildcard), EDS c1+c2, LDS (wildcard) and RDS r1, all ACKed. */
  async function fullyConfiguredStream(): Promise<TestStream> {
    setBase();
    const stream = client.sotw();
    // like Envoy: clusters first; ACK them, then subscribe to their endpoints; listeners only
    // once the clusters are initialized
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE }));
    const cds = await stream.next();
    expect(cds.type_url).toBe(CLUSTER_TYPE_URL);
    stream.send(ackOf(cds, []));
    stream.send(sotwRequest(ENDPOINT_TYPE_URL, ['c1', 'c2']));
    const eds = await receiveAndAck(stream, ['c1', 'c2']);
    expect(eds.type_url).toBe(ENDPOINT_TYPE_URL);
    stream.send(sotwRequest(LISTENER_TYPE_URL, []));
    const lds = await stream.next();
    expect(lds.type_url).toBe(LISTENER_TYPE_URL);
    stream.send(ackOf(lds, []));
    stream.send(sotwRequest(ROUTE_TYPE_URL, ['r1']));
    const rds = await receiveAndAck(stream, ['r1']);
    expect(rds.type_url).toBe(ROUTE_TYPE_URL);
    return stream;
  }

  test('X20: on addition, clusters then their endpoints are sent and ACKed before the listener and route that use them', async () => {
    const stream = await fullyConfiguredStream();
    const from = recorder.events.length;
    server.setSnapshot(GROUP, {
      [ROUTE_TYPE_URL]: [routeConfig('r1', 'l1', [{ name: 'c1', weight: 1 }]), routeConfig('r3', 'l3', [{ name: 'c3', weight: 1 }])],
      [LISTENER_TYPE_URL]: [apiListener('l1', 'r1'), apiListener('l3', 'r3')],
      [ENDPOINT_TYPE_URL]: [assignment('c1', [1001]), assignment('c2', [1002]), assignment('c3', [1003])],
      [CLUSTER_TYPE_URL]: [edsCluster('c1'), edsCluster('c2'), edsCluster('c3')],
    });
    server.flush();
    const cds = await stream.next();
    expect(cds.type_url).toBe(CLUSTER_TYPE_URL);
    expect(namesIn(cds).sort()).toEqual(['c1', 'c2', 'c3']);
    // ACK the clusters: the listener is held until the endpoints of c3 are asked for and sent
    await sendHandled(stream, ackOf(cds, []));
    expect(stream.pending).toBe(0);
    expect(server.status().streams[0].types.every((t) => !t.awaitingAck)).toBe(true);
    stream.send(sotwRequest(ENDPOINT_TYPE_URL, ['c1', 'c2', 'c3'], { nonce: '', version: '' }));
    const eds = await receiveAndAck(stream, ['c1', 'c2', 'c3']);
    expect(eds.type_url).toBe(ENDPOINT_TYPE_URL);
    expect(namesIn(eds)).toEqual(['c3']);
    const lds = await stream.next();
    expect(lds.type_url).toBe(LISTENER_TYPE_URL);
    expect(namesIn(lds).sort()).toEqual(['l1', 'l3']);
    stream.send(ackOf(lds, []));
    stream.send(sotwRequest(ROUTE_TYPE_URL, ['r1', 'r3'], { nonce: '' }));
    const rds = await receiveAndAck(stream, ['r1', 'r3']);
    expect(namesIn(rds)).toEqual(['r3']);
    // the server-side order of responses and ACKs
    const order = recorder.events.slice(from)
      .filter((e) => e.hook === 'response' || e.hook === 'ack')
      .map((e) => `${e.hook}:${(e.hook === 'response' ? e.response.typeUrl : (e as any).ack.typeUrl).split('.').pop()}`);
    expect(order).toEqual([
      'response:Cluster', 'ack:Cluster',
      'response:ClusterLoadAssignment', 'ack:ClusterLoadAssignment',
      'response:Listener', 'ack:Listener',
      'response:RouteConfiguration', 'ack:RouteConfiguration',
    ]);
  });

  test('X20: on removal, the route lets go of the cluster before the cluster goes', async () => {
    const stream = await fullyConfiguredStream();
    server.setSnapshot(GROUP, {
      [CLUSTER_TYPE_URL]: [edsCluster('c2')],
      [ENDPOINT_TYPE_URL]: [assignment('c2', [1002])],
      [ROUTE_TYPE_URL]: [routeConfig('r1', 'l1', [{ name: 'c2', weight: 1 }])],
    });
    server.flush();
    const rds = await receiveAndAck(stream, ['r1']);
    expect(rds.type_url).toBe(ROUTE_TYPE_URL);
    const cds = await receiveAndAck(stream, []);
    expect(cds.type_url).toBe(CLUSTER_TYPE_URL);
    expect(namesIn(cds)).toEqual(['c2']);
  });

  test('X20: added and removed clusters in one change: first a response with both, the removal last', async () => {
    const stream = await fullyConfiguredStream();
    server.setSnapshot(GROUP, {
      [CLUSTER_TYPE_URL]: [edsCluster('c2'), edsCluster('c4')],
      [ENDPOINT_TYPE_URL]: [assignment('c2', [1002]), assignment('c4', [1004])],
      [ROUTE_TYPE_URL]: [routeConfig('r1', 'l1', [{ name: 'c4', weight: 1 }])],
    });
    server.flush();
    const keep = await stream.next();
    expect(namesIn(keep).sort()).toEqual(['c1', 'c2', 'c4']);
    stream.send(ackOf(keep, []));
    stream.send(sotwRequest(ENDPOINT_TYPE_URL, ['c1', 'c2', 'c4']));
    expect(namesIn(await receiveAndAck(stream, ['c1', 'c2', 'c4']))).toEqual(['c4']);
    expect((await receiveAndAck(stream, ['r1'])).type_url).toBe(ROUTE_TYPE_URL);
    const final = await receiveAndAck(stream, []);
    expect(final.type_url).toBe(CLUSTER_TYPE_URL);
    expect(namesIn(final).sort()).toEqual(['c2', 'c4']);
    expect(final.version_info).toBe(server.version(GROUP, CLUSTER_TYPE_URL));
    expect(keep.version_info).not.toBe(final.version_info);
  });

  test('X20: the hold on listeners is bounded for a client that never asks for the endpoints', async () => {
    client.close();
    await server.shutdown(500);
    await startServer({ endpointHoldMs: 50 });
    setBase();
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE }));
    stream.send(sotwRequest(ENDPOINT_TYPE_URL, ['c1']));
    stream.send(sotwRequest(LISTENER_TYPE_URL, []));
    await receiveAndAck(stream, []);
    await receiveAndAck(stream, ['c1']);
    // c2's endpoints exist but are never asked for: the listener still comes, after the hold
    expect((await stream.next()).type_url).toBe(LISTENER_TYPE_URL);
  });

  test('X21: after a cluster changes, its endpoints are sent again even though they did not change', async () => {
    const stream = await fullyConfiguredStream();
    const edsVersion = server.version(GROUP, ENDPOINT_TYPE_URL);
    pushNow(() => server.setResources(GROUP, CLUSTER_TYPE_URL, [edsCluster('c1', { lb_policy: 'RING_HASH' }), edsCluster('c2')]));
    await receiveAndAck(stream, []);
    const eds = await receiveAndAck(stream, ['c1', 'c2']);
    expect(eds.type_url).toBe(ENDPOINT_TYPE_URL);
    expect(namesIn(eds)).toEqual(['c1']);
    expect(eds.version_info).toBe(edsVersion);
  });

  test('X22: a deleted cluster or listener is simply missing from the next full-state response', async () => {
    setBase();
    const stream = client.sotw();
    stream.send(sotwRequest(LISTENER_TYPE_URL, [], { node: NODE }));
    await receiveAndAck(stream, []);
    pushNow(() => server.setResources(GROUP, LISTENER_TYPE_URL, []));
    const lds = await stream.next();
    expect(lds.resources ?? []).toEqual([]);
    expect(lds.version_info).toBe(server.version(GROUP, LISTENER_TYPE_URL));
  });
});

describe('reconnect', () => {
  test('X23: a new stream presenting the current version and the same names receives full state', async () => {
    setBase();
    const first = client.sotw();
    first.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE }));
    const cds = await receiveAndAck(first, []);
    first.close();
    const second = client.sotw();
    second.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE, version: cds.version_info }));
    const again = await second.next();
    expect(again.version_info).toBe(cds.version_info);
    expect(namesIn(again).sort()).toEqual(['c1', 'c2']);
  });

  test('X23/X24: versions are content hashes, so a restarted server presents the same versions', async () => {
    setBase();
    const before = server.status().versions[GROUP];
    client.close();
    await server.shutdown(500);
    await startServer();
    setBase();
    expect(server.status().versions[GROUP]).toEqual(before);
  });

  test('shutdown ends open streams with OK so clients reconnect', async () => {
    setBase();
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE }));
    await stream.next();
    const closing = server.shutdown(500);
    expect((await stream.status()).code).toBe(grpc.status.OK);
    await closing;
    expect(recorder.of('close')).toHaveLength(1);
  });
});

describe('authentication hook', () => {
  test('sees the peer, the metadata and the claimed node, and may refuse the stream', async () => {
    client.close();
    await server.shutdown(500);
    const seen: Array<{ nodeId: string; peer: string; token: unknown; security: unknown }> = [];
    await startServer({
      authorize: async (request) => {
        seen.push({ nodeId: request.nodeId, peer: request.peer, token: request.metadata.get('authorization')[0], security: request.authContext.transportSecurityType });
        return request.metadata.get('authorization')[0] === `Bearer token-for-${request.nodeId}`
          ? true
          : { allowed: false, message: `bad token for ${request.nodeId}` };
      },
    });
    setBase();
    const good = new AdsTestClient(port, { authorization: 'Bearer token-for-node-a' });
    const bad = new AdsTestClient(port, { authorization: 'Bearer token-for-node-a' });
    try {
      const ok = good.sotw();
      ok.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE }));
      // requests sent while the (async) decision is pending are kept and served in order
      ok.send(sotwRequest(ENDPOINT_TYPE_URL, ['c1']));
      expect((await ok.next()).type_url).toBe(CLUSTER_TYPE_URL);

      const refused = bad.sotw();
      refused.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'node-z', locality: {} } }));
      const status = await refused.status();
      expect(status.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(status.details).toBe('bad token for node-z');
      expect(seen.map((s) => s.nodeId)).toEqual(['node-a', 'node-z']);
      expect(seen[0].peer).toMatch(/127\.0\.0\.1/);
      expect(seen[0].token).toBe('Bearer token-for-node-a');
      expect(recorder.of('open').map((e) => e.stream.nodeId)).toEqual(['node-a']);
    } finally {
      good.close();
      bad.close();
    }
  });
});

describe('state shared by the streams of a group', () => {
  // Streams that hold exactly the group's resources share the snapshot's map instead of copying
  // it; one stream's subscription change must never show in another stream or in the snapshot.
  test('one stream dropping and re-adding a name changes nothing for the others or for new streams', async () => {
    client.close();
    await server.shutdown(500);
    await startServer({ groupOf: (node) => String(node.cluster) });
    setBase('frontend');
    const last = new Map<string, Message>();
    const open = async (id: string): Promise<TestStream> => {
      const s = client.sotw();
      s.send(sotwRequest(ENDPOINT_TYPE_URL, ['c1', 'c2'], { node: { id, cluster: 'frontend', locality: {} } }));
      const response = await receiveAndAck(s, ['c1', 'c2']);
      expect(namesIn(response).sort()).toEqual(['c1', 'c2']);
      last.set(id, response);
      return s;
    };
    const a = await open('a');
    const b = await open('b');
    const held = (id: string): number => server.status().streams.find((s) => s.nodeId === id)!.types[0].resourceCount;
    expect([held('a'), held('b')]).toEqual([2, 2]);

    // a lets go of c2 (X15): it no longer holds it, b still does, and the group still has it
    await sendHandled(a, ackOf(last.get('a')!, ['c1']));
    expect([held('a'), held('b')]).toEqual([1, 2]);
    const c = await open('c');
    expect(held('c')).toBe(2);

    // a change of c2 reaches b and c only
    expect(pushNow(() => server.setResources('frontend', ENDPOINT_TYPE_URL, [assignment('c1', [1001]), assignment('c2', [6002])]))).toBe(2);
    for (const s of [b, c]) expect(namesIn(await receiveAndAck(s, ['c1', 'c2']))).toEqual(['c2']);
    expect(a.pending).toBe(0);

    // a names c2 again: it is sent to a (X14), and only to a
    a.send(ackOf(last.get('a')!, ['c1', 'c2']));
    const again = await receiveAndAck(a, ['c1', 'c2']);
    expect(namesIn(again)).toEqual(['c2']);
    expect(again.resources[0].endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value).toBe(6002);
    expect([held('a'), held('b'), held('c')]).toEqual([2, 2, 2]);
    expect(b.pending + c.pending).toBe(0);

    // and a later change of c1 goes to all three, as one changed resource each
    expect(pushNow(() => server.setResources('frontend', ENDPOINT_TYPE_URL, [assignment('c1', [6001]), assignment('c2', [6002])]))).toBe(3);
    for (const s of [a, b, c]) expect(namesIn(await s.next())).toEqual(['c1']);
  });
});

describe('status for the /clients view', () => {
  test('lists each stream with per-type subscriptions and versions sent and ACKed', async () => {
    setBase();
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE }));
    const cds = await receiveAndAck(stream, []);
    stream.send(sotwRequest(ENDPOINT_TYPE_URL, ['c1']));
    const eds = await stream.next();
    const status = server.status();
    expect(status.streams).toHaveLength(1);
    const s = status.streams[0];
    expect(s).toMatchObject({ nodeId: 'node-a', group: GROUP, protocol: 'sotw' });
    const byType = Object.fromEntries(s.types.map((t) => [t.typeUrl, t]));
    expect(byType[CLUSTER_TYPE_URL]).toMatchObject({
      wildcard: true, sentVersion: cds.version_info, ackedVersion: cds.version_info, awaitingAck: false, resourceCount: 2,
    });
    expect(byType[ENDPOINT_TYPE_URL]).toMatchObject({ wildcard: false, resourceNames: ['c1'], sentVersion: eds.version_info, sentNonce: eds.nonce, awaitingAck: true, resourceCount: 1 });
    expect(byType[ENDPOINT_TYPE_URL].ackedVersion).toBeUndefined();
  });
});

describe('nodes', () => {
  test('streams presenting equal large node parts (an Envoy build\'s extensions) share one frozen copy; status shows what each sent', async () => {
    setBase('node-a');
    setBase('node-b');
    setBase('node-c');
    const extensions = (build: string): object[] => Array.from({ length: 40 }, (_, i) => ({
      name: `envoy.filters.http.f${i}`, category: 'envoy.filters.http', type_urls: [`envoy.extensions.filters.http.f${i}.v3.F${build}`],
    }));
    const nodes = [
      { id: 'node-a', cluster: 'frontend', locality: { zone: 'z1' }, user_agent_name: 'envoy', extensions: extensions('1') },
      { id: 'node-b', cluster: 'frontend', locality: { zone: 'z1' }, user_agent_name: 'envoy', extensions: extensions('1') },
      { id: 'node-c', cluster: 'frontend', locality: { zone: 'z1' }, user_agent_name: 'envoy', extensions: extensions('2') },
    ];
    for (const node of nodes) {
      const stream = client.sotw();
      stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node }));
      await stream.next();
    }
    const byId = new Map(server.status().streams.map((s) => [s.nodeId, s.node as Record<string, unknown>]));
    for (const node of nodes) expect(byId.get(node.id)).toEqual(node);
    const [a, b, c] = nodes.map((n) => byId.get(n.id)!);
    expect(a.extensions).toBe(b.extensions);
    expect(Object.isFrozen(a.extensions)).toBe(true);
    expect(c.extensions).not.toBe(a.extensions);
    // small parts are not worth sharing
    expect(a.locality).not.toBe(b.locality);
  });

  test('only plain data is shared: a part whose JSON text could hide a difference keeps its own copy', () => {
    const big = (extra: object): Record<string, unknown> => ({ list: Array.from({ length: 80 }, (_, i) => `entry-${i}`), ...extra });
    const first = shareNodeParts({ id: 'x', metadata: big({}) }) as Record<string, unknown>;
    const same = shareNodeParts({ id: 'y', metadata: big({}) }) as Record<string, unknown>;
    expect(same.metadata).toBe(first.metadata);
    // undefined, NaN and -0 write as the plain values' JSON, and a byte array is not data to freeze
    for (const odd of [{ gone: undefined }, { n: Number.NaN }, { z: -0 }, { bytes: new Uint8Array(2) }]) {
      const node = shareNodeParts({ id: 'z', metadata: big(odd) }) as Record<string, unknown>;
      expect(node.metadata).not.toBe(first.metadata);
      expect(Object.isFrozen(node.metadata)).toBe(false);
    }
  });
});

describe('hooks', () => {
  test('onStreamOpen runs before the first request is handled: resources set there serve it at once', async () => {
    client.close();
    await server.shutdown(500);
    const rendered: string[] = [];
    await startServer({
      hooks: {
        onStreamOpen: (info) => {
          rendered.push(info.nodeId);
          server.setResources(info.group, CLUSTER_TYPE_URL, [edsCluster(`for-${info.nodeId}`)]);
        },
      },
    });
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE }));
    const response = await stream.next();
    expect(namesIn(response)).toEqual(['for-node-a']);
    expect(rendered).toEqual(['node-a']);
  });

  test('a hook that throws does not break the stream; an authorizer that throws refuses with INTERNAL', async () => {
    client.close();
    await server.shutdown(500);
    await startServer({
      hooks: { onRequest: () => { throw new Error('metrics broke'); }, onResponse: () => { throw new Error('metrics broke'); } },
      authorize: (request) => {
        if (request.nodeId === 'explode') throw new Error('policy store down');
        return true;
      },
    });
    setBase();
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: NODE }));
    expect(namesIn(await stream.next()).sort()).toEqual(['c1', 'c2']);
    const refused = client.sotw();
    refused.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'explode', locality: {} } }));
    const status = await refused.status();
    expect(status.code).toBe(grpc.status.INTERNAL);
    expect(status.details).toMatch(/policy store down/);
  });
});
