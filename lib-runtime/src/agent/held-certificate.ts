/**
 * What the agent holds between renewals, and the checks an answer must pass to become it: the
 * certificate is for the agent's own key, names the agent's node, is within its validity and
 * chains to a root of the bundle that came with it. An answer that fails keeps the last good one.
 */
import { createPrivateKey, X509Certificate } from 'crypto';
import type { WorkloadKey } from './workload-key';
import type { CertificateExchangeResponse } from '../identity/exchange-protocol';
import { uriSansOf } from '../identity/spiffe';

export interface HeldCertificate {
  /** PKCS#8 PEM; never log it. */
  readonly privateKeyPem: string;
  readonly certificatePem: string;
  /** Every root the mesh trusts, PEM. */
  readonly trustBundlePem: string;
  readonly spiffeId: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** What the control plane's server certificates must chain to: --ca-bundle and the mesh bundle. */
  readonly controlPlaneTrustPem: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificate of an exchange answer, checked; throws naming the problem. */
export function acceptAnswer(
  answer: CertificateExchangeResponse, key: WorkloadKey, nodeId: string, anchorsPem: string, now: Date,
): HeldCertificate {
  const fail = (why: string): never => {
    throw new Error(`the control plane's answer was refused: ${why}`);
  };
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(answer.certificateChain);
  } catch (err) {
    return fail(`certificateChain is not a certificate (${(err as Error).message})`);
  }
  if (!leaf.checkPrivateKey(createPrivateKey(key.privateKeyPem))) fail('the certificate is not for the agent\'s key');
  const uris = uriSansOf(leaf.subjectAltName);
  if (uris.length !== 1 || uris[0] !== answer.spiffeId) fail(`the certificate's URI SANs ${JSON.stringify(uris)} are not spiffeId ${JSON.stringify(answer.spiffeId)}`);
  if (!answer.spiffeId.endsWith(`/${nodeId}`)) fail(`spiffeId ${JSON.stringify(answer.spiffeId)} does not name node ${nodeId}`);
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (notAfter <= now) fail(`the certificate expired at ${notAfter.toISOString()}`);
  const roots = (answer.trustBundle.match(PEM_CERTIFICATE) ?? []).map((pem) => {
    try {
      return new X509Certificate(pem);
    } catch (err) {
      return fail(`trustBundle holds an unreadable certificate (${(err as Error).message})`);
    }
  });
  if (roots.length === 0) fail('trustBundle holds no certificate');
  if (!roots.some((root) => leaf.checkIssued(root) && leaf.verify(root.publicKey))) fail('the certificate is not signed by a root of trustBundle');
  const trustBundlePem = roots.map((root) => root.toString()).join('');
  return {
    privateKeyPem: key.privateKeyPem,
    certificatePem: leaf.toString(),
    trustBundlePem,
    spiffeId: answer.spiffeId,
    notBefore,
    notAfter,
    controlPlaneTrustPem: anchorsPem.trim() + '\n' + trustBundlePem,
  };
}
