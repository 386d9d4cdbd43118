/**
 * The proxyless view accepted by a real proxyless gRPC client (@grpc/grpc-js-xds): translate's
 * output for a node is served by the project's XdsServer on loopback, a client using that node id
 * dials xds:///<virtual-service-name>, every resource is ACKed (never NACKed), and RPCs follow the
 * mesh's routes: header match, weighted split (X26–X30), EDS and LOGICAL_DNS clusters.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import { agentCertificateProviders, issueNodeCertificate, openMeshCa } from './mesh-certificates';
import { meshDoc } from './spec-builder';
import { parseMeshSpec } from '../../../src/spec/canonical';
import { MeshSpecDocument } from '../../../src/spec/document';
import { writeCertificateFiles } from '../../src/agent/certificate-files';
import { compileMesh, DiscoveredEndpoints, EnvoyConfig, listNodeIds, translateNode } from '../../src/translate';
import { SERVER_LISTENER_NAME_TEMPLATE } from '../../src/translate/proxyless-server';
import type { XdsNackRecord } from '../../src/xds/events';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL } from '../../src/xds/type-urls';
import type { XdsServer } from '../../src/xds/xds-server';
import { JsonBackend } from '../cross-client/json-backend';
import { configSnapshot } from '../support/config-snapshot';
import { AckSeen, startLoopbackXdsServer } from '../support/loopback-xds-server';
import { xdsBootstrap } from '../support/xds-bootstrap';

grpcXds.register();
jest.setTimeout(30000);

/** Both greeter methods answer with the backend's name. */
const GREETER_METHODS = ['/helloworld.Greeter/SayHello', '/helloworld.Greeter/Other'];

const json = {
  serialize: (value: object): Buffer => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer): { backend: string } => JSON.parse(bytes.toString() || '{}'),
};

let certificateDir: string;
const v1 = new JsonBackend('v1', GREETER_METHODS, new Map());
const v2 = new JsonBackend('v2', GREETER_METHODS, new Map());
let xds: XdsServer;
let xdsPort: number;
const clients: grpc.Client[] = [];
let acks: AckSeen[];
let nacks: XdsNackRecord[];

beforeAll(async () => {
  // Every client's bootstrap defines the certificate provider a mesh CA (`acm`) policy refers to,
  // as a mesh application's does: gRPC refuses a cluster naming an instance its bootstrap lacks.
  certificateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-grpc-client-'));
  await writeCertificateFiles(certificateDir, await issueNodeCertificate(await openMeshCa(certificateDir, 'grpc-client.test'), 'm', 'client'));
  await v1.start();
  await v2.start();
  ({ xds, port: xdsPort, acks, nacks } = await startLoopbackXdsServer());
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

afterAll(async () => {
  await xds.shutdown(200);
  v1.stop();
  v2.stop();
  fs.rmSync(certificateDir, { recursive: true, force: true });
});

function serve(nodeId: string, view: EnvoyConfig): void {
  xds.setSnapshot(nodeId, configSnapshot(view));
}

/**
 * A channel with its own bootstrap. grpc-js-xds shares one xDS client per bootstrap; `cluster`
 * keeps the test groups apart, so channels of one node id in two tests do not share a client.
 */
function client(target: string, nodeId: string, cluster = 'default'): grpc.Client {
  const c = new grpc.Client(`xds:///${target}`, grpc.credentials.createInsecure(), {
    'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': xdsBootstrap(xdsPort, nodeId, { cluster, extra: { certificate_providers: agentCertificateProviders(certificateDir) } }),
  });
  clients.push(c);
  return c;
}

function call(c: grpc.Client, method: string, metadata: Record<string, string> = {}, deadlineMs = 10000): Promise<string> {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  return new Promise((resolve, reject) => {
    c.makeUnaryRequest(`/helloworld.Greeter/${method}`, json.serialize, json.deserialize, {}, md, { deadline: Date.now() + deadlineMs },
      (err: grpc.ServiceError | null, value?: { backend: string }) => (err ? reject(err) : resolve(value!.backend)));
  });
}

async function split(c: grpc.Client, method: string, n: number, metadata: Record<string, string> = {}): Promise<Record<string, number>> {
  const counts: Record<string, number> = { v1: 0, v2: 0 };
  for (let done = 0; done < n; done += 50) {
    for (const backend of await Promise.all(Array.from({ length: 50 }, () => call(c, method, metadata)))) counts[backend]++;
  }
  return counts;
}

function nacksOf(nodeId: string): XdsNackRecord[] {
  return nacks.filter(n => n.nodeId === nodeId);
}

async function waitForAcks(nodeId: string, typeUrls: string[], timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const missing = () => typeUrls.filter(t => !acks.some(a => a.nodeId === nodeId && a.typeUrl === t));
  while (missing().length > 0 && nacksOf(nodeId).length === 0) {
    if (Date.now() > deadline) throw new Error(`${nodeId}: no ACK for ${missing().join(', ')}`);
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

test('the gRPC fixture: weighted split and a metadata-matched route, all ACKed', async () => {
  const spec = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'grpc.json'), 'utf8')) as MeshSpecDocument;
  const nodeId = 'mesh/grpcmesh/virtualNode/client';
  const endpoints: DiscoveredEndpoints = {
    'greeter-v1': [{ address: '127.0.0.1', port: v1.port }],
    'greeter-v2': [{ address: '127.0.0.1', port: v2.port, zone: 'z2' }],
  };
  serve(nodeId, translateNode({ spec, endpoints, nodeId }).proxyless);
  const c = client('greeter.grpc.local', nodeId);
  await call(c, 'Other');
  // route "greeter": 75 / 25; 400 calls → v1 expected 300 ± 8.7 (1σ)
  const plain = await split(c, 'Other', 400);
  expect(Math.abs(plain.v1 - 300)).toBeLessThan(52);
  // route "say-hello" with x-canary: true: 20 / 80
  const canary = await split(c, 'SayHello', 400, { 'x-canary': 'true' });
  expect(Math.abs(canary.v2 - 320)).toBeLessThan(48);
  expect(nacksOf(nodeId)).toEqual([]);
});

test('a DNS-discovered node without supplied endpoints: LOGICAL_DNS cluster resolved by the client', async () => {
  const spec = meshDoc({
    nodes: {
      caller: { backends: [{ virtualService: { virtualServiceName: 'hello.local' } }] },
      dnsNode: { listeners: [{ portMapping: { port: v2.port, protocol: 'grpc' } }], serviceDiscovery: { dns: { hostname: 'localhost', ipPreference: 'IPv4_ONLY' } } },
    },
    services: { 'hello.local': { provider: { virtualNode: { virtualNodeName: 'dnsNode' } } } },
  });
  const nodeId = 'mesh/m/virtualNode/caller';
  const view = translateNode({ spec, nodeId }).proxyless;
  expect(view.clusters[0].type).toBe('LOGICAL_DNS');
  serve(nodeId, view);
  expect(await call(client('hello.local', nodeId), 'SayHello')).toBe('v2');
  expect(nacksOf(nodeId)).toEqual([]);
});

test('the canary fixture: serviceA reaches serviceb.apps.local split 75 / 25', async () => {
  const spec = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'canary.json'), 'utf8')) as MeshSpecDocument;
  const nodeId = 'mesh/apps/virtualNode/serviceA';
  const endpoints: DiscoveredEndpoints = {
    serviceB: [{ address: '127.0.0.1', port: v1.port }],
    serviceBv2: [{ address: '127.0.0.1', port: v2.port }],
  };
  serve(nodeId, translateNode({ spec, endpoints, nodeId }).proxyless);
  const counts = await split(client('serviceb.apps.local', nodeId), 'Other', 400);
  expect(Math.abs(counts.v1 - 300)).toBeLessThan(52);
  expect(nacksOf(nodeId)).toEqual([]);
});

describe('every proxyless view of every fixture is ACKed by grpc-js-xds', () => {
  const dir = path.join(__dirname, 'fixtures');
  const cases = fs.readdirSync(dir).filter(f => f.endsWith('.json')).sort().flatMap(file => {
    const spec = parseMeshSpec(fs.readFileSync(path.join(dir, file), 'utf8'));
    return listNodeIds(compileMesh(spec)).map(nodeId => [file, nodeId, spec] as const);
  });

  test.each(cases)('%s %s', async (_file, nodeId, spec) => {
    const endpoints: DiscoveredEndpoints = Object.fromEntries(spec.virtualNodes.map(n => [n.virtualNodeName, [{ address: '127.0.0.1', port: v1.port }]]));
    const view = translateNode({ spec, endpoints, nodeId }).proxyless;
    serve(nodeId, view);
    // A client channel asks only for its target's Listener; the server Listeners a node's own
    // xDS-enabled servers ask for are exercised in proxyless-server tests.
    const serverPrefix = SERVER_LISTENER_NAME_TEMPLATE.replace('%s', '');
    const targets = view.listeners.map(l => String(l.name)).filter(name => !name.startsWith(serverPrefix));
    // One call each starts name resolution; whether it succeeds depends on the fixture's routes,
    // so it is not awaited to its deadline: the ACKs are what this sweep checks.
    const calls = targets.map(target => call(client(target, nodeId, 'fixture-sweep'), 'Other', {}, 2000).catch(() => undefined));
    const types = [LISTENER_TYPE_URL];
    if (view.clusters.length > 0) types.push(CLUSTER_TYPE_URL);
    if (view.endpoints.length > 0) types.push(ENDPOINT_TYPE_URL);
    if (targets.length > 0) await waitForAcks(nodeId, types);
    await Promise.all(calls);
    expect(nacksOf(nodeId).map(n => n.message)).toEqual([]);
  });
});
