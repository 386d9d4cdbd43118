import { Duration } from 'aws-cdk-lib';
import { EnvoyObservabilityOptions } from '../observability';

/** How a Kubernetes Service is exposed. */
export enum KubernetesServiceType {
  /** A cluster-internal virtual IP. */
  CLUSTER_IP = 'ClusterIP',
  /** A port on every node. */
  NODE_PORT = 'NodePort',
  /** A cloud load balancer (on EKS, through the AWS Load Balancer Controller or the in-tree provider). */
  LOAD_BALANCER = 'LoadBalancer',
}

/**
 * Where proxies reach the control plane, and how their mesh agent proves itself to it and
 * trusts it. `KubernetesManifests.controlPlaneEndpoint` fills every field from the control
 * plane's props.
 */
export interface KubernetesControlPlaneEndpoint {
  /** DNS name of the control plane's xDS Service, e.g. `apps-control-plane.apps.svc.cluster.local`. */
  readonly host: string;
  /** xDS port. */
  readonly port: number;

  /**
   * The control plane serves xDS in plaintext (`insecurePlaintext`): workloads run no agent and
   * Envoy streams to `host:port` itself.
   * @default false
   */
  readonly insecurePlaintext?: boolean;

  /**
   * Image of the workloads' mesh agent (`open-app-mesh agent`): the control-plane image.
   * @default - required unless `insecurePlaintext`
   */
  readonly agentImage?: string;

  /**
   * Port of the certificate exchange (HTTPS) on `host`.
   * @default 18002
   */
  readonly exchangePort?: number;

  /**
   * Audience of the projected service-account token the agent presents; the control plane
   * accepts no other (`--k8s-audience`).
   * @default - `host`
   */
  readonly tokenAudience?: string;

  /**
   * ConfigMap holding the control plane's trust bundle (`ca.pem`), which the agent mounts as its
   * `--ca-bundle`. A pod can mount only a ConfigMap of its own namespace: run workloads in the
   * control plane's namespace (EksMesh does).
   * @default - `<first label of host>-ca-bundle`, the one the control plane publishes
   */
  readonly trustBundleConfigMap?: string;
}

/**
 * The Envoy container of a virtual node's or gateway's pods. The tracer, stats sinks and stats
 * tags go into its bootstrap ConfigMap, as on ECS; Envoy reaches collectors from the pod, so give
 * them a Service's DNS name (or, for UDP targets, an IP address such as a Service's cluster IP).
 */
export interface KubernetesEnvoyOptions extends EnvoyObservabilityOptions {
  /**
   * Envoy image: an upstream Envoy build with `envoy`, `sleep` and `bash` on the PATH (the
   * probes read the admin port, which listens on 127.0.0.1 only, from inside the container).
   * @default - `envoyproxy/envoy`, pinned (DEFAULT_ENVOY_IMAGE)
   */
  readonly image?: string;

  /**
   * Envoy log level (trace, debug, info, warn, error, critical, off).
   * @default 'info'
   */
  readonly logLevel?: string;

  /**
   * CPU request.
   * @default '10m' (App Mesh's injector default)
   */
  readonly cpuRequest?: string;

  /**
   * Memory request.
   * @default '32Mi' (App Mesh's injector default)
   */
  readonly memoryRequest?: string;

  /**
   * Memory limit.
   * @default - none
   */
  readonly memoryLimit?: string;

  /**
   * How long Envoy keeps serving after the pod is asked to stop (a preStop sleep), so
   * callers stop sending before it goes away. Also Envoy's `--drain-time-s`.
   * @default Duration.seconds(20) (App Mesh's)
   */
  readonly drainTime?: Duration;

  /**
   * How long Envoy waits for its first listeners and clusters.
   * @default Duration.seconds(0) - until they arrive
   */
  readonly initialFetchTimeout?: Duration;

  /**
   * Extra environment variables of the Envoy container.
   * @default - none
   */
  readonly environment?: { [name: string]: string };

  /**
   * Run Envoy and the mesh agent as native sidecars (init containers with `restartPolicy:
   * Always`, Kubernetes 1.29+): the agent starts and holds the node's certificate before Envoy
   * starts, and Envoy is ready before the application container starts; they stop after it.
   * With `false` they are ordinary containers placed first. In a virtual gateway, Envoy is
   * always an ordinary container (it is the workload); the agent follows this setting.
   * @default true
   */
  readonly nativeSidecar?: boolean;
}

/** The init container that redirects a pod's traffic through Envoy (App Mesh's `proxyinit`). */
export interface KubernetesProxyInitOptions {
  /**
   * Image with `/bin/sh` and `iptables` (and `ip6tables` with `ipv6`). Runs as root with
   * the NET_ADMIN and NET_RAW capabilities.
   * @default - the control-plane image (its Dockerfile installs iptables)
   */
  readonly image?: string;

  /**
   * Destinations (IP addresses or CIDR blocks) whose traffic bypasses Envoy.
   * @default ['169.254.169.254'] - the instance metadata service (App Mesh's Kubernetes default)
   */
  readonly egressIgnoredAddresses?: string[];

  /**
   * Destination ports whose traffic bypasses Envoy.
   * @default [22] (App Mesh's Kubernetes default)
   */
  readonly egressIgnoredPorts?: number[];

  /**
   * Install the same rules for IPv6 (needs ip6tables NAT support on the nodes).
   * @default false
   */
  readonly ipv6?: boolean;
}

/** The application container of a virtual node's pods. */
export interface KubernetesAppContainer {
  /** Image of the application. */
  readonly image: string;

  /**
   * Container name.
   * @default 'app'
   */
  readonly name?: string;

  /**
   * Ports the application listens on.
   * @default - the virtual node's listener ports
   */
  readonly ports?: number[];

  /**
   * Environment variables.
   * @default - none
   */
  readonly environment?: { [name: string]: string };

  /**
   * Entry point override.
   * @default - the image's
   */
  readonly command?: string[];

  /**
   * Arguments.
   * @default - the image's
   */
  readonly args?: string[];

  /**
   * CPU request.
   * @default - none
   */
  readonly cpuRequest?: string;

  /**
   * Memory request.
   * @default - none
   */
  readonly memoryRequest?: string;

  /**
   * Memory limit.
   * @default - none
   */
  readonly memoryLimit?: string;

  /**
   * Fields merged into the container object last (probes, volume mounts, security
   * context...), as Kubernetes names them.
   * @default - none
   */
  readonly overrides?: { [field: string]: any };
}

/** Settings every mesh workload (virtual node or gateway) shares. */
export interface KubernetesWorkloadOptions {
  /**
   * Name of the Deployment, its ServiceAccount and its Envoy bootstrap ConfigMap.
   * @default - the virtual node's or gateway's name, lower-cased (`serviceB` → `serviceb`)
   */
  readonly name?: string;

  /**
   * Number of pods.
   * @default 2
   */
  readonly replicas?: number;

  /**
   * Annotations of the ServiceAccount, e.g. `eks.amazonaws.com/role-arn` for IAM roles for service accounts.
   * @default - none
   */
  readonly serviceAccountAnnotations?: { [key: string]: string };

  /**
   * Extra labels of the pods.
   * @default - none
   */
  readonly podLabels?: { [key: string]: string };

  /**
   * Annotations of the pods.
   * @default - none
   */
  readonly podAnnotations?: { [key: string]: string };

  /**
   * The Envoy container.
   * @default - see KubernetesEnvoyOptions
   */
  readonly envoy?: KubernetesEnvoyOptions;
}

/** How a virtual node runs on Kubernetes. */
export interface KubernetesVirtualNodeWorkloadOptions extends KubernetesWorkloadOptions {
  /** The application container. */
  readonly app: KubernetesAppContainer;

  /**
   * Name of the Service in front of the pods.
   * @default - the first label of the node's DNS hostname when it is a valid Service name
   *            (`serviceb.apps.local` → `serviceb`), else the workload name
   */
  readonly serviceName?: string;

  /**
   * Make the Service headless, so DNS lists every ready pod (the control plane's `dns`
   * endpoint discovery then sends each pod as an endpoint, and Envoy balances and ejects
   * per pod). With `false`, the Service has a cluster IP.
   * @default true
   */
  readonly headlessService?: boolean;

  /**
   * The traffic-redirecting init container.
   * @default - see KubernetesProxyInitOptions
   */
  readonly proxyInit?: KubernetesProxyInitOptions;
}

/** A virtual node's Kubernetes objects, as plain data (for `KubernetesManifests.virtualNodeWorkload`). */
export interface KubernetesVirtualNodeWorkloadProps extends KubernetesVirtualNodeWorkloadOptions {
  /** Mesh name. */
  readonly meshName: string;

  /** Virtual node name. */
  readonly virtualNodeName: string;

  /** Listener ports of the virtual node (its spec's `listeners[].portMapping.port`). */
  readonly listenerPorts: number[];

  /**
   * DNS hostname of the node's service discovery (used to name the Service).
   * @default - none
   */
  readonly serviceHostname?: string;

  /** Where the control plane serves xDS. */
  readonly controlPlane: KubernetesControlPlaneEndpoint;

  /**
   * Namespace of the objects.
   * @default 'default'
   */
  readonly namespace?: string;
}

/** How a virtual gateway runs on Kubernetes. */
export interface KubernetesVirtualGatewayWorkloadOptions extends KubernetesWorkloadOptions {
  /**
   * Type of the gateway's Service.
   * @default KubernetesServiceType.LOAD_BALANCER
   */
  readonly serviceType?: KubernetesServiceType;

  /**
   * Annotations of the gateway's Service (load balancer settings, e.g.
   * `service.beta.kubernetes.io/aws-load-balancer-type: external`).
   * @default - none
   */
  readonly serviceAnnotations?: { [key: string]: string };
}

/** A virtual gateway's Kubernetes objects, as plain data (for `KubernetesManifests.virtualGatewayWorkload`). */
export interface KubernetesVirtualGatewayWorkloadProps extends KubernetesVirtualGatewayWorkloadOptions {
  /** Mesh name. */
  readonly meshName: string;

  /** Virtual gateway name. */
  readonly virtualGatewayName: string;

  /** Listener ports of the gateway; Envoy binds them itself. */
  readonly listenerPorts: number[];

  /** Where the control plane serves xDS. */
  readonly controlPlane: KubernetesControlPlaneEndpoint;

  /**
   * Namespace of the objects.
   * @default 'default'
   */
  readonly namespace?: string;
}

/** How the control plane runs on Kubernetes. */
export interface KubernetesControlPlaneOptions {
  /**
   * Image of the control plane (lib-runtime/Dockerfile). Required for the plain
   * manifests; `EksMesh` builds the bundled runtime as an image asset when it is not given.
   * @default - see above
   */
  readonly image?: string;

  /**
   * Name of the Deployment, Service, ServiceAccount and PodDisruptionBudget; the spec
   * ConfigMap is `<name>-spec`.
   * @default '<mesh>-control-plane'
   */
  readonly name?: string;

  /**
   * Number of replicas, spread over zones and nodes.
   * @default 2
   */
  readonly replicas?: number;

  /**
   * Endpoint discovery (`--endpoints` values): `dns` resolves the nodes' DNS hostnames with
   * the cluster DNS (with headless Services, every ready pod), `cloudmap` asks Cloud Map
   * (give the ServiceAccount an IAM role), `static:<file>`, `none`.
   * @default ['dns']
   */
  readonly endpointSources?: string[];

  /**
   * Log level: debug, info, warn or error.
   * @default 'info'
   */
  readonly logLevel?: string;

  /**
   * Numeric user id of the control-plane process (non-root).
   * @default 1000
   */
  readonly runAsUser?: number;

  /**
   * Annotations of the ServiceAccount (e.g. an IAM role for Cloud Map discovery).
   * @default - none
   */
  readonly serviceAccountAnnotations?: { [key: string]: string };

  /**
   * CPU request.
   * @default '100m'
   */
  readonly cpuRequest?: string;

  /**
   * Memory request.
   * @default '128Mi'
   */
  readonly memoryRequest?: string;

  /**
   * Memory limit.
   * @default '512Mi'
   */
  readonly memoryLimit?: string;

  /**
   * More runtime arguments (e.g. `--poll-interval`, `--region`, `--trust-domain`).
   * @default - none
   */
  readonly extraArgs?: string[];

  /**
   * OIDC issuer URL of the cluster's service-account tokens (`--k8s-issuer`): the control plane
   * checks the agents' projected tokens against its keys (JWKS), so it must reach that URL (an
   * EKS issuer is a public HTTPS endpoint: `aws eks describe-cluster --name <cluster> --query
   * cluster.identity.oidc.issuer`).
   * @default - EksMesh: the `clusterOpenIdConnectIssuerUrl` of its cluster when that is an
   *            `eks.Cluster` of the app; otherwise required unless `insecurePlaintext`
   */
  readonly serviceAccountIssuer?: string;

  /**
   * Audience the agents' projected tokens carry and the control plane requires
   * (`--k8s-audience`), so a token made for it is good for nothing else.
   * @default - the control plane's Service DNS name, `<name>.<namespace>.svc.<cluster domain>`
   */
  readonly tokenAudience?: string;

  /**
   * Serve xDS in plaintext, without node identity and without the certificate exchange: any
   * pod that reaches the xDS port can read any node's configuration, and mesh TLS from the
   * control plane's CA is unavailable. For clusters where the issuer is not set up yet; EksMesh
   * warns (`open-app-mesh:eksPlaintextXds`).
   *
   * By default xDS is mutual TLS: the CA root lives in a Kubernetes Secret only the control
   * plane may read, its certificates are published to a ConfigMap, and every workload runs the
   * mesh agent, which trades a projected service-account token for the node's certificate and
   * serves it to Envoy over SDS.
   * @default false
   */
  readonly insecurePlaintext?: boolean;
}

/** The control plane's Kubernetes objects, as plain data (for `KubernetesManifests.controlPlane`). */
export interface KubernetesControlPlaneProps extends KubernetesControlPlaneOptions {
  /** The mesh served (one control plane per mesh). */
  readonly meshName: string;

  /**
   * Namespace of the objects.
   * @default 'default'
   */
  readonly namespace?: string;

  /**
   * DNS domain of the cluster, for the xDS host name proxies use.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}
