/**
 * Projected service-account tokens verified against a local OIDC issuer on loopback (discovery
 * document and JWKS over HTTP); the tokens are signed here with node:crypto, as the API server
 * signs them.
 */
import { createHmac, generateKeyPairSync, sign as signBytes, constants, type KeyObject } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { KubernetesTokenError, KubernetesTokenVerifier } from '../../src/identity/kubernetes-token';

const AUDIENCE = 'open-app-mesh';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rotated = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** The local issuer: what it serves can change during a test; it counts the JWKS fetches. */
class LocalIssuer {
  keys: Array<{ kid: string; key: KeyObject; alg: string }> = [{ kid: 'rsa-1', key: rsa.publicKey, alg: 'RS256' }, { kid: 'ec-1', key: ec.publicKey, alg: 'ES256' }];
  jwksFetches = 0;
  down = false;
  private server?: http.Server;

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/id/CLUSTER1`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      if (this.down) {
        res.writeHead(503).end();
      } else if (req.url === '/id/CLUSTER1/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          issuer: this.url,
          jwks_uri: `${this.url}/keys`,
          response_types_supported: ['id_token'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        }));
      } else if (req.url === '/id/CLUSTER1/keys') {
        this.jwksFetches++;
        const keys = this.keys.map(({ kid, key, alg }) => ({ ...key.export({ format: 'jwk' }), kid, alg, use: 'sig' }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const issuer = new LocalIssuer();
beforeAll(() => issuer.start());
afterAll(() => issuer.stop());

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Claims as kube-apiserver puts them in a pod-bound projected token. */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = nowSeconds();
  return {
    'aud': [AUDIENCE],
    'exp': iat + 600,
    'iat': iat,
    'nbf': iat,
    'iss': issuer.url,
    'sub': 'system:serviceaccount:shop:cart',
    'kubernetes.io': { namespace: 'shop', pod: { name: 'cart-7d9f8', uid: 'a1' }, serviceaccount: { name: 'cart', uid: 'b2' } },
    ...overrides,
  };
}

function token(payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', kid: 'rsa-1' }, key: KeyObject = rsa.privateKey): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = header.alg === 'ES256'
    ? signBytes('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
    : signBytes('sha256', Buffer.from(input), { key, padding: constants.RSA_PKCS1_PADDING });
  return `${input}.${signature.toString('base64url')}`;
}

const verifier = (extra: Partial<ConstructorParameters<typeof KubernetesTokenVerifier>[0]> = {}): KubernetesTokenVerifier =>
  new KubernetesTokenVerifier({ issuer: issuer.url, audience: AUDIENCE, allowHttp: true, ...extra });

async function refusal(attempt: Promise<unknown>): Promise<KubernetesTokenError> {
  const err = await attempt.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(KubernetesTokenError);
  return err as KubernetesTokenError;
}

beforeEach(() => {
  issuer.down = false;
  issuer.keys = issuer.keys.filter((k) => k.kid !== 'ec-2');
});

test('RS256 and ES256 tokens name their namespace and service account', async () => {
  const v = verifier();
  const payload = claims();
  expect(await v.verify(token(payload))).toEqual({
    subject: 'system:serviceaccount:shop:cart',
    namespace: 'shop',
    serviceAccount: 'cart',
    podName: 'cart-7d9f8',
    expiresAt: new Date((payload.exp as number) * 1000),
  });
  const es = await v.verify(token(claims({ 'sub': 'system:serviceaccount:pay:billing-api', 'kubernetes.io': undefined }), { alg: 'ES256', kid: 'ec-1' }, ec.privateKey));
  expect(es).toMatchObject({ namespace: 'pay', serviceAccount: 'billing-api' });
  expect(es.podName).toBeUndefined();
});

test.each([
  ['another issuer', { iss: 'https://oidc.eks.eu-west-1.amazonaws.com/id/OTHER' }, 'is not the configured issuer'],
  ['another audience', { aud: ['https://kubernetes.default.svc'] }, 'aud does not contain "open-app-mesh"'],
  ['no audience', { aud: undefined }, 'aud does not contain'],
  ['an expired token', { exp: nowSeconds() - 120 }, 'the token has expired'],
  ['no expiry', { exp: undefined }, 'exp is missing'],
  ['a token not valid yet', { nbf: nowSeconds() + 300 }, 'the token is not valid yet (nbf)'],
  ['a subject that is not a service account', { 'sub': 'system:node:ip-10-0-0-1', 'kubernetes.io': undefined }, 'is not system:serviceaccount:<namespace>:<name>'],
  ['a kubernetes.io claim for another account', { 'kubernetes.io': { namespace: 'shop', serviceaccount: { name: 'admin' } } }, 'the kubernetes.io claim disagrees with sub'],
])('refuses %s', async (_what, overrides, reason) => {
  const err = await refusal(verifier().verify(token(claims(overrides))));
  expect(err.kind).toBe('refused');
  expect(err.message).toContain(reason);
});

test('tokens verified at the same time by a verifier that holds no keys yet all wait for its one fetch of the keys', async () => {
  const v = verifier();
  const fetches = issuer.jwksFetches;
  const results = await Promise.all([1, 2, 3].map(() => v.verify(token(claims())).then((id) => id.serviceAccount, (e: Error) => e.message)));
  expect(results).toEqual(['cart', 'cart', 'cart']);
  expect(issuer.jwksFetches).toBe(fetches + 1);
});

test('an audience list containing ours, and expiry within the clock skew, are accepted', async () => {
  await expect(verifier().verify(token(claims({ aud: ['https://kubernetes.default.svc', AUDIENCE], exp: nowSeconds() - 30 })))).resolves.toMatchObject({ serviceAccount: 'cart' });
});

test('alg none, HS256 keyed with the public key, and a kid of the other key type are refused', async () => {
  const v = verifier();
  const unsigned = `${b64({ alg: 'none', kid: 'rsa-1' })}.${b64(claims())}.`;
  expect((await refusal(v.verify(unsigned))).message).toContain('not a JWS in compact form');
  const noneSigned = `${b64({ alg: 'none', kid: 'rsa-1' })}.${b64(claims())}.AAAA`;
  expect((await refusal(v.verify(noneSigned))).message).toContain('alg "none" is not allowed (RS256 or ES256)');

  const input = `${b64({ alg: 'HS256', kid: 'rsa-1' })}.${b64(claims())}`;
  const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' });
  const hs = `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
  expect((await refusal(v.verify(hs))).message).toContain('alg "HS256" is not allowed');

  const crossed = token(claims(), { alg: 'ES256', kid: 'rsa-1' }, ec.privateKey);
  expect((await refusal(v.verify(crossed))).message).toContain('kid "rsa-1" is a RS256 key, the token says ES256');
});

test('a changed payload, a key that did not sign it, and malformed or oversized tokens are refused', async () => {
  const v = verifier();
  const [h, , s] = token(claims()).split('.');
  expect((await refusal(v.verify(`${h}.${b64(claims({ sub: 'system:serviceaccount:kube-system:admin' }))}.${s}`))).message).toContain('signature does not verify');
  const forged = token(claims(), { alg: 'RS256', kid: 'rsa-1' }, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  expect((await refusal(v.verify(forged))).message).toContain('signature does not verify');
  expect((await refusal(v.verify('a.b'))).message).toContain('three base64url parts');
  expect((await refusal(v.verify('a+b.c.d'))).message).toContain('three base64url parts');
  expect((await refusal(v.verify(`${b64('x')}.e30.AAAA`))).message).toContain('header is not base64url JSON');
  expect((await refusal(v.verify(token(claims({ pad: 'x'.repeat(9000) }))))).message).toContain('not a string of at most 8192 bytes');
  expect((await refusal(v.verify(token(claims(), { alg: 'RS256', kid: 'rsa-1', crit: ['exp'] })))).message).toContain('crit');
  expect((await refusal(v.verify(token(claims(), { alg: 'RS256' })))).message).toContain('header has no kid');
});

test('an unknown kid fetches the keys again, at most once per interval', async () => {
  let now = Date.now();
  const v = verifier({ now: () => new Date(now), minRefreshIntervalMs: 30_000 });
  await v.verify(token(claims()));
  const fetches = issuer.jwksFetches;

  // The cluster rotates its signing key: the new kid is found by one more fetch.
  issuer.keys.push({ kid: 'ec-2', key: rotated.publicKey, alg: 'ES256' });
  now += 30_000;
  const fresh = token(claims(), { alg: 'ES256', kid: 'ec-2' }, rotated.privateKey);
  await expect(v.verify(fresh)).resolves.toMatchObject({ serviceAccount: 'cart' });
  expect(issuer.jwksFetches).toBe(fetches + 1);

  // Made-up kids within the interval cost no fetch.
  for (let i = 0; i < 5; i++) {
    expect((await refusal(v.verify(token(claims(), { alg: 'RS256', kid: `junk-${i}` })))).message).toContain(`no key with kid "junk-${i}" at the issuer`);
  }
  expect(issuer.jwksFetches).toBe(fetches + 1);
  await v.verify(token(claims()));
  expect(issuer.jwksFetches).toBe(fetches + 1);
});

test('an issuer that cannot be reached: unavailable with no keys held, the held keys otherwise', async () => {
  let now = Date.now();
  issuer.down = true;
  const v = verifier({ now: () => new Date(now), minRefreshIntervalMs: 1000, maxKeysAgeMs: 60_000 });
  const first = await refusal(v.verify(token(claims())));
  expect(first.kind).toBe('unavailable');
  expect(first.message).toMatch(/fetching http:\/\/127\.0\.0\.1:\d+\/id\/CLUSTER1\/\.well-known\/openid-configuration failed: HTTP 503/);
  // Within the interval, no new attempt: still unavailable.
  expect((await refusal(v.verify(token(claims())))).message).toContain('next attempt in at most 1000 ms');

  issuer.down = false;
  now += 1000;
  await expect(v.verify(token(claims()))).resolves.toMatchObject({ serviceAccount: 'cart' });

  // Keys grown old are fetched again; a failure then keeps the ones held.
  issuer.down = true;
  now += 120_000;
  await expect(v.verify(token(claims(), { alg: 'RS256', kid: 'rsa-1' }, rsa.privateKey))).resolves.toMatchObject({ serviceAccount: 'cart' });
});

test('a discovery document naming another issuer is not trusted', async () => {
  const v = new KubernetesTokenVerifier({ issuer: `${issuer.url}/`, audience: AUDIENCE, allowHttp: true });
  const err = await refusal(v.verify(token(claims({ iss: `${issuer.url}/` }))));
  expect(err.kind).toBe('unavailable');
  expect(err.message).toContain(`the OIDC configuration names issuer "${issuer.url}", not ${issuer.url}/`);
});

test('configuration errors name the option', () => {
  expect(() => new KubernetesTokenVerifier({ issuer: 'http://issuer.example', audience: AUDIENCE })).toThrow('issuer http://issuer.example must be https');
  expect(() => new KubernetesTokenVerifier({ issuer: 'not a url', audience: AUDIENCE })).toThrow('issuer "not a url" is not a URL');
  expect(() => new KubernetesTokenVerifier({ issuer: 'https://issuer.example', audience: '' })).toThrow('audience must not be empty');
});
