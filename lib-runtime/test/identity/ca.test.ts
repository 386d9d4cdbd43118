/**
 * The mesh CA: what it issues is checked independently of the library that built it, by openssl
 * (`verify`, `x509 -text`) and by Node's own X509Certificate.
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HAS_OPENSSL, openssl } from './openssl';
import { MeshCa } from '../../src/identity/ca';
import { RotationPendingError } from '../../src/identity/ca-rotation';
import { CaStoreConflictError, FileCaStore } from '../../src/identity/ca-store';
import { CsrRejectedError } from '../../src/identity/csr';
import type { WorkloadRef } from '../../src/identity/spiffe';
import { webcrypto, x509 } from '../../src/identity/x509-library';

const TD = 'mesh.example';
const CART: WorkloadRef = { meshName: 'shop', kind: 'virtualNode', name: 'cart' };
const HOUR = 3600_000;
const withOpenssl = HAS_OPENSSL ? test : test.skip;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-ca-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  fs.writeFileSync(path.join(dir, name), text);
  return name;
};

/** A CSR made by a client library, asking for an identity it must not get. */
async function ecCsr(namedCurve = 'P-256', hash = 'SHA-256'): Promise<string> {
  const alg = { name: 'ECDSA', namedCurve, hash };
  const keys = await webcrypto.subtle.generateKey(alg, false, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: 'CN=admin',
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.SubjectAlternativeNameExtension([
      { type: 'url', value: 'spiffe://mesh.example/mesh/shop/virtualNode/admin' },
      { type: 'dns', value: 'admin' },
    ])],
  });
  return csr.toString('pem');
}

async function rsaCsr(modulusLength: number): Promise<string> {
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength };
  const keys = await webcrypto.subtle.generateKey(alg, false, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  return (await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=rsa', keys, signingAlgorithm: alg })).toString('pem');
}

describe('the root and its store', () => {
  test('a new root is a P-256 CA kept in a 0600 file, and the next start loads the same one', async () => {
    const store = new FileCaStore(path.join(dir, 'ca'));
    const first = await MeshCa.open({ store, trustDomain: TD });
    const root = new X509Certificate(first.rootCertificatePem);
    expect(root.ca).toBe(true);
    expect(root.checkIssued(root)).toBe(true);
    expect(root.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(fs.statSync(path.join(dir, 'ca', 'ca.json')).mode.toString(8).slice(-3)).toBe('600');
    expect(fs.statSync(path.join(dir, 'ca')).mode.toString(8).slice(-3)).toBe('700');
    expect(fs.readdirSync(path.join(dir, 'ca'))).toEqual(['ca.json']);

    const again = await MeshCa.open({ store, trustDomain: TD });
    expect(again.rootCertificatePem).toBe(first.rootCertificatePem);
  });

  test('replicas starting together on an empty store end up with one root', async () => {
    const open = (): Promise<MeshCa> => MeshCa.open({ store: new FileCaStore(dir), trustDomain: TD });
    const cas = await Promise.all([open(), open(), open(), open()]);
    expect(new Set(cas.map((ca) => ca.rootCertificatePem)).size).toBe(1);
    expect(fs.readdirSync(dir)).toEqual(['ca.json']);
  });

  test('missing material is an error naming the store when creating is disabled', async () => {
    await expect(MeshCa.open({ store: new FileCaStore(dir), trustDomain: TD, createIfMissing: false }))
      .rejects.toThrow(`mesh CA: no CA material in ${path.join(dir, 'ca.json')}, and creating a root is disabled`);
  });

  test('stored material whose key is not the root\'s is refused', async () => {
    await MeshCa.open({ store: new FileCaStore(dir), trustDomain: TD });
    const file = path.join(dir, 'ca.json');
    const material = JSON.parse(fs.readFileSync(file, 'utf8'));
    material.active.privateKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    fs.writeFileSync(file, JSON.stringify(material));
    await expect(MeshCa.open({ store: new FileCaStore(dir), trustDomain: TD }))
      .rejects.toThrow('active.privateKeyPem does not belong to active.certificatePem');
    fs.writeFileSync(file, '{"format":"something else"}');
    await expect(MeshCa.open({ store: new FileCaStore(dir), trustDomain: TD }))
      .rejects.toThrow(`CA store ${file}: format is not "open-app-mesh-ca/v1"`);
  });

  test('a bad trust domain is refused before anything is made', async () => {
    await expect(MeshCa.open({ store: new FileCaStore(dir), trustDomain: 'Mesh.Example' }))
      .rejects.toThrow('trust domain "Mesh.Example": must be lowercase');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('workload certificates', () => {
  test('the CSR gives only the key: the one URI SAN is the workload the caller names', async () => {
    const ca = await MeshCa.open({ store: new FileCaStore(dir), trustDomain: TD });
    const before = Date.now();
    const issued = await ca.issueWorkloadCertificate({ workload: CART, csrPem: await ecCsr() });
    const leaf = new X509Certificate(issued.certificatePem);
    const root = new X509Certificate(ca.rootCertificatePem);

    expect(leaf.subjectAltName).toBe('URI:spiffe://mesh.example/mesh/shop/virtualNode/cart');
    expect(leaf.subject ?? '').toBe(''); // SPIFFE: the identity is the SAN; the subject stays empty
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(root)).toBe(true);
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.serialNumber).toMatch(/^01[0-9A-F]{32}$/);
    // 24 h by default, notBefore set back 5 minutes for clocks behind ours.
    const notBefore = Date.parse(leaf.validFrom);
    const notAfter = Date.parse(leaf.validTo);
    expect(notBefore).toBeLessThanOrEqual(before - 5 * 60_000 + 1000);
    expect(notBefore).toBeGreaterThan(before - 5 * 60_000 - 2000);
    expect(notAfter - notBefore).toBeGreaterThanOrEqual(24 * HOUR + 5 * 60_000 - 1000);
    expect(notAfter - notBefore).toBeLessThanOrEqual(24 * HOUR + 5 * 60_000 + 1000);
    expect(issued.trustBundlePem).toBe(ca.trustBundlePem());
  });

  withOpenssl('openssl verifies the chain and reads SPIFFE SVID extensions', async () => {
    const ca = await MeshCa.open({ store: new FileCaStore(path.join(dir, 'ca')), trustDomain: TD });
    write('bundle.pem', ca.trustBundlePem());
    // A CSR made by openssl itself, also asking for another identity.
    const made = openssl(dir, 'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'k.pem',
      '-subj', '/CN=admin', '-addext', 'subjectAltName=URI:spiffe://mesh.example/mesh/shop/virtualNode/admin', '-out', 'req.pem');
    expect(made).toMatchObject({ ok: true });
    const issued = await ca.issueWorkloadCertificate({ workload: CART, csrPem: fs.readFileSync(path.join(dir, 'req.pem'), 'utf8') });
    write('leaf.pem', issued.certificatePem);

    expect(openssl(dir, 'verify', '-CAfile', 'bundle.pem', 'leaf.pem')).toEqual({ ok: true, output: 'leaf.pem: OK\n' });
    expect(openssl(dir, 'verify', '-CAfile', 'bundle.pem', '-purpose', 'sslclient', 'leaf.pem').ok).toBe(true);
    expect(openssl(dir, 'verify', '-CAfile', 'bundle.pem', '-purpose', 'sslserver', 'leaf.pem').ok).toBe(true);
    const text = openssl(dir, 'x509', '-in', 'leaf.pem', '-noout', '-text').output;
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Server Authentication, TLS Web Client Authentication/);
    expect(text).toMatch(/X509v3 Subject Alternative Name: critical\s+URI:spiffe:\/\/mesh.example\/mesh\/shop\/virtualNode\/cart\n/);
    expect(text).not.toContain('admin');
    const rootText = openssl(dir, 'x509', '-in', 'bundle.pem', '-noout', '-text').output;
    expect(rootText).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(rootText).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
  });

  test('an RSA key gets keyEncipherment too; a P-384 key is certified', async () => {
    const ca = await MeshCa.open({ store: new FileCaStore(dir), trustDomain: TD });
    const rsa = await ca.issueWorkloadCertificate({ workload: CART, csrPem: await rsaCsr(2048) });
    const rsaLeaf = new x509.X509Certificate(rsa.certificatePem);
    expect(rsaLeaf.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature + x509.KeyUsageFlags.keyEncipherment);
    const ec = await ca.issueWorkloadCertificate({ workload: CART, csrPem: await ecCsr('P-384', 'SHA-384') });
    expect(new x509.X509Certificate(ec.certificatePem).getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
  });

  test('a bare public key is certified the same way', async () => {
    const ca = await MeshCa.open({ store: new FileCaStore(dir), trustDomain: TD });
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issued = await ca.issueWorkloadCertificate({ workload: { ...CART, kind: 'virtualGateway' }, publicKey });
    const leaf = new X509Certificate(issued.certificatePem);
    expect(leaf.publicKey.equals(publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe('URI:spiffe://mesh.example/mesh/shop/virtualGateway/cart');
  });

  test.each([
    ['an RSA key under 2048 bits', async () => rsaCsr(1024), 'RSA key of 1024 bits is not allowed (2048 to 8192)'],
    ['a P-521 key', async () => ecCsr('P-521', 'SHA-512'), 'EC curve secp521r1 is not allowed (P-256 or P-384)'],
    ['a CSR larger than 16 KiB', async () => (await ecCsr()) + ' '.repeat(16 * 1024), 'the CSR is larger than 16384 bytes'],
    ['two CSRs in one', async () => (await ecCsr()) + (await ecCsr()), 'expected one PEM "CERTIFICATE REQUEST" block, found 2'],
    ['no PEM at all', async () => 'hello', 'expected one PEM "CERTIFICATE REQUEST" block, found 0'],
    ['a PEM block that is not a CSR', async () => pemBlock('CERTIFICATE REQUEST', 'AAAA'), 'not a readable PKCS#10 CSR'],
    ['a CSR whose signature does not match', async () => tamper(await ecCsr()), 'the CSR signature does not verify with its own public key'],
  ])('refuses %s', async (_what, make, reason) => {
    const ca = await MeshCa.open({ store: new FileCaStore(dir), trustDomain: TD });
    const attempt = ca.issueWorkloadCertificate({ workload: CART, csrPem: await make() });
    await expect(attempt).rejects.toBeInstanceOf(CsrRejectedError);
    await expect(attempt).rejects.toThrow(reason);
  });

  test('an Ed25519 public key and a lifetime past the maximum are refused', async () => {
    const ca = await MeshCa.open({ store: new FileCaStore(dir), trustDomain: TD, maxLeafLifetimeMs: 2 * HOUR });
    const ed = generateKeyPairSync('ed25519').publicKey;
    await expect(ca.issueWorkloadCertificate({ workload: CART, publicKey: ed })).rejects.toThrow('key type ed25519 is not allowed');
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expect(ca.issueWorkloadCertificate({ workload: CART, publicKey, lifetimeMs: 3 * HOUR }))
      .rejects.toThrow(`lifetimeMs ${3 * HOUR} is longer than the maximum ${2 * HOUR}`);
    const short = await ca.issueWorkloadCertificate({ workload: CART, publicKey, lifetimeMs: HOUR });
    expect(short.notAfter.getTime() - short.notBefore.getTime()).toBe(HOUR + 5 * 60_000);
  });
});

function pemBlock(label: string, base64: string): string {
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}

/** Changes one byte inside the signature at the end of the DER, keeping it parseable. */
function tamper(pem: string): string {
  const der = new x509.Pkcs10CertificateRequest(pem).rawData;
  const bytes = Buffer.from(der);
  bytes[bytes.length - 5] = (bytes[bytes.length - 5] + 1) % 256;
  return new x509.Pkcs10CertificateRequest(bytes).toString('pem');
}

describe('the control plane\'s server certificate', () => {
  withOpenssl('names its DNS and IP SANs, serves only serverAuth, and comes with its key', async () => {
    const ca = await MeshCa.open({ store: new FileCaStore(path.join(dir, 'ca')), trustDomain: TD });
    const issued = await ca.issueServerCertificate({ dnsNames: ['xds.mesh.internal'], ipAddresses: ['127.0.0.1'] });
    write('bundle.pem', ca.trustBundlePem());
    write('server.pem', issued.certificatePem);
    write('server.key', issued.privateKeyPem);
    expect(openssl(dir, 'verify', '-CAfile', 'bundle.pem', '-purpose', 'sslserver', 'server.pem').ok).toBe(true);
    expect(openssl(dir, 'verify', '-CAfile', 'bundle.pem', '-purpose', 'sslclient', 'server.pem').ok).toBe(false);
    const text = openssl(dir, 'x509', '-in', 'server.pem', '-noout', '-text').output;
    expect(text).toMatch(/Subject Alternative Name: critical\s+DNS:xds.mesh.internal, IP Address:127.0.0.1\n/);
    expect(new X509Certificate(issued.certificatePem).checkPrivateKey(createPrivateKey(issued.privateKeyPem))).toBe(true);
  });

  test('needs at least one name', async () => {
    const ca = await MeshCa.open({ store: new FileCaStore(dir), trustDomain: TD });
    await expect(ca.issueServerCertificate({})).rejects.toThrow('a server certificate needs at least one DNS name or IP address');
  });
});

describe('root rotation at once (rotateRoot, for a leaked key)', () => {
  test('the old root stays trusted until its last leaf expires; new leaves come from the new root', async () => {
    let now = Date.now();
    const clock = (): Date => new Date(now);
    const store = new FileCaStore(dir);
    const ca = await MeshCa.open({ store, trustDomain: TD, now: clock });
    const replica = await MeshCa.open({ store, trustDomain: TD, now: clock });
    const oldRoot = new X509Certificate(ca.rootCertificatePem);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const oldLeaf = new X509Certificate((await ca.issueWorkloadCertificate({ workload: CART, publicKey })).certificatePem);

    now += HOUR;
    await ca.rotateRoot();
    const newRoot = new X509Certificate(ca.rootCertificatePem);
    expect(newRoot.fingerprint256).not.toBe(oldRoot.fingerprint256);
    expect(bundleOf(ca)).toEqual([newRoot.fingerprint256, oldRoot.fingerprint256]);
    const newLeaf = new X509Certificate((await ca.issueWorkloadCertificate({ workload: CART, publicKey })).certificatePem);
    expect(newLeaf.checkIssued(newRoot)).toBe(true);
    expect(newLeaf.checkIssued(oldRoot)).toBe(false);
    expect(oldLeaf.checkIssued(oldRoot)).toBe(true);

    // The replica picks up the rotation from the store, and so does a fresh start.
    expect(bundleOf(replica)).toEqual([oldRoot.fingerprint256]);
    await replica.reload();
    expect(bundleOf(replica)).toEqual(bundleOf(ca));
    expect(bundleOf(await MeshCa.open({ store, trustDomain: TD, now: clock }))).toEqual(bundleOf(ca));

    // A leaf signed just before the rotation could live 24 h past it: the old root stays that long, plus skew.
    now = Date.parse(oldLeaf.validTo) + 4 * 60_000;
    expect(bundleOf(ca)).toEqual([newRoot.fingerprint256, oldRoot.fingerprint256]);
    now = Date.parse(oldLeaf.validTo) + HOUR + 6 * 60_000;
    expect(bundleOf(ca)).toEqual([newRoot.fingerprint256]);
    // And a later rotation drops it from the store for good.
    await ca.rotateRoot();
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'ca.json'), 'utf8')).retired).toHaveLength(1);
  });

  withOpenssl('openssl verifies leaves of both roots against the bundle during the overlap', async () => {
    const ca = await MeshCa.open({ store: new FileCaStore(path.join(dir, 'ca')), trustDomain: TD });
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    write('old.pem', (await ca.issueWorkloadCertificate({ workload: CART, publicKey })).certificatePem);
    write('old-root.pem', ca.rootCertificatePem);
    await ca.rotateRoot();
    write('new.pem', (await ca.issueWorkloadCertificate({ workload: CART, publicKey })).certificatePem);
    write('bundle.pem', ca.trustBundlePem());
    expect(openssl(dir, 'verify', '-CAfile', 'bundle.pem', 'old.pem', 'new.pem')).toEqual({ ok: true, output: 'old.pem: OK\nnew.pem: OK\n' });
    expect(openssl(dir, 'verify', '-CAfile', 'old-root.pem', 'new.pem').ok).toBe(false);
  });

  test('two replicas rotating from the same generation: the second is refused, not silently lost', async () => {
    const store = new FileCaStore(dir);
    const a = await MeshCa.open({ store, trustDomain: TD });
    const b = await MeshCa.open({ store, trustDomain: TD });
    await a.rotateRoot();
    await expect(b.rotateRoot()).rejects.toBeInstanceOf(CaStoreConflictError);
    expect(b.rootCertificatePem).not.toBe(a.rootCertificatePem);
    await b.reload();
    expect(b.rootCertificatePem).toBe(a.rootCertificatePem);
  });
});

describe('prepared root rotation', () => {
  const SKEW = 5 * 60_000;
  const LEAF = 24 * HOUR;
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;
  const issuerOf = async (ca: MeshCa): Promise<string> => {
    const leaf = new X509Certificate((await ca.issueWorkloadCertificate({ workload: CART, publicKey: key })).certificatePem);
    return [ca.rootCertificatePem, ca.pendingRoot?.certificatePem].find((pem) => pem && leaf.verify(new X509Certificate(pem).publicKey))!;
  };

  test('the next root is trusted at once, signs from activatesAt, and the old root leaves the bundle after its last leaf', async () => {
    let now = Date.parse('2026-03-01T00:00:00Z');
    const ca = await MeshCa.open({ store: new FileCaStore(dir), trustDomain: TD, now: () => new Date(now) });
    const oldRoot = ca.rootCertificatePem;
    const before = await ca.issueWorkloadCertificate({ workload: CART, publicKey: key });
    expect(bundleOf(ca)).toEqual([fingerprint(oldRoot)]);

    const prepared = now;
    const activatesAt = await ca.prepareRootRotation();
    expect(activatesAt.getTime()).toBe(prepared + LEAF + SKEW);
    const nextRoot = ca.pendingRoot!.certificatePem;
    expect(ca.pendingRoot!.activatesAt).toEqual(activatesAt);
    expect(ca.generation).toBe(1);
    // In the bundle at once, for every workload that renews from now on; leaves still come from the old root.
    expect(bundleOf(ca)).toEqual([fingerprint(oldRoot), fingerprint(nextRoot)]);
    expect(before.trustBundlePem).toBe(oldRoot);
    now += 12 * HOUR;
    const renewed = await ca.issueWorkloadCertificate({ workload: CART, publicKey: key });
    expect(renewed.trustBundlePem).toBe(oldRoot + nextRoot);
    expect(await issuerOf(ca)).toBe(oldRoot);

    now = activatesAt.getTime() - 1;
    expect(ca.rootCertificatePem).toBe(oldRoot);
    const lastOld = await ca.issueWorkloadCertificate({ workload: CART, publicKey: key });
    expect(new X509Certificate(lastOld.certificatePem).verify(new X509Certificate(oldRoot).publicKey)).toBe(true);

    now = activatesAt.getTime();
    expect(ca.rootCertificatePem).toBe(nextRoot);
    expect(ca.pendingRoot).toBeUndefined();
    expect(await issuerOf(ca)).toBe(nextRoot);
    expect(bundleOf(ca)).toEqual([fingerprint(nextRoot), fingerprint(oldRoot)]);
    expect(ca.generation).toBe(1); // no second write

    // The old root's last leaf lives until activatesAt + 24 h; the old root stays that long, plus skew.
    now = lastOld.notAfter.getTime();
    expect(bundleOf(ca)).toEqual([fingerprint(nextRoot), fingerprint(oldRoot)]);
    now = activatesAt.getTime() + LEAF + SKEW;
    expect(bundleOf(ca)).toEqual([fingerprint(nextRoot)]);
  });

  test('a second prepare while one is pending is refused and saves nothing; after activation the next one is allowed', async () => {
    let now = Date.parse('2026-03-01T00:00:00Z');
    const store = new FileCaStore(dir);
    const ca = await MeshCa.open({ store, trustDomain: TD, now: () => new Date(now) });
    const activatesAt = await ca.prepareRootRotation();
    const saved = fs.readFileSync(path.join(dir, 'ca.json'), 'utf8');
    now = activatesAt.getTime() - 1;
    const second = ca.prepareRootRotation();
    await expect(second).rejects.toBeInstanceOf(RotationPendingError);
    await expect(second).rejects.toThrow(`mesh CA: a rotation is already under way: the next CA is in the trust bundle and starts signing at ${activatesAt.toISOString()}`);
    expect(fs.readFileSync(path.join(dir, 'ca.json'), 'utf8')).toBe(saved);

    now = activatesAt.getTime();
    const nextRoot = ca.rootCertificatePem;
    const after = await ca.prepareRootRotation();
    const stored = (await store.load())!;
    // The save writes down what had happened by itself: the pending root is the active one.
    expect(stored.active.certificatePem).toBe(nextRoot);
    expect(stored.retired).toHaveLength(1);
    expect(stored.pending!.activatesAt).toBe(after.toISOString());
  });

  test('another replica that reloads sees the same phases at the same times', async () => {
    let now = Date.parse('2026-03-01T00:00:00Z');
    const clock = (): Date => new Date(now);
    const store = new FileCaStore(dir);
    const a = await MeshCa.open({ store, trustDomain: TD, now: clock });
    const b = await MeshCa.open({ store, trustDomain: TD, now: clock });
    const activatesAt = await a.prepareRootRotation();
    await b.reload();
    for (const at of [now, activatesAt.getTime() - 1, activatesAt.getTime(), activatesAt.getTime() + LEAF + SKEW]) {
      now = at;
      expect(bundleOf(b)).toEqual(bundleOf(a));
      expect(b.rootCertificatePem).toBe(a.rootCertificatePem);
      expect(b.pendingRoot).toEqual(a.pendingRoot);
      expect(await issuerOf(b)).toBe(await issuerOf(a));
    }
  });

  test('a pending root whose key is not its own is refused at start; a replica that reloads it keeps what it had', async () => {
    const store = new FileCaStore(dir);
    const file = path.join(dir, 'ca.json');
    const ca = await MeshCa.open({ store, trustDomain: TD });
    const { active } = JSON.parse(fs.readFileSync(file, 'utf8'));
    await ca.prepareRootRotation();
    const prepared = JSON.parse(fs.readFileSync(file, 'utf8'));
    const bundle = ca.trustBundlePem();

    fs.writeFileSync(file, JSON.stringify({ ...prepared, generation: 2, pending: { ...prepared.pending, privateKeyPem: active.privateKeyPem } }));
    await expect(MeshCa.open({ store, trustDomain: TD })).rejects.toThrow('pending.privateKeyPem does not belong to pending.certificatePem');
    await expect(ca.reload()).rejects.toThrow('pending.privateKeyPem does not belong to pending.certificatePem');
    expect(ca.generation).toBe(1);
    expect(ca.trustBundlePem()).toBe(bundle);

    fs.writeFileSync(file, JSON.stringify({ ...prepared, pending: { ...prepared.pending, activatesAt: 'soon' } }));
    await expect(MeshCa.open({ store, trustDomain: TD })).rejects.toThrow(`CA store ${file}: pending must be { certificatePem, privateKeyPem, activatesAt[, anchors] }`);
  });
});

function bundleOf(ca: MeshCa): string[] {
  return ca.trustBundlePem().split(/(?<=-----END CERTIFICATE-----\n)/).filter(Boolean).map((pem) => new X509Certificate(pem).fingerprint256);
}
