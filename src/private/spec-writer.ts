import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { attachCustomSynthesis, ISynthesisSession, Stage, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { collectMeshSpecs } from './spec-builder';
import { toCanonicalJson } from '../spec/canonical';

/** Suffix of the files the writer puts into the cloud assembly directory. */
export const MESH_SPEC_FILE_SUFFIX = '.mesh.json';

const WRITER_ID = 'OpenAppMeshSpecs';

/**
 * Make sure the Stage holding `construct` writes its mesh spec documents into its cloud
 * assembly directory at synth: one `<meshName>.mesh.json` per mesh.
 *
 * Deploy-time values (tokens) are written as the CloudFormation intrinsic they stand
 * for (resolved in the stack of the resource that holds them), e.g.
 * `{"Fn::GetAtt": ["Service", "Name"]}`: the file is evidence of what will be deployed,
 * while the deployment itself embeds the in-process document (token strings) into a
 * template, where CloudFormation substitutes the real value.
 */
export function ensureSpecWriter(construct: IConstruct): void {
  const stage = Stage.of(construct);
  if (stage === undefined || stage.node.tryFindChild(WRITER_ID) !== undefined) return;
  const writer = new Construct(stage, WRITER_ID);
  attachCustomSynthesis(writer, {
    onSynthesize: (session: ISynthesisSession) => {
      // The parent stage's synthesis also visits a nested stage's constructs; each stage
      // writes only into its own assembly directory.
      if (path.resolve(session.outdir) !== path.resolve(stage.outdir)) return;
      writeMeshSpecs(stage, session.outdir);
    },
  });
}

function writeMeshSpecs(stage: Stage, outdir: string): void {
  for (const collected of collectMeshSpecs(stage, { resolveTokens: true, sameStageOnly: true })) {
    const file = path.join(outdir, `${meshSpecFileStem(collected.meshName)}${MESH_SPEC_FILE_SUFFIX}`);
    fs.writeFileSync(file, toCanonicalJson(collected.document));
  }
}

/** File name (without suffix) for a mesh: the name when it is a safe file name, else a hash. */
export function meshSpecFileStem(meshName: string): string {
  if (!Token.isUnresolved(meshName) && /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(meshName)) return meshName;
  const safe = meshName.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
  const hash = crypto.createHash('sha256').update(meshName).digest('hex').slice(0, 12);
  return `${safe}-${hash}`;
}
