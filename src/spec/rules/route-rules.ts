import { GrpcRoute, HttpRoute, RouteSpec, TcpRoute, WeightedTarget } from '../appmesh-types';
import { RouteResource } from '../document';
import { items, portList, quote, RuleContext, setMembers, SpecRule } from './rule';
import {
  checkDuration, checkExactlyOne, checkHeaderMatchers, checkRe2, checkLeadingSlash, checkMatchPortIsListener, checkMatchPortSet, checkRouteProtocol,
  knownListeners, ParentListenerCheck,
} from './shared-checks';

const ROUTE_KINDS = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const;
const HTTP_KINDS = ['httpRoute', 'http2Route'] as const;

/** Values App Mesh accepts in `httpRetryEvents` (the schema only bounds their length). */
export const HTTP_RETRY_EVENTS: readonly string[] = ['server-error', 'gateway-error', 'client-error', 'stream-error'];

/** The one route kind that is set, or undefined when not exactly one is. */
function routeKind(spec: RouteSpec): { key: string; route: HttpRoute | GrpcRoute | TcpRoute } | undefined {
  const set = setMembers(spec, ROUTE_KINDS);
  if (set.length !== 1) return undefined;
  return { key: set[0], route: (spec as unknown as Record<string, HttpRoute | GrpcRoute | TcpRoute>)[set[0]] };
}

function parentCheck(route: RouteResource, ctx: RuleContext): ParentListenerCheck | undefined {
  const kind = routeKind(route.spec);
  const parent = ctx.index.virtualRouters.get(route.virtualRouterName);
  if (kind === undefined || parent === undefined) return undefined;
  return {
    parentNoun: 'virtual router',
    parentName: route.virtualRouterName,
    listeners: parent.listeners,
    kindKey: kind.key,
    matchPort: (kind.route as { match?: { port?: number } }).match?.port,
  };
}

function weightedTargets(spec: RouteSpec): { path: string; targets: readonly WeightedTarget[] } | undefined {
  const kind = routeKind(spec);
  if (kind === undefined) return undefined;
  return { path: `.spec.${kind.key}.action.weightedTargets`, targets: items(kind.route.action?.weightedTargets) };
}

/** Cross-field rules of routes. */
export const ROUTE_RULES: readonly SpecRule<RouteResource>[] = [
  {
    id: 'route-kind-exactly-one',
    summary: 'a route sets exactly one of httpRoute, http2Route, grpcRoute, tcpRoute',
    check: (route, ctx) => checkExactlyOne(route.spec, ROUTE_KINDS, '.spec', ctx, 'a route'),
  },
  {
    id: 'route-parent-exists',
    summary: 'the route\'s virtualRouterName names a virtual router of the mesh',
    check: (route, ctx) => {
      if (!ctx.known(route.virtualRouterName) || ctx.index.virtualRouters.has(route.virtualRouterName)) return;
      ctx.report('.virtualRouterName', `virtual router ${quote(route.virtualRouterName)} does not exist in mesh ${quote(ctx.meshName)}`);
    },
  },
  {
    id: 'route-match-port',
    summary: 'with several router listeners the route sets match.port',
    check: (route, ctx) => {
      const check = parentCheck(route, ctx);
      if (check !== undefined) checkMatchPortSet(check, ctx);
    },
  },
  {
    id: 'route-match-port-is-listener',
    summary: 'a match.port is a router listener port (App Mesh accepted any port and left such a route undistributed)',
    severity: 'warning',
    check: (route, ctx) => {
      const check = parentCheck(route, ctx);
      if (check !== undefined) checkMatchPortIsListener(check, ctx);
    },
  },
  {
    id: 'route-protocol-matches-listener',
    summary: 'the route kind matches the protocol of the router listener it serves (httpRoute on http, ...)',
    severity: 'warning',
    check: (route, ctx) => {
      const check = parentCheck(route, ctx);
      if (check !== undefined) checkRouteProtocol(check, ctx);
    },
  },
  {
    id: 'weighted-target-exists',
    summary: 'every weighted target names a virtual node of the mesh',
    check: (route, ctx) => {
      const found = weightedTargets(route.spec);
      found?.targets.forEach((target, i) => {
        const node = target?.virtualNode;
        if (!ctx.known(node) || ctx.index.virtualNodes.has(node)) return;
        ctx.report(`${found.path}[${i}].virtualNode`, `virtual node ${quote(node)} does not exist in mesh ${quote(ctx.meshName)}`);
      });
    },
  },
  {
    id: 'weighted-target-port',
    summary: 'a weighted target port is a listener port of the target node',
    check: (route, ctx) => {
      const found = weightedTargets(route.spec);
      found?.targets.forEach((target, i) => {
        if (target?.port === undefined || !ctx.known(target.port) || !ctx.known(target.virtualNode)) return;
        const listeners = knownListeners(ctx.index.virtualNodes.get(target.virtualNode)?.listeners, ctx);
        if (listeners === undefined || listeners.some(l => l.port === target.port)) return;
        const ports = listeners.length === 0 ? 'it has no listeners' : `listener ports: ${portList(listeners.map(l => l.port))}`;
        ctx.report(`${found.path}[${i}].port`, `port ${target.port} is not a listener port of virtual node ${quote(target.virtualNode)} (${ports})`);
      });
    },
  },
  {
    id: 'weights-not-all-zero',
    summary: 'the weights of a route\'s targets add up to more than 0',
    severity: 'warning',
    check: (route, ctx) => {
      const found = weightedTargets(route.spec);
      if (found === undefined || found.targets.length === 0) return;
      let sum = 0;
      for (const target of found.targets) {
        if (!ctx.known(target?.weight) || typeof target.weight !== 'number') return;
        sum += target.weight;
      }
      if (sum <= 0) {
        ctx.report(found.path, 'every weight is 0, so the route sends no traffic; App Mesh accepted it, but Envoy refuses weights that add up to 0, '
          + 'so the route is not distributed and its requests go to the next matching route, if any');
      }
    },
  },
  {
    id: 'retry-events-required',
    summary: 'a retry policy lists at least one retry event',
    check: (route, ctx) => {
      for (const key of [...HTTP_KINDS, 'grpcRoute'] as const) {
        const policy = route.spec[key]?.retryPolicy;
        if (policy === undefined || !ctx.known(policy)) continue;
        const lists = key === 'grpcRoute' ? ['grpcRetryEvents', 'httpRetryEvents', 'tcpRetryEvents'] : ['httpRetryEvents', 'tcpRetryEvents'];
        if (setMembers(policy, lists).length === 0) {
          ctx.report(`.spec.${key}.retryPolicy`, `a retry policy needs at least one of ${lists.join(', ')}`);
        }
      }
    },
  },
  {
    id: 'route-durations-complete',
    summary: 'every duration of a route (timeouts, per-retry timeout) sets unit and value',
    check: (route, ctx) => {
      for (const key of ROUTE_KINDS) {
        const kind = route.spec[key] as { timeout?: { idle?: object; perRequest?: object }; retryPolicy?: { perRetryTimeout?: object } } | undefined;
        checkDuration(kind?.timeout?.idle, `.spec.${key}.timeout.idle`, ctx);
        checkDuration(kind?.timeout?.perRequest, `.spec.${key}.timeout.perRequest`, ctx);
        checkDuration(kind?.retryPolicy?.perRetryTimeout, `.spec.${key}.retryPolicy.perRetryTimeout`, ctx);
      }
    },
  },
  {
    id: 'http-retry-event-values',
    summary: 'httpRetryEvents are server-error, gateway-error, client-error or stream-error',
    check: (route, ctx) => {
      for (const key of [...HTTP_KINDS, 'grpcRoute'] as const) {
        items(route.spec[key]?.retryPolicy?.httpRetryEvents).forEach((event, i) => {
          if (!ctx.known(event) || HTTP_RETRY_EVENTS.includes(event)) return;
          ctx.report(`.spec.${key}.retryPolicy.httpRetryEvents[${i}]`, `${quote(event)} is not an HTTP retry event (${HTTP_RETRY_EVENTS.join(', ')})`);
        });
      }
    },
  },
  {
    id: 'grpc-method-needs-service',
    summary: 'a gRPC match with methodName also sets serviceName',
    check: (route, ctx) => {
      const match = route.spec.grpcRoute?.match;
      if (match?.methodName !== undefined && match.serviceName === undefined) {
        ctx.report('.spec.grpcRoute.match.methodName', 'methodName needs serviceName (a method is matched within a service)');
      }
    },
  },
  {
    id: 'grpc-match-not-empty',
    summary: 'a gRPC route match sets at least one of serviceName, methodName, metadata, port',
    check: (route, ctx) => {
      const match = route.spec.grpcRoute?.match;
      if (match === undefined || !ctx.known(match)) return;
      const members = ['serviceName', 'methodName', 'metadata', 'port'];
      if (setMembers(match, members).length === 0) {
        ctx.report('.spec.grpcRoute.match', `a gRPC route match needs at least one of ${members.join(', ')}`);
      }
    },
  },
  {
    id: 'http-match-path',
    summary: 'an HTTP route match sets exactly one of prefix and path, or neither with a port (prefix "/" implied, as App Mesh did); path sets exactly one of exact and regex',
    check: (route, ctx) => {
      for (const key of HTTP_KINDS) {
        const match = route.spec[key]?.match;
        if (match === undefined) continue;
        const portOnly = match.prefix === undefined && match.path === undefined && match.port !== undefined;
        if (!portOnly) checkExactlyOne(match, ['prefix', 'path'], `.spec.${key}.match`, ctx, 'an HTTP route match');
        checkExactlyOne(match.path, ['exact', 'regex'], `.spec.${key}.match.path`, ctx, 'a path match');
        checkRe2(match.path?.regex, `.spec.${key}.match.path.regex`, ctx);
      }
    },
  },
  {
    id: 'path-starts-with-slash',
    summary: 'a route prefix and an exact path start with "/"',
    check: (route, ctx) => {
      for (const key of HTTP_KINDS) {
        const match = route.spec[key]?.match;
        checkLeadingSlash(match?.prefix, `.spec.${key}.match.prefix`, 'the prefix', ctx);
        checkLeadingSlash(match?.path?.exact, `.spec.${key}.match.path.exact`, 'the exact path', ctx);
      }
    },
  },
  {
    id: 'header-matchers',
    summary: 'header and metadata names do not start with ":"; a match range has start < end; regexes are RE2',
    check: (route, ctx) => {
      for (const key of HTTP_KINDS) {
        checkHeaderMatchers(route.spec[key]?.match?.headers, `.spec.${key}.match.headers`, ctx);
      }
      checkHeaderMatchers(route.spec.grpcRoute?.match?.metadata, '.spec.grpcRoute.match.metadata', ctx);
    },
  },
];
