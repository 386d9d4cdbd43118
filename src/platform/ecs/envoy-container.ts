import { Duration, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ControlPlane } from '../control-plane';
import { ENVOY_ADMIN_PORT } from '../envoy-bootstrap';
import { EnvoyImage } from '../envoy-image';
import { EnvoyObservabilityOptions } from '../observability';
import { addMeshAgent } from './mesh-agent-container';

/** Envoy's user id; the APPMESH proxy configuration exempts its traffic from redirection. */
export const ENVOY_UID = 1337;

/** Name of the Envoy container in a task definition. */
export const ENVOY_CONTAINER_NAME = 'envoy';

/** Settings of the Envoy container shared by sidecars and gateways. */
export interface EnvoyContainerOptions extends EnvoyObservabilityOptions {
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
 * admin on 127.0.0.1 with a health check on its `/ready` (LIVE).
 *
 * Unless the control plane serves plaintext, the agent joins the task first (see
 * `addMeshAgent`): Envoy starts once it is healthy (it holds the node's certificate), streams xDS
 * through its socket and takes certificates from its SDS socket.
 */
export function addEnvoyContainer(
  scope: Construct,
  taskDefinition: ecs.TaskDefinition,
  nodeId: string,
  controlPlane: ControlPlane,
  options: EnvoyContainerOptions,
  extra: Partial<ecs.ContainerDefinitionOptions> = {},
): ecs.ContainerDefinition {
  const logGroup = options.logging === undefined ? new logs.LogGroup(scope, 'EnvoyLogs', { retention: logs.RetentionDays.ONE_MONTH }) : undefined;
  const logging = options.logging ?? ecs.LogDrivers.awsLogs({ streamPrefix: 'envoy', logGroup: logGroup! });
  const agent = controlPlane.insecurePlaintext ? undefined : addMeshAgent(taskDefinition, nodeId, controlPlane, ENVOY_UID,
    options.logging ?? ecs.LogDrivers.awsLogs({ streamPrefix: 'mesh-agent', logGroup: logGroup! }));
  const image = (options.image ?? EnvoyImage.envoyproxy()).bind(scope, {
    nodeId,
    controlPlaneHost: controlPlane.xdsHost,
    controlPlanePort: controlPlane.xdsPort,
    adminPort: ENVOY_ADMIN_PORT,
    adminAddress: '127.0.0.1',
    ...(agent ? { xdsSocketPath: agent.xdsSocketPath, sdsSocketPath: agent.sdsSocketPath } : {}),
    ...(options.initialFetchTimeout !== undefined ? { initialFetchTimeout: options.initialFetchTimeout } : {}),
    tracing: options.tracing,
    statsSinks: options.statsSinks,
    statsTags: options.statsTags,
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
  const environments = [
    ...(Object.keys(image.environment).length > 0 ? ['the Envoy container\'s holds its identity and bootstrap for the App Mesh image\'s agent'] : []),
    ...(agent ? ['the mesh agent\'s holds TMPDIR, a path (its trust bundle comes from Secrets Manager as an ECS secret)'] : []),
  ];
  if (environments.length > 0) {
    Validations.of(taskDefinition).acknowledge({ id: 'AwsSolutions-ECS2', reason: `No secrets in environment variables: ${environments.join('; ')}` });
  }
  container.addUlimits({ name: ecs.UlimitName.NOFILE, softLimit: 1024000, hardLimit: 1024000 });
  if (agent) {
    container.addMountPoints(agent.socketsMountPoint);
    container.addContainerDependencies({ container: agent.container, condition: ecs.ContainerDependencyCondition.HEALTHY });
  }
  return container;
}

/** A bash one-liner: GET /ready on the admin port over /dev/tcp, success when the answer says LIVE. */
export function envoyReadyProbe(port: number): string {
  return `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET /ready HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q LIVE <&3`;
}
