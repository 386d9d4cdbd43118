/**
 * An ACM Private CA as the mesh root, with the SDK mocked at the client by a stand-in that
 * really signs (acm-pca-stand-in.ts): the mesh CA's signing key is certified as a subordinate CA,
 * leaves chain to the Private CA's root (checked by openssl and by Node), and the service's
 * answers (in progress, throttled, access denied, a wrong certificate) are handled.
 */
import { generateKeyPairSync, X509Certificate, type webcrypto as nodeWebcrypto } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PCA_ARN, PcaStandIn, serviceError } from './acm-pca-stand-in';
import { HAS_OPENSSL, openssl } from './openssl';
import { AcmPcaSigningCa, subordinateTemplateArn } from '../../src/identity/acm-pca-signing-ca';
import { MeshCa } from '../../src/identity/ca';
import { FileCaStore } from '../../src/identity/ca-store';
import type { WorkloadRef } from '../../src/identity/spiffe';
import { webcrypto } from '../../src/identity/x509-library';

const TD = 'mesh.example';
const CART: WorkloadRef = { meshName: 'shop', kind: 'virtualNode', name: 'cart' };
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

let dir: string;
let pca: PcaStandIn;
let waits: number[];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-acm-pca-'));
  pca = await PcaStandIn.start();
  waits = [];
});
afterEach(() => {
  pca.mock.restore();
  fs.rmSync(dir, { recursive: true, force: true });
});

function source(): AcmPcaSigningCa {
  return new AcmPcaSigningCa({
    certificateAuthorityArn: PCA_ARN,
    client: pca.client,
    trustDomain: TD,
    validityDays: 30,
    sleep: async (ms) => void waits.push(ms),
  });
}

async function leaf(ca: MeshCa): Promise<string> {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return (await ca.issueWorkloadCertificate({ workload: CART, publicKey })).certificatePem;
}

test('an empty store gets a subordinate CA certified by the Private CA; leaves chain to its root', async () => {
  const store = new FileCaStore(path.join(dir, 'ca'));
  const ca = await MeshCa.open({ store, trustDomain: TD, signingCaSource: source() });

  expect(pca.issueRequests).toHaveLength(1);
  const request = pca.issueRequests[0];
  expect(request).toMatchObject({
    CertificateAuthorityArn: PCA_ARN,
    SigningAlgorithm: 'SHA256WITHECDSA',
    TemplateArn: 'arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1',
    Validity: { Type: 'DAYS', Value: 30 },
  });
  // Polled while the Private CA was signing.
  expect(waits).toEqual([1000, 1000]);

  const stored = (await store.load())!;
  expect(stored.anchors).toEqual([pca.rootPem]);
  const subordinate = new X509Certificate(stored.active.certificatePem);
  const root = new X509Certificate(pca.rootPem);
  expect(subordinate.ca).toBe(true);
  expect(subordinate.verify(root.publicKey)).toBe(true);

  const leafPem = await leaf(ca);
  const leafCertificate = new X509Certificate(leafPem);
  expect(leafCertificate.verify(subordinate.publicKey)).toBe(true);
  expect(leafCertificate.verify(root.publicKey)).toBe(false);
  // The bundle holds the signing CA and the Private CA's root, so a leaf presented alone verifies.
  expect(ca.trustBundlePem().match(PEM_CERTIFICATE)!.map((pem) => new X509Certificate(pem).fingerprint256))
    .toEqual([subordinate.fingerprint256, root.fingerprint256]);

  if (!HAS_OPENSSL) return;
  fs.writeFileSync(path.join(dir, 'root.pem'), pca.rootPem);
  fs.writeFileSync(path.join(dir, 'sub.pem'), stored.active.certificatePem);
  fs.writeFileSync(path.join(dir, 'leaf.pem'), leafPem);
  fs.writeFileSync(path.join(dir, 'bundle.pem'), ca.trustBundlePem());
  expect(openssl(dir, 'verify', '-CAfile', 'root.pem', '-untrusted', 'sub.pem', 'leaf.pem')).toMatchObject({ ok: true });
  expect(openssl(dir, 'verify', '-CAfile', 'bundle.pem', 'leaf.pem')).toMatchObject({ ok: true });
  // Without the subordinate the leaf does not verify: it is really signed by the subordinate.
  expect(openssl(dir, 'verify', '-CAfile', 'root.pem', 'leaf.pem').ok).toBe(false);
});

test('a replica that finds the subordinate in the store asks the Private CA for nothing', async () => {
  const store = new FileCaStore(path.join(dir, 'ca'));
  const first = await MeshCa.open({ store, trustDomain: TD, signingCaSource: source() });
  const second = await MeshCa.open({ store, trustDomain: TD, signingCaSource: source() });
  expect(pca.issueRequests).toHaveLength(1);
  expect(second.trustBundlePem()).toBe(first.trustBundlePem());
});

test('a throttled IssueCertificate is retried with backoff and the same idempotency token', async () => {
  pca.issueFailures.push(serviceError('ThrottlingException', 'Rate exceeded'), serviceError('ThrottlingException', 'Rate exceeded'));
  const made = await source().newSigningCa();
  expect(pca.issueRequests).toHaveLength(3);
  expect(new Set(pca.issueRequests.map((r) => r.IdempotencyToken)).size).toBe(1);
  expect(waits.slice(0, 2)).toEqual([1000, 2000]);
  expect(new X509Certificate(made.certificatePem).ca).toBe(true);
});

test('access denied stops the start with the flag, the operation and the permissions needed; the store stays empty', async () => {
  pca.issueFailures.push(serviceError('AccessDeniedException', 'User: arn:aws:sts::111122223333:assumed-role/cp/task is not authorized to perform: acm-pca:IssueCertificate'));
  const store = new FileCaStore(path.join(dir, 'ca'));
  await expect(MeshCa.open({ store, trustDomain: TD, signingCaSource: source() })).rejects.toThrow(
    new RegExp(`^--ca-acm-pca-arn ${PCA_ARN}: IssueCertificate failed: AccessDeniedException: .*needs acm-pca:IssueCertificate`));
  expect(await store.load()).toBeUndefined();
});

test('a certificate that never becomes ready is given up after the polls, naming it', async () => {
  pca.pollsBeforeReady = 1000;
  await expect(source().newSigningCa()).rejects.toThrow(/GetCertificate .*\/certificate\/\w+ failed \(still not ready after 60 polls\): RequestInProgressException/);
  expect(waits).toHaveLength(59);
});

test('an unknown CA names the flag', async () => {
  const other = new AcmPcaSigningCa({ certificateAuthorityArn: PCA_ARN.replace('1234567890', '0000000000'), client: pca.client, trustDomain: TD });
  await expect(other.newSigningCa()).rejects.toThrow(/^--ca-acm-pca-arn arn:aws:acm-pca:.*: GetCertificateAuthorityCertificate failed: ResourceNotFoundException: .*\(no such CA/);
});

test('a certificate for another key than ours is refused', async () => {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  pca.substituteKey = (keys as nodeWebcrypto.CryptoKeyPair).publicKey;
  await expect(source().newSigningCa()).rejects.toThrow(/certificate .* is not for the key this control plane made/);
});

test('rotation asks the Private CA for a new subordinate; the old one stays trusted beside the root', async () => {
  const store = new FileCaStore(path.join(dir, 'ca'));
  const ca = await MeshCa.open({ store, trustDomain: TD, signingCaSource: source() });
  const before = (await store.load())!;
  const oldLeaf = await leaf(ca);
  await ca.rotateRoot();
  const after = (await store.load())!;
  expect(pca.issueRequests).toHaveLength(2);
  expect(after.generation).toBe(before.generation + 1);
  expect(after.retired.map((r) => r.certificatePem)).toEqual([before.active.certificatePem]);
  expect(after.anchors).toEqual([pca.rootPem]);
  expect(ca.trustBundlePem().match(PEM_CERTIFICATE)).toHaveLength(3);
  if (!HAS_OPENSSL) return;
  fs.writeFileSync(path.join(dir, 'bundle.pem'), ca.trustBundlePem());
  fs.writeFileSync(path.join(dir, 'old.pem'), oldLeaf);
  fs.writeFileSync(path.join(dir, 'new.pem'), await leaf(ca));
  expect(openssl(dir, 'verify', '-CAfile', 'bundle.pem', 'old.pem', 'new.pem')).toMatchObject({ ok: true });
});

test('moving a mesh from its own root to the Private CA by a rotation keeps the old root trusted for its leaves', async () => {
  const store = new FileCaStore(path.join(dir, 'ca'));
  await MeshCa.open({ store, trustDomain: TD });
  const ownRoot = (await store.load())!.active.certificatePem;
  const ca = await MeshCa.open({ store, trustDomain: TD, signingCaSource: source() });
  await ca.rotateRoot();
  const after = (await store.load())!;
  expect(after.retired.map((r) => r.certificatePem)).toEqual([ownRoot]);
  expect(after.anchors).toEqual([pca.rootPem]);
  expect(new X509Certificate(after.active.certificatePem).verify(new X509Certificate(pca.rootPem).publicKey)).toBe(true);
});

test('the template ARN follows the CA\'s partition', () => {
  expect(subordinateTemplateArn('arn:aws-cn:acm-pca:cn-north-1:111122223333:certificate-authority/x'))
    .toBe('arn:aws-cn:acm-pca:::template/SubordinateCACertificate_PathLen0/V1');
});
