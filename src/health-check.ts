import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { meshError } from './private/errors';
import { Protocol } from './shared-interfaces';
import * as spec from './spec';

/** Options every health check takes. */
export interface HealthCheckCommonOptions {
  /**
   * Consecutive successes before a host is healthy (2–10).
   * @default 2
   */
  readonly healthyThreshold?: number;
  /**
   * Time between two checks (5 s – 300 s).
   * @default Duration.seconds(5)
   */
  readonly interval?: Duration;
  /**
   * How long to wait for a response (2 s – 60 s).
   * @default Duration.seconds(2)
   */
  readonly timeout?: Duration;
  /**
   * Consecutive failures before a host is unhealthy (2–10).
   * @default 2
   */
  readonly unhealthyThreshold?: number;
  /**
   * Port to check, when it differs from the listener's port (App Mesh
   * `HealthCheckPolicy.port`; aws-cdk-lib cannot express it).
   * @default - the port of the listener the check belongs to
   */
  readonly port?: number;
}

/** Options of an HTTP or HTTP/2 health check. */
export interface HttpHealthCheckOptions extends HealthCheckCommonOptions {
  /**
   * Path requested; a 2xx answer counts as success.
   * @default /
   */
  readonly path?: string;
}

/** Options of a gRPC health check (gRPC Health Checking Protocol). */
export interface GrpcHealthCheckOptions extends HealthCheckCommonOptions {}

/** Options of a TCP health check (a connection that opens counts as success). */
export interface TcpHealthCheckOptions extends HealthCheckCommonOptions {}

/** What HealthCheck.bind returns. */
export interface HealthCheckConfig {
  /** The check for a virtual node listener. */
  readonly virtualNodeHealthCheck?: spec.HealthCheckPolicy;
  /** The check for a virtual gateway listener; absent for TCP checks, which gateways do not support. */
  readonly virtualGatewayHealthCheck?: spec.VirtualGatewayHealthCheckPolicy;
}

/** Options of HealthCheck.bind. */
export interface HealthCheckBindOptions {
  /**
   * Port of the listener the check belongs to, used unless the check names its own.
   * @default - no port rendered
   */
  readonly defaultPort?: number;
}

/** Active health check that callers run against a listener. */
export abstract class HealthCheck {
  /** HTTP/1.1 health check. */
  public static http(options: HttpHealthCheckOptions = {}): HealthCheck {
    return new HealthCheckImpl(Protocol.HTTP, options, options.path ?? '/');
  }

  /** HTTP/2 health check. */
  public static http2(options: HttpHealthCheckOptions = {}): HealthCheck {
    return new HealthCheckImpl(Protocol.HTTP2, options, options.path ?? '/');
  }

  /** gRPC health check. */
  public static grpc(options: GrpcHealthCheckOptions = {}): HealthCheck {
    return new HealthCheckImpl(Protocol.GRPC, options);
  }

  /** TCP health check. */
  public static tcp(options: TcpHealthCheckOptions = {}): HealthCheck {
    return new HealthCheckImpl(Protocol.TCP, options);
  }

  /** Render the check for the listener it belongs to. */
  public abstract bind(scope: Construct, options: HealthCheckBindOptions): HealthCheckConfig;
}

class HealthCheckImpl extends HealthCheck {
  private readonly healthyThreshold: number;
  private readonly unhealthyThreshold: number;
  private readonly interval: Duration;
  private readonly timeout: Duration;

  constructor(
    private readonly protocol: Protocol,
    private readonly options: HealthCheckCommonOptions,
    private readonly path?: string,
  ) {
    super();
    this.healthyThreshold = options.healthyThreshold ?? 2;
    this.unhealthyThreshold = options.unhealthyThreshold ?? 2;
    this.interval = options.interval ?? Duration.seconds(5);
    this.timeout = options.timeout ?? Duration.seconds(2);
    checkRange('HealthyThresholdOutOfRange', 'healthyThreshold', this.healthyThreshold, 2, 10);
    checkRange('UnhealthyThresholdOutOfRange', 'unhealthyThreshold', this.unhealthyThreshold, 2, 10);
    checkDuration('IntervalOutOfRange', 'interval', this.interval, 5, 300);
    checkDuration('TimeoutOutOfRange', 'timeout', this.timeout, 2, 60);
    // `port` (not in aws-cdk-lib) is range-checked by the spec schema at synth, like every port.
  }

  public bind(_scope: Construct, bindOptions: HealthCheckBindOptions): HealthCheckConfig {
    const port = this.options.port ?? bindOptions.defaultPort;
    const common = {
      healthyThreshold: this.healthyThreshold,
      unhealthyThreshold: this.unhealthyThreshold,
      intervalMillis: this.interval.toMilliseconds(),
      timeoutMillis: this.timeout.toMilliseconds(),
      ...(this.path !== undefined ? { path: this.path } : {}),
      ...(port !== undefined ? { port } : {}),
    };
    const virtualNodeHealthCheck: spec.HealthCheckPolicy = { ...common, protocol: this.protocol };
    if (this.protocol === Protocol.TCP) return { virtualNodeHealthCheck };
    return {
      virtualNodeHealthCheck,
      virtualGatewayHealthCheck: { ...common, protocol: this.protocol as 'http' | 'http2' | 'grpc' },
    };
  }
}

function millis(duration: Duration): number | undefined {
  return duration.isUnresolved() ? undefined : duration.toMilliseconds();
}

function checkRange(code: string, what: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (value < min || value > max) {
    throw meshError(code, `${what} must be between ${min} and ${max}, got ${value}`);
  }
}

/** In aws-cdk-lib's words and unit (seconds); App Mesh counted milliseconds. */
function checkDuration(code: string, what: string, duration: Duration, minSeconds: number, maxSeconds: number): void {
  const ms = millis(duration);
  if (ms === undefined) return;
  if (ms < minSeconds * 1000 || ms > maxSeconds * 1000) {
    throw meshError(code, `${what} must be between ${minSeconds} seconds and ${maxSeconds} seconds, got ${duration.toHumanString()}`);
  }
}
