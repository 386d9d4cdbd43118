import type {
  GatewayRouteHostnameMatch,
  GatewayRouteSpec,
  HeaderMatchMethod,
  HttpGatewayRouteMatch,
  HttpPathMatch,
  HttpQueryParameter,
  HttpRouteMatch,
  RouteSpec,
} from '../../../src/spec/appmesh-types';

/**
 * Short, human-readable lines that say what a route or gateway route matches.
 * One line per condition so a picture can stack them; values longer than
 * MAX_VALUE_CHARS are cut so one long regex cannot stretch the whole drawing.
 */

const MAX_VALUE_CHARS = 48;

/** The protocol a route handles, named by the spec key that holds it. */
export type RouteProtocol = 'http' | 'http2' | 'grpc' | 'tcp';

/** Protocol plus match lines of a route. */
export interface MatchSummary {
  /** Protocol of the route, or undefined when the spec sets no route kind. */
  readonly protocol?: RouteProtocol;
  /** One line per match condition, in a fixed order. */
  readonly lines: string[];
}

/** Summarizes the match of a virtual-router route. */
export function summarizeRouteMatch(spec: RouteSpec): MatchSummary {
  const http = spec.httpRoute ?? spec.http2Route;
  if (http) {
    return { protocol: spec.httpRoute ? 'http' : 'http2', lines: httpMatchLines(http.match) };
  }
  if (spec.grpcRoute) {
    const m = spec.grpcRoute.match;
    const lines: string[] = [];
    if (m.serviceName !== undefined || m.methodName !== undefined) {
      lines.push(`${shorten(m.serviceName ?? '*')}/${shorten(m.methodName ?? '*')}`);
    }
    for (const md of m.metadata ?? []) lines.push(headerLine('metadata', md.name, md.match, md.invert));
    if (m.port !== undefined) lines.push(`port ${m.port}`);
    return { protocol: 'grpc', lines: orAny(lines) };
  }
  if (spec.tcpRoute) {
    const port = spec.tcpRoute.match?.port;
    return { protocol: 'tcp', lines: port !== undefined ? [`port ${port}`] : ['any connection'] };
  }
  return { lines: [] };
}

/** Summarizes the match of a gateway route. */
export function summarizeGatewayRouteMatch(spec: GatewayRouteSpec): MatchSummary {
  const http = spec.httpRoute ?? spec.http2Route;
  if (http) {
    const m: HttpGatewayRouteMatch = http.match;
    const lines = hostnameLines(m.hostname);
    lines.push(...httpMatchLines(m));
    return { protocol: spec.httpRoute ? 'http' : 'http2', lines: withoutDuplicateAny(lines) };
  }
  if (spec.grpcRoute) {
    const m = spec.grpcRoute.match;
    const lines = hostnameLines(m.hostname);
    if (m.serviceName !== undefined) lines.push(`service ${shorten(m.serviceName)}`);
    for (const md of m.metadata ?? []) lines.push(headerLine('metadata', md.name, md.match, md.invert));
    if (m.port !== undefined) lines.push(`port ${m.port}`);
    return { protocol: 'grpc', lines: orAny(lines) };
  }
  return { lines: [] };
}

/** Lines of an HTTP match; shared by routes and gateway routes (same member names). */
function httpMatchLines(m: HttpRouteMatch | HttpGatewayRouteMatch): string[] {
  const lines: string[] = [];
  if (m.prefix !== undefined) lines.push(`prefix ${shorten(m.prefix)}`);
  lines.push(...pathLines(m.path));
  if (m.method !== undefined) lines.push(`method ${m.method}`);
  if ('scheme' in m && m.scheme !== undefined) lines.push(`scheme ${m.scheme}`);
  for (const h of m.headers ?? []) lines.push(headerLine('header', h.name, h.match, h.invert));
  for (const q of m.queryParameters ?? []) lines.push(queryLine(q));
  if (m.port !== undefined) lines.push(`port ${m.port}`);
  return orAny(lines);
}

function pathLines(path: HttpPathMatch | undefined): string[] {
  if (!path) return [];
  const lines: string[] = [];
  if (path.exact !== undefined) lines.push(`path = ${shorten(path.exact)}`);
  if (path.regex !== undefined) lines.push(`path ~ ${shorten(path.regex)}`);
  return lines;
}

function hostnameLines(hostname: GatewayRouteHostnameMatch | undefined): string[] {
  if (!hostname) return [];
  const lines: string[] = [];
  if (hostname.exact !== undefined) lines.push(`host = ${shorten(hostname.exact)}`);
  if (hostname.suffix !== undefined) lines.push(`host *${shorten(hostname.suffix)}`);
  return lines;
}

/**
 * `header x-canary = true`, `header x-v ^= beta`, `!header debug present`...
 * Operators: `=` exact, `^=` prefix, `$=` suffix, `~` regex, `in [a, b)` range.
 */
function headerLine(what: string, name: string, match: HeaderMatchMethod | undefined, invert: boolean | undefined): string {
  const negation = invert ? 'not ' : '';
  return `${negation}${what} ${shorten(name)} ${matchMethodText(match)}`;
}

function matchMethodText(match: HeaderMatchMethod | undefined): string {
  if (!match) return 'present';
  if (match.exact !== undefined) return `= ${shorten(match.exact)}`;
  if (match.prefix !== undefined) return `^= ${shorten(match.prefix)}`;
  if (match.suffix !== undefined) return `$= ${shorten(match.suffix)}`;
  if (match.regex !== undefined) return `~ ${shorten(match.regex)}`;
  if (match.range !== undefined) return `in [${match.range.start}, ${match.range.end})`;
  return 'present';
}

function queryLine(q: HttpQueryParameter): string {
  const value = q.match?.exact;
  return value !== undefined ? `query ${shorten(q.name)} = ${shorten(value)}` : `query ${shorten(q.name)} present`;
}

/** A match with no condition matches everything; say so rather than show nothing. */
function orAny(lines: string[]): string[] {
  return lines.length > 0 ? lines : ['any request'];
}

/** Gateway routes add hostname lines before the HTTP lines; drop the "any" filler then. */
function withoutDuplicateAny(lines: string[]): string[] {
  const real = lines.filter((l) => l !== 'any request');
  return real.length > 0 ? real : ['any request'];
}

function shorten(value: string): string {
  return value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS - 1)}…` : value;
}
