/**
 * Checks what a workload sends to be certified: a PKCS#10 CSR (PEM) or a bare public key. Only
 * the key is taken from a CSR; its subject and requested SANs are ignored, because the identity
 * in the certificate is decided by the caller from the authenticated exchange.
 */
import { createPublicKey, type KeyObject } from 'crypto';
import { x509 } from './x509-library';

/** A CSR or public key the CA will not certify, with the reason. */
export class CsrRejectedError extends Error {
  constructor(readonly reason: string) {
    super(`certificate request rejected: ${reason}`);
    this.name = 'CsrRejectedError';
  }
}

/** A key that passed the checks, ready to be certified. */
export interface CheckedPublicKey {
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Buffer;
  readonly keyType: 'ec' | 'rsa';
}

/** Larger than any CSR of an allowed key (an RSA 8192 CSR is about 2.5 KiB of PEM). */
export const MAX_CSR_PEM_BYTES = 16 * 1024;
const EC_CURVES = new Set(['prime256v1', 'secp384r1']);
const MIN_RSA_BITS = 2048;
// Bounds the cost of signature checks an unauthenticated caller can ask for.
const MAX_RSA_BITS = 8192;
const CSR_BLOCK = /-----BEGIN (NEW )?CERTIFICATE REQUEST-----/g;

/** Parses and checks a CSR: size, one PEM block, key type and size, and its self-signature. */
export async function checkCsr(pem: string): Promise<CheckedPublicKey> {
  if (typeof pem !== 'string') throw new CsrRejectedError('the CSR must be a PEM string');
  if (Buffer.byteLength(pem, 'utf8') > MAX_CSR_PEM_BYTES) throw new CsrRejectedError(`the CSR is larger than ${MAX_CSR_PEM_BYTES} bytes`);
  const blocks = pem.match(CSR_BLOCK)?.length ?? 0;
  if (blocks !== 1) throw new CsrRejectedError(`expected one PEM "CERTIFICATE REQUEST" block, found ${blocks}`);
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem.trim());
  } catch (err) {
    throw new CsrRejectedError(`not a readable PKCS#10 CSR (${(err as Error).message})`);
  }
  const key = checkPublicKey(Buffer.from(csr.publicKey.rawData));
  let signed: boolean;
  try {
    signed = await csr.verify();
  } catch (err) {
    throw new CsrRejectedError(`the CSR signature cannot be checked (${(err as Error).message})`);
  }
  if (!signed) throw new CsrRejectedError('the CSR signature does not verify with its own public key');
  return key;
}

/**
 * Checks a bare public key (DER SPKI, PEM, or a KeyObject): EC P-256/P-384, or RSA of 2048 to
 * 8192 bits. Without a CSR there is no proof that the caller holds the private key; use it only
 * where the channel already proves that (an agent handing over its own fresh key).
 */
export function checkPublicKey(key: Buffer | string | KeyObject): CheckedPublicKey {
  let publicKey: KeyObject;
  try {
    if (Buffer.isBuffer(key)) publicKey = createPublicKey({ key, format: 'der', type: 'spki' });
    else if (typeof key !== 'string' && key.type === 'public') publicKey = key;
    else publicKey = createPublicKey(key);
  } catch (err) {
    throw new CsrRejectedError(`not a readable public key (${(err as Error).message})`);
  }
  const details = publicKey.asymmetricKeyDetails ?? {};
  if (publicKey.asymmetricKeyType === 'ec') {
    if (!EC_CURVES.has(details.namedCurve ?? '')) {
      throw new CsrRejectedError(`EC curve ${details.namedCurve ?? 'unknown'} is not allowed (P-256 or P-384)`);
    }
  } else if (publicKey.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
      throw new CsrRejectedError(`RSA key of ${bits} bits is not allowed (${MIN_RSA_BITS} to ${MAX_RSA_BITS})`);
    }
  } else {
    throw new CsrRejectedError(`key type ${publicKey.asymmetricKeyType ?? 'unknown'} is not allowed (EC P-256/P-384 or RSA)`);
  }
  return { spki: publicKey.export({ type: 'spki', format: 'der' }), keyType: publicKey.asymmetricKeyType };
}
