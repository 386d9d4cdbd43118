import { Aws, Duration, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ControlPlane } from '../control-plane';
import { loopbackHttpProbe } from '../private/loopback-http-probe';

/** Name of the agent container (`open-app-mesh agent`) in a proxy's task definition. */
export const MESH_AGENT_CONTAINER_NAME = 'mesh-agent';

/** Port of the agent's `/ready` on 127.0.0.1 (200 while it holds a valid certificate). */
export const MESH_AGENT_HEALTH_PORT = 15020;

/** Where the agent's sockets live: a task volume only the agent and Envoy mount. */
export const SOCKET_DIRECTORY = '/run/open-app-mesh';
const VOLUME_NAME = 'mesh-agent-sockets';

/** The environment variable ECS fills with the trust bundle secret (`--ca-bundle-env`). */
const CA_BUNDLE_VARIABLE = 'OPEN_APP_MESH_CA_BUNDLE';

/** The package's CLI in the runtime image (lib-runtime/Dockerfile); its entry point is the control plane. */
export const RUNTIME_CLI = '/app/lib-runtime/dist/lib-runtime/src/cli.js';

/** What Envoy needs from the agent. */
export interface MeshAgent {
  readonly container: ecs.ContainerDefinition;
  /** The agent's xDS proxy: Envoy streams there in plaintext, the agent on to the control plane over mTLS. */
  readonly xdsSocketPath: string;
  /** The agent's SDS server: the workload certificate (`default`) and the trust bundle (`ROOTCA`). */
  readonly sdsSocketPath: string;
  /** Mount the sockets' volume in another container (Envoy). */
  readonly socketsMountPoint: ecs.MountPoint;
}

/**
 * Adds `open-app-mesh agent` for `nodeId` to a proxy's task definition: it proves the task role
 * to the control plane (a signed sts:GetCallerIdentity), holds the node's certificate, serves it
 * to Envoy over SDS and carries Envoy's xDS stream over mutual TLS. It trusts the control plane
 * through the trust bundle secret (no trust on first use).
 *
 * It runs as `uid` (Envoy's, 1337): its traffic to the control plane must not be redirected into
 * Envoy, which is not started before the agent is healthy, and Envoy must be able to open its
 * sockets. A short init container makes the volume theirs (ECS creates it root-owned, 0755).
 */
export function addMeshAgent(
  taskDefinition: ecs.TaskDefinition,
  nodeId: string,
  controlPlane: ControlPlane,
  uid: number,
  logging: ecs.LogDriver,
): MeshAgent {
  const bundle = controlPlane.trustBundleSecret;
  if (bundle === undefined) throw new Error(`[${controlPlane.node.path}] has no trust bundle: it serves xDS in plaintext (insecurePlaintext)`);
  taskDefinition.addVolume({ name: VOLUME_NAME });
  const mount = (readOnly: boolean): ecs.MountPoint => ({ sourceVolume: VOLUME_NAME, containerPath: SOCKET_DIRECTORY, readOnly });

  const init = taskDefinition.addContainer(`${MESH_AGENT_CONTAINER_NAME}-init`, {
    image: controlPlane.image,
    entryPoint: ['/bin/sh', '-c'],
    command: [`chown ${uid}:${uid} ${SOCKET_DIRECTORY} && chmod 0700 ${SOCKET_DIRECTORY}`],
    user: '0',
    essential: false,
    memoryReservationMiB: 16,
    readonlyRootFilesystem: true,
    logging,
  });
  init.addMountPoints(mount(false));

  const xdsSocketPath = `${SOCKET_DIRECTORY}/xds.sock`;
  const sdsSocketPath = `${SOCKET_DIRECTORY}/sds.sock`;
  const container = taskDefinition.addContainer(MESH_AGENT_CONTAINER_NAME, {
    image: controlPlane.image,
    entryPoint: ['node', RUNTIME_CLI],
    command: [
      'agent',
      '--node-id', nodeId,
      '--identity', 'aws-iam',
      '--server-id', controlPlane.serverId,
      '--region', Aws.REGION,
      '--control-plane', controlPlane.exchangeUrl,
      '--ca-bundle-env', CA_BUNDLE_VARIABLE,
      '--sds-socket', sdsSocketPath,
      '--xds-address', `${controlPlane.xdsHost}:${controlPlane.xdsPort}`,
      '--xds-proxy-listen', `unix:${xdsSocketPath}`,
      '--health-port', String(MESH_AGENT_HEALTH_PORT),
    ],
    secrets: { [CA_BUNDLE_VARIABLE]: ecs.Secret.fromSecretsManager(bundle) },
    // --ca-bundle-env writes the roots to a file under TMPDIR: the volume, as the root file system is read-only.
    environment: { TMPDIR: SOCKET_DIRECTORY },
    user: String(uid),
    essential: true,
    memoryReservationMiB: 64,
    readonlyRootFilesystem: true,
    healthCheck: {
      command: ['CMD', 'node', '-e', loopbackHttpProbe(MESH_AGENT_HEALTH_PORT, '/ready')],
      interval: Duration.seconds(5),
      timeout: Duration.seconds(3),
      retries: 3,
      // The first certificate needs the control plane; it may still be starting on a first deploy.
      startPeriod: Duration.seconds(30),
    },
    logging,
    stopTimeout: Duration.seconds(30),
  });
  container.addMountPoints(mount(false));
  container.addContainerDependencies({ container: init, condition: ecs.ContainerDependencyCondition.SUCCESS });
  if (taskDefinition.executionRole !== undefined && !(controlPlane.image instanceof ecs.RepositoryImage)) {
    // Pulling the runtime image from ECR (the bundled image asset) needs ecr:GetAuthorizationToken, which has no resource ARNs.
    Validations.of(taskDefinition.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken (added by aws-cdk-lib to pull the mesh agent\'s image from ECR) supports no resource-level permissions',
    });
  }
  return { container, xdsSocketPath, sdsSocketPath, socketsMountPoint: mount(true) };
}
