import { Annotations, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { registryVersion } from './registry';
import { collectMeshSpecs, CollectedMeshSpec } from './spec-builder';

interface CachedCollection {
  readonly version: number;
  readonly collected: CollectedMeshSpec[];
}

// app.synth() runs every construct's validations in one synchronous pass; the documents
// are built once for that pass and forgotten on the next microtask.
const cache = new WeakMap<IConstruct, CachedCollection>();

/**
 * Make `app.synth()` report the spec problems of the resource `construct` defines, as
 * `[construct path] spec path: message`. Problems that name no registered resource are
 * reported by the construct answering for the whole document (the Mesh when present).
 * Errors fail the synth; warnings become CDK warnings with the id `open-app-mesh:<rule id>`,
 * which a user can acknowledge and `cdk synth --strict` fails on.
 */
export function addSpecValidation(construct: IConstruct): void {
  construct.node.addValidation({
    validate: () => {
      const messages: string[] = [];
      // Per stage: two stages (say Dev and Prod) may each define a mesh of the same name.
      for (const collected of collectionFor(Stage.of(construct) ?? construct.node.root)) {
        for (const issue of collected.issues) {
          if ((issue.construct ?? collected.owner) === construct) messages.push(issue.message);
        }
        for (const warning of collected.warnings) {
          if ((warning.construct ?? collected.owner) !== construct) continue;
          // Validation runs before the assembly is written, so the warning still lands in it.
          Annotations.of(construct).addWarningV2(specWarningId(warning.rule), `[${construct.node.path}] ${warning.message}`);
        }
      }
      return messages;
    },
  });
}

/** The acknowledgeable id of the synth warning a spec rule raises. */
export function specWarningId(rule: string): string {
  return `open-app-mesh:${rule}`;
}

function collectionFor(root: IConstruct): CollectedMeshSpec[] {
  const version = registryVersion();
  const hit = cache.get(root);
  if (hit !== undefined && hit.version === version) return hit.collected;
  const collected = collectMeshSpecs(root, { sameStageOnly: Stage.isStage(root) });
  cache.set(root, { version, collected });
  queueMicrotask(() => cache.delete(root));
  return collected;
}
