import { Duration, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { proxyNodeId } from '../../private/names';
import { IVirtualGateway } from '../../virtual-gateway';
import { ControlPlane } from '../control-plane';
import { addEnvoyContainer, ENVOY_CONTAINER_NAME, EnvoyContainerOptions } from './envoy-container';
import { listenerPortsOf, renderedSpecOf } from '../private/mesh-member';

/** Properties of a GatewayFargateService. */
export interface GatewayFargateServiceProps extends EnvoyContainerOptions {
  /** Cluster to run in. */
  readonly cluster: ecs.ICluster;

  /** The virtual gateway the tasks are proxies of. */
  readonly virtualGateway: IVirtualGateway;

  /** The control plane the gateway streams its configuration from. */
  readonly controlPlane: ControlPlane;

  /**
   * Ports the gateway listens on.
   * @default - the gateway's listener ports (required for an imported gateway)
   */
  readonly listenerPorts?: number[];

  /**
   * Number of tasks.
   * @default 2
   */
  readonly desiredCount?: number;

  /**
   * Whether the load balancer is reachable from the internet.
   * @default false
   */
  readonly internetFacing?: boolean;

  /**
   * Subnets of the tasks.
   * @default - the cluster VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * CPU units per task.
   * @default 512
   */
  readonly cpu?: number;

  /**
   * Memory per task, MiB.
   * @default 1024
   */
  readonly memoryLimitMiB?: number;
}

/**
 * A virtual gateway on ECS Fargate: Envoy is the main container (no proxy configuration; it
 * binds the gateway's listener ports itself), behind a Network Load Balancer with one TCP
 * listener per gateway listener port.
 */
export class GatewayFargateService extends Construct {
  /** The ECS service. */
  public readonly service: ecs.FargateService;

  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;

  /** The Envoy container. */
  public readonly container: ecs.ContainerDefinition;

  /** The load balancer in front of the gateway. */
  public readonly loadBalancer: elbv2.NetworkLoadBalancer;

  constructor(scope: Construct, id: string, props: GatewayFargateServiceProps) {
    super(scope, id);
    const ports = props.listenerPorts ?? this.gatewayPorts(props.virtualGateway);
    if (ports.length === 0) throw new Error(`[${this.node.path}] the gateway has no listener ports`);

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu ?? 512,
      memoryLimitMiB: props.memoryLimitMiB ?? 1024,
    });
    this.container = addEnvoyContainer(this, this.taskDefinition, proxyNodeId(props.virtualGateway.mesh.meshName, 'virtualGateway', props.virtualGateway.virtualGatewayName), props.controlPlane, props, {
      portMappings: ports.map((port) => ({ containerPort: port, protocol: ecs.Protocol.TCP })),
      // Envoy runs as 1337; let it bind ports below 1024 (namespaced sysctl, allowed on Fargate).
      ...(ports.some((p) => p < 1024) ? { systemControls: [{ namespace: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] } : {}),
    });
    props.virtualGateway.grantStreamAggregatedResources(this.taskDefinition.taskRole);

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.desiredCount ?? 2,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
    });
    props.controlPlane.allowFrom(this.service, `xDS from gateway ${props.virtualGateway.node.id}`);
    props.controlPlane.addProxyService(this.service);

    const vpc = props.cluster.vpc;
    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: props.internetFacing ?? false,
      crossZoneEnabled: true,
    });
    for (const port of ports) {
      const listener = this.loadBalancer.addListener(`Listener${port}`, { port, protocol: elbv2.Protocol.TCP });
      listener.addTargets(`Target${port}`, {
        port,
        protocol: elbv2.Protocol.TCP,
        targets: [this.service.loadBalancerTarget({ containerName: ENVOY_CONTAINER_NAME, containerPort: port })],
        healthCheck: { protocol: elbv2.Protocol.TCP, interval: Duration.seconds(10) },
        deregistrationDelay: Duration.seconds(20),
      });
      // The NLB forwards from its addresses inside the VPC (client IPs are not preserved
      // for IP targets by default), which also carry its health checks.
      this.service.connections.allowFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(port), `gateway listener ${port} from the load balancer`);
    }
    Validations.of(this.service).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'The gateway tasks admit their listener ports from the VPC CIDR (where the NLB forwards from), a reference cdk-nag cannot evaluate; never 0.0.0.0/0',
    });
  }

  private gatewayPorts(gateway: IVirtualGateway): number[] {
    const rendered = renderedSpecOf(gateway);
    if (rendered === undefined) throw new Error(`[${this.node.path}] the virtual gateway is imported: pass listenerPorts`);
    return listenerPortsOf(rendered);
  }
}
