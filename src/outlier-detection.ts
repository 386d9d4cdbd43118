import { Duration } from 'aws-cdk-lib';

/**
 * Passive health checking: callers eject a host of this listener for a while after
 * it returned `maxServerErrors` consecutive server errors.
 */
export interface OutlierDetection {
  /** Base time a host stays ejected; multiplied by the number of times it was ejected. */
  readonly baseEjectionDuration: Duration;
  /** Time between two ejection sweeps. */
  readonly interval: Duration;
  /** Most hosts that may be ejected at once, in percent (0–100); one host can always be ejected. */
  readonly maxEjectionPercent: number;
  /** Consecutive 5xx responses (or connection errors for TCP) before a host is ejected (at least 1). */
  readonly maxServerErrors: number;
}
