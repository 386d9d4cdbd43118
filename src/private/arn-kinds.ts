import { Annotations, Arn, ArnFormat, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Check that a literal App Mesh ARN names the expected kinds below the mesh:
 * `mesh/<mesh>[/<kinds[0]>/<name>[/<kinds[1]>/<name>]]`.
 *
 * aws-cdk-lib reads these ARNs by position and never looks at the kinds, so an ARN of another
 * kind imports (a virtual router's ARN as a virtual node yields a node named after the router).
 * The same code must synthesize here, so a kind mismatch is a warning, and so is an ARN too short
 * to hold a name at each position: the missing names are empty, as aws-cdk-lib leaves them, and
 * the spec check fails the synth wherever such a name is used. A string that is no ARN at all
 * throws aws-cdk-lib's own error. Deploy-time ARNs cannot be checked and pass.
 */
export function checkArnKinds(scope: IConstruct, arn: string, kinds: string[]): void {
  if (Token.isUnresolved(arn)) {
    return;
  }
  // aws-cdk-lib's parse, and its error for a string that is not an ARN.
  Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
  // arn:partition:appmesh:region:account:<resource part>
  const segments = arn.split(':').slice(5).join(':').split('/');
  const what = kinds.length > 0 ? kinds[kinds.length - 1] : 'mesh';
  const expected = ['mesh/<mesh>', ...kinds.map((kind) => `${kind}/<name>`)].join('/');
  const names = segments.filter((_, i) => i % 2 === 1);
  const empty = segments.length < 2 + 2 * kinds.length || names.slice(0, 1 + kinds.length).some((name) => name.length === 0);
  if (empty) {
    Annotations.of(scope).addWarningV2('open-app-mesh:arn-kind-mismatch',
      `'${arn}' is not the ARN of a ${what} (expected ...:${expected}); it has no name at each position, so the `
      + 'missing names are empty, as aws-cdk-lib leaves them, and a mesh resource that uses them fails at synth');
    return;
  }
  const wellFormed = segments.length === 2 + 2 * kinds.length
    && segments[0] === 'mesh'
    && kinds.every((kind, i) => segments[2 * i + 2] === kind);
  if (!wellFormed) {
    Annotations.of(scope).addWarningV2('open-app-mesh:arn-kind-mismatch',
      `'${arn}' is not the ARN of a ${what} (expected ...:${expected}); it is read by position, as aws-cdk-lib does, `
      + (kinds.length === 0 ? `so the imported mesh is named '${names[0]}'` : `so the imported ${what} is named '${names[kinds.length]}' in mesh '${names[0]}'`));
  }
}
