/**
 * The generated bench mesh written as a CDK app, once, against an `appmesh` namespace: the same
 * code runs with aws-cdk-lib/aws-appmesh and with open-app-mesh (whose constructs are
 * source-compatible; test/compat.test.ts checks that on the examples). Mirrors mesh-generator.ts:
 * per service a router with a 90/10 weighted HTTP route to two virtual nodes, each node calling
 * its neighbours and the shared service.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import type * as awsAppmesh from 'aws-cdk-lib/aws-appmesh';
import { BENCH_MESH, serviceName, SHARED_SERVICE } from './mesh-generator';

/** The aws-appmesh module shape; open-app-mesh's src/index.ts is passed as the same shape. */
export type AppMeshModule = typeof awsAppmesh;

export function buildMeshApp(appmesh: AppMeshModule, virtualNodes: number, outdir: string, backendsPerNode = 7): App {
  const app = new App({ outdir });
  // Three stacks (CloudFormation allows 500 resources per stack): the mesh with its routers and
  // services, the virtual nodes (which call the services), the routes (which target the nodes).
  const env = { account: '123456789012', region: 'us-east-1' };
  const stack = new Stack(app, 'BenchMesh', { env });
  const nodeStack = new Stack(app, 'BenchMeshNodes', { env });
  const routeStack = new Stack(app, 'BenchMeshRoutes', { env });
  const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: BENCH_MESH, egressFilter: appmesh.MeshFilterType.DROP_ALL });
  const serviceCount = virtualNodes / 2 - 1;
  const backends = Math.min(backendsPerNode, serviceCount - 1);
  const services = Array.from({ length: serviceCount }, (_, i) => serviceName(i));
  const all = [...services, SHARED_SERVICE];

  const routers = new Map<string, awsAppmesh.VirtualRouter>();
  const virtualServices = new Map<string, awsAppmesh.VirtualService>();
  for (const service of all) {
    const router = mesh.addVirtualRouter(`${service}-router`, {
      virtualRouterName: `${service}-router`,
      listeners: [appmesh.VirtualRouterListener.http(8080)],
    });
    routers.set(service, router);
    virtualServices.set(service, new appmesh.VirtualService(stack, `${service}-service`, {
      virtualServiceName: `${service}.${BENCH_MESH}.local`,
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(router),
    }));
  }
  all.forEach((service, i) => {
    const calls = service === SHARED_SERVICE
      ? []
      : [...Array.from({ length: backends }, (_, k) => services[(i + 1 + k) % serviceCount]), SHARED_SERVICE];
    const nodes = (['v1', 'v2'] as const).map((version) => new appmesh.VirtualNode(nodeStack, `${service}-${version}`, {
      mesh,
      virtualNodeName: `${service}-${version}`,
      serviceDiscovery: appmesh.ServiceDiscovery.dns(`${service}-${version}.${BENCH_MESH}.local`),
      listeners: [appmesh.VirtualNodeListener.http({
        port: 8080,
        healthCheck: appmesh.HealthCheck.http({
          path: '/ping', healthyThreshold: 2, unhealthyThreshold: 2, interval: Duration.seconds(5), timeout: Duration.seconds(2),
        }),
        timeout: { perRequest: Duration.seconds(15) },
      })],
      backends: calls.map((b) => appmesh.Backend.virtualService(virtualServices.get(b)!)),
      accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout'),
    }));
    new appmesh.Route(routeStack, `${service}-route`, {
      mesh,
      virtualRouter: routers.get(service)!,
      routeName: `${service}-route`,
      routeSpec: appmesh.RouteSpec.http({
        weightedTargets: [{ virtualNode: nodes[0], weight: 90 }, { virtualNode: nodes[1], weight: 10 }],
        match: { path: appmesh.HttpRoutePathMatch.startsWith('/') },
        timeout: { perRequest: Duration.seconds(15) },
        retryPolicy: {
          retryAttempts: 2,
          retryTimeout: Duration.seconds(1),
          httpRetryEvents: [appmesh.HttpRetryEvent.GATEWAY_ERROR],
          tcpRetryEvents: [appmesh.TcpRetryEvent.CONNECTION_ERROR],
        },
      }),
    });
  });
  return app;
}
