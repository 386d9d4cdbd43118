import { Duration } from '../appmesh-types';

/** A fixed delay added before a share of a route's requests is forwarded. */
export interface FaultDelay {
  /** How long to hold the request (unit and value both set, like App Mesh durations). */
  readonly fixedDelay: Duration;
  /** Share of requests delayed, in percent (0–100, fractions allowed down to 0.0001). */
  readonly percentage: number;
}

/** An immediate error answered instead of forwarding a share of a route's requests. */
export interface FaultAbort {
  /** HTTP status answered (200–599). Exactly one of httpStatus and grpcStatus is set. */
  readonly httpStatus?: number;
  /** gRPC status code answered (1–16). Exactly one of httpStatus and grpcStatus is set. */
  readonly grpcStatus?: number;
  /** Share of requests aborted, in percent (0–100, fractions allowed down to 0.0001). */
  readonly percentage: number;
}

/**
 * Fault injection on a route or gateway route (Envoy's fault filter, gRFC A33 for gRPC clients).
 * At least one of delay and abort is set.
 */
export interface FaultInjectionPolicy {
  /** Delay a share of the requests. */
  readonly delay?: FaultDelay;
  /** Abort a share of the requests. */
  readonly abort?: FaultAbort;
  /** Inject faults only into requests that carry this header (any value). Default: every request. */
  readonly headerPresent?: string;
}

/** Extension-schema definitions of fault injection (same dialect as the App Mesh schema). */
export const FAULT_INJECTION_SCHEMA_DEFS: Record<string, unknown> = {
  FaultPercentage: { type: 'number', minimum: 0, maximum: 100 },
  FaultDelay: {
    type: 'object',
    additionalProperties: false,
    properties: { fixedDelay: { $ref: '#/$defs/Duration' }, percentage: { $ref: '#/$defs/FaultPercentage' } },
    required: ['fixedDelay', 'percentage'],
  },
  FaultAbort: {
    type: 'object',
    additionalProperties: false,
    properties: {
      httpStatus: { type: 'integer', minimum: 200, maximum: 599 },
      grpcStatus: { type: 'integer', minimum: 1, maximum: 16 },
      percentage: { $ref: '#/$defs/FaultPercentage' },
    },
    required: ['percentage'],
  },
  FaultInjectionPolicy: {
    type: 'object',
    additionalProperties: false,
    properties: {
      delay: { $ref: '#/$defs/FaultDelay' },
      abort: { $ref: '#/$defs/FaultAbort' },
      headerPresent: { $ref: '#/$defs/PolicyHeaderName' },
    },
    minProperties: 1,
  },
};
