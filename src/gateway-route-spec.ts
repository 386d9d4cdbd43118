import { Construct } from 'constructs';
import { GatewayRouteHostnameMatch } from './gateway-route-hostname-match';
import { HeaderMatch } from './header-match';
import { HttpGatewayRoutePathMatch } from './http-gateway-route-path-match';
import { HttpRouteMethod } from './http-route-method';
import { RoutePolicyOptions } from './policies/route-policy-options';
import { meshError } from './private/errors';
import { compact } from './private/render';
import { renderRoutePolicies } from './private/route-policies';
import { QueryParameterMatch } from './query-parameter-match';
import * as spec from './spec';
import { IVirtualService } from './virtual-service';

/** How many headers, query parameters or metadata entries one match may hold. */
const MATCH_LIST_LIMITS = { min: 1, max: 10 };

/** What an HTTP or HTTP/2 gateway route matches. */
export interface HttpGatewayRouteMatch {
  /**
   * The request path to match, and how to rewrite it.
   *
   * @default - every path (`startsWith('/')`), with the matched prefix rewritten to `/`
   */
  readonly path?: HttpGatewayRoutePathMatch;

  /**
   * Headers the request must carry (1–10); all of them must match.
   *
   * @default - headers are not looked at
   */
  readonly headers?: HeaderMatch[];

  /**
   * The request hostname to match.
   *
   * @default - any hostname
   */
  readonly hostname?: GatewayRouteHostnameMatch;

  /**
   * The request method to match.
   *
   * @default - any method
   */
  readonly method?: HttpRouteMethod;

  /**
   * Query parameters the request must carry (1–10); all of them must match.
   *
   * @default - query parameters are not looked at
   */
  readonly queryParameters?: QueryParameterMatch[];

  /**
   * Whether the `Host` header is replaced by the target virtual service's name.
   *
   * @default true (the service default; rendered only when set)
   */
  readonly rewriteRequestHostname?: boolean;

  /**
   * The gateway listener port to match; required when the gateway has several listeners.
   *
   * @default - any port
   */
  readonly port?: number;
}

/** What a gRPC gateway route matches. At least one member must be set. */
export interface GrpcGatewayRouteMatch {
  /**
   * The fully qualified gRPC service name to match, e.g. `orders.v1.Orders`.
   *
   * @default - any service
   */
  readonly serviceName?: string;

  /**
   * The request hostname to match.
   *
   * @default - any hostname
   */
  readonly hostname?: GatewayRouteHostnameMatch;

  /**
   * Request metadata the call must carry (1–10); all of them must match.
   *
   * @default - metadata is not looked at
   */
  readonly metadata?: HeaderMatch[];

  /**
   * Whether the `:authority` header is replaced by the target virtual service's name.
   *
   * @default true (the service default; rendered only when set)
   */
  readonly rewriteRequestHostname?: boolean;

  /**
   * The gateway listener port to match; required when the gateway has several listeners.
   *
   * @default - any port
   */
  readonly port?: number;
}

/** Options every kind of gateway route takes (policies beyond App Mesh included, docs/policies.md). */
export interface CommonGatewayRouteSpecOptions extends RoutePolicyOptions {
  /**
   * Order among the gateway's routes: 0 is tried first, 1000 last.
   *
   * @default - after every route with a priority, ordered by how specific the match is
   */
  readonly priority?: number;
}

/** Options of an HTTP or HTTP/2 gateway route. */
export interface HttpGatewayRouteSpecOptions extends CommonGatewayRouteSpecOptions {
  /**
   * What the route takes.
   *
   * @default - every request, with the path prefix rewritten to `/`
   */
  readonly match?: HttpGatewayRouteMatch;

  /** The virtual service requests are sent to. */
  readonly routeTarget: IVirtualService;

  /**
   * Listener port of the target's provider to send requests to (App Mesh `target.port`);
   * needed when the provider has several listeners. Not in aws-cdk-lib.
   *
   * @default - the provider's only listener
   */
  readonly routeTargetPort?: number;
}

/** Options of a gRPC gateway route. */
export interface GrpcGatewayRouteSpecOptions extends CommonGatewayRouteSpecOptions {
  /** What the route takes. */
  readonly match: GrpcGatewayRouteMatch;

  /** The virtual service calls are sent to. */
  readonly routeTarget: IVirtualService;

  /**
   * Listener port of the target's provider to send calls to (App Mesh `target.port`);
   * needed when the provider has several listeners. Not in aws-cdk-lib.
   *
   * @default - the provider's only listener
   */
  readonly routeTargetPort?: number;
}

/** A gateway route spec, split by route kind; exactly one kind is set. */
export interface GatewayRouteSpecConfig {
  /**
   * The route, when it is an HTTP route (`httpRoute`).
   *
   * @default - not an HTTP route
   */
  readonly httpSpecConfig?: spec.HttpGatewayRoute;

  /**
   * The route, when it is an HTTP/2 route (`http2Route`).
   *
   * @default - not an HTTP/2 route
   */
  readonly http2SpecConfig?: spec.HttpGatewayRoute;

  /**
   * The route, when it is a gRPC route (`grpcRoute`).
   *
   * @default - not a gRPC route
   */
  readonly grpcSpecConfig?: spec.GrpcGatewayRoute;

  /**
   * The route's priority.
   *
   * @default - no priority
   */
  readonly priority?: number;

  /**
   * Policies beyond App Mesh, written beside the spec (docs/policies.md).
   *
   * @default - none
   */
  readonly extensions?: spec.GatewayRouteExtensions;
}

/**
 * What a gateway route matches and where it sends the traffic.
 */
export abstract class GatewayRouteSpec {
  /** An HTTP/1.1 gateway route. */
  public static http(options: HttpGatewayRouteSpecOptions): GatewayRouteSpec {
    return new HttpGatewayRouteSpec(options, HttpKind.HTTP);
  }

  /** An HTTP/2 gateway route. */
  public static http2(options: HttpGatewayRouteSpecOptions): GatewayRouteSpec {
    return new HttpGatewayRouteSpec(options, HttpKind.HTTP2);
  }

  /** A gRPC gateway route. */
  public static grpc(options: GrpcGatewayRouteSpecOptions): GatewayRouteSpec {
    return new GrpcGatewayRouteSpec(options);
  }

  /** Renders the spec for the gateway route `scope`. */
  public abstract bind(scope: Construct): GatewayRouteSpecConfig;
}

enum HttpKind { HTTP, HTTP2 }

class HttpGatewayRouteSpec extends GatewayRouteSpec {
  constructor(private readonly options: HttpGatewayRouteSpecOptions, private readonly kind: HttpKind) {
    super();
  }

  public bind(scope: Construct): GatewayRouteSpecConfig {
    const match = this.options.match ?? {};
    checkListLength(scope, 'headers', 'HeaderCountOutOfRange', match.headers);
    checkListLength(scope, 'query parameters', 'QueryParameterCountOutOfRange', match.queryParameters);

    const path = (match.path ?? HttpGatewayRoutePathMatch.startsWith('/')).bind(scope);
    const route: spec.HttpGatewayRoute = {
      match: compact({
        prefix: path.prefixPathMatch,
        path: path.wholePathMatch,
        hostname: match.hostname?.bind(scope).hostnameMatch,
        method: match.method,
        headers: match.headers?.map((header) => header.bind(scope).headerMatch),
        queryParameters: match.queryParameters?.map((param) => param.bind(scope).queryParameterMatch),
        port: match.port,
      }),
      action: compact({
        target: targetOf(this.options.routeTarget, this.options.routeTargetPort),
        rewrite: optionalObject(compact({
          hostname: renderHostnameRewrite(match.rewriteRequestHostname),
          prefix: path.prefixPathRewrite,
          path: path.wholePathRewrite,
        })),
      }),
    };
    return compact({
      httpSpecConfig: this.kind === HttpKind.HTTP ? route : undefined,
      http2SpecConfig: this.kind === HttpKind.HTTP2 ? route : undefined,
      priority: this.options.priority,
      extensions: renderRoutePolicies(scope, this.options),
    });
  }
}

class GrpcGatewayRouteSpec extends GatewayRouteSpec {
  constructor(private readonly options: GrpcGatewayRouteSpecOptions) {
    super();
  }

  public bind(scope: Construct): GatewayRouteSpecConfig {
    const match = this.options.match;
    if (match.serviceName === undefined && match.hostname === undefined
      && match.metadata === undefined && match.port === undefined) {
      throw meshError('GrpcGatewayRouteMatchRequired',
        'At least one gRPC gateway route match property beside rewriteRequestHostname must be provided (serviceName, hostname, metadata or port)', scope);
    }
    checkListLength(scope, 'metadata', 'MetadataCountOutOfRange', match.metadata);
    // Reserved service names (aws.appmesh…) are App Mesh's to refuse: rule gateway-reserved-names, at synth.

    const route: spec.GrpcGatewayRoute = {
      match: compact({
        serviceName: match.serviceName,
        hostname: match.hostname?.bind(scope).hostnameMatch,
        metadata: match.metadata?.map((entry) => entry.bind(scope).headerMatch),
        port: match.port,
      }),
      action: compact({
        target: targetOf(this.options.routeTarget, this.options.routeTargetPort),
        rewrite: optionalObject(compact({ hostname: renderHostnameRewrite(match.rewriteRequestHostname) })),
      }),
    };
    return compact({ grpcSpecConfig: route, priority: this.options.priority, extensions: renderRoutePolicies(scope, this.options) });
  }
}

function targetOf(service: IVirtualService, port: number | undefined): spec.GatewayRouteTarget {
  return compact({ virtualService: { virtualServiceName: service.virtualServiceName }, port });
}

function renderHostnameRewrite(rewrite: boolean | undefined): spec.GatewayRouteHostnameRewrite | undefined {
  if (rewrite === undefined) {
    return undefined;
  }
  return { defaultTargetHostname: rewrite ? 'ENABLED' : 'DISABLED' };
}

/** App Mesh takes 1–10 entries in each match list; an empty list would match everything silently. */
function checkListLength(scope: Construct, what: string, code: string, list: readonly unknown[] | undefined): void {
  if (list === undefined) {
    return;
  }
  if (list.length < MATCH_LIST_LIMITS.min || list.length > MATCH_LIST_LIMITS.max) {
    throw meshError(code,
      `Number of ${what} provided for matching must be between ${MATCH_LIST_LIMITS.min} and ${MATCH_LIST_LIMITS.max}, got: ${list.length}`, scope);
  }
}


/** `undefined` for an object with no members. */
function optionalObject<T extends object>(fragment: T): T | undefined {
  return Object.keys(fragment).length === 0 ? undefined : fragment;
}
