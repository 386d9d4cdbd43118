/**
 * simulate's answer for gRPC calls against what a real proxyless client does: the node's
 * translation is served by the project's XdsServer on loopback to @grpc/grpc-js-xds, whose
 * channel to xds:///<service> reaches one loopback backend per virtual node. For each call,
 * every backend that answers must be one simulate says is possible, and over a split the share
 * each backend gets must fit simulate's probability (binomial bound: |k − np| ≤ 4·√(np(1−p))).
 * gRPC C-core (python3-grpcio) checks the one place simulate says the clients differ.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import { sim } from './simulate-helpers';
import type { MeshSpecDocument } from '../../../src/spec/document';
import type { Simulation } from '../../src/simulate/simulation';
import { clientProfile, configForClient, DiscoveredEndpoints, EnvoyConfig, translateNode } from '../../src/translate';
import type { XdsNackRecord } from '../../src/xds/events';
import { LISTENER_TYPE_URL } from '../../src/xds/type-urls';
import type { XdsServer } from '../../src/xds/xds-server';
import { C_CORE, ClientWorker, describeCCore } from '../cross-client/client-worker';
import { JsonBackend } from '../cross-client/json-backend';
import { exampleSpec } from '../diff/example-assemblies';
import { expectBinomial } from '../support/binomial';
import { configSnapshot } from '../support/config-snapshot';
import { AckSeen, startLoopbackXdsServer } from '../support/loopback-xds-server';
import { writeXdsBootstrap, xdsBootstrap } from '../support/xds-bootstrap';
import { meshDoc } from '../translate/spec-builder';

grpcXds.register();
jest.setTimeout(60_000);

const METHODS = ['/store.Ratings/Get', '/store.Ratings/Submit', '/helloworld.Greeter/SayHello', '/helloworld.Greeter/Other'];
const serialize = (value: object): Buffer => Buffer.from(JSON.stringify(value));
const deserialize = (bytes: Buffer): { backend: string } => JSON.parse(bytes.toString() || '{}');

/** Virtual node name → the loopback backend standing for it. */
const backends = new Map<string, JsonBackend>();
let xds: XdsServer;
let xdsPort: number;
const clients: grpc.Client[] = [];
let acks: AckSeen[];
let nacks: XdsNackRecord[];

beforeAll(async () => {
  for (const name of ['ratings-v1', 'ratings-v2', 'v1', 'v2']) {
    const backend = new JsonBackend(name, METHODS, new Map());
    await backend.start();
    backends.set(name, backend);
  }
  ({ xds, port: xdsPort, acks, nacks } = await startLoopbackXdsServer());
});

afterAll(async () => {
  for (const c of clients) c.close();
  await xds.shutdown(200);
  for (const backend of backends.values()) backend.stop();
});

function endpointsFor(doc: MeshSpecDocument): DiscoveredEndpoints {
  return Object.fromEntries(doc.virtualNodes
    .filter(n => backends.has(n.virtualNodeName))
    .map(n => [n.virtualNodeName, [{ address: '127.0.0.1', port: backends.get(n.virtualNodeName)!.port }]]));
}

function serve(nodeId: string, view: EnvoyConfig): void {
  xds.setSnapshot(nodeId, configSnapshot(view));
}

/** Serves the node's proxyless view (the same translation simulate reads) and opens a channel to xds:///<service>. */
function channel(doc: MeshSpecDocument, nodeId: string, service: string): grpc.Client {
  serve(nodeId, translateNode({ spec: doc, nodeId, endpoints: endpointsFor(doc) }).proxyless);
  const client = new grpc.Client(`xds:///${service}`, grpc.credentials.createInsecure(), {
    'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': xdsBootstrap(xdsPort, nodeId, { cluster: `simulate-${service}` }),
  });
  clients.push(client);
  return client;
}

function call(client: grpc.Client, method: string, metadata: Record<string, string>): Promise<string> {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(method, serialize, deserialize, {}, md, { deadline: Date.now() + 10_000 },
      (err: grpc.ServiceError | null, value?: { backend: string }) => (err ? reject(err) : resolve(value!.backend)));
  });
}

async function observe(client: grpc.Client, method: string, metadata: Record<string, string>, n: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let done = 0; done < n; done += 50) {
    const batch = Math.min(50, n - done);
    for (const backend of await Promise.all(Array.from({ length: batch }, () => call(client, method, metadata)))) {
      counts.set(backend, (counts.get(backend) ?? 0) + 1);
    }
  }
  return counts;
}

/** Backend → simulate's probability, for the call `grpc xds:///<service> <method> -m …`. */
interface Prediction {
  readonly s: Simulation;
  readonly shares: Map<string, number>;
}

function predicted(doc: MeshSpecDocument, from: string, service: string, method: string, metadata: Record<string, string>): Prediction {
  const words = ['grpc', `xds:///${service}`, method.slice(1), ...Object.entries(metadata).flatMap(([k, v]) => ['-m', `${k}: ${v}`])];
  const s = sim(doc, from, words, endpointsFor(doc));
  expect(s.outcome).toBe('routed');
  return { s, shares: new Map(s.targets.filter(t => t.probability > 0).map(t => [t.virtualNode!, t.probability])) };
}

/** The observed counts fit the predicted shares: no backend outside them, each count within 4σ. */
function expectFits(counts: Map<string, number>, shares: Map<string, number>, n: number): void {
  for (const backend of counts.keys()) expect([...shares.keys()]).toContain(backend);
  for (const [backend, p] of shares) {
    const k = counts.get(backend) ?? 0;
    expectBinomial(k, n, p);
  }
}

describe('routing example: web calls ratings.store.local through grpc-js-xds', () => {
  const doc = exampleSpec('routing');
  const nodeId = 'mesh/store/virtualNode/web';
  let client: grpc.Client;
  beforeAll(() => { client = channel(doc, nodeId, 'ratings.store.local'); });

  test.each([
    ['Submit: the method match', '/store.Ratings/Submit', {}, 'ratings-write'],
    ['Get with x-user-group: canary: the metadata match', '/store.Ratings/Get', { 'x-user-group': 'canary' }, 'ratings-canary-users'],
  ])('%s', async (_title, method, metadata, route) => {
    const { s, shares } = predicted(doc, 'web', 'ratings.store.local', method, metadata);
    expect(s.hops[0].route).toBe(route);
    expectFits(await observe(client, method, metadata, 20), shares, 20);
  });

  test('Get otherwise: the 90/10 read split, observed over 400 calls', async () => {
    const { s, shares } = predicted(doc, 'web', 'ratings.store.local', '/store.Ratings/Get', { 'x-user-group': 'beta' });
    expect(s.hops[0].route).toBe('ratings-read');
    expect([...shares]).toEqual([['ratings-v1', 0.9], ['ratings-v2', 0.1]]);
    expectFits(await observe(client, '/store.Ratings/Get', { 'x-user-group': 'beta' }, 400), shares, 400);
  });
});

describe('edge cases: exact method, inverted and range metadata, a 70/30 split', () => {
  const grpcListener = { listeners: [{ portMapping: { port: 50051, protocol: 'grpc' as const } }] };
  const doc = meshDoc({
    nodes: {
      'client': { backends: [{ virtualService: { virtualServiceName: 'greeter.local' } }] },
      'client-ccore': { backends: [{ virtualService: { virtualServiceName: 'greeter.local' } }] },
      'v1': { ...grpcListener, serviceDiscovery: { dns: { hostname: 'v1.local' } } },
      'v2': { ...grpcListener, serviceDiscovery: { dns: { hostname: 'v2.local' } } },
    },
    services: { 'greeter.local': { provider: { virtualRouter: { virtualRouterName: 'r' } } } },
    routers: { r: grpcListener },
    routes: {
      'r/hello-canary': { priority: 10, grpcRoute: { match: { serviceName: 'helloworld.Greeter', methodName: 'SayHello', metadata: [{ name: 'x-canary', match: { exact: 'true' } }] }, action: { weightedTargets: [{ virtualNode: 'v2', weight: 1 }] } } },
      'r/not-beta': { priority: 20, grpcRoute: { match: { serviceName: 'helloworld.Greeter', metadata: [{ name: 'x-beta', invert: true, match: { exact: 'yes' } }] }, action: { weightedTargets: [{ virtualNode: 'v1', weight: 1 }] } } },
      'r/tier': { priority: 30, grpcRoute: { match: { serviceName: 'helloworld.Greeter', metadata: [{ name: 'x-tier', match: { range: { start: 1, end: 5 } } }] }, action: { weightedTargets: [{ virtualNode: 'v2', weight: 1 }] } } },
      'r/split': { priority: 40, grpcRoute: { match: { serviceName: 'helloworld.Greeter' }, action: { weightedTargets: [{ virtualNode: 'v1', weight: 70 }, { virtualNode: 'v2', weight: 30 }] } } },
    },
  });
  const nodeId = 'mesh/m/virtualNode/client';
  let client: grpc.Client;
  beforeAll(() => { client = channel(doc, nodeId, 'greeter.local'); });

  test.each([
    ['SayHello with x-canary: exact method and metadata', '/helloworld.Greeter/SayHello', { 'x-canary': 'true', 'x-beta': 'yes' }, 'hello-canary'],
    ['Other with x-canary: the method differs, so not-beta (x-beta absent, inverted: grpc-js matches)', '/helloworld.Greeter/Other', { 'x-canary': 'true' }, 'not-beta'],
    ['x-beta: no: the inverted matcher matches', '/helloworld.Greeter/Other', { 'x-beta': 'no' }, 'not-beta'],
    ['x-beta: yes and x-tier: 3: the range matches', '/helloworld.Greeter/Other', { 'x-beta': 'yes', 'x-tier': '3' }, 'tier'],
  ])('%s', async (_title, method, metadata, route) => {
    const { s, shares } = predicted(doc, 'client', 'greeter.local', method, metadata);
    expect(s.hops[0].route).toBe(route);
    expectFits(await observe(client, method, metadata, 20), shares, 20);
  });

  test('the absent inverted metadata is flagged as a grpc-js behaviour', () => {
    const { s } = predicted(doc, 'client', 'greeter.local', '/helloworld.Greeter/Other', {});
    expect(s.notes).toContain('x-beta is absent and the route\'s matcher on it is inverted: grpc-js matches, gRPC C-core and Envoy do not');
  });

  test('x-beta: yes and x-tier: 7 (out of range): the 70/30 split, observed over 400 calls', async () => {
    const metadata = { 'x-beta': 'yes', 'x-tier': '7' };
    const { s, shares } = predicted(doc, 'client', 'greeter.local', '/helloworld.Greeter/Other', metadata);
    expect(s.hops[0].routes.map(r => r.matched)).toEqual([false, false, false, true]);
    expect([...shares]).toEqual([['v1', 0.7], ['v2', 0.3]]);
    expectFits(await observe(client, '/helloworld.Greeter/Other', metadata, 400), shares, 400);
    expect(nacks).toEqual([]);
    expect(acks.some(a => a.nodeId === nodeId && a.typeUrl === LISTENER_TYPE_URL)).toBe(true);
  });

  // Skipped outside CI where C-core is missing; a failure under CI.
  describeCCore('gRPC C-core (python3-grpcio), where simulate says it differs from grpc-js', () => {
    const ccoreId = 'mesh/m/virtualNode/client-ccore';
    let dir: string;
    let worker: ClientWorker;

    beforeAll(async () => {
      // Served as the control plane serves C-core 1.51 (header matchers in their older fields).
      const choices = clientProfile({ user_agent_name: 'gRPC C-core linux', user_agent_version: '1.51.1' }).choices;
      serve(ccoreId, configForClient(translateNode({ spec: doc, nodeId: ccoreId, endpoints: endpointsFor(doc) }), choices));
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-simulate-ccore-'));
      worker = new ClientWorker(C_CORE, writeXdsBootstrap(dir, xdsPort, ccoreId));
      await worker.start();
    });

    afterAll(async () => {
      await worker?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    async function ccoreCounts(metadata: Record<string, string>, times: number): Promise<Map<string, number>> {
      const counts = new Map<string, number>();
      for (const outcome of await worker.calls('greeter.local', '/helloworld.Greeter/Other', { metadata, times })) {
        if (!outcome.reply) throw new Error(`C-core call failed: ${JSON.stringify(outcome.error)}; stderr: ${worker.stderr()}`);
        const backend = String(outcome.reply.backend);
        counts.set(backend, (counts.get(backend) ?? 0) + 1);
      }
      return counts;
    }

    test('where the clients agree (x-beta: no), C-core reaches only what simulate says', async () => {
      const { shares } = predicted(doc, 'client-ccore', 'greeter.local', '/helloworld.Greeter/Other', { 'x-beta': 'no' });
      expectFits(await ccoreCounts({ 'x-beta': 'no' }, 20), shares, 20);
    });

    test('x-beta absent under the inverted matcher: simulate answers for grpc-js and notes that C-core does not match; C-core takes the split', async () => {
      const { s, shares } = predicted(doc, 'client-ccore', 'greeter.local', '/helloworld.Greeter/Other', {});
      expect([s.hops[0].route, [...shares]]).toEqual(['not-beta', [['v1', 1]]]);
      expect(s.notes).toContain('x-beta is absent and the route\'s matcher on it is inverted: grpc-js matches, gRPC C-core and Envoy do not');
      // C-core skips not-beta and takes the 70/30 split: a reply from v2 shows it (not-beta sends
      // everything to v1; were C-core on the split, 40 replies all from v1 would have odds 0.7^40 ≈ 6·10⁻⁷).
      const counts = await ccoreCounts({}, 40);
      expect(counts.get('v2') ?? 0).toBeGreaterThan(0);
      expectFits(counts, new Map([['v1', 0.7], ['v2', 0.3]]), 40);
    });
  });
});

