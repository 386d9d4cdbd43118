import { GatewayRouteResource, RouteResource, VirtualNodeResource } from '../document';
import { items, quote, RuleContext, SpecRule } from './rule';
import { checkDuration } from './shared-checks';
import { AuthorizationRule } from '../extensions/authorization';
import { RateLimitPolicy } from '../extensions/rate-limit';

/** Rules of a virtual node's rate limits and authorization (docs/policies.md). */

function listenerProtocols(node: VirtualNodeResource): Map<number, string> {
  return new Map(items(node.spec.listeners).map(l => [l.portMapping?.port, l.portMapping?.protocol] as [number, string]));
}

/** The listener ports a rule applies to. */
function rulePorts(rule: AuthorizationRule, protocols: Map<number, string>): number[] {
  return rule.ports ? [...rule.ports] : [...protocols.keys()];
}

function durationMillis(d: { unit?: string; value?: number } | undefined): number | undefined {
  if (d?.value === undefined || d.unit === undefined) return undefined;
  return d.unit === 'ms' ? d.value : d.value * 1000;
}

/** A token bucket that can let something through: at least one token, refilled at least every millisecond. */
export function checkRateLimit(limit: RateLimitPolicy | undefined, at: string, ctx: RuleContext): void {
  const bucket = limit?.tokenBucket;
  if (bucket === undefined || !ctx.known(bucket)) return;
  checkDuration(bucket.fillInterval, `${at}.tokenBucket.fillInterval`, ctx);
  const ms = durationMillis(bucket.fillInterval);
  if (ms !== undefined && ms < 1) ctx.report(`${at}.tokenBucket.fillInterval`, `a token bucket needs a fill interval of at least 1 ms (got ${ms} ms): it would never refill`);
  if (bucket.maxTokens !== undefined && ctx.known(bucket.maxTokens) && bucket.maxTokens < 1) {
    ctx.report(`${at}.tokenBucket.maxTokens`, 'a token bucket needs at least 1 token, or it refuses every request');
  }
}

/** The rate limit of a route. */
export const ROUTE_RATE_LIMIT_RULE: SpecRule<RouteResource> = {
  id: 'route-rate-limit-bucket',
  summary: 'a route\'s rate limit holds at least one token and refills at least every millisecond',
  check: (route, ctx) => checkRateLimit(route.extensions?.rateLimit, '.extensions.rateLimit', ctx),
};

/** The rate limit of a gateway route. */
export const GATEWAY_ROUTE_RATE_LIMIT_RULE: SpecRule<GatewayRouteResource> = {
  id: 'gateway-route-rate-limit-bucket',
  summary: 'a gateway route\'s rate limit holds at least one token and refills at least every millisecond',
  check: (route, ctx) => checkRateLimit(route.extensions?.rateLimit, '.extensions.rateLimit', ctx),
};

export const NODE_POLICY_RULES: readonly SpecRule<VirtualNodeResource>[] = [
  {
    id: 'node-rate-limit-bucket',
    summary: 'a rate limit\'s token bucket holds at least one token and refills at least every millisecond (durations with unit and value)',
    check: (node, ctx) => items(node.extensions?.rateLimits).forEach((limit, i) => checkRateLimit(limit, `.extensions.rateLimits[${i}]`, ctx)),
  },
  {
    id: 'node-rate-limit-port',
    summary: 'a rate limit names a listener port of the node, and each port (or "every listener") has one limit at most',
    check: (node, ctx) => {
      const protocols = listenerProtocols(node);
      const seen = new Set<string>();
      items(node.extensions?.rateLimits).forEach((limit, i) => {
        if (limit.port !== undefined && ctx.known(limit.port) && !protocols.has(limit.port)) {
          ctx.report(`.extensions.rateLimits[${i}].port`, `virtual node ${quote(node.virtualNodeName)} has no listener on port ${limit.port}`);
        }
        const key = limit.port === undefined ? 'every listener' : `port ${limit.port}`;
        if (seen.has(key)) ctx.report(`.extensions.rateLimits[${i}]`, `a second rate limit for ${key}; give each port one limit`);
        seen.add(key);
      });
    },
  },
  {
    id: 'node-authorization-callers-exist',
    summary: 'every caller an authorization rule allows is a virtual node or virtual gateway of the mesh',
    check: (node, ctx) => {
      items(node.extensions?.authorization?.rules).forEach((rule, i) => {
        const at = `.extensions.authorization.rules[${i}].from`;
        items(rule.from?.virtualNodes).forEach((name, j) => {
          if (ctx.known(name) && !ctx.index.virtualNodes.has(name)) ctx.report(`${at}.virtualNodes[${j}]`, `virtual node ${quote(name)} does not exist in mesh ${quote(ctx.meshName)}`);
        });
        items(rule.from?.virtualGateways).forEach((name, j) => {
          if (ctx.known(name) && !ctx.index.virtualGateways.has(name)) ctx.report(`${at}.virtualGateways[${j}]`, `virtual gateway ${quote(name)} does not exist in mesh ${quote(ctx.meshName)}`);
        });
        if (items(rule.from?.virtualNodes).length + items(rule.from?.virtualGateways).length === 0) {
          ctx.report(at, 'an authorization rule allows at least one virtual node or gateway');
        }
      });
    },
  },
  {
    id: 'node-authorization-rules',
    summary: 'authorization rule names are unique; their ports are listener ports; a rule with HTTP conditions applies to an HTTP, HTTP/2 or gRPC listener',
    check: (node, ctx) => {
      const protocols = listenerProtocols(node);
      const names = new Set<string>();
      items(node.extensions?.authorization?.rules).forEach((rule, i) => {
        const at = `.extensions.authorization.rules[${i}]`;
        if (names.has(rule.name)) ctx.report(`${at}.name`, `a second authorization rule named ${quote(rule.name)}`);
        names.add(rule.name);
        items(rule.ports).forEach((port, j) => {
          if (ctx.known(port) && !protocols.has(port)) ctx.report(`${at}.ports[${j}]`, `virtual node ${quote(node.virtualNodeName)} has no listener on port ${port}`);
        });
        const ports = rulePorts(rule, protocols).filter(p => protocols.has(p));
        if (rule.http !== undefined && ports.length > 0 && ports.every(p => protocols.get(p) === 'tcp')) {
          ctx.report(`${at}.http`, 'HTTP conditions cannot match on TCP listeners, so this rule would allow nothing; drop them or name an HTTP listener port');
        }
      });
    },
  },
  {
    id: 'node-authorization-needs-mtls',
    severity: 'warning',
    summary: 'a listener under authorization rules requires client certificates (TLS STRICT with validation): callers are known only by their certificate',
    check: (node, ctx) => {
      if (items(node.extensions?.authorization?.rules).length === 0) return;
      items(node.spec.listeners).forEach((listener, i) => {
        const tls = listener.tls;
        if (!ctx.known(tls)) return;
        if (tls?.mode === 'STRICT' && tls.validation !== undefined) return;
        ctx.report(`.spec.listeners[${i}].tls`,
          `listener port ${listener.portMapping?.port} has authorization rules but does not require a client certificate (TLS STRICT with validation): `
          + 'no caller can be identified there, so every request or connection without one is denied');
      });
    },
  },
];
