import { VirtualNodeResource } from '../document';
import { NODE_POLICY_RULES } from './extension-node-rules';
import { ENVOY_PATCH_SHAPE_RULE } from './extension-patch-rules';
import { SpecRule } from './rule';

/** Extension rules of virtual nodes (docs/policies.md). */
export const VIRTUAL_NODE_EXTENSION_RULES: readonly SpecRule<VirtualNodeResource>[] = [...NODE_POLICY_RULES, ENVOY_PATCH_SHAPE_RULE];
