/**
 * The checks an exchange answer must pass before the agent uses it: each refusal names why, and a
 * good answer becomes the held certificate with the control plane's trust added.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acceptAnswer } from '../../src/agent/held-certificate';
import { newWorkloadKey } from '../../src/agent/workload-key';
import { MeshCa } from '../../src/identity/ca';
import { FileCaStore } from '../../src/identity/ca-store';
import type { CertificateExchangeResponse } from '../../src/identity/exchange-protocol';
import type { WorkloadRef } from '../../src/identity/spiffe';

const NODE = 'mesh/shop/virtualNode/cart';
const CART: WorkloadRef = { meshName: 'shop', kind: 'virtualNode', name: 'cart' };
const ANCHORS = '-----BEGIN CERTIFICATE-----\nanchor\n-----END CERTIFICATE-----\n';

let dir: string;
let ca: MeshCa;
let otherCa: MeshCa;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'held-certificate-'));
  ca = await MeshCa.open({ store: new FileCaStore(path.join(dir, 'a')), trustDomain: 'mesh.example' });
  otherCa = await MeshCa.open({ store: new FileCaStore(path.join(dir, 'b')), trustDomain: 'mesh.example' });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function answer(issuer: MeshCa, csrPem: string, workload = CART): Promise<CertificateExchangeResponse> {
  const issued = await issuer.issueWorkloadCertificate({ workload, csrPem });
  return {
    certificateChain: issued.certificatePem,
    trustBundle: ca.trustBundlePem(),
    spiffeId: `spiffe://mesh.example/mesh/${workload.meshName}/${workload.kind}/${workload.name}`,
    notBefore: issued.notBefore.toISOString(),
    notAfter: issued.notAfter.toISOString(),
  };
}

test('a certificate for the agent\'s key and node, signed by a root of the bundle, is held', async () => {
  const key = await newWorkloadKey(NODE);
  const held = acceptAnswer(await answer(ca, key.csrPem), key, NODE, ANCHORS, new Date());
  expect(held.spiffeId).toBe(`spiffe://mesh.example/${NODE}`);
  expect(held.trustBundlePem).toBe(ca.trustBundlePem());
  expect(held.controlPlaneTrustPem).toBe(ANCHORS + ca.trustBundlePem());
});

test('refused: another key, another node, another CA, expired, not a certificate', async () => {
  const key = await newWorkloadKey(NODE);
  const otherKey = await newWorkloadKey(NODE);
  const good = await answer(ca, key.csrPem);
  const refusal = (a: CertificateExchangeResponse, now = new Date()): string => {
    try {
      acceptAnswer(a, key, NODE, ANCHORS, now);
      return 'accepted';
    } catch (err) {
      return (err as Error).message.replace('the control plane\'s answer was refused: ', '');
    }
  };
  expect(refusal(await answer(ca, otherKey.csrPem))).toBe('the certificate is not for the agent\'s key');
  expect(refusal(await answer(ca, key.csrPem, { ...CART, name: 'payments' })))
    .toBe('spiffeId "spiffe://mesh.example/mesh/shop/virtualNode/payments" does not name node mesh/shop/virtualNode/cart');
  expect(refusal({ ...good, spiffeId: 'spiffe://mesh.example/mesh/shop/virtualNode/cart2' }))
    .toBe('the certificate\'s URI SANs ["spiffe://mesh.example/mesh/shop/virtualNode/cart"] are not spiffeId "spiffe://mesh.example/mesh/shop/virtualNode/cart2"');
  expect(refusal(await answer(otherCa, key.csrPem))).toBe('the certificate is not signed by a root of trustBundle');
  expect(refusal({ ...good, trustBundle: '' })).toBe('trustBundle holds no certificate');
  expect(refusal(good, new Date(Date.now() + 2 * 24 * 3600_000))).toMatch(/^the certificate expired at /);
  expect(refusal({ ...good, certificateChain: 'garbage' })).toMatch(/^certificateChain is not a certificate/);
});
