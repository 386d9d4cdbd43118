import { Duration, Token } from 'aws-cdk-lib';
import { proxyNodeId } from '../../../private/names';
import { DEFAULT_EXCHANGE_PORT } from '../../control-plane';
import { ENVOY_UID, envoyReadyProbe } from '../../ecs/envoy-container';
import { PROXY_EGRESS_PORT, PROXY_INGRESS_PORT } from '../../ecs/envoy-sidecar';
import { ENVOY_ADMIN_PORT, EnvoyBootstrap } from '../../envoy-bootstrap';
import { DEFAULT_ENVOY_IMAGE } from '../../envoy-image';
import { EnvoyStatsSink } from '../../envoy-stats-sink';
import {
  KubernetesAppContainer, KubernetesControlPlaneEndpoint, KubernetesEnvoyOptions, KubernetesServiceType,
  KubernetesVirtualGatewayWorkloadProps, KubernetesVirtualNodeWorkloadProps, KubernetesWorkloadOptions,
} from '../kubernetes-options';
import { isKubernetesLabel, kubernetesName, labelValue } from './kubernetes-names';
import { COMPONENT_LABEL, MANAGED_BY, MANAGED_BY_LABEL, MESH_LABEL, NAME_LABEL } from './labels';
import { meshAgentOf, MeshAgentSidecar } from './mesh-agent';
import { renderProxyInitScript } from './proxy-init-script';

/** Where the bootstrap ConfigMap is mounted in the Envoy container. */
const BOOTSTRAP_DIR = '/etc/envoy-bootstrap';
const BOOTSTRAP_FILE = 'envoy.json';

/** Defaults App Mesh's injector used for the sidecar (docs/envoy-mapping.md §13). */
const DEFAULT_ENVOY_CPU_REQUEST = '10m';
const DEFAULT_ENVOY_MEMORY_REQUEST = '32Mi';
const DEFAULT_DRAIN_TIME = Duration.seconds(20);
const DEFAULT_EGRESS_IGNORED_ADDRESSES = ['169.254.169.254'];
const DEFAULT_EGRESS_IGNORED_PORTS = [22];
const DEFAULT_REPLICAS = 2;

/** What both kinds of workload share once names are settled. */
interface WorkloadIdentity {
  readonly kind: 'virtualNode' | 'virtualGateway';
  readonly meshName: string;
  readonly resourceName: string;
  readonly name: string;
  readonly namespace: string;
  readonly controlPlane: KubernetesControlPlaneEndpoint;
  /** Undefined when the control plane serves plaintext. */
  readonly agent?: MeshAgentSidecar;
}

/** Name of a workload's Kubernetes objects, from its options or its mesh resource name. */
export function workloadName(resourceName: string, options: KubernetesWorkloadOptions): string {
  const name = options.name ?? kubernetesName(resourceName);
  if (!isKubernetesLabel(name)) {
    throw new Error(`Workload name '${name}' is not a valid Kubernetes name (lowercase letters, digits and '-', at most 63)`);
  }
  return name;
}

/** Service name of a virtual node: option, else the hostname's first label, else the workload name. */
export function virtualNodeServiceName(props: KubernetesVirtualNodeWorkloadProps, name: string): string {
  if (props.serviceName !== undefined) {
    if (!isKubernetesLabel(props.serviceName)) throw new Error(`Service name '${props.serviceName}' is not a valid Kubernetes name`);
    return props.serviceName;
  }
  const hostname = props.serviceHostname;
  if (hostname !== undefined && !Token.isUnresolved(hostname)) {
    const first = hostname.split('.')[0];
    // A Service name is a DNS-1035 label: it must start with a letter.
    if (isKubernetesLabel(first) && /^[a-z]/.test(first)) return first;
  }
  return name;
}

/**
 * The objects of a virtual node: ServiceAccount, Envoy bootstrap ConfigMap, Deployment
 * (proxy init container, mesh agent, Envoy, application) and Service. Nothing here depends on the mesh
 * spec beyond the node's identity and listener ports, so routing changes never touch them.
 */
export function renderVirtualNodeWorkload(props: KubernetesVirtualNodeWorkloadProps): Record<string, any>[] {
  const name = workloadName(props.virtualNodeName, props);
  const identity = withAgent({
    kind: 'virtualNode',
    meshName: props.meshName,
    resourceName: props.virtualNodeName,
    name,
    namespace: props.namespace ?? 'default',
    controlPlane: props.controlPlane,
  }, props.envoy);
  const appPorts = props.app.ports ?? props.listenerPorts;
  const proxyInit = props.proxyInit ?? {};
  if (proxyInit.image === undefined) {
    throw new Error(`Virtual node '${props.virtualNodeName}': proxyInit.image is required (the control-plane image has iptables)`);
  }
  const script = renderProxyInitScript({
    appPorts: props.listenerPorts,
    ignoredUid: ENVOY_UID,
    ingressPort: PROXY_INGRESS_PORT,
    egressPort: PROXY_EGRESS_PORT,
    egressIgnoredAddresses: proxyInit.egressIgnoredAddresses ?? DEFAULT_EGRESS_IGNORED_ADDRESSES,
    egressIgnoredPorts: proxyInit.egressIgnoredPorts ?? DEFAULT_EGRESS_IGNORED_PORTS,
    ipv6: proxyInit.ipv6 ?? false,
  });
  const initContainer = {
    name: 'proxy-init',
    image: proxyInit.image,
    command: ['/bin/sh', '-c', script],
    securityContext: {
      // iptables needs root in the pod's network namespace; nothing else is granted.
      runAsUser: 0,
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
    },
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
  };

  const envoyOptions = props.envoy ?? {};
  const native = envoyOptions.nativeSidecar ?? true;
  const envoy = envoyContainer(envoyOptions, [], native, identity.agent);
  const app = appContainer(props.app, appPorts);
  const agent = identity.agent ? [identity.agent.container] : [];
  const podSpec = {
    serviceAccountName: name,
    terminationGracePeriodSeconds: terminationGrace(envoyOptions),
    // The agent starts after the redirect rules (its traffic is exempt as Envoy's UID) and before Envoy.
    initContainers: native ? [initContainer, ...agent, envoy] : [initContainer],
    containers: native ? [app] : [...agent, envoy, app],
    volumes: [...envoyVolumes(name), ...identity.agent?.volumes ?? []],
  };

  const serviceName = virtualNodeServiceName(props, name);
  const headless = props.headlessService ?? true;
  const manifests = [
    serviceAccount(identity, props.serviceAccountAnnotations),
    bootstrapConfigMap(identity, envoyOptions),
    deployment(identity, props, podSpec),
  ];
  if (props.listenerPorts.length > 0) {
    manifests.push(service(identity, serviceName, props.listenerPorts, {
      ...(headless ? { clusterIP: 'None' } : { type: KubernetesServiceType.CLUSTER_IP }),
    }));
  }
  return manifests;
}

/**
 * The objects of a virtual gateway: ServiceAccount, Envoy bootstrap ConfigMap, Deployment
 * (mesh agent and Envoy, which binds the listener ports itself) and a Service for the listener ports.
 */
export function renderVirtualGatewayWorkload(props: KubernetesVirtualGatewayWorkloadProps): Record<string, any>[] {
  const name = workloadName(props.virtualGatewayName, props);
  const identity = withAgent({
    kind: 'virtualGateway',
    meshName: props.meshName,
    resourceName: props.virtualGatewayName,
    name,
    namespace: props.namespace ?? 'default',
    controlPlane: props.controlPlane,
  }, props.envoy);
  if (props.listenerPorts.length === 0) throw new Error(`Virtual gateway '${props.virtualGatewayName}' has no listener port`);
  const envoyOptions = props.envoy ?? {};
  const envoy = envoyContainer(envoyOptions, props.listenerPorts, false, identity.agent);
  const agent = identity.agent ? [identity.agent.container] : [];
  const nativeAgent = envoyOptions.nativeSidecar ?? true;
  const podSpec: Record<string, any> = {
    serviceAccountName: name,
    terminationGracePeriodSeconds: terminationGrace(envoyOptions),
    ...(nativeAgent && agent.length > 0 ? { initContainers: agent } : {}),
    containers: nativeAgent ? [envoy] : [...agent, envoy],
    volumes: [...envoyVolumes(name), ...identity.agent?.volumes ?? []],
  };
  if (props.listenerPorts.some((p) => p < 1024)) {
    // Envoy runs as 1337: let it bind low listener ports (a "safe" sysctl, no capability needed).
    podSpec.securityContext = { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] };
  }
  return [
    serviceAccount(identity, props.serviceAccountAnnotations),
    bootstrapConfigMap(identity, envoyOptions),
    deployment(identity, props, podSpec),
    service(identity, name, props.listenerPorts, { type: props.serviceType ?? KubernetesServiceType.LOAD_BALANCER }, props.serviceAnnotations),
  ];
}

/** The mesh agent of the workload, unless the control plane serves plaintext. */
function withAgent(identity: Omit<WorkloadIdentity, 'agent'>, envoy: KubernetesEnvoyOptions | undefined): WorkloadIdentity {
  const controlPlane = identity.controlPlane;
  if (controlPlane.insecurePlaintext) return identity;
  const label = labelOf(identity);
  if (controlPlane.agentImage === undefined) {
    throw new Error(`${label}: controlPlane.agentImage is required (the control-plane image, which runs the mesh agent), `
      + 'or controlPlane.insecurePlaintext when the control plane serves plaintext');
  }
  const agent = meshAgentOf({
    image: controlPlane.agentImage,
    nodeId: proxyNodeId(identity.meshName, identity.kind, identity.resourceName),
    exchangeUrl: `https://${controlPlane.host}:${controlPlane.exchangePort ?? DEFAULT_EXCHANGE_PORT}`,
    xdsAddress: `${controlPlane.host}:${controlPlane.port}`,
    tokenAudience: controlPlane.tokenAudience ?? controlPlane.host,
    // Named as the control plane names it (control-plane-manifests.ts).
    trustBundleConfigMap: controlPlane.trustBundleConfigMap ?? kubernetesName(controlPlane.host.split('.')[0], 'ca-bundle'),
    uid: ENVOY_UID,
    native: envoy?.nativeSidecar ?? true,
  });
  return { ...identity, agent };
}

/** How errors name the workload: `Virtual node 'serviceA'`. */
function labelOf(identity: Pick<WorkloadIdentity, 'kind' | 'resourceName'>): string {
  return `${identity.kind === 'virtualNode' ? 'Virtual node' : 'Virtual gateway'} '${identity.resourceName}'`;
}

function labelsOf(identity: WorkloadIdentity): Record<string, string> {
  return {
    [NAME_LABEL]: identity.name,
    [MESH_LABEL]: labelValue(identity.meshName),
    [`open-app-mesh/${identity.kind === 'virtualNode' ? 'virtual-node' : 'virtual-gateway'}`]: labelValue(identity.resourceName),
    [COMPONENT_LABEL]: identity.kind === 'virtualNode' ? 'virtual-node' : 'virtual-gateway',
    [MANAGED_BY_LABEL]: MANAGED_BY,
  };
}

function selectorOf(identity: WorkloadIdentity): Record<string, string> {
  return { [NAME_LABEL]: identity.name, [MESH_LABEL]: labelValue(identity.meshName) };
}

function metadata(identity: WorkloadIdentity, name: string, annotations?: Record<string, string>): Record<string, any> {
  return {
    name,
    namespace: identity.namespace,
    labels: labelsOf(identity),
    ...(annotations && Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
  };
}

function serviceAccount(identity: WorkloadIdentity, annotations?: Record<string, string>): Record<string, any> {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(identity, identity.name, annotations) };
}

function bootstrapConfigName(name: string): string {
  return kubernetesName(name, 'envoy-bootstrap');
}

/**
 * The stats sinks, refusing a Unix socket: the Envoy container mounts only its bootstrap, /tmp
 * and the agent's sockets, so a collector's socket could never be reached and stats would be
 * dropped without a word.
 */
function statsSinksOf(identity: WorkloadIdentity, envoy: KubernetesEnvoyOptions): EnvoyStatsSink[] | undefined {
  (envoy.statsSinks ?? []).forEach((sink, index) => {
    const address = sink.bind().sink.typed_config?.address;
    if (address?.pipe !== undefined) {
      throw new Error(`${labelOf(identity)}: envoy.statsSinks[${index}] sends to the Unix socket '${address.pipe.path}', `
        + 'which the Envoy container of a Kubernetes workload cannot reach (it mounts no collector volume); give the collector\'s address and port');
    }
  });
  return envoy.statsSinks;
}

/** The bootstrap holds the node id, the control plane's address, and where traces and stats go (EnvoyBootstrap). */
function bootstrapConfigMap(identity: WorkloadIdentity, envoy: KubernetesEnvoyOptions): Record<string, any> {
  const bootstrap = EnvoyBootstrap.render({
    nodeId: proxyNodeId(identity.meshName, identity.kind, identity.resourceName),
    controlPlaneHost: identity.controlPlane.host,
    controlPlanePort: identity.controlPlane.port,
    adminPort: ENVOY_ADMIN_PORT,
    adminAddress: '127.0.0.1',
    ...(identity.agent ? { xdsSocketPath: identity.agent.xdsSocketPath, sdsSocketPath: identity.agent.sdsSocketPath } : {}),
    ...(envoy.initialFetchTimeout !== undefined ? { initialFetchTimeout: envoy.initialFetchTimeout } : {}),
    tracing: envoy.tracing,
    statsSinks: statsSinksOf(identity, envoy),
    statsTags: envoy.statsTags,
  });
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(identity, bootstrapConfigName(identity.name)),
    data: { [BOOTSTRAP_FILE]: JSON.stringify(bootstrap, undefined, 2) + '\n' },
  };
}

function deployment(identity: WorkloadIdentity, options: KubernetesWorkloadOptions, podSpec: Record<string, any>): Record<string, any> {
  const replicas = options.replicas ?? DEFAULT_REPLICAS;
  const podMetadata: Record<string, any> = { labels: { ...(options.podLabels ?? {}), ...labelsOf(identity) } };
  if (options.podAnnotations && Object.keys(options.podAnnotations).length > 0) podMetadata.annotations = { ...options.podAnnotations };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(identity, identity.name),
    spec: {
      replicas,
      selector: { matchLabels: selectorOf(identity) },
      template: { metadata: podMetadata, spec: podSpec },
    },
  };
}

function service(
  identity: WorkloadIdentity, name: string, ports: readonly number[], spec: Record<string, any>, annotations?: Record<string, string>,
): Record<string, any> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(identity, name, annotations),
    spec: {
      ...spec,
      selector: selectorOf(identity),
      ports: [...new Set(ports)].map((port) => ({ name: `port-${port}`, port, targetPort: port, protocol: 'TCP' })),
    },
  };
}

function envoyVolumes(name: string): Record<string, any>[] {
  return [
    { name: 'envoy-bootstrap', configMap: { name: bootstrapConfigName(name) } },
    // Envoy writes its admin access log under /tmp; the root file system stays read-only.
    { name: 'envoy-tmp', emptyDir: {} },
  ];
}

function drainSeconds(envoy: KubernetesEnvoyOptions): number {
  const drain = envoy.drainTime ?? DEFAULT_DRAIN_TIME;
  const seconds = drain.toSeconds();
  if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`Envoy drainTime must be whole seconds, got ${drain.toHumanString()}`);
  return seconds;
}

/** Room for the preStop sleep and Envoy's own drain after it. */
function terminationGrace(envoy: KubernetesEnvoyOptions): number {
  return drainSeconds(envoy) + 30;
}

/**
 * Envoy: user 1337 (the UID the redirect rules exempt), read-only root, no capabilities,
 * admin on 127.0.0.1:9901 with readiness on `/ready` (LIVE once Envoy has its configuration,
 * read from inside the container), a preStop sleep so callers stop sending first. As a native
 * sidecar it also has a startup probe, so the application starts only once Envoy has its
 * configuration. With the agent, it mounts the agent's sockets (xDS and SDS).
 */
function envoyContainer(
  options: KubernetesEnvoyOptions, listenerPorts: readonly number[], native: boolean, agent: MeshAgentSidecar | undefined,
): Record<string, any> {
  const drain = drainSeconds(options);
  const readyProbe = (periodSeconds: number, failureThreshold: number) => ({
    exec: { command: ['bash', '-c', envoyReadyProbe(ENVOY_ADMIN_PORT)] },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 2,
  });
  const resources: Record<string, any> = {
    requests: { cpu: options.cpuRequest ?? DEFAULT_ENVOY_CPU_REQUEST, memory: options.memoryRequest ?? DEFAULT_ENVOY_MEMORY_REQUEST },
  };
  if (options.memoryLimit !== undefined) resources.limits = { memory: options.memoryLimit };
  const environment = options.environment ?? {};
  const container: Record<string, any> = {
    name: 'envoy',
    image: options.image ?? DEFAULT_ENVOY_IMAGE,
    command: ['envoy'],
    // Flags as App Mesh's agent passed them.
    args: [
      '-c', `${BOOTSTRAP_DIR}/${BOOTSTRAP_FILE}`,
      '--log-level', options.logLevel ?? 'info',
      '--drain-time-s', String(drain),
      '--disable-hot-restart',
    ],
    ...(listenerPorts.length > 0
      ? { ports: listenerPorts.map((port) => ({ name: `listener-${port}`, containerPort: port, protocol: 'TCP' })) } : {}),
    ...(Object.keys(environment).length > 0 ? { env: Object.entries(environment).map(([name, value]) => ({ name, value })) } : {}),
    resources,
    readinessProbe: { ...readyProbe(10, 3), initialDelaySeconds: 1 },
    lifecycle: { preStop: { exec: { command: ['sleep', String(drain)] } } },
    securityContext: {
      runAsUser: ENVOY_UID,
      runAsGroup: ENVOY_UID,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [
      { name: 'envoy-bootstrap', mountPath: BOOTSTRAP_DIR, readOnly: true },
      { name: 'envoy-tmp', mountPath: '/tmp' },
      ...(agent ? [agent.socketsMount] : []),
    ],
  };
  if (native) {
    container.restartPolicy = 'Always';
    // Up to 3 minutes for the first configuration, as App Mesh's postStart wait.
    container.startupProbe = readyProbe(2, 90);
  }
  return container;
}

function appContainer(app: KubernetesAppContainer, ports: readonly number[]): Record<string, any> {
  const resources: Record<string, any> = {};
  const requests: Record<string, string> = {};
  if (app.cpuRequest !== undefined) requests.cpu = app.cpuRequest;
  if (app.memoryRequest !== undefined) requests.memory = app.memoryRequest;
  if (Object.keys(requests).length > 0) resources.requests = requests;
  if (app.memoryLimit !== undefined) resources.limits = { memory: app.memoryLimit };
  const environment = app.environment ?? {};
  return {
    name: app.name ?? 'app',
    image: app.image,
    ...(app.command ? { command: [...app.command] } : {}),
    ...(app.args ? { args: [...app.args] } : {}),
    ...(ports.length > 0 ? { ports: [...new Set(ports)].map((port) => ({ name: `app-${port}`, containerPort: port, protocol: 'TCP' })) } : {}),
    ...(Object.keys(environment).length > 0 ? { env: Object.entries(environment).map(([name, value]) => ({ name, value })) } : {}),
    ...(Object.keys(resources).length > 0 ? { resources } : {}),
    ...(app.overrides ?? {}),
  };
}
