import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { checkEnvoyJson } from './envoy-json-check';
import { bootstrapOfCommand, containerNamed, PlatformFixture, resourcesOfType, TEST_CONTROL_PLANE_IMAGE } from './fixtures';
import { awsSolutionsViolations, validateTemplateAgainstServiceSpec } from './template-checks';
import * as appmesh from '../../src';

function taskDefinitionResource(json: any, prefix: string): any {
  const found = Object.entries(resourcesOfType(json, 'AWS::ECS::TaskDefinition')).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one task definition ${prefix}*, found ${found.length}`);
  return found[0][1];
}

describe('EnvoySidecar on a Fargate task definition', () => {
  let fixture: PlatformFixture;
  let json: any;
  let sidecar: appmesh.EnvoySidecar;

  beforeAll(() => {
    fixture = new PlatformFixture();
    const taskDefinition = fixture.appTaskDefinition('BackendTask');
    sidecar = appmesh.EnvoySidecar.addTo(taskDefinition, fixture.backend, { controlPlane: fixture.controlPlane });
    // A listener added after the sidecar still becomes an app port.
    fixture.backend.addListener(appmesh.VirtualNodeListener.grpc({ port: 9090 }));
    json = Template.fromStack(fixture.stack).toJSON();
  });

  test('the Envoy container: pinned upstream image, user 1337, essential, nofile ulimit, admin health check', () => {
    const envoy = containerNamed(taskDefinitionResource(json, 'BackendTask'), 'envoy');
    expect(envoy.Image).toBe('envoyproxy/envoy:v1.34.4');
    expect(envoy.User).toBe('1337');
    expect(envoy.Essential).toBe(true);
    expect(envoy.MemoryReservation).toBe(128);
    expect(envoy.Ulimits).toEqual([{ Name: 'nofile', SoftLimit: 1024000, HardLimit: 1024000 }]);
    expect(envoy.HealthCheck).toEqual({
      Command: ['CMD', 'bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/9901 && printf \'GET /ready HTTP/1.0\\r\\n\\r\\n\' >&3 && grep -q LIVE <&3'],
      Interval: 5,
      Timeout: 2,
      Retries: 3,
      StartPeriod: 10,
    });
    expect(envoy.Environment).toBeUndefined();
    expect(envoy.LogConfiguration.LogDriver).toBe('awslogs');
  });

  test('the bootstrap in the command names the node, streams through the agent, takes SDS from it, admin on loopback; valid for Envoy', () => {
    const envoy = containerNamed(taskDefinitionResource(json, 'BackendTask'), 'envoy');
    expect(envoy.EntryPoint).toEqual(['/bin/sh', '-c']);
    expect(envoy.Command).toHaveLength(1);
    expect(envoy.Command[0]).toMatch(/&& exec envoy -c \/tmp\/envoy-bootstrap\.json --log-level info --drain-time-s 20 --disable-hot-restart$/);
    const bootstrap = bootstrapOfCommand(envoy.Command[0]);
    expect(bootstrap.node.id).toBe('mesh/shop/virtualNode/backend');
    expect(bootstrap.admin.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 9901 });
    const addresses = Object.fromEntries(bootstrap.static_resources.clusters
      .map((c: any) => [c.name, c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address]));
    expect(addresses).toEqual({
      open_app_mesh_xds: { pipe: { path: '/run/open-app-mesh/xds.sock' } },
      static_cluster_sds_unix_socket: { pipe: { path: '/run/open-app-mesh/sds.sock' } },
    });
    expect(checkEnvoyJson('envoy.config.bootstrap.v3.Bootstrap', bootstrap)).toEqual([]);
  });

  test('the agent beside Envoy: runtime image, IAM identity as the node, trust bundle from the secret, sockets on a private volume', () => {
    const td = taskDefinitionResource(json, 'BackendTask');
    expect(td.Properties.ContainerDefinitions.map((c: any) => c.Name)).toEqual(['app', 'mesh-agent-init', 'mesh-agent', 'envoy']);
    expect(td.Properties.Volumes).toEqual([{ Name: 'mesh-agent-sockets' }]);
    const agent = containerNamed(td, 'mesh-agent');
    expect(agent.Image).toBe(TEST_CONTROL_PLANE_IMAGE);
    expect(agent.EntryPoint).toEqual(['node', '/app/lib-runtime/dist/lib-runtime/src/cli.js']);
    expect(agent.Command).toEqual([
      'agent',
      '--node-id', 'mesh/shop/virtualNode/backend',
      '--identity', 'aws-iam',
      '--server-id', 'xds.shop.open-app-mesh.local',
      '--region', { Ref: 'AWS::Region' },
      '--control-plane', 'https://xds.shop.open-app-mesh.local:18002',
      '--ca-bundle-env', 'OPEN_APP_MESH_CA_BUNDLE',
      '--sds-socket', '/run/open-app-mesh/sds.sock',
      '--xds-address', 'xds.shop.open-app-mesh.local:18000',
      '--xds-proxy-listen', 'unix:/run/open-app-mesh/xds.sock',
      '--health-port', '15020',
    ]);
    expect(agent.Secrets).toEqual([{ Name: 'OPEN_APP_MESH_CA_BUNDLE', ValueFrom: { Ref: expect.stringMatching(/^ControlPlaneTrustTrustBundle/) } }]);
    expect(agent.Environment).toEqual([{ Name: 'TMPDIR', Value: '/run/open-app-mesh' }]);
    // Envoy's uid: the APPMESH redirection leaves its traffic to the control plane alone, and Envoy can open its sockets.
    expect(agent.User).toBe('1337');
    expect(agent.ReadonlyRootFilesystem).toBe(true);
    expect(agent.HealthCheck.Command[3]).toContain("host:'127.0.0.1',port:15020,path:'/ready'");
    expect(agent.MountPoints).toEqual([{ SourceVolume: 'mesh-agent-sockets', ContainerPath: '/run/open-app-mesh', ReadOnly: false }]);
    expect(agent.DependsOn).toEqual([{ ContainerName: 'mesh-agent-init', Condition: 'SUCCESS' }]);

    const init = containerNamed(td, 'mesh-agent-init');
    expect(init).toMatchObject({ User: '0', Essential: false, EntryPoint: ['/bin/sh', '-c'] });
    expect(init.Command).toEqual(['chown 1337:1337 /run/open-app-mesh && chmod 0700 /run/open-app-mesh']);

    const envoy = containerNamed(td, 'envoy');
    expect(envoy.DependsOn).toEqual([{ ContainerName: 'mesh-agent', Condition: 'HEALTHY' }]);
    expect(envoy.MountPoints).toEqual([{ SourceVolume: 'mesh-agent-sockets', ContainerPath: '/run/open-app-mesh', ReadOnly: true }]);
    // Only the agent and Envoy mount the sockets (whoever opens the SDS socket gets the key).
    expect(containerNamed(td, 'app').MountPoints).toBeUndefined();
  });

  test('the execution role may read the trust bundle (certificates), nothing of the CA root', () => {
    const executionPolicy = Object.entries(resourcesOfType(json, 'AWS::IAM::Policy'))
      .find(([id]) => id.startsWith('BackendTaskExecutionRole'))![1];
    const statements = executionPolicy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: { Ref: expect.stringMatching(/^ControlPlaneTrustTrustBundle/) },
    });
    const caRootUsers = Object.entries(resourcesOfType(json, 'AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p).includes('ControlPlaneTrustCaRoot')).map(([id]) => id);
    expect(caRootUsers).toEqual([expect.stringMatching(/^ControlPlaneTaskDefinitionTaskRole/)]);
  });

  test('the APPMESH proxy configuration: ignored UID, ingress/egress ports, app ports from every listener, metadata IPs', () => {
    expect(taskDefinitionResource(json, 'BackendTask').Properties.ProxyConfiguration).toEqual({
      Type: 'APPMESH',
      ContainerName: 'envoy',
      ProxyConfigurationProperties: [
        { Name: 'IgnoredUID', Value: '1337' },
        { Name: 'ProxyIngressPort', Value: '15000' },
        { Name: 'ProxyEgressPort', Value: '15001' },
        { Name: 'AppPorts', Value: '8080,9090' },
        { Name: 'EgressIgnoredIPs', Value: '169.254.170.2,169.254.169.254' },
      ],
    });
  });

  test('the application starts after Envoy is healthy', () => {
    const app = containerNamed(taskDefinitionResource(json, 'BackendTask'), 'app');
    expect(app.DependsOn).toEqual([{ ContainerName: 'envoy', Condition: 'HEALTHY' }]);
    expect(sidecar.appContainers.map((c) => c.containerName)).toEqual(['app']);
  });

  test('the task role may stream as the node (recorded in the spec, no AWS permission needed)', () => {
    const doc = appmesh.MeshSpecs.forMesh(fixture.mesh);
    const roleArn = fixture.stack.resolve(sidecar.taskDefinition.taskRole.roleArn);
    expect(doc.proxyAccess).toHaveLength(1);
    expect(doc.proxyAccess![0].nodeId).toBe('mesh/shop/virtualNode/backend');
    expect(doc.proxyAccess![0].principals.map((p) => fixture.stack.resolve(p))).toEqual([roleArn]);
  });

  test('validates against the resource specification; cdk-nag is clean', () => {
    expect(validateTemplateAgainstServiceSpec(json)).toEqual([]);
    expect(awsSolutionsViolations(fixture.app)).toEqual([]);
  });
});

describe('EnvoySidecar options and errors', () => {
  test('EC2 task definitions in awsvpc mode work too; extra ignored ports, IPs and GID are rendered', () => {
    const fixture = new PlatformFixture();
    const taskDefinition = new ecs.Ec2TaskDefinition(fixture.stack, 'Ec2Task', { networkMode: ecs.NetworkMode.AWS_VPC });
    taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('app'), memoryLimitMiB: 256 });
    appmesh.EnvoySidecar.addTo(taskDefinition, fixture.backend, {
      controlPlane: fixture.controlPlane,
      egressIgnoredPorts: [22, 5432],
      extraEgressIgnoredIPs: ['10.0.0.2'],
      ignoredGid: 1338,
      initialFetchTimeout: Duration.seconds(30),
    });
    const td = taskDefinitionResource(Template.fromStack(fixture.stack).toJSON(), 'Ec2Task');
    expect(td.Properties.RequiresCompatibilities).toEqual(['EC2']);
    expect(td.Properties.ProxyConfiguration.ProxyConfigurationProperties).toEqual([
      { Name: 'IgnoredUID', Value: '1337' },
      { Name: 'ProxyIngressPort', Value: '15000' },
      { Name: 'ProxyEgressPort', Value: '15001' },
      { Name: 'AppPorts', Value: '8080' },
      { Name: 'EgressIgnoredIPs', Value: '169.254.170.2,169.254.169.254,10.0.0.2' },
      { Name: 'EgressIgnoredPorts', Value: '22,5432' },
      { Name: 'IgnoredGID', Value: '1338' },
    ]);
    const bootstrap = bootstrapOfCommand(containerNamed(td, 'envoy').Command[0]);
    expect(bootstrap.dynamic_resources.cds_config.initial_fetch_timeout).toBe('30s');
  });

  test('bridge network mode is refused', () => {
    const fixture = new PlatformFixture();
    const taskDefinition = new ecs.Ec2TaskDefinition(fixture.stack, 'Bridge', { networkMode: ecs.NetworkMode.BRIDGE });
    taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('app'), memoryLimitMiB: 256 });
    expect(() => appmesh.EnvoySidecar.addTo(taskDefinition, fixture.backend, { controlPlane: fixture.controlPlane }))
      .toThrow(/awsvpc network mode/);
  });

  test('a task definition without an application container is refused', () => {
    const fixture = new PlatformFixture();
    const taskDefinition = new ecs.FargateTaskDefinition(fixture.stack, 'Empty');
    expect(() => appmesh.EnvoySidecar.addTo(taskDefinition, fixture.backend, { controlPlane: fixture.controlPlane }))
      .toThrow(/add the application container/);
  });

  test('an imported node needs explicit app ports', () => {
    // Imported by name (e.g. defined in another stack of the app); the spec still has the node.
    const fixture = new PlatformFixture();
    const imported = appmesh.VirtualNode.fromVirtualNodeAttributes(fixture.stack, 'Imported', { mesh: fixture.mesh, virtualNodeName: 'backend' });
    appmesh.EnvoySidecar.addTo(fixture.appTaskDefinition('Legacy'), imported, { controlPlane: fixture.controlPlane });
    expect(() => Template.fromStack(fixture.stack)).toThrow(/imported: pass appPorts/);

    const ok = new PlatformFixture();
    const importedOk = appmesh.VirtualNode.fromVirtualNodeAttributes(ok.stack, 'Imported', { mesh: ok.mesh, virtualNodeName: 'backend' });
    appmesh.EnvoySidecar.addTo(ok.appTaskDefinition('Legacy'), importedOk, { controlPlane: ok.controlPlane, appPorts: [3000] });
    Template.fromStack(ok.stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ProxyConfiguration: { ProxyConfigurationProperties: Match.arrayWith([{ Name: 'AppPorts', Value: '3000' }]) },
    });
  });

  test('a node without listeners needs explicit app ports (ECS refuses an empty AppPorts)', () => {
    const fixture = new PlatformFixture();
    const client = fixture.mesh.addVirtualNode('client', { virtualNodeName: 'client' });
    appmesh.EnvoySidecar.addTo(fixture.appTaskDefinition('Client'), client, { controlPlane: fixture.controlPlane });
    expect(() => fixture.app.synth()).toThrow(/EnvoySidecar.*ECS needs at least one AppPorts value/);

    const ok = new PlatformFixture();
    const okClient = ok.mesh.addVirtualNode('client', { virtualNodeName: 'client' });
    appmesh.EnvoySidecar.addTo(ok.appTaskDefinition('Client'), okClient, { controlPlane: ok.controlPlane, appPorts: [65000] });
    Template.fromStack(ok.stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ProxyConfiguration: { ProxyConfigurationProperties: Match.arrayWith([{ Name: 'AppPorts', Value: '65000' }]) },
    });
  });

  test('App Mesh image: by default its agent runs our bootstrap (ENVOY_CONFIG_FILE, used verbatim), through our agent', () => {
    const fixture = new PlatformFixture();
    appmesh.EnvoySidecar.addTo(fixture.appTaskDefinition('T'), fixture.backend, {
      controlPlane: fixture.controlPlane,
      image: appmesh.EnvoyImage.appMesh(),
    });
    const td = taskDefinitionResource(Template.fromStack(fixture.stack).toJSON(), 'T');
    const envoy = containerNamed(td, 'envoy');
    expect(envoy.Image).toBe('public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod');
    expect(envoy.Command).toEqual(['printf \'%s\' "$ENVOY_BOOTSTRAP" > /tmp/envoy-bootstrap.json && exec /usr/bin/agent']);
    const env = Object.fromEntries(envoy.Environment.map((e: any) => [e.Name, e.Value]));
    expect(env.ENVOY_CONFIG_FILE).toBe('/tmp/envoy-bootstrap.json');
    expect(env.APPMESH_XDS_ENDPOINT).toBeUndefined();
    const bootstrap = JSON.parse(env.ENVOY_BOOTSTRAP);
    expect(checkEnvoyJson('envoy.config.bootstrap.v3.Bootstrap', bootstrap)).toEqual([]);
    expect(bootstrap.static_resources.clusters.map((c: any) => c.name)).toEqual(['open_app_mesh_xds', 'static_cluster_sds_unix_socket']);
    expect(envoy.DependsOn).toEqual([{ ContainerName: 'mesh-agent', Condition: 'HEALTHY' }]);
    // The environment is acknowledged for cdk-nag with a reason; nothing else is left.
    expect(awsSolutionsViolations(fixture.app)).toEqual([]);
  });

  test('App Mesh image with APPMESH_XDS_ENDPOINT: refused when xDS is mutual TLS (its agent has no client certificate)', () => {
    const fixture = new PlatformFixture();
    expect(() => appmesh.EnvoySidecar.addTo(fixture.appTaskDefinition('T'), fixture.backend, {
      controlPlane: fixture.controlPlane,
      image: appmesh.EnvoyImage.appMesh({ useOwnBootstrap: false }),
    })).toThrow(/useOwnBootstrap: false.*presents no client certificate.*leave useOwnBootstrap at its default/);
  });

  test('App Mesh image with APPMESH_XDS_ENDPOINT on a plaintext control plane: rendered, with a warning that it needs a TLS relay', () => {
    const fixture = new PlatformFixture({ controlPlane: { insecurePlaintext: true } });
    appmesh.EnvoySidecar.addTo(fixture.appTaskDefinition('T'), fixture.backend, {
      controlPlane: fixture.controlPlane,
      image: appmesh.EnvoyImage.appMesh({ useOwnBootstrap: false }),
    });
    const envoy = containerNamed(taskDefinitionResource(Template.fromStack(fixture.stack).toJSON(), 'T'), 'envoy');
    expect(envoy.EntryPoint).toBeUndefined();
    expect(envoy.Environment).toEqual([
      { Name: 'APPMESH_RESOURCE_ARN', Value: 'mesh/shop/virtualNode/backend' },
      { Name: 'ENVOY_ADMIN_ACCESS_PORT', Value: '9901' },
      { Name: 'APPMESH_XDS_ENDPOINT', Value: 'xds.shop.open-app-mesh.local:18000' },
      { Name: 'ENABLE_ENVOY_STATS_TAGS', Value: '1' },
    ]);
    Annotations.fromStack(fixture.stack).hasWarning('/Platform/T/EnvoySidecar', Match.stringLikeRegexp('only behind a TLS-terminating relay'));
  });

  test('a plaintext control plane: no agent, Envoy streams to the control plane itself, admin still on loopback', () => {
    const fixture = new PlatformFixture({ controlPlane: { insecurePlaintext: true } });
    appmesh.EnvoySidecar.addTo(fixture.appTaskDefinition('T'), fixture.backend, { controlPlane: fixture.controlPlane });
    const td = taskDefinitionResource(Template.fromStack(fixture.stack).toJSON(), 'T');
    expect(td.Properties.ContainerDefinitions.map((c: any) => c.Name)).toEqual(['app', 'envoy']);
    const bootstrap = bootstrapOfCommand(containerNamed(td, 'envoy').Command[0]);
    expect(bootstrap.static_resources.clusters.map((c: any) => c.name)).toEqual(['open_app_mesh_xds']);
    expect(bootstrap.static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address)
      .toEqual({ address: 'xds.shop.open-app-mesh.local', port_value: 18000 });
    expect(bootstrap.admin.address.socket_address.address).toBe('127.0.0.1');
    expect(awsSolutionsViolations(fixture.app)).toEqual([]);
  });
});

describe('MeshFargateService', () => {
  test('registers the tasks in the Cloud Map service the node names and opens xDS to the control plane', () => {
    const fixture = new PlatformFixture();
    new appmesh.MeshFargateService(fixture.stack, 'Backend', {
      cluster: fixture.cluster,
      taskDefinition: fixture.appTaskDefinition('BackendTask'),
      virtualNode: fixture.backend,
      controlPlane: fixture.controlPlane,
    });
    const template = Template.fromStack(fixture.stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      TaskDefinition: { Ref: Match.stringLikeRegexp('^BackendTask') },
      DesiredCount: 2,
      // A records: ECS registers the task's IP, no container or port needed.
      ServiceRegistries: [{ RegistryArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NamespaceBackend'), 'Arn'] } }],
    });
    // Created once the control plane is stable: its tasks need the trust bundle it publishes on first start.
    template.hasResource('AWS::ECS::Service', {
      Properties: Match.objectLike({ TaskDefinition: { Ref: Match.stringLikeRegexp('^BackendTask') } }),
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^ControlPlaneService')]),
    });
    for (const port of [18000, 18002]) {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ControlPlaneSecurityGroup'), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackendServiceSecurityGroup'), 'GroupId'] },
        FromPort: port,
        ToPort: port,
      });
    }
  });

  test('a DNS-discovered node finds the Cloud Map service whose name is its hostname', () => {
    const fixture = new PlatformFixture();
    const web = fixture.namespace.createService('Web', { name: 'web' });
    const node = fixture.mesh.addVirtualNode('web', {
      virtualNodeName: 'web',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('web.shop.local'),
      listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
    });
    new appmesh.MeshFargateService(fixture.stack, 'Web', {
      cluster: fixture.cluster,
      taskDefinition: fixture.appTaskDefinition('WebTask'),
      virtualNode: node,
      controlPlane: fixture.controlPlane,
      desiredCount: 3,
    });
    Template.fromStack(fixture.stack).hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 3,
      ServiceRegistries: [{ RegistryArn: fixture.stack.resolve(web.serviceArn) }],
    });
  });

  test('a node whose discovery names no Cloud Map service of the app is not registered', () => {
    const fixture = new PlatformFixture();
    const node = fixture.mesh.addVirtualNode('ext', {
      virtualNodeName: 'ext',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('ext.example.com'),
      listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
    });
    new appmesh.MeshFargateService(fixture.stack, 'Ext', {
      cluster: fixture.cluster,
      taskDefinition: fixture.appTaskDefinition('ExtTask'),
      virtualNode: node,
      controlPlane: fixture.controlPlane,
    });
    const services = Object.entries(resourcesOfType(Template.fromStack(fixture.stack).toJSON(), 'AWS::ECS::Service'))
      .filter(([id]) => id.startsWith('Ext'));
    expect(services).toHaveLength(1);
    expect(services[0][1].Properties.ServiceRegistries).toBeUndefined();
  });
});

describe('GatewayFargateService', () => {
  test('Envoy is the main container behind an NLB listener per gateway port', () => {
    const fixture = new PlatformFixture();
    const gateway = fixture.mesh.addVirtualGateway('ingress', {
      virtualGatewayName: 'ingress',
      listeners: [appmesh.VirtualGatewayListener.http({ port: 8080 }), appmesh.VirtualGatewayListener.http2({ port: 443 })],
    });
    const service = new appmesh.GatewayFargateService(fixture.stack, 'Ingress', {
      cluster: fixture.cluster,
      virtualGateway: gateway,
      controlPlane: fixture.controlPlane,
    });
    const template = Template.fromStack(fixture.stack);
    const json = template.toJSON();
    const td = taskDefinitionResource(json, 'IngressTaskDefinition');
    expect(td.Properties.ProxyConfiguration).toBeUndefined();
    expect(td.Properties.ContainerDefinitions.map((c: any) => c.Name)).toEqual(['mesh-agent-init', 'mesh-agent', 'envoy']);
    expect(containerNamed(td, 'mesh-agent').Command).toEqual(expect.arrayContaining(['--node-id', 'mesh/shop/virtualGateway/ingress']));
    const envoy = containerNamed(td, 'envoy');
    expect(envoy.PortMappings).toEqual([{ ContainerPort: 8080, Protocol: 'tcp' }, { ContainerPort: 443, Protocol: 'tcp' }]);
    expect(envoy.SystemControls).toEqual([{ Namespace: 'net.ipv4.ip_unprivileged_port_start', Value: '0' }]);
    expect(envoy.User).toBe('1337');
    expect(bootstrapOfCommand(envoy.Command[0]).node.id).toBe('mesh/shop/virtualGateway/ingress');

    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'network', Scheme: 'internal' });
    for (const port of [8080, 443]) {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: port, Protocol: 'TCP' });
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: port, Protocol: 'TCP', TargetType: 'ip' });
    }
    template.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: Match.arrayWith([Match.objectLike({ ContainerName: 'envoy', ContainerPort: 443 })]),
    });
    expect(MeshSpecsNodeIds(fixture)).toContain('mesh/shop/virtualGateway/ingress');
    expect(service.loadBalancer.loadBalancerDnsName).toBeDefined();
    expect(validateTemplateAgainstServiceSpec(json)).toEqual([]);
    // The NLB's access logs are a user decision (a log bucket): the only finding left.
    expect(awsSolutionsViolations(fixture.app).map((v) => v.rule)).toEqual(['AwsSolutions-ELB2']);
  });

  test('an imported gateway needs listener ports', () => {
    const fixture = new PlatformFixture();
    fixture.mesh.addVirtualGateway('gw', { virtualGatewayName: 'gw' });
    const gateway = appmesh.VirtualGateway.fromVirtualGatewayAttributes(fixture.stack, 'Gw', { mesh: fixture.mesh, virtualGatewayName: 'gw' });
    expect(() => new appmesh.GatewayFargateService(fixture.stack, 'Ingress', { cluster: fixture.cluster, virtualGateway: gateway, controlPlane: fixture.controlPlane }))
      .toThrow(/imported: pass listenerPorts/);
    const service = new appmesh.GatewayFargateService(fixture.stack, 'Ingress2', {
      cluster: fixture.cluster, virtualGateway: gateway, controlPlane: fixture.controlPlane, listenerPorts: [8443], internetFacing: true,
    });
    expect(service.loadBalancer).toBeDefined();
    const template = Template.fromStack(fixture.stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Vpc'), 'CidrBlock'] }, FromPort: 8443 })],
    });
    void ec2;
  });
});

function MeshSpecsNodeIds(fixture: PlatformFixture): string[] {
  return (appmesh.MeshSpecs.forMesh(fixture.mesh).proxyAccess ?? []).map((a) => a.nodeId);
}
