import { numberOf } from './route-action';
import type { ProtoJson } from '../translate';

/**
 * What else a matched route does besides choosing clusters, in words: request mirroring and
 * per-route HTTP filter settings (fault injection, local rate limits). They are reported, not
 * played: the answer stays the clusters a request may reach.
 */

const DENOMINATORS: Record<string, number> = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 };

/** `12.5 %` of a FractionalPercent (or a RuntimeFractionalPercent's default value). */
function percentOf(fraction: ProtoJson | undefined): string {
  const value = ((fraction?.default_value ?? fraction) ?? {}) as ProtoJson;
  const share = Number(value.numerator ?? 0) / (DENOMINATORS[String(value.denominator ?? 'HUNDRED')] ?? 100);
  return `${Number((share * 100).toFixed(4))} %`;
}

export function routeExtras(route: ProtoJson): string[] {
  const out: string[] = [];
  const action = (route.route ?? {}) as ProtoJson;
  for (const mirror of (action.request_mirror_policies ?? []) as ProtoJson[]) {
    const share = mirror.runtime_fraction ? percentOf(mirror.runtime_fraction as ProtoJson) : '100 %';
    out.push(`mirrors ${share} of these requests to ${String(mirror.cluster)} (the copy's response is ignored)`);
  }
  for (const [name, config] of Object.entries((route.typed_per_filter_config ?? {}) as Record<string, ProtoJson>)) {
    if (name === 'envoy.filters.http.fault') out.push(`fault injection: ${faultText(config)}`);
    else if (name === 'envoy.filters.http.local_ratelimit') out.push(`local rate limit: ${rateLimitText(config)}`);
    else out.push(`per-route settings of the ${name} filter`);
  }
  return out;
}

function faultText(fault: ProtoJson): string {
  const parts: string[] = [];
  const abort = fault.abort as ProtoJson | undefined;
  if (abort) {
    const status = abort.grpc_status !== undefined ? `gRPC status ${String(abort.grpc_status)}` : `HTTP ${String(abort.http_status)}`;
    parts.push(`aborts ${percentOf(abort.percentage as ProtoJson)} with ${status}`);
  }
  const delay = fault.delay as ProtoJson | undefined;
  if (delay) {
    const fixed = delay.fixed_delay as ProtoJson | undefined;
    const seconds = Number(fixed?.seconds ?? 0) + Number(fixed?.nanos ?? 0) / 1e9;
    parts.push(`delays ${percentOf(delay.percentage as ProtoJson)} by ${Number(seconds.toFixed(3))} s`);
  }
  const headers = ((fault.headers ?? []) as ProtoJson[]).map(h => String(h.name));
  if (headers.length > 0) parts.push(`only for requests with ${headers.join(', ')}`);
  return parts.join(', ') || 'configured';
}

function rateLimitText(limit: ProtoJson): string {
  const bucket = limit.token_bucket as ProtoJson | undefined;
  if (!bucket) return 'configured';
  const fill = bucket.fill_interval as ProtoJson | undefined;
  const seconds = Number(fill?.seconds ?? 0) + Number(fill?.nanos ?? 0) / 1e9;
  const perFill = numberOf(bucket.tokens_per_fill) ?? 1;
  return `${String(numberOf(bucket.max_tokens))} requests, refilled ${perFill} per ${Number(seconds.toFixed(3))} s; over the limit: 429`;
}
