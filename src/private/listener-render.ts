import { Duration } from 'aws-cdk-lib';
import { renderDuration } from './duration';
import { compact } from './render';
import { GrpcConnectionPool, Http2ConnectionPool, HttpConnectionPool, TcpConnectionPool } from '../connection-pool';
import { OutlierDetection } from '../outlier-detection';
import { Protocol } from '../shared-interfaces';
import * as spec from '../spec';

/** Any of the timeout structs: HTTP and gRPC ones have perRequest, TCP ones only idle. */
export interface AnyTimeout {
  readonly idle?: Duration;
  readonly perRequest?: Duration;
}

/** App Mesh `HttpTimeout`/`GrpcTimeout`/`TcpTimeout`; undefined when nothing is set. */
export function renderTimeout(timeout?: AnyTimeout): spec.HttpTimeout | undefined {
  if (timeout === undefined) return undefined;
  const out = compact({
    idle: timeout.idle && renderDuration(timeout.idle),
    perRequest: timeout.perRequest && renderDuration(timeout.perRequest),
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

/** App Mesh `ListenerTimeout`: the timeout keyed by the listener protocol. */
export function renderListenerTimeout(protocol: Protocol, timeout?: AnyTimeout): spec.ListenerTimeout | undefined {
  const rendered = renderTimeout(timeout);
  return rendered === undefined ? undefined : { [protocol]: rendered };
}

/** App Mesh `OutlierDetection`. */
export function renderOutlierDetection(outlier?: OutlierDetection): spec.OutlierDetection | undefined {
  if (outlier === undefined) return undefined;
  return {
    baseEjectionDuration: renderDuration(outlier.baseEjectionDuration),
    interval: renderDuration(outlier.interval),
    maxEjectionPercent: outlier.maxEjectionPercent,
    maxServerErrors: outlier.maxServerErrors,
  };
}

/** Any connection pool struct. */
export type AnyConnectionPool = HttpConnectionPool | Http2ConnectionPool | GrpcConnectionPool | TcpConnectionPool;

/** App Mesh connection pool keyed by the listener protocol (node and gateway shapes agree). */
export function renderConnectionPool(protocol: Protocol, pool?: AnyConnectionPool): spec.VirtualNodeConnectionPool | undefined {
  if (pool === undefined) return undefined;
  return { [protocol]: { ...pool } };
}
