import { FaultInjectionPolicy } from '../../../../src/spec/extensions/fault-injection';
import { appMeshMillis, durationMs, packed } from '../proto-json';
import { ProtoJson } from '../types';

/**
 * Fault injection (Envoy's `envoy.filters.http.fault`; gRPC clients implement the same filter,
 * gRFC A33). The HCM carries the filter with an empty config, which injects nothing; each route
 * with a policy overrides it in `typed_per_filter_config` under the filter's name.
 */

export const FAULT_FILTER = 'envoy.filters.http.fault';
const FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';

/** A percentage (0–100, steps of 0.0001) as a FractionalPercent of a million. */
export function millionths(percentage: number): ProtoJson {
  return { numerator: Math.round(percentage * 10_000), denominator: 'MILLION' };
}

/** The HCM's fault filter: no fault of its own, only the routes' overrides. */
export function faultFilter(): ProtoJson {
  return { name: FAULT_FILTER, typed_config: packed(FAULT_TYPE) };
}

/** A route's override of the fault filter, as an Any for `typed_per_filter_config`. */
export function faultPerRoute(policy: FaultInjectionPolicy): ProtoJson {
  const config: ProtoJson = {};
  if (policy.delay) {
    config.delay = { fixed_delay: durationMs(appMeshMillis(policy.delay.fixedDelay) ?? 0), percentage: millionths(policy.delay.percentage) };
  }
  if (policy.abort) {
    const status = policy.abort.grpcStatus !== undefined ? { grpc_status: policy.abort.grpcStatus } : { http_status: policy.abort.httpStatus };
    config.abort = { ...status, percentage: millionths(policy.abort.percentage) };
  }
  if (policy.headerPresent !== undefined) config.headers = [{ name: policy.headerPresent, present_match: true }];
  return packed(FAULT_TYPE, config);
}
