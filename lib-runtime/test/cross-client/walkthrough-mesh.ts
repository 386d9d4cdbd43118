import { GatewayRouteSpec, RouteSpec } from '../../../src/spec/appmesh-types';
import { MeshSpecDocument } from '../../../src/spec/document';
import { meshDoc } from '../translate/spec-builder';

/**
 * The shapes of App Mesh's walkthroughs that exposed the routing bugs of issue #13, in one mesh
 * (mesh `m`): a router whose route matches only a port, a gateway with routes to one service on
 * two target ports, a gateway listener with a health check.
 */

export const PRODUCE = 'produce.local';
export const COLOR = 'color.local';
/** The color router's two listeners: a router's ports are table keys, nothing binds them. */
export const COLOR_DEFAULT_PORT = 9080;
export const COLOR_BY_PORT = 9090;
/** The gateway listener health check's path; the backends answer it like any method. */
export const HEALTH_PATH = '/health.Probe/Check';
/** What every backend answers. */
export const METHODS = ['/fruit.Fruit/Get', '/vegetable.Vegetable/Get', '/color.Color/Get', HEALTH_PATH];

/** The loopback ports of the backends, which the mesh names. */
export interface WalkthroughPorts {
  readonly fruit: number;
  readonly vegetable: number;
  readonly colorV1: number;
  readonly colorV2: number;
}

/**
 * `produce` is one virtual node with two listeners, on the ports its two backends are bound to (a
 * multi-listener node's endpoints are reached on each listener's own port), so each port's cluster
 * reaches a different backend. `caller` is a virtual node that calls color.local through Envoy.
 */
export function walkthroughMesh(ports: WalkthroughPorts): {
  doc: MeshSpecDocument;
  endpoints: Record<string, { address: string; port: number }[]>;
} {
  const toPort = (prefix: string, service: string, port: number): GatewayRouteSpec => ({
    httpRoute: { match: { prefix }, action: { target: { virtualService: { virtualServiceName: service }, port } } },
  });
  const colorRoute = (match: { prefix?: string; port: number }, virtualNode: string): RouteSpec => ({
    httpRoute: { match, action: { weightedTargets: [{ virtualNode, weight: 1 }] } },
  });
  const httpListener = (port: number) => ({ portMapping: { port, protocol: 'http' as const } });
  const doc = meshDoc({
    nodes: {
      'caller': { backends: [{ virtualService: { virtualServiceName: COLOR } }] },
      'produce': { listeners: [httpListener(ports.fruit), httpListener(ports.vegetable)], serviceDiscovery: { dns: { hostname: 'produce.internal' } } },
      'color-v1': { listeners: [httpListener(8080)], serviceDiscovery: { dns: { hostname: 'color-v1.internal' } } },
      'color-v2': { listeners: [httpListener(8080)], serviceDiscovery: { dns: { hostname: 'color-v2.internal' } } },
    },
    services: {
      [PRODUCE]: { provider: { virtualNode: { virtualNodeName: 'produce' } } },
      [COLOR]: { provider: { virtualRouter: { virtualRouterName: 'color' } } },
    },
    routers: { color: { listeners: [httpListener(COLOR_DEFAULT_PORT), httpListener(COLOR_BY_PORT)] } },
    routes: {
      // As `aws appmesh create-route` made it in the multi-listener walkthrough: a port and nothing else.
      'color/by-port': colorRoute({ port: COLOR_BY_PORT }, 'color-v2'),
      'color/default': colorRoute({ prefix: '/', port: COLOR_DEFAULT_PORT }, 'color-v1'),
    },
    gateways: {
      gw: {
        listeners: [{
          ...httpListener(8080),
          healthCheck: { protocol: 'http', path: HEALTH_PATH, port: 8080, healthyThreshold: 2, unhealthyThreshold: 3, intervalMillis: 5000, timeoutMillis: 2000 },
        }],
      },
    },
    gatewayRoutes: {
      'gw/fruit': toPort('/fruit/', PRODUCE, ports.fruit),
      'gw/vegetable': toPort('/vegetable/', PRODUCE, ports.vegetable),
      'gw/color': toPort('/color/', COLOR, COLOR_DEFAULT_PORT),
      'gw/color-by-port': toPort('/color-by-port/', COLOR, COLOR_BY_PORT),
    },
  });
  const endpoints = {
    // One address; the node's two listeners give the two ports.
    'produce': [{ address: '127.0.0.1', port: ports.fruit }],
    'color-v1': [{ address: '127.0.0.1', port: ports.colorV1 }],
    'color-v2': [{ address: '127.0.0.1', port: ports.colorV2 }],
  };
  return { doc, endpoints };
}
