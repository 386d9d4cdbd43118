import { Aspects, IAspect, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, IConstruct } from 'constructs';
import { IMesh } from '../mesh';
import { MeshSpecs } from '../mesh-specs';
import { collectMeshSpecs } from '../private/spec-builder';
import * as spec from '../spec';
import { acknowledgeGeneratedIamFindings } from './private/nag-acknowledgements';

/** Properties of a MeshSpecDelivery. */
export interface MeshSpecDeliveryProps {
  /** The mesh whose spec document is delivered. */
  readonly mesh: IMesh;

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
 * Delivers a mesh's spec document to S3 on every deploy, where CloudFormation resolves
 * its deploy-time values (ARNs, Cloud Map names): a BucketDeployment of
 * `Source.jsonData(<mesh>.mesh.json, document)`.
 *
 * The document is taken at synth, after the whole app is built, so routes, listeners and
 * grants added after this construct still count. A mesh change changes only this
 * deployment's source asset, which `cdk diff` shows; the control plane picks the new
 * object up by polling, nothing restarts.
 */
export class MeshSpecDelivery extends Construct {
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
