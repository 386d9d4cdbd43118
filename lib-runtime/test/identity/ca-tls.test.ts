/**
 * Certificates of the mesh CA in a real mutual-TLS handshake on loopback: a grpc-js server with a
 * CA-issued server certificate that requires client certificates, and clients with a leaf of the
 * CA (accepted, and named by its SPIFFE ID), of another CA, an expired leaf, or none (refused).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import { MeshCa } from '../../src/identity/ca';
import { FileCaStore } from '../../src/identity/ca-store';
import type { WorkloadRef } from '../../src/identity/spiffe';
import { callWhoami, type ClientIdentity, issueLeaf, startWhoamiServer } from '../support/whoami-service';

const TD = 'mesh.example';
const CART: WorkloadRef = { meshName: 'shop', kind: 'virtualNode', name: 'cart' };
const DAY = 24 * 3600_000;

let dir: string;
let server: grpc.Server;
let port: number;
let ca: MeshCa;
let handled = 0;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-ca-tls-'));
  ca = await MeshCa.open({ store: new FileCaStore(path.join(dir, 'mesh')), trustDomain: TD });
  const serverCert = await ca.issueServerCertificate({ ipAddresses: ['127.0.0.1'] });
  const credentials = grpc.ServerCredentials.createSsl(
    Buffer.from(ca.trustBundlePem()),
    [{ cert_chain: Buffer.from(serverCert.certificatePem), private_key: Buffer.from(serverCert.privateKeyPem) }],
    true,
  );
  ({ server, port } = await startWhoamiServer(credentials, TD, () => handled++));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** One call to the server; resolves with its answer or the gRPC status code of the failure. */
function call(client: ClientIdentity | undefined, trust = ca.trustBundlePem()): Promise<string | grpc.status> {
  return callWhoami(port, trust, client);
}

test('a client with a leaf of the mesh CA is accepted and known by its SPIFFE ID', async () => {
  expect(await call(await issueLeaf(ca, CART))).toBe('mesh/shop/virtualNode/cart');
  expect(await call(await issueLeaf(ca, { ...CART, kind: 'virtualGateway', name: 'ingress' }))).toBe('mesh/shop/virtualGateway/ingress');
});

test('a client whose leaf comes from another CA is refused in the handshake', async () => {
  const other = await MeshCa.open({ store: new FileCaStore(path.join(dir, 'other')), trustDomain: TD });
  const before = handled;
  expect(await call(await issueLeaf(other, CART))).toBe(grpc.status.UNAVAILABLE);
  expect(handled).toBe(before);
});

test('a client with an expired leaf of the mesh CA is refused in the handshake', async () => {
  // The same root, its clock three days back: the 24 h leaf expired two days ago.
  const past = await MeshCa.open({ store: new FileCaStore(path.join(dir, 'mesh')), trustDomain: TD, now: () => new Date(Date.now() - 3 * DAY) });
  const expired = await issueLeaf(past, CART);
  const before = handled;
  expect(await call(expired)).toBe(grpc.status.UNAVAILABLE);
  expect(handled).toBe(before);
});

test('a client without a certificate is refused in the handshake', async () => {
  const before = handled;
  expect(await call(undefined)).toBe(grpc.status.UNAVAILABLE);
  expect(handled).toBe(before);
});

test('a client that does not trust the mesh CA refuses the server', async () => {
  const other = await MeshCa.open({ store: new FileCaStore(path.join(dir, 'other2')), trustDomain: TD });
  expect(await call(await issueLeaf(ca, CART), other.trustBundlePem())).toBe(grpc.status.UNAVAILABLE);
});
