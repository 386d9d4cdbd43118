import { Annotations, RemovalPolicy } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * `applyRemovalPolicy` on a mesh resource. aws-cdk-lib sets the policy on the `AWS::AppMesh::*`
 * resource; here there is none (the resource is an entry of the mesh spec document), so Resource's
 * own implementation would throw. The call is accepted and has no effect, and synth says so.
 */
export function warnRemovalPolicyWithoutEffect(scope: IConstruct, policy: RemovalPolicy): void {
  Annotations.of(scope).addWarningV2('open-app-mesh:removal-policy-without-effect',
    `applyRemovalPolicy(${policy}) has no effect: this mesh resource is an entry of the mesh spec document, not a `
    + 'CloudFormation resource; it leaves the spec (and the proxies\' configuration) when it leaves the app');
}
