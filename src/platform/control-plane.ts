import { Annotations, Aws, Duration, Lazy, Token, Validations } from 'aws-cdk-lib';
import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cloudmap from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { IMesh } from '../mesh';
import { ControlPlaneSecrets } from './private/control-plane-secrets';
import { loopbackHttpProbe } from './private/loopback-http-probe';
import { runtimeImageAsset } from './private/runtime-image';
import { IMeshSpecDelivery, MeshSpecAppConfigDelivery, SpecDelivery } from './spec-delivery';

/** Default gRPC port of the control plane (the runtime's `--xds-port` default). */
export const DEFAULT_XDS_PORT = 18000;

/** Default admin HTTP port of the control plane (`--admin-port`): /healthz, /readyz, /metrics. */
export const DEFAULT_CONTROL_PLANE_ADMIN_PORT = 18001;

/** Default port of the certificate exchange (`--exchange-port`), HTTPS. */
export const DEFAULT_EXCHANGE_PORT = 18002;

/** Default SPIFFE trust domain of the mesh certificates (the runtime's `--trust-domain` default). */
export const DEFAULT_TRUST_DOMAIN = 'open-app-mesh.internal';

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
   * Serve xDS in plaintext, without node identity and without the certificate exchange: any
   * client that reaches the xDS port can read any node's configuration, and mesh TLS from the
   * control plane's CA is not available. For trials only; synthesis warns.
   *
   * By default xDS is mutual TLS: the control plane's CA root lives in a Secrets Manager secret
   * this construct creates, each proxy task runs the `open-app-mesh agent` beside Envoy, which
   * proves the task role to the control plane and serves Envoy its certificate over SDS.
   * @default false
   */
  readonly insecurePlaintext?: boolean;

  /**
   * SPIFFE trust domain of the mesh's certificates (`spiffe://<trust domain>/mesh/<mesh>/...`).
   * @default 'open-app-mesh.internal'
   */
  readonly trustDomain?: string;

  /**
   * Port of the certificate exchange (HTTPS), where agents trade a signed proof of their task
   * role for a certificate.
   * @default 18002
   */
  readonly exchangePort?: number;

  /**
   * An ACM Private CA as the root of the mesh's certificates (`--ca-acm-pca-arn`): the control
   * plane has it certify the control plane's own signing key as a subordinate CA (path length 0,
   * one certificate per rotation) and signs workload certificates itself, so they chain to this
   * CA, whose certificate joins the trust bundle. The task role may issue only with the
   * `SubordinateCACertificate_PathLen0/V1` template on this CA, and read certificates back.
   * Give the mesh a CA of its own: the mesh trusts whatever this CA certifies.
   *
   * A mesh whose CA secret already holds a root keeps it until `open-app-mesh ca rotate` moves it.
   * @default - a root the control plane makes and keeps in the CA secret
   */
  readonly certificateAuthority?: acmpca.ICertificateAuthority;

  /**
   * Subnets of the tasks.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * How the spec reaches the control plane: `SpecDelivery.s3()` or `SpecDelivery.appConfig()`.
   * @default - SpecDelivery.s3() with `specBucket` and `specBucketAccessLogs`
   */
  readonly specDelivery?: SpecDelivery;

  /**
   * Bucket the spec is delivered to (S3 delivery only).
   * @default - a new encrypted, versioned, SSL-only bucket
   */
  readonly specBucket?: s3.IBucket;

  /**
   * Access-log bucket of the new spec bucket.
   * @default - no access logs
   */
  readonly specBucketAccessLogs?: s3.IBucket;

  /**
   * How often the runtime checks the spec for a new version (`--spec-poll-interval`); with
   * AppConfig the session's minimum poll interval, at least 15 seconds.
   * @default - the runtime's default (10 seconds for S3; AppConfig's, 60 seconds)
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
 * Availability Zones, registered in Cloud Map as `xds.<namespace>` (A records, so every replica
 * is seen), with container health checks, CloudWatch logs, a security group that admits xDS
 * and the certificate exchange only from what `allowFrom` names, and a task role that can read
 * the spec object and discover Cloud Map instances of the mesh's namespaces.
 *
 * Secure by default: xDS is mutual TLS with node identity on every stream. The mesh CA's root
 * is kept in a Secrets Manager secret created here without a value (the first replica creates
 * the root on its first start; only the task role may read or write it); the roots'
 * certificates are published to a second secret that proxy tasks read, so they trust the control
 * plane without trust on first use. The admin port stays inside the task (127.0.0.1; the health
 * check runs there). `insecurePlaintext: true` turns all of that off, with a warning.
 *
 * The spec is delivered to S3 on every deploy (MeshSpecDelivery), or through AppConfig
 * (`specDelivery: SpecDelivery.appConfig()`); the runtime polls it and hot-reloads, so a mesh
 * change changes no task definition and restarts nothing.
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

  /** Whether xDS is served in plaintext without node identity (`insecurePlaintext`). */
  public readonly insecurePlaintext: boolean;

  /** Port of the certificate exchange (HTTPS); not listening with `insecurePlaintext`. */
  public readonly exchangePort: number;

  /** SPIFFE trust domain of the mesh's certificates. */
  public readonly trustDomain: string;

  /**
   * The id an agent signs into its AWS IAM proof (`--server-id`), so a proof made for this
   * control plane is refused by any other: its DNS name.
   */
  public readonly serverId: string;

  /** Image of the control plane; proxy tasks run the agent from it. */
  public readonly image: ecs.ContainerImage;

  /** The secret holding the mesh CA root, key included (undefined with `insecurePlaintext`). */
  public readonly caSecret?: secretsmanager.ISecret;

  /** The secret the control plane publishes the CA roots' certificates to (undefined with `insecurePlaintext`). */
  public readonly trustBundleSecret?: secretsmanager.ISecret;

  /** The ACM Private CA at the root of the mesh's certificates, if one was given. */
  public readonly certificateAuthority?: acmpca.ICertificateAuthority;

  /** Cloud Map service of the control plane. */
  public readonly cloudMapService: cloudmap.IService;

  /** Where the spec is delivered. */
  public readonly specDelivery: IMeshSpecDelivery;

  /** Log group of the control plane's containers. */
  public readonly logGroup: logs.ILogGroup;

  /** The mesh served. */
  public readonly mesh: IMesh;

  constructor(scope: Construct, id: string, props: ControlPlaneProps) {
    super(scope, id);
    this.mesh = props.mesh;
    this.xdsPort = props.xdsPort ?? DEFAULT_XDS_PORT;
    this.exchangePort = props.exchangePort ?? DEFAULT_EXCHANGE_PORT;
    this.insecurePlaintext = props.insecurePlaintext ?? false;
    this.trustDomain = props.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    this.image = props.image ?? ControlPlane.bundledImage();
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
    this.serverId = this.xdsHost;

    if (props.specDelivery !== undefined && (props.specBucket !== undefined || props.specBucketAccessLogs !== undefined)) {
      throw new Error(`[${this.node.path}] specBucket and specBucketAccessLogs go with the default S3 delivery; pass them to SpecDelivery.s3() instead`);
    }
    const delivery = props.specDelivery ?? SpecDelivery.s3({ bucket: props.specBucket, serverAccessLogsBucket: props.specBucketAccessLogs });
    this.specDelivery = delivery.bind(this, 'Spec', props.mesh);
    if (this.specDelivery instanceof MeshSpecAppConfigDelivery && props.specPollInterval !== undefined
      && !props.specPollInterval.isUnresolved() && props.specPollInterval.toMilliseconds() < 15_000) {
      throw new Error(`[${this.node.path}] specPollInterval is ${props.specPollInterval.toHumanString()}; AppConfig allows no poll interval under 15 seconds`);
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu ?? 512,
      memoryLimitMiB: props.memoryLimitMiB ?? 1024,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const endpoints = props.endpointSources ?? ['cloudmap'];
    let trustFlags: string[];
    if (this.insecurePlaintext) {
      if (props.certificateAuthority !== undefined) {
        throw new Error(`[${this.node.path}] certificateAuthority cannot go with insecurePlaintext, which runs no CA`);
      }
      trustFlags = ['--insecure-plaintext'];
      Annotations.of(this).addWarningV2('open-app-mesh:control-plane-insecure-plaintext',
        'insecurePlaintext: xDS is served without TLS and without node identity, so any client that reaches the xDS port can read '
        + 'any node\'s configuration, and mesh TLS from the control plane\'s CA is unavailable. For trials only');
    } else {
      const secrets = new ControlPlaneSecrets(this, 'Trust', this.taskDefinition.taskRole);
      this.caSecret = secrets.caRoot;
      this.trustBundleSecret = secrets.trustBundle;
      trustFlags = [
        '--trust-domain', this.trustDomain,
        '--server-id', this.serverId,
        '--tls-names', this.xdsHost,
        '--ca-secret-arn', secrets.caRoot.secretArn,
        '--ca-bundle-secret-arn', secrets.trustBundle.secretArn,
        '--exchange-port', String(this.exchangePort),
      ];
      if (props.certificateAuthority !== undefined) {
        this.certificateAuthority = props.certificateAuthority;
        trustFlags.push('--ca-acm-pca-arn', props.certificateAuthority.certificateAuthorityArn);
        this.grantSubordinateCa(props.certificateAuthority);
      }
    }
    const container = this.taskDefinition.addContainer('control-plane', {
      image: this.image,
      essential: true,
      // Arguments only: the image's entry point is the runtime's CLI.
      command: [
        '--spec', this.specDelivery.specUrl,
        ...(props.specPollInterval !== undefined ? ['--spec-poll-interval', String(props.specPollInterval.toMilliseconds())] : []),
        ...endpoints.flatMap((e) => ['--endpoints', e]),
        '--xds-port', String(this.xdsPort),
        '--admin-port', String(adminPort),
        // Admin (config dump, clients) stays inside the task; the health check runs there.
        '--admin-bind', '127.0.0.1',
        ...trustFlags,
        '--region', Aws.REGION,
        '--log-level', props.logLevel ?? 'info',
      ],
      portMappings: [
        { name: 'xds', containerPort: this.xdsPort, protocol: ecs.Protocol.TCP },
        ...(this.insecurePlaintext ? [] : [{ name: 'exchange', containerPort: this.exchangePort, protocol: ecs.Protocol.TCP }]),
      ],
      healthCheck: {
        command: ['CMD', 'node', '-e', loopbackHttpProbe(adminPort, '/healthz')],
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
      description: 'open-app-mesh control plane: xDS and certificate exchange from mesh workloads only',
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

  /**
   * Admit xDS (gRPC on the xDS port) and the certificate exchange from `peer`, e.g. a mesh
   * workload's service.
   */
  public allowFrom(peer: ec2.IConnectable, description?: string): void {
    const what = description ?? 'xDS from a mesh workload';
    this.service.connections.allowFrom(peer, ec2.Port.tcp(this.xdsPort), what);
    if (!this.insecurePlaintext) {
      this.service.connections.allowFrom(peer, ec2.Port.tcp(this.exchangePort), `${what}: certificate exchange`);
    }
  }

  /**
   * Create `service`, whose tasks run proxies of the mesh, only once the control plane's service
   * is stable: with TLS its tasks cannot start before the control plane has published the trust
   * bundle on its first start (ECS injects it), and failing tasks would trip their service's
   * deployment circuit breaker.
   */
  public addProxyService(service: ecs.BaseService): void {
    // Between the two AWS::ECS::Service resources only: the rest (security groups...) need not wait.
    if (!this.insecurePlaintext) service.node.defaultChild!.node.addDependency(this.service.node.defaultChild!);
  }

  /** The HTTPS URL of the certificate exchange, as agents reach it (`--control-plane`). */
  public get exchangeUrl(): string {
    return `https://${this.xdsHost}:${this.exchangePort}`;
  }


  /** What the runtime's ACM Private CA signing source calls, on that CA only. */
  private grantSubordinateCa(authority: acmpca.ICertificateAuthority): void {
    const role = this.taskDefinition.taskRole;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'CertifyMeshSigningCa',
      actions: ['acm-pca:IssueCertificate'],
      resources: [authority.certificateAuthorityArn],
      // Only a CA certificate that can sign nothing but leaves: never another CA, never a leaf of its own choosing.
      conditions: { StringEquals: { 'acm-pca:TemplateArn': `arn:${Aws.PARTITION}:acm-pca:::template/SubordinateCACertificate_PathLen0/V1` } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadMeshCaCertificates',
      actions: ['acm-pca:GetCertificate', 'acm-pca:GetCertificateAuthorityCertificate'],
      resources: [authority.certificateAuthorityArn],
    }));
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

/** A mesh name as one DNS label: lower case, characters other than letters, digits and '-' replaced. */
function dnsLabel(name: string): string {
  const label = name.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return label.length > 0 ? label : 'mesh';
}
