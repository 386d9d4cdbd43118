import { MESH_AGENT_CONTAINER_NAME, MESH_AGENT_HEALTH_PORT, RUNTIME_CLI, SOCKET_DIRECTORY } from '../../ecs/mesh-agent-container';
import { loopbackHttpProbe } from '../../private/loopback-http-probe';

/** Where the agent reads its projected service-account token (re-read at each renewal). */
const TOKEN_DIRECTORY = '/var/run/secrets/open-app-mesh';
const TOKEN_FILE = 'token';

/**
 * Lifetime of the projected token: the least Kubernetes allows. The kubelet replaces it at 80 %,
 * and it only has to prove the pod's service account at the agent's next renewal.
 */
const TOKEN_EXPIRATION_SECONDS = 600;

/** Where the control plane's trust bundle ConfigMap is mounted (its key `ca.pem`). */
const TRUST_BUNDLE_DIRECTORY = '/etc/open-app-mesh/trust-bundle';

const SOCKETS_VOLUME = 'mesh-agent-sockets';
const TOKEN_VOLUME = 'mesh-agent-token';
const TRUST_BUNDLE_VOLUME = 'mesh-agent-trust-bundle';

export interface MeshAgentProps {
  /** The control-plane image: its CLI runs the agent. */
  readonly image: string;
  readonly nodeId: string;
  readonly exchangeUrl: string;
  /** host:port of the control plane's xDS. */
  readonly xdsAddress: string;
  readonly tokenAudience: string;
  readonly trustBundleConfigMap: string;
  /** Envoy's UID: the redirect rules exempt its traffic, and Envoy can open sockets it owns. */
  readonly uid: number;
  /** An init container with `restartPolicy: Always`, so what follows starts once it holds a certificate. */
  readonly native: boolean;
}

/** What a pod needs for the agent, and what Envoy needs from it. */
export interface MeshAgentSidecar {
  readonly container: Record<string, any>;
  readonly volumes: Record<string, any>[];
  /** The sockets' volume for Envoy (read-only: connecting to a socket needs no write access to the volume). */
  readonly socketsMount: Record<string, any>;
  readonly xdsSocketPath: string;
  readonly sdsSocketPath: string;
}

/**
 * `open-app-mesh agent` beside Envoy, as on ECS but proving the pod's service account: a
 * projected token bound to the control plane's audience and short-lived, traded at the
 * certificate exchange for the node's certificate; the control plane is trusted through the
 * trust bundle it publishes (no trust on first use). Envoy streams xDS through the agent's Unix
 * socket (mutual TLS onwards) and takes its certificates over SDS from the other socket; the
 * sockets live in an emptyDir only the two mount.
 */
export function meshAgentOf(props: MeshAgentProps): MeshAgentSidecar {
  const xdsSocketPath = `${SOCKET_DIRECTORY}/xds.sock`;
  const sdsSocketPath = `${SOCKET_DIRECTORY}/sds.sock`;
  const readyProbe = (periodSeconds: number, failureThreshold: number) => ({
    exec: { command: ['node', '-e', loopbackHttpProbe(MESH_AGENT_HEALTH_PORT, '/ready')] },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 5,
  });
  const container: Record<string, any> = {
    name: MESH_AGENT_CONTAINER_NAME,
    image: props.image,
    // The image's entry point is the control plane; the package's CLI has the agent command.
    command: ['node', RUNTIME_CLI],
    args: [
      'agent',
      '--node-id', props.nodeId,
      '--identity', 'kubernetes',
      '--token-file', `${TOKEN_DIRECTORY}/${TOKEN_FILE}`,
      '--control-plane', props.exchangeUrl,
      '--ca-bundle', `${TRUST_BUNDLE_DIRECTORY}/ca.pem`,
      '--sds-socket', sdsSocketPath,
      '--xds-address', props.xdsAddress,
      '--xds-proxy-listen', `unix:${xdsSocketPath}`,
      '--health-port', String(MESH_AGENT_HEALTH_PORT),
    ],
    resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    // 200 while it holds a valid certificate (127.0.0.1 only, hence exec).
    readinessProbe: readyProbe(5, 3),
    securityContext: {
      runAsUser: props.uid,
      runAsGroup: props.uid,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [
      { name: SOCKETS_VOLUME, mountPath: SOCKET_DIRECTORY },
      { name: TOKEN_VOLUME, mountPath: TOKEN_DIRECTORY, readOnly: true },
      { name: TRUST_BUNDLE_VOLUME, mountPath: TRUST_BUNDLE_DIRECTORY, readOnly: true },
    ],
  };
  if (props.native) {
    container.restartPolicy = 'Always';
    // The first certificate needs the control plane, which may still be starting on a first install.
    container.startupProbe = readyProbe(2, 90);
  }
  return {
    container,
    volumes: [
      { name: SOCKETS_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      {
        name: TOKEN_VOLUME,
        projected: {
          sources: [{ serviceAccountToken: { audience: props.tokenAudience, expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: TOKEN_FILE } }],
        },
      },
      // The control plane fills it on its first start; until then the agent retries.
      { name: TRUST_BUNDLE_VOLUME, configMap: { name: props.trustBundleConfigMap } },
    ],
    socketsMount: { name: SOCKETS_VOLUME, mountPath: SOCKET_DIRECTORY, readOnly: true },
    xdsSocketPath,
    sdsSocketPath,
  };
}
