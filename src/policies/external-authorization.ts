import { Duration } from 'aws-cdk-lib';
import { renderDuration } from '../private/duration';
import * as spec from '../spec';
import { IVirtualService } from '../virtual-service';

/** Properties of an external authorization service. */
export interface ExternalAuthorizationProps {
  /** The authorization service, a virtual service of the gateway's mesh. */
  readonly virtualService: IVirtualService;
  /**
   * Port of the service's listener to call.
   * @default - its first HTTP, HTTP/2 or gRPC listener
   */
  readonly port?: number;
  /**
   * How long a check may take.
   * @default Duration.millis(200)
   */
  readonly timeout?: Duration;
  /**
   * Let requests through when the check fails, times out or cannot be sent.
   * @default false - such requests are refused (403)
   */
  readonly failureModeAllow?: boolean;
}

/** Properties of an HTTP authorization service. */
export interface HttpExternalAuthorizationProps extends ExternalAuthorizationProps {
  /**
   * Put before the request's path in the check request.
   * @default - the request's path as is
   */
  readonly pathPrefix?: string;
}

/** What `ExternalAuthorization.bind` returns. */
export interface ExternalAuthorizationConfig {
  /** The policy in the spec's extension shape. */
  readonly externalAuthorization: spec.ExternalAuthorizationPolicy;
}

/**
 * A check of every request a virtual gateway receives with an authorization service of the mesh
 * (Envoy `ext_authz`), after JWT authentication and before routing.
 */
export abstract class ExternalAuthorization {
  /** The service implements `envoy.service.auth.v3.Authorization/Check` (gRPC). */
  public static grpc(props: ExternalAuthorizationProps): ExternalAuthorization {
    return new ExternalAuthorizationImpl('grpc', props);
  }

  /** The service answers an HTTP request carrying the original request's headers: 2xx allows. */
  public static http(props: HttpExternalAuthorizationProps): ExternalAuthorization {
    return new ExternalAuthorizationImpl('http', props);
  }

  /** The policy in the spec's shape. */
  public abstract bind(): ExternalAuthorizationConfig;
}

class ExternalAuthorizationImpl extends ExternalAuthorization {
  constructor(private readonly protocol: 'grpc' | 'http', private readonly props: HttpExternalAuthorizationProps) {
    super();
  }

  public bind(): ExternalAuthorizationConfig {
    const p = this.props;
    return {
      externalAuthorization: {
        virtualServiceName: p.virtualService.virtualServiceName,
        ...(p.port !== undefined ? { port: p.port } : {}),
        protocol: this.protocol,
        ...(p.timeout ? { timeout: renderDuration(p.timeout) } : {}),
        ...(p.failureModeAllow !== undefined ? { failureModeAllow: p.failureModeAllow } : {}),
        ...(p.pathPrefix !== undefined ? { pathPrefix: p.pathPrefix } : {}),
      },
    };
  }
}
