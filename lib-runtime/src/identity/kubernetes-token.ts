/**
 * The Kubernetes identity exchange, server side: a projected service-account token (a JWT the
 * cluster signed, with an audience only this control plane accepts) is verified against the
 * cluster's OIDC issuer — `<issuer>/.well-known/openid-configuration` → `jwks_uri` — without a JWT
 * library: RS256 and ES256 with node:crypto, everything else refused.
 *
 *   const verifier = new KubernetesTokenVerifier({ issuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC', audience: 'open-app-mesh' });
 *   const { namespace, serviceAccount } = await verifier.verify(token);   // throws KubernetesTokenError
 */
import { createPublicKey, verify as verifySignature, constants, type JsonWebKey, type KeyObject } from 'crypto';
import { readCappedText } from './capped-body';

/** Who a verified token names. */
export interface KubernetesIdentity {
  /** `system:serviceaccount:<namespace>:<serviceAccount>`. */
  readonly subject: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** From the `kubernetes.io` claim of pod-bound tokens. */
  readonly podName?: string;
  /** The token's expiry; a certificate issued for it need not outlive it. */
  readonly expiresAt: Date;
}

/**
 * `refused`: the token is not acceptable (do not retry it); `unavailable`: the issuer's keys could
 * not be fetched (retry later).
 */
export class KubernetesTokenError extends Error {
  constructor(readonly kind: 'refused' | 'unavailable', message: string) {
    super(message);
    this.name = 'KubernetesTokenError';
  }
}

export interface KubernetesTokenVerifierOptions {
  /** The cluster's service-account issuer; tokens' `iss` must equal it. */
  readonly issuer: string;
  /** The audience the projected token was requested for; `aud` must contain it. */
  readonly audience: string;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  /** Tolerance for `exp` and `nbf`. Default 60 s. */
  readonly clockSkewMs?: number;
  /** Least time between two fetches of the keys (an unknown `kid` asks for one). Default 30 s. */
  readonly minRefreshIntervalMs?: number;
  /** Keys older than this are fetched again before use (keys the cluster dropped stop working). Default 1 h. */
  readonly maxKeysAgeMs?: number;
  /** Accept an http issuer and jwks_uri. Only for tests against a local issuer. */
  readonly allowHttp?: boolean;
}

interface VerificationKey {
  readonly key: KeyObject;
  readonly alg: 'RS256' | 'ES256';
}

const MAX_TOKEN_BYTES = 8 * 1024;
const MAX_DOCUMENT_BYTES = 256 * 1024;
const MAX_KEYS = 100;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const SUBJECT = /^system:serviceaccount:([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/;

export class KubernetesTokenVerifier {
  private readonly fetch: typeof fetch;
  private readonly now: () => Date;
  private readonly skewMs: number;
  private readonly minRefreshMs: number;
  private readonly maxAgeMs: number;
  private keys = new Map<string, VerificationKey>();
  private fetchedAt?: number;
  private lastAttempt?: number;
  private inFlight?: Promise<void>;

  constructor(private readonly options: KubernetesTokenVerifierOptions) {
    if (!options.audience) throw new Error('Kubernetes token verifier: audience must not be empty');
    let issuer: URL;
    try {
      issuer = new URL(options.issuer);
    } catch {
      throw new Error(`Kubernetes token verifier: issuer ${JSON.stringify(options.issuer)} is not a URL`);
    }
    if (issuer.protocol !== 'https:' && !(options.allowHttp && issuer.protocol === 'http:')) {
      throw new Error(`Kubernetes token verifier: issuer ${options.issuer} must be https`);
    }
    this.fetch = options.fetch ?? fetch;
    this.now = options.now ?? (() => new Date());
    this.skewMs = options.clockSkewMs ?? 60_000;
    this.minRefreshMs = options.minRefreshIntervalMs ?? 30_000;
    this.maxAgeMs = options.maxKeysAgeMs ?? 3600_000;
  }

  /** Verifies signature, issuer, audience and time of a token and returns its service account. */
  async verify(token: string): Promise<KubernetesIdentity> {
    const refuse = (why: string): never => {
      throw new KubernetesTokenError('refused', `service-account token refused: ${why}`);
    };
    if (typeof token !== 'string' || Buffer.byteLength(token) > MAX_TOKEN_BYTES) refuse(`not a string of at most ${MAX_TOKEN_BYTES} bytes`);
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) refuse('not a JWS in compact form (three base64url parts)');
    const header = decodeJson(parts[0]) ?? refuse('header is not base64url JSON');
    const claims = decodeJson(parts[1]) ?? refuse('payload is not base64url JSON');

    const alg = header.alg;
    if (alg !== 'RS256' && alg !== 'ES256') refuse(`alg ${JSON.stringify(alg)} is not allowed (RS256 or ES256)`);
    if (header.crit !== undefined) refuse('header has crit extensions');
    if (typeof header.kid !== 'string' || header.kid.length === 0) refuse('header has no kid');

    const key = await this.keyFor(header.kid as string);
    if (!key) refuse(`no key with kid ${JSON.stringify(header.kid)} at the issuer`);
    if (key!.alg !== alg) refuse(`kid ${JSON.stringify(header.kid)} is a ${key!.alg} key, the token says ${String(alg)}`);
    const signature = Buffer.from(parts[2], 'base64url');
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    const valid = alg === 'RS256'
      ? verifySignature('sha256', signed, { key: key!.key, padding: constants.RSA_PKCS1_PADDING }, signature)
      : signature.length === 64 && verifySignature('sha256', signed, { key: key!.key, dsaEncoding: 'ieee-p1363' }, signature);
    if (!valid) refuse('signature does not verify');

    if (claims.iss !== this.options.issuer) refuse(`iss ${JSON.stringify(claims.iss)} is not the configured issuer`);
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(this.options.audience)) refuse(`aud does not contain ${JSON.stringify(this.options.audience)}`);
    const now = this.now().getTime();
    if (typeof claims.exp !== 'number') refuse('exp is missing');
    if (now > (claims.exp as number) * 1000 + this.skewMs) refuse('the token has expired');
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || now < claims.nbf * 1000 - this.skewMs)) {
      refuse('the token is not valid yet (nbf)');
    }

    const sub = typeof claims.sub === 'string' ? SUBJECT.exec(claims.sub) : null;
    if (!sub) refuse(`sub ${JSON.stringify(claims.sub)} is not system:serviceaccount:<namespace>:<name>`);
    const [, namespace, , serviceAccount] = sub!;
    const k8s = claims['kubernetes.io'] as { namespace?: unknown; serviceaccount?: { name?: unknown }; pod?: { name?: unknown } } | undefined;
    if (k8s && (k8s.namespace !== namespace || k8s.serviceaccount?.name !== serviceAccount)) refuse('the kubernetes.io claim disagrees with sub');
    const podName = typeof k8s?.pod?.name === 'string' ? k8s.pod.name : undefined;
    const expiresAt = new Date((claims.exp as number) * 1000);
    return { subject: claims.sub as string, namespace, serviceAccount, ...(podName ? { podName } : {}), expiresAt };
  }

  /** The key for `kid`, fetching the issuer's keys when none are held, they are old, or `kid` is new (rate-limited). */
  private async keyFor(kid: string): Promise<VerificationKey | undefined> {
    // A fetch under way may bring this kid: wait for it rather than refuse (its failure is judged below).
    if (this.inFlight) await this.inFlight.catch(() => undefined);
    const now = this.now().getTime();
    const stale = this.fetchedAt === undefined || now - this.fetchedAt > this.maxAgeMs;
    const mayRetry = this.lastAttempt === undefined || now - this.lastAttempt >= this.minRefreshMs;
    if ((stale || !this.keys.has(kid)) && mayRetry) {
      try {
        await this.refresh();
      } catch (err) {
        // Keys held from before keep working; with none, the caller should retry later.
        if (this.fetchedAt === undefined) throw err;
      }
    } else if (this.fetchedAt === undefined) {
      throw new KubernetesTokenError('unavailable', `the issuer's keys could not be fetched; next attempt in at most ${this.minRefreshMs} ms`);
    }
    return this.keys.get(kid);
  }

  private refresh(): Promise<void> {
    this.inFlight ??= this.fetchKeys().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetchKeys(): Promise<void> {
    this.lastAttempt = this.now().getTime();
    const issuer = this.options.issuer.replace(/\/+$/, '');
    const config = await this.getJson(`${issuer}/.well-known/openid-configuration`);
    if (config.issuer !== this.options.issuer) {
      throw new KubernetesTokenError('unavailable', `the OIDC configuration names issuer ${JSON.stringify(config.issuer)}, not ${this.options.issuer}`);
    }
    if (typeof config.jwks_uri !== 'string') throw new KubernetesTokenError('unavailable', 'the OIDC configuration has no jwks_uri');
    let jwksUri: URL;
    try {
      jwksUri = new URL(config.jwks_uri);
    } catch {
      throw new KubernetesTokenError('unavailable', `jwks_uri ${JSON.stringify(config.jwks_uri)} is not a URL`);
    }
    if (jwksUri.protocol !== 'https:' && !(this.options.allowHttp && jwksUri.protocol === 'http:')) {
      throw new KubernetesTokenError('unavailable', `jwks_uri ${config.jwks_uri} must be https`);
    }
    const jwks = await this.getJson(jwksUri.toString());
    if (!Array.isArray(jwks.keys) || jwks.keys.length > MAX_KEYS) {
      throw new KubernetesTokenError('unavailable', `the JWKS at ${jwksUri} has no keys list of at most ${MAX_KEYS}`);
    }
    const keys = new Map<string, VerificationKey>();
    for (const jwk of jwks.keys as JsonWebKey[]) {
      const usable = toVerificationKey(jwk);
      if (usable && typeof jwk.kid === 'string') keys.set(jwk.kid, usable);
    }
    this.keys = keys;
    this.fetchedAt = this.now().getTime();
  }

  private async getJson(url: string): Promise<Record<string, unknown>> {
    let text: string | undefined;
    try {
      const response = await this.fetch(url, { redirect: 'error', signal: AbortSignal.timeout(5000) });
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      text = await readCappedText(response, MAX_DOCUMENT_BYTES);
    } catch (err) {
      throw new KubernetesTokenError('unavailable', `fetching ${url} failed: ${(err as Error).message}`);
    }
    if (text === undefined) throw new KubernetesTokenError('unavailable', `${url} is larger than ${MAX_DOCUMENT_BYTES} bytes`);
    try {
      const value: unknown = JSON.parse(text);
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw new KubernetesTokenError('unavailable', `${url} is not a JSON object`);
  }
}

/** A JWK fit to verify RS256 (RSA ≥ 2048 bits) or ES256 (EC P-256) signatures; others are skipped. */
function toVerificationKey(jwk: JsonWebKey): VerificationKey | undefined {
  if (jwk.use !== undefined && jwk.use !== 'sig') return undefined;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return undefined;
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) >= 2048 && (jwk.alg === undefined || jwk.alg === 'RS256')) {
    return { key, alg: 'RS256' };
  }
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1' && (jwk.alg === undefined || jwk.alg === 'ES256')) {
    return { key, alg: 'ES256' };
  }
  return undefined;
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}
