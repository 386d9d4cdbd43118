/**
 * Mesh mTLS for proxyless gRPC clients, end to end on loopback: a real @grpc/grpc-js-xds client
 * whose bootstrap maps certificate provider `default` to gRPC's file_watcher on the files the
 * agent writes (issued here by the project's mesh CA), the proxyless view of a spec with an `acm`
 * (mesh CA) client policy served by the project's xDS server, and plain grpc-js TLS servers that
 * require a client certificate of the mesh CA.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import { agentCertificateProviders, issueNodeCertificate, openMeshCa } from './mesh-certificates';
import { meshDoc } from './spec-builder';
import { writeCertificateFiles } from '../../src/agent/certificate-files';
import { HeldCertificate } from '../../src/agent/held-certificate';
import { MeshCa } from '../../src/identity/ca';
import { translateNode } from '../../src/translate';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL } from '../../src/xds/type-urls';
import { configSnapshot } from '../support/config-snapshot';
import { LoopbackXdsServer, startLoopbackXdsServer } from '../support/loopback-xds-server';
import { addSpiffeGreeter, callGreeter } from '../support/spiffe-greeter';
import { xdsBootstrap } from '../support/xds-bootstrap';

grpcXds.register();
jest.setTimeout(30000);

const TRUST_DOMAIN = 'grpc-mtls.test';
const CLIENT_NODE = 'mesh/m/virtualNode/client';

/** client → svc → virtual node `greeter` (grpc 50051, STRICT with an ACM certificate); the client's policy trusts the mesh CA. */
const spec = meshDoc({
  nodes: {
    client: {
      backends: [{ virtualService: { virtualServiceName: 'svc' } }],
      backendDefaults: { clientPolicy: { tls: { validation: { trust: { acm: { certificateAuthorityArns: ['arn:aws:acm-pca:eu-west-1:1:certificate-authority/x'] } } } } } },
    },
    greeter: {
      listeners: [{ portMapping: { port: 50051, protocol: 'grpc' }, tls: { mode: 'STRICT', certificate: { acm: { certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/y' } } } }],
    },
  },
  services: { svc: { provider: { virtualNode: { virtualNodeName: 'greeter' } } } },
});

interface Backend { readonly port: number; readonly server: grpc.Server; readonly callers: string[] }

/** A grpc-js TLS server with `certificate`, requiring a client certificate of the mesh CA; answers with the caller's SPIFFE ID. */
async function startBackend(certificate: HeldCertificate): Promise<Backend> {
  const callers: string[] = [];
  const server = new grpc.Server();
  addSpiffeGreeter(server, callers);
  const credentials = grpc.ServerCredentials.createSsl(
    Buffer.from(certificate.trustBundlePem),
    [{ cert_chain: Buffer.from(certificate.certificatePem), private_key: Buffer.from(certificate.privateKeyPem) }],
    true,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (err, p) => (err ? reject(err) : resolve(p))));
  return { port, server, callers };
}

let dir: string;
let ca: MeshCa;
let server: LoopbackXdsServer;
let greeter: Backend;
let impostor: Backend;
const clients: grpc.Client[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-grpc-mtls-'));
  ca = await openMeshCa(dir, TRUST_DOMAIN);
  // What the agent of `client` writes to its --out-dir.
  await writeCertificateFiles(path.join(dir, 'client-agent'), await issueNodeCertificate(ca, 'm', 'client'));
  greeter = await startBackend(await issueNodeCertificate(ca, 'm', 'greeter'));
  impostor = await startBackend(await issueNodeCertificate(ca, 'm', 'impostor'));
  server = await startLoopbackXdsServer();
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

afterAll(async () => {
  await server.xds.shutdown(200);
  greeter.server.forceShutdown();
  impostor.server.forceShutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Serves the client's proxyless view with `greeter`'s endpoint at `port`, and opens a channel with its own xDS client (`group`). */
function clientTo(port: number, group: string): grpc.Client {
  const view = translateNode({ spec, endpoints: { greeter: [{ address: '127.0.0.1', port }] }, nodeId: CLIENT_NODE }).proxyless;
  server.xds.setSnapshot(CLIENT_NODE, configSnapshot(view));
  const c = new grpc.Client('xds:///svc', new grpcXds.XdsChannelCredentials(grpc.credentials.createInsecure()), {
    'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': xdsBootstrap(server.port, CLIENT_NODE, { cluster: group, extra: { certificate_providers: agentCertificateProviders(path.join(dir, 'client-agent')) } }),
  });
  clients.push(c);
  return c;
}

/** One call; resolves with the client's SPIFFE ID as the server saw it. */
async function call(c: grpc.Client): Promise<string> {
  return (await callGreeter(c)).caller;
}

test('the client verifies the greeter\'s mesh identity and presents its own: the server sees the client\'s SPIFFE ID', async () => {
  const caller = await call(clientTo(greeter.port, 'to-greeter'));
  expect(caller).toBe(`spiffe://${TRUST_DOMAIN}/mesh/m/virtualNode/client`);
  expect(greeter.callers).toEqual([caller]);
  expect(server.acks.map((a) => a.typeUrl)).toEqual(expect.arrayContaining([LISTENER_TYPE_URL, CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL]));
  expect(server.nacks).toEqual([]);
});

test('a server with a mesh certificate of another node is refused by the client (SAN mismatch), and hears no call', async () => {
  const refused = call(clientTo(impostor.port, 'to-impostor'));
  await expect(refused).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  await expect(refused).rejects.toThrow(/subject alternative name/);
  expect(impostor.callers).toEqual([]);
  expect(server.nacks).toEqual([]);
});
