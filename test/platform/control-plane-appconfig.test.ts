import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { containerNamed, PlatformFixture, resourcesOfType } from './fixtures';
import { validateTemplateAgainstServiceSpec } from './template-checks';
import * as appmesh from '../../src';
import { parseMeshSpec } from '../../src/spec/canonical';

/** The control plane's container command in a synthesized template. */
function controlPlaneCommand(json: any): unknown[] {
  const [taskDefinition] = Object.entries(resourcesOfType(json, 'AWS::ECS::TaskDefinition')).filter(([id]) => id.startsWith('ControlPlane')).map(([, r]) => r);
  return containerNamed(taskDefinition, 'control-plane').Command;
}

/** A CloudFormation string value as text, deploy-time values shown as `<Ref X>` / `<X.Attr>`. */
function cfnText(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as { 'Fn::Join'?: [string, unknown[]]; 'Ref'?: string; 'Fn::GetAtt'?: [string, string] };
  if (v['Fn::Join']) return v['Fn::Join'][1].map(cfnText).join(v['Fn::Join'][0]);
  if (v.Ref) return `<Ref ${v.Ref}>`;
  if (v['Fn::GetAtt']) return `<${v['Fn::GetAtt'].join('.')}>`;
  throw new Error(`unexpected CloudFormation value ${JSON.stringify(value)}`);
}

describe('ControlPlane with SpecDelivery.appConfig()', () => {
  let fixture: PlatformFixture;
  let template: Template;
  let json: any;

  beforeAll(() => {
    fixture = new PlatformFixture({ controlPlane: { specDelivery: appmesh.SpecDelivery.appConfig(), specPollInterval: Duration.seconds(30) } });
    fixture.addFrontendNode();
    template = Template.fromStack(fixture.stack);
    json = template.toJSON();
  });

  test('an application, an environment and a hosted JSON configuration profile, and no spec bucket', () => {
    template.hasResourceProperties('AWS::AppConfig::Application', { Name: 'shop-mesh' });
    template.hasResourceProperties('AWS::AppConfig::Environment', {
      Name: 'control-plane',
      ApplicationId: { Ref: Match.stringLikeRegexp('^ControlPlaneSpecApplication') },
    });
    template.hasResourceProperties('AWS::AppConfig::ConfigurationProfile', { LocationUri: 'hosted', Type: 'AWS.Freeform', Name: 'mesh-spec' });
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('Custom::CDKBucketDeployment', 0);
  });

  test('the hosted configuration version holds the whole synthesized spec, nodes added later included', () => {
    const versions = Object.values(resourcesOfType(json, 'AWS::AppConfig::HostedConfigurationVersion'));
    expect(versions).toHaveLength(1);
    expect(versions[0].Properties.ContentType).toBe('application/json');
    // Versions are kept on update, as aws-cdk-lib does: a deployed version is never deleted under AppConfig.
    expect(versions[0].DeletionPolicy).toBe('Retain');
    const delivered = parseMeshSpec(cfnText(versions[0].Properties.Content));
    expect(delivered.virtualNodes.map((n) => n.virtualNodeName).sort()).toEqual(['backend', 'frontend']);
    const document = fixture.controlPlane.specDelivery.deliveredDocument;
    expect(delivered).toEqual(parseMeshSpec(cfnText(fixture.stack.resolve(fixture.stack.toJsonString(document)))));
  });

  test('deployed to the environment with a gradual strategy by default', () => {
    template.hasResourceProperties('AWS::AppConfig::Deployment', {
      ApplicationId: { Ref: Match.stringLikeRegexp('^ControlPlaneSpecApplication') },
      EnvironmentId: { Ref: Match.stringLikeRegexp('^ControlPlaneSpecEnvironment') },
      ConfigurationProfileId: { Ref: Match.stringLikeRegexp('^ControlPlaneSpecConfiguration') },
      ConfigurationVersion: { Ref: Match.stringLikeRegexp('^ControlPlaneSpecConfiguration') },
      DeploymentStrategyId: 'AppConfig.Linear50PercentEvery30Seconds',
    });
    template.resourceCountIs('AWS::AppConfig::DeploymentStrategy', 0);
  });

  test('the runtime reads appconfig://<application>/<environment>/<profile> at the poll interval given', () => {
    const command = controlPlaneCommand(json);
    const spec = command[command.indexOf('--spec') + 1];
    expect(cfnText(spec)).toMatch(/^appconfig:\/\/<Ref ControlPlaneSpecApplication\w+>\/<Ref ControlPlaneSpecEnvironment\w+>\/<Ref ControlPlaneSpecConfigurationConfigurationProfile\w+>$/);
    expect(command[command.indexOf('--spec-poll-interval') + 1]).toBe('30000');
  });

  test('the task role may open sessions on, and read, that configuration only', () => {
    const policies = Object.values(resourcesOfType(json, 'AWS::IAM::Policy')).filter((p: any) => cfnText(p.Properties.Roles[0]).includes('ControlPlaneTaskDefinitionTaskRole'));
    const statements = policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const appconfigStatements = statements.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('appconfig:')));
    expect(appconfigStatements).toHaveLength(1);
    expect([...appconfigStatements[0].Action].sort()).toEqual(['appconfig:GetLatestConfiguration', 'appconfig:StartConfigurationSession']);
    expect(cfnText(appconfigStatements[0].Resource)).toMatch(
      /^arn:<Ref AWS::Partition>:appconfig:<Ref AWS::Region>:<Ref AWS::AccountId>:application\/<Ref ControlPlaneSpecApplication\w+>\/environment\/<Ref ControlPlaneSpecEnvironment\w+>\/configuration\/<Ref ControlPlaneSpecConfigurationConfigurationProfile\w+>$/);
    expect(statements.some((s: any) => [s.Action].flat().includes('s3:GetObject'))).toBe(false);
  });

  test('every resource matches the CloudFormation resource specification', () => {
    expect(validateTemplateAgainstServiceSpec(json)).toEqual([]);
  });
});

describe('SpecDelivery.appConfig() options', () => {
  test('an existing application and environment, a strategy of your own, rollback alarms on a new environment', () => {
    const fixture = new PlatformFixture({ controlPlane: {} });
    const app = new appconfig.Application(fixture.stack, 'Shared', { applicationName: 'platform' });
    const alarm = new cloudwatch.Alarm(fixture.stack, 'Errors', {
      metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1,
    });
    const own = new appconfig.DeploymentStrategy(fixture.stack, 'Slow', {
      rolloutStrategy: appconfig.RolloutStrategy.linear({
        growthFactor: 25, deploymentDuration: Duration.minutes(20), finalBakeTime: Duration.minutes(15),
      }),
    });
    new appmesh.ControlPlane(fixture.stack, 'Second', {
      mesh: fixture.mesh,
      vpc: fixture.vpc,
      cluster: fixture.cluster,
      image: fixture.controlPlane.image,
      specDelivery: appmesh.SpecDelivery.appConfig({
        application: app, deploymentStrategy: own, monitors: [appconfig.Monitor.fromCloudWatchAlarm(alarm)],
      }),
    });
    const template = Template.fromStack(fixture.stack);
    template.hasResourceProperties('AWS::AppConfig::Environment', {
      ApplicationId: { Ref: Match.stringLikeRegexp('^Shared') },
      Monitors: [Match.objectLike({ AlarmArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Errors'), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::AppConfig::Deployment', { DeploymentStrategyId: { Ref: Match.stringLikeRegexp('^Slow') } });
    template.resourceCountIs('AWS::AppConfig::Application', 1);
  });

  test('a spec over the hosted configuration limit fails synthesis, naming its size and the construct', () => {
    const fixture = new PlatformFixture({ controlPlane: { specDelivery: appmesh.SpecDelivery.appConfig({ maxConfigurationBytes: 100 }) } });
    expect(() => fixture.app.synth()).toThrow(
      /ControlPlane\/Spec\] the spec of mesh 'shop' is \d+ bytes, over the AppConfig hosted configuration limit of 100 bytes; deliver it through S3/);
  });

  test('the default limit is AppConfig\'s 2 MB', () => {
    expect(appmesh.APPCONFIG_HOSTED_CONFIGURATION_MAX_BYTES).toBe(2_097_152);
  });

  test('a poll interval under 15 seconds is refused (AppConfig\'s minimum)', () => {
    expect(() => new PlatformFixture({ controlPlane: { specDelivery: appmesh.SpecDelivery.appConfig(), specPollInterval: Duration.seconds(5) } }))
      .toThrow('[Platform/ControlPlane] specPollInterval is 5 seconds; AppConfig allows no poll interval under 15 seconds');
  });

  test('the S3 bucket props do not go with another delivery', () => {
    const bucketOnly = new PlatformFixture();
    expect(() => new appmesh.ControlPlane(bucketOnly.stack, 'Other', {
      mesh: bucketOnly.mesh,
      vpc: bucketOnly.vpc,
      cluster: bucketOnly.cluster,
      image: bucketOnly.controlPlane.image,
      specDelivery: appmesh.SpecDelivery.appConfig(),
      specBucket: (bucketOnly.controlPlane.specDelivery as appmesh.MeshSpecDelivery).bucket,
    })).toThrow('[Platform/Other] specBucket and specBucketAccessLogs go with the default S3 delivery; pass them to SpecDelivery.s3() instead');
  });

  test('SpecDelivery.s3() is the default, same resources and --spec as before', () => {
    const fixture = new PlatformFixture({ controlPlane: { specDelivery: appmesh.SpecDelivery.s3() } });
    const json = Template.fromStack(fixture.stack).toJSON();
    const command = controlPlaneCommand(json);
    expect(cfnText(command[command.indexOf('--spec') + 1])).toMatch(/^s3:\/\/<Ref ControlPlaneSpecBucket\w+>\/shop\.mesh\.json$/);
    expect(fixture.controlPlane.specDelivery).toBeInstanceOf(appmesh.MeshSpecDelivery);
  });
});
