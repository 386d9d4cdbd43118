import { Duration } from 'aws-cdk-lib';
import { renderDuration } from '../private/duration';
import * as spec from '../spec';

/** Properties of a token-bucket rate limit. */
export interface TokenBucketRateLimitProps {
  /** Tokens the bucket holds at most, and starts with: the largest burst let through. At least 1. */
  readonly maxTokens: number;
  /**
   * Tokens added every `fillInterval`.
   * @default - maxTokens
   */
  readonly tokensPerFill?: number;
  /** How often the bucket is refilled (at least 1 ms). */
  readonly fillInterval: Duration;
  /**
   * HTTP status answered to a refused request (400–599). Not used on TCP listeners, where a
   * refused connection is closed.
   * @default 429
   */
  readonly responseStatus?: number;
  /**
   * Headers added to the response of a refused request, by name. Not used on TCP listeners.
   * @default - none
   */
  readonly responseHeaders?: { [name: string]: string };
}

/** What `RateLimit.bind` returns. */
export interface RateLimitConfig {
  /** The policy, in the spec's extension shape. */
  readonly rateLimit: spec.RateLimitPolicy;
}

/**
 * A local rate limit (Envoy `local_ratelimit`): each Envoy keeps its own token bucket, so the
 * limit holds per proxy, not across the replicas of a node. Proxyless gRPC clients and servers do
 * not implement it: a node served only by proxyless gRPC is not limited.
 */
export abstract class RateLimit {
  /** A token bucket: bursts up to `maxTokens`, then `tokensPerFill` requests (or TCP connections) per `fillInterval`. */
  public static tokenBucket(props: TokenBucketRateLimitProps): RateLimit {
    return new TokenBucketRateLimit(props);
  }

  /** The policy in the spec's shape. */
  public abstract bind(): RateLimitConfig;
}

class TokenBucketRateLimit extends RateLimit {
  constructor(private readonly props: TokenBucketRateLimitProps) {
    super();
  }

  public bind(): RateLimitConfig {
    const p = this.props;
    const headers = Object.entries(p.responseHeaders ?? {}).map(([name, value]) => ({ name, value }));
    return {
      rateLimit: {
        tokenBucket: {
          maxTokens: p.maxTokens,
          ...(p.tokensPerFill !== undefined ? { tokensPerFill: p.tokensPerFill } : {}),
          fillInterval: renderDuration(p.fillInterval),
        },
        ...(p.responseStatus !== undefined ? { responseStatus: p.responseStatus } : {}),
        ...(headers.length ? { responseHeaders: headers } : {}),
      },
    };
  }
}
