import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * The two secrets of a control plane's mesh CA, both created empty (no value in the template):
 * the control plane's first replica stores the root there on its first start.
 *
 * - `caRoot`: the root's certificate and private key. Only the control plane's task role may read
 *   or write its value; a resource policy denies everyone else, whatever their IAM policies say.
 * - `trustBundle`: the roots' certificates, published by the control plane for workloads to trust
 *   it without trust on first use. Only the task role may write it; readers are granted one by one.
 */
export class ControlPlaneSecrets extends Construct {
  public readonly caRoot: secretsmanager.Secret;
  public readonly trustBundle: secretsmanager.Secret;

  constructor(scope: Construct, id: string, taskRole: iam.IRole) {
    super(scope, id);
    this.caRoot = emptySecret(this, 'CaRoot', 'open-app-mesh control plane: the mesh CA root (certificate and private key)');
    this.trustBundle = emptySecret(this, 'TrustBundle', 'open-app-mesh control plane: the mesh CA roots\' certificates, for workloads');

    const write = ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecret', 'secretsmanager:UpdateSecretVersionStage'];
    denyAllBut(this.caRoot, taskRole, ['secretsmanager:GetSecretValue', ...write]);
    denyAllBut(this.trustBundle, taskRole, write);
    taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'MeshCaRoot',
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
      resources: [this.caRoot.secretArn],
    }));
    taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'PublishTrustBundle',
      actions: ['secretsmanager:PutSecretValue'],
      resources: [this.trustBundle.secretArn],
    }));
  }
}

function emptySecret(scope: Construct, id: string, description: string): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, { description });
  // aws-cdk-lib generates a password when no value is given; CloudFormation makes an empty secret without one.
  (secret.node.defaultChild as secretsmanager.CfnSecret).addPropertyDeletionOverride('GenerateSecretString');
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'Holds the mesh CA root (or its certificates), rotated by the control plane (root rotation with overlap), not by a Secrets Manager rotation function',
  });
  return secret;
}

function denyAllBut(secret: secretsmanager.Secret, role: iam.IRole, actions: string[]): void {
  secret.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'OnlyTheControlPlane',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions,
    resources: ['*'],
    conditions: { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } },
  }));
}
