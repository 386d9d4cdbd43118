import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildCanaryApp, CanaryTls, CanaryWeights } from '../examples/canary/app';
import { MeshSpecs, VirtualNode } from '../src';

/** What one synthesis of the canary app produced. */
export interface CanarySynthesis {
  /** The spec file in the cloud assembly (`<outdir>/apps.mesh.json`). */
  readonly assemblyFile: string;
  readonly content: string;
  /** The version the control plane will report for this content (sha-256, 12 hex digits). */
  readonly version: string;
  readonly millis: number;
}

export const CANARY_MESH = 'apps';
/** The canary's virtual nodes, each run as its own workload. */
export const CANARY_NODES = ['serviceA', 'serviceB', 'serviceBv2'] as const;

/**
 * Mesh mTLS for the canary: the ACM settings of App Mesh's TLS walkthrough (which the control
 * plane maps to its mesh CA; the ARNs only have to be well formed), and each node granted to the
 * Kubernetes service account `system:serviceaccount:<namespace>:<node in lower case>` (Kubernetes
 * names are lower case).
 */
export interface CanaryIdentities {
  readonly serviceAccountNamespace: string;
}

/** Stand-in ARNs: the control plane serves ACM settings from its own mesh CA and never calls ACM. */
const MESH_CA_TLS: CanaryTls = {
  certificateAuthorityArn: 'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/00000000-0000-0000-0000-000000000000',
  serviceBCertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-00000000000b',
  serviceBv2CertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-0000000000b2',
};

/** The `proxyAccess` principal of `node`'s workload. */
export function serviceAccountOf(namespace: string, node: string): string {
  return `system:serviceaccount:${namespace}:${node.toLowerCase()}`;
}

/**
 * Synthesizes examples/canary with `weights` into `outdir`, exactly like `cdk synth` would
 * (the constructs write the spec into the cloud assembly at synth), and reads the spec back.
 */
export function synthesizeCanary(weights: CanaryWeights, outdir: string, identities?: CanaryIdentities): CanarySynthesis {
  const started = Date.now();
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir });
  const stack = buildCanaryApp(app, weights, identities && MESH_CA_TLS);
  if (identities) {
    for (const name of CANARY_NODES) {
      const node = stack.mesh.node.findChild(name) as VirtualNode;
      node.grantStreamAggregatedResources(new iam.ArnPrincipal(serviceAccountOf(identities.serviceAccountNamespace, name)));
    }
  }
  // The stack holds only mesh resources, which become the spec file, not CloudFormation
  // resources; on a real deployment it would also hold the services' ECS or EKS resources.
  Validations.of(stack).acknowledge({ id: 'CloudFormation-Validate::F0001', reason: 'mesh resources synthesize to the mesh spec, not to CloudFormation' });
  const assembly = app.synth();
  const assemblyFile = path.join(assembly.directory, MeshSpecs.assemblyFileName(CANARY_MESH));
  const content = fs.readFileSync(assemblyFile, 'utf8');
  return { assemblyFile, content, version: specVersion(content), millis: Date.now() - started };
}

/** The control plane names a spec by the first 12 hex digits of its content's sha-256. */
export function specVersion(content: string): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 12);
}

/**
 * Writes `content` to `target` atomically (a temporary file in the same directory, then
 * rename), so the watching control plane never reads half a file.
 */
export function publishAtomically(target: string, content: string): void {
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, target);
}
