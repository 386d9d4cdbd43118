import { createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import * as http from 'node:http';

/**
 * A stand-in for a Kubernetes cluster's service-account issuer on loopback: the OIDC discovery
 * document and JWKS the control plane verifies tokens against, and projected-token-shaped JWTs
 * (ES256) signed with its key, as the API server signs them.
 */
export class LoopbackOidcIssuer {
  private readonly key: KeyObject;
  private readonly kid = randomUUID();
  private readonly server: http.Server;
  private port = 0;

  constructor() {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.key = privateKey;
    this.server = http.createServer((req, res) => {
      const body = req.url === '/.well-known/openid-configuration'
        ? { issuer: this.url, jwks_uri: `${this.url}/keys`, id_token_signing_alg_values_supported: ['ES256'] }
        : req.url === '/keys'
          ? { keys: [{ ...createPublicKey(this.key).export({ format: 'jwk' }), kid: this.kid, alg: 'ES256', use: 'sig' }] }
          : undefined;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(body ? JSON.stringify(body) : '{}');
    });
  }

  /** The issuer URL (`iss` of its tokens), valid once started. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    this.port = (this.server.address() as { port: number }).port;
  }

  /** A token for `system:serviceaccount:<namespace>:<serviceAccount>`, bound to `audience`, valid `ttlSeconds`. */
  token(namespace: string, serviceAccount: string, audience: string, ttlSeconds: number): string {
    const now = Math.floor(Date.now() / 1000);
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${part({ alg: 'ES256', kid: this.kid, typ: 'JWT' })}.${part({
      'iss': this.url,
      'aud': [audience],
      'sub': `system:serviceaccount:${namespace}:${serviceAccount}`,
      'iat': now,
      'nbf': now,
      'exp': now + ttlSeconds,
      'kubernetes.io': { namespace, serviceaccount: { name: serviceAccount, uid: randomUUID() } },
    })}`;
    return `${input}.${sign('sha256', Buffer.from(input), { key: this.key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
