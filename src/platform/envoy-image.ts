import { Annotations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { ENVOY_ADMIN_PORT, EnvoyBootstrap, EnvoyBootstrapOptions } from './envoy-bootstrap';
import { appMeshImageObservabilityEnvironment } from './observability';

/** Upstream Envoy image used by default, pinned. */
export const DEFAULT_ENVOY_IMAGE = 'envoyproxy/envoy:v1.34.4';

/** App Mesh's Envoy image (its bootstrap agent included), pinned. */
export const DEFAULT_APPMESH_ENVOY_IMAGE = 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod';

/** Where the bootstrap is written inside the container. */
const BOOTSTRAP_PATH = '/tmp/envoy-bootstrap.json';

/** What an EnvoyImage contributes to the Envoy container. */
export interface EnvoyImageConfig {
  /** The image. */
  readonly image: ecs.ContainerImage;
  /** Entry point override. @default - the image's */
  readonly entryPoint?: string[];
  /** Command. @default - the image's */
  readonly command?: string[];
  /** Environment variables. */
  readonly environment: { [key: string]: string };
}

/** Options of `EnvoyImage.envoyproxy`. */
export interface EnvoyproxyImageOptions {
  /**
   * Image to run; must be an upstream Envoy build with `/bin/sh` and `envoy` on the PATH.
   * @default - `envoyproxy/envoy` at the pinned version DEFAULT_ENVOY_IMAGE
   */
  readonly image?: ecs.ContainerImage;
  /**
   * Envoy log level.
   * @default 'info'
   */
  readonly logLevel?: string;
}

/** Options of `EnvoyImage.appMesh`. */
export interface AppMeshEnvoyImageOptions {
  /**
   * Image to run (App Mesh's Envoy image or a copy of it in your registry).
   * @default - DEFAULT_APPMESH_ENVOY_IMAGE from public ECR
   */
  readonly image?: ecs.ContainerImage;
  /**
   * How the image's agent is pointed at the control plane.
   *
   * `true` (default): our bootstrap is written to a file and passed as `ENVOY_CONFIG_FILE`; the
   * image's agent uses it verbatim and only supervises Envoy (restarts, drain). Envoy then reaches
   * the control plane like the upstream image does: through the open-app-mesh agent's mTLS
   * proxy and SDS socket, or directly in plaintext with `insecurePlaintext`.
   *
   * `false`: the image's agent gets `APPMESH_XDS_ENDPOINT=<host>:<port>` and generates its own
   * bootstrap. It then always speaks TLS with AWS SigV4 to that endpoint and trusts only the
   * image's CA store: it presents no client certificate, so this control plane cannot tell which
   * node it is, and it cannot verify the mesh CA's server certificate; nor can it reach a
   * plaintext control plane. Refused when the control plane serves TLS; with `insecurePlaintext`,
   * only for a TLS-terminating relay of your own in front of it (synthesis warns).
   * @default true
   */
  readonly useOwnBootstrap?: boolean;
}

/** The Envoy build a proxy runs, and how it receives its bootstrap. */
export abstract class EnvoyImage {
  /**
   * Upstream Envoy (default). The bootstrap travels in the container's command: a shell
   * writes it to a file and execs `envoy -c` (no environment variables needed).
   */
  public static envoyproxy(options: EnvoyproxyImageOptions = {}): EnvoyImage {
    return new UpstreamEnvoyImage(options);
  }

  /**
   * App Mesh's Envoy image, for users who keep its agent (restarts, drain API, stats settings).
   * Its agent runs Envoy with our bootstrap (`useOwnBootstrap`, the default).
   */
  public static appMesh(options: AppMeshEnvoyImageOptions = {}): EnvoyImage {
    return new AppMeshEnvoyImage(options);
  }

  /** Settings of the Envoy container for one proxy. */
  public abstract bind(scope: Construct, bootstrap: EnvoyBootstrapOptions): EnvoyImageConfig;
}

class UpstreamEnvoyImage extends EnvoyImage {
  constructor(private readonly options: EnvoyproxyImageOptions) {
    super();
  }

  public bind(_scope: Construct, bootstrap: EnvoyBootstrapOptions): EnvoyImageConfig {
    const logLevel = this.options.logLevel ?? 'info';
    return {
      image: this.options.image ?? ecs.ContainerImage.fromRegistry(DEFAULT_ENVOY_IMAGE),
      entryPoint: ['/bin/sh', '-c'],
      // Same flags App Mesh's agent passed; drain time as its LISTENER_DRAIN_WAIT_TIME_S default.
      command: [
        `printf '%s' ${shellQuote(EnvoyBootstrap.toJson(bootstrap))} > ${BOOTSTRAP_PATH} && exec envoy -c ${BOOTSTRAP_PATH} `
        + `--log-level ${logLevel} --drain-time-s 20 --disable-hot-restart`,
      ],
      environment: {},
    };
  }
}

class AppMeshEnvoyImage extends EnvoyImage {
  constructor(private readonly options: AppMeshEnvoyImageOptions) {
    super();
  }

  public bind(scope: Construct, bootstrap: EnvoyBootstrapOptions): EnvoyImageConfig {
    const image = this.options.image ?? ecs.ContainerImage.fromRegistry(DEFAULT_APPMESH_ENVOY_IMAGE);
    const identity = {
      APPMESH_RESOURCE_ARN: bootstrap.nodeId,
      ENVOY_ADMIN_ACCESS_PORT: String(bootstrap.adminPort ?? ENVOY_ADMIN_PORT),
    };
    if (this.options.useOwnBootstrap ?? true) {
      return {
        image,
        entryPoint: ['/bin/sh', '-c'],
        command: [`printf '%s' "$ENVOY_BOOTSTRAP" > ${BOOTSTRAP_PATH} && exec /usr/bin/agent`],
        environment: { ...identity, ENVOY_CONFIG_FILE: BOOTSTRAP_PATH, ENVOY_BOOTSTRAP: EnvoyBootstrap.toJson(bootstrap) },
      };
    }
    if (bootstrap.xdsSocketPath !== undefined) {
      throw new Error(`[${scope.node.path}] EnvoyImage.appMesh({ useOwnBootstrap: false }): the image's agent speaks TLS with AWS SigV4 `
        + 'to APPMESH_XDS_ENDPOINT and presents no client certificate, so the control plane (mutual TLS, node identity) refuses it; '
        + 'leave useOwnBootstrap at its default (true)');
    }
    Annotations.of(scope).addWarningV2('open-app-mesh:appmesh-image-xds-endpoint',
      'EnvoyImage.appMesh({ useOwnBootstrap: false }): the image\'s agent speaks TLS with AWS SigV4 to APPMESH_XDS_ENDPOINT, which the '
      + 'plaintext control plane does not serve; this works only behind a TLS-terminating relay of your own');
    return {
      image,
      environment: {
        ...identity,
        APPMESH_XDS_ENDPOINT: `${bootstrap.controlPlaneHost}:${bootstrap.controlPlanePort}`,
        ...appMeshImageObservabilityEnvironment(`[${scope.node.path}] EnvoyImage.appMesh({ useOwnBootstrap: false })`, bootstrap.nodeId, bootstrap),
      },
    };
  }
}

/** `value` as one single-quoted shell word (token strings pass through unchanged). */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}
