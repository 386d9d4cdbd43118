import { ListenerRateLimitPolicy, RateLimitPolicy } from '../../../../src/spec/extensions/rate-limit';
import { appMeshMillis, durationMs, packed, u32 } from '../proto-json';
import { ProtoJson } from '../types';

/**
 * Local rate limits (Envoy `local_ratelimit`, HTTP and network filters): a token bucket per
 * Envoy, enabled and enforced for 100 % of requests. Proxyless gRPC implements neither filter, so
 * nothing here reaches the proxyless view.
 */

export const HTTP_LOCAL_RATE_LIMIT = 'envoy.filters.http.local_ratelimit';
export const NETWORK_LOCAL_RATE_LIMIT = 'envoy.filters.network.local_ratelimit';
const HTTP_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
const NETWORK_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit';
/** Stat prefix of the HTTP filter: stats are `<HCM prefix>.http_local_rate_limit.…`. */
const STAT_PREFIX = 'http_local_rate_limit';
const DEFAULT_STATUS = 429;

/** The rate limits of a node that apply to the listener on `port`: one with that port wins over one for every port. */
export function rateLimitForPort(limits: readonly ListenerRateLimitPolicy[] | undefined, port: number): RateLimitPolicy | undefined {
  return limits?.find(l => l.port === port) ?? limits?.find(l => l.port === undefined);
}

function tokenBucket(policy: RateLimitPolicy): ProtoJson {
  const bucket = policy.tokenBucket;
  return {
    max_tokens: bucket.maxTokens,
    tokens_per_fill: u32(bucket.tokensPerFill ?? bucket.maxTokens),
    fill_interval: durationMs(appMeshMillis(bucket.fillInterval) ?? 0),
  };
}

const ALL = (runtimeKey: string): ProtoJson => ({ runtime_key: runtimeKey, default_value: { numerator: 100, denominator: 'HUNDRED' } });

/** The HTTP filter's config for a policy (listener level, or per route in `typed_per_filter_config`). */
export function httpLocalRateLimitConfig(policy: RateLimitPolicy): ProtoJson {
  const config: ProtoJson = {
    stat_prefix: STAT_PREFIX,
    token_bucket: tokenBucket(policy),
    filter_enabled: ALL('local_rate_limit_enabled'),
    filter_enforced: ALL('local_rate_limit_enforced'),
  };
  const status = policy.responseStatus ?? DEFAULT_STATUS;
  if (status !== DEFAULT_STATUS) config.status = { code: status };
  if (policy.responseHeaders?.length) {
    config.response_headers_to_add = policy.responseHeaders.map(h => ({ header: { key: h.name, value: h.value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }));
  }
  return packed(HTTP_TYPE, config);
}

/**
 * The HTTP filter for an HCM: with a policy, it limits every request of the HCM; without one it
 * limits nothing by itself and only serves the routes' own limits (`typed_per_filter_config`).
 */
export function httpLocalRateLimitFilter(policy: RateLimitPolicy | undefined): ProtoJson {
  return { name: HTTP_LOCAL_RATE_LIMIT, typed_config: policy ? httpLocalRateLimitConfig(policy) : packed(HTTP_TYPE, { stat_prefix: STAT_PREFIX }) };
}

/** The network filter for a TCP chain: connections beyond the bucket are closed at once. */
export function networkLocalRateLimitFilter(statPrefix: string, policy: RateLimitPolicy): ProtoJson {
  return { name: NETWORK_LOCAL_RATE_LIMIT, typed_config: packed(NETWORK_TYPE, { stat_prefix: statPrefix, token_bucket: tokenBucket(policy) }) };
}
