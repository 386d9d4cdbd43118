import { GatewayRouteResource } from '../document';
import { checkFaultInjection, checkHeaderRules } from './extension-checks';
import { GATEWAY_ROUTE_RATE_LIMIT_RULE } from './extension-node-rules';
import { SpecRule } from './rule';

/** Extension rules of gateway routes (docs/policies.md). */
export const GATEWAY_ROUTE_EXTENSION_RULES: readonly SpecRule<GatewayRouteResource>[] = [
  {
    id: 'gateway-route-fault-injection',
    summary: 'fault injection sets a delay or an abort, an abort one status, a delay a complete duration',
    check: (route, ctx) => checkFaultInjection(route.extensions?.faultInjection, '.extensions.faultInjection', ctx),
  },
  {
    id: 'gateway-route-header-rules',
    summary: 'header rules name headers Envoy may change (no pseudo-headers, not host) and write each once',
    check: (route, ctx) => checkHeaderRules(route.extensions?.headerRules, '.extensions.headerRules', ctx),
  },
  GATEWAY_ROUTE_RATE_LIMIT_RULE,
];
