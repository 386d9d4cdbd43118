import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AppConfigDataClient,
  AppConfigDataClientResolvedConfig,
  BadRequestException,
  GetLatestConfigurationCommand,
  GetLatestConfigurationCommandOutput,
  ResourceNotFoundException,
  ServiceInputTypes,
  ServiceOutputTypes,
  StartConfigurationSessionCommand,
  ThrottlingException,
} from '@aws-sdk/client-appconfigdata';
// The SDK's own blob type (a dependency of the client), so mocked answers are what the client returns.
// eslint-disable-next-line import/no-extraneous-dependencies
import { Uint8ArrayBlobAdapter } from '@smithy/core/serde';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { ControlPlane } from '../../src/control-plane';
import { CompositeDiscovery } from '../../src/discovery/composite';
import { Logger } from '../../src/log';
import { buildSpecSource, parseArgs, UsageError } from '../../src/main';
import { AppConfigSpecSource, parseAppConfigSpecUrl } from '../../src/sources/appconfig-spec-source';
import { SpecRejection, SpecSnapshot } from '../../src/sources/spec-source';
import { FakeScheduler } from '../discovery/fake-scheduler';
import { ControlPlaneProcess } from '../e2e/support/control-plane-process';
import { AppConfigStandIn } from '../support/appconfig-stand-in';
import { awsStandInEnvironment } from '../support/aws-stand-in-env';
import { waitFor } from '../support/wait';

const FIXTURE = fs.readFileSync(path.join(__dirname, '..', 'e2e', 'fixtures', 'canary-spec.json'), 'utf8');
const APP = 'apps-mesh';
const ENV = 'production';
const PROFILE = 'mesh-spec';

/** The fixture with the default route's weights changed (a canary step). */
function withWeights(v1: number, v2: number): string {
  const doc = JSON.parse(FIXTURE);
  const route = doc.routes.find((r: { routeName: string }) => r.routeName === 'default');
  route.spec.grpcRoute.action.weightedTargets[0].weight = v1;
  route.spec.grpcRoute.action.weightedTargets[1].weight = v2;
  return JSON.stringify(doc, null, 2);
}

const META = { httpStatusCode: 200, requestId: 'a1b2c3d4-0000-4000-8000-000000000000', attempts: 1, totalRetryDelay: 0 };

/**
 * A GetLatestConfiguration answer as the client returns it: the body is a Uint8ArrayBlobAdapter,
 * and an unchanged answer (empty body, no version label) comes as a null Configuration (checked
 * against the real client below).
 */
function latest(token: string, content?: string | Buffer, versionLabel?: string, interval = 60): GetLatestConfigurationCommandOutput {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return {
    $metadata: META,
    NextPollConfigurationToken: token,
    NextPollIntervalInSeconds: interval,
    ContentType: 'application/json',
    Configuration: bytes === undefined ? null as unknown as undefined : Uint8ArrayBlobAdapter.mutate(bytes),
    ...(bytes !== undefined && versionLabel !== undefined ? { VersionLabel: versionLabel } : {}),
  };
}

function expiredToken(): BadRequestException {
  return new BadRequestException({
    $metadata: { ...META, httpStatusCode: 400 },
    message: 'Token is expired or invalid',
    Reason: 'InvalidParameters',
    Details: { InvalidParameters: { ConfigurationToken: { Problem: 'Expired' } } },
  });
}

function throttled(): ThrottlingException {
  return new ThrottlingException({ $metadata: { ...META, httpStatusCode: 429 }, message: 'Rate exceeded' });
}

function notFound(): ResourceNotFoundException {
  return new ResourceNotFoundException({ $metadata: { ...META, httpStatusCode: 404 }, message: 'Requested resource not found', ResourceType: 'ConfigurationProfile' });
}

describe('AppConfigSpecSource with the SDK mocked', () => {
  // Patched in beforeAll, not at collection: the loopback tests below need the real client even when run alone.
  let appconfig: AwsStub<ServiceInputTypes, ServiceOutputTypes, AppConfigDataClientResolvedConfig>;
  let scheduler: FakeScheduler;
  let source: AppConfigSpecSource | undefined;
  let logLines: Record<string, unknown>[];
  let clock: number;

  beforeAll(() => {
    appconfig = mockClient(AppConfigDataClient);
  });
  beforeEach(() => {
    appconfig.reset();
    scheduler = new FakeScheduler();
    logLines = [];
    clock = Date.parse('2026-12-03T07:00:00Z');
  });
  afterEach(async () => {
    await source?.stop();
    source = undefined;
  });
  afterAll(() => appconfig.restore());

  function start(options: { maxBytes?: number; pollIntervalSeconds?: number } = {}) {
    const log = new Logger('debug', {}, (line) => logLines.push(JSON.parse(line)));
    source = new AppConfigSpecSource({
      ...options,
      application: APP,
      environment: ENV,
      profile: PROFILE,
      client: new AppConfigDataClient({ region: 'eu-west-1' }),
      log,
      backoffBaseMs: 1_000,
      backoffMaxMs: 8_000,
      scheduler,
      now: () => clock,
    });
    const specs: SpecSnapshot[] = [];
    const rejections: SpecRejection[] = [];
    source.onSpec((s) => specs.push(s));
    source.onRejected((r) => rejections.push(r));
    return { s: source, specs, rejections };
  }

  /** The tokens GetLatestConfiguration was called with, in order. */
  function tokens(): (string | undefined)[] {
    return appconfig.commandCalls(GetLatestConfigurationCommand).map((call) => call.args[0].input.ConfigurationToken);
  }

  function sessions() {
    return appconfig.commandCalls(StartConfigurationSessionCommand).map((call) => call.args[0].input);
  }

  test('starts a session, loads the configuration, chains tokens and keeps the spec on empty answers', async () => {
    appconfig.on(StartConfigurationSessionCommand).resolves({ $metadata: { ...META, httpStatusCode: 201 }, InitialConfigurationToken: 'T0' });
    appconfig.on(GetLatestConfigurationCommand)
      .resolvesOnce(latest('T1', FIXTURE, '1'))
      .resolvesOnce(latest('T2'))
      .resolvesOnce(latest('T3'));
    const { s, specs, rejections } = start();
    await s.start();

    expect(sessions()).toEqual([{ ApplicationIdentifier: APP, EnvironmentIdentifier: ENV, ConfigurationProfileIdentifier: PROFILE }]);
    expect(specs).toHaveLength(1);
    expect(s.current()!.doc.mesh.meshName).toBe('apps');
    expect(s.current()!.origin).toBe(`appconfig://${APP}/${ENV}/${PROFILE}`);
    expect(logLines.find((l) => l.msg === 'spec loaded')).toMatchObject({ versionLabel: '1', contentType: 'application/json', mesh: 'apps' });

    await scheduler.fireNext();
    await scheduler.fireNext();
    expect(tokens()).toEqual(['T0', 'T1', 'T2']);
    expect(sessions()).toHaveLength(1);
    expect(specs).toHaveLength(1);
    expect(rejections).toEqual([]);
    // Each wait is the NextPollIntervalInSeconds of the answer before it.
    expect(scheduler.delays).toEqual([60_000, 60_000, 60_000]);
  });

  test('hot-reloads a new configuration, and waits what each answer says', async () => {
    appconfig.on(StartConfigurationSessionCommand).resolves({ $metadata: META, InitialConfigurationToken: 'T0' });
    appconfig.on(GetLatestConfigurationCommand)
      .resolvesOnce(latest('T1', FIXTURE, '1', 30))
      .resolvesOnce(latest('T2', withWeights(0, 100), '2', 45));
    const { s, specs } = start();
    await s.start();
    await scheduler.fireNext();
    expect(specs).toHaveLength(2);
    const route = specs[1].doc.routes.find((r) => r.routeName === 'default')!;
    expect(route.spec.grpcRoute!.action.weightedTargets.map((t) => t.weight)).toEqual([0, 100]);
    expect(scheduler.delays).toEqual([30_000, 45_000]);
  });

  test('asks for the poll interval it is given, within AppConfig\'s 15 s to 24 h', async () => {
    appconfig.on(StartConfigurationSessionCommand).resolves({ $metadata: META, InitialConfigurationToken: 'T0' });
    appconfig.on(GetLatestConfigurationCommand).resolves(latest('T1', FIXTURE, '1', 15));
    const { s } = start({ pollIntervalSeconds: 0.1 });
    await s.start();
    expect(sessions()[0]).toMatchObject({ RequiredMinimumPollIntervalInSeconds: 15 });
    await s.stop();
    appconfig.resetHistory();
    const other = start({ pollIntervalSeconds: 20.5 });
    await other.s.start();
    expect(sessions()[0]).toMatchObject({ RequiredMinimumPollIntervalInSeconds: 21 });
  });

  test('an expired token (BadRequestException) starts a new session in the same poll; the same bytes are not delivered again', async () => {
    appconfig.on(StartConfigurationSessionCommand)
      .resolvesOnce({ $metadata: META, InitialConfigurationToken: 'S1' })
      .resolvesOnce({ $metadata: META, InitialConfigurationToken: 'S2' });
    appconfig.on(GetLatestConfigurationCommand)
      .resolvesOnce(latest('T1', FIXTURE, '1'))
      .rejectsOnce(expiredToken())
      // A new session answers with the whole configuration again.
      .resolvesOnce(latest('T2', FIXTURE, '1'));
    const { s, specs, rejections } = start();
    await s.start();
    await scheduler.fireNext();
    expect(tokens()).toEqual(['S1', 'T1', 'S2']);
    expect(sessions()).toHaveLength(2);
    expect(specs).toHaveLength(1);
    expect(rejections).toEqual([]);
    expect(scheduler.delays).toEqual([60_000, 60_000]);
    expect(logLines.find((l) => l.msg === 'AppConfig token refused; starting a new session')).toMatchObject({ error: 'Token is expired or invalid' });
  });

  test('a token older than 23 hours (after a long outage) is not used: a new session instead', async () => {
    appconfig.on(StartConfigurationSessionCommand)
      .resolvesOnce({ $metadata: META, InitialConfigurationToken: 'S1' })
      .resolvesOnce({ $metadata: META, InitialConfigurationToken: 'S2' });
    appconfig.on(GetLatestConfigurationCommand).resolvesOnce(latest('T1', FIXTURE, '1')).resolvesOnce(latest('T2', FIXTURE, '1'));
    const { s } = start();
    await s.start();
    clock += 23 * 3_600_000;
    await scheduler.fireNext();
    expect(tokens()).toEqual(['S1', 'S2']);
  });

  test('throttling backs off up to the cap, is reported once, keeps the spec, and recovers on a new session', async () => {
    appconfig.on(StartConfigurationSessionCommand)
      .resolvesOnce({ $metadata: META, InitialConfigurationToken: 'S1' })
      .rejectsOnce(throttled()).rejectsOnce(throttled()).rejectsOnce(throttled()).rejectsOnce(throttled())
      .resolvesOnce({ $metadata: META, InitialConfigurationToken: 'S2' });
    appconfig.on(GetLatestConfigurationCommand)
      .resolvesOnce(latest('T1', FIXTURE, '1'))
      .rejectsOnce(throttled())
      .resolvesOnce(latest('T2', FIXTURE, '1'));
    const { s, specs, rejections } = start();
    await s.start();
    for (let i = 0; i < 6; i++) await scheduler.fireNext();
    expect(specs).toHaveLength(1);
    expect(s.current()!.doc.mesh.meshName).toBe('apps');
    expect(rejections.map((r) => r.reasons[0])).toEqual(['ThrottlingException: Rate exceeded']);
    expect(logLines.find((l) => l.msg === 'spec rejected; still serving the last good spec')).toMatchObject({ throttled: true });
    // Equal-jitter backoff at random 0.5: 3/4 of 1, 2, 4, 8 (cap), 8 s; then AppConfig's interval again.
    expect(scheduler.delays).toEqual([60_000, 750, 1_500, 3_000, 6_000, 6_000, 60_000]);
    expect(tokens()).toEqual(['S1', 'T1', 'S2']);
    expect(s.consecutiveFailures).toBe(0);
  });

  test('a missing profile is reported once while it lasts, then loaded when it appears', async () => {
    appconfig.on(StartConfigurationSessionCommand)
      .rejectsOnce(notFound()).rejectsOnce(notFound())
      .resolvesOnce({ $metadata: META, InitialConfigurationToken: 'S1' });
    appconfig.on(GetLatestConfigurationCommand).resolvesOnce(latest('T1', FIXTURE, '1'));
    const { s, specs, rejections } = start();
    await s.start();
    expect(s.current()).toBeUndefined();
    await scheduler.fireNext();
    expect(rejections.map((r) => r.reasons)).toEqual([['ResourceNotFoundException: Requested resource not found']]);
    expect(logLines.filter((l) => l.level === 'error')[0]).toMatchObject({ msg: 'spec rejected; no spec is being served yet', origin: `appconfig://${APP}/${ENV}/${PROFILE}` });
    await scheduler.fireNext();
    expect(specs).toHaveLength(1);
  });

  test('an invalid configuration is rejected once and the last good spec stays; a good one after it is served', async () => {
    const invalid = JSON.parse(FIXTURE);
    invalid.routes.find((r: { routeName: string }) => r.routeName === 'default').spec.grpcRoute.action.weightedTargets[0].virtualNode = 'no-such-node';
    appconfig.on(StartConfigurationSessionCommand).resolves({ $metadata: META, InitialConfigurationToken: 'S1' });
    appconfig.on(GetLatestConfigurationCommand)
      .resolvesOnce(latest('T1', FIXTURE, '1'))
      .resolvesOnce(latest('T2', JSON.stringify(invalid), '2'))
      .resolvesOnce(latest('T3'))
      .resolvesOnce(latest('T4', '{ "specVersion": ', '3'))
      .resolvesOnce(latest('T5', withWeights(50, 50), '4'));
    const { s, specs, rejections } = start();
    await s.start();
    const good = s.current();
    await scheduler.fireNext();
    expect(rejections).toHaveLength(1);
    expect(rejections[0].reasons.join('\n')).toMatch(/no-such-node/);
    expect(s.current()).toBe(good);
    expect(logLines.find((l) => l.msg === 'spec rejected; still serving the last good spec')).toMatchObject({ versionLabel: '2', servingVersion: good!.version });
    await scheduler.fireNext();
    expect(rejections).toHaveLength(1);
    await scheduler.fireNext();
    expect(rejections).toHaveLength(2);
    expect(s.current()).toBe(good);
    await scheduler.fireNext();
    expect(specs).toHaveLength(2);
    expect(s.current()).toBe(specs[1]);
  });

  test('a configuration over the size limit is rejected naming its size', async () => {
    appconfig.on(StartConfigurationSessionCommand).resolves({ $metadata: META, InitialConfigurationToken: 'S1' });
    appconfig.on(GetLatestConfigurationCommand).resolvesOnce(latest('T1', FIXTURE, '1'));
    const { s, specs, rejections } = start({ maxBytes: 1000 });
    await s.start();
    expect(specs).toHaveLength(0);
    expect(rejections[0].reasons).toEqual([`spec is ${Buffer.byteLength(FIXTURE)} bytes, over the limit of 1000 bytes (--max-spec-bytes)`]);
  });

  test('a configuration that is not UTF-8 is rejected with the offset of the first bad byte', async () => {
    const at = FIXTURE.indexOf('serviceb.apps.local');
    const bytes = Buffer.concat([Buffer.from(FIXTURE.slice(0, at)), Buffer.from([0xc3, 0x28]), Buffer.from(FIXTURE.slice(at))]);
    appconfig.on(StartConfigurationSessionCommand).resolves({ $metadata: META, InitialConfigurationToken: 'S1' });
    appconfig.on(GetLatestConfigurationCommand).resolvesOnce(latest('T1', FIXTURE, '1')).resolvesOnce(latest('T2', bytes, '2'));
    const { s, specs, rejections } = start();
    await s.start();
    await scheduler.fireNext();
    expect(specs).toHaveLength(1);
    expect(rejections[0].reasons).toEqual([`spec is not valid UTF-8: bad byte (0xC3) at byte offset ${Buffer.byteLength(FIXTURE.slice(0, at))}`]);
    expect(s.current()).toBe(specs[0]);
  });

  test('a control plane on this source serves the new weights without restarting', async () => {
    appconfig.on(StartConfigurationSessionCommand).resolves({ $metadata: META, InitialConfigurationToken: 'S1' });
    appconfig.on(GetLatestConfigurationCommand)
      .resolvesOnce(latest('T1', withWeights(75, 25), '1'))
      .resolvesOnce(latest('T2', withWeights(40, 60), '2'))
      .resolvesOnce(latest('T3', '{"specVersion": "open-app-mesh/v1"}', '3'));
    const { s } = start();
    const controlPlane = new ControlPlane({ spec: s, discovery: new CompositeDiscovery([]), xdsAddress: '127.0.0.1:0', adminHost: '127.0.0.1', adminPort: 0 });
    const weights = () => {
      const text = JSON.stringify(controlPlane.configOf('mesh/apps/virtualNode/serviceA')!.envoy.routes);
      const found = [...text.matchAll(/\{"name":"cds_egress_apps_(serviceB-v[12])_grpc_50051","weight":\{"value":(\d+)\}\}/g)];
      return [...new Set(found.map((m) => `${m[1]}=${m[2]}`))].sort();
    };
    await controlPlane.start();
    try {
      expect(weights()).toEqual(expect.arrayContaining(['serviceB-v1=75', 'serviceB-v2=25']));
      await scheduler.fireNext();
      expect(weights()).toEqual(expect.arrayContaining(['serviceB-v1=40', 'serviceB-v2=60']));
      expect(weights()).not.toContain('serviceB-v1=75');
      await scheduler.fireNext();
      expect(weights()).toEqual(expect.arrayContaining(['serviceB-v1=40', 'serviceB-v2=60']));
    } finally {
      await controlPlane.stop();
    }
  });

  test('stop() ends polling, and a poll never rejects', async () => {
    appconfig.on(StartConfigurationSessionCommand).rejects(new Error('socket hang up'));
    const { s } = start();
    await expect(s.start()).resolves.toBeUndefined();
    expect(scheduler.pending).toBe(1);
    await s.stop();
    expect(scheduler.pending).toBe(0);
  });
});

describe('AppConfigSpecSource against a loopback AppConfig data plane with the real SDK', () => {
  const standIn = new AppConfigStandIn(APP, ENV, PROFILE);
  let client: AppConfigDataClient;
  let standInEndpoint: Promise<string>;

  beforeAll(async () => {
    standInEndpoint = standIn.start();
    const endpoint = await standInEndpoint;
    client = new AppConfigDataClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      maxAttempts: 1,
    });
  });
  afterAll(() => standIn.stop());

  test('session, chained tokens, empty "unchanged" bodies, a new version, an expired token', async () => {
    standIn.deployed = { content: Buffer.from(FIXTURE), versionLabel: '1' };
    const scheduler = new FakeScheduler();
    const source = new AppConfigSpecSource({ application: APP, environment: ENV, profile: PROFILE, client, scheduler, pollIntervalSeconds: 15 });
    const specs: SpecSnapshot[] = [];
    const rejections: SpecRejection[] = [];
    source.onSpec((s) => specs.push(s));
    source.onRejected((r) => rejections.push(r));
    try {
      await source.start();
      await scheduler.fireNext();
      expect(specs).toHaveLength(1);
      standIn.deployed = { content: Buffer.from(withWeights(10, 90)), versionLabel: '2' };
      await scheduler.fireNext();
      expect(specs).toHaveLength(2);
      standIn.expireTokens();
      await scheduler.fireNext();
    } finally {
      await source.stop();
    }
    expect(rejections).toEqual([]);
    expect(specs).toHaveLength(2);
    const route = specs[1].doc.routes.find((r) => r.routeName === 'default')!;
    expect(route.spec.grpcRoute!.action.weightedTargets.map((t) => t.weight)).toEqual([10, 90]);
    expect(standIn.requests.map((r) => `${r.operation} ${r.status}`)).toEqual([
      'StartConfigurationSession 201', 'GetLatestConfiguration 200', // the configuration
      'GetLatestConfiguration 200', // unchanged: empty body
      'GetLatestConfiguration 200', // version 2
      'GetLatestConfiguration 400', 'StartConfigurationSession 201', 'GetLatestConfiguration 200', // expired token → new session
    ]);
    expect(standIn.requests[0].body).toEqual({
      ApplicationIdentifier: APP, EnvironmentIdentifier: ENV, ConfigurationProfileIdentifier: PROFILE, RequiredMinimumPollIntervalInSeconds: 15,
    });
    // The stand-in refuses any token it did not hand out in its last answer: these 200s prove the chaining.
    expect(scheduler.delays).toEqual([15_000, 15_000, 15_000, 15_000]);
  });

  test('a configuration over the limit is refused by its Content-Length before its body is read, once', async () => {
    standIn.deployed = { content: Buffer.from(FIXTURE), versionLabel: '9', stallBody: true };
    // A client of its own: the size check is added to a client's middleware stack once.
    const own = new AppConfigDataClient({
      region: 'us-east-1',
      endpoint: await standInEndpoint,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      maxAttempts: 1,
    });
    const scheduler = new FakeScheduler();
    const source = new AppConfigSpecSource({
      application: APP, environment: ENV, profile: PROFILE, client: own, scheduler, pollIntervalSeconds: 15, maxBytes: 1000,
    });
    const rejections: SpecRejection[] = [];
    source.onRejected((r) => rejections.push(r));
    try {
      // The body never ends: only a refusal before reading it lets these polls finish.
      await source.start();
      await scheduler.fireNext();
    } finally {
      await source.stop();
      own.destroy();
    }
    expect(rejections.map((r) => r.reasons)).toEqual([[`spec is ${Buffer.byteLength(FIXTURE)} bytes, over the limit of 1000 bytes (--max-spec-bytes)`]]);
    // A configuration too big is not a failure to back off from: the next look is after the poll interval.
    expect(scheduler.delays).toEqual([15_000, 15_000]);
    expect(source.current()).toBeUndefined();
  });

  // What the mocked tests give the source.
  test('the real client returns the configuration as a Uint8ArrayBlobAdapter and an unchanged answer as null', async () => {
    standIn.deployed = { content: Buffer.from(FIXTURE), versionLabel: '1' };
    const session = await client.send(new StartConfigurationSessionCommand({
      ApplicationIdentifier: APP, EnvironmentIdentifier: ENV, ConfigurationProfileIdentifier: PROFILE,
    }));
    const first = await client.send(new GetLatestConfigurationCommand({ ConfigurationToken: session.InitialConfigurationToken }));
    const second = await client.send(new GetLatestConfigurationCommand({ ConfigurationToken: first.NextPollConfigurationToken }));
    // By name: the client may carry its own copy of @smithy/core.
    expect(first.Configuration!.constructor.name).toBe('Uint8ArrayBlobAdapter');
    expect(Buffer.from(first.Configuration!).toString('utf8')).toBe(FIXTURE);
    expect(first).toMatchObject({ ContentType: 'application/json', VersionLabel: '1', NextPollIntervalInSeconds: 15 });
    expect(second.Configuration).toBeNull();
    expect(second.VersionLabel).toBeUndefined();
  });
});

describe('the control-plane program with --spec appconfig://… against a loopback AppConfig data plane', () => {
  const standIn = new AppConfigStandIn(APP, ENV, PROFILE);
  let program: ControlPlaneProcess | undefined;

  afterAll(async () => {
    await program?.kill();
    await standIn.stop();
  });

  test('serves the deployed configuration, hot-reloads a new one and keeps it over an invalid one', async () => {
    const endpoint = await standIn.start();
    standIn.pollSeconds = 1;
    standIn.deployed = { content: Buffer.from(withWeights(75, 25)), versionLabel: '1' };
    // The SDK's standard endpoint override and static credentials: the program is unchanged.
    program = new ControlPlaneProcess([
      '--spec', `appconfig://${APP}/${ENV}/${PROFILE}`, '--region', 'us-east-1',
      '--endpoints', 'none', '--insecure-plaintext', '--bind', '127.0.0.1', '--xds-port', '0', '--admin-port', '0', '--log-level', 'debug',
    ], awsStandInEnvironment('AWS_ENDPOINT_URL_APPCONFIGDATA', endpoint));
    await program.start(60_000);
    const served = async () => {
      const dump = JSON.stringify(await program!.adminJson('/config_dump?node=mesh/apps/virtualNode/serviceA&view=envoy'));
      const found = [...dump.matchAll(/"name":"cds_egress_apps_(serviceB-v[12])_grpc_50051","weight":\{"value":(\d+)\}/g)];
      return [...new Set(found.map((m) => `${m[1]}=${m[2]}`))].sort();
    };
    expect(await served()).toEqual(expect.arrayContaining(['serviceB-v1=75', 'serviceB-v2=25']));

    standIn.deployed = { content: Buffer.from(withWeights(10, 90)), versionLabel: '2' };
    await program.waitForLog((l) => l.msg === 'spec loaded' && l.versionLabel === '2', 10_000);
    await waitFor(async () => (await served()).includes('serviceB-v1=10'), 'the new weights at the admin endpoint');

    standIn.deployed = { content: Buffer.from('{"specVersion": "open-app-mesh/v1", "mesh": {}}'), versionLabel: '3' };
    const rejected = await program.waitForLog((l) => l.msg === 'spec rejected; still serving the last good spec', 10_000);
    expect(rejected.versionLabel).toBe('3');
    expect(await served()).toEqual(expect.arrayContaining(['serviceB-v1=10', 'serviceB-v2=90']));
    const metrics = (await program.admin('/metrics')).body;
    expect(metrics).toMatch(/^oam_spec_rejections_total 1$/m);
    expect(program.exitCode).toBeNull();
    // One session, then each poll with the token of the answer before it.
    expect(standIn.operations().filter((o) => o === 'StartConfigurationSession')).toHaveLength(1);
    expect(standIn.requests.every((r) => r.status < 300)).toBe(true);
  }, 90_000);
});

test('parseAppConfigSpecUrl', () => {
  expect(parseAppConfigSpecUrl('appconfig://apps-mesh/production/mesh-spec')).toEqual({ application: 'apps-mesh', environment: 'production', profile: 'mesh-spec' });
  expect(parseAppConfigSpecUrl('appconfig://a1b2c3d/e4f5g6h/i7j8k9l')).toEqual({ application: 'a1b2c3d', environment: 'e4f5g6h', profile: 'i7j8k9l' });
  expect(parseAppConfigSpecUrl('appconfig://apps-mesh/production')).toBeUndefined();
  expect(parseAppConfigSpecUrl('appconfig://a/b/c/d')).toBeUndefined();
  expect(parseAppConfigSpecUrl('s3://bucket/key')).toBeUndefined();
});

test('--spec appconfig://… builds an AppConfig source; a malformed one is a usage error naming the form', () => {
  const options = parseArgs(['--spec', `appconfig://${APP}/${ENV}/${PROFILE}`, '--spec-poll-interval', '30000', '--region', 'eu-west-1']);
  if (options === 'help') throw new Error('unexpected help');
  const source = buildSpecSource(options, new Logger('error'));
  expect(source).toBeInstanceOf(AppConfigSpecSource);
  expect((source as AppConfigSpecSource).origin).toBe(`appconfig://${APP}/${ENV}/${PROFILE}`);
  expect(() => parseArgs(['--spec', `appconfig://${APP}/${ENV}`])).toThrow(new UsageError(
    `--spec must be appconfig://<application>/<environment>/<configuration profile>, got "appconfig://${APP}/${ENV}"`));
});

test('the AppConfig client is loaded only for --spec appconfig://…', () => {
  const loaded: string[] = [];
  jest.isolateModules(() => {
    jest.doMock('@aws-sdk/client-appconfigdata', () => {
      loaded.push('@aws-sdk/client-appconfigdata');
      return jest.requireActual('@aws-sdk/client-appconfigdata');
    });
    const isolated = jest.requireActual('../../src/main') as typeof import('../../src/main');
    const fileOptions = isolated.parseArgs(['--spec', 'mesh.json', '--endpoints', 'none']);
    if (fileOptions === 'help') throw new Error('unexpected help');
    isolated.buildSpecSource(fileOptions, new Logger('error'));
    expect(loaded).toEqual([]);
    const options = isolated.parseArgs(['--spec', `appconfig://${APP}/${ENV}/${PROFILE}`, '--region', 'eu-west-1']);
    if (options === 'help') throw new Error('unexpected help');
    isolated.buildSpecSource(options, new Logger('error'));
    expect(loaded).toEqual(['@aws-sdk/client-appconfigdata']);
  });
  jest.dontMock('@aws-sdk/client-appconfigdata');
});
