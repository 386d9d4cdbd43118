import { Duration } from 'aws-cdk-lib';
import * as spec from '../spec';

/** App Mesh `Duration` in milliseconds, the unit aws-cdk-lib renders too. */
export function renderDuration(duration: Duration): spec.Duration {
  return { unit: 'ms', value: duration.toMilliseconds() };
}
