import { ListenerFacts } from '../mesh-index';
import { re2SyntaxProblem } from '../re2-syntax';
import { items, portList, quote, RuleContext } from './rule';

/** A header, query or gRPC metadata matcher as the route shapes share it. */
interface NamedMatcher {
  readonly name?: string;
  readonly match?: { readonly range?: { readonly start?: number; readonly end?: number }; readonly regex?: string };
}

/** A regular expression must be RE2: proxies and gRPC clients evaluate it with RE2. */
export function checkRe2(pattern: unknown, path: string, ctx: RuleContext): void {
  if (typeof pattern !== 'string' || !ctx.known(pattern)) return;
  const problem = re2SyntaxProblem(pattern);
  if (problem !== undefined) ctx.report(path, `the regular expression ${quote(pattern)} ${problem}`);
}

/** Header and metadata names must not be pseudo-headers; ranges must not be empty; regexes must be RE2. */
export function checkHeaderMatchers(matchers: readonly NamedMatcher[] | undefined, path: string, ctx: RuleContext): void {
  items(matchers).forEach((matcher, i) => {
    const name = matcher?.name;
    if (typeof name === 'string' && ctx.known(name) && name.startsWith(':')) {
      ctx.report(`${path}[${i}].name`, `${quote(name)} is a pseudo-header; header names must not start with ":"`);
    }
    checkRe2(matcher?.match?.regex, `${path}[${i}].match.regex`, ctx);
    const range = matcher?.match?.range;
    if (range !== undefined && ctx.known(range.start) && ctx.known(range.end) && typeof range.start === 'number'
      && typeof range.end === 'number' && range.start >= range.end) {
      ctx.report(`${path}[${i}].match.range`, `start ${range.start} must be below end ${range.end} (the end is exclusive)`);
    }
  });
}

/** A path-like string that must start with `/`. */
export function checkLeadingSlash(value: unknown, path: string, what: string, ctx: RuleContext): void {
  if (typeof value === 'string' && ctx.known(value) && !value.startsWith('/')) {
    ctx.report(path, `${what} ${quote(value)} must start with "/"`);
  }
}

/** Exactly one of the listed members; `path` names the object holding them. */
export function checkExactlyOne(value: object | undefined, members: readonly string[], path: string, ctx: RuleContext, what: string): void {
  if (value === undefined || value === null || !ctx.known(value)) return;
  const record = value as Record<string, unknown>;
  const set = members.filter(member => record[member] !== undefined);
  if (set.length === 1) return;
  const found = set.length === 0 ? 'none is set' : `${set.join(' and ')} are set`;
  ctx.report(path, `${what} needs exactly one of ${members.join(', ')}; ${found}`);
}

/** Listeners whose every port and protocol is known, or undefined. */
export function knownListeners(listeners: readonly ListenerFacts[] | undefined, ctx: RuleContext): readonly ListenerFacts[] | undefined {
  if (listeners === undefined) return undefined;
  for (const listener of listeners) {
    if (!ctx.known(listener.port) || !ctx.known(listener.protocol)) return undefined;
  }
  return listeners;
}

/** `listener ports: 8080, 8081` */
export function describePorts(listeners: readonly ListenerFacts[]): string {
  return `listener ports: ${portList(listeners.map(l => l.port))}`;
}

/** Listener ports must be unique within one node, router or gateway. */
export function checkUniqueListenerPorts(listeners: readonly unknown[] | undefined, ctx: RuleContext): void {
  const seen = new Map<unknown, number>();
  items(listeners).forEach((listener, i) => {
    const port = (listener as { portMapping?: { port?: unknown } } | undefined)?.portMapping?.port;
    if (port === undefined || !ctx.known(port)) return;
    const first = seen.get(port);
    if (first === undefined) {
      seen.set(port, i);
    } else {
      ctx.report(`.spec.listeners[${i}].portMapping.port`, `port ${port} is already used by listeners[${first}]; listener ports must be unique`);
    }
  });
}

/** Protocols whose health checks send a request path. */
const PATH_HEALTH_CHECK_PROTOCOLS = new Set(['http', 'http2']);

/** A health check `path` is meaningful only for http and http2 checks. */
export function checkHealthCheckPath(
  healthCheck: { readonly path?: string; readonly protocol?: string } | undefined,
  path: string,
  ctx: RuleContext,
): void {
  if (healthCheck?.path === undefined || !ctx.known(healthCheck.protocol)) return;
  if (!PATH_HEALTH_CHECK_PROTOCOLS.has(healthCheck.protocol as string)) {
    ctx.report(`${path}.path`, `a path is only used by http and http2 health checks, not ${healthCheck.protocol}`);
  }
}

/** The single member of a protocol-keyed union (timeout, connectionPool) must be the listener protocol. */
export function checkProtocolKey(
  union: object | undefined,
  protocol: unknown,
  path: string,
  what: string,
  ctx: RuleContext,
): void {
  if (union === undefined || union === null || !ctx.known(union) || !ctx.known(protocol)) return;
  for (const key of Object.keys(union)) {
    if ((union as Record<string, unknown>)[key] === undefined || key === protocol) continue;
    ctx.report(`${path}.${key}`, `${what} ${key} does not match the listener protocol ${protocol} (use ${what}.${protocol})`);
  }
}

/** How the rules name the route kinds and their listener protocols. */
export const ROUTE_KIND_PROTOCOLS: Readonly<Record<string, string>> = {
  httpRoute: 'http',
  http2Route: 'http2',
  grpcRoute: 'grpc',
  tcpRoute: 'tcp',
};

/** What a route (or gateway route) needs from its parent's listeners. */
export interface ParentListenerCheck {
  /** `virtual router` or `virtual gateway`. */
  readonly parentNoun: string;
  readonly parentName: string;
  readonly listeners: readonly ListenerFacts[] | undefined;
  /** The route kind key, e.g. `httpRoute`. */
  readonly kindKey: string;
  /** `match.port` of the route, if any. */
  readonly matchPort: unknown;
}

/** What App Mesh did with a route it accepted but that matches no listener: it left it out. */
const NOT_DISTRIBUTED = 'App Mesh accepted such a route and did not distribute it; no proxy receives it';

/** With several listeners on the parent, a route must say which one it serves (match.port). */
export function checkMatchPortSet(check: ParentListenerCheck, ctx: RuleContext): void {
  const listeners = knownListeners(check.listeners, ctx);
  if (listeners === undefined || listeners.length < 2 || check.matchPort !== undefined) return;
  ctx.report(`.spec.${check.kindKey}.match.port`, `${check.parentNoun} ${quote(check.parentName)} has ${listeners.length} listeners (ports ${portList(listeners.map(l => l.port))}), so the route must set match.port`);
}

/** A match.port serves the parent's listener on that port; a port without a listener serves nothing. */
export function checkMatchPortIsListener(check: ParentListenerCheck, ctx: RuleContext): void {
  const listeners = knownListeners(check.listeners, ctx);
  if (listeners === undefined || listeners.length === 0 || check.matchPort === undefined || !ctx.known(check.matchPort)) return;
  if (!listeners.some(l => l.port === check.matchPort)) {
    ctx.report(`.spec.${check.kindKey}.match.port`, `port ${check.matchPort} is not a listener port of ${check.parentNoun} ${quote(check.parentName)} (${describePorts(listeners)}); ${NOT_DISTRIBUTED}`);
  }
}

/** The route kind's protocol must be the protocol of the listener it serves. */
export function checkRouteProtocol(check: ParentListenerCheck, ctx: RuleContext): void {
  const listeners = knownListeners(check.listeners, ctx);
  if (listeners === undefined || listeners.length === 0) return;
  const protocol = ROUTE_KIND_PROTOCOLS[check.kindKey];
  let served: readonly ListenerFacts[];
  if (check.matchPort !== undefined) {
    if (!ctx.known(check.matchPort)) return;
    served = listeners.filter(l => l.port === check.matchPort);
  } else {
    // Without match.port only a single-listener parent is valid (checkMatchPortSet reports the rest).
    if (listeners.length > 1) return;
    served = listeners;
  }
  for (const listener of served) {
    if (listener.protocol !== protocol) {
      ctx.report(`.spec.${check.kindKey}`, `${check.kindKey} needs a listener of protocol ${protocol}, but the listener of ${check.parentNoun} ${quote(check.parentName)} on port ${listener.port} is ${listener.protocol}; ${NOT_DISTRIBUTED}`);
    }
  }
}

/**
 * A Duration sets both `unit` and `value` (the schema marks neither required; CloudFormation
 * and the service need both, and a bare number has no meaning without its unit).
 */
export function checkDuration(duration: { readonly unit?: string; readonly value?: number } | undefined, path: string, ctx: RuleContext): void {
  if (duration === undefined || duration === null || !ctx.known(duration)) return;
  const missing = ['unit', 'value'].filter(key => (duration as Record<string, unknown>)[key] === undefined);
  if (missing.length > 0) {
    ctx.report(path, `a duration needs both unit and value; ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing`);
  }
}
