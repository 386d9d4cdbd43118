/**
 * Authorization by mesh identity through real gRPC peers (gRFC A41): a grpc-js-xds XdsServer for
 * virtual node `b` serves the proxyless view of a spec whose `b` allows only node `a` to call
 * `/helloworld.Greeter/SayHello`, with mesh mTLS from the project's CA. The Listener comes from
 * this project's xDS server; the callers present certificates the mesh CA issued.
 */
import '../../support/grpc-xds-rbac-on';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import { MeshSpecDocument } from '../../../../src/spec/document';
import { writeCertificateFiles } from '../../../src/agent/certificate-files';
import { HeldCertificate } from '../../../src/agent/held-certificate';
import { translateNode } from '../../../src/translate';
import type { XdsNackRecord } from '../../../src/xds/events';
import { XdsServer } from '../../../src/xds/xds-server';
import { configSnapshot } from '../../support/config-snapshot';
import { freePort } from '../../support/free-port';
import { meshAppBootstrap } from '../../support/mesh-app-bootstrap';
import { addSpiffeGreeter, callGreeter } from '../../support/spiffe-greeter';
import { issueNodeCertificate, openMeshCa, strictMtlsMesh } from '../mesh-certificates';
import { meshDoc } from '../spec-builder';

grpcXds.register();
jest.setTimeout(60_000);

const TRUST_DOMAIN = 'grpc-rbac.test';

/** a → svc → b (grpc, STRICT mTLS); b allows a to call SayHello, c only SayGoodbye, d nothing. */
function specFor(port: number, trustFile: string): MeshSpecDocument {
  const mtls = strictMtlsMesh(port, trustFile);
  const doc = meshDoc({ ...mtls, nodes: { ...mtls.nodes, c: {}, d: {} } });
  const authorization = {
    rules: [
      { name: 'a-says-hello', from: { virtualNodes: ['a'] }, http: { paths: [{ exact: '/helloworld.Greeter/SayHello' }] } },
      { name: 'c-says-goodbye', from: { virtualNodes: ['c'] }, http: { paths: [{ exact: '/helloworld.Greeter/SayGoodbye' }] } },
    ],
  };
  return {
    ...doc,
    specVersion: 'open-app-mesh/v2',
    virtualNodes: doc.virtualNodes.map(n => (n.virtualNodeName === 'b' ? { ...n, extensions: { authorization } } : n)),
  };
}

let dir: string;
let xds: XdsServer;
let server: grpcXds.XdsServer;
let port: number;
const certificates: Record<string, HeldCertificate> = {};
const callers: string[] = [];
const nacks: XdsNackRecord[] = [];
const clients: grpc.Client[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-grpc-rbac-'));
  const ca = await openMeshCa(dir, TRUST_DOMAIN);
  for (const name of ['a', 'b', 'c', 'd']) {
    certificates[name] = await issueNodeCertificate(ca, 'm', name);
    await writeCertificateFiles(path.join(dir, `${name}-agent`), certificates[name]);
  }
  port = await freePort();
  const spec = specFor(port, path.join(dir, 'b-agent', 'ca.pem'));
  xds = new XdsServer({ pushDebounceMs: 1, hooks: { onNack: (_stream, nack) => nacks.push(nack) } });
  for (const nodeId of ['mesh/m/virtualNode/a', 'mesh/m/virtualNode/b']) {
    const view = translateNode({ spec, endpoints: { b: [{ address: '127.0.0.1', port }] }, nodeId }).proxyless;
    xds.setSnapshot(nodeId, configSnapshot(view));
  }
  const xdsPort = await xds.listen('127.0.0.1:0');
  server = new grpcXds.XdsServer({ 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': meshAppBootstrap(xdsPort, 'mesh/m/virtualNode/b', path.join(dir, 'b-agent')) } as object);
  addSpiffeGreeter(server, callers);
  // The callback runs once the server's Listener (with its RBAC filter) has arrived and been accepted.
  await new Promise<void>((resolve, reject) => server.bindAsync(`0.0.0.0:${port}`,
    new grpcXds.XdsServerCredentials(grpc.ServerCredentials.createInsecure()), err => (err ? reject(err) : resolve())));
  // The proxyless client of node a.
  clients.push(new grpc.Client('xds:///svc', new grpcXds.XdsChannelCredentials(grpc.credentials.createInsecure()), {
    'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': meshAppBootstrap(xdsPort, 'mesh/m/virtualNode/a', path.join(dir, 'a-agent')),
  }));
});

afterAll(async () => {
  for (const c of clients) c.close();
  server?.forceShutdown();
  await xds?.shutdown(200);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A grpc-js TLS client dialing b directly with the mesh certificate of `name`. */
function directClient(name: string): grpc.Client {
  const certificate = certificates[name];
  const credentials = grpc.credentials.createSsl(
    Buffer.from(certificate.trustBundlePem),
    Buffer.from(certificate.privateKeyPem),
    Buffer.from(certificate.certificatePem),
    { checkServerIdentity: () => undefined },
  );
  const client = new grpc.Client(`127.0.0.1:${port}`, credentials, { 'grpc.ssl_target_name_override': 'b.m.local' });
  clients.push(client);
  return client;
}

test('node a, through its proxyless channel, is allowed: the server sees a\'s SPIFFE ID', async () => {
  const seen = await callGreeter(clients[0]);
  expect(seen.caller).toBe(`spiffe://${TRUST_DOMAIN}/mesh/m/virtualNode/a`);
  expect(nacks).toEqual([]);
});

test('node d, with a valid mesh certificate but no rule, is refused (PERMISSION_DENIED) and never reaches the handler', async () => {
  const before = callers.length;
  await expect(callGreeter(directClient('d'))).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
  expect(callers.length).toBe(before);
});

test('node c is a caller of another method only: its SayHello is refused; node a\'s is served on the same kind of connection', async () => {
  await expect(callGreeter(directClient('c'))).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
  await expect(callGreeter(directClient('a'))).resolves.toMatchObject({ caller: `spiffe://${TRUST_DOMAIN}/mesh/m/virtualNode/a` });
  expect(callers).not.toContain(`spiffe://${TRUST_DOMAIN}/mesh/m/virtualNode/c`);
});
