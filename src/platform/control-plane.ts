import { Aws, Duration, Lazy, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cloudmap from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { IMesh } from '../mesh';
import { runtimeImageAsset } from './private/runtime-image';
import { MeshSpecDelivery } from './spec-delivery';

/** Default gRPC port of the control plane (the runtime's `--xds-port` default). */
export const DEFAULT_XDS_PORT = 18000;

/** Default admin HTTP port of the control plane (`--admin-port`): /healthz, /readyz, /metrics. */
export const DEFAULT_CONTROL_PLANE_ADMIN_PORT = 18001;

/** Properties of a ControlPlane. */
export interface ControlPlaneProps {
  /** The mesh this control plane serves (one control plane per mesh). */
  readonly mesh: IMesh;

  /** VPC to run in; its subnets should span at least two Availability Zones. */
  readonly vpc: ec2.IVpc;

  /**
   * ECS cluster to run in.
   * @default - a new Fargate cluster in `vpc` with Container Insights
   */
  readonly cluster?: ecs.ICluster;

  /**
   * Image of the control plane.
   * @default - built from the runtime bundled with this library (lib-runtime/Dockerfile) as a CDK image asset
   */
  readonly image?: ecs.ContainerImage;

  /**
   * Number of tasks; Fargate spreads them over the subnets' Availability Zones.
   * @default 2
   */
  readonly desiredCount?: number;

  /**
   * Private DNS namespace in which the control plane registers as `<serviceName>.<namespace>`.
   * @default - a new namespace `<meshName>.open-app-mesh.local` in `vpc`
   */
  readonly namespace?: cloudmap.IPrivateDnsNamespace;

  /**
   * Cloud Map service name of the control plane.
   * @default 'xds'
   */
  readonly serviceName?: string;

  /**
   * xDS port.
   * @default 18000
   */
  readonly xdsPort?: number;

  /**
   * Subnets of the tasks.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Bucket the spec is delivered to.
   * @default - a new encrypted, versioned, SSL-only bucket
   */
  readonly specBucket?: s3.IBucket;

  /**
   * Access-log bucket of the new spec bucket.
   * @default - no access logs
   */
  readonly specBucketAccessLogs?: s3.IBucket;

  /**
   * How often the runtime checks the spec object for a new version (`--spec-poll-interval`).
   * @default - the runtime's default (10 seconds)
   */
  readonly specPollInterval?: Duration;

  /**
   * How the runtime finds endpoints (`--endpoints` values).
   * @default ['cloudmap'] - Cloud Map for nodes that use it; DNS nodes are resolved by Envoy
   */
  readonly endpointSources?: string[];

  /**
   * Log level of the runtime: debug, info, warn or error.
   * @default 'info'
   */
  readonly logLevel?: string;

  /**
   * Retention of the control plane's logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

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
 * The open-app-mesh control plane of one mesh on ECS Fargate: at least two tasks in different
 * Availability Zones, registered in Cloud Map as `xds.<namespace>` (A records, so Envoy's
 * STRICT_DNS cluster sees every replica), with container health checks, CloudWatch logs, a
 * security group that admits xDS only from what `allowFrom` names, and a task role that can
 * read the spec object and discover Cloud Map instances of the mesh's namespaces.
 *
 * The spec is delivered to S3 on every deploy (MeshSpecDelivery); the runtime polls it and
 * hot-reloads, so a mesh change changes no task definition and restarts nothing.
 */
export class ControlPlane extends Construct {
  /**
   * The control-plane image built from this package: the package root as build context,
   * `lib-runtime/Dockerfile`, only the runtime's files staged.
   */
  public static bundledImage(): ecs.ContainerImage {
    return runtimeImageAsset();
  }

  /** The Fargate service running the control plane. */
  public readonly service: ecs.FargateService;

  /** The task definition of the control plane. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;

  /** DNS name proxies use for xDS, `<serviceName>.<namespace>`. */
  public readonly xdsHost: string;

  /** xDS port. */
  public readonly xdsPort: number;

  /** Cloud Map service of the control plane. */
  public readonly cloudMapService: cloudmap.IService;

  /** Where the spec is delivered. */
  public readonly specDelivery: MeshSpecDelivery;

  /** Log group of the control plane's containers. */
  public readonly logGroup: logs.ILogGroup;

  /** The mesh served. */
  public readonly mesh: IMesh;

  constructor(scope: Construct, id: string, props: ControlPlaneProps) {
    super(scope, id);
    this.mesh = props.mesh;
    this.xdsPort = props.xdsPort ?? DEFAULT_XDS_PORT;
    const adminPort = DEFAULT_CONTROL_PLANE_ADMIN_PORT;
    const desiredCount = props.desiredCount ?? 2;
    if (!Token.isUnresolved(desiredCount) && desiredCount < 2) {
      throw new Error(`[${this.node.path}] a control plane needs at least 2 tasks (in different Availability Zones), got desiredCount ${desiredCount}`);
    }
    this.node.addValidation({ validate: () => this.checkZones(props) });

    const cluster = props.cluster ?? new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    const meshName = props.mesh.meshName;
    const namespace = props.namespace ?? new cloudmap.PrivateDnsNamespace(this, 'Namespace', {
      vpc: props.vpc,
      name: Token.isUnresolved(meshName) ? 'open-app-mesh.local' : `${dnsLabel(meshName)}.open-app-mesh.local`,
      description: 'Service discovery of the open-app-mesh control plane',
    });
    const serviceName = props.serviceName ?? 'xds';
    this.xdsHost = `${serviceName}.${namespace.namespaceName}`;

    this.specDelivery = new MeshSpecDelivery(this, 'Spec', {
      mesh: props.mesh,
      bucket: props.specBucket,
      serverAccessLogsBucket: props.specBucketAccessLogs,
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu ?? 512,
      memoryLimitMiB: props.memoryLimitMiB ?? 1024,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const endpoints = props.endpointSources ?? ['cloudmap'];
    const container = this.taskDefinition.addContainer('control-plane', {
      image: props.image ?? ControlPlane.bundledImage(),
      essential: true,
      // Arguments only: the image's entry point is the runtime's CLI.
      command: [
        '--spec', this.specDelivery.specUrl,
        ...(props.specPollInterval !== undefined ? ['--spec-poll-interval', String(props.specPollInterval.toMilliseconds())] : []),
        ...endpoints.flatMap((e) => ['--endpoints', e]),
        '--xds-port', String(this.xdsPort),
        '--admin-port', String(adminPort),
        '--region', Aws.REGION,
        '--log-level', props.logLevel ?? 'info',
      ],
      portMappings: [
        { name: 'xds', containerPort: this.xdsPort, protocol: ecs.Protocol.TCP },
        { name: 'admin', containerPort: adminPort, protocol: ecs.Protocol.TCP },
      ],
      healthCheck: {
        // The runtime image has node, not necessarily curl.
        command: ['CMD', 'node', '-e', healthProbe(adminPort)],
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(20),
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'control-plane' }),
      readonlyRootFilesystem: true,
      stopTimeout: Duration.seconds(30),
    });
    container.addUlimits({ name: ecs.UlimitName.NOFILE, softLimit: 65536, hardLimit: 65536 });
    if (this.taskDefinition.executionRole !== undefined) {
      // Pulling from ECR (the bundled image asset) needs ecr:GetAuthorizationToken, which has no resource ARNs.
      Validations.of(this.taskDefinition.executionRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ecr:GetAuthorizationToken (added by aws-cdk-lib to pull the image from ECR) supports no resource-level permissions',
      });
    }

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'open-app-mesh control plane: xDS from mesh workloads only',
      allowAllOutbound: true,
    });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition: this.taskDefinition,
      desiredCount,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      securityGroups: [securityGroup],
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
      cloudMapOptions: {
        name: serviceName,
        cloudMapNamespace: namespace,
        dnsRecordType: cloudmap.DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
        failureThreshold: 2,
      },
    });
    this.cloudMapService = this.service.cloudMapService!;

    this.specDelivery.grantRead(this.taskDefinition.taskRole);
    this.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'DiscoverMeshEndpoints',
      actions: ['servicediscovery:DiscoverInstances'],
      // DiscoverInstances has no resource-level permissions; it is limited to the mesh's
      // namespaces by condition (known once the app is complete, hence Lazy).
      resources: ['*'],
      conditions: {
        StringEquals: {
          'servicediscovery:NamespaceName': Lazy.list({ produce: () => this.discoveryNamespaces() }),
        },
      },
    }));
    Validations.of(this.taskDefinition.taskRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'servicediscovery:DiscoverInstances supports no resource ARNs; the statement is limited by the servicediscovery:NamespaceName condition',
    });
  }

  /** Admit xDS (gRPC on the xDS port) from `peer`, e.g. a mesh workload's service. */
  public allowFrom(peer: ec2.IConnectable, description?: string): void {
    this.service.connections.allowFrom(peer, ec2.Port.tcp(this.xdsPort), description ?? 'xDS from a mesh workload');
  }


  /** Cloud Map namespaces named by the mesh's virtual nodes (the runtime looks them up). */
  private discoveryNamespaces(): string[] {
    const document = this.specDelivery.deliveredDocument;
    const names = new Set<string>();
    for (const node of document?.virtualNodes ?? []) {
      const namespaceName = node.spec.serviceDiscovery?.awsCloudMap?.namespaceName;
      if (namespaceName !== undefined) names.add(namespaceName);
    }
    if (names.size === 0) {
      // Nothing to discover: a name no namespace can have keeps the statement inert.
      return ['none.invalid'];
    }
    return [...names].sort();
  }

  private checkZones(props: ControlPlaneProps): string[] {
    const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    const zones = new Set(subnets.availabilityZones.filter((z) => !Token.isUnresolved(z)));
    if (zones.size > 0 && zones.size < 2) {
      return [`the control plane's subnets span ${zones.size} Availability Zone; at least 2 are needed for high availability`];
    }
    return [];
  }
}

/** Exits 0 when the runtime's /healthz answers 200 within 3 s. */
function healthProbe(port: number): string {
  return `require('http').get({host:'127.0.0.1',port:${port},path:'/healthz',timeout:3000},`
    + '(r)=>process.exit(r.statusCode===200?0:1)).on(\'error\',()=>process.exit(1))';
}

/** A mesh name as one DNS label: lower case, characters other than letters, digits and '-' replaced. */
function dnsLabel(name: string): string {
  const label = name.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return label.length > 0 ? label : 'mesh';
}
