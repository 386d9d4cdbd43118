import { GatewayRouteSpec, GatewayRouteTarget } from '../appmesh-types';
import { GatewayRouteResource } from '../document';
import { portList, quote, RuleContext, setMembers, SpecRule } from './rule';
import {
  checkExactlyOne, checkHeaderMatchers, checkRe2, checkLeadingSlash, checkMatchPortIsListener, checkMatchPortSet, checkRouteProtocol,
  knownListeners, ParentListenerCheck,
} from './shared-checks';

const GATEWAY_ROUTE_KINDS = ['httpRoute', 'http2Route', 'grpcRoute'] as const;
const HTTP_KINDS = ['httpRoute', 'http2Route'] as const;

/** Paths under this prefix belong to App Mesh itself; gateway routes may not claim them. */
export const RESERVED_PATH_PREFIX = '/aws-appmesh';
/** gRPC services under this name belong to App Mesh itself. */
export const RESERVED_GRPC_SERVICE_PREFIX = 'aws.appmesh';

function kindKey(spec: GatewayRouteSpec): string | undefined {
  const set = setMembers(spec, GATEWAY_ROUTE_KINDS);
  return set.length === 1 ? set[0] : undefined;
}

function parentCheck(route: GatewayRouteResource, ctx: RuleContext): ParentListenerCheck | undefined {
  const key = kindKey(route.spec) as (typeof GATEWAY_ROUTE_KINDS)[number] | undefined;
  const parent = ctx.index.virtualGateways.get(route.virtualGatewayName);
  if (key === undefined || parent === undefined) return undefined;
  return {
    parentNoun: 'virtual gateway',
    parentName: route.virtualGatewayName,
    listeners: parent.listeners,
    kindKey: key,
    matchPort: route.spec[key]?.match?.port,
  };
}

function target(spec: GatewayRouteSpec): { path: string; target: GatewayRouteTarget } | undefined {
  const key = kindKey(spec) as (typeof GATEWAY_ROUTE_KINDS)[number] | undefined;
  const found = key === undefined ? undefined : spec[key]?.action?.target;
  return found === undefined ? undefined : { path: `.spec.${key}.action.target`, target: found };
}

/** Cross-field rules of gateway routes. */
export const GATEWAY_ROUTE_RULES: readonly SpecRule<GatewayRouteResource>[] = [
  {
    id: 'gateway-route-kind-exactly-one',
    summary: 'a gateway route sets exactly one of httpRoute, http2Route, grpcRoute',
    check: (route, ctx) => checkExactlyOne(route.spec, GATEWAY_ROUTE_KINDS, '.spec', ctx, 'a gateway route'),
  },
  {
    id: 'gateway-route-parent-exists',
    summary: 'the gateway route\'s virtualGatewayName names a virtual gateway of the mesh',
    check: (route, ctx) => {
      if (!ctx.known(route.virtualGatewayName) || ctx.index.virtualGateways.has(route.virtualGatewayName)) return;
      ctx.report('.virtualGatewayName', `virtual gateway ${quote(route.virtualGatewayName)} does not exist in mesh ${quote(ctx.meshName)}`);
    },
  },
  {
    id: 'gateway-route-match-port',
    summary: 'with several gateway listeners the route sets match.port',
    check: (route, ctx) => {
      const check = parentCheck(route, ctx);
      if (check !== undefined) checkMatchPortSet(check, ctx);
    },
  },
  {
    id: 'gateway-route-match-port-is-listener',
    summary: 'a match.port is a gateway listener port (App Mesh accepted any port and left such a route undistributed)',
    severity: 'warning',
    check: (route, ctx) => {
      const check = parentCheck(route, ctx);
      if (check !== undefined) checkMatchPortIsListener(check, ctx);
    },
  },
  {
    id: 'gateway-route-protocol-matches-listener',
    summary: 'the gateway route kind matches the protocol of the gateway listener it serves',
    severity: 'warning',
    check: (route, ctx) => {
      const check = parentCheck(route, ctx);
      if (check !== undefined) checkRouteProtocol(check, ctx);
    },
  },
  {
    id: 'gateway-route-target-exists',
    summary: 'the target names a virtual service of the mesh',
    check: (route, ctx) => {
      const found = target(route.spec);
      const name = found?.target.virtualService?.virtualServiceName;
      if (found === undefined || !ctx.known(name) || ctx.index.virtualServices.has(name as string)) return;
      ctx.report(`${found.path}.virtualService.virtualServiceName`, `virtual service ${quote(name)} does not exist in mesh ${quote(ctx.meshName)}`);
    },
  },
  {
    id: 'gateway-route-target-port',
    summary: 'a target port is a listener port of the service\'s provider; required when the provider has several listeners',
    check: (route, ctx) => {
      const found = target(route.spec);
      const name = found?.target.virtualService?.virtualServiceName;
      if (found === undefined || !ctx.known(name)) return;
      const listeners = knownListeners(ctx.index.providerListeners(name as string), ctx);
      const port = found.target.port;
      if (listeners === undefined || !ctx.known(port)) return;
      const ports = portList(listeners.map(l => l.port));
      if (port === undefined) {
        if (listeners.length > 1) {
          ctx.report(`${found.path}.port`, `the provider of virtual service ${quote(name)} has ${listeners.length} listeners (ports ${ports}), so the target must set port`);
        }
      } else if (!listeners.some(l => l.port === port)) {
        const have = listeners.length === 0 ? 'it has no listeners' : `listener ports: ${ports}`;
        ctx.report(`${found.path}.port`, `port ${port} is not a listener port of the provider of virtual service ${quote(name)} (${have})`);
      }
    },
  },
  {
    id: 'gateway-grpc-match-not-empty',
    summary: 'a gRPC gateway route match sets at least one of serviceName, hostname, metadata, port',
    check: (route, ctx) => {
      const match = route.spec.grpcRoute?.match;
      if (match === undefined || !ctx.known(match)) return;
      const members = ['serviceName', 'hostname', 'metadata', 'port'];
      if (setMembers(match, members).length === 0) {
        ctx.report('.spec.grpcRoute.match', `a gRPC gateway route match needs at least one of ${members.join(', ')}`);
      }
    },
  },
  {
    id: 'gateway-match-shape',
    summary: 'at most one of prefix and path; a path sets exactly one of exact and regex; a hostname exactly one of exact and suffix',
    check: (route, ctx) => {
      for (const key of HTTP_KINDS) {
        const match = route.spec[key]?.match;
        if (match === undefined) continue;
        if (match.prefix !== undefined && match.path !== undefined) {
          ctx.report(`.spec.${key}.match`, 'a gateway route match sets at most one of prefix, path; both are set');
        }
        checkExactlyOne(match.path, ['exact', 'regex'], `.spec.${key}.match.path`, ctx, 'a path match');
        checkRe2(match.path?.regex, `.spec.${key}.match.path.regex`, ctx);
      }
      for (const key of GATEWAY_ROUTE_KINDS) {
        checkExactlyOne(route.spec[key]?.match?.hostname, ['exact', 'suffix'], `.spec.${key}.match.hostname`, ctx, 'a hostname match');
      }
    },
  },
  {
    id: 'gateway-path-starts-with-slash',
    summary: 'a gateway route prefix (even an empty one) and an exact path start with "/"',
    check: (route, ctx) => {
      for (const key of HTTP_KINDS) {
        const match = route.spec[key]?.match;
        checkLeadingSlash(match?.prefix, `.spec.${key}.match.prefix`, 'the prefix', ctx);
        checkLeadingSlash(match?.path?.exact, `.spec.${key}.match.path.exact`, 'the exact path', ctx);
      }
    },
  },
  {
    id: 'gateway-reserved-names',
    summary: 'gateway routes do not match paths under /aws-appmesh or gRPC services under aws.appmesh',
    check: (route, ctx) => {
      for (const key of HTTP_KINDS) {
        const match = route.spec[key]?.match;
        for (const [field, value] of [['prefix', match?.prefix], ['path.exact', match?.path?.exact]] as const) {
          if (typeof value === 'string' && ctx.known(value) && value.startsWith(RESERVED_PATH_PREFIX)) {
            ctx.report(`.spec.${key}.match.${field}`, `${quote(value)} is reserved: paths starting with ${RESERVED_PATH_PREFIX} belong to App Mesh`);
          }
        }
      }
      const service = route.spec.grpcRoute?.match?.serviceName;
      if (typeof service === 'string' && ctx.known(service) && service.startsWith(RESERVED_GRPC_SERVICE_PREFIX)) {
        ctx.report('.spec.grpcRoute.match.serviceName', `${quote(service)} is reserved: gRPC services starting with ${RESERVED_GRPC_SERVICE_PREFIX} belong to App Mesh`);
      }
    },
  },
  {
    id: 'gateway-prefix-rewrite',
    summary: 'a prefix rewrite needs a prefix match, sets exactly one of defaultPrefix and value; a value starts and ends with "/" and needs a prefix ending in "/"',
    check: (route, ctx) => {
      for (const key of HTTP_KINDS) {
        const spec = route.spec[key];
        const rewrite = spec?.action?.rewrite?.prefix;
        if (spec === undefined || rewrite === undefined || !ctx.known(rewrite)) continue;
        const path = `.spec.${key}.action.rewrite.prefix`;
        checkExactlyOne(rewrite, ['defaultPrefix', 'value'], path, ctx, 'a prefix rewrite');
        const prefix = spec.match?.prefix;
        if (prefix === undefined) {
          ctx.report(path, 'a prefix rewrite needs a prefix match (match.prefix)');
        } else if (ctx.known(prefix) && !prefix.endsWith('/') && rewrite.value !== undefined) {
          // Only a replacement value needs the slash (aws-cdk-lib's check); defaultPrefix DISABLED keeps the path as received.
          ctx.report(`.spec.${key}.match.prefix`, `the prefix ${quote(prefix)} must end with "/" when the route rewrites the prefix`);
        }
        const value = rewrite.value;
        if (typeof value === 'string' && ctx.known(value) && !(value.startsWith('/') && value.endsWith('/'))) {
          ctx.report(`${path}.value`, `the prefix rewrite ${quote(value)} must start and end with "/"`);
        }
      }
    },
  },
  {
    id: 'gateway-path-rewrite',
    summary: 'a path rewrite needs a path match and an exact replacement starting with "/"',
    check: (route, ctx) => {
      for (const key of HTTP_KINDS) {
        const spec = route.spec[key];
        const rewrite = spec?.action?.rewrite?.path;
        if (spec === undefined || rewrite === undefined || !ctx.known(rewrite)) continue;
        const path = `.spec.${key}.action.rewrite.path`;
        if (spec.match?.path === undefined) ctx.report(path, 'a path rewrite needs a path match (match.path)');
        if (rewrite.exact === undefined) {
          ctx.report(`${path}.exact`, 'a path rewrite needs exact: there is no default rewrite for path matches');
        } else {
          checkLeadingSlash(rewrite.exact, `${path}.exact`, 'the path rewrite', ctx);
        }
      }
    },
  },
  {
    id: 'gateway-header-matchers',
    summary: 'header and metadata names do not start with ":"; a match range has start < end; regexes are RE2',
    check: (route, ctx) => {
      for (const key of HTTP_KINDS) {
        checkHeaderMatchers(route.spec[key]?.match?.headers, `.spec.${key}.match.headers`, ctx);
      }
      checkHeaderMatchers(route.spec.grpcRoute?.match?.metadata, '.spec.grpcRoute.match.metadata', ctx);
    },
  },
];
