import { VirtualNodeResource } from '../document';
import { ENVOY_PATCH_SHAPE_RULE } from './extension-patch-rules';
import { SpecRule } from './rule';

/** Extension rules of virtual nodes (docs/policies.md). */
export const VIRTUAL_NODE_EXTENSION_RULES: readonly SpecRule<VirtualNodeResource>[] = [ENVOY_PATCH_SHAPE_RULE];
