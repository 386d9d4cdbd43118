import { RE2JS } from 're2js';
import type { MatchableRequest, Semantics } from './route-match';
import type { PolicyInEffect, RetryInEffect, Rewrite } from './simulation';
import type { ProtoJson } from '../translate';

/**
 * What a matched route's `route` action says: the clusters and weights, the timeout and retry
 * policy in effect (by Envoy's defaults or a gRPC client's), and the rewrites applied before the
 * request is forwarded.
 */

export interface WeightedCluster {
  readonly name: string;
  readonly weight: number;
}

/** `cluster` or `weighted_clusters` of a route or TCP proxy; weights as numbers (wrapped or plain). */
export function clustersOf(action: ProtoJson): WeightedCluster[] {
  if (typeof action.cluster === 'string') return [{ name: action.cluster, weight: 1 }];
  const weighted = (action.weighted_clusters as ProtoJson | undefined)?.clusters as ProtoJson[] | undefined;
  return (weighted ?? []).map(c => ({ name: String(c.name), weight: numberOf(c.weight) ?? 0 }));
}

/** A number, a `{ value }` wrapper, or a numeric string; undefined when absent. */
export function numberOf(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') return numberOf((value as { value?: unknown }).value);
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** `15 s`, `0.5 s`, `300 s`; undefined when absent. */
export function durationText(duration: unknown): string | undefined {
  if (duration === undefined || duration === null || typeof duration !== 'object') return undefined;
  const d = duration as { seconds?: unknown; nanos?: unknown };
  const seconds = Number(d.seconds ?? 0) + Number(d.nanos ?? 0) / 1e9;
  return `${Number(seconds.toFixed(3))} s`;
}

function isZero(duration: unknown): boolean {
  const d = duration as { seconds?: unknown; nanos?: unknown } | undefined;
  return d !== undefined && Number(d.seconds ?? 0) === 0 && Number(d.nanos ?? 0) === 0;
}

/** The gRPC status names a gRPC client retries on (gRFC A44); Envoy's other conditions do not apply. */
const GRPC_RETRY_CONDITIONS = ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'];

export function policyOf(action: ProtoJson, semantics: Semantics, note: (text: string) => void): PolicyInEffect {
  return semantics === 'envoy' ? envoyPolicy(action) : grpcPolicy(action, note);
}

function envoyPolicy(action: ProtoJson): PolicyInEffect {
  let timeout: string;
  if (action.timeout === undefined) timeout = '15 s (Envoy\'s default route timeout)';
  else if (isZero(action.timeout)) timeout = 'none (disabled)';
  else timeout = `${durationText(action.timeout)} per request`;
  const idle = durationText(action.idle_timeout);
  const retry = action.retry_policy as ProtoJson | undefined;
  return { timeout, ...(idle ? { idleTimeout: idle } : {}), ...(retry ? { retry: envoyRetry(retry) } : {}) };
}

function envoyRetry(policy: ProtoJson): RetryInEffect {
  const notes: string[] = [];
  for (const predicate of (policy.retry_host_predicate ?? []) as ProtoJson[]) {
    notes.push(predicate.name === 'envoy.retry_host_predicates.previous_hosts' ? 'a retry avoids hosts already tried' : `host predicate ${String(predicate.name)}`);
  }
  const attempts = numberOf(policy.host_selection_retry_max_attempts);
  if (attempts !== undefined) notes.push(`up to ${attempts} host selections per retry`);
  const codes = (policy.retriable_status_codes ?? []) as number[];
  const perTry = durationText(policy.per_try_timeout);
  return {
    retryOn: String(policy.retry_on ?? '').split(',').filter(Boolean),
    numRetries: numberOf(policy.num_retries) ?? 1,
    ...(perTry ? { perTryTimeout: perTry } : {}),
    ...(codes.length > 0 ? { retriableStatusCodes: codes.map(Number) } : {}),
    notes,
  };
}

function grpcPolicy(action: ProtoJson, note: (text: string) => void): PolicyInEffect {
  const max = action.max_stream_duration as ProtoJson | undefined;
  const limit = max?.grpc_timeout_header_max ?? max?.max_stream_duration;
  const timeout = limit === undefined || isZero(limit)
    ? 'none from xDS (the application\'s deadline)'
    : `${durationText(limit)} (max_stream_duration: the call's deadline is at most this)`;
  const policy = action.retry_policy as ProtoJson | undefined;
  if (!policy) return { timeout };
  const all = String(policy.retry_on ?? '').split(',').filter(Boolean);
  const usable = all.filter(c => GRPC_RETRY_CONDITIONS.includes(c));
  const ignored = all.filter(c => !usable.includes(c));
  if (ignored.length > 0) note(`a gRPC client ignores the retry conditions ${ignored.join(', ')} (it retries on gRPC status codes only)`);
  if (usable.length === 0) return { timeout };
  const numRetries = numberOf(policy.num_retries) ?? 1;
  const backOff = policy.retry_back_off as ProtoJson | undefined;
  const base = durationText(backOff?.base_interval) ?? '0.025 s';
  return {
    timeout,
    retry: { retryOn: usable, numRetries, notes: [`at most ${numRetries + 1} attempts`, `exponential back-off from ${base}`] },
  };
}

/** The request after the route's rewrites, and what changed. */
export interface Rewritten {
  readonly request: MatchableRequest & { readonly authority: string };
  readonly rewrite?: Rewrite;
}

/** Applies prefix/regex path rewrites, the host rewrite and header additions and removals. */
export function applyRewrites(route: ProtoJson, virtualHost: ProtoJson, request: MatchableRequest & { readonly authority: string }): Rewritten {
  const action = (route.route ?? {}) as ProtoJson;
  const match = (route.match ?? {}) as ProtoJson;
  let path = request.path;
  let authority = request.authority;
  let pathChange: Rewrite['path'];
  const queryAt = path.search(/[?#]/);
  const pathPart = queryAt < 0 ? path : path.slice(0, queryAt);
  const rest = queryAt < 0 ? '' : path.slice(queryAt);
  if (typeof action.prefix_rewrite === 'string') {
    // The matched prefix (or the whole path, for a path or regex match) is replaced.
    const matched = typeof match.prefix === 'string' ? match.prefix.length : pathPart.length;
    const to = `${action.prefix_rewrite}${pathPart.slice(matched)}${rest}`;
    pathChange = { from: path, to, by: `prefix_rewrite ${JSON.stringify(action.prefix_rewrite)}` };
    path = to;
  } else if (action.regex_rewrite) {
    const rule = action.regex_rewrite as ProtoJson;
    const pattern = String((rule.pattern as ProtoJson).regex);
    // Envoy writes capture groups as \1, RE2JS as $1.
    const substitution = String(rule.substitution ?? '').replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1');
    const to = `${RE2JS.compile(pattern).matcher(pathPart).replaceAll(substitution)}${rest}`;
    pathChange = { from: path, to, by: `regex_rewrite ${pattern} → ${JSON.stringify(rule.substitution)}` };
    path = to;
  }
  let authorityChange: Rewrite['authority'];
  if (typeof action.host_rewrite_literal === 'string') {
    authorityChange = { from: authority, to: action.host_rewrite_literal };
    authority = action.host_rewrite_literal;
  }
  let headers = request.headers.filter(([name]) => name !== ':authority' && name !== ':path');
  const removed = [virtualHost, route].flatMap(level => (level.request_headers_to_remove ?? []) as string[]).map(h => h.toLowerCase());
  headers = headers.filter(([name]) => !removed.includes(name));
  const added: string[] = [];
  // Route-level additions are applied after (and so win over) virtual host ones.
  for (const option of [...((virtualHost.request_headers_to_add ?? []) as ProtoJson[]), ...((route.request_headers_to_add ?? []) as ProtoJson[])]) {
    const header = option.header as ProtoJson;
    const key = String(header.key).toLowerCase();
    const value = String(header.value ?? '');
    const mode = String(option.append_action ?? (option.append === false ? 'OVERWRITE_IF_EXISTS_OR_ADD' : 'APPEND_IF_EXISTS_OR_ADD'));
    const present = headers.some(([name]) => name === key);
    if (mode === 'ADD_IF_ABSENT' && present) continue;
    if (mode === 'OVERWRITE_IF_EXISTS' && !present) continue;
    if (mode.startsWith('OVERWRITE')) headers = headers.filter(([name]) => name !== key);
    headers = [...headers, [key, value]];
    added.push(`${key}: ${value}`);
  }
  const rewrite: Rewrite = {
    ...(pathChange ? { path: pathChange } : {}),
    ...(authorityChange ? { authority: authorityChange } : {}),
    ...(added.length > 0 ? { headersAdded: added } : {}),
    ...(removed.length > 0 ? { headersRemoved: removed } : {}),
  };
  const next = { path, authority, headers: [[':authority', authority] as const, [':path', path] as const, ...headers] };
  return Object.keys(rewrite).length > 0 ? { request: next, rewrite } : { request: next };
}
