/**
 * A virtual gateway listener's `healthCheck`. A node listener's check is run by that node's
 * callers (rendered on their clusters); nothing in a mesh calls a gateway, and the public config
 * dump of an App Mesh gateway shows no trace of the policy (its connection manager has the router
 * filter only; a deeper gateway check was still an open request on App Mesh's roadmap). So App
 * Mesh's behaviour, kept here, is: the policy is validated and stored, and changes nothing Envoy
 * receives. In particular no health-check filter answers on `path`, which would swallow that
 * path's traffic on its way to the mesh.
 */
import { meshDoc, MESH } from './spec-builder';
import { VirtualGatewayHealthCheckPolicy, VirtualGatewaySpec } from '../../../src/spec/appmesh-types';
import { validateMeshSpec } from '../../../src/spec/validate';
import { translateNode } from '../../src/translate';

function gatewayWith(healthCheck?: VirtualGatewayHealthCheckPolicy) {
  const gateway: VirtualGatewaySpec = {
    listeners: [{ portMapping: { port: 8080, protocol: 'http' }, ...(healthCheck ? { healthCheck } : {}) }],
  };
  return meshDoc({
    nodes: { a: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'a.local' } } } },
    services: { 'a.svc': { provider: { virtualNode: { virtualNodeName: 'a' } } } },
    gateways: { gw: gateway },
    gatewayRoutes: { 'gw/r': { httpRoute: { match: { prefix: '/' }, action: { target: { virtualService: { virtualServiceName: 'a.svc' } } } } } },
  });
}

const CHECK: VirtualGatewayHealthCheckPolicy = {
  protocol: 'http', path: '/ping', port: 8080, healthyThreshold: 2, unhealthyThreshold: 3, intervalMillis: 5000, timeoutMillis: 2000,
};

describe('virtual gateway listener health check', () => {
  test('is accepted, and an out-of-range one is refused naming the field', () => {
    expect(validateMeshSpec(gatewayWith(CHECK)).map(i => i.message)).toEqual([]);
    const issues = validateMeshSpec(gatewayWith({ ...CHECK, intervalMillis: 100 }));
    expect(issues.map(i => i.path)).toEqual([expect.stringContaining('listeners[0].healthCheck.intervalMillis')]);
  });

  test('renders exactly what the same gateway renders without it, for Envoy and proxyless clients', () => {
    const nodeId = `mesh/${MESH}/virtualGateway/gw`;
    const withCheck = translateNode({ spec: gatewayWith(CHECK), nodeId });
    const without = translateNode({ spec: gatewayWith(), nodeId });
    expect(withCheck).toEqual(without);
    expect(JSON.stringify(withCheck)).not.toContain('health_check');
    expect(JSON.stringify(withCheck)).not.toContain('/ping');
  });
});
