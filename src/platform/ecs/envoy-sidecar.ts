import { Lazy, Tokenization } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as cloudmap from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import * as spec from '../../spec';
import { IVirtualNode, VirtualNode } from '../../virtual-node';
import { ControlPlane } from '../control-plane';
import { addEnvoyContainer, ENVOY_CONTAINER_NAME, ENVOY_UID, EnvoyContainerOptions } from './envoy-container';
import { findCloudMapService, listenerPortsOf, renderedSpecOf } from '../private/mesh-member';

/** Port Envoy receives redirected inbound traffic on (App Mesh `ProxyIngressPort`). */
export const PROXY_INGRESS_PORT = 15000;

/** Port Envoy receives redirected outbound traffic on (App Mesh `ProxyEgressPort`). */
export const PROXY_EGRESS_PORT = 15001;

/** Addresses never redirected: ECS task metadata and credentials, and instance metadata. */
export const DEFAULT_EGRESS_IGNORED_IPS = ['169.254.170.2', '169.254.169.254'];

/** Options of an Envoy sidecar for a virtual node. */
export interface EnvoySidecarOptions extends EnvoyContainerOptions {
  /** The control plane the proxy streams its configuration from. */
  readonly controlPlane: ControlPlane;

  /**
   * Containers that must wait for a healthy Envoy (their traffic goes through it).
   * @default - every container of the task definition added before the sidecar
   */
  readonly appContainers?: ecs.ContainerDefinition[];

  /**
   * Ports the application listens on, redirected to Envoy's ingress. ECS requires at least one.
   * @default - the listener ports of the virtual node (required for an imported node or a node without listeners)
   */
  readonly appPorts?: number[];

  /**
   * Outbound ports not redirected to Envoy.
   * @default - none
   */
  readonly egressIgnoredPorts?: number[];

  /**
   * Outbound addresses not redirected to Envoy, in addition to 169.254.170.2 and 169.254.169.254.
   * @default - none
   */
  readonly extraEgressIgnoredIPs?: string[];

  /**
   * Group id whose traffic is not redirected (e.g. 1338 for a log router).
   * @default - none
   */
  readonly ignoredGid?: number;

  /**
   * Cloud Map service the workload registers in when it joins an ECS service.
   * @default - the Cloud Map service of the app that the node's service discovery names
   */
  readonly cloudMapService?: cloudmap.IService;
}

/** Properties of an EnvoySidecar. */
export interface EnvoySidecarProps extends EnvoySidecarOptions {
  /** Task definition (network mode awsvpc; Fargate or EC2) of the workload. */
  readonly taskDefinition: ecs.TaskDefinition;

  /** The virtual node the workload's tasks are members of. */
  readonly virtualNode: IVirtualNode;
}

/**
 * Makes a task definition a member of a virtual node: the Envoy container, the APPMESH
 * proxy configuration (ignored UID 1337, ingress 15000, egress 15001, app ports from the
 * node's listeners, metadata addresses not redirected), application containers started
 * only once Envoy is healthy, and the task role allowed to stream as the node.
 *
 * Only the node id and the control plane's address enter the task definition, so a mesh
 * change (routes, weights, backends) creates no new revision.
 */
export class EnvoySidecar extends Construct {
  /** Add the sidecar of `virtualNode` to `taskDefinition` (one call per workload). */
  public static addTo(taskDefinition: ecs.TaskDefinition, virtualNode: IVirtualNode, options: EnvoySidecarOptions): EnvoySidecar {
    return new EnvoySidecar(taskDefinition, 'EnvoySidecar', { ...options, taskDefinition, virtualNode });
  }

  /** The Envoy container. */
  public readonly container: ecs.ContainerDefinition;

  /** The task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;

  /** The virtual node. */
  public readonly virtualNode: IVirtualNode;

  /** The application containers (they depend on a healthy Envoy). */
  public readonly appContainers: ecs.ContainerDefinition[];

  private readonly controlPlane: ControlPlane;
  private readonly explicitCloudMapService?: cloudmap.IService;

  constructor(scope: Construct, id: string, props: EnvoySidecarProps) {
    super(scope, id);
    this.taskDefinition = props.taskDefinition;
    this.virtualNode = props.virtualNode;
    this.controlPlane = props.controlPlane;
    this.explicitCloudMapService = props.cloudMapService;

    if (props.taskDefinition.networkMode !== ecs.NetworkMode.AWS_VPC) {
      throw new Error(`[${this.node.path}] an Envoy sidecar needs a task definition in awsvpc network mode (the APPMESH proxy configuration requires it)`);
    }
    if (props.taskDefinition.findContainer(ENVOY_CONTAINER_NAME) !== undefined) {
      throw new Error(`[${this.node.path}] the task definition already has a container named '${ENVOY_CONTAINER_NAME}'`);
    }
    const cfn = props.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
    if (cfn.proxyConfiguration !== undefined) {
      throw new Error(`[${this.node.path}] the task definition already has a proxy configuration`);
    }
    // Containers added so far (the list is not public in aws-cdk-lib).
    const existing: ecs.ContainerDefinition[] = [...((props.taskDefinition as any).containers ?? [])];
    this.appContainers = props.appContainers ?? existing;
    if (this.appContainers.length === 0) {
      throw new Error(`[${this.node.path}] add the application container to the task definition before the Envoy sidecar, or pass appContainers`);
    }

    this.container = addEnvoyContainer(this, props.taskDefinition, VirtualNode.nodeIdOf(props.virtualNode), props.controlPlane, props);
    for (const app of this.appContainers) {
      app.addContainerDependencies({ container: this.container, condition: ecs.ContainerDependencyCondition.HEALTHY });
    }

    const appPorts = props.appPorts;
    cfn.proxyConfiguration = {
      type: 'APPMESH',
      containerName: ENVOY_CONTAINER_NAME,
      // Lazy: listeners added to the node after this call still count.
      proxyConfigurationProperties: Lazy.any({
        produce: () => renderProxyProperties({
          appPorts: appPorts ?? this.nodeListenerPorts(),
          egressIgnoredIPs: [...DEFAULT_EGRESS_IGNORED_IPS, ...(props.extraEgressIgnoredIPs ?? [])],
          egressIgnoredPorts: props.egressIgnoredPorts ?? [],
          ignoredGid: props.ignoredGid,
        }),
      }),
    };

    this.node.addValidation({ validate: () => this.checkAppPorts(appPorts) });

    props.virtualNode.grantStreamAggregatedResources(props.taskDefinition.taskRole);
  }

  /**
   * Join an ECS service running this task definition to the mesh: register its tasks in the
   * node's Cloud Map service (A records of the task IPs), admit its xDS connections at the
   * control plane, and create it after the control plane's service.
   */
  public joinService(service: ecs.BaseService): void {
    const cloudMapService = this.explicitCloudMapService
      ?? findCloudMapService(this.virtualNode, renderedSpecOf(this.virtualNode) as spec.VirtualNodeSpec | undefined);
    if (cloudMapService !== undefined) {
      service.associateCloudMapService({ service: cloudMapService, container: this.appContainers[0] });
    }
    this.controlPlane.allowFrom(service, `xDS from ${this.virtualNode.node.id}`);
    this.controlPlane.addProxyService(service);
  }

  /** ECS refuses an APPMESH proxy configuration without app ports (aws-app-mesh-roadmap#467). */
  private checkAppPorts(explicit: number[] | undefined): string[] {
    const ports = explicit ?? (renderedSpecOf(this.virtualNode) === undefined ? undefined : this.nodeListenerPorts());
    if (ports !== undefined && ports.length === 0) {
      return ['ECS needs at least one AppPorts value in the APPMESH proxy configuration, and the virtual node has no listener: '
        + 'pass appPorts (for a client-only workload, a port nothing listens on)'];
    }
    return [];
  }

  private nodeListenerPorts(): number[] {
    const rendered = renderedSpecOf(this.virtualNode);
    if (rendered === undefined) {
      throw new Error(`[${this.node.path}] the virtual node is imported: pass appPorts`);
    }
    return listenerPortsOf(rendered);
  }
}

interface ProxyProperties {
  readonly appPorts: number[];
  readonly egressIgnoredIPs: string[];
  readonly egressIgnoredPorts: number[];
  readonly ignoredGid?: number;
}

/** ECS proxy configuration properties, as App Mesh's ECS integration set them. */
function renderProxyProperties(p: ProxyProperties): ecs.CfnTaskDefinition.KeyValuePairProperty[] {
  const properties: ecs.CfnTaskDefinition.KeyValuePairProperty[] = [
    { name: 'IgnoredUID', value: String(ENVOY_UID) },
    { name: 'ProxyIngressPort', value: String(PROXY_INGRESS_PORT) },
    { name: 'ProxyEgressPort', value: String(PROXY_EGRESS_PORT) },
  ];
  properties.push({ name: 'AppPorts', value: p.appPorts.map((port) => Tokenization.stringifyNumber(port)).join(',') });
  properties.push({ name: 'EgressIgnoredIPs', value: p.egressIgnoredIPs.join(',') });
  if (p.egressIgnoredPorts.length > 0) {
    properties.push({ name: 'EgressIgnoredPorts', value: p.egressIgnoredPorts.join(',') });
  }
  if (p.ignoredGid !== undefined) {
    properties.push({ name: 'IgnoredGID', value: String(p.ignoredGid) });
  }
  return properties;
}
