/**
 * The agent's side of the certificate exchange (identity/exchange-protocol.ts): one HTTPS POST
 * to the control plane, whose server certificate must chain to the trust the agent was given
 * (--ca-bundle, plus the mesh bundle of its last certificate); no trust on first use.
 */
import * as https from 'https';
import {
  EXCHANGE_PATH,
  type CertificateExchangeRequest,
  type CertificateExchangeResponse,
} from '../identity/exchange-protocol';

/** A failed exchange: `status` is the HTTP status when the control plane answered. */
export class ExchangeFailedError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'ExchangeFailedError';
  }
}

export interface ExchangeClientOptions {
  /** https://host:port of the control plane's exchange endpoint (--control-plane). */
  readonly url: string;
  readonly timeoutMs?: number;
}

// A leaf and a few roots fit in a few KiB; a larger answer is not the control plane's.
const MAX_RESPONSE_BYTES = 256 * 1024;

export class ExchangeClient {
  private readonly url: URL;
  private readonly timeoutMs: number;

  constructor(options: ExchangeClientOptions) {
    this.url = new URL(EXCHANGE_PATH, options.url);
    if (this.url.protocol !== 'https:') throw new Error(`--control-plane must be an https:// URL, got "${options.url}"`);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Sends one request; `trustPem` holds the roots the control plane's certificate must chain to. */
  exchange(request: CertificateExchangeRequest, trustPem: string): Promise<CertificateExchangeResponse> {
    const body = Buffer.from(JSON.stringify(request));
    return new Promise((resolve, reject) => {
      const req = https.request(this.url, {
        method: 'POST',
        ca: trustPem,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
        timeout: this.timeoutMs,
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy(new ExchangeFailedError(`the answer is larger than ${MAX_RESPONSE_BYTES} bytes`, res.statusCode));
          } else {
            chunks.push(chunk);
          }
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve(readAnswer(res.statusCode ?? 0, text));
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new ExchangeFailedError(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err) => reject(err instanceof ExchangeFailedError ? err
        : new ExchangeFailedError(`${this.url.origin}: ${(err as Error).message}`)));
      req.end(body);
    });
  }
}

function readAnswer(status: number, text: string): CertificateExchangeResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ExchangeFailedError(`HTTP ${status} with a body that is not JSON`, status);
  }
  const record = (parsed ?? {}) as Record<string, unknown>;
  if (status !== 200) {
    const reason = typeof record.error === 'string' ? record.error.slice(0, 500) : 'no reason given';
    throw new ExchangeFailedError(`HTTP ${status}: ${reason}`, status);
  }
  for (const field of ['certificateChain', 'trustBundle', 'spiffeId', 'notBefore', 'notAfter']) {
    if (typeof record[field] !== 'string') throw new ExchangeFailedError(`the answer has no string "${field}"`, status);
  }
  return record as unknown as CertificateExchangeResponse;
}
