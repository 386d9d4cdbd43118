import { VirtualGatewayResource } from '../document';
import { SpecRule } from './rule';

/** Extension rules of virtual gateways (docs/policies.md). */
export const VIRTUAL_GATEWAY_EXTENSION_RULES: readonly SpecRule<VirtualGatewayResource>[] = [];
