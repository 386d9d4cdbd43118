import { VirtualServiceResource } from '../document';
import { quote, SpecRule } from './rule';

/** Cross-field rules of virtual services. */
export const VIRTUAL_SERVICE_RULES: readonly SpecRule<VirtualServiceResource>[] = [
  {
    id: 'service-provider-exists',
    summary: 'a virtual service provider names a virtual node or virtual router of the mesh',
    check: (service, ctx) => {
      const provider = service.spec.provider;
      const nodeName = provider?.virtualNode?.virtualNodeName;
      if (nodeName !== undefined && ctx.known(nodeName) && !ctx.index.virtualNodes.has(nodeName)) {
        ctx.report('.spec.provider.virtualNode.virtualNodeName', `virtual node ${quote(nodeName)} does not exist in mesh ${quote(ctx.meshName)}`);
      }
      const routerName = provider?.virtualRouter?.virtualRouterName;
      if (routerName !== undefined && ctx.known(routerName) && !ctx.index.virtualRouters.has(routerName)) {
        ctx.report('.spec.provider.virtualRouter.virtualRouterName', `virtual router ${quote(routerName)} does not exist in mesh ${quote(ctx.meshName)}`);
      }
    },
  },
];
