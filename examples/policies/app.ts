// Policies beyond App Mesh (docs/policies.md): fault injection, request mirroring and header rules
// on routes and gateway routes, carried in the spec's extension section (open-app-mesh/v2).
// Every policy is an optional prop of the aws-cdk-lib style API; the App Mesh parts are unchanged.
//
// Run: npx ts-node --transpile-only examples/policies/app.ts   (writes cdk.out/shop.mesh.json)
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as appmesh from '../../src';
// Types of the Envoy messages a patch writes (TypeScript only; in a project: 'open-app-mesh/lib/policies/envoy-patch-types.generated').
import type { Cluster, HttpFilter } from '../../src/policies/envoy-patch-types.generated';

/** Mesh `shop`: web → cart.shop.local (HTTP) and ratings.shop.local (gRPC); a gateway in front of cart. */
export class PoliciesStack extends Stack {
  public readonly mesh: appmesh.Mesh;
  public readonly cartRouter: appmesh.VirtualRouter;
  public readonly ratingsRouter: appmesh.VirtualRouter;
  public readonly gateway: appmesh.VirtualGateway;
  public readonly web: appmesh.VirtualNode;
  public readonly cart: appmesh.VirtualNode;
  public readonly cartNext: appmesh.VirtualNode;
  public readonly ratings: appmesh.VirtualNode;
  public readonly orders: appmesh.VirtualNode;
  public readonly authz: appmesh.VirtualNode;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.mesh = new appmesh.Mesh(this, 'Mesh', { meshName: 'shop', egressFilter: appmesh.MeshFilterType.DROP_ALL });

    const node = (name: string, listener: appmesh.VirtualNodeListener) => this.mesh.addVirtualNode(name, {
      virtualNodeName: name,
      serviceDiscovery: appmesh.ServiceDiscovery.dns(`${name}.shop.local`),
      listeners: [listener],
    });
    this.cart = node('cart', appmesh.VirtualNodeListener.http({ port: 8080 }));
    // The next version of cart, tried on copies of live traffic before it takes any.
    this.cartNext = node('cart-next', appmesh.VirtualNodeListener.http({ port: 8080 }));
    this.ratings = node('ratings', appmesh.VirtualNodeListener.grpc({ port: 9090 }));

    this.cartRouter = this.mesh.addVirtualRouter('CartRouter', {
      virtualRouterName: 'cart',
      listeners: [appmesh.VirtualRouterListener.http(8080)],
    });
    // Chaos on demand: requests that carry x-chaos are delayed or fail, the others are untouched.
    this.cartRouter.addRoute('chaos', {
      routeName: 'chaos',
      routeSpec: appmesh.RouteSpec.http({
        priority: 10,
        match: { path: appmesh.HttpRoutePathMatch.startsWith('/'), headers: [appmesh.HeaderMatch.valueIs('x-chaos', 'on')] },
        weightedTargets: [{ virtualNode: this.cart }],
        faultInjection: appmesh.FaultInjection.of({
          delay: { fixedDelay: Duration.millis(500), percentage: 50 },
          abort: { httpStatus: 503, percentage: 10 },
          headerPresent: 'x-chaos',
        }),
      }),
    });
    // Everything else: 5 % of requests copied to cart-next (its answers are dropped), and headers tidied.
    this.cartRouter.addRoute('main', {
      routeName: 'main',
      routeSpec: appmesh.RouteSpec.http({
        priority: 20,
        weightedTargets: [{ virtualNode: this.cart }],
        requestMirrors: [appmesh.RequestMirror.toVirtualNode(this.cartNext, { percentage: 5 })],
        requestHeaderRules: [appmesh.HeaderRule.set('x-shop-route', 'cart-main'), appmesh.HeaderRule.remove('x-debug')],
        responseHeaderRules: [
          appmesh.HeaderRule.remove('server'),
          appmesh.HeaderRule.addIfAbsent('cache-control', 'no-store'),
        ],
      }),
    });

    this.ratingsRouter = this.mesh.addVirtualRouter('RatingsRouter', {
      virtualRouterName: 'ratings',
      listeners: [appmesh.VirtualRouterListener.grpc(9090)],
    });
    // A steady 1 % of UNAVAILABLE answers: callers' retries and fallbacks stay exercised.
    const ratingsRoute = this.ratingsRouter.addRoute('ratings', {
      routeName: 'ratings',
      routeSpec: appmesh.RouteSpec.grpc({
        match: { serviceName: 'shop.Ratings' },
        weightedTargets: [{ virtualNode: this.ratings }],
        faultInjection: appmesh.FaultInjection.abortGrpc(14, 1),
        requestHeaderRules: [appmesh.HeaderRule.append('x-shop-caller', 'mesh')],
      }),
    });
    // Each caller's Envoy lets at most 50 ratings calls a second through (bursts of 100).
    ratingsRoute.addRateLimit(appmesh.RateLimit.tokenBucket({ maxTokens: 100, tokensPerFill: 50, fillInterval: Duration.seconds(1) }));

    const cartService = new appmesh.VirtualService(this, 'CartService', {
      virtualServiceName: 'cart.shop.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(this.cartRouter),
    });
    const ratingsService = new appmesh.VirtualService(this, 'RatingsService', {
      virtualServiceName: 'ratings.shop.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(this.ratingsRouter),
    });

    this.web = this.mesh.addVirtualNode('web', {
      virtualNodeName: 'web',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('web.shop.local'),
      listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
      backends: [appmesh.Backend.virtualService(cartService), appmesh.Backend.virtualService(ratingsService)],
    });

    // orders speaks only mutual TLS, so callers are known by their mesh identity (docs/access-policies.md).
    const meshTls = {
      mode: appmesh.TlsMode.STRICT,
      certificate: appmesh.TlsCertificate.sds('default'),
      mutualTlsValidation: { trust: appmesh.TlsValidationTrust.sds('ROOTCA') },
    };
    this.orders = this.mesh.addVirtualNode('orders', {
      virtualNodeName: 'orders',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('orders.shop.local'),
      listeners: [appmesh.VirtualNodeListener.http({ port: 8080, tls: meshTls }), appmesh.VirtualNodeListener.tcp({ port: 9000, tls: meshTls })],
    });
    // The external authorization service the gateway asks about every request.
    this.authz = node('authz', appmesh.VirtualNodeListener.grpc({ port: 9191 }));
    const authzService = new appmesh.VirtualService(this, 'AuthzService', {
      virtualServiceName: 'authz.shop.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(this.authz),
    });
    const ordersService = new appmesh.VirtualService(this, 'OrdersService', {
      virtualServiceName: 'orders.shop.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(this.orders),
    });
    this.web.addBackend(appmesh.Backend.virtualService(ordersService));

    this.gateway = this.mesh.addVirtualGateway('Gateway', {
      virtualGatewayName: 'edge',
      listeners: [appmesh.VirtualGatewayListener.http({ port: 8443 })],
    });
    // The public entry: identify the hop, hide internals, and shed a little load under test.
    this.gateway.addGatewayRoute('cart', {
      gatewayRouteName: 'cart',
      routeSpec: appmesh.GatewayRouteSpec.http({
        routeTarget: cartService,
        match: { path: appmesh.HttpGatewayRoutePathMatch.startsWith('/cart/') },
        requestHeaderRules: [appmesh.HeaderRule.set('x-shop-entry', 'edge')],
        responseHeaderRules: [appmesh.HeaderRule.remove('x-envoy-upstream-service-time')],
        faultInjection: appmesh.FaultInjection.of({ abort: { httpStatus: 429, percentage: 100 }, headerPresent: 'x-shed-load' }),
      }),
    });

    // Who may call orders: web reads and writes orders over HTTP; the gateway only reads; the
    // nightly batch (web too) may use the TCP port. Everything else is refused (403 / closed).
    this.orders.allowFrom([this.web], {
      name: 'web-orders',
      ports: [8080],
      paths: [appmesh.AuthorizationPath.startsWith('/orders/')],
      methods: [appmesh.HttpRouteMethod.GET, appmesh.HttpRouteMethod.POST],
    });
    this.orders.allowFrom([this.gateway], {
      name: 'edge-reads',
      ports: [8080],
      paths: [appmesh.AuthorizationPath.startsWith('/orders/')],
      methods: [appmesh.HttpRouteMethod.GET],
      headers: [appmesh.HeaderMatch.valueIs('x-shop-entry', 'edge')],
    });
    this.orders.allowFrom([this.web], { name: 'batch', ports: [9000] });
    // And at most 100 requests a second per orders proxy, 20 connections a second on TCP.
    this.orders.addRateLimit(appmesh.RateLimit.tokenBucket({
      maxTokens: 100, fillInterval: Duration.seconds(1), responseHeaders: { 'retry-after': '1' },
    }), 8080);
    this.orders.addRateLimit(appmesh.RateLimit.tokenBucket({ maxTokens: 20, fillInterval: Duration.seconds(1) }), 9000);

    // End users: a token of the shop's identity provider on everything but /health, then a check
    // with the authorization service of the mesh before any route is taken.
    const shopLogin = appmesh.JwtProvider.remoteJwks({
      name: 'shop-login',
      issuer: 'https://login.shop.example',
      audiences: ['shop-edge'],
      jwksUri: 'https://login.shop.example/.well-known/jwks.json',
      claimToHeaders: { sub: 'x-shop-user' },
    });
    this.gateway.addJwtAuthentication({
      providers: [shopLogin],
      requirements: [{ pathPrefix: '/health', providers: [] }, { pathPrefix: '/', providers: [shopLogin] }],
    });
    this.gateway.addExternalAuthorization(appmesh.ExternalAuthorization.grpc({ virtualService: authzService, timeout: Duration.millis(250) }));

    // The escape hatch (docs/envoy-patches.md): Envoy settings the model has no field for, written
    // on the resources by the names translation gives them, applied last, checked at synth against
    // the node's real render and Envoy's own rules. cart takes large request bodies from the edge...
    const bigBuffers: Cluster = { per_connection_buffer_limit_bytes: { value: 1048576 } };
    this.cart.addEnvoyPatch(appmesh.EnvoyPatch.mergeCluster('cds_ingress_shop_cart_http_8080', bigBuffers));
    this.gateway.addEnvoyPatch(appmesh.EnvoyPatch.mergeListener('lds_ingress_0.0.0.0_8443', { per_connection_buffer_limit_bytes: { value: 1048576 } }));
    // ...and web's outbound HTTP calls do not add x-envoy-* headers to what its services see.
    const quietRouter: HttpFilter = { typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router', 'suppress_envoy_headers': true } };
    this.web.addEnvoyPatch(appmesh.EnvoyPatch.mergeHttpFilter({
      listenerName: 'lds_egress_0.0.0.0_15001',
      filterChainName: 'egress_http_8080',
      filterName: 'envoy.filters.http.router',
      value: quietRouter,
    }));
  }
}

/** Define the policies stack in `app`. */
export function buildPoliciesApp(app: App): PoliciesStack {
  return new PoliciesStack(app, 'PoliciesMesh');
}

if (require.main === module) {
  const app = new App();
  buildPoliciesApp(app);
  app.synth();
}
