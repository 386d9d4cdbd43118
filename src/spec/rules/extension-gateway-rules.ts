import { VirtualGatewayResource } from '../document';
import { items, quote, SpecRule } from './rule';
import { checkDuration } from './shared-checks';

/** Rules of a virtual gateway's JWT authentication and external authorization (docs/policies.md). */
export const GATEWAY_POLICY_RULES: readonly SpecRule<VirtualGatewayResource>[] = [
  {
    id: 'gateway-jwt-provider-keys',
    summary: 'a JWT provider has keys: exactly one of remoteJwks and localJwks; inline keys are a JWKS document',
    check: (gateway, ctx) => {
      items(gateway.extensions?.jwtAuthentication?.providers).forEach((provider, i) => {
        const at = `.extensions.jwtAuthentication.providers[${i}]`;
        const sources = ['remoteJwks', 'localJwks'].filter(k => (provider as unknown as Record<string, unknown>)[k] !== undefined);
        if (sources.length !== 1) {
          ctx.report(at, sources.length === 0
            ? `JWT provider ${quote(provider.name)} has no keys: give remoteJwks (a JWKS URL) or localJwks (the JWKS inline)`
            : `JWT provider ${quote(provider.name)} gives both remoteJwks and localJwks; give one`);
        }
        const inline = provider.localJwks?.inline;
        if (inline !== undefined && ctx.known(inline)) {
          let keys: unknown;
          try {
            keys = (JSON.parse(inline) as { keys?: unknown }).keys;
          } catch {
            keys = undefined;
          }
          if (!Array.isArray(keys)) ctx.report(`${at}.localJwks.inline`, 'not a JWKS document: JSON with a "keys" array');
        }
        checkDuration(provider.remoteJwks?.timeout, `${at}.remoteJwks.timeout`, ctx);
        checkDuration(provider.remoteJwks?.cacheDuration, `${at}.remoteJwks.cacheDuration`, ctx);
      });
    },
  },
  {
    id: 'gateway-jwt-names',
    summary: 'JWT provider names are unique, and every provider a rule names exists',
    check: (gateway, ctx) => {
      const policy = gateway.extensions?.jwtAuthentication;
      const names = new Set<string>();
      items(policy?.providers).forEach((provider, i) => {
        if (names.has(provider.name)) ctx.report(`.extensions.jwtAuthentication.providers[${i}].name`, `a second JWT provider named ${quote(provider.name)}`);
        names.add(provider.name);
      });
      items(policy?.rules).forEach((rule, i) => {
        items(rule.providers).forEach((name, j) => {
          if (ctx.known(name) && !names.has(name)) ctx.report(`.extensions.jwtAuthentication.rules[${i}].providers[${j}]`, `no JWT provider named ${quote(name)}`);
        });
      });
    },
  },
  {
    id: 'gateway-ext-authz-service',
    summary: 'the external authorization service is a virtual service of the mesh; pathPrefix is for HTTP services only; the timeout sets unit and value',
    check: (gateway, ctx) => {
      const policy = gateway.extensions?.externalAuthorization;
      if (!policy) return;
      const at = '.extensions.externalAuthorization';
      const name = policy.virtualServiceName;
      if (ctx.known(name) && !ctx.index.virtualServices.has(name)) {
        ctx.report(`${at}.virtualServiceName`, `virtual service ${quote(name)} does not exist in mesh ${quote(ctx.meshName)}`);
      }
      if (policy.pathPrefix !== undefined && policy.protocol !== 'http') ctx.report(`${at}.pathPrefix`, 'pathPrefix applies to HTTP authorization services only');
      checkDuration(policy.timeout, `${at}.timeout`, ctx);
    },
  },
  {
    id: 'gateway-ext-authz-listener',
    summary: 'the external authorization service has an HTTP-family listener (on the port named); a gRPC check needs a grpc or http2 listener',
    check: (gateway, ctx) => {
      const policy = gateway.extensions?.externalAuthorization;
      const listeners = policy && ctx.known(policy.virtualServiceName) ? ctx.index.providerListeners(policy.virtualServiceName) : undefined;
      if (!policy || !listeners || !listeners.every(l => ctx.known(l.port) && ctx.known(l.protocol))) return;
      const at = '.extensions.externalAuthorization';
      const name = quote(policy.virtualServiceName);
      const chosen = policy.port !== undefined ? listeners.find(l => l.port === policy.port) : listeners.find(l => l.protocol !== 'tcp');
      if (chosen === undefined || chosen.protocol === 'tcp') {
        ctx.report(policy.port !== undefined ? `${at}.port` : at, policy.port !== undefined
          ? `the provider of virtual service ${name} has no HTTP, HTTP/2 or gRPC listener on port ${policy.port}`
          : `the provider of virtual service ${name} has no HTTP, HTTP/2 or gRPC listener to send checks to`);
      } else if (policy.protocol === 'grpc' && chosen.protocol !== 'grpc' && chosen.protocol !== 'http2') {
        ctx.report(`${at}.protocol`, `a gRPC check needs a grpc or http2 listener; virtual service ${name} listens with ${String(chosen.protocol)} on port ${String(chosen.port)}`);
      }
    },
  },
];
