/**
 * The agent's key pair and its CSR: EC P-256, made in memory for each certificate (a renewal
 * rotates the key too). The private key goes only to the agent's outputs (key.pem, SDS); the CSR
 * proves to the CA that the agent holds it. Never log either.
 */
import type { webcrypto as nodeWebcrypto } from 'crypto';
import { webcrypto, x509 } from '../identity/x509-library';

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface WorkloadKey {
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  /** PKCS#10 PEM; its subject is informational, the CA names the certificate from the exchange. */
  readonly csrPem: string;
}

export async function newWorkloadKey(nodeId: string): Promise<WorkloadKey> {
  const keys = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']) as nodeWebcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    // The CN is for people reading the CSR; the CA ignores it.
    name: [{ CN: [nodeId.slice(0, 64)] }],
    keys,
    signingAlgorithm: SIGNING,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const lines = pkcs8.toString('base64').match(/.{1,64}/g) ?? [];
  return {
    privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`,
    csrPem: csr.toString('pem') + '\n',
  };
}
