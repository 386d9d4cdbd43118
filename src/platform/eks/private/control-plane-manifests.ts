import { Token } from 'aws-cdk-lib';
import { MeshSpecs } from '../../../mesh-specs';
import { DEFAULT_CONTROL_PLANE_ADMIN_PORT, DEFAULT_EXCHANGE_PORT, DEFAULT_XDS_PORT } from '../../control-plane';
import { loopbackHttpProbe } from '../../private/loopback-http-probe';
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
  /** The Secret holding the CA root (certificate and key). */
  readonly caSecret: string;
  /** The ConfigMap the roots' certificates are published to. */
  readonly trustBundleConfigMap: string;
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
    caSecret: kubernetesName(name, 'ca'),
    trustBundleConfigMap: kubernetesName(name, 'ca-bundle'),
    specFile: MeshSpecs.assemblyFileName(props.meshName),
    namespace: props.namespace ?? 'default',
  };
}

export function controlPlaneEndpoint(props: KubernetesControlPlaneProps): KubernetesControlPlaneEndpoint {
  const names = controlPlaneNames(props);
  const domain = props.clusterDomain ?? 'cluster.local';
  const host = `${names.name}.${names.namespace}.svc.${domain}`;
  if (props.insecurePlaintext) return { host, port: DEFAULT_XDS_PORT, insecurePlaintext: true };
  return {
    host,
    port: DEFAULT_XDS_PORT,
    ...(props.image !== undefined ? { agentImage: props.image } : {}),
    exchangePort: DEFAULT_EXCHANGE_PORT,
    tokenAudience: props.tokenAudience ?? host,
    trustBundleConfigMap: names.trustBundleConfigMap,
  };
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
 * ServiceAccount, Service (headless: every ready replica is seen), Deployment and
 * PodDisruptionBudget of the control plane; with TLS (the default) also the CA's Secret and the
 * trust bundle's ConfigMap, both created empty (the first replica fills them), and a Role that
 * lets the control plane's ServiceAccount read and update those two objects and nothing else.
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
  const tls = !props.insecurePlaintext;
  const endpoint = controlPlaneEndpoint(props);
  if (tls && props.serviceAccountIssuer === undefined) {
    throw new Error('The control plane needs serviceAccountIssuer (the cluster\'s OIDC issuer URL, with which it checks the agents\' '
      + 'service-account tokens), or insecurePlaintext: true (no TLS, no node identity)');
  }
  const trustArgs = tls ? [
    '--tls-names', endpoint.host,
    '--ca-k8s-secret', `${names.namespace}/${names.caSecret}`,
    '--ca-bundle-k8s-configmap', `${names.namespace}/${names.trustBundleConfigMap}`,
    '--exchange-port', String(DEFAULT_EXCHANGE_PORT),
    '--k8s-issuer', props.serviceAccountIssuer!,
    '--k8s-audience', endpoint.tokenAudience!,
  ] : ['--insecure-plaintext'];

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
        ...(tls ? [{ name: 'https-exchange', port: DEFAULT_EXCHANGE_PORT, targetPort: 'exchange', protocol: 'TCP', appProtocol: 'https' }] : []),
      ],
    },
  };
  // Admin (config dump, clients) listens on the pod's loopback only: the probes run inside the container.
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    exec: { command: ['node', '-e', loopbackHttpProbe(adminPort, path)] },
    periodSeconds,
    failureThreshold,
    // Room for node to start besides the probe's own 3 s.
    timeoutSeconds: 5,
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
          // The CA store reaches the API server with this token.
          ...(tls ? { automountServiceAccountToken: true } : {}),
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
              '--admin-bind', '127.0.0.1',
              '--log-level', props.logLevel ?? 'info',
              ...trustArgs,
              ...(props.extraArgs ?? []),
            ],
            ports: [
              { name: 'xds', containerPort: xdsPort, protocol: 'TCP' },
              ...(tls ? [{ name: 'exchange', containerPort: DEFAULT_EXCHANGE_PORT, protocol: 'TCP' }] : []),
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
  if (!tls) return [serviceAccount, service, deployment, disruptionBudget];
  return [serviceAccount, ...trustObjects(names, meta), service, deployment, disruptionBudget];
}

/**
 * The Secret and ConfigMap of the mesh CA, created empty here so that the control plane needs
 * no right to create objects: RBAC cannot limit `create` to a name (the name is not known when
 * the request is authorized), and whoever may create Secrets in a namespace can obtain tokens of
 * its service accounts. The control plane's Role names the two objects and allows get and
 * update (a replace carrying the resourceVersion read, so replicas cannot overwrite each other).
 * `kubectl apply` of these manifests leaves their data alone (it was never in the applied object).
 */
function trustObjects(names: ControlPlaneNames, meta: (extra?: Record<string, any>) => Record<string, any>): Record<string, any>[] {
  const named = (name: string) => ({ ...meta(), name });
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(),
      rules: [
        { apiGroups: [''], resources: ['secrets'], resourceNames: [names.caSecret], verbs: ['get', 'update'] },
        { apiGroups: [''], resources: ['configmaps'], resourceNames: [names.trustBundleConfigMap], verbs: ['get', 'update'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: names.name },
      subjects: [{ kind: 'ServiceAccount', name: names.name, namespace: names.namespace }],
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: named(names.caSecret), type: 'Opaque' },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: named(names.trustBundleConfigMap) },
  ];
}
