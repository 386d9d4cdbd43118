import { quote, RuleContext, SpecRule } from './rule';
import { EnvoyPatchSpec } from '../extensions/envoy-patch';

/**
 * The shape of each Envoy patch (docs/envoy-patches.md): which fields its target and operation
 * need and allow. The schema checks types; this, the combinations. Whether a patch targets
 * anything and whether the result keeps Envoy's rules is the control plane's render to say
 * (at synth through the constructs, and on every spec it loads).
 */
export const ENVOY_PATCH_SHAPE_RULE: SpecRule<{ readonly extensions?: { readonly envoyPatches?: readonly EnvoyPatchSpec[] } }> = {
  id: 'envoy-patch-shape',
  summary: 'each Envoy patch sets the fields its target and operation need, and no others',
  check: (resource, ctx) => {
    const patches = resource.extensions?.envoyPatches;
    if (!Array.isArray(patches)) return;
    patches.forEach((patch, index) => checkPatch(patch, `.extensions.envoyPatches[${index}]`, ctx));
  },
};

function checkPatch(patch: EnvoyPatchSpec, path: string, ctx: RuleContext): void {
  if (!ctx.known(patch)) return;
  const { target, operation } = patch;
  const filter = target === 'httpFilter';
  const need = (field: keyof EnvoyPatchSpec, why: string) => {
    if (patch[field] === undefined) ctx.report(`${path}.${field}`, `missing: ${why}`);
  };
  const refuse = (field: keyof EnvoyPatchSpec, why: string) => {
    if (patch[field] !== undefined) ctx.report(`${path}.${field}`, `not allowed: ${why}`);
  };
  if (filter) {
    need('name', 'an httpFilter patch names the listener that holds the filter');
  } else {
    for (const field of ['filterChain', 'filterName', 'before'] as const) refuse(field, `${field} addresses an HTTP filter; this patch's target is ${quote(target)}`);
  }
  if (operation === 'add') {
    need('value', `add puts value in as the new ${filter ? 'filter' : target}`);
    if (!filter) refuse('name', `add takes the new ${target}'s name from value.name`);
    const name = patch.value?.name;
    if (patch.value !== undefined && ctx.known(name) && (typeof name !== 'string' || name.length === 0)) {
      ctx.report(`${path}.value.name`, `add needs the new ${filter ? 'filter' : target}'s name`);
    }
  } else {
    if (!filter) need('name', `${operation} names the ${target} it changes`);
    if (filter) need('filterName', `${operation} names the filter it changes`);
    if (filter) refuse('before', 'before places an added filter');
    if (operation === 'merge') need('value', 'merge merges value into the target');
    else refuse('value', 'remove takes nothing but the target');
  }
}
