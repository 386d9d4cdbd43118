import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { meshError } from './errors';

/**
 * Check that a literal App Mesh ARN names the expected kinds below the mesh:
 * `mesh/<mesh>/<kinds[0]>/<name>[/<kinds[1]>/<name>]`. Importing a virtual node's ARN as a
 * gateway then fails where it is imported instead of yielding a gateway named after the
 * node. Deploy-time ARNs cannot be checked and pass.
 */
export function checkArnKinds(scope: IConstruct, arn: string, kinds: string[]): void {
  if (Token.isUnresolved(arn)) {
    return;
  }
  // arn:partition:appmesh:region:account:<resource part>
  const segments = arn.split(':').slice(5).join(':').split('/');
  const wellFormed = segments.length === 2 + 2 * kinds.length
    && segments[0] === 'mesh'
    && kinds.every((kind, i) => segments[2 * i + 2] === kind)
    && segments.every((segment) => segment.length > 0);
  if (!wellFormed) {
    const expected = ['mesh/<mesh>', ...kinds.map((kind) => `${kind}/<name>`)].join('/');
    throw meshError('UnexpectedArnKind', `'${arn}' is not the ARN of a ${kinds[kinds.length - 1]} (expected ...:${expected})`, scope);
  }
}
