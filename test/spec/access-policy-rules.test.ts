/**
 * The spec rules of node and gateway policies (docs/access-policies.md) on documents written by
 * hand, as a control plane receives them: each bad input is named by its spec path.
 */
import { gateway, gatewayMesh, issueLines, listeningNode, warningLines } from './fixtures';
import { SPEC_VERSION_EXTENSIONS, VirtualGatewayExtensions, VirtualNodeExtensions } from '../../src/spec';

function nodeWith(extensions: VirtualNodeExtensions) {
  return gatewayMesh({ specVersion: SPEC_VERSION_EXTENSIONS, virtualNodes: [{ ...listeningNode('a', ['http', 8080], ['tcp', 9000]), extensions }, listeningNode('b')] });
}

function gatewayWith(extensions: VirtualGatewayExtensions) {
  return gatewayMesh({ specVersion: SPEC_VERSION_EXTENSIONS, virtualGateways: [{ ...gateway('gw'), extensions }] });
}

test('a JWT provider with no keys, or with both kinds, is an error naming the provider', () => {
  const lines = issueLines(gatewayWith({
    jwtAuthentication: {
      providers: [
        { name: 'none', issuer: 'x' },
        { name: 'both', issuer: 'y', localJwks: { inline: '{"keys":[]}' }, remoteJwks: { uri: 'https://idp.example/jwks' } },
      ],
      rules: [{ providers: ['none', 'ghost'] }],
    },
  }));
  expect(lines).toEqual([
    'virtualGateways["gw"].extensions.jwtAuthentication.providers[0]: JWT provider "none" has no keys: give remoteJwks (a JWKS URL) or localJwks (the JWKS inline)',
    'virtualGateways["gw"].extensions.jwtAuthentication.providers[1]: JWT provider "both" gives both remoteJwks and localJwks; give one',
    'virtualGateways["gw"].extensions.jwtAuthentication.rules[0].providers[1]: no JWT provider named "ghost"',
  ]);
});

test('an authorization rule naming an unknown node or gateway, a second rule of the same name, a port the node has not', () => {
  const lines = issueLines(nodeWith({
    authorization: {
      rules: [
        { name: 'r', from: { virtualNodes: ['b', 'nobody'], virtualGateways: ['gw', 'nogw'] } },
        { name: 'r', from: { virtualNodes: ['b'] }, ports: [7070] },
      ],
    },
  }));
  expect(lines).toEqual([
    'virtualNodes["a"].extensions.authorization.rules[0].from.virtualNodes[1]: virtual node "nobody" does not exist in mesh "demo"',
    'virtualNodes["a"].extensions.authorization.rules[0].from.virtualGateways[1]: virtual gateway "nogw" does not exist in mesh "demo"',
    'virtualNodes["a"].extensions.authorization.rules[1].name: a second authorization rule named "r"',
    'virtualNodes["a"].extensions.authorization.rules[1].ports[0]: virtual node "a" has no listener on port 7070',
  ]);
});

test('rules on listeners without mutual TLS are warnings, not errors', () => {
  const doc = nodeWith({ authorization: { rules: [{ name: 'r', from: { virtualNodes: ['b'] } }] } });
  expect(issueLines(doc)).toEqual([]);
  expect(warningLines(doc)).toEqual([
    expect.stringMatching(/^node-authorization-needs-mtls virtualNodes\["a"\]\.spec\.listeners\[0\]\.tls: listener port 8080 has authorization rules/),
    expect.stringMatching(/^node-authorization-needs-mtls virtualNodes\["a"\]\.spec\.listeners\[1\]\.tls: listener port 9000 has authorization rules/),
  ]);
});

test('rate limits: zero tokens (schema), a fill interval under 1 ms, two limits for one port', () => {
  expect(issueLines(nodeWith({ rateLimits: [{ tokenBucket: { maxTokens: 0, fillInterval: { unit: 's', value: 1 } } }] }))).toEqual([
    'virtualNodes["a"].extensions.rateLimits[0].tokenBucket.maxTokens: 0 is below the minimum 1 (TokenBucket.maxTokens, 1–4294967295)',
  ]);
  expect(issueLines(nodeWith({
    rateLimits: [
      { tokenBucket: { maxTokens: 5, fillInterval: { unit: 'ms', value: 0 } }, port: 8080 },
      { tokenBucket: { maxTokens: 5, fillInterval: { unit: 's', value: 1 } }, port: 8080 },
    ],
  }))).toEqual([
    'virtualNodes["a"].extensions.rateLimits[0].tokenBucket.fillInterval: a token bucket needs a fill interval of at least 1 ms (got 0 ms): it would never refill',
    'virtualNodes["a"].extensions.rateLimits[1]: a second rate limit for port 8080; give each port one limit',
  ]);
});

test('external authorization: an unknown service, pathPrefix on a gRPC service', () => {
  expect(issueLines(gatewayWith({ externalAuthorization: { virtualServiceName: 'nosvc', protocol: 'grpc', pathPrefix: '/x' } }))).toEqual([
    'virtualGateways["gw"].extensions.externalAuthorization.virtualServiceName: virtual service "nosvc" does not exist in mesh "demo"',
    'virtualGateways["gw"].extensions.externalAuthorization.pathPrefix: pathPrefix applies to HTTP authorization services only',
  ]);
  expect(issueLines(gatewayWith({ externalAuthorization: { virtualServiceName: 'svc', protocol: 'http', pathPrefix: '/x' } }))).toEqual([]);
});

test('external authorization: a gRPC check to an http listener, a port the service has not', () => {
  expect(issueLines(gatewayWith({ externalAuthorization: { virtualServiceName: 'svc', protocol: 'grpc' } }))).toEqual([
    'virtualGateways["gw"].extensions.externalAuthorization.protocol: a gRPC check needs a grpc or http2 listener; virtual service "svc" listens with http on port 8080',
  ]);
  expect(issueLines(gatewayWith({ externalAuthorization: { virtualServiceName: 'svc', protocol: 'http', port: 9999 } }))).toEqual([
    'virtualGateways["gw"].extensions.externalAuthorization.port: the provider of virtual service "svc" has no HTTP, HTTP/2 or gRPC listener on port 9999',
  ]);
});
