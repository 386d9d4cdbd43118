import { spawnSync } from 'child_process';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { containerNamed, deliveredSpecText, PlatformFixture, resourcesOfType, TEST_CONTROL_PLANE_IMAGE } from './fixtures';
import { awsSolutionsViolations, validateTemplateAgainstServiceSpec } from './template-checks';
import * as appmesh from '../../src';

describe('ControlPlane', () => {
  let fixture: PlatformFixture;
  let template: Template;
  let json: any;

  beforeAll(() => {
    fixture = new PlatformFixture();
    const workload = fixture.appTaskDefinition('BackendTask');
    new appmesh.MeshFargateService(fixture.stack, 'Backend', {
      cluster: fixture.cluster,
      taskDefinition: workload,
      virtualNode: fixture.backend,
      controlPlane: fixture.controlPlane,
    });
    // Added after the control plane: must still reach the delivered spec.
    fixture.mesh.addVirtualNode('frontend', {
      virtualNodeName: 'frontend',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('frontend.shop.local'),
      listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
    });
    template = Template.fromStack(fixture.stack);
    json = template.toJSON();
  });

  test('runs at least two Fargate tasks in private subnets, rolling with all tasks kept', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      TaskDefinition: { Ref: Match.stringLikeRegexp('^ControlPlaneTaskDefinition') },
      DeploymentConfiguration: {
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          Subnets: [{ Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('VpcPrivateSubnet2') }],
        },
      },
      ServiceRegistries: [{ RegistryArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ControlPlaneServiceCloudmapService'), 'Arn'] } }],
    });
  });

  test('is reachable as xds.<namespace> through Cloud Map A records', () => {
    template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'shop.open-app-mesh.local' });
    template.hasResourceProperties('AWS::ServiceDiscovery::Service', {
      Name: 'xds',
      DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }], RoutingPolicy: 'MULTIVALUE' },
      NamespaceId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ControlPlaneNamespace'), 'Id'] },
    });
    expect(fixture.controlPlane.xdsHost).toBe('xds.shop.open-app-mesh.local');
    expect(fixture.controlPlane.xdsPort).toBe(18000);
  });

  test('container: the runtime CLI on the S3 spec, health check, logs', () => {
    const [taskDefinition] = Object.entries(resourcesOfType(json, 'AWS::ECS::TaskDefinition')).filter(([id]) => id.startsWith('ControlPlane')).map(([, r]) => r);
    const container = containerNamed(taskDefinition, 'control-plane');
    expect(container.Image).toBe(TEST_CONTROL_PLANE_IMAGE);
    expect(container.Command).toEqual([
      '--spec', { 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^ControlPlaneSpecBucket/) }, '/shop.mesh.json']] },
      '--endpoints', 'cloudmap',
      '--xds-port', '18000',
      '--admin-port', '18001',
      '--region', { Ref: 'AWS::Region' },
      '--log-level', 'info',
    ]);
    expect(container.HealthCheck).toEqual({
      Command: ['CMD', 'node', '-e', expect.stringContaining("path:'/healthz'")],
      Interval: 10,
      Timeout: 5,
      Retries: 3,
      StartPeriod: 20,
    });
    expect(container.PortMappings).toEqual([
      { ContainerPort: 18000, Name: 'xds', Protocol: 'tcp' },
      { ContainerPort: 18001, Name: 'admin', Protocol: 'tcp' },
    ]);
    expect(container.LogConfiguration.LogDriver).toBe('awslogs');
    expect(container.LogConfiguration.Options['awslogs-group']).toEqual({ Ref: expect.stringMatching(/^ControlPlaneLogs/) });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('the health probe is valid JavaScript that exits 1 when nothing answers', () => {
    const [taskDefinition] = Object.entries(resourcesOfType(json, 'AWS::ECS::TaskDefinition')).filter(([id]) => id.startsWith('ControlPlane')).map(([, r]) => r);
    const probe: string = containerNamed(taskDefinition, 'control-plane').HealthCheck.Command[3];
    // Port 18001 on this machine is not ours: point the probe at a port nothing listens on.
    const result = spawnSync(process.execPath, ['-e', probe.replace('port:18001', 'port:1')], { timeout: 10_000 });
    expect(result.status).toBe(1);
  });

  test('admits xDS only from mesh workloads', () => {
    const groups = resourcesOfType(json, 'AWS::EC2::SecurityGroup');
    const [cpGroupId] = Object.keys(groups).filter((id) => id.startsWith('ControlPlaneSecurityGroup'));
    expect(groups[cpGroupId].Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values(resourcesOfType(json, 'AWS::EC2::SecurityGroupIngress'))
      .filter((r: any) => JSON.stringify(r.Properties.GroupId).includes(cpGroupId));
    expect(ingress).toEqual([{
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: {
        GroupId: { 'Fn::GetAtt': [cpGroupId, 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^BackendServiceSecurityGroup/), 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: 18000,
        ToPort: 18000,
        Description: 'xDS from backend',
      },
    }]);
  });

  test('least-privilege task role: the spec object and DiscoverInstances in the mesh namespaces', () => {
    const policies = Object.entries(resourcesOfType(json, 'AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('ControlPlaneTaskDefinitionTaskRole'));
    expect(policies).toHaveLength(1);
    expect(policies[0][1].Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ControlPlaneSpecBucket/), 'Arn'] }, '/shop.mesh.json']] },
      },
      {
        Sid: 'DiscoverMeshEndpoints',
        Effect: 'Allow',
        Action: 'servicediscovery:DiscoverInstances',
        Resource: '*',
        Condition: { StringEquals: { 'servicediscovery:NamespaceName': ['shop.local'] } },
      },
    ]);
  });

  test('spec bucket: encrypted, versioned, SSL only, no public access', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('delivers the whole mesh spec, including resources added after the control plane, with deploy-time values as markers', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: Match.stringLikeRegexp('^ControlPlaneSpecBucket') },
      Prune: false,
      SourceMarkers: Match.anyValue(),
    });
    const assemblyDir = fixture.app.synth().directory;
    const text = deliveredSpecText(fixture.stack, assemblyDir, json, 'shop.mesh.json');
    const doc = JSON.parse(text.replace(/<<marker:0xbaba:\d+>>/g, 'MARKER'));
    expect(doc.specVersion).toBe('open-app-mesh/v1');
    expect(doc.virtualNodes.map((n: any) => n.virtualNodeName).sort()).toEqual(['backend', 'frontend']);
    // The Cloud Map service name is a GetAtt: a marker CloudFormation fills in at deploy.
    const backend = doc.virtualNodes.find((n: any) => n.virtualNodeName === 'backend');
    expect(backend.spec.serviceDiscovery.awsCloudMap).toEqual({ namespaceName: 'shop.local', serviceName: 'MARKER' });
    // The backend's task role may stream as the backend node.
    expect(doc.proxyAccess).toEqual([{ nodeId: 'mesh/shop/virtualNode/backend', principals: ['MARKER'] }]);
    expect(fixture.controlPlane.specDelivery.deliveredDocument!.virtualNodes).toHaveLength(2);
  });

  test('templates validate against the CloudFormation resource specification; cdk-nag is clean', () => {
    expect(validateTemplateAgainstServiceSpec(json)).toEqual([]);
    expect(awsSolutionsViolations(fixture.app)).toEqual([]);
  });

  test('the default namespace turns the mesh name into a DNS label', () => {
    const stack = new Stack(new App(), 'S');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'Shop_Prod' });
    const cp = new appmesh.ControlPlane(stack, 'CP', { mesh, vpc, image: ecs.ContainerImage.fromRegistry('x') });
    expect(cp.xdsHost).toBe('xds.shop-prod.open-app-mesh.local');
  });

  test('fewer than two tasks is refused', () => {
    const stack = new Stack(new App(), 'S');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'm' });
    expect(() => new appmesh.ControlPlane(stack, 'CP', { mesh, vpc, desiredCount: 1, image: ecs.ContainerImage.fromRegistry('x') }))
      .toThrow(/at least 2 tasks/);
  });

  test('subnets in one Availability Zone fail synthesis', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 });
    const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'm' });
    new appmesh.ControlPlane(stack, 'CP', { mesh, vpc, image: ecs.ContainerImage.fromRegistry('x') });
    expect(() => app.synth()).toThrow(/span 1 Availability Zone; at least 2 are needed/);
  });

  test('an invalid mesh is not delivered: synthesis fails naming the resource and the delivery', () => {
    const f = new PlatformFixture();
    // A route to a node of another mesh: the spec rules refuse it.
    const other = new appmesh.Mesh(f.stack, 'Other', { meshName: 'other' });
    const stranger = other.addVirtualNode('stranger', {
      virtualNodeName: 'stranger',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('stranger.local'),
      listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
    });
    const router = f.mesh.addVirtualRouter('router', { listeners: [appmesh.VirtualRouterListener.http(8080)] });
    router.addRoute('route', { routeSpec: appmesh.RouteSpec.http({ weightedTargets: [{ virtualNode: stranger }] }) });
    let message = '';
    try {
      f.app.synth();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/Platform\/Mesh\/router\/route/);
    expect(message).toMatch(/Platform\/ControlPlane\/Spec.*the spec of mesh 'shop' is invalid/);
    expect(f.controlPlane.specDelivery.deliveredDocument).toBeUndefined();
  });

  test('poll interval, endpoint sources and log level reach the runtime flags', () => {
    const f = new PlatformFixture({
      controlPlane: { specPollInterval: Duration.seconds(3), endpointSources: ['cloudmap', 'dns'], logLevel: 'debug', desiredCount: 3 },
    });
    const t = Template.fromStack(f.stack);
    t.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3 });
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Name: 'control-plane',
        Command: Match.arrayWith(['--spec-poll-interval', '3000', '--endpoints', 'cloudmap', '--endpoints', 'dns', '--log-level', 'debug']),
      })],
    });
  });
});
