import { ArnFormat, Fn, IResource, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Envoy node id of a proxy: `mesh/<mesh>/virtualNode/<name>` or
 * `mesh/<mesh>/virtualGateway/<name>`, the resource part of its App Mesh ARN.
 * App Mesh's Envoy image used the same string (APPMESH_RESOURCE_ARN), so proxies
 * migrating from App Mesh keep their identity.
 */
export function proxyNodeId(meshName: string, kind: 'virtualNode' | 'virtualGateway', name: string): string {
  return `mesh/${meshName}/${kind}/${name}`;
}

/**
 * App Mesh's `meshOwner` of a resource defined in `mesh`: the mesh's account when it differs
 * from the resource's own (a shared mesh), else undefined. As aws-cdk-lib decides it: an
 * account that may differ (one side a deploy-time value) counts as different.
 */
export function meshOwnerOf(resource: IConstruct, mesh: IResource): string | undefined {
  const meshAccount = mesh.env.account;
  const comparison = Token.compareStrings(Stack.of(resource).account, meshAccount);
  return comparison === TokenComparison.DIFFERENT || comparison === TokenComparison.ONE_UNRESOLVED ? meshAccount : undefined;
}

/**
 * ARN of a mesh resource: `arn:<partition>:appmesh:<region>:<account>:mesh/<mesh>[/<kind>/<name>...]`.
 * `path` is the list of `<kind>, <name>` pairs below the mesh.
 */
export function meshResourceArn(scope: IConstruct, meshName: string, ...path: string[]): string {
  return Stack.of(scope).formatArn({
    service: 'appmesh',
    resource: 'mesh',
    resourceName: [meshName, ...path].join('/'),
  });
}

/**
 * The `index`-th segment of an App Mesh ARN's resource name (the part after `mesh/`):
 * 0 = mesh name, 2 = child name, 4 = grandchild name. Works on tokens too, via
 * CloudFormation functions.
 */
export function arnSegment(scope: IConstruct, arn: string, index: number): string {
  if (Token.isUnresolved(arn)) {
    // `arn:partition:appmesh:region:account:mesh/<mesh>/<kind>/<name>...`: field 5 is the whole
    // resource part; its '/'-separated segment index+1 is the one asked for. (splitArn's
    // resourceName of a token holds only the first segment after `mesh/`.)
    return Fn.select(index + 1, Fn.split('/', Fn.select(5, Fn.split(':', arn))));
  }
  // A segment the ARN does not have is empty, as aws-cdk-lib leaves it (checkArnKinds warns);
  // the spec check refuses an empty name wherever it is used.
  const resourceName = Stack.of(scope).splitArn(arn, ArnFormat.SLASH_RESOURCE_NAME).resourceName ?? '';
  return resourceName.split('/')[index] ?? '';
}
