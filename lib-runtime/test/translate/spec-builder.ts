import {
  GatewayRouteSpec,
  MeshSpec,
  RouteSpec,
  VirtualGatewaySpec,
  VirtualNodeSpec,
  VirtualRouterSpec,
  VirtualServiceSpec,
} from '../../../src/spec/appmesh-types';
import { MeshSpecDocument, SPEC_VERSION } from '../../../src/spec/document';
import { EnvoyConfig, ProtoJson } from '../../src/translate';

/** Small mesh documents for focused tests. */
export interface MeshParts {
  mesh?: MeshSpec;
  nodes?: Record<string, VirtualNodeSpec>;
  services?: Record<string, VirtualServiceSpec>;
  routers?: Record<string, VirtualRouterSpec>;
  /** `router/route` → spec */
  routes?: Record<string, RouteSpec>;
  gateways?: Record<string, VirtualGatewaySpec>;
  /** `gateway/route` → spec */
  gatewayRoutes?: Record<string, GatewayRouteSpec>;
}

export const MESH = 'm';

export function meshDoc(parts: MeshParts): MeshSpecDocument {
  const meshName = MESH;
  return {
    specVersion: SPEC_VERSION,
    mesh: { meshName, spec: parts.mesh ?? {} },
    virtualNodes: Object.entries(parts.nodes ?? {}).map(([virtualNodeName, spec]) => ({ meshName, virtualNodeName, spec })),
    virtualServices: Object.entries(parts.services ?? {}).map(([virtualServiceName, spec]) => ({ meshName, virtualServiceName, spec })),
    virtualRouters: Object.entries(parts.routers ?? {}).map(([virtualRouterName, spec]) => ({ meshName, virtualRouterName, spec })),
    routes: Object.entries(parts.routes ?? {}).map(([key, spec]) => {
      const [virtualRouterName, routeName] = key.split('/');
      return { meshName, virtualRouterName, routeName, spec };
    }),
    virtualGateways: Object.entries(parts.gateways ?? {}).map(([virtualGatewayName, spec]) => ({ meshName, virtualGatewayName, spec })),
    gatewayRoutes: Object.entries(parts.gatewayRoutes ?? {}).map(([key, spec]) => {
      const [virtualGatewayName, gatewayRouteName] = key.split('/');
      return { meshName, virtualGatewayName, gatewayRouteName, spec };
    }),
  };
}

/** A caller `client` with one backend service `svc` routed by router `r` (http 8080) to the given routes. */
export function routedMesh(routes: Record<string, RouteSpec>, extra: MeshParts = {}): MeshSpecDocument {
  return meshDoc({
    ...extra,
    nodes: {
      client: { backends: [{ virtualService: { virtualServiceName: 'svc' } }] },
      v1: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'v1.local' } } },
      v2: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'v2.local' } } },
      ...extra.nodes,
    },
    services: { svc: { provider: { virtualRouter: { virtualRouterName: 'r' } } }, ...extra.services },
    routers: { r: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] }, ...extra.routers },
    routes: Object.fromEntries(Object.entries(routes).map(([name, spec]) => [`r/${name}`, spec])),
  });
}

export function named(list: readonly ProtoJson[], name: string): ProtoJson {
  const found = list.find(r => r.name === name || r.cluster_name === name);
  if (!found) throw new Error(`no resource ${name} in [${list.map(r => String(r.name ?? r.cluster_name)).join(', ')}]`);
  return found;
}

/** The routes of the virtual host `vhost` in route config `config`. */
export function vhostRoutes(config: EnvoyConfig, routeConfig: string, vhost: string): ProtoJson[] {
  const rc = named(config.routes, routeConfig);
  return named(rc.virtual_hosts as ProtoJson[], vhost).routes as ProtoJson[];
}

/** The typed_config of the first network filter of the chain named `chain`. */
export function chainFilter(config: EnvoyConfig, listener: string, chain: string): ProtoJson {
  const l = named(config.listeners, listener);
  const c = named(l.filter_chains as ProtoJson[], chain);
  return (c.filters as ProtoJson[])[0].typed_config as ProtoJson;
}
