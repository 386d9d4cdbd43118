import { VirtualGatewayResource } from '../document';
import { GATEWAY_POLICY_RULES } from './extension-gateway-rules';
import { ENVOY_PATCH_SHAPE_RULE } from './extension-patch-rules';
import { SpecRule } from './rule';

/** Extension rules of virtual gateways (docs/policies.md). */
export const VIRTUAL_GATEWAY_EXTENSION_RULES: readonly SpecRule<VirtualGatewayResource>[] = [...GATEWAY_POLICY_RULES, ENVOY_PATCH_SHAPE_RULE];
