import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { renderDuration } from '../private/duration';
import * as spec from '../spec';

/** A fixed delay for a share of requests. */
export interface FaultDelayOptions {
  /** How long each delayed request is held before it is forwarded. */
  readonly fixedDelay: Duration;
  /** Share of requests delayed, in percent (0–100; fractions allowed down to 0.0001). */
  readonly percentage: number;
}

/** An error answered instead of forwarding, for a share of requests. Set exactly one status. */
export interface FaultAbortOptions {
  /**
   * HTTP status to answer (200–599).
   * @default - set grpcStatus instead
   */
  readonly httpStatus?: number;
  /**
   * gRPC status code to answer (1–16, e.g. 14 for UNAVAILABLE).
   * @default - set httpStatus instead
   */
  readonly grpcStatus?: number;
  /** Share of requests aborted, in percent (0–100; fractions allowed down to 0.0001). */
  readonly percentage: number;
}

/** Options of `FaultInjection.of`: a delay, an abort, or both. */
export interface FaultInjectionOptions {
  /**
   * Delay a share of the requests.
   * @default - no delay
   */
  readonly delay?: FaultDelayOptions;
  /**
   * Abort a share of the requests.
   * @default - no abort
   */
  readonly abort?: FaultAbortOptions;
  /**
   * Inject faults only into requests carrying this header (any value), so tests can opt in.
   * @default - every request of the route
   */
  readonly headerPresent?: string;
}

/** What `FaultInjection.bind` returns. */
export interface FaultInjectionConfig {
  /** The policy as the mesh spec carries it (`extensions.faultInjection`). */
  readonly faultInjection: spec.FaultInjectionPolicy;
}

/**
 * Fault injection on a route or gateway route: delay or abort a share of its requests. Served to
 * Envoy as its fault filter and to proxyless gRPC clients as xDS fault injection (gRFC A33).
 * Ranges are checked at synth, with the construct path.
 */
export abstract class FaultInjection {
  /** A delay, an abort, or both, optionally only for requests with a header. */
  public static of(options: FaultInjectionOptions): FaultInjection {
    return new OptionsFaultInjection(options);
  }

  /** Delay `percentage` percent of requests by `fixedDelay`. */
  public static delay(fixedDelay: Duration, percentage: number): FaultInjection {
    return new OptionsFaultInjection({ delay: { fixedDelay, percentage } });
  }

  /** Answer `percentage` percent of requests with HTTP status `httpStatus`. */
  public static abortHttp(httpStatus: number, percentage: number): FaultInjection {
    return new OptionsFaultInjection({ abort: { httpStatus, percentage } });
  }

  /** Answer `percentage` percent of requests with gRPC status `grpcStatus`. */
  public static abortGrpc(grpcStatus: number, percentage: number): FaultInjection {
    return new OptionsFaultInjection({ abort: { grpcStatus, percentage } });
  }

  /** Render the policy. */
  public abstract bind(scope: Construct): FaultInjectionConfig;
}

class OptionsFaultInjection extends FaultInjection {
  constructor(private readonly options: FaultInjectionOptions) {
    super();
  }

  public bind(_scope: Construct): FaultInjectionConfig {
    const { delay, abort, headerPresent } = this.options;
    return {
      faultInjection: {
        ...(delay ? { delay: { fixedDelay: renderDuration(delay.fixedDelay), percentage: delay.percentage } } : {}),
        ...(abort ? {
          abort: {
            ...(abort.httpStatus !== undefined ? { httpStatus: abort.httpStatus } : {}),
            ...(abort.grpcStatus !== undefined ? { grpcStatus: abort.grpcStatus } : {}),
            percentage: abort.percentage,
          },
        } : {}),
        ...(headerPresent !== undefined ? { headerPresent } : {}),
      },
    };
  }
}
