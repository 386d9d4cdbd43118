import { Token } from 'aws-cdk-lib';
import { MeshSpecs } from '../../../mesh-specs';
import { DEFAULT_CONTROL_PLANE_ADMIN_PORT, DEFAULT_XDS_PORT } from '../../control-plane';
import { KubernetesControlPlaneEndpoint, KubernetesControlPlaneProps } from '../kubernetes-options';
import { isKubernetesLabel, kubernetesName, labelValue } from './kubernetes-names';
import { COMPONENT_LABEL, MANAGED_BY, MANAGED_BY_LABEL, MESH_LABEL, NAME_LABEL } from './labels';

/** Where the spec ConfigMap is mounted: a directory, so ConfigMap updates reach the file. */
const SPEC_DIR = '/etc/open-app-mesh/spec';

/**
 * A ConfigMap holds at most 1 MiB. (Client-side `kubectl apply`, which aws-eks uses, also
 * copies the object into an annotation limited to 256 KiB: larger specs need server-side apply.)
 */
const CONFIG_MAP_LIMIT_BYTES = 1024 * 1024;

/** Names of the control plane's objects. */
export interface ControlPlaneNames {
  readonly name: string;
  readonly specConfigMap: string;
  readonly specFile: string;
  readonly namespace: string;
}

export function controlPlaneNames(props: Pick<KubernetesControlPlaneProps, 'meshName' | 'name' | 'namespace'>): ControlPlaneNames {
  const name = props.name ?? kubernetesName(props.meshName, 'control-plane');
  if (!isKubernetesLabel(name) || !/^[a-z]/.test(name)) {
    throw new Error(`Control-plane name '${name}' is not a valid Service name (lowercase letters, digits and '-', starting with a letter)`);
  }
  return {
    name,
    specConfigMap: kubernetesName(name, 'spec'),
    specFile: MeshSpecs.assemblyFileName(props.meshName),
    namespace: props.namespace ?? 'default',
  };
}

export function controlPlaneEndpoint(props: KubernetesControlPlaneProps): KubernetesControlPlaneEndpoint {
  const names = controlPlaneNames(props);
  const domain = props.clusterDomain ?? 'cluster.local';
  return { host: `${names.name}.${names.namespace}.svc.${domain}`, port: DEFAULT_XDS_PORT };
}

function labels(props: KubernetesControlPlaneProps, names: ControlPlaneNames): Record<string, string> {
  return {
    [NAME_LABEL]: names.name,
    [MESH_LABEL]: labelValue(props.meshName),
    [COMPONENT_LABEL]: 'control-plane',
    [MANAGED_BY_LABEL]: MANAGED_BY,
  };
}

/**
 * The spec ConfigMap: the canonical spec JSON under `<mesh>.mesh.json`. It is the only
 * object a mesh change touches; the runtime watches the mounted file and hot-reloads it.
 */
export function renderSpecConfigMap(props: KubernetesControlPlaneProps, specJson: string): Record<string, any> {
  const names = controlPlaneNames(props);
  if (!Token.isUnresolved(specJson) && Buffer.byteLength(specJson, 'utf8') > CONFIG_MAP_LIMIT_BYTES) {
    throw new Error(`The spec of mesh '${props.meshName}' is larger than a ConfigMap can hold (1 MiB)`);
  }
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: names.specConfigMap, namespace: names.namespace, labels: labels(props, names) },
    data: { [names.specFile]: specJson },
  };
}

/**
 * ServiceAccount, Service (headless: Envoy's STRICT_DNS xDS cluster sees every ready
 * replica), Deployment and PodDisruptionBudget of the control plane.
 */
export function renderControlPlane(props: KubernetesControlPlaneProps): Record<string, any>[] {
  const names = controlPlaneNames(props);
  if (props.image === undefined) throw new Error('The control plane needs an image (build lib-runtime/Dockerfile and push it)');
  const objectLabels = labels(props, names);
  const selector = { [NAME_LABEL]: names.name, [MESH_LABEL]: labelValue(props.meshName) };
  const meta = (extra: Record<string, any> = {}) => ({ name: names.name, namespace: names.namespace, labels: objectLabels, ...extra });
  const xdsPort = DEFAULT_XDS_PORT;
  const adminPort = DEFAULT_CONTROL_PLANE_ADMIN_PORT;
  const replicas = props.replicas ?? 2;
  const uid = props.runAsUser ?? 1000;
  if (!Token.isUnresolved(uid) && uid === 0) throw new Error('The control plane must not run as root (runAsUser 0)');
  const endpoints = props.endpointSources ?? ['dns'];

  const saAnnotations = props.serviceAccountAnnotations ?? {};
  const serviceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(Object.keys(saAnnotations).length > 0 ? { annotations: { ...saAnnotations } } : {}),
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(),
    spec: {
      clusterIP: 'None',
      selector,
      ports: [
        { name: 'grpc-xds', port: xdsPort, targetPort: 'xds', protocol: 'TCP', appProtocol: 'grpc' },
        { name: 'http-admin', port: adminPort, targetPort: 'admin', protocol: 'TCP', appProtocol: 'http' },
      ],
    },
  };
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'admin' },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 3,
  });
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(),
    spec: {
      replicas,
      selector: { matchLabels: selector },
      // Never below the wanted count while rolling: proxies reconnect to the replicas left.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: objectLabels },
        spec: {
          serviceAccountName: names.name,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: uid,
            runAsGroup: uid,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: selector } },
            { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
          ],
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [{
                weight: 100,
                podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } },
              }],
            },
          },
          containers: [{
            name: 'control-plane',
            image: props.image,
            // Arguments only: the image's entry point is the runtime's CLI.
            args: [
              '--spec', `${SPEC_DIR}/${names.specFile}`,
              ...endpoints.flatMap((e) => ['--endpoints', e]),
              '--xds-port', String(xdsPort),
              '--admin-port', String(adminPort),
              '--log-level', props.logLevel ?? 'info',
              // Not yet on TLS: the EKS sidecars have no agent to hold their certificates (EksMesh
              // warns). The kubelet's HTTP probes reach the admin port on the pod's address.
              '--insecure-plaintext',
              '--admin-bind', '0.0.0.0',
              ...(props.extraArgs ?? []),
            ],
            ports: [
              { name: 'xds', containerPort: xdsPort, protocol: 'TCP' },
              { name: 'admin', containerPort: adminPort, protocol: 'TCP' },
            ],
            startupProbe: probe('/healthz', 2, 30),
            livenessProbe: probe('/healthz', 10, 3),
            readinessProbe: probe('/readyz', 5, 2),
            resources: {
              requests: { cpu: props.cpuRequest ?? '100m', memory: props.memoryRequest ?? '128Mi' },
              limits: { memory: props.memoryLimit ?? '512Mi' },
            },
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
            },
            volumeMounts: [{ name: 'spec', mountPath: SPEC_DIR, readOnly: true }],
          }],
          volumes: [{ name: 'spec', configMap: { name: names.specConfigMap } }],
        },
      },
    },
  };
  const disruptionBudget = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(),
    // One replica at a time may be evicted, whatever the replica count.
    spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
  };
  return [serviceAccount, service, deployment, disruptionBudget];
}
