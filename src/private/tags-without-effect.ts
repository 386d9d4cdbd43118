import { Annotations, Aspects, Tag } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * `Tags.of(meshResource).add(...)`. aws-cdk-lib tags the `AWS::AppMesh::*` resources below that
 * scope; here they are entries of the mesh spec, which has no tags, so the tags go nowhere. Synth
 * says so on the resource the tags were applied to (tags applied higher up, to a stack or the app,
 * are for the stack's other resources and raise nothing).
 */
export function warnTagsWithoutEffect(construct: IConstruct): void {
  construct.node.addValidation({
    validate: () => {
      const keys = Aspects.of(construct).all.filter((aspect): aspect is Tag => aspect instanceof Tag).map((tag) => tag.key);
      if (keys.length > 0) {
        Annotations.of(construct).addWarningV2('open-app-mesh:tags-without-effect',
          `Tags.of(...).add(${keys.map((k) => JSON.stringify(k)).join(', ')}) has no effect: mesh resources are entries of the mesh `
          + 'spec document, which has no tags, not CloudFormation resources');
      }
      return [];
    },
  });
}
