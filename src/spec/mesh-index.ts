import {
  GatewayRouteResource,
  RouteResource,
  VirtualGatewayResource,
  VirtualNodeResource,
  VirtualRouterResource,
  VirtualServiceResource,
} from './document';

/** A listener as the cross-resource rules see it: port and protocol, either may be a token. */
export interface ListenerFacts {
  readonly port: unknown;
  readonly protocol: unknown;
}

/**
 * A resource registered in the index. `listeners` is undefined when they cannot be known:
 * the spec failed the structural check, or the list is a CDK token. Rules that need them
 * then skip, so one broken resource does not cause a cascade of follow-on issues.
 */
export interface Indexed<R> {
  readonly resource: R;
  /** Path of the resource in the document, e.g. `virtualNodes["a"]`. */
  readonly path: string;
  readonly listeners: readonly ListenerFacts[] | undefined;
}

/**
 * Name lookups over one mesh spec document, built in one pass before the rules run.
 * The first resource of a name wins; later ones are reported as duplicates.
 */
export class MeshIndex {
  public readonly virtualNodes = new Map<string, Indexed<VirtualNodeResource>>();
  public readonly virtualServices = new Map<string, Indexed<VirtualServiceResource>>();
  public readonly virtualRouters = new Map<string, Indexed<VirtualRouterResource>>();
  public readonly virtualGateways = new Map<string, Indexed<VirtualGatewayResource>>();
  /** Routes by router name, then route name. */
  public readonly routes = new Map<string, Map<string, Indexed<RouteResource>>>();
  /** Gateway routes by gateway name, then gateway route name. */
  public readonly gatewayRoutes = new Map<string, Map<string, Indexed<GatewayRouteResource>>>();

  /** Listeners of the provider (node or router) of a virtual service; undefined when unknown. */
  public providerListeners(serviceName: string): readonly ListenerFacts[] | undefined {
    const provider = this.virtualServices.get(serviceName)?.resource.spec?.provider;
    if (provider === undefined || provider === null) return undefined;
    // Null where an object belongs is the structural check's to report, not a reason to throw here.
    const { virtualNode, virtualRouter } = provider;
    if (virtualNode !== undefined && virtualNode !== null) return this.virtualNodes.get(virtualNode.virtualNodeName)?.listeners;
    if (virtualRouter !== undefined && virtualRouter !== null) return this.virtualRouters.get(virtualRouter.virtualRouterName)?.listeners;
    return undefined;
  }
}

/** Port and protocol of each `portMapping`, or undefined when the list is not a plain array. */
export function listenerFacts(listeners: unknown, known: (value: unknown) => boolean): ListenerFacts[] | undefined {
  if (listeners === undefined) return [];
  if (!Array.isArray(listeners) || !known(listeners)) return undefined;
  return listeners.map(listener => ({
    port: listener?.portMapping?.port,
    protocol: listener?.portMapping?.protocol,
  }));
}
