import { X509Certificate } from 'crypto';
import type { PeerCertificate } from 'tls';
import {
  nodeIdOf,
  peerSpiffeId,
  peerWorkload,
  sameWorkload,
  spiffeIdFor,
  uriSansOf,
  validateTrustDomain,
  workloadOf,
  type WorkloadRef,
} from '../../src/identity/spiffe';
import { webcrypto, x509 } from '../../src/identity/x509-library';

const TD = 'mesh.example';
const NODE: WorkloadRef = { meshName: 'shop', kind: 'virtualNode', name: 'cart-v1' };
const GATEWAY: WorkloadRef = { meshName: 'shop', kind: 'virtualGateway', name: 'ingress' };

describe('trust domain', () => {
  test.each(['example.org', 'td', 'a-b_c.d0'])('accepts %s', (td) => {
    expect(validateTrustDomain(td)).toBe(td);
  });

  test.each([
    ['', 'must not be empty'],
    ['Example.org', 'must be lowercase'],
    ['example.org:8443', 'must not contain a port'],
    ['user@example.org', 'must not contain userinfo'],
    ['spiffe://example.org', 'give the name only, without a scheme'],
    ['example.org/x', 'must not contain a path'],
    ['exa mple', 'may hold only lowercase letters'],
    ['a'.repeat(256), 'longer than 255'],
  ])('refuses %j (%s)', (td, why) => {
    expect(() => validateTrustDomain(td)).toThrow(`trust domain ${JSON.stringify(td)}: ${why}`);
  });
});

describe('SPIFFE ID of a workload', () => {
  test('virtual nodes and gateways map to their paths and back', () => {
    expect(spiffeIdFor(TD, NODE)).toBe('spiffe://mesh.example/mesh/shop/virtualNode/cart-v1');
    expect(spiffeIdFor(TD, GATEWAY)).toBe('spiffe://mesh.example/mesh/shop/virtualGateway/ingress');
    expect(workloadOf(TD, spiffeIdFor(TD, NODE))).toEqual(NODE);
    expect(workloadOf(TD, spiffeIdFor(TD, GATEWAY))).toEqual(GATEWAY);
    expect(nodeIdOf(NODE)).toBe('mesh/shop/virtualNode/cart-v1');
  });

  test('names that cannot be a path segment are refused', () => {
    expect(() => spiffeIdFor(TD, { ...NODE, name: 'a/b' })).toThrow('virtualNode name "a/b" cannot be a SPIFFE path segment');
    expect(() => spiffeIdFor(TD, { ...NODE, meshName: '..' })).toThrow('mesh name ".." cannot be a SPIFFE path segment');
  });

  test.each([
    ['spiffe://other.example/mesh/shop/virtualNode/cart-v1', 'belongs to trust domain "other.example", not "mesh.example"'],
    ['SPIFFE://mesh.example/mesh/shop/virtualNode/cart-v1', 'does not start with spiffe://'],
    ['spiffe://mesh.example/mesh/shop/virtualRouter/r', 'expected path /mesh/<mesh>/virtualNode/<name>'],
    ['spiffe://mesh.example/mesh/shop/virtualNode/cart-v1/extra', 'expected path'],
    ['spiffe://mesh.example', 'expected path'],
    ['spiffe://mesh.example:443/mesh/shop/virtualNode/cart-v1', 'trust domain must not contain a port'],
    ['spiffe://u@mesh.example/mesh/shop/virtualNode/cart-v1', 'trust domain must not contain userinfo'],
    ['spiffe://mesh.example/mesh/shop/virtualNode/a%2Fb', 'path segment "a%2Fb" is not allowed'],
    ['spiffe://mesh.example/mesh/shop/virtualNode/..', 'path segment ".." is not allowed'],
  ])('refuses %s', (id, why) => {
    expect(() => workloadOf(TD, id)).toThrow(why);
  });

  test('sameWorkload compares mesh, kind and name', () => {
    expect(sameWorkload(NODE, { ...NODE })).toBe(true);
    expect(sameWorkload(NODE, { ...NODE, kind: 'virtualGateway' })).toBe(false);
    expect(sameWorkload(NODE, { ...NODE, meshName: 'other' })).toBe(false);
    expect(sameWorkload(NODE, { ...NODE, name: 'cart-v2' })).toBe(false);
  });
});

describe('the peer certificate', () => {
  const peer = (subjectaltname?: string): PeerCertificate => ({ subjectaltname } as PeerCertificate);

  test('the one URI SAN is the identity; DNS and IP SANs beside it do not count', () => {
    const san = 'DNS:cart.local, URI:spiffe://mesh.example/mesh/shop/virtualNode/cart-v1, IP Address:127.0.0.1';
    expect(peerSpiffeId(peer(san))).toBe('spiffe://mesh.example/mesh/shop/virtualNode/cart-v1');
    expect(peerWorkload({ transportSecurityType: 'ssl', sslPeerCertificate: peer(san) }, TD)).toEqual(NODE);
  });

  test('no certificate, no URI SAN or several URI SANs are refused', () => {
    expect(() => peerSpiffeId(undefined)).toThrow('the peer presented no certificate');
    // grpc-js gives an empty object when the client sent no certificate.
    expect(() => peerSpiffeId({} as PeerCertificate)).toThrow('the peer presented no certificate');
    expect(() => peerSpiffeId(peer('DNS:cart.local'))).toThrow('has 0 URI SANs; an X.509-SVID has exactly one');
    expect(() => peerSpiffeId(peer('URI:spiffe://mesh.example/a, URI:spiffe://mesh.example/b'))).toThrow('has 2 URI SANs');
  });

  test('a plaintext stream has no identity', () => {
    expect(() => peerWorkload({ transportSecurityType: undefined }, TD)).toThrow('the stream is not TLS');
  });

  test('the SAN string Node makes from a real certificate parses, quoted values included', async () => {
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = await webcrypto.subtle.generateKey(alg, false, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=t',
      keys,
      signingAlgorithm: alg,
      extensions: [new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'a.local' },
        { type: 'url', value: 'spiffe://mesh.example/mesh/shop/virtualNode/cart-v1' },
        // Node writes this one quoted, with the comma escaped: it must stay one value.
        { type: 'url', value: 'http://x/a, URI:spiffe://mesh.example/evil"' },
        { type: 'ip', value: '127.0.0.1' },
      ])],
    });
    const san = new X509Certificate(cert.toString('pem')).subjectAltName;
    expect(uriSansOf(san)).toEqual(['spiffe://mesh.example/mesh/shop/virtualNode/cart-v1', 'http://x/a, URI:spiffe://mesh.example/evil"']);
  });
});
