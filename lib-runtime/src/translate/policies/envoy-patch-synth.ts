/**
 * The construct library's one way into the control plane (docs/envoy-patches.md, "Checked at
 * synth"): `src/` never imports `lib-runtime/`, so at synth it loads this file by path from the
 * package's own `lib-runtime/dist` (from the sources in a checkout run by ts-node or ts-jest) and
 * calls `envoyPatchProblems`. Keep its signature plain data in, plain data out.
 */
import { MeshSpecDocument } from '../../../../src/spec/document';
import { envoyPatchesOf } from '../../../../src/spec/extensions/envoy-patch';
import { compiledMeshOf, renderNode } from '../translate';

/** Why a node's patches would not be served, as the control plane would say it. */
export interface EnvoyPatchProblem {
  readonly kind: 'virtualNode' | 'virtualGateway';
  readonly name: string;
  readonly message: string;
}

/**
 * Renders every virtual node and gateway of a (valid) document that carries patches, exactly as
 * the control plane does with no endpoints discovered (patches address names, which endpoints do
 * not change), and returns each render that fails.
 */
export function envoyPatchProblems(document: MeshSpecDocument): EnvoyPatchProblem[] {
  const mesh = compiledMeshOf(document);
  const problems: EnvoyPatchProblem[] = [];
  const nodes = [
    ...document.virtualNodes.map(r => ({ kind: 'virtualNode' as const, name: r.virtualNodeName, resource: r })),
    ...document.virtualGateways.map(r => ({ kind: 'virtualGateway' as const, name: r.virtualGatewayName, resource: r })),
  ];
  for (const { kind, name, resource } of nodes) {
    if (!envoyPatchesOf(resource)) continue;
    try {
      renderNode(mesh, { meshName: mesh.meshName, kind, name }, {});
    } catch (error) {
      problems.push({ kind, name, message: (error as Error).message });
    }
  }
  return problems;
}
