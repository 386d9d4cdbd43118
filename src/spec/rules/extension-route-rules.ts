import { RouteResource } from '../document';
import { checkFaultInjection, checkHeaderRules } from './extension-checks';
import { ROUTE_RATE_LIMIT_RULE } from './extension-node-rules';
import { items, portList, quote, SpecRule } from './rule';

/** Extension rules of routes (docs/policies.md): run after the App Mesh rules of the same route. */
export const ROUTE_EXTENSION_RULES: readonly SpecRule<RouteResource>[] = [
  {
    id: 'route-policies-need-http',
    summary: 'route policies (fault injection, mirrors, header rules) are on an HTTP, HTTP/2 or gRPC route',
    check: (route, ctx) => {
      if (route.extensions === undefined || route.spec.tcpRoute === undefined) return;
      const set = Object.keys(route.extensions).filter(key => (route.extensions as Record<string, unknown>)[key] !== undefined);
      if (set.length > 0) ctx.report('.extensions', `${set.join(', ')} act on HTTP requests; a TCP route carries none`);
    },
  },
  {
    id: 'route-fault-injection',
    summary: 'fault injection sets a delay or an abort, an abort one status, a delay a complete duration',
    check: (route, ctx) => checkFaultInjection(route.extensions?.faultInjection, '.extensions.faultInjection', ctx),
  },
  {
    id: 'route-header-rules',
    summary: 'header rules name headers Envoy may change (no pseudo-headers, not host) and write each once',
    check: (route, ctx) => checkHeaderRules(route.extensions?.headerRules, '.extensions.headerRules', ctx),
  },
  {
    id: 'route-mirror-target-exists',
    summary: 'a request mirror names a virtual node of the mesh and one of its listener ports',
    check: (route, ctx) => {
      items(route.extensions?.requestMirrors).forEach((mirror, i) => {
        const path = `.extensions.requestMirrors[${i}]`;
        const name = mirror?.virtualNode;
        if (typeof name !== 'string' || !ctx.known(name)) return;
        const node = ctx.index.virtualNodes.get(name);
        if (node === undefined) {
          ctx.report(`${path}.virtualNode`, `mirror target virtual node ${quote(name)} does not exist in mesh ${quote(ctx.meshName)}`);
          return;
        }
        const listeners = node.listeners;
        if (listeners === undefined || listeners.some(l => !ctx.known(l.port)) || !ctx.known(mirror.port)) return;
        const ports = listeners.map(l => l.port);
        if (ports.length === 0) {
          ctx.report(`${path}.virtualNode`, `mirror target virtual node ${quote(name)} has no listener to receive the copies`);
        } else if (mirror.port !== undefined && !ports.includes(mirror.port)) {
          ctx.report(`${path}.port`, `port ${mirror.port} is not a listener of virtual node ${quote(name)} (listener ports: ${portList(ports)})`);
        } else if (mirror.port === undefined && ports.length > 1) {
          ctx.report(`${path}.port`, `virtual node ${quote(name)} has several listeners (${portList(ports)}); say which receives the copies`);
        } else {
          const port = mirror.port ?? ports[0];
          const protocol = listeners.find(l => l.port === port)?.protocol;
          if (protocol === 'tcp' && ctx.known(protocol)) {
            ctx.report(`${path}.port`, `listener ${port} of virtual node ${quote(name)} is TCP; mirrored requests need an HTTP, HTTP/2 or gRPC listener`);
          }
        }
      });
    },
  },
  ROUTE_RATE_LIMIT_RULE,
];
