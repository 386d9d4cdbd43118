import { Duration, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ControlPlane } from '../control-plane';
import { ENVOY_ADMIN_PORT } from '../envoy-bootstrap';
import { EnvoyImage } from '../envoy-image';

/** Envoy's user id; the APPMESH proxy configuration exempts its traffic from redirection. */
export const ENVOY_UID = 1337;

/** Name of the Envoy container in a task definition. */
export const ENVOY_CONTAINER_NAME = 'envoy';

/** Settings of the Envoy container shared by sidecars and gateways. */
export interface EnvoyContainerOptions {
  /**
   * Envoy build and how it gets its bootstrap.
   * @default EnvoyImage.envoyproxy()
   */
  readonly image?: EnvoyImage;

  /**
   * Memory reserved for Envoy, MiB.
   * @default 128
   */
  readonly memoryReservationMiB?: number;

  /**
   * Log driver of the Envoy container.
   * @default - awslogs into a new log group kept one month
   */
  readonly logging?: ecs.LogDriver;

  /**
   * How long Envoy waits for its first listeners and clusters.
   * @default Duration.seconds(0) - until they arrive
   */
  readonly initialFetchTimeout?: Duration;
}

/**
 * Adds the Envoy container of one proxy to `taskDefinition`: bootstrap with node id and the
 * control plane's address (nothing from the mesh spec), user 1337, essential, nofile ulimit,
 * and a health check on the admin port's `/ready` (LIVE).
 */
export function addEnvoyContainer(
  scope: Construct,
  taskDefinition: ecs.TaskDefinition,
  nodeId: string,
  controlPlane: ControlPlane,
  options: EnvoyContainerOptions,
  extra: Partial<ecs.ContainerDefinitionOptions> = {},
): ecs.ContainerDefinition {
  const image = (options.image ?? EnvoyImage.envoyproxy()).bind(scope, {
    nodeId,
    controlPlaneHost: controlPlane.xdsHost,
    controlPlanePort: controlPlane.xdsPort,
    adminPort: ENVOY_ADMIN_PORT,
    ...(options.initialFetchTimeout !== undefined ? { initialFetchTimeout: options.initialFetchTimeout } : {}),
  });
  const logging = options.logging ?? ecs.LogDrivers.awsLogs({
    streamPrefix: 'envoy',
    logGroup: new logs.LogGroup(scope, 'EnvoyLogs', { retention: logs.RetentionDays.ONE_MONTH }),
  });
  const container = taskDefinition.addContainer(ENVOY_CONTAINER_NAME, {
    containerName: ENVOY_CONTAINER_NAME,
    image: image.image,
    entryPoint: image.entryPoint,
    command: image.command,
    environment: Object.keys(image.environment).length > 0 ? image.environment : undefined,
    essential: true,
    user: String(ENVOY_UID),
    memoryReservationMiB: options.memoryReservationMiB ?? 128,
    healthCheck: {
      // Both images ship bash; neither is guaranteed to ship curl. /ready answers LIVE once
      // Envoy has its initial configuration.
      command: ['CMD', 'bash', '-c', envoyReadyProbe(ENVOY_ADMIN_PORT)],
      interval: Duration.seconds(5),
      timeout: Duration.seconds(2),
      retries: 3,
      startPeriod: Duration.seconds(10),
    },
    logging,
    stopTimeout: Duration.seconds(30),
    ...extra,
  });
  if (Object.keys(image.environment).length > 0) {
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The Envoy container\'s environment holds its identity and control-plane address for the App Mesh image\'s agent, no secrets',
    });
  }
  container.addUlimits({ name: ecs.UlimitName.NOFILE, softLimit: 1024000, hardLimit: 1024000 });
  return container;
}

/** A bash one-liner: GET /ready on the admin port over /dev/tcp, success when the answer says LIVE. */
export function envoyReadyProbe(port: number): string {
  return `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET /ready HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q LIVE <&3`;
}
