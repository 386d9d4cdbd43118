/**
 * `open-app-mesh ca show|rotate` against a file CA store (and stand-ins of ACM Private CA and
 * Secrets Manager): what show prints, a prepared rotation (pending, then signing) and an immediate
 * one, what a running control plane makes of it (its mutual-TLS server trusts the pending root
 * before it signs), the bundle published for agents, and rotations refused: from a stale
 * generation, or while another is pending.
 */
import { generateKeyPairSync, X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PCA_ARN, PcaStandIn } from './acm-pca-stand-in';
import { SecretsManagerStandIn } from './secrets-manager-stand-in';
import { runCaCommand } from '../../src/ca-command';
import { runCli } from '../../src/cli';
import { MeshCa } from '../../src/identity/ca';
import { FileCaStore } from '../../src/identity/ca-store';
import { SecretsManagerCaStore } from '../../src/identity/secrets-manager-ca-store';
import { ServerTls } from '../../src/identity/server-tls';
import type { WorkloadRef } from '../../src/identity/spiffe';
import { Logger } from '../../src/log';
import { awsStandInEnvironment } from '../support/aws-stand-in-env';
import { callWhoami, issueLeaf, startWhoamiServer } from '../support/whoami-service';

const TD = 'mesh.example';
const CART: WorkloadRef = { meshName: 'shop', kind: 'virtualNode', name: 'cart' };
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

let dir: string;
let caDir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-ca-command-'));
  caDir = path.join(dir, 'ca');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the command as the CLI does, capturing what it prints. */
async function ca(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout += String(chunk), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr += String(chunk), true));
  try {
    const code = await runCli(['ca', ...argv]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

test('show prints the generation and the signing root with its not-after date, never a key', async () => {
  const mesh = await MeshCa.open({ store: new FileCaStore(caDir), trustDomain: TD });
  const root = new X509Certificate(mesh.rootCertificatePem);
  const { code, stdout } = await ca('show', '--ca-dir', caDir);
  expect(code).toBe(0);
  expect(stdout).toContain(`CA store ${path.join(caDir, 'ca.json')}: generation 0\n`);
  expect(stdout).toMatch(new RegExp(`signs +${root.subject.split('\n').join(', ')}\n +not after ${new Date(root.validTo).toISOString()}, sha256 ${root.fingerprint256}`));
  expect(stdout).not.toMatch(/PRIVATE KEY|BEGIN/);
});

const HOUR = 3600_000;
/** The subject as show prints it. */
const subjectOf = (certificate: X509Certificate): string => certificate.subject.split('\n').join(', ');

/** Moves a pending root's time to `activatesAt`, as if that much time had passed. */
function activatePendingAt(activatesAt: Date): void {
  const file = path.join(caDir, 'ca.json');
  const material = JSON.parse(fs.readFileSync(file, 'utf8'));
  material.pending.activatesAt = activatesAt.toISOString();
  fs.writeFileSync(file, JSON.stringify(material));
}

test('rotate prepares a pending root that show lists with when it starts signing; the old root signs until then', async () => {
  const before = await MeshCa.open({ store: new FileCaStore(caDir), trustDomain: TD });
  const oldRoot = new X509Certificate(before.rootCertificatePem);
  const started = Date.now();
  const rotated = await ca('rotate', '--ca-dir', caDir, '--generation', '0', '--trust-domain', TD);
  expect(rotated).toMatchObject({ code: 0, stderr: '' });
  expect(rotated.stdout).toMatch(/^prepared: generation 0 -> 1\n/);

  const stored = (await new FileCaStore(caDir).load())!;
  expect(stored.generation).toBe(1);
  expect(stored.active.certificatePem).toBe(before.rootCertificatePem);
  expect(stored.retired).toEqual([]);
  // One leaf lifetime (24 h) + clock skew (5 min) from now.
  const wait = Date.parse(stored.pending!.activatesAt) - started;
  expect(wait).toBeGreaterThanOrEqual(24 * HOUR + 5 * 60_000);
  expect(wait).toBeLessThan(24 * HOUR + 6 * 60_000);
  expect(rotated.stdout).toContain(`starts signing at ${stored.pending!.activatesAt}`);

  const next = new X509Certificate(stored.pending!.certificatePem);
  const shown = await ca('show', '--ca-dir', caDir);
  expect(shown.stdout).toMatch(new RegExp(`signs +${subjectOf(oldRoot)}\n.*, sha256 ${oldRoot.fingerprint256}\n`));
  expect(shown.stdout).toMatch(new RegExp(`pending +${subjectOf(next)}\n.*, signs from ${stored.pending!.activatesAt}, sha256 ${next.fingerprint256}\n`));
  expect(shown.stdout).not.toMatch(/PRIVATE KEY|BEGIN/);

  // Once its time has come, show (as every control plane) takes the pending root as the one that signs.
  const activatesAt = new Date(Date.now() - HOUR);
  activatePendingAt(activatesAt);
  const later = await ca('show', '--ca-dir', caDir);
  const trustedUntil = new Date(activatesAt.getTime() + 24 * HOUR + 5 * 60_000).toISOString();
  expect(later.stdout).toMatch(new RegExp(`signs +${subjectOf(next)}\n`));
  expect(later.stdout).toMatch(new RegExp(`retired +${subjectOf(oldRoot)}\n.*, trusted until ${trustedUntil}, sha256 ${oldRoot.fingerprint256}`));
  expect(later.stdout).not.toContain('pending');
});

test('a second rotation while one is pending is refused, saying when the pending root signs; --now rotates at once', async () => {
  const before = await MeshCa.open({ store: new FileCaStore(caDir), trustDomain: TD });
  expect((await ca('rotate', '--ca-dir', caDir, '--generation', '0')).code).toBe(0);
  const prepared = fs.readFileSync(path.join(caDir, 'ca.json'), 'utf8');
  const { activatesAt } = JSON.parse(prepared).pending;

  const second = await ca('rotate', '--ca-dir', caDir, '--generation', '1');
  expect(second).toMatchObject({ code: 1, stdout: '' });
  expect(second.stderr).toBe(`open-app-mesh ca: refused: a rotation is already under way: the next CA starts signing at ${activatesAt}. `
    + 'Rotate again after that, or with --now if a key leaked (workloads that have not renewed since then refuse peers with new leaves)\n');
  expect(fs.readFileSync(path.join(caDir, 'ca.json'), 'utf8')).toBe(prepared);

  // A leaked key: the new root signs at once, the pending one (kept in the same store) is dropped.
  const now = await ca('rotate', '--ca-dir', caDir, '--generation', '1', '--now');
  expect(now).toMatchObject({ code: 0, stderr: '' });
  expect(now.stdout).toMatch(/^rotated now: generation 1 -> 2\n[\s\S]*refuses peers that hold a leaf of the new one/);
  const stored = (await new FileCaStore(caDir).load())!;
  expect(stored.pending).toBeUndefined();
  expect(stored.active.certificatePem).not.toBe(before.rootCertificatePem);
  expect(stored.active.certificatePem).not.toBe(JSON.parse(prepared).pending.certificatePem);
  expect(stored.retired.map((r) => r.certificatePem)).toEqual([before.rootCertificatePem]);
  const hours = (Date.parse(stored.retired[0].trustedUntil) - Date.now()) / HOUR;
  expect(hours).toBeGreaterThan(24);
  expect(hours).toBeLessThan(24.2);
});

test('with Secrets Manager, the bundle published for the agents holds the pending root from the prepare on', async () => {
  const standIn = new SecretsManagerStandIn();
  const endpoint = await standIn.start();
  const env = { ...process.env };
  Object.assign(process.env, awsStandInEnvironment('AWS_ENDPOINT_URL_SECRETS_MANAGER', endpoint));
  try {
    const caSecret = standIn.createSecret('MeshCaRoot');
    const bundleSecret = standIn.createSecret('MeshTrustBundle');
    const client = new SecretsManagerClient({ region: 'eu-west-1', endpoint });
    const store = new SecretsManagerCaStore({ secretId: caSecret, trustBundleSecretId: bundleSecret, client });
    const before = await MeshCa.open({ store, trustDomain: TD });
    expect(standIn.current(bundleSecret)).toBe(before.rootCertificatePem);

    expect((await ca('rotate', '--ca-secret-arn', caSecret, '--ca-bundle-secret-arn', bundleSecret, '--generation', '0')).code).toBe(0);
    const pending = JSON.parse(standIn.current(caSecret)!).pending;
    // An agent started from now on trusts the control plane once its certificate comes from the pending root.
    expect(standIn.current(bundleSecret)).toBe(before.rootCertificatePem + pending.certificatePem);
  } finally {
    process.env = env;
    await standIn.stop();
  }
});

test('a rotation from a stale generation is refused and the store is left as it was', async () => {
  await MeshCa.open({ store: new FileCaStore(caDir), trustDomain: TD });
  expect((await ca('rotate', '--ca-dir', caDir, '--generation', '0')).code).toBe(0);
  const after = fs.readFileSync(path.join(caDir, 'ca.json'), 'utf8');

  const second = await ca('rotate', '--ca-dir', caDir, '--generation', '0');
  expect(second.code).toBe(1);
  expect(second.stderr).toMatch(/^open-app-mesh ca: refused: the CA store holds generation 1, not 0: it has changed since you looked .*ca show/);
  expect(fs.readFileSync(path.join(caDir, 'ca.json'), 'utf8')).toBe(after);
});

test('a rotation that loses a race to another one is refused by the store', async () => {
  await MeshCa.open({ store: new FileCaStore(caDir), trustDomain: TD });
  // The other rotation saves between this one's read and its write.
  const racing = await MeshCa.open({ store: new FileCaStore(caDir), trustDomain: TD });
  const save = jest.spyOn(FileCaStore.prototype, 'save').mockImplementationOnce(async function (this: FileCaStore, material) {
    save.mockRestore();
    await racing.rotateRoot();
    return this.save(material);
  });
  const result = await ca('rotate', '--ca-dir', caDir, '--generation', '0');
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/refused: CA store .*stored generation is 1, so generation 1 cannot replace it.*Another rotation won/);
  expect((await new FileCaStore(caDir).load())!.active.certificatePem).toBe(racing.rootCertificatePem);
});

test('usage: rotate needs --generation, unknown subcommands and flags are named, an empty store says so', async () => {
  expect(await ca('rotate', '--ca-dir', caDir)).toMatchObject({ code: 2, stderr: expect.stringContaining('rotate needs --generation <n>') });
  expect(await ca('rotate', '--ca-dir', caDir, '--generation', 'x')).toMatchObject({ code: 2, stderr: expect.stringContaining('--generation must be a whole number, got "x"') });
  expect(await ca('renew')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "renew"') });
  expect(await ca('show', '--spec', 'x.json')).toMatchObject({ code: 2, stderr: expect.stringContaining('--spec') });
  expect(await ca('show', '--ca-dir', caDir, '--ca-secret-arn', 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:x'))
    .toMatchObject({ code: 2, stderr: expect.stringContaining('--ca-dir and --ca-secret-arn name two CA stores') });
  expect(await ca('show', '--ca-dir', caDir, '--ca-acm-pca-arn', 'arn:aws:acm:eu-west-1:111122223333:certificate/x'))
    .toMatchObject({ code: 2, stderr: expect.stringContaining('--ca-acm-pca-arn must be an ACM Private CA ARN') });
  expect(await ca('show', '--ca-dir', caDir)).toMatchObject({ code: 1, stderr: expect.stringContaining(`--ca-dir ${caDir}: the CA store holds no CA yet`) });
  expect(fs.existsSync(caDir)).toBe(false);
});

test('rotate --ca-acm-pca-arn prepares a pending subordinate of the Private CA; show lists its root; leaving it takes --own-root', async () => {
  const pca = await PcaStandIn.start();
  pca.pollsBeforeReady = 0;
  try {
    const before = await MeshCa.open({ store: new FileCaStore(caDir), trustDomain: TD });
    const rotated = await ca('rotate', '--ca-dir', caDir, '--generation', '0', '--ca-acm-pca-arn', PCA_ARN, '--trust-domain', TD);
    expect(rotated).toMatchObject({ code: 0, stderr: '' });
    expect(pca.issueRequests).toHaveLength(1);
    const stored = (await new FileCaStore(caDir).load())!;
    expect(stored.active.certificatePem).toBe(before.rootCertificatePem);
    expect(stored.anchors).toBeUndefined();
    expect(stored.pending!.anchors).toEqual([pca.rootPem]);
    const root = new X509Certificate(pca.rootPem);
    expect(rotated.stdout).toMatch(/pending +CN=open-app-mesh signing CA \w+, O=mesh.example\n.*, signs from /);
    expect(rotated.stdout).toMatch(new RegExp(`above +${subjectOf(root)}\n.*\\(ACM Private CA, for the pending CA\\), sha256 ${root.fingerprint256}`));

    // Once the subordinate signs, a rotation without the flag would quietly leave the Private CA: refused unless --own-root says so.
    activatePendingAt(new Date(Date.now() - HOUR));
    const forgotten = await ca('rotate', '--ca-dir', caDir, '--generation', '1');
    expect(forgotten).toMatchObject({ code: 1, stderr: expect.stringContaining('give --ca-acm-pca-arn to rotate under it, or --own-root') });
    expect((await new FileCaStore(caDir).load())!.generation).toBe(1);
    expect((await ca('rotate', '--ca-dir', caDir, '--generation', '1', '--own-root')).code).toBe(0);
    const own = (await new FileCaStore(caDir).load())!;
    expect(own.active.certificatePem).toBe(stored.pending!.certificatePem);
    expect(own.anchors).toEqual([pca.rootPem]);
    expect(own.pending!.anchors).toBeUndefined();
    // When the own root signs, the Private CA's root stays trusted as long as the subordinate's leaves.
    const activation = new Date(Date.parse(own.pending!.activatesAt));
    const later = (await MeshCa.open({ store: new FileCaStore(caDir), trustDomain: TD, now: () => activation })).materialNow();
    expect(later.anchors).toBeUndefined();
    expect(later.retired.map((r) => r.certificatePem)).toEqual([before.rootCertificatePem, stored.pending!.certificatePem, pca.rootPem]);
  } finally {
    pca.mock.restore();
  }
});

describe('a running control plane', () => {
  test('picks up a prepared rotation: its mutual TLS trusts the pending root at once, it still signs with the old one and hands out both', async () => {
    // What main wires: the CA and the server's TLS identity, re-reading the store (here every 50 ms, not 5 minutes).
    const controlPlaneCa = await MeshCa.open({ store: new FileCaStore(caDir), trustDomain: TD });
    const oldRootPem = controlPlaneCa.rootCertificatePem;
    const tls = await ServerTls.start({ ca: controlPlaneCa, names: ['127.0.0.1'], log: new Logger('silent'), refreshIntervalMs: 50 });
    const { server, port } = await startWhoamiServer(tls.grpcCredentials(), TD);
    try {
      const oldLeaf = await issueLeaf(controlPlaneCa, CART);
      expect(await callWhoami(port, oldRootPem, oldLeaf)).toBe('mesh/shop/virtualNode/cart');

      expect((await ca('rotate', '--ca-dir', caDir, '--generation', '0')).code).toBe(0);
      const operatorView = await MeshCa.open({ store: new FileCaStore(caDir), trustDomain: TD });
      const bundle = operatorView.trustBundlePem();
      const nextRootPem = operatorView.pendingRoot!.certificatePem;
      expect(bundle.match(PEM_CERTIFICATE)!.map((pem) => pem.trim())).toEqual([oldRootPem.trim(), nextRootPem.trim()]);

      const deadline = Date.now() + 10_000;
      while ((tls.current.clientCaPem.match(PEM_CERTIFICATE) ?? []).length < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(tls.current.clientCaPem).toBe(bundle);
      expect(await callWhoami(port, bundle, oldLeaf)).toBe('mesh/shop/virtualNode/cart');
      // A leaf of the pending root, as one will be once it signs (a copy of the store whose time has come), is accepted already.
      const copy = path.join(dir, 'activated');
      fs.mkdirSync(copy);
      const material = JSON.parse(fs.readFileSync(path.join(caDir, 'ca.json'), 'utf8'));
      material.pending.activatesAt = new Date(Date.now() - 1000).toISOString();
      fs.writeFileSync(path.join(copy, 'ca.json'), JSON.stringify(material));
      const activated = await MeshCa.open({ store: new FileCaStore(copy), trustDomain: TD });
      expect(activated.rootCertificatePem).toBe(nextRootPem);
      expect(await callWhoami(port, bundle, await issueLeaf(activated, CART))).toBe('mesh/shop/virtualNode/cart');

      const issued = await controlPlaneCa.issueWorkloadCertificate({ workload: CART, publicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey });
      expect(issued.trustBundlePem).toBe(bundle);
      expect(new X509Certificate(issued.certificatePem).verify(new X509Certificate(oldRootPem).publicKey)).toBe(true);
    } finally {
      tls.stop();
      server.forceShutdown();
    }
  });
});

test('runCaCommand --help prints the usage', async () => {
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    expect(await runCaCommand(['--help'])).toBe(0);
    expect(write).toHaveBeenCalledWith(expect.stringContaining('Usage: open-app-mesh ca <show | rotate --generation <n> [--now]>'));
  } finally {
    write.mockRestore();
  }
});
