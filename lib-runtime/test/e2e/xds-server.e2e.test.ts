/**
 * An xDS-enabled gRPC server (gRFC A36) configured by the control plane, with mesh mTLS from the
 * project's CA (gRFC A29 server side), end to end on loopback: the ControlPlane in process, a
 * grpc-js-xds XdsServer for virtual node `b` whose bootstrap names our server listener template
 * and maps certificate provider `default` to the files an agent writes, and a grpc-js-xds client
 * for node `a` calling `xds:///svc`. Both sides' certificates were issued by the mesh CA here.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import { toCanonicalJson } from '../../../src/spec/canonical';
import { TRUST_BUNDLE_FILE, writeCertificateFiles } from '../../src/agent/certificate-files';
import { HeldCertificate } from '../../src/agent/held-certificate';
import type { ControlPlane } from '../../src/control-plane';
import { startFileControlPlane, stopFileControlPlane } from '../support/file-control-plane';
import { freePort } from '../support/free-port';
import { meshAppBootstrap } from '../support/mesh-app-bootstrap';
import { addSpiffeGreeter, callGreeter } from '../support/spiffe-greeter';
import { issueNodeCertificate, openMeshCa, strictMtlsMesh } from '../translate/mesh-certificates';
import { meshDoc } from '../translate/spec-builder';

grpcXds.register();
jest.setTimeout(60_000);

const TRUST_DOMAIN = 'xds-server.test';

/** a → svc → b; b's grpc listener is STRICT with a mesh CA certificate and validation (mTLS); a trusts the mesh CA. */
function specFor(port: number, trustFile: string): string {
  return toCanonicalJson(meshDoc(strictMtlsMesh(port, trustFile)));
}

let dir: string;
let cp: ControlPlane;
let server: grpcXds.XdsServer;
let port: number;
let bCertificate: HeldCertificate;
let aCertificate: HeldCertificate;
const callers: string[] = [];
const clients: grpc.Client[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-xds-server-'));
  const ca = await openMeshCa(dir, TRUST_DOMAIN);
  aCertificate = await issueNodeCertificate(ca, 'm', 'a');
  bCertificate = await issueNodeCertificate(ca, 'm', 'b');
  await writeCertificateFiles(path.join(dir, 'a-agent'), aCertificate);
  await writeCertificateFiles(path.join(dir, 'b-agent'), bCertificate);
  port = await freePort();

  cp = await startFileControlPlane(dir, {
    spec: specFor(port, path.join(dir, 'b-agent', TRUST_BUNDLE_FILE)),
    endpoints: { b: [{ address: '127.0.0.1', port }] },
  });

  server = new grpcXds.XdsServer({ 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': meshAppBootstrap(cp.ports.xds, 'mesh/m/virtualNode/b', path.join(dir, 'b-agent')) } as object);
  addSpiffeGreeter(server, callers);
  // Serving starts (and the callback runs) only once the server's Listener has arrived and been accepted.
  await new Promise<void>((resolve, reject) => server.bindAsync(`0.0.0.0:${port}`,
    new grpcXds.XdsServerCredentials(grpc.ServerCredentials.createInsecure()), err => (err ? reject(err) : resolve())));
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

afterAll(async () => {
  server?.forceShutdown();
  await stopFileControlPlane(cp, dir);
});

function keep(client: grpc.Client): grpc.Client {
  clients.push(client);
  return client;
}

test('a proxyless client of node a calls the xDS-enabled server of node b over mesh mTLS: each side sees the other\'s SPIFFE ID', async () => {
  const client = keep(new grpc.Client('xds:///svc', new grpcXds.XdsChannelCredentials(grpc.credentials.createInsecure()), {
    'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': meshAppBootstrap(cp.ports.xds, 'mesh/m/virtualNode/a', path.join(dir, 'a-agent')),
  }));
  const seen = await callGreeter(client);
  expect(seen).toEqual({ caller: `spiffe://${TRUST_DOMAIN}/mesh/m/virtualNode/a`, server: `spiffe://${TRUST_DOMAIN}/mesh/m/virtualNode/b` });
  expect(callers).toContain(seen.caller);
});

/** A plain grpc-js TLS client dialing the server directly, trusting the mesh CA (the server's SAN is a SPIFFE URI, no host name to check). */
function directClient(certificate?: HeldCertificate): grpc.Client {
  const credentials = grpc.credentials.createSsl(
    Buffer.from(bCertificate.trustBundlePem),
    certificate ? Buffer.from(certificate.privateKeyPem) : null,
    certificate ? Buffer.from(certificate.certificatePem) : null,
    { checkServerIdentity: () => undefined },
  );
  return keep(new grpc.Client(`127.0.0.1:${port}`, credentials, { 'grpc.ssl_target_name_override': 'b.m.local' }));
}

test('a client without a certificate is refused by the server; the same client with a mesh certificate is served', async () => {
  const before = callers.length;
  await expect(callGreeter(directClient())).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  expect(callers.length).toBe(before);
  await expect(callGreeter(directClient(aCertificate))).resolves.toMatchObject({ caller: `spiffe://${TRUST_DOMAIN}/mesh/m/virtualNode/a` });
});

test('a plaintext client is refused: the server does not fall back to its insecure credentials', async () => {
  await expect(callGreeter(keep(new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure())))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
});
