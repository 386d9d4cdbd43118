import { VirtualGatewayResource } from '../document';
import { ENVOY_PATCH_SHAPE_RULE } from './extension-patch-rules';
import { SpecRule } from './rule';

/** Extension rules of virtual gateways (docs/policies.md). */
export const VIRTUAL_GATEWAY_EXTENSION_RULES: readonly SpecRule<VirtualGatewayResource>[] = [ENVOY_PATCH_SHAPE_RULE];
