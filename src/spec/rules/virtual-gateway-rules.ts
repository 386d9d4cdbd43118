import { VirtualGatewayResource } from '../document';
import { items, SpecRule } from './rule';
import { checkHealthCheckPath, checkProtocolKey, checkUniqueListenerPorts } from './shared-checks';

/** Cross-field rules of virtual gateways. */
export const VIRTUAL_GATEWAY_RULES: readonly SpecRule<VirtualGatewayResource>[] = [
  {
    id: 'gateway-needs-listener',
    summary: 'a virtual gateway has at least one listener',
    check: (gateway, ctx) => {
      const listeners = gateway.spec.listeners;
      if (Array.isArray(listeners) && listeners.length === 0) {
        ctx.report('.spec.listeners', 'a virtual gateway needs at least one listener');
      }
    },
  },
  {
    id: 'gateway-listener-ports-unique',
    summary: 'listener ports are unique within a virtual gateway',
    check: (gateway, ctx) => checkUniqueListenerPorts(gateway.spec.listeners, ctx),
  },
  {
    id: 'gateway-listener-protocol-keys',
    summary: 'a gateway listener\'s connectionPool is keyed by the listener protocol',
    check: (gateway, ctx) => {
      items(gateway.spec.listeners).forEach((listener, i) => {
        checkProtocolKey(listener.connectionPool, listener.portMapping?.protocol, `.spec.listeners[${i}].connectionPool`, 'connectionPool', ctx);
      });
    },
  },
  {
    id: 'gateway-health-check-path',
    summary: 'a health check path is set only for http and http2 checks',
    check: (gateway, ctx) => {
      items(gateway.spec.listeners).forEach((listener, i) => checkHealthCheckPath(listener.healthCheck, `.spec.listeners[${i}].healthCheck`, ctx));
    },
  },
];
