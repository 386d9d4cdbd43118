import { Annotations, PermissionsOptions } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { recordProxyPrincipal } from './registry';

/**
 * Record that `identity` may stream configuration as the proxy `nodeId` and return the
 * grant. The spec document's `proxyAccess` lists, per node id, the principals recorded
 * here. The control plane's certificate exchange issues a node's certificate only to a
 * workload whose proven identity is listed, and each xDS stream receives only the node its
 * certificate names.
 *
 * The returned Grant carries no IAM statement (`iam.Grant.drop`, so `success` is false):
 * streaming happens against our control plane, not an AWS API, so there is nothing for
 * IAM to allow; the authorisation lives in the spec. (A statement letting the grantee read
 * the delivered spec will be added once spec delivery has an AWS resource.)
 */
export function grantProxyStream(
  scope: IConstruct,
  meshName: () => string,
  nodeId: () => string,
  identity: iam.IGrantable,
): iam.Grant {
  const principal = principalArnOf(identity);
  if (principal === undefined) {
    // aws-cdk-lib adds no statement for such a principal either (a service principal holds no
    // policy), so the grant has no effect there or here; say so rather than refuse the code.
    Annotations.of(scope).addWarningV2('open-app-mesh:grantee-without-arn',
      `grantStreamAggregatedResources granted nothing to ${identity.grantPrincipal}: the control plane admits proxies by `
      + 'the ARN of the role, user or ArnPrincipal they prove, and this principal has none');
  } else {
    recordProxyPrincipal(scope, { meshName, nodeId, principal });
  }
  return iam.Grant.drop(identity, `stream mesh configuration as ${nodeId()}`);
}

const STREAM_ACTIONS = new Set(['appmesh:streamaggregatedresources', 'appmesh:*', '*']);

/**
 * aws-cdk-lib's generic `grants.actions(...)`: the stream action (or a wildcard covering it)
 * becomes the enforced proxy grant; every other App Mesh action grants nothing here — there is
 * no App Mesh API left to call — and a synth warning names the actions dropped.
 */
export function grantActions(
  scope: IConstruct,
  grantee: iam.IGrantable,
  actions: string[],
  grantStream: () => iam.Grant,
  _options?: PermissionsOptions,
): iam.Grant {
  const ignored = actions.filter((action) => !STREAM_ACTIONS.has(action.toLowerCase()));
  if (ignored.length > 0) {
    Annotations.of(scope).addWarningV2('open-app-mesh:grant-action-without-effect',
      `${ignored.join(', ')} granted nothing: there is no App Mesh API to call any more. `
      + 'Only appmesh:StreamAggregatedResources has a meaning here (the control plane enforces it through proxyAccess).');
  }
  return ignored.length < actions.length
    ? grantStream()
    : iam.Grant.drop(grantee, `${actions.join(', ')} (no effect without App Mesh)`);
}

/** The ARN identifying a grantee: a role's, a user's, or an ArnPrincipal's ARN; undefined for other principals. */
function principalArnOf(identity: iam.IGrantable): string | undefined {
  const principal: any = identity.grantPrincipal;
  for (const key of ['roleArn', 'userArn', 'arn']) {
    if (typeof principal[key] === 'string') return principal[key];
  }
  return undefined;
}
