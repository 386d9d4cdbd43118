import { VirtualRouterResource } from '../document';
import { SpecRule } from './rule';
import { checkUniqueListenerPorts } from './shared-checks';

/** Cross-field rules of virtual routers. */
export const VIRTUAL_ROUTER_RULES: readonly SpecRule<VirtualRouterResource>[] = [
  {
    id: 'router-needs-listener',
    summary: 'a virtual router has at least one listener',
    check: (router, ctx) => {
      const listeners = router.spec.listeners;
      if (listeners === undefined || (Array.isArray(listeners) && listeners.length === 0)) {
        ctx.report('.spec.listeners', 'a virtual router needs at least one listener; without one no route can match');
      }
    },
  },
  {
    id: 'router-listener-ports-unique',
    summary: 'listener ports are unique within a virtual router',
    check: (router, ctx) => checkUniqueListenerPorts(router.spec.listeners, ctx),
  },
];
