import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { EnvoySidecar, EnvoySidecarOptions } from './envoy-sidecar';
import { IVirtualNode } from '../../virtual-node';

/** Properties of a MeshFargateService. */
export interface MeshFargateServiceProps extends EnvoySidecarOptions {
  /** Cluster to run in. */
  readonly cluster: ecs.ICluster;

  /** Fargate task definition holding the application container(s). */
  readonly taskDefinition: ecs.FargateTaskDefinition;

  /** The virtual node the service's tasks are members of. */
  readonly virtualNode: IVirtualNode;

  /**
   * Number of tasks.
   * @default 2
   */
  readonly desiredCount?: number;

  /**
   * Subnets of the tasks.
   * @default - the cluster VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the tasks.
   * @default - a new security group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * A Fargate service whose tasks are members of a virtual node, in one call: the Envoy
 * sidecar and proxy configuration on the task definition, registration of the tasks in the
 * node's Cloud Map service, and xDS access to the control plane.
 */
export class MeshFargateService extends Construct {
  /** The ECS service. */
  public readonly service: ecs.FargateService;

  /** The sidecar added to the task definition. */
  public readonly sidecar: EnvoySidecar;

  /** Security-group access to the service's tasks. */
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: MeshFargateServiceProps) {
    super(scope, id);
    this.sidecar = EnvoySidecar.addTo(props.taskDefinition, props.virtualNode, props);
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: props.taskDefinition,
      desiredCount: props.desiredCount ?? 2,
      // App Mesh's ECS guidance: keep all tasks while replacements come up.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: props.securityGroups,
      assignPublicIp: false,
    });
    this.sidecar.joinService(this.service);
    this.connections = this.service.connections;
  }
}
