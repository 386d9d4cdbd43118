import { spawnSync } from 'child_process';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
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
    fixture.addFrontendNode();
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

  test('container: the runtime CLI on the S3 spec, mutual TLS with the CA root in Secrets Manager, health check, logs', () => {
    const [taskDefinition] = Object.entries(resourcesOfType(json, 'AWS::ECS::TaskDefinition')).filter(([id]) => id.startsWith('ControlPlane')).map(([, r]) => r);
    const container = containerNamed(taskDefinition, 'control-plane');
    expect(container.Image).toBe(TEST_CONTROL_PLANE_IMAGE);
    expect(container.Command).toEqual([
      '--spec', { 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^ControlPlaneSpecBucket/) }, '/shop.mesh.json']] },
      '--endpoints', 'cloudmap',
      '--xds-port', '18000',
      '--admin-port', '18001',
      '--admin-bind', '127.0.0.1',
      '--trust-domain', 'open-app-mesh.internal',
      // Agents sign this id into their proof and verify this name on the server certificate.
      '--server-id', 'xds.shop.open-app-mesh.local',
      '--tls-names', 'xds.shop.open-app-mesh.local',
      '--ca-secret-arn', { Ref: expect.stringMatching(/^ControlPlaneTrustCaRoot/) },
      '--ca-bundle-secret-arn', { Ref: expect.stringMatching(/^ControlPlaneTrustTrustBundle/) },
      '--exchange-port', '18002',
      '--region', { Ref: 'AWS::Region' },
      '--log-level', 'info',
    ]);
    expect(container.Command).not.toContain('--insecure-plaintext');
    expect(container.HealthCheck).toEqual({
      Command: ['CMD', 'node', '-e', expect.stringContaining("path:'/healthz'")],
      Interval: 10,
      Timeout: 5,
      Retries: 3,
      StartPeriod: 20,
    });
    // The admin port (config dump, clients) is not mapped: it listens on 127.0.0.1 for the health check only.
    expect(container.PortMappings).toEqual([
      { ContainerPort: 18000, Name: 'xds', Protocol: 'tcp' },
      { ContainerPort: 18002, Name: 'exchange', Protocol: 'tcp' },
    ]);
    expect(container.HealthCheck.Command[3]).toContain("host:'127.0.0.1',port:18001");
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

  test('admits xDS and the certificate exchange only from mesh workloads', () => {
    const groups = resourcesOfType(json, 'AWS::EC2::SecurityGroup');
    const [cpGroupId] = Object.keys(groups).filter((id) => id.startsWith('ControlPlaneSecurityGroup'));
    expect(groups[cpGroupId].Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values(resourcesOfType(json, 'AWS::EC2::SecurityGroupIngress'))
      .filter((r: any) => JSON.stringify(r.Properties.GroupId).includes(cpGroupId));
    const rule = (port: number, description: string) => ({
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: {
        GroupId: { 'Fn::GetAtt': [cpGroupId, 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^BackendServiceSecurityGroup/), 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: port,
        ToPort: port,
        Description: description,
      },
    });
    expect(ingress).toEqual([rule(18000, 'xDS from backend'), rule(18002, 'xDS from backend: certificate exchange')]);
  });

  test('the CA root secret: no value in the template, readable and writable by the task role alone', () => {
    const secrets = resourcesOfType(json, 'AWS::SecretsManager::Secret');
    expect(Object.keys(secrets).sort()).toEqual([expect.stringMatching(/^ControlPlaneTrustCaRoot/), expect.stringMatching(/^ControlPlaneTrustTrustBundle/)]);
    for (const secret of Object.values<any>(secrets)) {
      // An empty secret: the control plane stores the root on its first start.
      expect(Object.keys(secret.Properties)).toEqual(['Description']);
    }
    const taskRole = { 'Fn::GetAtt': [expect.stringMatching(/^ControlPlaneTaskDefinitionTaskRole/), 'Arn'] };
    const policyOf = (prefix: string) => Object.values<any>(resourcesOfType(json, 'AWS::SecretsManager::ResourcePolicy'))
      .find((p) => p.Properties.SecretId.Ref.startsWith(prefix)).Properties.ResourcePolicy.Statement;
    const denyOthers = (actions: string[]) => [{
      Sid: 'OnlyTheControlPlane',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: actions,
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': taskRole } },
    }];
    const write = ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecret', 'secretsmanager:UpdateSecretVersionStage'];
    expect(policyOf('ControlPlaneTrustCaRoot')).toEqual(denyOthers(['secretsmanager:GetSecretValue', ...write]));
    // The bundle (certificates only) is read by proxy tasks' execution roles, written by the control plane alone.
    expect(policyOf('ControlPlaneTrustTrustBundle')).toEqual(denyOthers(write));
    expect(fixture.controlPlane.caSecret).toBeDefined();
    expect(fixture.controlPlane.exchangeUrl).toBe('https://xds.shop.open-app-mesh.local:18002');
  });

  test('least-privilege task role: the CA root, publishing the bundle, the spec object and DiscoverInstances in the mesh namespaces', () => {
    const policies = Object.entries(resourcesOfType(json, 'AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('ControlPlaneTaskDefinitionTaskRole'));
    expect(policies).toHaveLength(1);
    expect(policies[0][1].Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'MeshCaRoot',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        Resource: { Ref: expect.stringMatching(/^ControlPlaneTrustCaRoot/) },
      },
      {
        Sid: 'PublishTrustBundle',
        Effect: 'Allow',
        Action: 'secretsmanager:PutSecretValue',
        Resource: { Ref: expect.stringMatching(/^ControlPlaneTrustTrustBundle/) },
      },
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

  test('insecurePlaintext: plaintext xDS with a synth warning, no secrets, no exchange port', () => {
    const f = new PlatformFixture({ controlPlane: { insecurePlaintext: true } });
    new appmesh.MeshFargateService(f.stack, 'Backend', {
      cluster: f.cluster, taskDefinition: f.appTaskDefinition('BackendTask'), virtualNode: f.backend, controlPlane: f.controlPlane,
    });
    const t = Template.fromStack(f.stack);
    const container = containerNamed(Object.entries(resourcesOfType(t.toJSON(), 'AWS::ECS::TaskDefinition'))
      .find(([id]) => id.startsWith('ControlPlane'))![1], 'control-plane');
    expect(container.Command).toEqual(expect.arrayContaining(['--insecure-plaintext', '--admin-bind', '127.0.0.1']));
    expect(container.Command).not.toContain('--ca-secret-arn');
    expect(container.PortMappings).toEqual([{ ContainerPort: 18000, Name: 'xds', Protocol: 'tcp' }]);
    t.resourceCountIs('AWS::SecretsManager::Secret', 0);
    t.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { FromPort: 18002 }, 0);
    Annotations.fromStack(f.stack).hasWarning('/Platform/ControlPlane', Match.stringLikeRegexp('insecurePlaintext: xDS is served without TLS'));
    expect(f.controlPlane.trustBundleSecret).toBeUndefined();
  });

  test('the trust domain and exchange port can be set', () => {
    const f = new PlatformFixture({ controlPlane: { trustDomain: 'shop.example', exchangePort: 8443 } });
    Template.fromStack(f.stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Name: 'control-plane',
        Command: Match.arrayWith(['--trust-domain', 'shop.example', '--exchange-port', '8443']),
        PortMappings: Match.arrayWith([{ ContainerPort: 8443, Name: 'exchange', Protocol: 'tcp' }]),
      })],
    });
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
