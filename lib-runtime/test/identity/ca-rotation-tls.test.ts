/**
 * Root rotation seen by workloads, in real mutual-TLS handshakes on loopback: a fleet whose
 * workloads renew at half-life, each holding the leaf and the trust bundle its last renewal gave
 * it (what its agent serves to Envoy). At every phase of a prepared rotation, every pair completes a
 * handshake; a rotation at once (`rotateRoot`) breaks pairs until they renew.
 *
 * TLS checks validity against the real clock, so each moment is replayed with the timeline shifted
 * to make that moment now: the CA's injectable clock runs the renewals and the rotation before it.
 */
import { generateKeyPairSync, X509Certificate } from 'crypto';
import * as fs from 'fs';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import { MeshCa } from '../../src/identity/ca';
import { FileCaStore } from '../../src/identity/ca-store';

const HOUR = 3600_000;
const LEAF = 24 * HOUR;
const SKEW = 5 * 60_000;
/** When, within each half-life, each workload of the fleet renews (hours); none at the rotation itself. */
const RENEWAL_OFFSETS = [1, 4, 7, 10].map((h) => h * HOUR);
/** From the rotation: when the pending root starts signing, and when the old root leaves the bundle. */
const ACTIVATES = LEAF + SKEW;
const OLD_ROOT_GONE = ACTIVATES + LEAF + SKEW;

interface Held {
  readonly key: string;
  readonly cert: string;
  readonly bundle: string;
}

interface Fleet {
  readonly holders: Held[];
  readonly oldRoot: X509Certificate;
  readonly newRoot: X509Certificate;
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-ca-rotation-tls-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The fleet as it stands `sinceRotation` after a rotation: it has run two leaf lifetimes before it, renewing at half-life. */
async function fleetAt(sinceRotation: number, rotation: 'prepared' | 'at once'): Promise<Fleet> {
  const rotatedAt = Date.now() - sinceRotation;
  const start = rotatedAt - 2 * LEAF;
  let clock = start;
  const ca = await MeshCa.open({ store: new FileCaStore(fs.mkdtempSync(path.join(dir, 'ca-'))), trustDomain: 'mesh.example', now: () => new Date(clock) });
  const oldRoot = new X509Certificate(ca.rootCertificatePem);
  let newRoot: X509Certificate | undefined;
  const events = [{ at: rotatedAt, workload: -1 }];
  RENEWAL_OFFSETS.forEach((offset, workload) => {
    for (let at = start + offset; at <= rotatedAt + sinceRotation; at += LEAF / 2) events.push({ at, workload });
  });
  const holders: Held[] = [];
  for (const { at, workload } of events.sort((a, b) => a.at - b.at)) {
    clock = at;
    if (workload < 0) {
      if (rotation === 'prepared') await ca.prepareRootRotation();
      else await ca.rotateRoot();
      newRoot = new X509Certificate(ca.pendingRoot?.certificatePem ?? ca.rootCertificatePem);
      continue;
    }
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issued = await ca.issueWorkloadCertificate({ workload: { meshName: 'shop', kind: 'virtualNode', name: `w${workload}` }, publicKey });
    holders[workload] = { key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cert: issued.certificatePem, bundle: issued.trustBundlePem };
  }
  return { holders, oldRoot, newRoot: newRoot! };
}

/** One mutual-TLS handshake, each side verifying the other with its own bundle: 'ok', or why it failed. */
async function handshake(client: Held, server: Held): Promise<string> {
  let serverError = '';
  const listener = tls.createServer({ key: server.key, cert: server.cert, ca: server.bundle, requestCert: true, rejectUnauthorized: true },
    (socket) => socket.end('ok'));
  listener.on('tlsClientError', (error) => (serverError = error.message));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  try {
    return await new Promise<string>((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port: (listener.address() as AddressInfo).port,
        key: client.key,
        cert: client.cert,
        ca: client.bundle,
        // Workload leaves name a SPIFFE ID, not a host: the chain is what is under test.
        checkServerIdentity: () => undefined,
      });
      let received = '';
      socket.on('data', (data) => (received += String(data)));
      socket.on('error', (error) => resolve(`client: ${error.message}`));
      // With TLS 1.3 the server checks the client's certificate after the client is done, so only its answer proves both checks.
      socket.on('close', () => resolve(received === 'ok' ? 'ok' : `server: ${serverError || 'closed'}`));
    });
  } finally {
    listener.close();
  }
}

/** Every ordered pair of the fleet that fails a handshake, with why. */
async function failingPairs(fleet: Fleet): Promise<string[]> {
  const failures: string[] = [];
  for (const [i, client] of fleet.holders.entries()) {
    for (const [j, server] of fleet.holders.entries()) {
      if (i === j) continue;
      const result = await handshake(client, server);
      if (result !== 'ok') failures.push(`w${i} -> w${j}: ${result}`);
    }
  }
  return failures;
}

/** Which root signed each workload's leaf, and how many roots its bundle holds. */
function stateOf(fleet: Fleet): string[] {
  return fleet.holders.map((held) => {
    const leaf = new X509Certificate(held.cert);
    const issuer = leaf.verify(fleet.oldRoot.publicKey) ? 'old' : leaf.verify(fleet.newRoot.publicKey) ? 'new' : '?';
    return `${issuer} leaf, ${held.bundle.match(/BEGIN CERTIFICATE/g)!.length} roots`;
  });
}

test.each([
  // Just after the rotation: some workloads still hold the bundle from before (the old root only).
  ['2 h after the rotation', 2 * HOUR, ['old leaf, 2 roots', 'old leaf, 1 roots', 'old leaf, 1 roots', 'old leaf, 1 roots']],
  ['13 h after: every workload has renewed once and trusts both', 13 * HOUR, Array(4).fill('old leaf, 2 roots')],
  ['1 h before the new root signs', ACTIVATES - HOUR, Array(4).fill('old leaf, 2 roots')],
  // The new root signs: old and new leaves meet.
  ['1 h after the new root signs', ACTIVATES + HOUR, ['new leaf, 2 roots', 'old leaf, 2 roots', 'old leaf, 2 roots', 'old leaf, 2 roots']],
  ['7 h after', ACTIVATES + 7 * HOUR, ['new leaf, 2 roots', 'new leaf, 2 roots', 'new leaf, 2 roots', 'old leaf, 2 roots']],
  ['13 h after', ACTIVATES + 13 * HOUR, Array(4).fill('new leaf, 2 roots')],
  // Bundles given out since no longer hold the old root; those from before still do, harmlessly, until the next renewal.
  ['after the old root\'s last leaf expired', OLD_ROOT_GONE + HOUR, ['new leaf, 1 roots', 'new leaf, 2 roots', 'new leaf, 2 roots', 'new leaf, 2 roots']],
])('a prepared rotation, %s: every pair completes a mutual-TLS handshake', async (_when, sinceRotation, expected) => {
  const fleet = await fleetAt(sinceRotation as number, 'prepared');
  expect(stateOf(fleet)).toEqual(expected);
  expect(await failingPairs(fleet)).toEqual([]);
});

test('a rotation at once (a leaked key): a workload that has not renewed since refuses a peer with a leaf of the new root', async () => {
  const fleet = await fleetAt(2 * HOUR, 'at once');
  expect(stateOf(fleet)).toEqual(['new leaf, 2 roots', 'old leaf, 1 roots', 'old leaf, 1 roots', 'old leaf, 1 roots']);
  const failures = await failingPairs(fleet);
  // w0 renewed after the rotation; w1 to w3 trust only the old root, so each refuses w0, as client and as server.
  expect(failures.map((failure) => failure.split(':')[0]).sort()).toEqual(['w0 -> w1', 'w0 -> w2', 'w0 -> w3', 'w1 -> w0', 'w2 -> w0', 'w3 -> w0']);
});
