import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import { containerNamed, PlatformFixture, resourcesOfType } from './fixtures';
import { awsSolutionsViolations } from './template-checks';
import * as appmesh from '../../src';

/**
 * ControlPlane with an ACM Private CA as the mesh root: the runtime gets --ca-acm-pca-arn, and the
 * task role may only have that CA certify a path-length-0 subordinate and read certificates back.
 */
const PCA_ARN = 'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/12345678-1234-1234-1234-123456789012';

// The fixture makes its control plane at once, so the CA is imported before, in a scope of its own.
const authority = (): acmpca.ICertificateAuthority => acmpca.CertificateAuthority.fromCertificateAuthorityArn(new Stack(), 'Pca', PCA_ARN);

test('the runtime is told the Private CA, and the task role may use it only for a subordinate CA certificate', () => {
  const f = new PlatformFixture({ controlPlane: { certificateAuthority: authority() } });
  const t = Template.fromStack(f.stack);
  const json = t.toJSON();
  const container = containerNamed(Object.entries(resourcesOfType(json, 'AWS::ECS::TaskDefinition'))
    .find(([id]) => id.startsWith('ControlPlane'))![1], 'control-plane');
  const command: string[] = container.Command;
  expect(command.slice(command.indexOf('--ca-acm-pca-arn'), command.indexOf('--ca-acm-pca-arn') + 2)).toEqual(['--ca-acm-pca-arn', PCA_ARN]);
  expect(command).toContain('--ca-secret-arn');
  expect(f.controlPlane.certificateAuthority?.certificateAuthorityArn).toBe(PCA_ARN);

  const statements = Object.values(resourcesOfType(json, 'AWS::IAM::Policy'))
    .flatMap((policy: any) => policy.Properties.PolicyDocument.Statement)
    .filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('acm-pca:')));
  expect(statements).toEqual([
    {
      Sid: 'CertifyMeshSigningCa',
      Effect: 'Allow',
      Action: 'acm-pca:IssueCertificate',
      Resource: PCA_ARN,
      Condition: {
        StringEquals: {
          'acm-pca:TemplateArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':acm-pca:::template/SubordinateCACertificate_PathLen0/V1']] },
        },
      },
    },
    {
      Sid: 'ReadMeshCaCertificates',
      Effect: 'Allow',
      Action: ['acm-pca:GetCertificate', 'acm-pca:GetCertificateAuthorityCertificate'],
      Resource: PCA_ARN,
    },
  ]);
  expect(awsSolutionsViolations(f.app)).toEqual([]);
});

test('without a Private CA nothing of acm-pca is granted or passed', () => {
  const f = new PlatformFixture();
  const json = Template.fromStack(f.stack).toJSON();
  expect(JSON.stringify(json)).not.toContain('acm-pca');
  expect(f.controlPlane.certificateAuthority).toBeUndefined();
});

test('a Private CA with insecurePlaintext is an error naming the construct', () => {
  const f = new PlatformFixture();
  expect(() => new appmesh.ControlPlane(f.stack, 'Plain', { mesh: f.mesh, vpc: f.vpc, cluster: f.cluster, insecurePlaintext: true, certificateAuthority: authority() }))
    .toThrow('[Platform/Plain] certificateAuthority cannot go with insecurePlaintext, which runs no CA');
});
