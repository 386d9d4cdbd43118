import type { MatchCheck, RouteVerdict } from './simulation';
import { applyStringTest, describeStringTest, fullMatch, stringTest, StringTest } from './string-matcher';
import type { ProtoJson } from '../translate';

/**
 * `envoy.config.route.v3.RouteMatch` evaluated against one request, by Envoy's rules or by a gRPC
 * client's (gRFC A28 as @grpc/grpc-js-xds implements it). Every part of the match is checked and
 * reported, so a route that did not match says each reason.
 *
 * Where the two differ:
 * - Envoy matches the path without its query string and can match query parameters; a gRPC
 *   request has no query string, so a route with query parameter matchers never matches.
 * - A header that is absent: Envoy's inverted matcher (other than presence) does not match it
 *   (HeaderMatcher.treat_missing_header_as_empty is false); grpc-js inverts "no match" into a
 *   match. gRPC C-core behaves like Envoy.
 * - gRPC never matches `-bin` metadata, and reads `content-type` as `application/grpc`.
 */

export type Semantics = 'envoy' | 'grpc';

/** A request as route matching sees it: pseudo-headers and headers, names in lower case. */
export interface MatchableRequest {
  /** `:path` including any query string. */
  readonly path: string;
  /** `:method`, `:authority`, `:scheme`, `:path`, then the request headers (gRPC: the metadata only). */
  readonly headers: readonly (readonly [string, string])[];
}

/** A finding that changes how the answer reads for other clients. */
export type NoteSink = (note: string) => void;

/** Evaluates `route.match`; `name` labels the verdict. */
export function evaluateRoute(route: ProtoJson, index: number, request: MatchableRequest, semantics: Semantics, note: NoteSink): RouteVerdict {
  const match = (route.match ?? {}) as ProtoJson;
  const checks: MatchCheck[] = [pathCheck(match, request, semantics)];
  if (match.grpc !== undefined) {
    const type = headerValue(request, 'content-type', semantics);
    checks.push({ ok: type?.startsWith('application/grpc') === true, text: `gRPC requests only (content-type ${type === undefined ? 'absent' : JSON.stringify(type)})` });
  }
  for (const header of (match.headers ?? []) as ProtoJson[]) checks.push(headerCheck(header, request, semantics, note));
  const query = (match.query_parameters ?? []) as ProtoJson[];
  if (query.length > 0 && semantics === 'grpc') {
    checks.push({ ok: false, text: `${query.length} query parameter matcher(s): a gRPC request has no query string, so gRPC never matches this route` });
  } else {
    for (const param of query) checks.push(queryCheck(param, request.path));
  }
  const matched = checks.every(c => c.ok);
  const fraction = runtimeFraction(match);
  const name = typeof route.name === 'string' && route.name !== '' ? route.name : `#${index + 1}`;
  return fraction === undefined ? { name, matched, checks } : { name, matched, checks, probability: fraction };
}

function pathOnly(path: string): string {
  const end = path.search(/[?#]/);
  return end < 0 ? path : path.slice(0, end);
}

function pathCheck(match: ProtoJson, request: MatchableRequest, semantics: Semantics): MatchCheck {
  // Envoy matches the path without the query string; a gRPC path never has one.
  const path = semantics === 'envoy' ? pathOnly(request.path) : request.path;
  const anyCase = (match.case_sensitive as { value?: boolean } | undefined)?.value === false;
  const fold = (s: string) => (anyCase ? s.toLowerCase() : s);
  const suffix = anyCase ? ' (any case)' : '';
  const shown = JSON.stringify(path);
  if (typeof match.prefix === 'string') {
    return { ok: fold(path).startsWith(fold(match.prefix)), text: `prefix ${JSON.stringify(match.prefix)}${suffix} vs path ${shown}` };
  }
  if (typeof match.path === 'string') {
    return { ok: fold(path) === fold(match.path), text: `path ${JSON.stringify(match.path)}${suffix} vs path ${shown}` };
  }
  const regex = (match.safe_regex as ProtoJson | undefined)?.regex;
  if (typeof regex === 'string') {
    return { ok: fullMatch(regex, path), text: `path regex ${regex} (whole path) vs path ${shown}` };
  }
  if (typeof match.path_separated_prefix === 'string') {
    const prefix = match.path_separated_prefix;
    const ok = fold(path) === fold(prefix) || fold(path).startsWith(`${fold(prefix)}/`);
    return { ok, text: `path-separated prefix ${JSON.stringify(prefix)} vs path ${shown}` };
  }
  if (match.connect_matcher !== undefined) {
    const method = headerValue(request, ':method', semantics);
    return { ok: method === 'CONNECT', text: `CONNECT requests only (method ${method})` };
  }
  return { ok: false, text: 'no path specifier this simulator knows: never matches' };
}

/** The value a matcher sees: every value of the header joined with ","; undefined when absent. */
function headerValue(request: MatchableRequest, name: string, semantics: Semantics): string | undefined {
  // Header names are case-insensitive: Envoy and gRPC metadata both compare them in lower case.
  const key = name.toLowerCase();
  if (semantics === 'grpc' && key === 'content-type') return 'application/grpc';
  const values = request.headers.filter(([n]) => n === key).map(([, v]) => v);
  return values.length === 0 ? undefined : values.join(',');
}

type HeaderTest =
  | { readonly kind: 'string'; readonly test: StringTest }
  | { readonly kind: 'range'; readonly start: bigint; readonly end: bigint }
  | { readonly kind: 'present'; readonly present: boolean }
  | { readonly kind: 'unknown' };

/** The header matcher's test, from `string_match` or the older one-field spellings. */
function headerTest(header: ProtoJson): HeaderTest {
  const fromString = stringTest(header.string_match as ProtoJson | undefined);
  if (fromString) return { kind: 'string', test: fromString };
  const legacy: Array<[string, StringTest['kind']]> = [['exact_match', 'exact'], ['prefix_match', 'prefix'], ['suffix_match', 'suffix'], ['contains_match', 'contains']];
  for (const [field, kind] of legacy) {
    if (typeof header[field] === 'string') return { kind: 'string', test: { kind, operand: header[field] as string, ignoreCase: false } };
  }
  const regex = (header.safe_regex_match as ProtoJson | undefined)?.regex;
  if (typeof regex === 'string') return { kind: 'string', test: { kind: 'regex', operand: regex, ignoreCase: false } };
  const range = header.range_match as ProtoJson | undefined;
  if (range) return { kind: 'range', start: BigInt(String(range.start ?? 0)), end: BigInt(String(range.end ?? 0)) };
  if (typeof header.present_match === 'boolean') return { kind: 'present', present: header.present_match };
  // No specifier at all means "present" (the HeaderMatcher proto's documented default).
  if (header.string_match === undefined) return { kind: 'present', present: true };
  return { kind: 'unknown' };
}

function describeTest(test: HeaderTest): string {
  switch (test.kind) {
    case 'string': return describeStringTest(test.test);
    case 'range': return `integer in [${test.start}, ${test.end})`;
    case 'present': return test.present ? 'present' : 'absent';
    default: return 'a matcher this simulator does not know';
  }
}

function applyTest(test: HeaderTest, value: string): boolean {
  switch (test.kind) {
    case 'string': return applyStringTest(test.test, value);
    case 'range': {
      if (!/^-?\d+$/.test(value)) return false;
      const n = BigInt(value);
      return test.start <= n && n < test.end;
    }
    case 'present': return test.present;
    default: return false;
  }
}

function headerCheck(header: ProtoJson, request: MatchableRequest, semantics: Semantics, note: NoteSink): MatchCheck {
  const name = String(header.name);
  const invert = header.invert_match === true;
  const test = headerTest(header);
  const label = `${name.startsWith(':') ? 'pseudo-header' : semantics === 'grpc' ? 'metadata' : 'header'} ${name}: ${invert ? 'not ' : ''}${describeTest(test)}`;
  if (semantics === 'grpc' && name.endsWith('-bin')) {
    const ok = invert;
    return { ok, text: `${label}: gRPC never matches binary (-bin) metadata${invert ? ', inverted: matches' : ''}` };
  }
  const value = headerValue(request, name, semantics);
  if (value === undefined) {
    if (test.kind === 'present') {
      const ok = !test.present !== invert;
      return { ok, text: `${label}: absent` };
    }
    if (semantics === 'grpc') {
      // grpc-js: "no value" is a failed match, and invert_match turns it into a match.
      if (invert) note(`${name} is absent and the route's matcher on it is inverted: grpc-js matches, gRPC C-core and Envoy do not`);
      return { ok: invert, text: `${label}: absent${invert ? ' (grpc-js: an inverted matcher matches absent metadata)' : ''}` };
    }
    return { ok: false, text: `${label}: absent${invert ? ' (Envoy: an inverted matcher does not match an absent header)' : ''}` };
  }
  const ok = applyTest(test, value) !== invert;
  return { ok, text: `${label} vs ${JSON.stringify(value)}` };
}

function queryCheck(param: ProtoJson, path: string): MatchCheck {
  const name = String(param.name);
  const value = firstQueryValue(path, name);
  const test = stringTest(param.string_match as ProtoJson | undefined);
  const label = `query ${name}: ${test ? describeStringTest(test) : 'present'}`;
  if (value === undefined) return { ok: false, text: `${label}: absent` };
  return { ok: test ? applyStringTest(test, value) : param.present_match !== false, text: `${label} vs ${JSON.stringify(value)}` };
}

/** The first value of a query parameter, percent-decoded; undefined when the query lacks it. */
function firstQueryValue(path: string, name: string): string | undefined {
  const start = path.indexOf('?');
  if (start < 0) return undefined;
  const query = path.slice(start + 1).split('#')[0];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    if (key === name) return eq < 0 ? '' : decode(pair.slice(eq + 1));
  }
  return undefined;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const DENOMINATORS: Record<string, number> = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 };

/** `runtime_fraction.default_value` as a probability; undefined when the match has none. */
function runtimeFraction(match: ProtoJson): number | undefined {
  const value = (match.runtime_fraction as ProtoJson | undefined)?.default_value as ProtoJson | undefined;
  if (!value) return undefined;
  const denominator = DENOMINATORS[String(value.denominator ?? 'HUNDRED')] ?? 100;
  return Math.min(1, Number(value.numerator ?? 0) / denominator);
}
