import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { HeaderMatch } from './header-match';
import { HttpRouteMethod } from './http-route-method';
import { HttpRoutePathMatch } from './http-route-path-match';
import { RequestMirror } from './policies/request-mirror';
import { RoutePolicyOptions } from './policies/route-policy-options';
import { renderDuration } from './private/duration';
import { meshError } from './private/errors';
import { renderTimeout } from './private/listener-render';
import { compact } from './private/render';
import { renderRoutePolicies } from './private/route-policies';
import { QueryParameterMatch } from './query-parameter-match';
import { GrpcRetryEvent, GrpcTimeout, HttpRetryEvent, HttpTimeout, TcpRetryEvent, TcpTimeout } from './shared-interfaces';
import * as spec from './spec';
import { IVirtualNode } from './virtual-node';

/** A virtual node a route sends traffic to, with its share. */
export interface WeightedTarget {
  /** The target node. */
  readonly virtualNode: IVirtualNode;
  /**
   * Relative weight (0–100); 0 sends no traffic.
   * @default 1
   */
  readonly weight?: number;
  /**
   * Listener port of the target node, when it has several. Must be one of its listener ports.
   * @default - the target's only listener
   */
  readonly port?: number;
}

/** URL scheme an HTTP route matches. */
export enum HttpRouteProtocol {
  /** http */
  HTTP = 'http',
  /** https */
  HTTPS = 'https',
}

/** What an HTTP or HTTP/2 route matches. All given conditions must hold. */
export interface HttpRouteMatch {
  /**
   * The path.
   * @default - every path (prefix `/`)
   */
  readonly path?: HttpRoutePathMatch;
  /**
   * Conditions on headers (1–10).
   * @default - none
   */
  readonly headers?: HeaderMatch[];
  /**
   * The method.
   * @default - any method
   */
  readonly method?: HttpRouteMethod;
  /**
   * The scheme.
   * @default - any scheme
   */
  readonly protocol?: HttpRouteProtocol;
  /**
   * Conditions on query parameters (1–10).
   * @default - none
   */
  readonly queryParameters?: QueryParameterMatch[];
  /**
   * The router listener port, needed when the router has several listeners.
   * @default - any port
   */
  readonly port?: number;
}

/** What a gRPC route matches. At least one member must be set. */
export interface GrpcRouteMatch {
  /**
   * Fully qualified gRPC service name.
   * @default - any service
   */
  readonly serviceName?: string;
  /**
   * Conditions on request metadata (1–10).
   * @default - none
   */
  readonly metadata?: HeaderMatch[];
  /**
   * Method name; needs `serviceName`.
   * @default - any method
   */
  readonly methodName?: string;
  /**
   * The router listener port, needed when the router has several listeners.
   * @default - any port
   */
  readonly port?: number;
}

/** Options every route spec takes. */
export interface RouteSpecOptionsBase {
  /**
   * Priority (0–1000, 0 first).
   * @default - routes without priority are ordered by the length of their match
   */
  readonly priority?: number;
}

/** Options of an HTTP or HTTP/2 route. */
export interface HttpRouteSpecOptions extends RouteSpecOptionsBase, RoutePolicyOptions {
  /**
   * What the route matches.
   * @default - every request (prefix `/`)
   */
  readonly match?: HttpRouteMatch;
  /** Where matching traffic goes (1–10 targets). */
  readonly weightedTargets: WeightedTarget[];
  /**
   * Timeouts.
   * @default - the listener's / App Mesh defaults
   */
  readonly timeout?: HttpTimeout;
  /**
   * Retries.
   * @default - no retries
   */
  readonly retryPolicy?: HttpRetryPolicy;
  /**
   * Copies of a share of the route's requests sent to other virtual nodes (responses dropped).
   * @default - no mirroring
   */
  readonly requestMirrors?: RequestMirror[];
}

/** Retry policy of an HTTP route. */
export interface HttpRetryPolicy {
  /**
   * HTTP events to retry on.
   * @default - none; then tcpRetryEvents must be set
   */
  readonly httpRetryEvents?: HttpRetryEvent[];
  /** Retries per request (rendered as `maxRetries`). */
  readonly retryAttempts: number;
  /** Timeout of each attempt (rendered as `perRetryTimeout`). */
  readonly retryTimeout: Duration;
  /**
   * Connection events to retry on.
   * @default - none; then httpRetryEvents must be set
   */
  readonly tcpRetryEvents?: TcpRetryEvent[];
}

/** What a TCP route matches (an addition to aws-cdk-lib, which cannot express it). */
export interface TcpRouteMatch {
  /**
   * The router listener port, needed when the router has several listeners.
   * @default - any port
   */
  readonly port?: number;
}

/** Options of a TCP route. */
export interface TcpRouteSpecOptions extends RouteSpecOptionsBase {
  /**
   * What the route matches.
   * @default - every connection
   */
  readonly match?: TcpRouteMatch;
  /** Where connections go (1–10 targets). */
  readonly weightedTargets: WeightedTarget[];
  /**
   * Timeouts.
   * @default - the listener's / App Mesh defaults
   */
  readonly timeout?: TcpTimeout;
}

/** Options of a gRPC route. */
export interface GrpcRouteSpecOptions extends RouteSpecOptionsBase, RoutePolicyOptions {
  /** What the route matches. */
  readonly match: GrpcRouteMatch;
  /**
   * Timeouts.
   * @default - the listener's / App Mesh defaults
   */
  readonly timeout?: GrpcTimeout;
  /** Where matching calls go (1–10 targets). */
  readonly weightedTargets: WeightedTarget[];
  /**
   * Retries.
   * @default - no retries
   */
  readonly retryPolicy?: GrpcRetryPolicy;
  /**
   * Copies of a share of the route's requests sent to other virtual nodes (responses dropped).
   * @default - no mirroring
   */
  readonly requestMirrors?: RequestMirror[];
}

/** Retry policy of a gRPC route. */
export interface GrpcRetryPolicy extends HttpRetryPolicy {
  /**
   * gRPC status codes to retry on.
   * @default - none; then HTTP or TCP events must be set
   */
  readonly grpcRetryEvents?: GrpcRetryEvent[];
}

/** What RouteSpec.bind returns: one of the four route kinds is set. */
export interface RouteSpecConfig {
  /** App Mesh `RouteSpec.httpRoute`. */
  readonly httpRouteSpec?: spec.HttpRoute;
  /** App Mesh `RouteSpec.http2Route`. */
  readonly http2RouteSpec?: spec.HttpRoute;
  /** App Mesh `RouteSpec.grpcRoute`. */
  readonly grpcRouteSpec?: spec.GrpcRoute;
  /** App Mesh `RouteSpec.tcpRoute`. */
  readonly tcpRouteSpec?: spec.TcpRoute;
  /** App Mesh `RouteSpec.priority`. */
  readonly priority?: number;
  /**
   * Policies beyond App Mesh, written beside the spec (docs/policies.md).
   * @default - none
   */
  readonly extensions?: spec.RouteExtensions;
}

/** What a route matches and where it sends traffic. */
export abstract class RouteSpec {
  /** An HTTP/1.1 route. */
  public static http(options: HttpRouteSpecOptions): RouteSpec {
    return new HttpRouteSpec(options, false);
  }

  /** An HTTP/2 route. */
  public static http2(options: HttpRouteSpecOptions): RouteSpec {
    return new HttpRouteSpec(options, true);
  }

  /** A TCP route. */
  public static tcp(options: TcpRouteSpecOptions): RouteSpec {
    return new TcpRouteSpec(options);
  }

  /** A gRPC route. */
  public static grpc(options: GrpcRouteSpecOptions): RouteSpec {
    return new GrpcRouteSpec(options);
  }

  /** Render the route spec. */
  public abstract bind(scope: Construct): RouteSpecConfig;
}

class HttpRouteSpec extends RouteSpec {
  constructor(private readonly options: HttpRouteSpecOptions, private readonly http2: boolean) {
    super();
    if (options.retryPolicy) {
      const policy = options.retryPolicy;
      if (isEmpty(policy.httpRetryEvents) && isEmpty(policy.tcpRetryEvents)) {
        throw meshError('RetryEventsRequired', 'You must specify one value for at least one of `httpRetryEvents` or `tcpRetryEvents`');
      }
    }
  }

  public bind(scope: Construct): RouteSpecConfig {
    const match = this.options.match ?? {};
    const path = (match.path ?? HttpRoutePathMatch.startsWith('/')).bind(scope);
    checkCount(scope, 'HeaderCountOutOfRange', 'headers', match.headers);
    checkCount(scope, 'QueryParameterCountOutOfRange', 'query parameters', match.queryParameters);
    const route: spec.HttpRoute = compact({
      match: compact<spec.HttpRouteMatch>({
        prefix: path.prefixPathMatch,
        path: path.wholePathMatch,
        headers: match.headers?.map((header) => header.bind(scope).headerMatch),
        method: match.method,
        scheme: match.protocol,
        queryParameters: match.queryParameters?.map((query) => query.bind(scope).queryParameterMatch),
        port: match.port,
      }),
      action: { weightedTargets: renderWeightedTargets(this.options.weightedTargets) },
      retryPolicy: this.options.retryPolicy && renderHttpRetryPolicy(this.options.retryPolicy),
      timeout: renderTimeout(this.options.timeout),
    });
    const extensions = renderRoutePolicies(scope, this.options, this.options.requestMirrors);
    return {
      ...(this.http2 ? { http2RouteSpec: route } : { httpRouteSpec: route }),
      ...(this.options.priority !== undefined ? { priority: this.options.priority } : {}),
      ...(extensions ? { extensions } : {}),
    };
  }
}

class TcpRouteSpec extends RouteSpec {
  constructor(private readonly options: TcpRouteSpecOptions) {
    super();
  }

  public bind(_scope: Construct): RouteSpecConfig {
    return {
      tcpRouteSpec: compact({
        match: this.options.match?.port !== undefined ? { port: this.options.match.port } : undefined,
        action: { weightedTargets: renderWeightedTargets(this.options.weightedTargets) },
        timeout: renderTimeout(this.options.timeout),
      }),
      ...(this.options.priority !== undefined ? { priority: this.options.priority } : {}),
    };
  }
}

class GrpcRouteSpec extends RouteSpec {
  constructor(private readonly options: GrpcRouteSpecOptions) {
    super();
    const policy = options.retryPolicy;
    if (policy && isEmpty(policy.grpcRetryEvents) && isEmpty(policy.httpRetryEvents) && isEmpty(policy.tcpRetryEvents)) {
      throw meshError('GrpcRetryEventsRequired', 'You must specify one value for at least one of `grpcRetryEvents`, `httpRetryEvents` or `tcpRetryEvents`');
    }
  }

  public bind(scope: Construct): RouteSpecConfig {
    const match = this.options.match;
    if (match.serviceName === undefined && match.methodName === undefined
      && match.metadata === undefined && match.port === undefined) {
      throw meshError('GrpcRouteMatchRequired',
        'At least one gRPC route match property must be provided (serviceName, methodName, metadata or port)', scope);
    }
    if (match.methodName && !match.serviceName) {
      throw meshError('ServiceNameRequired', 'If you specify a method name, you must also specify a service name', scope);
    }
    checkCount(scope, 'MetadataCountOutOfRange', 'metadata', match.metadata);
    const policy = this.options.retryPolicy;
    const extensions = renderRoutePolicies(scope, this.options, this.options.requestMirrors);
    return {
      grpcRouteSpec: compact({
        match: compact<spec.GrpcRouteMatch>({
          serviceName: match.serviceName,
          methodName: match.methodName,
          metadata: match.metadata?.map((entry) => entry.bind(scope).headerMatch),
          port: match.port,
        }),
        action: { weightedTargets: renderWeightedTargets(this.options.weightedTargets) },
        retryPolicy: policy && compact<spec.GrpcRetryPolicy>({
          ...renderHttpRetryPolicy(policy),
          grpcRetryEvents: policy.grpcRetryEvents && [...policy.grpcRetryEvents] as spec.GrpcRetryPolicy['grpcRetryEvents'],
        }),
        timeout: renderTimeout(this.options.timeout),
      }),
      ...(this.options.priority !== undefined ? { priority: this.options.priority } : {}),
      ...(extensions ? { extensions } : {}),
    };
  }
}

function renderWeightedTargets(targets: WeightedTarget[]): spec.WeightedTarget[] {
  return targets.map((target) => ({
    virtualNode: target.virtualNode.virtualNodeName,
    weight: target.weight ?? 1,
    ...(target.port !== undefined ? { port: target.port } : {}),
  }));
}

function renderHttpRetryPolicy(policy: HttpRetryPolicy): spec.HttpRetryPolicy {
  return compact<spec.HttpRetryPolicy>({
    maxRetries: policy.retryAttempts,
    perRetryTimeout: renderDuration(policy.retryTimeout),
    httpRetryEvents: policy.httpRetryEvents && [...policy.httpRetryEvents],
    tcpRetryEvents: policy.tcpRetryEvents && [...policy.tcpRetryEvents],
  });
}

function isEmpty(list: unknown[] | undefined): boolean {
  return list === undefined || list.length === 0;
}

// Matcher lists, when given, hold 1–10 entries (App Mesh limit).
function checkCount(scope: Construct, code: string, what: string, list: unknown[] | undefined): void {
  if (list === undefined || Token.isUnresolved(list)) return;
  if (list.length < 1 || list.length > 10) {
    throw meshError(code, `Number of ${what} provided for matching must be between 1 and 10, got: ${list.length}`, scope);
  }
}
