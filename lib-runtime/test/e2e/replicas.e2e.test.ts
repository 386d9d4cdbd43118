/**
 * Two real control-plane processes (replicas) on one spec, and a client that moves from one to
 * the other, as a proxy does when its replica goes away (docs/replicas.md):
 *
 * - both serve the same resources under the same versions (versions are content hashes);
 * - a delta client that reconnects to the other replica with initial_resource_versions is sent
 *   nothing it already holds; a SotW client gets the full state again (X23), byte-identical,
 *   under the version_info it already has;
 * - while one replica has a new spec and the other not yet, a client moving to the late one is
 *   sent the older resources, and the newer ones as soon as that replica reads the change.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ControlPlaneProcess } from './support/control-plane-process';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL } from '../../src/xds/type-urls';
import { canarySpec } from '../support/file-control-plane';
import { AdsTestClient, deltaNamesIn, deltaRequest, type Message, sotwRequest, type TestStream } from '../xds/ads-test-client';

const NODE = { id: 'mesh/apps/virtualNode/serviceA', locality: {} };
/** In the order Envoy asks: clusters, endpoints, listeners, routes. */
const TYPES = [CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL];
const ENDPOINTS = {
  'serviceB-v1': [{ address: '127.0.0.1', port: 50051 }],
  'serviceB-v2': [{ address: '127.0.0.1', port: 50052 }],
};

type Versions = Record<string, Record<string, string>>;

/** A replica: the real program on `specFile`, plaintext on loopback. */
function replica(specFile: string, endpointsFile: string): ControlPlaneProcess {
  return new ControlPlaneProcess([
    '--spec', specFile, '--endpoints', `static:${endpointsFile}`,
    '--insecure-plaintext', '--bind', '127.0.0.1', '--xds-port', '0', '--admin-port', '0', '--log-level', 'debug',
  ]);
}

/** Subscribes to everything of every type (`*`), ACKs every response, and returns the versions held. */
async function fetchAllDelta(stream: TestStream, initial: Versions = {}): Promise<{ versions: Versions; responses: Message[] }> {
  const versions: Versions = {};
  for (const type of TYPES) versions[type] = { ...initial[type] };
  const responses: Message[] = [];
  TYPES.forEach((type, i) => stream.send(deltaRequest(type, {
    ...(i === 0 ? { node: NODE } : {}), subscribe: ['*'], ...(initial[type] ? { initial: initial[type] } : {}),
  })));
  await settle(stream, responses, versions);
  return { versions, responses };
}

/**
 * Takes responses until the server has answered a probe sent after everything else: a
 * subscription to a name that does not exist, which the server answers with removed_resources
 * alone. The stream is ordered, so any push the server meant to make arrived before that answer.
 */
async function settle(stream: TestStream, responses: Message[], versions: Versions): Promise<void> {
  const probe = `probe-${responses.length}-${Math.random().toString(36).slice(2)}`;
  stream.send(deltaRequest(CLUSTER_TYPE_URL, { subscribe: [probe] }));
  for (;;) {
    const response = await stream.next(10_000);
    stream.send(deltaRequest(response.type_url, { nonce: response.nonce }));
    if ((response.removed_resources ?? []).includes(probe)) {
      expect(deltaNamesIn(response)).toEqual([]);
      return;
    }
    responses.push(response);
    for (const r of response.resources ?? []) versions[response.type_url][r.name] = r.version;
    for (const name of response.removed_resources ?? []) delete versions[response.type_url][name];
  }
}

/** Takes (and ACKs) responses until `done` holds for those taken; returns them. */
async function receiveUntil(stream: TestStream, versions: Versions, done: (responses: Message[]) => boolean): Promise<Message[]> {
  const responses: Message[] = [];
  while (!done(responses)) {
    const response = await stream.next(10_000);
    stream.send(deltaRequest(response.type_url, { nonce: response.nonce }));
    responses.push(response);
    for (const r of response.resources ?? []) versions[response.type_url][r.name] = r.version;
    for (const name of response.removed_resources ?? []) delete versions[response.type_url][name];
  }
  return responses;
}

/** The canary split 75/25 and 0/100 as the routes carry it. */
const OLD_SPLIT = ['serviceB-v1=75', 'serviceB-v2=25'];
const NEW_SPLIT = ['serviceB-v1=0', 'serviceB-v2=100'];

/** Weighted targets (cluster=weight) in the route configurations among `responses`, e.g. 'serviceB-v1=75'. */
function weightsIn(responses: Message[]): string[] {
  const text = JSON.stringify(responses.filter((r) => r.type_url === ROUTE_TYPE_URL));
  const found = [...text.matchAll(/"name":"cds_egress_apps_(serviceB-v[12])_grpc_50051","weight":\{"value":(\d+)\}/g)];
  return [...new Set(found.map((m) => `${m[1]}=${m[2]}`))].sort();
}

/** Wildcard listeners and clusters over SotW (the full-state types); ACKs them. */
async function fetchFullStateSotw(stream: TestStream, held: Record<string, string> = {}): Promise<Message[]> {
  const responses: Message[] = [];
  [CLUSTER_TYPE_URL, LISTENER_TYPE_URL].forEach((type, i) => stream.send(sotwRequest(type, [], {
    ...(i === 0 ? { node: NODE } : {}), version: held[type] ?? '',
  })));
  while (responses.length < 2) {
    const response = await stream.next(10_000);
    if (response.type_url !== CLUSTER_TYPE_URL && response.type_url !== LISTENER_TYPE_URL) continue;
    stream.send(sotwRequest(response.type_url, [], { nonce: response.nonce, version: response.version_info }));
    responses.push(response);
  }
  return responses.sort((a, b) => a.type_url.localeCompare(b.type_url));
}

describe('two replicas on one spec file', () => {
  let dir: string;
  let a: ControlPlaneProcess;
  let b: ControlPlaneProcess;
  const clients: AdsTestClient[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-replicas-'));
    fs.writeFileSync(path.join(dir, 'spec.json'), canarySpec(75));
    fs.writeFileSync(path.join(dir, 'endpoints.json'), JSON.stringify(ENDPOINTS));
    a = replica(path.join(dir, 'spec.json'), path.join(dir, 'endpoints.json'));
    b = replica(path.join(dir, 'spec.json'), path.join(dir, 'endpoints.json'));
    await Promise.all([a.start(60_000), b.start(60_000)]);
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all([a?.kill(), b?.kill()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function connect(to: ControlPlaneProcess): AdsTestClient {
    const client = new AdsTestClient(to.xdsPort);
    clients.push(client);
    return client;
  }

  test('both serve the same resources under the same versions', async () => {
    const fromA = await fetchAllDelta(connect(a).delta());
    const fromB = await fetchAllDelta(connect(b).delta());
    expect(Object.keys(fromA.versions[CLUSTER_TYPE_URL]).length).toBeGreaterThan(0);
    expect(Object.keys(fromA.versions[ROUTE_TYPE_URL]).length).toBeGreaterThan(0);
    expect(fromB.versions).toEqual(fromA.versions);
    // The same bytes, not only the same labels.
    const resources = (responses: Message[]) => responses.flatMap((r) => r.resources).sort((x, y) => x.name.localeCompare(y.name));
    expect(JSON.stringify(resources(fromB.responses))).toBe(JSON.stringify(resources(fromA.responses)));
    expect(weightsIn(fromA.responses)).toEqual(expect.arrayContaining(OLD_SPLIT));
  }, 30_000);

  test('a delta client moving from A to B with initial_resource_versions is sent nothing it holds', async () => {
    const onA = connect(a).delta();
    const held = (await fetchAllDelta(onA)).versions;
    onA.close();
    const onB = connect(b).delta();
    const moved = await fetchAllDelta(onB, held);
    // Nothing before the probe's answer: no resource pushed again, none removed.
    expect(moved.responses).toEqual([]);
    expect(moved.versions).toEqual(held);
    // B has the client among its connected clients (it was served by nothing but the probe).
    const clientsOfB = JSON.stringify(await b.adminJson('/clients'));
    expect(clientsOfB).toContain(NODE.id);
  }, 30_000);

  test('a SotW client moving from A to B gets the same full state again, under the version_info it holds (X23)', async () => {
    const onA = connect(a).sotw();
    const fromA = await fetchFullStateSotw(onA);
    onA.close();
    const held = Object.fromEntries(fromA.map((r) => [r.type_url, r.version_info]));
    const fromB = await fetchFullStateSotw(connect(b).sotw(), held);
    // A reconnecting SotW client is always served (version_info cannot prove what it holds),
    // and what it is served is what it has: same version, same resources, so it changes nothing.
    expect(fromB.map((r) => r.version_info)).toEqual(fromA.map((r) => r.version_info));
    expect(JSON.stringify(fromB.map((r) => r.resources))).toBe(JSON.stringify(fromA.map((r) => r.resources)));
  }, 30_000);
});

describe('a spec change that replica A has and replica B not yet', () => {
  let dir: string;
  let a: ControlPlaneProcess;
  let b: ControlPlaneProcess;
  const clients: AdsTestClient[] = [];

  beforeAll(async () => {
    // One source seen at two moments: each replica watches its own copy, written at different
    // times, as two replicas polling S3 or AppConfig read a new version at different times.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-replicas-lag-'));
    for (const r of ['a', 'b']) {
      fs.mkdirSync(path.join(dir, r));
      fs.writeFileSync(path.join(dir, r, 'spec.json'), canarySpec(75));
    }
    fs.writeFileSync(path.join(dir, 'endpoints.json'), JSON.stringify(ENDPOINTS));
    a = replica(path.join(dir, 'a', 'spec.json'), path.join(dir, 'endpoints.json'));
    b = replica(path.join(dir, 'b', 'spec.json'), path.join(dir, 'endpoints.json'));
    await Promise.all([a.start(60_000), b.start(60_000)]);
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all([a?.kill(), b?.kill()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the client on the late replica gets the older routes back, then the newer ones once B reads the change', async () => {
    const clientA = new AdsTestClient(a.xdsPort);
    const clientB = new AdsTestClient(b.xdsPort);
    clients.push(clientA, clientB);
    const onA = clientA.delta();
    const before = await fetchAllDelta(onA);
    const original: Versions = structuredClone(before.versions);

    // A reads the new spec (a canary step to 0/100) and pushes it.
    const loaded = a.logs.filter((l) => l.msg === 'spec loaded').length;
    fs.writeFileSync(path.join(dir, 'a', 'spec.json'), canarySpec(0));
    await a.waitForLog((l) => l.msg === 'spec loaded', 10_000, loaded);
    const held = before.versions;
    const pushed = await receiveUntil(onA, held, (responses) => weightsIn(responses).includes(NEW_SPLIT[0]));
    await settle(onA, pushed, held);
    expect(weightsIn(pushed)).toEqual(expect.arrayContaining(NEW_SPLIT));
    expect(weightsIn(pushed)).not.toContain(OLD_SPLIT[0]);
    const changedRoutes = Object.keys(held[ROUTE_TYPE_URL]).filter((name) => held[ROUTE_TYPE_URL][name] !== original[ROUTE_TYPE_URL][name]);
    onA.close();

    // The client moves to B, which still serves the old spec: B sends the routes whose versions
    // differ, i.e. the old weights. For this while the client is back on the older configuration.
    const onB = clientB.delta();
    const moved = await fetchAllDelta(onB, held);
    expect(weightsIn(moved.responses)).toEqual(expect.arrayContaining(OLD_SPLIT));
    expect(moved.versions).toEqual(original);
    // Only what differs between the two specs was sent: the route configurations the weights are in.
    expect(moved.responses.every((r) => r.type_url === ROUTE_TYPE_URL)).toBe(true);
    expect(moved.responses.flatMap((r) => deltaNamesIn(r)).sort()).toEqual(changedRoutes.sort());

    // B reads the change (file watch: a debounce of 100 ms; the stat fallback checks every second)
    // and pushes the new routes to the client: from then on A and B agree again.
    const written = Date.now();
    fs.writeFileSync(path.join(dir, 'b', 'spec.json'), canarySpec(0));
    const versionsOnB = moved.versions;
    const converged = await receiveUntil(onB, versionsOnB, (responses) => weightsIn(responses).includes(NEW_SPLIT[0]));
    const convergedMs = Date.now() - written;
    await settle(onB, converged, versionsOnB);
    expect(weightsIn(converged)).toEqual(expect.arrayContaining(NEW_SPLIT));
    expect(versionsOnB).toEqual(held);
    // The bound for a watched file: the debounce, or the next stat (1 s), plus a render and push.
    expect(convergedMs).toBeLessThan(3_000);
  }, 60_000);
});
