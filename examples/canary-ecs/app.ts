// The App Mesh canary (serviceA → serviceb.apps.local → serviceB 75 % / serviceBv2 25 %) on
// ECS Fargate: the mesh from examples/canary, its control plane, and one Fargate service
// with an Envoy sidecar per virtual node.
//
// Synthesize: npx cdk synth --app "npx ts-node --transpile-only examples/canary-ecs/app.ts"
// Shift traffic: add -c canaryWeights=0/100 (only the delivered spec changes; no task restarts)
// Pre-built control plane: add -c controlPlaneImage=<image uri> (no Docker build)
import { App, Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cloudmap from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import * as appmesh from '../../src';
import { canaryWeights, CanaryStack, CanaryStackProps } from '../canary/app';

/** Properties of the ECS canary stack. */
export interface CanaryEcsStackProps extends CanaryStackProps {
  /**
   * Control-plane image.
   * @default - built from this package's runtime (lib-runtime/Dockerfile)
   */
  readonly controlPlaneImage?: ecs.ContainerImage;
}

/** The canary mesh, its control plane, and serviceA / serviceB / serviceBv2 on Fargate. */
export class CanaryEcsStack extends CanaryStack {
  public readonly controlPlane: appmesh.ControlPlane;
  public readonly services: Record<string, appmesh.MeshFargateService> = {};

  constructor(scope: Construct, id: string, props: CanaryEcsStackProps = {}) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      flowLogs: { all: { trafficType: ec2.FlowLogTrafficType.REJECT } },
    });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    this.controlPlane = new appmesh.ControlPlane(this, 'ControlPlane', {
      mesh: this.mesh,
      vpc,
      cluster,
      image: props.controlPlaneImage,
    });

    // The nodes discover each other by DNS (serviceb.apps.local ...): ECS registers each
    // service's tasks in this namespace, the services find their node by hostname.
    const namespace = new cloudmap.PrivateDnsNamespace(this, 'AppsNamespace', { vpc, name: 'apps.local' });
    const appLogs = new logs.LogGroup(this, 'AppLogs', { retention: logs.RetentionDays.ONE_MONTH });

    const workloads: [nodeId: string, dnsLabel: string][] = [
      ['serviceA', 'servicea'],
      ['serviceB', 'serviceb'],
      ['serviceBv2', 'servicebv2'],
    ];
    for (const [nodeId, dnsLabel] of workloads) {
      namespace.createService(`${nodeId}Discovery`, {
        name: dnsLabel,
        dnsRecordType: cloudmap.DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
        customHealthCheck: { failureThreshold: 2 },
      });
      const taskDefinition = new ecs.FargateTaskDefinition(this, `${nodeId}Task`, { cpu: 256, memoryLimitMiB: 512 });
      taskDefinition.addContainer('app', {
        // A stand-in for the real service: answers /ping on 8080.
        image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-alpine'),
        entryPoint: ['/bin/sh', '-c'],
        command: ['mkdir -p /tmp/www && cd /tmp/www && echo pong > ping && exec python -m http.server 8080'],
        portMappings: [{ containerPort: 8080 }],
        essential: true,
        logging: ecs.LogDrivers.awsLogs({ logGroup: appLogs, streamPrefix: nodeId }),
      });
      this.services[nodeId] = new appmesh.MeshFargateService(this, `${nodeId}Workload`, {
        cluster,
        taskDefinition,
        virtualNode: this.mesh.node.findChild(nodeId) as appmesh.VirtualNode,
        controlPlane: this.controlPlane,
      });
    }
    // serviceA calls serviceB's versions; its Envoy connects to their tasks on the app port.
    for (const target of ['serviceB', 'serviceBv2']) {
      this.services[target].connections.allowFrom(this.services.serviceA, ec2.Port.tcp(8080), 'serviceA to ' + target);
    }
  }
}

/** The example app; `-c controlPlaneImage=<uri>` runs a pre-built control-plane image instead of building one. */
export function buildCanaryEcsApp(app: App): CanaryEcsStack {
  const imageUri: string | undefined = app.node.tryGetContext('controlPlaneImage');
  return new CanaryEcsStack(app, 'CanaryEcs', {
    weights: canaryWeights(app),
    controlPlaneImage: imageUri ? ecs.ContainerImage.fromRegistry(imageUri) : undefined,
  });
}

if (require.main === module) {
  const app = new App();
  buildCanaryEcsApp(app);
  app.synth();
}
