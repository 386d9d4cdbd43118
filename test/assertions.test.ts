import { App, Stack, Stage } from 'aws-cdk-lib';
import { Capture, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import * as appmesh from '../src';
import { MeshResourceKind, MeshTemplate } from '../src/assertions';
import { buildMeshSpecs } from '../src/private/spec-builder';
import { toCanonicalJson } from '../src/spec/canonical';

/** A small mesh: two nodes, a router with a weighted route, a service, a gateway with a route. */
function shopStack(app = new App()) {
  const stack = new Stack(app, 'Shop', { env: { account: '123456789012', region: 'eu-west-1' } });
  const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'shop' });
  const v1 = mesh.addVirtualNode('V1', {
    virtualNodeName: 'orders-v1',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('orders-v1.shop.local'),
    listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
  });
  const v2 = mesh.addVirtualNode('V2', {
    virtualNodeName: 'orders-v2',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('orders-v2.shop.local'),
    listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
  });
  const router = mesh.addVirtualRouter('Router', {
    virtualRouterName: 'orders',
    listeners: [appmesh.VirtualRouterListener.http(8080)],
  });
  router.addRoute('Canary', {
    routeName: 'canary',
    routeSpec: appmesh.RouteSpec.http({
      weightedTargets: [{ virtualNode: v1, weight: 90 }, { virtualNode: v2, weight: 10 }],
    }),
  });
  const service = new appmesh.VirtualService(stack, 'Service', {
    virtualServiceName: 'orders.shop.local',
    virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(router),
  });
  const gateway = mesh.addVirtualGateway('Gateway', { virtualGatewayName: 'ingress' });
  gateway.addGatewayRoute('Orders', {
    gatewayRouteName: 'orders',
    routeSpec: appmesh.GatewayRouteSpec.http({
      routeTarget: service,
      match: { path: appmesh.HttpGatewayRoutePathMatch.startsWith('/orders/') },
    }),
  });
  gateway.grantStreamAggregatedResources(new iam.ArnPrincipal('arn:aws:iam::123456789012:role/ingress'));
  return { app, stack, mesh, router, gateway, service };
}

describe('MeshTemplate.fromStack', () => {
  test('toJSON is the canonical document of the stack', () => {
    const { stack } = shopStack();
    const json = MeshTemplate.fromStack(stack).toJSON();
    expect(JSON.stringify(json, undefined, 2) + '\n').toBe(toCanonicalJson(buildMeshSpecs(stack)[0]));
    expect(json.specVersion).toBe('open-app-mesh/v1');
  });

  test('toJSON resolves deploy-time values to their CloudFormation form', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'm' });
    const namespace = new servicediscovery.PrivateDnsNamespace(stack, 'Ns', {
      name: 'shop.local',
      vpc: { vpcId: 'vpc-1' } as any,
    });
    const service = namespace.createService('Orders');
    mesh.addVirtualNode('Node', {
      virtualNodeName: 'n',
      serviceDiscovery: appmesh.ServiceDiscovery.cloudMap(service),
      listeners: [appmesh.VirtualNodeListener.http()],
    });
    const node = MeshTemplate.fromStack(stack).toJSON().virtualNodes[0];
    expect(node.spec.serviceDiscovery.awsCloudMap.serviceName).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^NsOrders/), 'Name'] });
  });

  test('runs construct validations first and reports them with the construct path', () => {
    const { stack, gateway, service } = shopStack();
    gateway.addGatewayRoute('Bad', { routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service, priority: 5000 }) });
    expect(() => MeshTemplate.fromStack(stack)).toThrow(/Validation failed with the following errors:\n {2}\[Shop\/Mesh\/Gateway\/Bad\] .*priority/);
  });

  test('a stack with several meshes needs a mesh name', () => {
    const { stack } = shopStack();
    new appmesh.Mesh(stack, 'Other', { meshName: 'billing' });
    expect(() => MeshTemplate.fromStack(stack))
      .toThrow("MeshTemplate: 2 meshes under 'Shop' (billing, shop); pass { meshName } to choose one");
    expect(MeshTemplate.fromStack(stack, { meshName: 'billing' }).meshName).toBe('billing');
    expect(MeshTemplate.fromStack(stack, { meshName: 'shop' }).toJSON().virtualNodes).toHaveLength(2);
    expect(() => MeshTemplate.fromStack(stack, { meshName: 'nope' }))
      .toThrow("MeshTemplate: no mesh named 'nope' under 'Shop' (meshes found: billing, shop)");
  });

  test('a stack without mesh resources is an error', () => {
    const stack = new Stack(new App(), 'Empty');
    expect(() => MeshTemplate.fromStack(stack)).toThrow("MeshTemplate: no mesh resources under 'Empty'");
  });

  test('a stack holding part of a mesh gets the whole mesh of its stage', () => {
    const app = new App();
    const { gateway, service } = shopStack(app);
    const routes = new Stack(app, 'Routes');
    new appmesh.GatewayRoute(routes, 'Extra', {
      gatewayRouteName: 'extra',
      virtualGateway: gateway,
      routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service, match: { path: appmesh.HttpGatewayRoutePathMatch.exactly('/extra') } }),
    });
    const template = MeshTemplate.fromStack(routes);
    template.hasGatewayRoute('ingress', 'extra', { httpRoute: { match: { path: { exact: '/extra' } } } });
    template.hasVirtualGateway('ingress');
    template.resourceCountIs(MeshResourceKind.GATEWAY_ROUTE, 2);
  });

  test('a stack in a nested Stage gets the document of that stage only', () => {
    const app = new App();
    shopStack(app);
    const stage = new Stage(app, 'Prod');
    const stack = new Stack(stage, 'Mesh');
    const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'shop' });
    mesh.addVirtualNode('Node', { virtualNodeName: 'prod-only' });
    const template = MeshTemplate.fromStack(stack);
    template.hasVirtualNode('prod-only');
    template.resourceCountIs(MeshResourceKind.VIRTUAL_NODE, 1);
    MeshTemplate.fromConstruct(app).resourceCountIs(MeshResourceKind.VIRTUAL_NODE, 2);
  });

  test('fromMesh gets every resource of a mesh, from any stack of its stage', () => {
    const app = new App();
    const { mesh } = shopStack(app);
    const other = new Stack(app, 'Billing');
    const imported = appmesh.Mesh.fromMeshName(other, 'Shop', 'shop');
    imported.addVirtualNode('Node', { virtualNodeName: 'billing' });
    // An invalid resource of another mesh does not get in the way.
    const broken = new appmesh.Mesh(other, 'Broken', { meshName: 'broken' });
    new appmesh.GatewayRoute(other, 'BadRoute', {
      virtualGateway: broken.addVirtualGateway('Gw'),
      routeSpec: appmesh.GatewayRouteSpec.http({
        routeTarget: appmesh.VirtualService.fromVirtualServiceAttributes(other, 'Missing', { mesh: broken, virtualServiceName: 'missing' }),
      }),
    });

    for (const template of [MeshTemplate.fromMesh(mesh), MeshTemplate.fromMesh(imported)]) {
      expect(template.meshName).toBe('shop');
      template.hasVirtualNode('billing');
      template.hasVirtualNode('orders-v1');
    }
    expect(() => MeshTemplate.fromMesh(broken)).toThrow(
      /Validation failed with the following errors:\n {2}\[Billing\/BadRoute\] .*virtual service "missing" does not exist in mesh "broken"/);
  });

  test('fromConstruct collects across the stacks of an app', () => {
    const app = new App();
    const { mesh } = shopStack(app);
    const other = new Stack(app, 'Billing');
    appmesh.VirtualGateway.fromVirtualGatewayAttributes(other, 'Gw', { mesh, virtualGatewayName: 'ingress' });
    new appmesh.VirtualNode(other, 'Node', {
      mesh: appmesh.Mesh.fromMeshName(other, 'Mesh', 'shop'),
      virtualNodeName: 'billing',
    });
    const template = MeshTemplate.fromConstruct(app);
    template.hasVirtualNode('billing');
    template.resourceCountIs(MeshResourceKind.VIRTUAL_NODE, 3);
  });
});

describe('resourceCountIs', () => {
  const { stack } = shopStack();
  const template = MeshTemplate.fromStack(stack);

  test('passes on the right count', () => {
    template.resourceCountIs(MeshResourceKind.VIRTUAL_NODE, 2);
    template.resourceCountIs(MeshResourceKind.ROUTE, 1);
    template.resourceCountIs(MeshResourceKind.GATEWAY_ROUTE, 1);
    template.resourceCountIs(MeshResourceKind.MESH, 1);
  });

  test('names what it found on a wrong count', () => {
    expect(() => template.resourceCountIs(MeshResourceKind.VIRTUAL_NODE, 3)).toThrow(
      "MeshTemplate(mesh 'shop'): expected 3 virtualNodes but found 2 (virtualNodes[\"orders-v1\"], virtualNodes[\"orders-v2\"])");
    expect(() => template.resourceCountIs(MeshResourceKind.GATEWAY_ROUTE, 0)).toThrow(
      'expected 0 gatewayRoutes but found 1 (gatewayRoutes["ingress"/"orders"])');
  });
});

describe('hasResourceLike and findResources', () => {
  const { stack } = shopStack();
  const template = MeshTemplate.fromStack(stack);

  test('plain objects match partially, at any depth', () => {
    template.hasResourceLike(MeshResourceKind.VIRTUAL_NODE, {
      virtualNodeName: 'orders-v2',
      spec: { serviceDiscovery: { dns: { hostname: 'orders-v2.shop.local' } } },
    });
  });

  test('Match matchers from aws-cdk-lib/assertions apply', () => {
    template.hasResourceLike(MeshResourceKind.ROUTE, {
      spec: {
        httpRoute: {
          action: { weightedTargets: Match.arrayWith([Match.objectLike({ virtualNode: 'orders-v2', weight: 10 })]) },
          retryPolicy: Match.absent(),
        },
      },
    });
    template.hasResourceLike(MeshResourceKind.VIRTUAL_SERVICE, Match.objectEquals({
      meshName: 'shop',
      virtualServiceName: 'orders.shop.local',
      spec: { provider: { virtualRouter: { virtualRouterName: 'orders' } } },
    }));
  });

  test('a Capture records the matched value', () => {
    const weights = new Capture();
    template.hasResourceLike(MeshResourceKind.ROUTE, {
      spec: { httpRoute: { action: { weightedTargets: Match.arrayWith([{ virtualNode: 'orders-v1', weight: weights }]) } } },
    });
    expect(weights.asNumber()).toBe(90);
  });

  test('a failure says what was expected, which resource came closest, and where it differs', () => {
    let message = '';
    try {
      template.hasResourceLike(MeshResourceKind.VIRTUAL_NODE, {
        spec: { serviceDiscovery: { dns: { hostname: 'orders-v3.shop.local' } }, listeners: Match.arrayWith([Match.objectLike({ portMapping: { port: 8080 } })]) },
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("MeshTemplate(mesh 'shop'): expected a virtualNode matching "
      + '{"spec":{"serviceDiscovery":{"dns":{"hostname":"orders-v3.shop.local"}},"listeners":{"<arrayWith>":[{"<objectLike>":{"portMapping":{"port":8080}}}]}}}');
    expect(message).toContain('but none of the 2 virtualNodes matches.');
    expect(message).toContain('Closest is virtualNodes["orders-v1"] (1 difference(s)):');
    expect(message).toMatch(/!!\s+Expected orders-v3\.shop\.local but received orders-v1\.shop\.local\n\s+"hostname": "orders-v1\.shop\.local"/);
  });

  test('a failure on an empty kind says so', () => {
    const emptyStack = new Stack(new App(), 'S');
    new appmesh.Mesh(emptyStack, 'Mesh', { meshName: 'empty' });
    expect(() => MeshTemplate.fromStack(emptyStack).hasResourceLike(MeshResourceKind.ROUTE, {}))
      .toThrow("MeshTemplate(mesh 'empty'): expected a route matching {}, but the mesh has no routes");
  });

  test('matchingResourceCountIs counts the matching resources', () => {
    template.matchingResourceCountIs(MeshResourceKind.VIRTUAL_NODE, { spec: { listeners: [{ portMapping: { port: 8080 } }] } }, 2);
    template.matchingResourceCountIs(MeshResourceKind.VIRTUAL_NODE, { virtualNodeName: 'orders-v2' }, 1);
    expect(() => template.matchingResourceCountIs(MeshResourceKind.VIRTUAL_NODE, { virtualNodeName: 'orders-v2' }, 2)).toThrow(
      "MeshTemplate(mesh 'shop'): expected 2 virtualNodes matching {\"virtualNodeName\":\"orders-v2\"} but 1 of 2 match (virtualNodes[\"orders-v2\"])");
  });

  test('allResourcesLike checks every resource of a kind', () => {
    template.allResourcesLike(MeshResourceKind.VIRTUAL_NODE, { meshName: 'shop', spec: { serviceDiscovery: { dns: Match.anyValue() } } });
    let message = '';
    try {
      template.allResourcesLike(MeshResourceKind.VIRTUAL_NODE, { spec: { serviceDiscovery: { dns: { hostname: 'orders-v1.shop.local' } } } });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("MeshTemplate(mesh 'shop'): expected every virtualNode to match "
      + '{"spec":{"serviceDiscovery":{"dns":{"hostname":"orders-v1.shop.local"}}}}, but 1 do not (virtualNodes["orders-v2"]). First, virtualNodes["orders-v2"]:');
    expect(message).toMatch(/!!\s+Expected orders-v1\.shop\.local but received orders-v2\.shop\.local/);
  });

  test('findResources returns the matching entries as copies', () => {
    const found = template.findResources(MeshResourceKind.VIRTUAL_NODE, { spec: { serviceDiscovery: { dns: { hostname: 'orders-v1.shop.local' } } } });
    expect(found.map((n) => n.virtualNodeName)).toEqual(['orders-v1']);
    found[0].virtualNodeName = 'changed';
    expect(template.findResources(MeshResourceKind.VIRTUAL_NODE).map((n) => n.virtualNodeName)).toEqual(['orders-v1', 'orders-v2']);
    expect(template.findResources(MeshResourceKind.VIRTUAL_NODE, { virtualNodeName: 'nope' })).toEqual([]);
  });
});

describe('named assertions', () => {
  const { stack } = shopStack();
  const template = MeshTemplate.fromStack(stack);

  test('pass for existing resources, with and without a spec pattern', () => {
    template.hasMeshSpec({ egressFilter: { type: 'DROP_ALL' } });
    template.hasVirtualNode('orders-v1');
    template.hasVirtualNode('orders-v1', { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] });
    template.hasVirtualService('orders.shop.local', { provider: { virtualRouter: { virtualRouterName: 'orders' } } });
    template.hasVirtualRouter('orders', { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] });
    template.hasRoute('orders', 'canary', { httpRoute: { match: { prefix: '/' } } });
    template.hasVirtualGateway('ingress', { listeners: Match.arrayWith([Match.objectLike({ portMapping: { port: 8080 } })]) });
    template.hasGatewayRoute('ingress', 'orders', { httpRoute: { match: { prefix: '/orders/' } } });
  });

  test('a missing resource lists the ones present', () => {
    expect(() => template.hasVirtualNode('orders-v3')).toThrow(
      "MeshTemplate(mesh 'shop'): expected virtualNode 'orders-v3', but there is no such virtualNode "
      + '(virtualNodes present: virtualNodes["orders-v1"], virtualNodes["orders-v2"])');
    expect(() => template.hasRoute('payments', 'canary')).toThrow(
      "expected route 'canary' of virtualRouter 'payments', but there is no such route (routes present: routes[\"orders\"/\"canary\"])");
    expect(() => template.hasGatewayRoute('ingress', 'missing')).toThrow(
      "expected gatewayRoute 'missing' of virtualGateway 'ingress', but there is no such gatewayRoute");
  });

  test('a spec mismatch shows where the spec differs', () => {
    let message = '';
    try {
      template.hasRoute('orders', 'canary', { httpRoute: { action: { weightedTargets: [{ virtualNode: 'orders-v1', weight: 50 }] } } });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("MeshTemplate(mesh 'shop'): routes[\"orders\"/\"canary\"].spec does not match the expected spec "
      + '{"httpRoute":{"action":{"weightedTargets":[{"virtualNode":"orders-v1","weight":50}]}}}');
    expect(message).toMatch(/difference\(s\):\n/);
    expect(message).toMatch(/!!\s+Expected 50 but received 90/);
    expect(message).toMatch(/!!\s+Too many elements in array \(expecting 1, got 2\)/);
  });

  test('hasProxyAccess checks node ids and principals', () => {
    template.hasProxyAccess('mesh/shop/virtualGateway/ingress');
    template.hasProxyAccess('mesh/shop/virtualGateway/ingress', ['arn:aws:iam::123456789012:role/ingress']);
    template.hasProxyAccess('mesh/shop/virtualGateway/ingress', Match.arrayWith(['arn:aws:iam::123456789012:role/ingress']));
    expect(() => template.hasProxyAccess('mesh/shop/virtualNode/orders-v1')).toThrow(
      "MeshTemplate(mesh 'shop'): expected proxyAccess for node id 'mesh/shop/virtualNode/orders-v1', but it has none "
      + '(node ids with access: mesh/shop/virtualGateway/ingress)');
    expect(() => template.hasProxyAccess('mesh/shop/virtualGateway/ingress', ['arn:aws:iam::123456789012:role/other']))
      .toThrow(/proxyAccess\["mesh\/shop\/virtualGateway\/ingress"\]\.principals does not match \["arn:aws:iam::123456789012:role\/other"\]/);
  });

  test('templateMatches compares the whole document', () => {
    template.templateMatches({ specVersion: 'open-app-mesh/v1', mesh: { meshName: 'shop' } });
    expect(() => template.templateMatches({ mesh: { meshName: 'billing' } }))
      .toThrow(/the document does not match \{"mesh":\{"meshName":"billing"\}\}:\n[\s\S]*Expected billing but received shop/);
  });
});

describe('MeshTemplate.fromString / fromJSON', () => {
  test('reads a document as the control plane does', () => {
    const { stack } = shopStack();
    const json = toCanonicalJson(buildMeshSpecs(stack)[0]);
    const template = MeshTemplate.fromString(json);
    template.hasGatewayRoute('ingress', 'orders');
    expect(MeshTemplate.fromJSON(JSON.parse(json)).toJSON()).toEqual(JSON.parse(json));
  });

  test('rejects an invalid document with its issues', () => {
    expect(() => MeshTemplate.fromJSON({ specVersion: 'open-app-mesh/v0' })).toThrow(/open-app-mesh\/v0/);
  });
});
