import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { containerNamed, deliveredSpecText, resourcesOfType } from './fixtures';
import { awsSolutionsViolations, validateTemplateAgainstServiceSpec } from './template-checks';
import { buildCanaryEcsApp } from '../../examples/canary-ecs/app';

const ROOT = path.join(__dirname, '..', '..');
const PREBUILT_IMAGE = 'registry.example.com/open-app-mesh/control-plane:1.0.0';

/** Asset hashes change with any byte of their content; the snapshot keeps only their place. */
function normaliseAssetHashes(text: string): string {
  return text.replace(/[0-9a-f]{64}/g, '<asset-hash>');
}

/** Synthesizes the example in process (same code path as the CLI, minus the subprocess). */
function synthInProcess(context: Record<string, string>) {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'canary-ecs-')), context });
  const stack = buildCanaryEcsApp(app);
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template;
  return { app, stack, assembly, template };
}

describe('examples/canary-ecs', () => {
  let outdir: string;
  let template: any;
  let t: Template;

  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'canary-ecs-cli-'));
    // The real CLI, offline (toolchain.md §7), with the default control-plane image: the
    // runtime's Dockerfile is staged as an image asset (no Docker needed to synthesize).
    execFileSync('npx', [
      'cdk', 'synth', '--quiet',
      '--app', 'npx ts-node --transpile-only examples/canary-ecs/app.ts',
      '-o', outdir,
    ], { cwd: ROOT, stdio: 'pipe', timeout: 240_000, env: { ...process.env, NODE_NO_WARNINGS: '1', CDK_DISABLE_VERSION_CHECK: '1' } });
    template = JSON.parse(fs.readFileSync(path.join(outdir, 'CanaryEcs.template.json'), 'utf8'));
    t = Template.fromJSON(template);
  }, 300_000);

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  const cpTaskDefinition = () => Object.entries(resourcesOfType(template, 'AWS::ECS::TaskDefinition'))
    .find(([id]) => id.startsWith('ControlPlaneTaskDefinition'))![1];

  test('the CLI writes the stack and the mesh spec into the cloud assembly', () => {
    expect(fs.existsSync(path.join(outdir, 'manifest.json'))).toBe(true);
    const spec = JSON.parse(fs.readFileSync(path.join(outdir, 'apps.mesh.json'), 'utf8'));
    expect(spec.virtualNodes.map((n: any) => n.virtualNodeName).sort()).toEqual(['serviceA', 'serviceB', 'serviceBv2']);
  });

  test('the control-plane image is the bundled runtime, staged from lib-runtime/Dockerfile', () => {
    const assets = JSON.parse(fs.readFileSync(path.join(outdir, 'CanaryEcs.assets.json'), 'utf8'));
    const images = Object.values<any>(assets.dockerImages);
    expect(images).toHaveLength(1);
    expect(images[0].source.dockerFile).toBe('lib-runtime/Dockerfile');
    const staged = path.join(outdir, images[0].source.directory);
    expect(fs.readdirSync(staged).sort()).toEqual(expect.arrayContaining(['lib-runtime', 'package.json']));
    expect(fs.existsSync(path.join(staged, 'node_modules'))).toBe(false);
    expect(fs.existsSync(path.join(staged, 'src'))).toBe(false);
    expect(JSON.stringify(containerNamed(cpTaskDefinition(), 'control-plane').Image)).toContain('cdk-hnb659fds-container-assets');
  });

  test('every resource validates against the CloudFormation resource specification', () => {
    expect(validateTemplateAgainstServiceSpec(template)).toEqual([]);
  });

  test('the control plane: two Fargate tasks, registered as xds.apps.open-app-mesh.local, admitting only the three workloads (xDS and exchange)', () => {
    t.hasResourceProperties('AWS::ECS::Service', {
      TaskDefinition: { Ref: Match.stringLikeRegexp('^ControlPlaneTaskDefinition') },
      DesiredCount: 2,
      ServiceRegistries: [{ RegistryArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ControlPlaneServiceCloudmapService'), 'Arn'] } }],
    });
    t.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'xds' });
    t.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'apps.open-app-mesh.local' });
    for (const port of [18000, 18002]) {
      const cpIngress = Object.values(resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress'))
        .filter((r: any) => r.Properties.FromPort === port)
        .map((r: any) => r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0])
        .sort();
      expect(cpIngress).toEqual([
        expect.stringMatching(/^serviceAWorkloadServiceSecurityGroup/),
        expect.stringMatching(/^serviceBWorkloadServiceSecurityGroup/),
        expect.stringMatching(/^serviceBv2WorkloadServiceSecurityGroup/),
      ]);
    }
  });

  test('each workload: agent and Envoy sidecar, proxy configuration, health check, dependencies, Cloud Map registration', () => {
    const expectations: [node: string, cloudMapName: string][] = [['serviceA', 'servicea'], ['serviceB', 'serviceb'], ['serviceBv2', 'servicebv2']];
    const discovery = resourcesOfType(template, 'AWS::ServiceDiscovery::Service');
    for (const [node, cloudMapName] of expectations) {
      const [taskDefinitionId, taskDefinition] = Object.entries(resourcesOfType(template, 'AWS::ECS::TaskDefinition'))
        .find(([id]) => id.startsWith(`${node}Task`))!;
      expect(taskDefinition.Properties.ProxyConfiguration).toEqual({
        Type: 'APPMESH',
        ContainerName: 'envoy',
        ProxyConfigurationProperties: [
          { Name: 'IgnoredUID', Value: '1337' },
          { Name: 'ProxyIngressPort', Value: '15000' },
          { Name: 'ProxyEgressPort', Value: '15001' },
          { Name: 'AppPorts', Value: '8080' },
          { Name: 'EgressIgnoredIPs', Value: '169.254.170.2,169.254.169.254' },
        ],
      });
      const envoy = containerNamed(taskDefinition, 'envoy');
      expect(envoy.User).toBe('1337');
      expect(envoy.HealthCheck.Command.join(' ')).toContain('/ready');
      expect(envoy.Command[0]).toContain(`"id":"mesh/apps/virtualNode/${node}"`);
      expect(envoy.Command[0]).toContain('"pipe":{"path":"/run/open-app-mesh/xds.sock"}');
      expect(envoy.DependsOn).toEqual([{ ContainerName: 'mesh-agent', Condition: 'HEALTHY' }]);
      const agent = containerNamed(taskDefinition, 'mesh-agent');
      expect(agent.Command).toEqual(expect.arrayContaining(['--node-id', `mesh/apps/virtualNode/${node}`, '--xds-address', 'xds.apps.open-app-mesh.local:18000']));
      // The agent runs from the control plane's image (the same asset).
      expect(agent.Image).toEqual(containerNamed(cpTaskDefinition(), 'control-plane').Image);
      expect(containerNamed(taskDefinition, 'app').DependsOn).toEqual([{ ContainerName: 'envoy', Condition: 'HEALTHY' }]);

      const [serviceId, service] = Object.entries(resourcesOfType(template, 'AWS::ECS::Service'))
        .find(([, s]) => s.Properties.TaskDefinition.Ref === taskDefinitionId)!;
      const registry = service.Properties.ServiceRegistries[0].RegistryArn['Fn::GetAtt'][0];
      expect(discovery[registry].Properties.Name).toBe(cloudMapName);
      expect(serviceId).toMatch(new RegExp(`^${node}Workload`));
    }
  });

  test('IAM: the control plane reads its CA root and spec object; the task roles are granted in the spec, not in IAM', () => {
    const cpPolicy = Object.entries(resourcesOfType(template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith('ControlPlaneTaskDefinitionTaskRole'))![1];
    expect(cpPolicy.Properties.PolicyDocument.Statement.map((s: any) => s.Action)).toEqual([
      ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], 'secretsmanager:PutSecretValue', 's3:GetObject', 'servicediscovery:DiscoverInstances',
    ]);
    const spec = JSON.parse(fs.readFileSync(path.join(outdir, 'apps.mesh.json'), 'utf8'));
    expect(spec.proxyAccess.map((a: any) => a.nodeId)).toEqual([
      'mesh/apps/virtualNode/serviceA', 'mesh/apps/virtualNode/serviceB', 'mesh/apps/virtualNode/serviceBv2',
    ]);
    for (const access of spec.proxyAccess) {
      expect(access.principals).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/Task.*TaskRole/), 'Arn'] }]);
    }
  });

  test('the template matches the committed snapshot (asset hashes normalised)', () => {
    expect(JSON.parse(normaliseAssetHashes(JSON.stringify(template)))).toMatchSnapshot();
  });
});

describe('a route weight change', () => {
  test('changes only the delivered spec: no task definition revision, no service change', () => {
    // Default (bundled) control-plane image: its asset hash must not move either.
    const before = synthInProcess({});
    const after = synthInProcess({ canaryWeights: '0/100' });

    const changed = Object.keys({ ...before.template.Resources, ...after.template.Resources })
      .filter((id) => JSON.stringify(before.template.Resources[id]) !== JSON.stringify(after.template.Resources[id]));
    expect(changed.map((id) => after.template.Resources[id].Type)).toEqual(['Custom::CDKBucketDeployment']);
    const [deployment] = changed;
    const propsBefore = before.template.Resources[deployment].Properties;
    const propsAfter = after.template.Resources[deployment].Properties;
    const changedProps = Object.keys(propsAfter).filter((k) => JSON.stringify(propsBefore[k]) !== JSON.stringify(propsAfter[k]));
    // The new source asset is what `cdk diff` shows.
    expect(changedProps).toEqual(['SourceObjectKeys']);

    for (const type of ['AWS::ECS::TaskDefinition', 'AWS::ECS::Service']) {
      expect(resourcesOfType(after.template, type)).toEqual(resourcesOfType(before.template, type));
    }

    const weights = (text: string) => JSON.parse(text.replace(/<<marker:0xbaba:\d+>>/g, 'MARKER'))
      .routes[0].spec.httpRoute.action.weightedTargets.map((w: any) => [w.virtualNode, w.weight]);
    const specBefore = deliveredSpecText(before.stack, before.assembly.directory, before.template, 'apps.mesh.json');
    const specAfter = deliveredSpecText(after.stack, after.assembly.directory, after.template, 'apps.mesh.json');
    expect(weights(specBefore)).toEqual([['serviceB', 75], ['serviceBv2', 25]]);
    expect(weights(specAfter)).toEqual([['serviceB', 0], ['serviceBv2', 100]]);
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('runs as a Validations plugin at synth and finds nothing unacknowledged', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'canary-ecs-nag-')) });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    buildCanaryEcsApp(app);
    // A violation makes synth throw "Validation failed".
    const assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.filter((r: any) => r.conclusion !== 'success')).toEqual([]);
    expect(awsSolutionsViolations(app)).toEqual([]);
  });

  test('the same plugin setup fails synthesis on an unacknowledged finding (the check is live)', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'canary-ecs-nag-')), context: { controlPlaneImage: PREBUILT_IMAGE } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = buildCanaryEcsApp(app);
    stack.services.serviceA.connections.allowFromAnyIpv4(ec2.Port.tcp(8080));
    expect(() => app.synth()).toThrow(/serviceAWorkload\/Service\/SecurityGroup[\s\S]*AwsSolutions-EC23/);
    const report = fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8');
    expect(report).toContain('AwsSolutions-EC23');
  });
});
