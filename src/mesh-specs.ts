import { IConstruct } from 'constructs';
import { IMesh } from './mesh';
import { buildMeshSpecs } from './private/spec-builder';
import { MESH_SPEC_FILE_SUFFIX, meshSpecFileStem } from './private/spec-writer';
import * as spec from './spec';

/**
 * Access to the mesh spec documents an app defines.
 *
 * The documents hold deploy-time values as token strings; embed them with
 * `Stack.toJsonString` (or an asset/`Source.jsonData`) so CloudFormation substitutes them.
 * At synth, each Stage also writes its documents into its cloud assembly directory as
 * `<meshName>.mesh.json`, tokens rendered as CloudFormation intrinsics.
 */
export class MeshSpecs {
  /**
   * Every mesh document under `root` (an App, Stage, Stack or any construct), one per
   * mesh name, canonical and validated.
   * @throws if any resource is invalid; the message lists `[construct path] problem` lines
   */
  public static collect(root: IConstruct): spec.MeshSpecDocument[] {
    return buildMeshSpecs(root);
  }

  /**
   * The document of `mesh` (a Mesh, or a mesh imported by name), from every resource of
   * the app that belongs to it.
   * @throws if the app defines nothing for that mesh, or if anything is invalid
   */
  public static forMesh(mesh: IMesh): spec.MeshSpecDocument {
    const document = buildMeshSpecs(mesh.node.root).find((d) => d.mesh.meshName === mesh.meshName);
    if (document === undefined) {
      throw new Error(`[${mesh.node.path}] no mesh resources are defined for mesh '${mesh.meshName}'`);
    }
    return document;
  }

  /** Name of the file the document of `meshName` is written to in the cloud assembly. */
  public static assemblyFileName(meshName: string): string {
    return `${meshSpecFileStem(meshName)}${MESH_SPEC_FILE_SUFFIX}`;
  }

  private constructor() {}
}
