import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cloudmap from 'aws-cdk-lib/aws-servicediscovery';
import * as appmesh from '../../src';

/** Image used where a test does not look at the control-plane image (no asset staging). */
export const TEST_CONTROL_PLANE_IMAGE = 'registry.example.com/open-app-mesh/control-plane:test';

/** A stack with a VPC over two zones, a cluster, a mesh with one Cloud Map node, and a control plane. */
export class PlatformFixture {
  public readonly app: App;
  public readonly stack: Stack;
  public readonly vpc: ec2.Vpc;
  public readonly cluster: ecs.Cluster;
  public readonly mesh: appmesh.Mesh;
  public readonly namespace: cloudmap.PrivateDnsNamespace;
  public readonly backendService: cloudmap.Service;
  public readonly backend: appmesh.VirtualNode;
  public readonly controlPlane: appmesh.ControlPlane;

  constructor(props: { stackProps?: StackProps; controlPlane?: Partial<appmesh.ControlPlaneProps> } = {}) {
    this.app = new App();
    this.stack = new Stack(this.app, 'Platform', props.stackProps);
    this.vpc = new ec2.Vpc(this.stack, 'Vpc', { maxAzs: 2, natGateways: 1, flowLogs: { all: { trafficType: ec2.FlowLogTrafficType.REJECT } } });
    this.cluster = new ecs.Cluster(this.stack, 'Cluster', { vpc: this.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    this.mesh = new appmesh.Mesh(this.stack, 'Mesh', { meshName: 'shop' });
    this.namespace = new cloudmap.PrivateDnsNamespace(this.stack, 'Namespace', { vpc: this.vpc, name: 'shop.local' });
    this.backendService = this.namespace.createService('Backend', { name: 'backend', dnsRecordType: cloudmap.DnsRecordType.A, dnsTtl: Duration.seconds(10) });
    this.backend = this.mesh.addVirtualNode('backend', {
      virtualNodeName: 'backend',
      serviceDiscovery: appmesh.ServiceDiscovery.cloudMap(this.backendService),
      listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
    });
    this.controlPlane = new appmesh.ControlPlane(this.stack, 'ControlPlane', {
      mesh: this.mesh,
      vpc: this.vpc,
      cluster: this.cluster,
      image: ecs.ContainerImage.fromRegistry(TEST_CONTROL_PLANE_IMAGE),
      ...props.controlPlane,
    });
  }

  /** A Fargate task definition with an application container listening on `port`. */
  public appTaskDefinition(id: string, port = 8080): ecs.FargateTaskDefinition {
    const taskDefinition = new ecs.FargateTaskDefinition(this.stack, id, { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('app', {
      image: ecs.ContainerImage.fromRegistry('registry.example.com/app:1'),
      portMappings: [{ containerPort: port }],
      essential: true,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: id, logRetention: logs.RetentionDays.ONE_WEEK }),
    });
    return taskDefinition;
  }

  /** Adds the virtual node `frontend` (DNS, HTTP 8080): created after the control plane, it must still reach the delivered spec. */
  public addFrontendNode(): appmesh.VirtualNode {
    return this.mesh.addVirtualNode('frontend', {
      virtualNodeName: 'frontend',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('frontend.shop.local'),
      listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
    });
  }
}

/** Logical ids of the resources of `type` in a template. */
export function resourcesOfType(template: { [key: string]: any }, type: string): Record<string, any> {
  return Object.fromEntries(Object.entries<any>(template.Resources ?? {}).filter(([, r]) => r.Type === type));
}

/** A container definition by name, from a template's task definition resource. */
export function containerNamed(taskDefinition: any, name: string): any {
  const container = taskDefinition.Properties.ContainerDefinitions.find((c: any) => c.Name === name);
  if (container === undefined) throw new Error(`no container ${name}`);
  return container;
}

/** The Envoy bootstrap carried in the Envoy container's command (upstream image). */
export function bootstrapOfCommand(command: string): any {
  const match = /^printf '%s' '(.*)' > \/tmp\/envoy-bootstrap\.json && exec envoy -c /.exec(command);
  if (match === null) throw new Error(`not an Envoy bootstrap command: ${command}`);
  return JSON.parse(match[1].replace(/'\\''/g, '\''));
}

/** The content of the spec object a synthesized stack delivers (read from the staged jsonData asset). */
export function deliveredSpecText(stack: Stack, assemblyDir: string, template: { [key: string]: any }, fileName: string): string {
  const deployments = Object.values(resourcesOfType(template, 'Custom::CDKBucketDeployment'));
  if (deployments.length !== 1) throw new Error(`expected one BucketDeployment in ${stack.stackName}, found ${deployments.length}`);
  const keys: unknown[] = deployments[0].Properties.SourceObjectKeys;
  for (const key of keys) {
    if (typeof key !== 'string') continue;
    const candidate = path.join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`, fileName);
    if (fs.existsSync(candidate)) return fs.readFileSync(candidate, 'utf8');
  }
  throw new Error(`no staged asset holds ${fileName}`);
}
