/**
 * The proxyless view accepted by a real proxyless gRPC client (@grpc/grpc-js-xds): translate's
 * output for a node is served by the project's XdsServer on loopback, a client using that node id
 * dials xds:///<virtual-service-name>, every resource is ACKed (never NACKed), and RPCs follow the
 * mesh's routes: header match, weighted split (X26–X30), EDS and LOGICAL_DNS clusters.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import { meshDoc } from './spec-builder';
import { MeshSpecDocument } from '../../../src/spec/document';
import { DiscoveredEndpoints, EnvoyConfig, translateNode } from '../../src/translate';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL } from '../../src/xds/type-urls';
import { XdsServer } from '../../src/xds/xds-server';

grpcXds.register();
jest.setTimeout(30000);

const json = {
  serialize: (value: object): Buffer => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer): { backend: string } => JSON.parse(bytes.toString() || '{}'),
};

interface Backend { readonly name: string; readonly port: number; readonly server: grpc.Server }

/** A loopback gRPC server answering any method with its own name. */
async function startBackend(name: string): Promise<Backend> {
  const server = new grpc.Server();
  const reply = (_call: unknown, callback: grpc.sendUnaryData<object>): void => callback(null, { backend: name });
  const method = (methodPath: string) => ({
    path: methodPath,
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  });
  server.addService({ SayHello: method('/helloworld.Greeter/SayHello'), Other: method('/helloworld.Greeter/Other') }, { SayHello: reply, Other: reply });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return { name, port, server };
}

let v1: Backend;
let v2: Backend;
let xds: XdsServer;
let xdsPort: number;
const clients: grpc.Client[] = [];

beforeAll(async () => {
  v1 = await startBackend('v1');
  v2 = await startBackend('v2');
  xds = new XdsServer({ pushDebounceMs: 1 });
  xdsPort = await xds.listen('127.0.0.1:0');
});

afterAll(async () => {
  for (const c of clients) c.close();
  await xds.shutdown(200);
  v1.server.forceShutdown();
  v2.server.forceShutdown();
});

function serve(nodeId: string, view: EnvoyConfig): void {
  xds.setSnapshot(nodeId, {
    [LISTENER_TYPE_URL]: view.listeners,
    [ROUTE_TYPE_URL]: view.routes,
    [CLUSTER_TYPE_URL]: view.clusters,
    [ENDPOINT_TYPE_URL]: view.endpoints,
  });
}

function client(target: string, nodeId: string): grpc.Client {
  const c = new grpc.Client(`xds:///${target}`, grpc.credentials.createInsecure(), {
    'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': JSON.stringify({
      xds_servers: [{ server_uri: `127.0.0.1:${xdsPort}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
      node: { id: nodeId, locality: {} },
    }),
  });
  clients.push(c);
  return c;
}

function call(c: grpc.Client, method: string, metadata: Record<string, string> = {}): Promise<string> {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  return new Promise((resolve, reject) => {
    c.makeUnaryRequest(`/helloworld.Greeter/${method}`, json.serialize, json.deserialize, {}, md, { deadline: Date.now() + 10000 },
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

function nacksOf(nodeId: string): unknown[] {
  return xds.status().recentNacks.filter(n => n.nodeId === nodeId);
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
