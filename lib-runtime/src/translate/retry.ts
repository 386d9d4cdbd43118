import {
  DEFAULT_RETRY_POLICY,
  GRPC_RETRY_EVENTS,
  HOST_SELECTION_RETRY_MAX_ATTEMPTS,
  HTTP_RETRY_EVENTS,
  TCP_RETRY_EVENTS,
} from './defaults';
import { appMeshMillis, durationMs, packed, TYPE, u32 } from './proto-json';
import { ProtoJson } from './types';
import { GrpcRetryPolicy, HttpRetryPolicy } from '../../../src/spec/appmesh-types';

/**
 * Retry policies (docs/envoy-mapping.md §6 "Retries" and §7): App Mesh retry events become
 * Envoy retry conditions; every policy avoids previous hosts.
 */
export function retryPolicy(policy: HttpRetryPolicy | GrpcRetryPolicy | undefined): ProtoJson {
  if (!policy) {
    return defaultRetryPolicy();
  }
  const conditions: string[] = [];
  const codes = new Set<number>();
  for (const event of policy.httpRetryEvents ?? []) {
    const mapped = HTTP_RETRY_EVENTS[event];
    if (mapped?.retryOn) conditions.push(mapped.retryOn);
    for (const code of mapped?.statusCodes ?? []) codes.add(code);
  }
  for (const event of (policy.tcpRetryEvents ?? []) as string[]) {
    const mapped = TCP_RETRY_EVENTS[event];
    if (mapped) conditions.push(mapped);
  }
  // The generated type reads as `... | 'unavailable'[]`; the field is a list of event names.
  const grpcEvents = ((policy as GrpcRetryPolicy).grpcRetryEvents ?? []) as unknown as string[];
  for (const event of grpcEvents) {
    if (GRPC_RETRY_EVENTS.includes(event)) conditions.push(event);
  }
  if (codes.size > 0) {
    conditions.push('retriable-status-codes');
  }
  const out: ProtoJson = {
    retry_on: unique(conditions).join(','),
    num_retries: u32(policy.maxRetries),
  };
  const perTry = appMeshMillis(policy.perRetryTimeout);
  if (perTry !== undefined && perTry > 0) {
    out.per_try_timeout = durationMs(perTry);
  }
  if (codes.size > 0) {
    out.retriable_status_codes = [...codes].sort((a, b) => a - b);
  }
  return withHostPredicate(out);
}

/** §7: the policy App Mesh put on routes that declare none. */
export function defaultRetryPolicy(): ProtoJson {
  return withHostPredicate({
    retry_on: DEFAULT_RETRY_POLICY.retryOn.join(','),
    num_retries: u32(DEFAULT_RETRY_POLICY.numRetries),
    retriable_status_codes: [...DEFAULT_RETRY_POLICY.retriableStatusCodes],
  });
}

function withHostPredicate(policy: ProtoJson): ProtoJson {
  policy.retry_host_predicate = [{
    name: 'envoy.retry_host_predicates.previous_hosts',
    typed_config: packed(TYPE.previousHosts),
  }];
  policy.host_selection_retry_max_attempts = HOST_SELECTION_RETRY_MAX_ATTEMPTS;
  return policy;
}

/**
 * The same policy for a gRPC client (gRFC A44): only the gRPC status conditions are supported,
 * host predicates and status codes do not apply. Undefined when no gRPC condition remains, or
 * when the policy allows no retry (grpc-js rejects `num_retries` 0; no policy means the same).
 */
export function proxylessRetryPolicy(policy: ProtoJson | undefined): ProtoJson | undefined {
  if (!policy) return undefined;
  if (((policy.num_retries as { value?: number } | undefined)?.value ?? 1) < 1) return undefined;
  const conditions = String(policy.retry_on).split(',').filter(c => GRPC_RETRY_EVENTS.includes(c));
  if (conditions.length === 0) return undefined;
  return { retry_on: conditions.join(','), num_retries: policy.num_retries };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
