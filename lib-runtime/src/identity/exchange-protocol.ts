/**
 * The certificate exchange between an agent (beside a proxy or a proxyless client) and the control
 * plane: the agent proves who its workload is, sends a CSR for a key that never leaves it, and gets
 * back a short-lived certificate naming its node and the mesh's trust bundle.
 *
 *   POST https://<control plane>:<exchange port>/v1/certificate   (server-authenticated TLS)
 *   content-type: application/json; body: CertificateExchangeRequest
 *   200 → CertificateExchangeResponse
 *   400 malformed request or CSR · 401 identity not proven · 403 identity may not act as the node
 *   413 body too large · 429 rate limited · 503 CA not available; every error body is ExchangeError.
 *
 * Plain data both ways, shared by the server and the agent so they cannot drift.
 */

export const EXCHANGE_PATH = '/v1/certificate';

/** Largest request body the server reads; a CSR is < 2 KiB, a signed STS request < 8 KiB. */
export const MAX_EXCHANGE_REQUEST_BYTES = 64 * 1024;

/** How the agent proves its workload's identity. */
export type IdentityCredential =
  /** ECS: a SigV4-pre-signed sts:GetCallerIdentity request the control plane executes (see aws-iam.ts). */
  | { readonly type: 'aws-iam'; readonly request: { readonly method: string; readonly url: string; readonly headers: Readonly<Record<string, string>>; readonly body: string } }
  /** EKS: a projected service-account token bound to the control plane's audience (see kubernetes-token.ts). */
  | { readonly type: 'kubernetes'; readonly token: string };

export interface CertificateExchangeRequest {
  /** The node the workload runs as: `mesh/<mesh>/virtualNode/<name>` or `mesh/<mesh>/virtualGateway/<name>`. */
  readonly nodeId: string;
  /** PKCS#10 CSR in PEM for the agent's key; its requested names are ignored. */
  readonly csr: string;
  readonly credential: IdentityCredential;
}

export interface CertificateExchangeResponse {
  /** The leaf certificate in PEM (the root is in the trust bundle, not here). */
  readonly certificateChain: string;
  /** Every root the mesh currently trusts, PEM, concatenated. */
  readonly trustBundle: string;
  /** The certificate's one URI SAN. */
  readonly spiffeId: string;
  /** ISO 8601; renew at about half the lifetime. */
  readonly notBefore: string;
  readonly notAfter: string;
}

export interface ExchangeError {
  readonly error: string;
}
