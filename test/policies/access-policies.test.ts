/**
 * Virtual node and gateway policies of issue 16 from the construct API to the synthesized spec:
 * rate limits, allowFrom (authorization by mesh identity), JWT authentication and external
 * authorization, and the synth-time errors and warnings that name the construct path.
 */
import { Duration } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as appmesh from '../../src';
import { buildMeshSpecs } from '../../src/private/spec-builder';
import { SPEC_VERSION_EXTENSIONS } from '../../src/spec';
import { newStack, onlyDocument } from '../helpers';


function app(mtls = true) {
  const { stack } = newStack();
  const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'm' });
  const tls = mtls
    ? {
      mode: appmesh.TlsMode.STRICT,
      certificate: appmesh.TlsCertificate.file('/certs/cert.pem', '/certs/key.pem'),
      mutualTlsValidation: { trust: appmesh.TlsValidationTrust.file('/certs/ca.pem') },
    }
    : undefined;
  const api = mesh.addVirtualNode('api', {
    virtualNodeName: 'api',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('api.local'),
    listeners: [appmesh.VirtualNodeListener.http({ port: 8080, tls }), appmesh.VirtualNodeListener.tcp({ port: 9000, tls })],
  });
  const web = mesh.addVirtualNode('web', { virtualNodeName: 'web', serviceDiscovery: appmesh.ServiceDiscovery.dns('web.local') });
  const authz = mesh.addVirtualNode('authz', {
    virtualNodeName: 'authz',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('authz.local'),
    listeners: [appmesh.VirtualNodeListener.grpc({ port: 9191 })],
  });
  const authzService = new appmesh.VirtualService(stack, 'authz-svc', {
    virtualServiceName: 'authz.svc',
    virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(authz),
  });
  const gateway = mesh.addVirtualGateway('gw', { virtualGatewayName: 'gw', listeners: [appmesh.VirtualGatewayListener.http({ port: 8443 })] });
  return { stack, mesh, api, web, gateway, authzService };
}

const corp = appmesh.JwtProvider.remoteJwks({
  name: 'corp',
  issuer: 'https://idp.example.com',
  jwksUri: 'https://idp.example.com/.well-known/jwks.json',
  audiences: ['shop'],
  claimToHeaders: { sub: 'x-user' },
});

describe('virtual node policies', () => {
  test('rate limits and allowFrom rules land in the node\'s extensions; the document becomes v2', () => {
    const { stack, api, web, gateway } = app();
    api.addRateLimit(appmesh.RateLimit.tokenBucket({ maxTokens: 100, fillInterval: Duration.seconds(1), responseStatus: 503, responseHeaders: { 'x-limited': 'yes' } }), 8080);
    api.addRateLimit(appmesh.RateLimit.tokenBucket({ maxTokens: 10, tokensPerFill: 5, fillInterval: Duration.millis(500) }));
    api.allowFrom([web], {
      name: 'web-reads',
      ports: [8080],
      paths: [appmesh.AuthorizationPath.startsWith('/api/'), appmesh.AuthorizationPath.exactly('/health')],
      methods: [appmesh.HttpRouteMethod.GET],
      headers: [appmesh.HeaderMatch.valueIs('x-tenant', 'a')],
    });
    api.allowFrom([gateway, web], { ports: [9000] });
    api.applyAuthorizationMode(appmesh.AuthorizationMode.SHADOW);
    const doc = onlyDocument(stack);
    expect(doc.specVersion).toBe(SPEC_VERSION_EXTENSIONS);
    expect(doc.virtualNodes.find(n => n.virtualNodeName === 'api')!.extensions).toEqual({
      rateLimits: [
        { tokenBucket: { maxTokens: 100, fillInterval: { unit: 'ms', value: 1000 } }, responseStatus: 503, responseHeaders: [{ name: 'x-limited', value: 'yes' }], port: 8080 },
        { tokenBucket: { maxTokens: 10, tokensPerFill: 5, fillInterval: { unit: 'ms', value: 500 } } },
      ],
      authorization: {
        mode: 'SHADOW',
        rules: [
          {
            name: 'web-reads',
            from: { virtualNodes: ['web'] },
            ports: [8080],
            http: { paths: [{ prefix: '/api/' }, { exact: '/health' }], methods: ['GET'], headers: [{ name: 'x-tenant', match: { exact: 'a' }, invert: false }] },
          },
          { name: 'allow-1', from: { virtualNodes: ['web'], virtualGateways: ['gw'] }, ports: [9000] },
        ],
      },
    });
  });

  test('an allowFrom rule naming a node of another mesh is an error naming the construct path and the field', () => {
    const { stack, api } = app();
    const other = new appmesh.Mesh(stack, 'other', { meshName: 'other' });
    const stranger = other.addVirtualNode('stranger', { virtualNodeName: 'stranger' });
    api.allowFrom([stranger]);
    expect(() => buildMeshSpecs(stack)).toThrow(
      '[Stack/mesh/api] virtualNodes["api"].extensions.authorization.rules[0].from.virtualNodes[0]: virtual node "stranger" does not exist in mesh "m"');
  });

  test('a rate limit with a zero fill interval, or on a port the node has no listener on, is an error naming the construct path', () => {
    const { stack, api } = app();
    api.addRateLimit(appmesh.RateLimit.tokenBucket({ maxTokens: 1, fillInterval: Duration.millis(0) }));
    api.addRateLimit(appmesh.RateLimit.tokenBucket({ maxTokens: 1, fillInterval: Duration.seconds(1) }), 7777);
    expect(() => buildMeshSpecs(stack)).toThrow(/\[Stack\/mesh\/api\] virtualNodes\["api"\]\.extensions\.rateLimits\[0\]\.tokenBucket\.fillInterval: a token bucket needs a fill interval of at least 1 ms/);
    expect(() => buildMeshSpecs(stack)).toThrow(/extensions\.rateLimits\[1\]\.port: virtual node "api" has no listener on port 7777/);
  });

  test('a rate limit with zero tokens is refused by the schema, naming the field', () => {
    const { stack, api } = app();
    api.addRateLimit(appmesh.RateLimit.tokenBucket({ maxTokens: 0, fillInterval: Duration.seconds(1) }));
    expect(() => buildMeshSpecs(stack)).toThrow(/\[Stack\/mesh\/api\] virtualNodes\["api"\]\.extensions\.rateLimits\[0\]\.tokenBucket\.maxTokens/);
  });

  test('rules on listeners without mutual TLS synthesize with a warning on the node: every request there would be denied', () => {
    const { stack, api, web } = app(false);
    api.allowFrom([web]);
    onlyDocument(stack);
    Annotations.fromStack(stack).hasWarning('/Stack/mesh/api', Match.stringLikeRegexp('listener port 8080 has authorization rules but does not require a client certificate'));
  });

  test('HTTP conditions on a rule that applies only to a TCP listener are an error', () => {
    const { stack, api, web } = app();
    api.allowFrom([web], { ports: [9000], methods: [appmesh.HttpRouteMethod.GET] });
    expect(() => buildMeshSpecs(stack)).toThrow(/rules\[0\]\.http: HTTP conditions cannot match on TCP listeners/);
  });
});

describe('virtual gateway policies', () => {
  test('JWT authentication and external authorization land in the gateway\'s extensions', () => {
    const { stack, gateway, authzService } = app();
    const partners = appmesh.JwtProvider.localJwks({ name: 'partners', issuer: 'partners', jwks: '{"keys":[]}', forward: true });
    gateway.addJwtAuthentication({
      providers: [corp, partners],
      requirements: [{ pathPrefix: '/health', providers: [] }, { providers: [corp, partners] }],
    });
    const authorization = appmesh.ExternalAuthorization.grpc({
      virtualService: authzService, timeout: Duration.millis(300), failureModeAllow: false,
    });
    gateway.addExternalAuthorization(authorization);
    const doc = onlyDocument(stack);
    expect(doc.virtualGateways[0].extensions).toEqual({
      jwtAuthentication: {
        providers: [
          { name: 'corp', issuer: 'https://idp.example.com', audiences: ['shop'], remoteJwks: { uri: 'https://idp.example.com/.well-known/jwks.json' }, claimToHeaders: [{ claim: 'sub', header: 'x-user' }] },
          { name: 'partners', issuer: 'partners', localJwks: { inline: '{"keys":[]}' }, forward: true },
        ],
        rules: [{ prefix: '/health', providers: [] }, { providers: ['corp', 'partners'] }],
      },
      externalAuthorization: { virtualServiceName: 'authz.svc', protocol: 'grpc', timeout: { unit: 'ms', value: 300 }, failureModeAllow: false },
    });
  });

  test('a JWT provider without keys is an error naming the construct path', () => {
    const { stack, gateway } = app();
    const keyless = appmesh.JwtProvider.localJwks({ name: 'keyless', issuer: 'x', jwks: 'not json' });
    gateway.addJwtAuthentication({ providers: [keyless] });
    expect(() => buildMeshSpecs(stack)).toThrow(
      '[Stack/mesh/gw] virtualGateways["gw"].extensions.jwtAuthentication.providers[0].localJwks.inline: not a JWKS document: JSON with a "keys" array');
  });

  test('ext_authz to a virtual service that does not exist is an error naming the construct path', () => {
    const { stack, gateway } = app();
    const ghost = appmesh.VirtualService.fromVirtualServiceAttributes(stack, 'ghost', { virtualServiceName: 'ghost.svc', mesh: appmesh.Mesh.fromMeshName(stack, 'm2', 'm') });
    gateway.addExternalAuthorization(appmesh.ExternalAuthorization.http({ virtualService: ghost, pathPrefix: '/check' }));
    expect(() => buildMeshSpecs(stack)).toThrow(
      '[Stack/mesh/gw] virtualGateways["gw"].extensions.externalAuthorization.virtualServiceName: virtual service "ghost.svc" does not exist in mesh "m"');
  });

  test('a second addJwtAuthentication on one gateway is an error naming the construct path', () => {
    const { stack, gateway } = app();
    gateway.addJwtAuthentication({ providers: [corp] });
    gateway.addJwtAuthentication({ providers: [corp] });
    expect(() => buildMeshSpecs(stack)).toThrow('[Stack/mesh/gw] extensions.jwtAuthentication is set twice');
  });
});

describe('route rate limits', () => {
  test('route.addRateLimit puts the bucket in the route\'s extensions; a zero fill interval is an error naming the route\'s path', () => {
    const { stack, mesh, api } = app();
    const router = mesh.addVirtualRouter('router', { virtualRouterName: 'router', listeners: [appmesh.VirtualRouterListener.http(8080)] });
    const route = router.addRoute('route', { routeName: 'route', routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: api }] }) });
    route.addRateLimit(appmesh.RateLimit.tokenBucket({ maxTokens: 3, fillInterval: Duration.minutes(1) }));
    expect(onlyDocument(stack).routes[0].extensions).toEqual({ rateLimit: { tokenBucket: { maxTokens: 3, fillInterval: { unit: 'ms', value: 60000 } } } });
    const other = router.addRoute('other', { routeName: 'other', routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: api }], match: { path: appmesh.HttpRoutePathMatch.startsWith('/o') } }) });
    other.addRateLimit(appmesh.RateLimit.tokenBucket({ maxTokens: 3, fillInterval: Duration.millis(0) }));
    expect(() => buildMeshSpecs(stack)).toThrow(/\[Stack\/mesh\/router\/other\] routes\["router\/other"\]\.extensions\.rateLimit\.tokenBucket\.fillInterval: a token bucket needs a fill interval of at least 1 ms/);
  });
});
