import { MeshSpecDocument } from '../../../src/spec/document';
import { discoveryTargets } from '../../src/discovery/targets';

test('discoveryTargets reads each node\'s service discovery, listener ports and ip preference', () => {
  const doc: MeshSpecDocument = {
    specVersion: 'open-app-mesh/v1',
    mesh: { meshName: 'apps', spec: { serviceDiscovery: { ipPreference: 'IPv6_PREFERRED' } } },
    virtualNodes: [
      {
        meshName: 'apps',
        virtualNodeName: 'cm',
        spec: {
          listeners: [{ portMapping: { port: 8080, protocol: 'grpc' } }, { portMapping: { port: 9090, protocol: 'http' } }],
          serviceDiscovery: {
            awsCloudMap: { namespaceName: 'ns', serviceName: 'svc', attributes: [{ key: 'ECS_TASK_DEFINITION_FAMILY', value: 'v1' }], ipPreference: 'IPv4_ONLY' },
          },
        },
      },
      {
        meshName: 'apps',
        virtualNodeName: 'dns',
        spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'b.local', responseType: 'ENDPOINTS' } } },
      },
      { meshName: 'apps', virtualNodeName: 'client', spec: { backends: [] } },
    ],
    virtualServices: [],
    virtualRouters: [],
    routes: [],
    virtualGateways: [],
    gatewayRoutes: [],
  };
  expect(discoveryTargets(doc)).toEqual([
    {
      virtualNodeName: 'cm',
      ports: [8080, 9090],
      cloudMap: { namespaceName: 'ns', serviceName: 'svc', attributes: { ECS_TASK_DEFINITION_FAMILY: 'v1' } },
      ipPreference: 'IPv4_ONLY',
    },
    { virtualNodeName: 'dns', ports: [80], dns: { hostname: 'b.local', responseType: 'ENDPOINTS' }, ipPreference: 'IPv6_PREFERRED' },
  ]);
});
