/**
 * The certificate exchange, server side (exchange-protocol.ts): an HTTPS endpoint, no client
 * certificate required, where an agent proves its workload's identity and gets a certificate for
 * the node that identity may act as:
 *
 *   per-source rate limit → body (size, time) → JSON shape → node id → CSR → credential (STS or
 *   the cluster's keys) → per-identity rate limit → proxyAccess of the spec served now → issue.
 *
 * Cheap checks come first, so garbage never reaches STS or the CA. Every refusal is answered with
 * its status and reason, logged and counted; no request can end or stall the server.
 */
import type { IncomingMessage, ServerResponse } from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';
import { AwsIamAuthError, nodeIdsAllowedFor, type AwsIamVerifier } from './aws-iam';
import type { MeshCa } from './ca';
import { checkCsr, CsrRejectedError } from './csr';
import {
  EXCHANGE_PATH, MAX_EXCHANGE_REQUEST_BYTES,
  type CertificateExchangeRequest, type CertificateExchangeResponse, type IdentityCredential,
} from './exchange-protocol';
import { KubernetesTokenError, type KubernetesTokenVerifier } from './kubernetes-token';
import type { ServerTls, ServerTlsMaterial } from './server-tls';
import { spiffeIdFor, SpiffeIdError, type WorkloadRef } from './spiffe';
import { KeyedTokenBuckets, type TokenBucketOptions } from './token-bucket';
import type { ProxyAccess } from '../../../src/spec/document';
import type { Logger } from '../log';

/** Why an exchange was refused: a bounded set, for a metric label. */
export type ExchangeRefusalReason =
  | 'notFound' | 'methodNotAllowed' | 'rateLimited' | 'busy' | 'tooLarge' | 'timeout' | 'malformed' | 'csrRejected'
  | 'credentialRefused' | 'credentialUnavailable' | 'notAllowed' | 'caUnavailable';

export interface ExchangeLimits {
  /** Requests per source address. Default: burst 20, 2 per second. */
  readonly perSource: TokenBucketOptions;
  /** Exchanges per proven identity (replicas of one task role share it). Default: burst 50, 1 per second. */
  readonly perIdentity: TokenBucketOptions;
  /** Requests being handled at once. Default 64. */
  readonly maxConcurrent: number;
  /** Time to receive a whole request, headers and body. Default 10 s. */
  readonly requestTimeoutMs: number;
  /** Time for a TLS handshake. Default 10 s. */
  readonly handshakeTimeoutMs: number;
}

const DEFAULT_LIMITS: ExchangeLimits = {
  perSource: { burst: 20, perSecond: 2 },
  perIdentity: { burst: 50, perSecond: 1 },
  maxConcurrent: 64,
  requestTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
};

export interface ExchangeServerOptions {
  readonly ca: MeshCa;
  readonly tls: ServerTls;
  /** proxyAccess of the spec served now; undefined while none is. Read at each request. */
  readonly proxyAccess: () => readonly ProxyAccess[] | undefined;
  /** Accepts `aws-iam` credentials when set. */
  readonly awsIam?: AwsIamVerifier;
  /** When set, a signed STS request must be for this region's endpoint (--sts-region). */
  readonly stsRegion?: string;
  /** Accepts `kubernetes` credentials when set. */
  readonly kubernetes?: KubernetesTokenVerifier;
  readonly log: Logger;
  readonly onRefused?: (reason: ExchangeRefusalReason) => void;
  readonly onIssued?: () => void;
  readonly limits?: Partial<ExchangeLimits>;
}

/** A refusal on its way to the client. */
class Refusal extends Error {
  constructor(readonly status: number, readonly reason: ExchangeRefusalReason, message: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

/** Who the credential proved, as a rate-limit key and for logs. */
interface ProvenIdentity {
  readonly key: string;
  readonly description: string;
  readonly mayActAs: (nodeId: string, proxyAccess: readonly ProxyAccess[]) => boolean;
}

const MAX_NODE_ID = 512;

export class CertificateExchangeServer {
  private readonly limits: ExchangeLimits;
  private readonly perSource: KeyedTokenBuckets;
  private readonly perIdentity: KeyedTokenBuckets;
  private readonly server: https.Server;
  private inFlight = 0;

  constructor(private readonly options: ExchangeServerOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.perSource = new KeyedTokenBuckets(this.limits.perSource);
    this.perIdentity = new KeyedTokenBuckets(this.limits.perIdentity);
    this.server = https.createServer({
      ...secureContextOptions(options.tls.current),
      handshakeTimeout: this.limits.handshakeTimeoutMs,
      requestTimeout: this.limits.requestTimeoutMs,
      headersTimeout: this.limits.requestTimeoutMs,
      maxHeaderSize: 16 * 1024,
    }, (req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
    // A failed handshake concerns that client only.
    this.server.on('tlsClientError', (error) => options.log.debug('certificate exchange: TLS handshake failed', { error: error.message }));
    options.tls.onChange((material) => this.server.setSecureContext(secureContextOptions(material)));
  }

  /** Listens; resolves with the bound port. */
  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const source = req.socket.remoteAddress ?? 'unknown';
    this.serve(req, source).then(
      (answer) => sendJson(res, 200, answer),
      (error: unknown) => {
        const refusal = error instanceof Refusal ? error : new Refusal(500, 'caUnavailable', 'internal error');
        if (!(error instanceof Refusal)) this.options.log.error('certificate exchange failed (a bug)', { error });
        this.options.onRefused?.(refusal.reason);
        this.options.log.warn('certificate exchange refused', { status: refusal.status, reason: refusal.reason, source, error: refusal.message });
        const headers: Record<string, string> = refusal.retryAfterSeconds ? { 'retry-after': String(refusal.retryAfterSeconds) } : {};
        // The rest of a body we did not read would be taken for the next request.
        if (!req.complete) headers.connection = 'close';
        sendJson(res, refusal.status, { error: refusal.message }, headers);
      },
    );
  }

  private async serve(req: IncomingMessage, source: string): Promise<CertificateExchangeResponse> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== EXCHANGE_PATH) throw new Refusal(404, 'notFound', `not found; the exchange is POST ${EXCHANGE_PATH}`);
    if (req.method !== 'POST') throw new Refusal(405, 'methodNotAllowed', `${EXCHANGE_PATH} takes POST`);
    if (!this.perSource.take(source)) {
      throw new Refusal(429, 'rateLimited', 'too many requests from this address', this.perSource.retryAfterSeconds(source));
    }
    if (this.inFlight >= this.limits.maxConcurrent) throw new Refusal(429, 'busy', 'too many exchanges in progress; retry shortly', 1);
    this.inFlight++;
    try {
      const request = parseRequest(await readBody(req));
      const workload = this.workloadOf(request.nodeId);
      let spki: Buffer;
      try {
        spki = (await checkCsr(request.csr)).spki;
      } catch (error) {
        if (error instanceof CsrRejectedError) throw new Refusal(400, 'csrRejected', `csr: ${error.reason}`);
        throw error;
      }
      const identity = await this.prove(request.credential);
      if (!this.perIdentity.take(identity.key)) {
        throw new Refusal(429, 'rateLimited', `too many exchanges for ${identity.description}`, this.perIdentity.retryAfterSeconds(identity.key));
      }
      const proxyAccess = this.options.proxyAccess();
      if (proxyAccess === undefined) throw new Refusal(403, 'notAllowed', 'no mesh spec is served yet, so no node can be granted');
      if (!identity.mayActAs(request.nodeId, proxyAccess)) {
        throw new Refusal(403, 'notAllowed', `${identity.description} is not among the proxyAccess principals of ${request.nodeId} in the spec served now`);
      }
      let issued;
      try {
        issued = await this.options.ca.issueWorkloadCertificate({ workload, publicKey: spki });
      } catch (error) {
        this.options.log.error('certificate exchange: the CA could not issue', { node: request.nodeId, error });
        throw new Refusal(503, 'caUnavailable', 'the CA could not issue a certificate; retry later');
      }
      const spiffeId = spiffeIdFor(this.options.ca.trustDomain, workload);
      this.options.onIssued?.();
      this.options.log.info('certificate issued', {
        node: request.nodeId, identity: identity.description, source, serialNumber: issued.serialNumber, notAfter: issued.notAfter.toISOString(),
      });
      return {
        certificateChain: issued.certificatePem,
        trustBundle: issued.trustBundlePem,
        spiffeId,
        notBefore: issued.notBefore.toISOString(),
        notAfter: issued.notAfter.toISOString(),
      };
    } finally {
      this.inFlight--;
    }
  }

  private async prove(credential: IdentityCredential): Promise<ProvenIdentity> {
    if (credential.type === 'aws-iam') {
      const verifier = this.options.awsIam;
      if (!verifier) throw new Refusal(401, 'credentialRefused', 'aws-iam credentials are not accepted by this control plane');
      this.checkStsRegion(credential.request?.url);
      try {
        const identity = await verifier.verify(credential.request);
        const key = identity.roleName ? `aws:${identity.partition}:${identity.account}:role/${identity.roleName}` : `aws:${identity.arn}`;
        return {
          key,
          description: identity.arn,
          mayActAs: (nodeId, proxyAccess) => nodeIdsAllowedFor(identity, proxyAccess).includes(nodeId),
        };
      } catch (error) {
        if (error instanceof AwsIamAuthError) {
          throw error.kind === 'refused'
            ? new Refusal(401, 'credentialRefused', error.message)
            : new Refusal(503, 'credentialUnavailable', error.message, 5);
        }
        throw error;
      }
    }
    if (credential.type === 'kubernetes') {
      const verifier = this.options.kubernetes;
      if (!verifier) throw new Refusal(401, 'credentialRefused', 'kubernetes credentials are not accepted by this control plane (--k8s-issuer is not set)');
      try {
        const identity = await verifier.verify(credential.token);
        return {
          key: `k8s:${identity.subject}`,
          description: identity.subject,
          // Convention: a proxyAccess principal system:serviceaccount:<namespace>:<name> names a service account.
          mayActAs: (nodeId, proxyAccess) => proxyAccess.some((grant) => grant.nodeId === nodeId && grant.principals.includes(identity.subject)),
        };
      } catch (error) {
        if (error instanceof KubernetesTokenError) {
          throw error.kind === 'refused'
            ? new Refusal(401, 'credentialRefused', error.message)
            : new Refusal(503, 'credentialUnavailable', error.message, 5);
        }
        throw error;
      }
    }
    throw new Refusal(400, 'malformed', 'credential.type must be "aws-iam" or "kubernetes"');
  }

  /** `mesh/<mesh>/virtualNode/<name>` or `…/virtualGateway/<name>` → the workload; 400 otherwise. */
  private workloadOf(nodeId: string): WorkloadRef {
    const [prefix, meshName, kind, name, ...rest] = nodeId.split('/');
    if (prefix === 'mesh' && (kind === 'virtualNode' || kind === 'virtualGateway') && name !== undefined && rest.length === 0) {
      const workload: WorkloadRef = { meshName, kind, name };
      try {
        // Both names must be able to stand in a SPIFFE ID.
        spiffeIdFor(this.options.ca.trustDomain, workload);
        return workload;
      } catch (error) {
        if (!(error instanceof SpiffeIdError)) throw error;
      }
    }
    throw new Refusal(400, 'malformed', `nodeId ${JSON.stringify(short(nodeId))} is not mesh/<mesh>/virtualNode/<name> or mesh/<mesh>/virtualGateway/<name>`);
  }

  /** With --sts-region, only that region's STS endpoints (the verifier checks they are STS at all). */
  private checkStsRegion(url: unknown): void {
    const region = this.options.stsRegion;
    if (!region || typeof url !== 'string') return;
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      return;
    }
    // Hosts outside AWS are the verifier's to refuse (or the --sts-endpoint stand-in's to answer).
    if (!/\.amazonaws\.com(\.cn)?$/.test(host)) return;
    if (!host.endsWith(`.${region}.amazonaws.com`) && !host.endsWith(`.${region}.amazonaws.com.cn`)) {
      throw new Refusal(401, 'credentialRefused', `signed STS request refused: host ${short(host)} is not an STS endpoint of region ${region} (--sts-region)`);
    }
  }
}

function secureContextOptions(material: ServerTlsMaterial): { cert: string; key: string } {
  return { cert: material.certificatePem, key: material.keyPem };
}

/** The body as text, refused past MAX_EXCHANGE_REQUEST_BYTES (the rest is read and dropped until the 413 closes the connection). */
function readBody(req: IncomingMessage): Promise<string> {
  const tooLarge = () => new Refusal(413, 'tooLarge', `the body is larger than ${MAX_EXCHANGE_REQUEST_BYTES} bytes`);
  if (Number(req.headers['content-length']) > MAX_EXCHANGE_REQUEST_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      outcome();
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > MAX_EXCHANGE_REQUEST_BYTES) settle(() => reject(tooLarge()));
      else chunks.push(chunk);
    });
    req.on('end', () => settle(() => resolve(Buffer.concat(chunks).toString('utf8'))));
    // A client that goes away (or the request timeout) must not leave the exchange counted as in flight.
    req.on('close', () => settle(() => reject(new Refusal(400, 'timeout', 'the request ended before its body was complete'))));
    req.on('error', () => undefined);
  });
}

function parseRequest(text: string): CertificateExchangeRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Refusal(400, 'malformed', 'the body is not JSON');
  }
  const body = value as Partial<Record<keyof CertificateExchangeRequest, unknown>> | null;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Refusal(400, 'malformed', 'the body must be a JSON object { nodeId, csr, credential }');
  if (typeof body.nodeId !== 'string' || body.nodeId.length === 0 || body.nodeId.length > MAX_NODE_ID) {
    throw new Refusal(400, 'malformed', `nodeId must be a string of 1 to ${MAX_NODE_ID} characters`);
  }
  if (typeof body.csr !== 'string') throw new Refusal(400, 'malformed', 'csr must be a PEM string');
  const credential = body.credential as Partial<Record<string, unknown>> | null | undefined;
  if (!credential || typeof credential !== 'object') throw new Refusal(400, 'malformed', 'credential must be an object with a type');
  if (credential.type === 'aws-iam' && (!credential.request || typeof credential.request !== 'object')) {
    throw new Refusal(400, 'malformed', 'credential.request must be the signed request { method, url, headers, body }');
  }
  if (credential.type === 'kubernetes' && typeof credential.token !== 'string') throw new Refusal(400, 'malformed', 'credential.token must be a string');
  return body as CertificateExchangeRequest;
}

function short(text: string): string {
  return text.length > 128 ? `${text.slice(0, 128)}… (${text.length} characters)` : text;
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(value) + '\n');
}
