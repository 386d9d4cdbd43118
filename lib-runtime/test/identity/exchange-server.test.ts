/**
 * The certificate exchange end to end on loopback: real HTTPS (the server's certificate from the
 * mesh CA), signed GetCallerIdentity requests executed against a local STS stand-in, service-
 * account tokens against a local OIDC issuer, and the certificate it issues opening an xDS stream
 * over mutual TLS. Refusals answer with their status and reason and the server keeps serving.
 */
import { generateKeyPairSync, sign as signBytes } from 'crypto';
import * as http from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';
import * as grpc from '@grpc/grpc-js';
import { StsStandIn } from './sts-stand-in';
import { SERVER_ID, SERVICE_A_ACCOUNT, TRUST_DOMAIN, TrustedControlPlane } from './trusted-control-plane';
import { signedGetCallerIdentityRequest, type AwsCredentials } from '../../src/identity/aws-iam-request';
import { EXCHANGE_PATH, MAX_EXCHANGE_REQUEST_BYTES, type CertificateExchangeRequest } from '../../src/identity/exchange-protocol';
import { KubernetesTokenVerifier } from '../../src/identity/kubernetes-token';
import { x509 } from '../../src/identity/x509-library';
import { CLUSTER_TYPE_URL } from '../../src/xds/type-urls';
import { AdsTestClient, sotwRequest } from '../xds/ads-test-client';

const SERVICE_A_TASK: AwsCredentials = { accessKeyId: 'ASIASERVICEA', secretAccessKey: 'a-secret', sessionToken: 'a-token' };
const OTHER_TASK: AwsCredentials = { accessKeyId: 'ASIAOTHER', secretAccessKey: 'o-secret', sessionToken: 'o-token' };
const SERVICE_A_NODE = 'mesh/apps/virtualNode/serviceA';
const AUDIENCE = 'oam-test';

const sts = new StsStandIn({
  [SERVICE_A_TASK.accessKeyId]: {
    secretAccessKey: SERVICE_A_TASK.secretAccessKey,
    sessionToken: SERVICE_A_TASK.sessionToken,
    arn: 'arn:aws:sts::111122223333:assumed-role/service-a-task/task-1',
    userId: 'AROASERVICEA:task-1',
  },
  [OTHER_TASK.accessKeyId]: {
    secretAccessKey: OTHER_TASK.secretAccessKey,
    sessionToken: OTHER_TASK.sessionToken,
    arn: 'arn:aws:sts::111122223333:assumed-role/other-task/task-2',
    userId: 'AROAOTHER:task-2',
  },
});

/** A local OIDC issuer with one ES256 key, as EKS publishes a cluster's. */
const issuerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const issuer = http.createServer((req, res) => {
  const base = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
  if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/keys` }));
  else if (req.url === '/keys') res.end(JSON.stringify({ keys: [{ ...issuerKey.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }] }));
  else res.writeHead(404).end();
});
const issuerUrl = (): string => `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;

function serviceAccountToken(subject: string): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'ES256', kid: 'k1' })}.${b64({ iss: issuerUrl(), aud: [AUDIENCE], sub: subject, exp: now + 600, iat: now })}`;
  return `${input}.${signBytes('sha256', Buffer.from(input), { key: issuerKey.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

let mesh: TrustedControlPlane;

beforeAll(async () => {
  await sts.start();
  await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
  mesh = new TrustedControlPlane();
  await mesh.start({
    stsOrigin: sts.origin,
    kubernetes: new KubernetesTokenVerifier({ issuer: issuerUrl(), audience: AUDIENCE, allowHttp: true }),
    // Low enough for a test to reach, high enough for the others.
    limits: { perSource: { burst: 1000, perSecond: 1 }, perIdentity: { burst: 8, perSecond: 0.001 } },
  });
});
afterAll(async () => {
  await mesh.stop();
  await sts.stop();
  await new Promise<void>((resolve) => issuer.close(() => resolve()));
});
beforeEach(() => {
  sts.received.length = 0;
  sts.signatureWindowMs = 5 * 60_000;
});

interface Answer {
  readonly status: number;
  readonly body: Record<string, string>;
  readonly headers?: http.IncomingHttpHeaders;
}

/** One POST over HTTPS, trusting only the mesh CA. */
function post(body: string | Buffer, path = EXCHANGE_PATH): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1',
      port: mesh.exchangePort,
      path,
      method: 'POST',
      ca: mesh.ca.trustBundlePem(),
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const keys = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

async function csrFor(keyPair = keys()): Promise<string> {
  const webKeys = {
    publicKey: await crypto.subtle.importKey('spki', keyPair.publicKey.export({ type: 'spki', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']),
    privateKey: await crypto.subtle.importKey('pkcs8', keyPair.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']),
  };
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=ignored', keys: webKeys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } });
  return csr.toString('pem');
}

const signed = (credentials = SERVICE_A_TASK, overrides: Partial<Parameters<typeof signedGetCallerIdentityRequest>[0]> = {}) =>
  signedGetCallerIdentityRequest({ credentials, region: 'eu-west-1', serverId: SERVER_ID, endpoint: sts.origin, ...overrides });

async function exchange(request: Partial<CertificateExchangeRequest> = {}): Promise<Answer> {
  return post(JSON.stringify({ nodeId: SERVICE_A_NODE, csr: await csrFor(), credential: { type: 'aws-iam', request: signed() }, ...request }));
}

test('a role among the node\'s proxyAccess principals gets a certificate that then opens the node\'s xDS stream', async () => {
  const keyPair = keys();
  const issued = await exchange({ csr: await csrFor(keyPair) });
  expect(issued.status).toBe(200);
  expect(issued.body.spiffeId).toBe(`spiffe://${TRUST_DOMAIN}/mesh/apps/virtualNode/serviceA`);
  expect(issued.body.trustBundle).toBe(mesh.ca.trustBundlePem());
  expect(Date.parse(issued.body.notAfter)).toBeGreaterThan(Date.now());
  expect(sts.received).toHaveLength(1);

  const credentials = grpc.credentials.createSsl(Buffer.from(issued.body.trustBundle),
    Buffer.from(keyPair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), Buffer.from(issued.body.certificateChain));
  const client = new AdsTestClient(mesh.cp.ports.xds, undefined, credentials);
  try {
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: SERVICE_A_NODE, user_agent_name: 'envoy' } }));
    expect((await stream.next()).resources.length).toBeGreaterThan(0);
  } finally {
    client.close();
  }
});

test('a role not among the node\'s proxyAccess principals: 403 naming it', async () => {
  const before = await mesh.cp.metrics.exchangesRefused.get({ reason: 'notAllowed' });
  const answer = await exchange({ credential: { type: 'aws-iam', request: signed(OTHER_TASK) } });
  expect(answer.status).toBe(403);
  expect(answer.body.error).toContain('arn:aws:sts::111122223333:assumed-role/other-task/task-2 is not among the proxyAccess principals');
  expect(await mesh.cp.metrics.exchangesRefused.get({ reason: 'notAllowed' })).toBe(before + 1);
});

test('a signature STS calls expired: 401 with STS\'s reason', async () => {
  sts.signatureWindowMs = 60_000;
  const answer = await exchange({ credential: { type: 'aws-iam', request: signed(SERVICE_A_TASK, { now: new Date(Date.now() - 5 * 60_000) }) } });
  expect(answer.status).toBe(401);
  expect(answer.body.error).toContain('SignatureDoesNotMatch');
});

test('a request for a host other than STS: 401, and no request is made anywhere', async () => {
  const forged = { ...signed(), url: 'https://metadata.internal.example/' };
  const answer = await exchange({ credential: { type: 'aws-iam', request: forged } });
  expect(answer.status).toBe(401);
  expect(answer.body.error).toContain('host metadata.internal.example is not an AWS STS endpoint');
  expect(sts.received).toHaveLength(0);
});

test('a service-account token whose subject is a proxyAccess principal gets a certificate; another subject gets 403', async () => {
  const ok = await exchange({ credential: { type: 'kubernetes', token: serviceAccountToken(SERVICE_A_ACCOUNT) } });
  expect(ok.status).toBe(200);
  expect(ok.body.spiffeId).toBe(`spiffe://${TRUST_DOMAIN}/mesh/apps/virtualNode/serviceA`);
  const other = await exchange({ credential: { type: 'kubernetes', token: serviceAccountToken('system:serviceaccount:apps:intruder') } });
  expect(other.status).toBe(403);
  const forged = await exchange({ credential: { type: 'kubernetes', token: `${serviceAccountToken(SERVICE_A_ACCOUNT).slice(0, -4)}AAAA` } });
  expect(forged.status).toBe(401);
});

test('malformed and oversized requests: 400 and 413 with the reason, nothing reaches STS, and the server keeps serving', async () => {
  const cases: Array<[string | Buffer, number, RegExp]> = [
    ['not json', 400, /not JSON/],
    ['[]', 400, /JSON object/],
    [JSON.stringify({ nodeId: SERVICE_A_NODE, csr: 'garbage', credential: { type: 'aws-iam', request: signed() } }), 400, /^csr: expected one PEM/],
    [JSON.stringify({ nodeId: SERVICE_A_NODE, csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', credential: { type: 'aws-iam', request: signed() } }), 400, /^csr: not a readable PKCS#10 CSR/],
    [JSON.stringify({ nodeId: SERVICE_A_NODE, csr: 'x'.repeat(20_000), credential: { type: 'aws-iam', request: signed() } }), 400, /^csr: the CSR is larger than/],
    [JSON.stringify({ nodeId: 'mesh/apps/virtualNode/a/b', csr: '', credential: { type: 'aws-iam', request: signed() } }), 400, /nodeId .* is not mesh/],
    [JSON.stringify({ nodeId: SERVICE_A_NODE, csr: '', credential: { type: 'ssh' } }), 400, /csr: |credential/],
    [Buffer.alloc(MAX_EXCHANGE_REQUEST_BYTES + 1, 'a'), 413, /larger than 65536 bytes/],
  ];
  for (const [body, status, error] of cases) {
    const answer = await post(body);
    expect([answer.status, answer.body.error]).toEqual([status, expect.stringMatching(error)]);
  }
  expect(sts.received).toHaveLength(0);
  expect(await post('{}', '/elsewhere')).toMatchObject({ status: 404 });
  expect((await exchange()).status).toBe(200);
});

test('a body larger than the limit sent without a content-length is cut off with 413', async () => {
  const answer = await new Promise<Answer>((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: mesh.exchangePort, path: EXCHANGE_PATH, method: 'POST', ca: mesh.ca.trustBundlePem() }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    // Chunked, in pieces, more than the limit in all.
    for (let i = 0; i < 5; i++) req.write(Buffer.alloc(MAX_EXCHANGE_REQUEST_BYTES / 4, 'a'));
    req.end();
  });
  expect(answer.status).toBe(413);
  expect((await exchange()).status).toBe(200);
});

test('one identity asking too often is rate limited with 429 and Retry-After', async () => {
  // The other tests spent some of serviceA's role's burst of 8; this spends the rest.
  let answer: Answer | undefined;
  for (let i = 0; i < 10 && answer?.status !== 429; i++) answer = await exchange();
  expect(answer!.status).toBe(429);
  expect(answer!.body.error).toContain('too many exchanges for arn:aws:sts::111122223333:assumed-role/service-a-task/task-1');
  expect(Number(answer!.headers!['retry-after'])).toBeGreaterThan(0);
});
