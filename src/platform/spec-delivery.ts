import { Aspects, IAspect, Lazy, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, IConstruct } from 'constructs';
import { IMesh } from '../mesh';
import { MeshSpecs } from '../mesh-specs';
import { collectMeshSpecs } from '../private/spec-builder';
import * as spec from '../spec';
import { acknowledgeGeneratedIamFindings } from './private/nag-acknowledgements';

/**
 * A mesh's spec as delivered to the control plane: where the runtime reads it (`--spec`) and
 * who may read it.
 */
export interface IMeshSpecDelivery extends IConstruct {
  /** What the control plane's `--spec` takes: `s3://bucket/key` or `appconfig://application/environment/profile`. */
  readonly specUrl: string;

  /** The document delivered (available once the app is synthesized). */
  readonly deliveredDocument?: spec.MeshSpecDocument;

  /** Let `grantee` read the spec (and nothing else). */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/** Options of the S3 delivery. */
export interface S3SpecDeliveryOptions {
  /**
   * Bucket to write the spec into. Its default is encrypted (S3-managed keys), versioned,
   * SSL-only and blocks public access.
   * @default - a new bucket
   */
  readonly bucket?: s3.IBucket;

  /**
   * Bucket for the new bucket's server access logs.
   * @default - no access logs (CloudTrail data events can audit reads instead)
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
}

/**
 * AppConfig's default limit on a hosted configuration: 2 MB (a service quota, which can be raised).
 */
export const APPCONFIG_HOSTED_CONFIGURATION_MAX_BYTES = 2 * 1024 * 1024;

/** Options of the AppConfig delivery. */
export interface AppConfigSpecDeliveryOptions {
  /**
   * AppConfig application the configuration profile goes into.
   * @default - a new application named after the mesh (`<mesh>-mesh`)
   */
  readonly application?: appconfig.IApplication;

  /**
   * Environment the spec is deployed to; it must belong to `application`.
   * @default - a new environment `control-plane` in the application
   */
  readonly environment?: appconfig.IEnvironment;

  /**
   * Alarms that roll a deployment back while it rolls out or bakes (monitors of the new environment).
   * Only used when the environment is created here.
   * @default - none: roll back by stopping the deployment (aws appconfig stop-deployment)
   */
  readonly monitors?: appconfig.Monitor[];

  /**
   * How a new spec rolls out to the control-plane replicas (each replica is one AppConfig client).
   * @default - AppConfig.Linear50PercentEvery30Seconds: half the replicas, then all, over a minute, then a minute of bake time
   */
  readonly deploymentStrategy?: appconfig.IDeploymentStrategy;

  /**
   * Largest spec accepted at synth, in bytes: AppConfig's hosted configuration limit. Raise it
   * only with the service quota.
   * @default APPCONFIG_HOSTED_CONFIGURATION_MAX_BYTES (2 MB)
   */
  readonly maxConfigurationBytes?: number;
}

/**
 * How a mesh's spec reaches the control plane: an S3 object (the default) or an AWS AppConfig
 * hosted configuration, deployed with a deployment strategy (gradual rollout, rollback on alarm).
 */
export abstract class SpecDelivery {
  /** An S3 object, written by a BucketDeployment on every deploy; the runtime polls it. */
  public static s3(options: S3SpecDeliveryOptions = {}): SpecDelivery {
    return new S3Delivery(options);
  }

  /**
   * An AppConfig hosted configuration version per spec change, deployed to an environment with
   * a deployment strategy; the runtime reads it through an AppConfig data plane session.
   */
  public static appConfig(options: AppConfigSpecDeliveryOptions = {}): SpecDelivery {
    return new AppConfigDelivery(options);
  }

  /** Creates the delivery of `mesh`'s spec under `scope`. */
  public abstract bind(scope: Construct, id: string, mesh: IMesh): IMeshSpecDelivery;
}

class S3Delivery extends SpecDelivery {
  constructor(private readonly options: S3SpecDeliveryOptions) {
    super();
  }

  public bind(scope: Construct, id: string, mesh: IMesh): IMeshSpecDelivery {
    return new MeshSpecDelivery(scope, id, { mesh, ...this.options });
  }
}

class AppConfigDelivery extends SpecDelivery {
  constructor(private readonly options: AppConfigSpecDeliveryOptions) {
    super();
  }

  public bind(scope: Construct, id: string, mesh: IMesh): IMeshSpecDelivery {
    return new MeshSpecAppConfigDelivery(scope, id, { mesh, ...this.options });
  }
}

/** Properties of a MeshSpecDelivery. */
export interface MeshSpecDeliveryProps extends S3SpecDeliveryOptions {
  /** The mesh whose spec document is delivered. */
  readonly mesh: IMesh;
}

/**
 * Delivers a mesh's spec document to S3 on every deploy, where CloudFormation resolves
 * its deploy-time values (ARNs, Cloud Map names): a BucketDeployment of
 * `Source.jsonData(<mesh>.mesh.json, document)`.
 *
 * The document is taken at synth, after the whole app is built, so routes, listeners and
 * grants added after this construct still count. A mesh change changes only this
 * deployment's source asset, which `cdk diff` shows; the control plane picks the new
 * object up by polling, nothing restarts.
 */
export class MeshSpecDelivery extends Construct implements IMeshSpecDelivery {
  /** The bucket holding the spec. */
  public readonly bucket: s3.IBucket;

  /** Key of the spec object. */
  public readonly objectKey: string;

  /** `s3://<bucket>/<key>`, what the control plane's `--spec` takes. */
  public readonly specUrl: string;

  private readonly mesh: IMesh;
  private deployment?: s3deploy.BucketDeployment;
  private document?: spec.MeshSpecDocument;
  private invalid = false;

  constructor(scope: Construct, id: string, props: MeshSpecDeliveryProps) {
    super(scope, id);
    this.mesh = props.mesh;
    this.bucket = props.bucket ?? new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
    });
    if (props.bucket === undefined && props.serverAccessLogsBucket === undefined) {
      Validations.of(this.bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason: 'The spec bucket holds one object written by CloudFormation and read by the control plane; pass serverAccessLogsBucket to log access',
      });
    }
    const meshName = props.mesh.meshName;
    this.objectKey = Token.isUnresolved(meshName) ? 'mesh.json' : MeshSpecs.assemblyFileName(meshName);
    this.specUrl = `s3://${this.bucket.bucketName}/${this.objectKey}`;

    // The deployment is created at synth (aspects run before validation and synthesis):
    // BucketDeployment renders its source when constructed.
    Aspects.of(this).add(new CreateDeployment(this));
  }

  /** Let `grantee` read the spec object (s3:GetObject on that key only). */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [this.bucket.arnForObjects(this.objectKey)],
    });
  }

  /** The document delivered (available once the app is synthesized). */
  public get deliveredDocument(): spec.MeshSpecDocument | undefined {
    return this.document;
  }

  /** @internal */
  public _createDeployment(): void {
    if (this.deployment !== undefined || this.invalid) return;
    const collected = collectMeshSpecs(this.mesh.node.root).find((c) => c.meshName === this.mesh.meshName);
    if (collected === undefined || collected.issues.length > 0) {
      // Nothing valid to deliver: synthesis fails in validation, where the resources' own
      // checks name each problem next to its construct.
      this.invalid = true;
      this.node.addValidation({
        validate: () => [collected === undefined
          ? `no mesh resources are defined for mesh '${this.mesh.meshName}': there is no spec to deliver`
          : `the spec of mesh '${this.mesh.meshName}' is invalid (${collected.issues.length} problem(s), reported on its resources); it is not delivered`],
      });
      return;
    }
    this.document = collected.document;
    this.deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [s3deploy.Source.jsonData(this.objectKey, this.document)],
      // Only the spec object is managed here; other objects in a shared bucket stay.
      prune: false,
      retainOnDelete: false,
      memoryLimit: 256,
    });
    acknowledgeBucketDeploymentHandler(Stack.of(this));
  }
}

class CreateDeployment implements IAspect {
  constructor(private readonly delivery: MeshSpecDelivery) {}

  public visit(node: IConstruct): void {
    if (node === this.delivery) this.delivery._createDeployment();
  }
}

/**
 * The BucketDeployment's handler is AWS-managed code (a singleton Lambda per stack): its
 * managed policy and wildcard S3 actions come from aws-cdk-lib and are not ours to narrow.
 */
function acknowledgeBucketDeploymentHandler(stack: Stack): void {
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('Custom::CDKBucketDeployment') || acknowledged.has(child)) continue;
    acknowledged.add(child);
    Validations.of(child).acknowledge({ id: 'AwsSolutions-L1', reason: 'AWS-managed BucketDeployment handler: aws-cdk-lib chooses its runtime' });
    acknowledgeGeneratedIamFindings(child,
      'AWS-managed BucketDeployment handler: aws-cdk-lib gives it AWSLambdaBasicExecutionRole and object-level wildcards on the asset and destination buckets');
  }
}

const acknowledged = new WeakSet<IConstruct>();

/** Properties of a MeshSpecAppConfigDelivery. */
export interface MeshSpecAppConfigDeliveryProps extends AppConfigSpecDeliveryOptions {
  /** The mesh whose spec document is delivered. */
  readonly mesh: IMesh;
}

/**
 * Delivers a mesh's spec document through AWS AppConfig: a hosted configuration profile
 * (AWS.Freeform, application/json) whose new version on every spec change is deployed to the
 * environment with the deployment strategy. AppConfig rolls it out gradually over the control
 * plane's replicas and rolls it back when a monitor's alarm fires; the runtime reads it with
 * `--spec appconfig://<application>/<environment>/<profile>`.
 *
 * The document is taken at synth, after the whole app is built; CloudFormation resolves its
 * deploy-time values. A spec over AppConfig's hosted configuration limit fails synthesis.
 */
export class MeshSpecAppConfigDelivery extends Construct implements IMeshSpecDelivery {
  /** The AppConfig application. */
  public readonly application: appconfig.IApplication;

  /** The environment the spec is deployed to. */
  public readonly environment: appconfig.IEnvironment;

  /** The hosted configuration (profile, version and deployment). */
  public readonly configuration: appconfig.HostedConfiguration;

  /** `appconfig://<application id>/<environment id>/<profile id>`, what the control plane's `--spec` takes. */
  public readonly specUrl: string;

  private readonly mesh: IMesh;
  private readonly maxBytes: number;
  private collected?: { document?: spec.MeshSpecDocument; problem?: string };

  constructor(scope: Construct, id: string, props: MeshSpecAppConfigDeliveryProps) {
    super(scope, id);
    this.mesh = props.mesh;
    this.maxBytes = props.maxConfigurationBytes ?? APPCONFIG_HOSTED_CONFIGURATION_MAX_BYTES;
    const meshName = props.mesh.meshName;
    if (props.environment !== undefined && props.monitors !== undefined) {
      throw new Error(`[${this.node.path}] monitors apply to the environment created here; give them to your environment instead`);
    }
    this.application = props.application ?? props.environment?.application ?? new appconfig.Application(this, 'Application', {
      applicationName: Token.isUnresolved(meshName) ? undefined : `${meshName}-mesh`,
      description: 'open-app-mesh: the mesh spec the control plane serves',
    });
    this.environment = props.environment ?? new appconfig.Environment(this, 'Environment', {
      application: this.application,
      environmentName: 'control-plane',
      description: 'The control plane replicas of the mesh',
      monitors: props.monitors,
    });
    const strategy = props.deploymentStrategy ?? appconfig.DeploymentStrategy.fromDeploymentStrategyId(
      this, 'Strategy', appconfig.DeploymentStrategyId.LINEAR_50_PERCENT_EVERY_30_SECONDS);
    this.configuration = new appconfig.HostedConfiguration(this, 'Configuration', {
      application: this.application,
      name: 'mesh-spec',
      description: Token.isUnresolved(meshName) ? 'open-app-mesh mesh spec' : `open-app-mesh spec of mesh ${meshName}`,
      type: appconfig.ConfigurationType.FREEFORM,
      // Rendered at synth, once the app is complete; CloudFormation resolves the deploy-time values in it.
      content: appconfig.ConfigurationContent.fromInlineJson(Lazy.string({ produce: () => Stack.of(this).toJsonString(this.collect().document) })),
      deployTo: [this.environment],
      deploymentStrategy: strategy,
    });
    this.specUrl = `appconfig://${this.application.applicationId}/${this.environment.environmentId}/${this.configuration.configurationProfileId}`;
    this.node.addValidation({ validate: () => this.collect().problem === undefined ? [] : [this.collect().problem!] });
  }

  /** Let `grantee` open configuration sessions on this profile and read it (nothing else). */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
      resourceArns: [Stack.of(this).formatArn({
        service: 'appconfig',
        resource: 'application',
        resourceName: `${this.application.applicationId}/environment/${this.environment.environmentId}/configuration/${this.configuration.configurationProfileId}`,
      })],
    });
  }

  /** The document delivered (available once the app is synthesized). */
  public get deliveredDocument(): spec.MeshSpecDocument | undefined {
    return this.collected?.document;
  }

  /** The spec, collected once the app is complete (validation and rendering both come after aspects). */
  private collect(): { document?: spec.MeshSpecDocument; problem?: string } {
    if (this.collected !== undefined) return this.collected;
    const meshName = this.mesh.meshName;
    const found = collectMeshSpecs(this.mesh.node.root).find((c) => c.meshName === meshName);
    if (found === undefined) {
      this.collected = { problem: `no mesh resources are defined for mesh '${meshName}': there is no spec to deliver` };
    } else if (found.issues.length > 0) {
      this.collected = { problem: `the spec of mesh '${meshName}' is invalid (${found.issues.length} problem(s), reported on its resources); it is not delivered` };
    } else {
      // Deploy-time values are still tokens here; their resolved text is about as long.
      const size = Buffer.byteLength(JSON.stringify(found.document), 'utf8');
      this.collected = size > this.maxBytes
        ? { problem: `the spec of mesh '${meshName}' is ${size} bytes, over the AppConfig hosted configuration limit of ${this.maxBytes} bytes; deliver it through S3 (SpecDelivery.s3()), or raise the service quota and maxConfigurationBytes` }
        : { document: found.document };
    }
    return this.collected;
  }
}
