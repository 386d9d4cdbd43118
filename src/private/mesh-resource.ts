import { IConstruct } from 'constructs';
import { MeshResourceRegistration, storeMeshResource } from './registry';
import { addSpecValidation } from './spec-validation';
import { ensureSpecWriter } from './spec-writer';
import { warnTagsWithoutEffect } from './tags-without-effect';

export { MeshResourceRegistration, MeshResourceKind, recordProxyPrincipal } from './registry';

/**
 * Declare `construct` as the definition of one App Mesh resource. Call it once, from the
 * constructor. From then on the resource:
 * - appears in `buildMeshSpecs(root)` for every root above it;
 * - is validated at `app.synth()` (problems reported as `[path] message`);
 * - is written into the cloud assembly as part of `<meshName>.mesh.json`;
 * - warns at synth when it is tagged (the spec has no tags).
 */
export function registerMeshResource(construct: IConstruct, registration: MeshResourceRegistration): void {
  storeMeshResource(construct, registration);
  addSpecValidation(construct);
  ensureSpecWriter(construct);
  warnTagsWithoutEffect(construct);
}
