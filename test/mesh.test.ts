import * as fs from 'fs';
import * as path from 'path';
import { App, Fn, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cloudmap from 'aws-cdk-lib/aws-servicediscovery';
import * as appmesh from '../src';
import { newStack, nodeSpec, onlyDocument } from './helpers';
import { buildMeshSpecs } from '../src/private/spec-builder';

describe('Mesh', () => {
  test('egress filter defaults to DROP_ALL and is rendered (Q9)', () => {
    const { stack } = newStack();
    new appmesh.Mesh(stack, 'mesh', { meshName: 'test-mesh' });
    expect(onlyDocument(stack).mesh).toEqual({ meshName: 'test-mesh', spec: { egressFilter: { type: 'DROP_ALL' } } });
  });

  test('egress filter and IP preference from props', () => {
    const { stack } = newStack();
    new appmesh.Mesh(stack, 'mesh', {
      meshName: 'test-mesh',
      egressFilter: appmesh.MeshFilterType.ALLOW_ALL,
      serviceDiscovery: { ipPreference: appmesh.IpPreference.IPV4_ONLY },
    });
    expect(onlyDocument(stack).mesh.spec).toEqual({
      egressFilter: { type: 'ALLOW_ALL' },
      serviceDiscovery: { ipPreference: 'IPv4_ONLY' },
    });
  });

  test('name defaults to a unique id derived from the path; ARN has App Mesh shape', () => {
    const { stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'mesh');
    expect(mesh.meshName).toMatch(/^Stackmesh[0-9A-F]{8}$/);
    expect(stack.resolve(mesh.meshArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:appmesh:eu-west-1:123456789012:mesh/${mesh.meshName}`]],
    });
    expect(onlyDocument(stack).mesh.meshName).toBe(mesh.meshName);
  });

  test('addVirtualRouter creates a router under the mesh construct with an HTTP 8080 listener', () => {
    const { stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'test-mesh' });
    const router = mesh.addVirtualRouter('router');
    expect(router.node.scope).toBe(mesh);
    expect(router.mesh).toBe(mesh);
    expect(onlyDocument(stack).virtualRouters).toEqual([{
      meshName: 'test-mesh',
      virtualRouterName: router.virtualRouterName,
      spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
    }]);
  });

  test('addVirtualGateway creates a gateway under the mesh construct', () => {
    const { stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'test-mesh' });
    const gateway = mesh.addVirtualGateway('gateway', { virtualGatewayName: 'gw' });
    expect(gateway.node.scope).toBe(mesh);
    expect(gateway.mesh).toBe(mesh);
    expect(onlyDocument(stack).virtualGateways.map((g) => [g.meshName, g.virtualGatewayName])).toEqual([['test-mesh', 'gw']]);
  });

  test('addVirtualNode without listeners or backends renders only service discovery', () => {
    const { stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'test-mesh' });
    const node = mesh.addVirtualNode('test-node', { serviceDiscovery: appmesh.ServiceDiscovery.dns('test.domain.local') });
    expect(node.node.scope).toBe(mesh);
    expect(nodeSpec(onlyDocument(stack), node.virtualNodeName)).toEqual({ serviceDiscovery: { dns: { hostname: 'test.domain.local' } } });
  });

  test('addVirtualNode with listener, health check and service backend', () => {
    const { stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'test-mesh' });
    const service1 = new appmesh.VirtualService(stack, 'service-1', {
      virtualServiceName: 'service1.domain.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.none(mesh),
    });
    mesh.addVirtualNode('test-node', {
      virtualNodeName: 'test-node',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('test.domain.local'),
      listeners: [appmesh.VirtualNodeListener.http({ port: 8080, healthCheck: appmesh.HealthCheck.http({ healthyThreshold: 3 }) })],
      backends: [appmesh.Backend.virtualService(service1)],
    });
    expect(nodeSpec(onlyDocument(stack), 'test-node')).toEqual({
      serviceDiscovery: { dns: { hostname: 'test.domain.local' } },
      listeners: [{
        portMapping: { port: 8080, protocol: 'http' },
        healthCheck: {
          healthyThreshold: 3,
          unhealthyThreshold: 2,
          intervalMillis: 5000,
          timeoutMillis: 2000,
          path: '/',
          port: 8080,
          protocol: 'http',
        },
      }],
      backends: [{ virtualService: { virtualServiceName: 'service1.domain.local' } }],
    });
  });

  describe('Cloud Map discovery', () => {
    function cloudMapNode(attributes?: { [key: string]: string }) {
      const { app, stack } = newStack();
      const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'test-mesh' });
      const namespace = new cloudmap.HttpNamespace(stack, 'namespace', { name: 'domain.local' });
      const service = namespace.createService('Svc');
      new appmesh.VirtualNode(stack, 'test-node', {
        mesh,
        virtualNodeName: 'test-node',
        serviceDiscovery: appmesh.ServiceDiscovery.cloudMap(service, attributes, appmesh.IpPreference.IPV6_PREFERRED),
      });
      return { app, stack, service };
    }

    test('in-process document keeps the service name token; validation skips it', () => {
      const { stack, service } = cloudMapNode();
      const discovery = nodeSpec(onlyDocument(stack), 'test-node').serviceDiscovery!;
      expect(discovery.awsCloudMap?.namespaceName).toBe('domain.local');
      expect(discovery.awsCloudMap?.serviceName).toBe(service.serviceName);
      expect(Token.isUnresolved(discovery.awsCloudMap?.serviceName)).toBe(true);
      expect(stack.resolve(discovery.awsCloudMap?.serviceName)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^namespaceSvc[0-9A-F]{8}$/), 'Name'] });
      expect(discovery.awsCloudMap?.ipPreference).toBe('IPv6_PREFERRED');
    });

    test('instance attributes are rendered as key/value pairs', () => {
      const { stack } = cloudMapNode({ testKey: 'testValue', another: 'x' });
      expect(nodeSpec(onlyDocument(stack), 'test-node').serviceDiscovery?.awsCloudMap?.attributes).toEqual([
        { key: 'another', value: 'x' },
        { key: 'testKey', value: 'testValue' },
      ]);
    });

    test('the assembly file renders the token as its CloudFormation intrinsic', () => {
      const { app } = cloudMapNode();
      const assembly = app.synth();
      const written = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'test-mesh.mesh.json'), 'utf-8'));
      expect(written.virtualNodes[0].spec.serviceDiscovery.awsCloudMap.serviceName).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^namespaceSvc[0-9A-F]{8}$/), 'Name'] });
    });
  });

  describe('imports', () => {
    test('fromMeshName: resources go to that mesh document, whose spec is the default', () => {
      const { stack } = newStack();
      const mesh = appmesh.Mesh.fromMeshName(stack, 'imported-mesh', 'abc');
      expect(mesh.meshName).toBe('abc');
      expect(stack.resolve(mesh.meshArn)).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':appmesh:eu-west-1:123456789012:mesh/abc']],
      });
      new appmesh.VirtualService(stack, 'service', {
        virtualServiceName: 'test.domain.local',
        virtualServiceProvider: appmesh.VirtualServiceProvider.none(mesh),
      });
      const doc = onlyDocument(stack);
      expect(doc.mesh).toEqual({ meshName: 'abc', spec: { egressFilter: { type: 'DROP_ALL' } } });
      expect(doc.virtualServices).toEqual([{ meshName: 'abc', virtualServiceName: 'test.domain.local', spec: {} }]);
    });

    test('fromMeshName with a Mesh of that name in the app joins its document', () => {
      const app = new App();
      const a = new Stack(app, 'A');
      const b = new Stack(app, 'B');
      new appmesh.Mesh(a, 'mesh', { meshName: 'shared', egressFilter: appmesh.MeshFilterType.ALLOW_ALL });
      const imported = appmesh.Mesh.fromMeshName(b, 'mesh', 'shared');
      imported.addVirtualNode('node', { virtualNodeName: 'n1' });
      const docs = buildMeshSpecs(app);
      expect(docs).toHaveLength(1);
      expect(docs[0].mesh.spec.egressFilter).toEqual({ type: 'ALLOW_ALL' });
      expect(docs[0].virtualNodes.map((n) => n.virtualNodeName)).toEqual(['n1']);
    });

    test('fromMeshArn parses the mesh name from a literal ARN', () => {
      const { stack } = newStack();
      const arn = 'arn:aws:appmesh:us-west-2:111122223333:mesh/the-mesh';
      const mesh = appmesh.Mesh.fromMeshArn(stack, 'imported', arn);
      expect(mesh.meshName).toBe('the-mesh');
      expect(mesh.meshArn).toBe(arn);
    });

    test('fromMeshArn with a token ARN selects the name with CloudFormation functions', () => {
      const { stack } = newStack();
      const arn = Fn.importValue('MeshArn');
      const mesh = appmesh.Mesh.fromMeshArn(stack, 'imported', arn);
      expect(Token.isUnresolved(mesh.meshName)).toBe(true);
      expect(JSON.stringify(stack.resolve(mesh.meshName))).toContain('Fn::Select');
    });
  });

  test('several meshes give one document each, sorted by name', () => {
    const { stack } = newStack();
    new appmesh.Mesh(stack, 'm2', { meshName: 'zeta' });
    new appmesh.Mesh(stack, 'm1', { meshName: 'alpha' });
    expect(buildMeshSpecs(stack).map((d) => d.mesh.meshName)).toEqual(['alpha', 'zeta']);
  });

  test('two Mesh constructs with one name are reported with both paths', () => {
    const { stack } = newStack();
    new appmesh.Mesh(stack, 'first', { meshName: 'dup' });
    new appmesh.Mesh(stack, 'second', { meshName: 'dup' });
    expect(() => buildMeshSpecs(stack)).toThrow(/\[Stack\/second\] mesh 'dup' is defined twice .*Stack\/first/);
  });

  test('app.synth() writes one canonical file per mesh, byte-identical across two synths', () => {
    const build = () => {
      const app = new App();
      const stack = new Stack(app, 'Stack');
      const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'apps' });
      const b = mesh.addVirtualNode('b', {
        virtualNodeName: 'b',
        serviceDiscovery: appmesh.ServiceDiscovery.dns('b.local'),
        listeners: [appmesh.VirtualNodeListener.http()],
      });
      mesh.addVirtualNode('a', { virtualNodeName: 'a', serviceDiscovery: appmesh.ServiceDiscovery.dns('a.local') });
      const router = mesh.addVirtualRouter('r', { virtualRouterName: 'r' });
      router.addRoute('z', { routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: b }] }) });
      router.addRoute('a', {
        routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: b }], match: { path: appmesh.HttpRoutePathMatch.exactly('/a') } }),
      });
      new appmesh.Mesh(stack, 'other', { meshName: 'other' });
      const dir = app.synth().directory;
      return {
        apps: fs.readFileSync(path.join(dir, 'apps.mesh.json'), 'utf-8'),
        other: fs.readFileSync(path.join(dir, 'other.mesh.json'), 'utf-8'),
      };
    };
    const first = build();
    const second = build();
    expect(first.apps).toBe(second.apps);
    expect(first.other).toBe(second.other);
    expect(first.apps.endsWith('}\n')).toBe(true);
    const doc = JSON.parse(first.apps);
    expect(doc.specVersion).toBe('open-app-mesh/v1');
    expect(doc.virtualNodes.map((n: any) => n.virtualNodeName)).toEqual(['a', 'b']);
    expect(doc.routes.map((r: any) => r.routeName)).toEqual(['a', 'z']);
    expect(Object.keys(doc)).toEqual([...Object.keys(doc)].sort());
  });

  test('spec problems are reported by app.synth() with the construct path', () => {
    const { app, stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'apps' });
    const node = mesh.addVirtualNode('node', {
      virtualNodeName: 'node',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('node.local'),
      listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
    });
    const router = mesh.addVirtualRouter('router', { virtualRouterName: 'router' });
    router.addRoute('route', {
      routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: node, weight: 101 }] }),
    });
    expect(() => app.synth()).toThrow(/\[Stack\/mesh\/router\/route\] routes\["router\/route"\]|\[Stack\/mesh\/router\/route\].*weight/);
  });
});

test('resources expose aws-cdk-lib reference objects (IMeshRef, IVirtualNodeRef, ...)', () => {
  const { stack } = newStack();
  const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'm' });
  const node = mesh.addVirtualNode('n', { virtualNodeName: 'n' });
  const router = mesh.addVirtualRouter('r', { virtualRouterName: 'r' });
  const route = router.addRoute('route', { routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: node }] }) });
  const service = new appmesh.VirtualService(stack, 's', { virtualServiceName: 's.local', virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(router) });
  const imported = appmesh.Route.fromRouteAttributes(stack, 'ir', { routeName: 'x', virtualRouter: router });
  expect(mesh.meshRef).toEqual({ meshArn: mesh.meshArn });
  expect(node.virtualNodeRef).toEqual({ virtualNodeArn: node.virtualNodeArn });
  expect(router.virtualRouterRef).toEqual({ virtualRouterArn: router.virtualRouterArn });
  expect(route.routeRef).toEqual({ routeArn: route.routeArn });
  expect(imported.routeRef).toEqual({ routeArn: imported.routeArn });
  expect(service.virtualServiceRef).toEqual({ virtualServiceArn: service.virtualServiceArn });
});

test('imports from an ARN of the wrong kind read it by position, as aws-cdk-lib does, and warn', () => {
  const { stack } = newStack();
  const routerArn = 'arn:aws:appmesh:eu-west-1:123456789012:mesh/m/virtualRouter/r';
  const node = appmesh.VirtualNode.fromVirtualNodeArn(stack, 'a', routerArn);
  expect([node.mesh.meshName, node.virtualNodeName]).toEqual(['m', 'r']);
  expect(appmesh.VirtualService.fromVirtualServiceArn(stack, 'b', routerArn).virtualServiceName).toBe('r');
  expect(appmesh.Mesh.fromMeshArn(stack, 'd', routerArn).meshName).toBe('m');
  appmesh.VirtualRouter.fromVirtualRouterArn(stack, 'e', routerArn);
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('is not the ARN of'));
  expect(warnings.map((w) => `${w.id} ${w.entry.data}`).sort()).toEqual([
    expect.stringMatching(/^\/Stack .*not the ARN of a mesh \(expected \.\.\.:mesh\/<mesh>\); .*the imported mesh is named 'm'/),
    expect.stringMatching(/^\/Stack\/a '.*virtualRouter\/r' is not the ARN of a virtualNode \(expected \.\.\.:mesh\/<mesh>\/virtualNode\/<name>\); .*named 'r' in mesh 'm'.*open-app-mesh:arn-kind-mismatch/),
    expect.stringMatching(/^\/Stack\/b .*not the ARN of a virtualService/),
  ]);
  // Too short to hold a route name at its position: aws-cdk-lib imports it with no name, and so
  // do we, with the same warning; a mesh resource that used the name would fail at synth.
  const route = appmesh.Route.fromRouteArn(stack, 'c', routerArn);
  expect(route.routeName).toBe('');
  expect(route.node.metadata.map((m) => m.data)).toEqual([
    expect.stringMatching(/is not the ARN of a route .*no name at each position.*open-app-mesh:arn-kind-mismatch/),
  ]);
});

test('applyRemovalPolicy, which aws-cdk-lib applies to the AWS::AppMesh::* resource, is accepted without effect and synth warns', () => {
  const { app, stack } = newStack();
  const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'm' });
  const node = mesh.addVirtualNode('node', { virtualNodeName: 'node', serviceDiscovery: appmesh.ServiceDiscovery.dns('node.local') });
  const router = mesh.addVirtualRouter('router', { listeners: [appmesh.VirtualRouterListener.http()] });
  const route = router.addRoute('route', { routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: node }] }) });
  const service = new appmesh.VirtualService(stack, 'service', {
    virtualServiceName: 'svc.local', virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(router),
  });
  const gateway = mesh.addVirtualGateway('gateway');
  const gatewayRoute = gateway.addGatewayRoute('gatewayRoute', { routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service }) });
  const resources = [mesh, node, router, route, service, gateway, gatewayRoute];
  for (const resource of resources) resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
  const warnings = app.synth().getStackByName(stack.stackName).messages
    .filter((m) => m.level === 'warning' && String(m.entry.data).includes('open-app-mesh:removal-policy-without-effect'));
  expect(warnings.map((m) => m.id).sort()).toEqual(resources.map((r) => `/${r.node.path}`).sort());
  expect(warnings[0].entry.data).toMatch(/^applyRemovalPolicy\(retain\) has no effect: this mesh resource is an entry of the mesh spec document/);
});

test('Tags.of(a mesh resource), which aws-cdk-lib applies to the AWS::AppMesh::* resources, tags nothing and synth warns on that resource', () => {
  const { app, stack } = newStack();
  const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'm' });
  const node = mesh.addVirtualNode('node', { virtualNodeName: 'node', serviceDiscovery: appmesh.ServiceDiscovery.dns('node.local') });
  Tags.of(mesh).add('team', 'payments');
  Tags.of(node).add('cost-center', '42');
  Tags.of(stack).add('env', 'prod');
  const warnings = app.synth().getStackByName(stack.stackName).messages
    .filter((m) => m.level === 'warning' && String(m.entry.data).includes('open-app-mesh:tags-without-effect'));
  expect(warnings.map((m) => [m.id, m.entry.data])).toEqual([
    [`/${mesh.node.path}`, expect.stringMatching(/^Tags\.of\(\.\.\.\)\.add\("team"\) has no effect: mesh resources are entries of the mesh spec document/)],
    [`/${node.node.path}`, expect.stringMatching(/^Tags\.of\(\.\.\.\)\.add\("cost-center"\) has no effect/)],
  ]);
});
