import { VirtualNodeResource } from '../document';
import { SpecRule } from './rule';

/** Extension rules of virtual nodes (docs/policies.md). */
export const VIRTUAL_NODE_EXTENSION_RULES: readonly SpecRule<VirtualNodeResource>[] = [];
