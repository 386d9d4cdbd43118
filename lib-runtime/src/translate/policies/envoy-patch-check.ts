/**
 * Patches applied and checked: every resource a patch added or changed must be a well-formed
 * Envoy message (no unknown field, enum or Any type: `checkResourceObject`) that keeps Envoy's own
 * validation rules (the protoc-gen-validate annotations, xds/validation-rules). The control plane
 * renders every node through this, and the construct library runs the same function at synth
 * (`envoyPatchProblems`, through lib-runtime/synth-entry), so a patch that breaks Envoy's rules is
 * refused before any Envoy sees it.
 */
import { applyEnvoyPatches, EnvoyPatchError } from './envoy-patch';
import { EnvoyPatchSpec } from '../../../../src/spec/extensions/envoy-patch';
import { checkResourceObject } from '../../xds/protos';
import { CLUSTER_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL } from '../../xds/type-urls';
import { formatViolation, validationRuleViolations } from '../../xds/validation-rules';
import { EnvoyConfig, ProtoJson } from '../types';

const CHECKED: ReadonlyArray<['listeners' | 'clusters' | 'routes', string]> = [
  ['listeners', LISTENER_TYPE_URL],
  ['clusters', CLUSTER_TYPE_URL],
  ['routes', ROUTE_TYPE_URL],
];

/**
 * The view with the patches applied; throws `EnvoyPatchError` when a patch targets nothing or a
 * patched resource breaks Envoy's rules (all problems in one message, one per line).
 */
export function patchedEnvoyView(view: EnvoyConfig, patches: readonly EnvoyPatchSpec[] | undefined): EnvoyConfig {
  if (!patches || patches.length === 0) return view;
  const patched = applyEnvoyPatches(view, patches);
  const problems: string[] = [];
  for (const [list, typeUrl] of CHECKED) {
    const before = new Set<ProtoJson>(view[list]);
    for (const resource of patched[list]) {
      if (before.has(resource)) continue; // untouched by every patch
      problems.push(...checkResourceObject(typeUrl, resource).map(problem => `${JSON.stringify(resource.name)}: ${problem}`));
      problems.push(...validationRuleViolations(typeUrl, resource).map(formatViolation));
    }
  }
  if (problems.length > 0) {
    throw new EnvoyPatchError(undefined, `the patched resources break Envoy's rules:\n  ${problems.join('\n  ')}`);
  }
  return patched;
}
