/** Route and gateway route specs as `appmesh.RouteSpec.*` and `appmesh.GatewayRouteSpec.*` calls. */
import { arr, bool, call, Code, num, obj, raw, str } from './code';
import { GenContext } from './context';
import { durationCode, EXTENSION_MARK, headerMatchesCode, queryParametersCode, timeoutCode } from './fragments';
import * as spec from '../../../../src/spec/appmesh-types';

/** Variables that stand for virtual nodes and services, by name. */
export interface ResourceRefs {
  virtualNode(name: string): Code;
  virtualService(name: string): Code;
}

const HTTP_RETRY_EVENTS: Record<string, string> = {
  'server-error': 'SERVER_ERROR', 'gateway-error': 'GATEWAY_ERROR', 'client-error': 'CLIENT_ERROR', 'stream-error': 'STREAM_ERROR',
};
const GRPC_RETRY_EVENTS: Record<string, string> = {
  'cancelled': 'CANCELLED',
  'deadline-exceeded': 'DEADLINE_EXCEEDED',
  'internal': 'INTERNAL_ERROR',
  'resource-exhausted': 'RESOURCE_EXHAUSTED',
  'unavailable': 'UNAVAILABLE',
};

/** `appmesh.RouteSpec.http({...})` and kin. */
export function routeSpecCode(ctx: GenContext, routeSpec: spec.RouteSpec, refs: ResourceRefs, path: string): Code | undefined {
  const priority = routeSpec.priority !== undefined ? ['priority', num(routeSpec.priority)] as [string, Code] : undefined;
  for (const kind of ['httpRoute', 'http2Route'] as const) {
    const route = routeSpec[kind];
    if (route === undefined) continue;
    const p = `${path}.${kind}`;
    return call(`appmesh.RouteSpec.${kind === 'httpRoute' ? 'http' : 'http2'}`, obj(
      priority,
      ['match', httpMatchCode(ctx, route.match, p)],
      ['weightedTargets', weightedTargetsCode(route.action.weightedTargets, refs)],
      ['timeout', timeoutCode(ctx, route.timeout)],
      route.retryPolicy && ['retryPolicy', retryPolicyCode(ctx, route.retryPolicy, `${p}.retryPolicy`)],
    ));
  }
  if (routeSpec.grpcRoute !== undefined) {
    const route = routeSpec.grpcRoute;
    const p = `${path}.grpcRoute`;
    const match = route.match;
    return call('appmesh.RouteSpec.grpc', obj(
      priority,
      ['match', obj(
        match.serviceName !== undefined ? ['serviceName', str(match.serviceName)] : undefined,
        match.methodName !== undefined ? ['methodName', str(match.methodName)] : undefined,
        ['metadata', headerMatchesCode(ctx, match.metadata, `${p}.match.metadata`)],
        match.port !== undefined ? ['port', num(match.port)] : undefined,
      )],
      ['weightedTargets', weightedTargetsCode(route.action.weightedTargets, refs)],
      ['timeout', timeoutCode(ctx, route.timeout)],
      route.retryPolicy && ['retryPolicy', retryPolicyCode(ctx, route.retryPolicy, `${p}.retryPolicy`)],
    ));
  }
  if (routeSpec.tcpRoute !== undefined) {
    const route = routeSpec.tcpRoute;
    return call('appmesh.RouteSpec.tcp', obj(
      priority,
      route.match?.port !== undefined ? ['match', obj(['port', num(route.match.port)]), `${EXTENSION_MARK} a TCP route match`] : undefined,
      ['weightedTargets', weightedTargetsCode(route.action.weightedTargets, refs)],
      ['timeout', timeoutCode(ctx, route.timeout)],
    ));
  }
  ctx.error(path, 'the route spec has no route (httpRoute, http2Route, grpcRoute or tcpRoute)');
  return undefined;
}

function httpMatchCode(ctx: GenContext, match: spec.HttpRouteMatch, path: string): Code {
  let pathMatch: Code;
  if (match.path?.exact !== undefined) pathMatch = call('appmesh.HttpRoutePathMatch.exactly', str(match.path.exact));
  else if (match.path?.regex !== undefined) pathMatch = call('appmesh.HttpRoutePathMatch.regex', str(match.path.regex));
  else pathMatch = call('appmesh.HttpRoutePathMatch.startsWith', str(match.prefix ?? '/'));
  return obj(
    ['path', pathMatch],
    ['headers', headerMatchesCode(ctx, match.headers, `${path}.match.headers`)],
    match.method !== undefined ? ['method', raw(`appmesh.HttpRouteMethod.${match.method}`)] : undefined,
    match.scheme !== undefined ? ['protocol', raw(`appmesh.HttpRouteProtocol.${match.scheme.toUpperCase()}`)] : undefined,
    ['queryParameters', queryParametersCode(ctx, match.queryParameters, `${path}.match.queryParameters`)],
    match.port !== undefined ? ['port', num(match.port)] : undefined,
  );
}

function weightedTargetsCode(targets: spec.WeightedTarget[], refs: ResourceRefs): Code {
  return arr(targets.map((target) => obj(
    ['virtualNode', refs.virtualNode(target.virtualNode)],
    ['weight', num(target.weight)],
    target.port !== undefined ? ['port', num(target.port)] : undefined,
  )));
}

function retryPolicyCode(ctx: GenContext, policy: spec.HttpRetryPolicy | spec.GrpcRetryPolicy, path: string): Code {
  type Entry = [string, Code] | undefined;
  const events = (field: string, values: readonly string[] | undefined, enumName: string, members: Record<string, string>): Entry => {
    if (values === undefined || values.length === 0) return undefined;
    return [field, arr(values.map((value, i) => {
      const member = members[value];
      if (member === undefined) {
        ctx.error(`${path}.${field}[${i}]`, `the retry event ${JSON.stringify(value)} has no ${enumName} member (${Object.keys(members).join(', ')})`);
        return raw('undefined');
      }
      return raw(`appmesh.${enumName}.${member}`);
    }))];
  };
  const grpcEvents = (policy as spec.GrpcRetryPolicy).grpcRetryEvents;
  if ([policy.httpRetryEvents, policy.tcpRetryEvents, grpcEvents].every((list) => list === undefined || list.length === 0)) {
    ctx.error(path, 'a retry policy without retry events cannot be written: RouteSpec requires at least one event');
  }
  return ctx.share('retryPolicy', obj(
    ['retryAttempts', num(policy.maxRetries)],
    ['retryTimeout', durationCode(ctx, policy.perRetryTimeout)],
    events('httpRetryEvents', policy.httpRetryEvents, 'HttpRetryEvent', HTTP_RETRY_EVENTS),
    events('tcpRetryEvents', policy.tcpRetryEvents, 'TcpRetryEvent', { 'connection-error': 'CONNECTION_ERROR' }),
    events('grpcRetryEvents', grpcEvents, 'GrpcRetryEvent', GRPC_RETRY_EVENTS),
  ));
}

/** `appmesh.GatewayRouteSpec.http({...})` and kin. */
export function gatewayRouteSpecCode(ctx: GenContext, routeSpec: spec.GatewayRouteSpec, refs: ResourceRefs, path: string): Code | undefined {
  const priority = routeSpec.priority !== undefined ? ['priority', num(routeSpec.priority)] as [string, Code] : undefined;
  const target = (t: spec.GatewayRouteTarget): Array<[string, Code, string?] | undefined> => [
    ['routeTarget', refs.virtualService(t.virtualService.virtualServiceName)],
    t.port !== undefined ? ['routeTargetPort', num(t.port), `${EXTENSION_MARK} the target's listener port`] : undefined,
  ];
  const hostnameRewrite = (rewrite: spec.GatewayRouteHostnameRewrite | undefined): [string, Code] | undefined =>
    rewrite?.defaultTargetHostname === undefined ? undefined : ['rewriteRequestHostname', bool(rewrite.defaultTargetHostname === 'ENABLED')];
  const hostname = (match: spec.GatewayRouteHostnameMatch | undefined): [string, Code] | undefined => {
    if (match === undefined) return undefined;
    return ['hostname', match.exact !== undefined
      ? call('appmesh.GatewayRouteHostnameMatch.exactly', str(match.exact))
      : call('appmesh.GatewayRouteHostnameMatch.endsWith', str(match.suffix!))];
  };
  for (const kind of ['httpRoute', 'http2Route'] as const) {
    const route = routeSpec[kind];
    if (route === undefined) continue;
    const p = `${path}.${kind}`;
    const { match, action } = route;
    return call(`appmesh.GatewayRouteSpec.${kind === 'httpRoute' ? 'http' : 'http2'}`, obj(
      priority,
      ...target(action.target),
      ['match', obj(
        ['path', gatewayPathMatchCode(match, action.rewrite)],
        ['headers', headerMatchesCode(ctx, match.headers, `${p}.match.headers`)],
        hostname(match.hostname),
        match.method !== undefined ? ['method', raw(`appmesh.HttpRouteMethod.${match.method}`)] : undefined,
        ['queryParameters', queryParametersCode(ctx, match.queryParameters, `${p}.match.queryParameters`)],
        hostnameRewrite(action.rewrite?.hostname),
        match.port !== undefined ? ['port', num(match.port)] : undefined,
      )],
    ));
  }
  if (routeSpec.grpcRoute !== undefined) {
    const { match, action } = routeSpec.grpcRoute;
    const p = `${path}.grpcRoute`;
    return call('appmesh.GatewayRouteSpec.grpc', obj(
      priority,
      ...target(action.target),
      ['match', obj(
        match.serviceName !== undefined ? ['serviceName', str(match.serviceName)] : undefined,
        hostname(match.hostname),
        ['metadata', headerMatchesCode(ctx, match.metadata, `${p}.match.metadata`)],
        hostnameRewrite(action.rewrite?.hostname),
        match.port !== undefined ? ['port', num(match.port)] : undefined,
      )],
    ));
  }
  ctx.error(path, 'the gateway route spec has no route (httpRoute, http2Route or grpcRoute)');
  return undefined;
}

/** The path match with its rewrite: `startsWith(prefix, rewriteTo)`, `exactly(path, rewriteTo)`, `regex(...)`. */
function gatewayPathMatchCode(match: spec.HttpGatewayRouteMatch, rewrite: spec.HttpGatewayRouteRewrite | undefined): Code {
  const pathRewrite = rewrite?.path?.exact !== undefined ? [str(rewrite.path.exact)] : [];
  if (match.path?.exact !== undefined) return call('appmesh.HttpGatewayRoutePathMatch.exactly', str(match.path.exact), ...pathRewrite);
  if (match.path?.regex !== undefined) return call('appmesh.HttpGatewayRoutePathMatch.regex', str(match.path.regex), ...pathRewrite);
  const prefix = rewrite?.prefix;
  const prefixRewrite = prefix?.value !== undefined ? [str(prefix.value)] : prefix?.defaultPrefix === 'DISABLED' ? [str('')] : [];
  return call('appmesh.HttpGatewayRoutePathMatch.startsWith', str(match.prefix ?? '/'), ...prefixRewrite);
}
