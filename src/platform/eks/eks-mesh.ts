import * as fs from 'fs';
import * as path from 'path';
import { Annotations, attachCustomSynthesis, ISynthesisSession, Lazy, Stack, Stage, Token } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { KubernetesManifests } from './kubernetes-manifests';
import {
  KubernetesControlPlaneEndpoint, KubernetesControlPlaneOptions, KubernetesControlPlaneProps, KubernetesEnvoyOptions,
  KubernetesProxyInitOptions, KubernetesVirtualGatewayWorkloadOptions, KubernetesVirtualNodeWorkloadOptions,
} from './kubernetes-options';
import { IMesh } from '../../mesh';
import { MeshSpecs } from '../../mesh-specs';
import { meshResourceOf } from '../../private/registry';
import { meshSpecFileStem } from '../../private/spec-writer';
import * as spec from '../../spec';
import { toCanonicalJson } from '../../spec/canonical';
import { IVirtualGateway } from '../../virtual-gateway';
import { IVirtualNode } from '../../virtual-node';
import { PACKAGE_ROOT, RUNTIME_IMAGE_CONTEXT } from '../private/runtime-image';
import { controlPlaneEndpoint, controlPlaneNames, renderControlPlane, renderSpecConfigMap } from './private/control-plane-manifests';
import { kubernetesName } from './private/kubernetes-names';
import { renderVirtualGatewayWorkload, renderVirtualNodeWorkload, workloadName } from './private/workload-manifests';
import { toYamlDocuments } from './private/yaml';

/** Room for the spec in kubectl's last-applied-configuration annotation (256 KiB for all annotations). */
const KUBECTL_APPLY_LIMIT_BYTES = 240 * 1024;

/** Suffix of the YAML file an EksMesh writes into the cloud assembly. */
const YAML_FILE_SUFFIX = '.k8s.yaml';

/** Properties of an EksMesh. */
export interface EksMeshProps {
  /** The mesh to run (its spec is collected from the whole app). */
  readonly mesh: IMesh;

  /**
   * EKS cluster to apply the objects to (`cluster.addManifest`, one manifest per
   * workload, one for the control plane and one for the spec ConfigMap).
   * @default - no cluster: only the YAML file is written
   */
  readonly cluster?: eks.ICluster;

  /**
   * Namespace of every object.
   * @default - the mesh name, lower-cased
   */
  readonly namespace?: string;

  /**
   * Create the namespace.
   * @default true
   */
  readonly createNamespace?: boolean;

  /**
   * The control plane.
   * @default - 2 replicas of the bundled runtime image (built as an image asset), `dns`
   *            discovery, mutual TLS with the cluster's OIDC issuer (from `cluster`, which must
   *            then be an `eks.Cluster` of this app, or `controlPlane.serviceAccountIssuer`)
   */
  readonly controlPlane?: KubernetesControlPlaneOptions;

  /**
   * Envoy settings of every workload (a workload's own `envoy` settings win).
   * @default - see KubernetesEnvoyOptions
   */
  readonly envoy?: KubernetesEnvoyOptions;

  /**
   * Proxy init settings of every virtual node (a workload's own settings win).
   * @default - see KubernetesProxyInitOptions; the image is the control-plane image
   */
  readonly proxyInit?: KubernetesProxyInitOptions;

  /**
   * DNS domain of the cluster.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * Write every object as `<mesh>.k8s.yaml` into the cloud assembly directory at synth.
   * @default - true when no cluster is given
   */
  readonly writeYaml?: boolean;
}

/** A workload added to an EksMesh: its objects as first rendered, re-rendered at synth to check its ports. */
interface Workload {
  readonly resource: IConstruct;
  readonly label: string;
  /** JSON of the objects when added (aws-eks adds labels to the objects it is given, so no live copy). */
  readonly renderedJson: string;
  /** `<kind>/<name>` of each object. */
  readonly objectKeys: string[];
  readonly render: () => Record<string, any>[];
}

/**
 * A mesh on Amazon EKS: the control plane (Deployment, headless Service, PodDisruptionBudget,
 * spec ConfigMap) and one Deployment per virtual node or gateway, with the Envoy sidecar, the
 * mesh agent and (for nodes) an iptables init container. Objects go to an `aws-eks` cluster via
 * `addManifest`, and/or into a YAML file in the cloud assembly.
 *
 * Secure by default: xDS is mutual TLS with node identity on every stream. The CA root lives
 * in a Kubernetes Secret only the control plane's ServiceAccount may read (a Role naming that
 * Secret and the trust bundle ConfigMap); each workload's agent proves its pod's
 * ServiceAccount with a projected token for the control plane's audience, which the control
 * plane checks against the cluster's OIDC issuer, and each node is granted to its workload's
 * ServiceAccount (`system:serviceaccount:<namespace>:<name>` in `proxyAccess`). Both admin
 * ports (control plane and Envoy) listen on the pod's loopback only.
 * `controlPlane.insecurePlaintext` turns TLS and identity off, with a warning.
 *
 * The spec ConfigMap is the only object whose content depends on routes, services and
 * backends: changing a route weight updates that ConfigMap (the runtime hot-reloads the
 * mounted file) and restarts no pod.
 */
export class EksMesh extends Construct {
  /** The mesh. */
  public readonly mesh: IMesh;

  /** Namespace of the objects. */
  public readonly namespace: string;

  /** Where proxies reach the control plane. */
  public readonly controlPlaneEndpoint: KubernetesControlPlaneEndpoint;

  /** Image of the control plane (also the proxy init image unless set otherwise). */
  public readonly controlPlaneImage: string;

  /** Name of the YAML file written into the cloud assembly (when `writeYaml`). */
  public readonly yamlFileName: string;

  private readonly props: EksMeshProps;
  private readonly controlPlaneProps: KubernetesControlPlaneProps;
  private readonly workloads: Workload[] = [];
  private readonly namespaceManifest?: eks.KubernetesManifest;

  constructor(scope: Construct, id: string, props: EksMeshProps) {
    super(scope, id);
    this.props = props;
    this.mesh = props.mesh;
    const meshName = props.mesh.meshName;
    if (Token.isUnresolved(meshName)) {
      throw new Error(`[${this.node.path}] EksMesh needs a mesh whose name is known at synth (Kubernetes object names derive from it)`);
    }
    this.namespace = props.namespace ?? kubernetesName(meshName);
    this.controlPlaneImage = props.controlPlane?.image ?? this.bundledImage();
    const plaintext = props.controlPlane?.insecurePlaintext ?? false;
    const issuer = props.controlPlane?.serviceAccountIssuer
      ?? (props.cluster instanceof eks.Cluster ? props.cluster.clusterOpenIdConnectIssuerUrl : undefined);
    if (!plaintext && issuer === undefined) {
      throw new Error(`[${this.node.path}] the control plane checks the pods' service-account tokens against the cluster's OIDC issuer: `
        + 'set controlPlane.serviceAccountIssuer (aws eks describe-cluster --name <cluster> --query cluster.identity.oidc.issuer), '
        + 'pass an eks.Cluster defined in this app as cluster, or set controlPlane.insecurePlaintext (no TLS, no node identity)');
    }
    this.controlPlaneProps = {
      ...props.controlPlane,
      ...(issuer !== undefined ? { serviceAccountIssuer: issuer } : {}),
      image: this.controlPlaneImage,
      meshName,
      namespace: this.namespace,
      clusterDomain: props.clusterDomain,
    };
    controlPlaneNames(this.controlPlaneProps); // fail early on a bad name
    this.controlPlaneEndpoint = controlPlaneEndpoint(this.controlPlaneProps);
    this.yamlFileName = `${meshSpecFileStem(meshName)}${YAML_FILE_SUFFIX}`;
    if (plaintext) {
      Annotations.of(this).addWarningV2('open-app-mesh:eksPlaintextXds',
        'controlPlane.insecurePlaintext: the control plane serves xDS without TLS and without node identity, so any pod that '
        + 'reaches its xDS port can read any node\'s configuration, and mesh TLS from its CA is unavailable. For trials only; '
        + 'restrict the port with a NetworkPolicy');
    }

    const cluster = props.cluster;
    if (cluster !== undefined) {
      const prefix = this.manifestPrefix();
      if (props.createNamespace ?? true) {
        this.namespaceManifest = cluster.addManifest(`${prefix}-namespace`, KubernetesManifests.namespace(this.namespace));
      }
      this.afterNamespace(cluster.addManifest(`${prefix}-control-plane`, ...renderControlPlane(this.controlPlaneProps)));
      // Rendered at synth, once every route and node of the app exists.
      const specJson = Lazy.string({ produce: () => toCanonicalJson(this.document()) });
      this.afterNamespace(cluster.addManifest(`${prefix}-spec`, renderSpecConfigMap(this.controlPlaneProps, specJson)));
    }

    if (props.writeYaml ?? cluster === undefined) {
      this.attachYamlWriter();
      if (Token.isUnresolved(this.controlPlaneImage)) {
        Annotations.of(this).addWarningV2('open-app-mesh:eksYamlTokens',
          `${this.yamlFileName} holds CloudFormation expressions where the control-plane image asset goes; `
          + 'set controlPlane.image to an image in your registry for a file kubectl can apply');
      }
    }
    this.node.addValidation({ validate: () => this.checkWorkloads() });
  }

  /**
   * Run a virtual node of the mesh: a Deployment with the application, Envoy, the mesh agent
   * and the proxy init container, a Service for its listeners, a ServiceAccount (granted the
   * node's stream) and the Envoy bootstrap. Add the node's listeners before calling this (their
   * ports are read now).
   */
  public addVirtualNode(virtualNode: IVirtualNode, options: KubernetesVirtualNodeWorkloadOptions): void {
    const label = `virtual node '${virtualNode.virtualNodeName}'`;
    const render = () => {
      const rendered = this.renderedSpec(virtualNode, 'virtualNode', label) as spec.VirtualNodeSpec;
      return renderVirtualNodeWorkload({
        ...options,
        envoy: mergeEnvoy(this.props.envoy, options.envoy),
        proxyInit: { image: this.controlPlaneImage, ...this.props.proxyInit, ...options.proxyInit },
        meshName: this.mesh.meshName,
        virtualNodeName: virtualNode.virtualNodeName,
        listenerPorts: (rendered.listeners ?? []).map((l) => l.portMapping.port),
        serviceHostname: rendered.serviceDiscovery?.dns?.hostname,
        controlPlane: this.controlPlaneEndpoint,
        namespace: this.namespace,
      });
    };
    this.addWorkload(virtualNode, label, render);
    // Once the workload is accepted: its ServiceAccount may act as the node.
    virtualNode.grantStreamAggregatedResources(this.serviceAccountPrincipal(workloadName(virtualNode.virtualNodeName, options)));
  }

  /**
   * Run a virtual gateway of the mesh: a Deployment with Envoy binding the listener ports and
   * the mesh agent, a Service (a load balancer by default), a ServiceAccount (granted the
   * gateway's stream) and the Envoy bootstrap.
   */
  public addVirtualGateway(virtualGateway: IVirtualGateway, options: KubernetesVirtualGatewayWorkloadOptions = {}): void {
    const label = `virtual gateway '${virtualGateway.virtualGatewayName}'`;
    const render = () => {
      const rendered = this.renderedSpec(virtualGateway, 'virtualGateway', label) as spec.VirtualGatewaySpec;
      return renderVirtualGatewayWorkload({
        ...options,
        envoy: mergeEnvoy(this.props.envoy, options.envoy),
        meshName: this.mesh.meshName,
        virtualGatewayName: virtualGateway.virtualGatewayName,
        listenerPorts: rendered.listeners.map((l) => l.portMapping.port),
        controlPlane: this.controlPlaneEndpoint,
        namespace: this.namespace,
      });
    };
    this.addWorkload(virtualGateway, label, render);
    // Once the workload is accepted: its ServiceAccount may act as the node.
    virtualGateway.grantStreamAggregatedResources(this.serviceAccountPrincipal(workloadName(virtualGateway.virtualGatewayName, options)));
  }

  /**
   * Every object, in apply order: namespace, control plane, spec ConfigMap, workloads.
   * Call once the app is complete (the spec is collected now).
   */
  public renderManifests(): any[] {
    const manifests: Record<string, any>[] = [];
    if (this.props.createNamespace ?? true) manifests.push(KubernetesManifests.namespace(this.namespace));
    manifests.push(...renderControlPlane(this.controlPlaneProps));
    manifests.push(renderSpecConfigMap(this.controlPlaneProps, toCanonicalJson(this.document())));
    for (const workload of this.workloads) manifests.push(...workload.render());
    return manifests;
  }

  /**
   * Every object as one YAML stream for `kubectl apply -f`.
   * @throws if an object holds a deploy-time value (e.g. the control-plane image asset)
   */
  public toYaml(): string {
    return KubernetesManifests.toYaml(this.renderManifests());
  }

  /** The workload's ServiceAccount as the control plane names a token's subject; it may act as the node. */
  private serviceAccountPrincipal(serviceAccountName: string): iam.IGrantable {
    return new iam.ArnPrincipal(`system:serviceaccount:${this.namespace}:${serviceAccountName}`);
  }

  private addWorkload(resource: IConstruct, label: string, render: () => Record<string, any>[]): void {
    const manifests = render();
    const objectKeys = manifests.map(objectKey);
    this.checkDistinctNames(label, objectKeys);
    this.workloads.push({ resource, label, renderedJson: JSON.stringify(manifests), objectKeys, render });
    const cluster = this.props.cluster;
    if (cluster !== undefined) {
      const deployment = manifests.find((m) => m.kind === 'Deployment');
      this.afterNamespace(cluster.addManifest(`${this.manifestPrefix()}-workload-${deployment?.metadata.name}`, ...manifests));
    }
  }

  private renderedSpec(resource: IConstruct, kind: 'virtualNode' | 'virtualGateway', label: string): object {
    const registration = meshResourceOf(resource);
    if (registration === undefined || registration.kind !== kind) {
      throw new Error(`[${this.node.path}] ${label} is not defined in this app; EksMesh reads its listeners from its construct`);
    }
    if (registration.meshName() !== this.mesh.meshName) {
      throw new Error(`[${this.node.path}] ${label} belongs to mesh '${registration.meshName()}', not '${this.mesh.meshName}'`);
    }
    return registration.renderSpec();
  }

  /** Two workloads folding to the same Kubernetes name would overwrite each other. */
  private checkDistinctNames(label: string, objectKeys: string[]): void {
    const taken = new Map<string, string>();
    const controlPlane = [...renderControlPlane(this.controlPlaneProps), renderSpecConfigMap(this.controlPlaneProps, '{}')];
    for (const m of controlPlane) taken.set(objectKey(m), 'the control plane');
    for (const workload of this.workloads) for (const key of workload.objectKeys) taken.set(key, workload.label);
    for (const key of objectKeys) {
      const owner = taken.get(key);
      if (owner !== undefined) {
        throw new Error(`[${this.node.path}] ${label} and ${owner} both produce ${key}; set 'name' or 'serviceName' on one of them`);
      }
    }
  }

  /** Ports are read when a workload is added; listeners added later would be missed. */
  private checkWorkloads(): string[] {
    const errors: string[] = [];
    for (const workload of this.workloads) {
      if (JSON.stringify(workload.render()) !== workload.renderedJson) {
        errors.push(`${workload.label} changed (e.g. a listener was added) after it was added to the EksMesh; add listeners first`);
      }
    }
    if (this.props.cluster !== undefined) {
      // aws-eks applies with client-side `kubectl apply`, which copies the object into an
      // annotation; annotations hold at most 256 KiB in total.
      const size = Buffer.byteLength(toCanonicalJson(this.document()), 'utf8');
      if (size > KUBECTL_APPLY_LIMIT_BYTES) {
        errors.push(`the spec of mesh '${this.mesh.meshName}' is ${size} bytes; kubectl apply through aws-eks takes at most `
          + `${KUBECTL_APPLY_LIMIT_BYTES} (apply the YAML with 'kubectl apply --server-side' instead)`);
      }
    }
    return errors;
  }

  private document(): spec.MeshSpecDocument {
    return MeshSpecs.forMesh(this.mesh);
  }

  private afterNamespace(manifest: eks.KubernetesManifest): void {
    if (this.namespaceManifest !== undefined) manifest.node.addDependency(this.namespaceManifest);
  }

  /** Manifest ids are unique per cluster: one EksMesh per mesh. */
  private manifestPrefix(): string {
    return `open-app-mesh-${kubernetesName(this.mesh.meshName)}`;
  }

  /** The runtime bundled with this library, built from lib-runtime/Dockerfile with the same context as ControlPlane's. */
  private bundledImage(): string {
    const asset = new ecrAssets.DockerImageAsset(this, 'ControlPlaneImage', {
      directory: PACKAGE_ROOT,
      file: 'lib-runtime/Dockerfile',
      exclude: RUNTIME_IMAGE_CONTEXT,
    });
    return asset.imageUri;
  }

  private attachYamlWriter(): void {
    const writer = new Construct(this, 'YamlWriter');
    attachCustomSynthesis(writer, {
      onSynthesize: (session: ISynthesisSession) => {
        const stage = Stage.of(this);
        if (stage !== undefined && path.resolve(session.outdir) !== path.resolve(stage.outdir)) return;
        // Deploy-time values are written as the CloudFormation expressions they stand for
        // (outside any stack there are none to resolve: toYaml refuses tokens).
        const stack = this.node.scopes.find((scope): scope is Stack => Stack.isStack(scope));
        const text = stack ? toYamlDocuments(stack.resolve(this.renderManifests())) : this.toYaml();
        fs.writeFileSync(path.join(session.outdir, this.yamlFileName), text);
      },
    });
  }
}

function objectKey(manifest: Record<string, any>): string {
  return `${manifest.kind}/${manifest.metadata.name}`;
}

function mergeEnvoy(base: KubernetesEnvoyOptions | undefined, own: KubernetesEnvoyOptions | undefined): KubernetesEnvoyOptions {
  return {
    ...base,
    ...own,
    environment: { ...base?.environment, ...own?.environment },
  };
}
