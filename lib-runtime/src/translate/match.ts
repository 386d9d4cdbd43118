import { regexEscape } from './proto-json';
import { ProtoJson } from './types';
import {
  GatewayRouteHostnameMatch,
  HeaderMatchMethod,
  HttpPathMatch,
  HttpQueryParameter,
} from '../../../src/spec/appmesh-types';

/**
 * Route matches (docs/envoy-mapping.md §6, "Matching"): App Mesh match fields → Envoy
 * RouteMatch. Header-like matchers use Envoy's `string_match` form, which both Envoy and
 * gRPC clients accept.
 */

/** A header (or gRPC metadata) matcher from App Mesh's name / match / invert triple. */
export interface HeaderLike {
  readonly name: string;
  readonly match?: HeaderMatchMethod;
  readonly invert?: boolean;
}

export function headerMatcher(header: HeaderLike): ProtoJson {
  const out: ProtoJson = { name: header.name };
  const m = header.match;
  if (!m) {
    out.present_match = true;
  } else if (m.exact !== undefined) {
    out.string_match = { exact: m.exact };
  } else if (m.prefix !== undefined) {
    out.string_match = { prefix: m.prefix };
  } else if (m.suffix !== undefined) {
    out.string_match = { suffix: m.suffix };
  } else if (m.regex !== undefined) {
    out.string_match = { safe_regex: { regex: m.regex } };
  } else if (m.range !== undefined) {
    // App Mesh's range end is exclusive, as is Envoy's Int64Range end.
    out.range_match = { start: m.range.start, end: m.range.end };
  } else {
    out.present_match = true;
  }
  if (header.invert) {
    out.invert_match = true;
  }
  return out;
}

/** Exact matcher on a pseudo-header such as `:method` or `:scheme`. */
export function exactHeader(name: string, value: string): ProtoJson {
  return { name, string_match: { exact: value } };
}

export function queryParameterMatcher(param: HttpQueryParameter): ProtoJson {
  if (param.match?.exact !== undefined) {
    return { name: param.name, string_match: { exact: param.match.exact } };
  }
  return { name: param.name, present_match: true };
}

/** The path part of an HTTP match: prefix, exact path or regex; no path part means prefix `/`. */
export function pathMatch(prefix: string | undefined, path: HttpPathMatch | undefined): ProtoJson {
  if (path?.exact !== undefined) {
    return { path: path.exact };
  }
  if (path?.regex !== undefined) {
    return { safe_regex: { regex: path.regex } };
  }
  return { prefix: prefix ?? '/' };
}

/** The common shape of HttpRouteMatch and HttpGatewayRouteMatch. */
export interface HttpMatchLike {
  readonly prefix?: string;
  readonly path?: HttpPathMatch;
  readonly method?: string;
  readonly scheme?: string;
  readonly headers?: HeaderLike[];
  readonly queryParameters?: HttpQueryParameter[];
}

/** HTTP / HTTP2 route match. `extraHeaders` come first (e.g. a gateway hostname match). */
export function httpRouteMatch(match: HttpMatchLike, extraHeaders: ProtoJson[] = []): ProtoJson {
  const out: ProtoJson = pathMatch(match.prefix, match.path);
  const headers: ProtoJson[] = [...extraHeaders];
  if (match.method) {
    headers.push(exactHeader(':method', match.method));
  }
  if (match.scheme) {
    headers.push(exactHeader(':scheme', match.scheme));
  }
  for (const header of match.headers ?? []) {
    headers.push(headerMatcher(header));
  }
  if (headers.length > 0) {
    out.headers = headers;
  }
  if (match.queryParameters && match.queryParameters.length > 0) {
    out.query_parameters = match.queryParameters.map(queryParameterMatcher);
  }
  return out;
}

/** The common shape of GrpcRouteMatch and GrpcGatewayRouteMatch. */
export interface GrpcMatchLike {
  readonly serviceName?: string;
  readonly methodName?: string;
  readonly metadata?: HeaderLike[];
}

/**
 * gRPC route match: service and method → exact path `/<service>/<method>`; service alone →
 * prefix `/<service>/`; neither → prefix `/`. Metadata entries become header matchers.
 */
export function grpcRouteMatch(match: GrpcMatchLike, extraHeaders: ProtoJson[] = []): ProtoJson {
  let out: ProtoJson;
  if (match.serviceName && match.methodName) {
    out = { path: `/${match.serviceName}/${match.methodName}` };
  } else if (match.serviceName) {
    out = { prefix: `/${match.serviceName}/` };
  } else {
    out = { prefix: '/' };
  }
  const headers = [...extraHeaders, ...(match.metadata ?? []).map(headerMatcher)];
  if (headers.length > 0) {
    out.headers = headers;
  }
  return out;
}

/**
 * Gateway route hostname match on `:authority`, tolerant of a `:port` suffix: exact →
 * `^<host>(:\d+)?$`, suffix → `^.*<suffix>(:\d+)?$`.
 */
export function hostnameMatcher(hostname: GatewayRouteHostnameMatch): ProtoJson | undefined {
  if (hostname.exact !== undefined) {
    return { name: ':authority', string_match: { safe_regex: { regex: `^${regexEscape(hostname.exact)}(:\\d+)?$` } } };
  }
  if (hostname.suffix !== undefined) {
    return { name: ':authority', string_match: { safe_regex: { regex: `^.*${regexEscape(hostname.suffix)}(:\\d+)?$` } } };
  }
  return undefined;
}
