/**
 * The agent end to end over real TLS on loopback: it proves its AWS IAM identity (the STS
 * stand-in checks the signature) to an exchange endpoint with a mesh-CA server certificate, gets
 * a 6 s certificate and renews it at about half its life; writes the files, serves SDS on a Unix
 * socket, and carries ADS streams to an mTLS xDS server whose authorize hook checks the SPIFFE ID.
 */
import { X509Certificate, createPrivateKey } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import { ExchangeStandIn } from './exchange-stand-in';
import { Agent } from '../../src/agent/agent';
import { awsIamCredential } from '../../src/agent/identity-credential';
import { MeshCa } from '../../src/identity/ca';
import { FileCaStore } from '../../src/identity/ca-store';
import { nodeIdOf, peerWorkload } from '../../src/identity/spiffe';
import { Logger } from '../../src/log';
import { adsServiceDefinition } from '../../src/xds/protos';
import { CLUSTER_TYPE_URL, SECRET_TYPE_URL } from '../../src/xds/type-urls';
import { XdsServer } from '../../src/xds/xds-server';
import { StsStandIn } from '../identity/sts-stand-in';
import { waitFor } from '../support/wait';
import { ackOf, AdsTestClient, deltaNamesIn, deltaRequest, namesIn, sotwRequest, TestStream, type Message } from '../xds/ads-test-client';
import { edsCluster } from '../xds/fixtures';

const TD = 'mesh.example';
const NODE = 'mesh/shop/virtualNode/cart';
const SERVER_ID = 'cp.mesh.example';
const LIFETIME_MS = 6000;
const CREDENTIAL_ENV = {
  AWS_ACCESS_KEY_ID: 'ASIACARTTASK',
  AWS_SECRET_ACCESS_KEY: 'cart-task-secret',
  AWS_SESSION_TOKEN: 'cart-task-session',
};

jest.setTimeout(20_000);

let dir: string;
let sts: StsStandIn;
let exchange: ExchangeStandIn;
let upstream: XdsServer;
let agent: Agent;
let proxyPort: number;
let healthPort: number;
const logLines: string[] = [];
/** Per stream the upstream authorized or refused: node id and client certificate serial. */
const authorized: Array<{ nodeId: string; serial: string }> = [];
const savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-'));
  // The SDK's default chain finds these first: the real chain, without a real AWS.
  for (const [name, value] of Object.entries(CREDENTIAL_ENV)) {
    savedEnv[name] = process.env[name];
    process.env[name] = value;
  }
  const ca = await MeshCa.open({ store: new FileCaStore(path.join(dir, 'ca')), trustDomain: TD, maxLeafLifetimeMs: 60_000, clockSkewMs: 1000 });
  fs.writeFileSync(path.join(dir, 'anchors.pem'), ca.trustBundlePem());
  sts = new StsStandIn({
    [CREDENTIAL_ENV.AWS_ACCESS_KEY_ID]: {
      secretAccessKey: CREDENTIAL_ENV.AWS_SECRET_ACCESS_KEY,
      sessionToken: CREDENTIAL_ENV.AWS_SESSION_TOKEN,
      arn: 'arn:aws:sts::111122223333:assumed-role/cart-task/4f0c',
      userId: 'AROAEXAMPLE:4f0c',
    },
  });
  await sts.start();
  exchange = new ExchangeStandIn({ ca, serverId: SERVER_ID, stsOrigin: sts.origin, allowed: { 'cart-task': NODE }, lifetimeMs: LIFETIME_MS });
  await exchange.start();

  // Server certificates live the CA's maximum (60 s), longer than the test.
  const serverCert = await ca.issueServerCertificate({ ipAddresses: ['127.0.0.1'] });
  upstream = new XdsServer({
    pushDebounceMs: 0,
    authorize: ({ nodeId, node, authContext }) => {
      authorized.push({ nodeId, serial: String(authContext.sslPeerCertificate?.serialNumber) });
      if (node.cluster === 'refuse-me') return { allowed: false, message: 'refused by the test control plane' };
      return nodeIdOf(peerWorkload(authContext, TD)) === nodeId;
    },
  });
  const upstreamPort = await upstream.listen('127.0.0.1:0', grpc.ServerCredentials.createSsl(
    Buffer.from(ca.trustBundlePem()),
    [{ cert_chain: Buffer.from(serverCert.certificatePem), private_key: Buffer.from(serverCert.privateKeyPem) }],
    true,
  ));
  upstream.setResources(NODE, CLUSTER_TYPE_URL, [edsCluster('c1')]);

  agent = new Agent({
    nodeId: NODE,
    controlPlaneUrl: exchange.url,
    caBundleFile: path.join(dir, 'anchors.pem'),
    credential: awsIamCredential({ region: 'eu-west-1', serverId: SERVER_ID, stsEndpoint: sts.origin }),
    outDir: path.join(dir, 'out'),
    sdsSocket: path.join(dir, 'sds.sock'),
    xdsProxy: { listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}` },
    healthPort: 0,
    log: new Logger('debug', {}, (line) => logLines.push(line)),
  });
  ({ xdsProxyPort: proxyPort, healthPort } = await agent.start() as { xdsProxyPort: number; healthPort: number });
  await waitFor(() => agent.certificate !== undefined, 'the first certificate');
});

afterAll(async () => {
  await agent?.stop();
  await upstream?.shutdown(200);
  await exchange?.stop();
  await sts?.stop();
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Resolves once the agent holds a certificate other than `pem`. */
async function rotationFrom(pem: string): Promise<string> {
  await waitFor(() => agent.certificate!.certificatePem !== pem, 'a renewal', LIFETIME_MS);
  return agent.certificate!.certificatePem;
}

const serialOf = (pem: string): string => new X509Certificate(pem).serialNumber;

test('the IAM exchange: a signed GetCallerIdentity reaches STS and yields a certificate for the node\'s key', () => {
  const held = agent.certificate!;
  const certificate = new X509Certificate(held.certificatePem);
  expect(certificate.subjectAltName).toBe(`URI:spiffe://${TD}/${NODE}`);
  expect(certificate.checkPrivateKey(createPrivateKey(held.privateKeyPem))).toBe(true);
  expect(exchange.requests[0]).toMatchObject({ nodeId: NODE, credential: { type: 'aws-iam' } });
  expect(sts.received[0].headers['x-open-app-mesh-server-id']).toBe(SERVER_ID);
  expect(sts.received[0].headers['x-amz-security-token']).toBe(CREDENTIAL_ENV.AWS_SESSION_TOKEN);
});

test('files: cert.pem, key.pem with mode 0600, ca.pem; the key in no log line', async () => {
  const out = path.join(dir, 'out');
  await waitFor(() => fs.existsSync(path.join(out, 'ca.pem')), 'the files');
  const cert = fs.readFileSync(path.join(out, 'cert.pem'), 'utf8');
  const key = fs.readFileSync(path.join(out, 'key.pem'), 'utf8');
  expect(new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))).toBe(true);
  expect(fs.statSync(path.join(out, 'key.pem')).mode % 0o1000).toBe(0o600);
  expect(fs.readFileSync(path.join(out, 'ca.pem'), 'utf8')).toBe(agent.certificate!.trustBundlePem);
  expect(fs.readdirSync(out).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
  expect(logLines.some((line) => line.includes('certificate obtained'))).toBe(true);
  expect(logLines.filter((line) => line.includes('PRIVATE KEY'))).toEqual([]);
});

test('readiness: /ready answers 200 while a valid certificate is held', async () => {
  const response = await fetch(`http://127.0.0.1:${healthPort}/ready`);
  expect(response.status).toBe(200);
});

test('SDS on the Unix socket: "default" and "ROOTCA", then the renewed "default" on the same stream before the old one expires', async () => {
  const Client = grpc.makeGenericClientConstructor(adsServiceDefinition(), 'AggregatedDiscoveryService');
  const client = new Client(`unix:${path.join(dir, 'sds.sock')}`, grpc.credentials.createInsecure());
  const call = (client as unknown as { StreamAggregatedResources(md: grpc.Metadata): grpc.ClientDuplexStream<Message, Message> })
    .StreamAggregatedResources(new grpc.Metadata());
  const stream = new TestStream(call);
  try {
    stream.send(sotwRequest(SECRET_TYPE_URL, ['default', 'ROOTCA'], { node: { id: 'envoy' } }));
    const first = await stream.next();
    const byName = new Map<string, Message>(first.resources.map((r: Message) => [r.name, r]));
    const served = byName.get('default')!.tls_certificate;
    expect(served.certificate_chain.inline_string).toBe(agent.certificate!.certificatePem);
    expect(byName.get('ROOTCA')!.validation_context.trusted_ca.inline_string).toBe(agent.certificate!.trustBundlePem);
    const oldNotAfter = new Date(new X509Certificate(served.certificate_chain.inline_string).validTo);
    stream.send(ackOf(first, ['default', 'ROOTCA']));

    const second = await stream.next(LIFETIME_MS);
    expect(Date.now()).toBeLessThan(oldNotAfter.getTime());
    const renewed = second.resources.find((r: Message) => r.name === 'default').tls_certificate;
    expect(renewed.certificate_chain.inline_string).not.toBe(served.certificate_chain.inline_string);
    // A renewal rotates the key too.
    expect(renewed.private_key.inline_string).not.toBe(served.private_key.inline_string);
    expect(new X509Certificate(renewed.certificate_chain.inline_string)
      .checkPrivateKey(createPrivateKey(renewed.private_key.inline_string))).toBe(true);
  } finally {
    stream.close();
    client.close();
  }
});

test('xDS proxy: SotW and delta streams reach the mTLS control plane as the node, and end there when the client ends them', async () => {
  const client = new AdsTestClient(proxyPort);
  const base = upstream.stats().openStreams;
  try {
    const sotw = client.sotw();
    sotw.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: NODE } }));
    expect(namesIn(await sotw.next())).toEqual(['c1']);
    const delta = client.delta();
    delta.send(deltaRequest(CLUSTER_TYPE_URL, { node: { id: NODE }, subscribe: ['*'] }));
    expect(deltaNamesIn(await delta.next())).toEqual(['c1']);
    expect(upstream.stats().openStreams).toBe(base + 2);
    sotw.close();
    delta.close();
    await waitFor(() => upstream.stats().openStreams === base, 'the upstream streams to end');
  } finally {
    client.close();
  }
});

test('xDS proxy: a stream claiming another node id is refused by the agent and never reaches the control plane', async () => {
  const client = new AdsTestClient(proxyPort);
  try {
    const seenUpstream = authorized.length;
    const impostor = client.sotw();
    impostor.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'mesh/shop/virtualNode/payments' } }));
    const refused = await impostor.status();
    expect(refused.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(refused.details).toBe(`this agent serves node ${NODE} (--node-id); the stream claims node "mesh/shop/virtualNode/payments"`);
    expect(authorized.length).toBe(seenUpstream);
  } finally {
    client.close();
  }
});

test('xDS proxy: the control plane\'s refusal reaches the client with its status', async () => {
  const client = new AdsTestClient(proxyPort);
  try {
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: NODE, cluster: 'refuse-me' } }));
    expect(await stream.status()).toEqual({ code: grpc.status.PERMISSION_DENIED, details: 'refused by the test control plane' });
  } finally {
    client.close();
  }
});

test('xDS proxy after a renewal: a new stream presents the new certificate, an open one keeps its connection and its pushes', async () => {
  const client = new AdsTestClient(proxyPort);
  try {
    const before = agent.certificate!.certificatePem;
    const open = client.sotw();
    open.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: NODE } }));
    const first = await open.next();
    open.send(ackOf(first, []));
    expect(authorized[authorized.length - 1].serial).toBe(serialOf(before));

    const after = await rotationFrom(before);
    const fresh = client.sotw();
    fresh.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: NODE } }));
    expect(namesIn(await fresh.next())).toEqual(['c1']);
    expect(authorized[authorized.length - 1].serial).toBe(serialOf(after));

    upstream.setResources(NODE, CLUSTER_TYPE_URL, [edsCluster('c1'), edsCluster('c2')]);
    expect(namesIn(await open.next())).toEqual(['c1', 'c2']);
    expect(open.hasEnded).toBe(false);
  } finally {
    client.close();
  }
});
