import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, GetObjectCommandOutput, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
// The SDK's own body mixin (a dependency of @aws-sdk/client-s3), so mocked bodies behave like real ones.
// eslint-disable-next-line import/no-extraneous-dependencies
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { ControlPlane } from '../../src/control-plane';
import { CompositeDiscovery } from '../../src/discovery/composite';
import { Logger } from '../../src/log';
import { isNotModified, parseS3SpecUrl, S3SpecSource } from '../../src/sources/s3-spec-source';
import { SpecRejection, SpecSnapshot } from '../../src/sources/spec-source';
import { FakeScheduler } from '../discovery/fake-scheduler';
import { ControlPlaneProcess } from '../e2e/support/control-plane-process';
import { waitFor } from '../support/wait';

const FIXTURE = fs.readFileSync(path.join(__dirname, '..', 'e2e', 'fixtures', 'canary-spec.json'), 'utf8');
const BUCKET = 'controlplane-specbucket-1x2y3z';
const KEY = 'apps.mesh.json';

/** The fixture with the default route's weights changed (a canary step). */
function withWeights(v1: number, v2: number): string {
  const doc = JSON.parse(FIXTURE);
  const route = doc.routes.find((r: { routeName: string }) => r.routeName === 'default');
  route.spec.grpcRoute.action.weightedTargets[0].weight = v1;
  route.spec.grpcRoute.action.weightedTargets[1].weight = v2;
  return JSON.stringify(doc, null, 2);
}

/** A GetObject answer as the SDK's Node handler returns it: a readable stream with the SDK's helpers mixed in. */
function objectOutput(content: string, etag: string, versionId: string): GetObjectCommandOutput {
  return {
    $metadata: { httpStatusCode: 200, requestId: 'R' + etag, attempts: 1, totalRetryDelay: 0 },
    Body: sdkStreamMixin(Readable.from([Buffer.from(content, 'utf8')])),
    ContentType: 'application/json',
    ContentLength: Buffer.byteLength(content),
    ETag: etag,
    VersionId: versionId,
    LastModified: new Date('2026-11-22T03:00:00Z'),
    Metadata: {},
  };
}

/** What the SDK raises for a 304 (checked against a real S3Client on loopback below). */
function notModified(): S3ServiceException {
  return new S3ServiceException({
    name: 'Unknown',
    $fault: 'client',
    $metadata: { httpStatusCode: 304, requestId: 'R304', attempts: 1, totalRetryDelay: 0 },
    message: 'UnknownError',
  });
}

function noSuchKey(): NoSuchKey {
  return new NoSuchKey({
    $metadata: { httpStatusCode: 404, requestId: 'R404', attempts: 1, totalRetryDelay: 0 },
    message: 'The specified key does not exist.',
  });
}

function slowDown(): S3ServiceException {
  return new S3ServiceException({
    name: 'SlowDown',
    $fault: 'server',
    $metadata: { httpStatusCode: 503, requestId: 'R503', attempts: 3, totalRetryDelay: 300 },
    message: 'Please reduce your request rate.',
  });
}

describe('S3SpecSource with the SDK mocked', () => {
  const s3 = mockClient(S3Client);
  let scheduler: FakeScheduler;
  let source: S3SpecSource | undefined;
  let logLines: Record<string, unknown>[];

  beforeEach(() => {
    s3.reset();
    scheduler = new FakeScheduler();
    logLines = [];
  });
  afterEach(async () => {
    await source?.stop();
    source = undefined;
  });
  // mockClient patches S3Client's prototype: undo it for the loopback tests below.
  afterAll(() => s3.restore());

  function start(maxBytes?: number) {
    const log = new Logger('debug', {}, (line) => logLines.push(JSON.parse(line)));
    source = new S3SpecSource({
      ...(maxBytes !== undefined ? { maxBytes } : {}),
      bucket: BUCKET,
      key: KEY,
      client: new S3Client({ region: 'eu-west-1' }),
      log,
      pollIntervalMs: 10_000,
      backoffBaseMs: 1_000,
      backoffMaxMs: 8_000,
      scheduler,
    });
    const specs: SpecSnapshot[] = [];
    const rejections: SpecRejection[] = [];
    source.onSpec((s) => specs.push(s));
    source.onRejected((r) => rejections.push(r));
    return { s: source, specs, rejections };
  }

  function requests() {
    return s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input);
  }

  test('loads the object, then asks with If-None-Match and keeps the spec on 304', async () => {
    s3.on(GetObjectCommand).resolvesOnce(objectOutput(FIXTURE, '"etag-1"', 'v1')).rejects(notModified());
    const { s, specs, rejections } = start();
    await s.start();

    expect(specs).toHaveLength(1);
    expect(s.current()!.doc.mesh.meshName).toBe('apps');
    expect(s.current()!.origin).toBe(`s3://${BUCKET}/${KEY}`);
    expect(requests()[0]).toEqual({ Bucket: BUCKET, Key: KEY });
    const loaded = logLines.find((l) => l.msg === 'spec loaded')!;
    expect(loaded).toMatchObject({ etag: '"etag-1"', s3VersionId: 'v1', mesh: 'apps', lastModified: '2026-11-22T03:00:00.000Z' });

    await scheduler.fireNext();
    await scheduler.fireNext();
    expect(requests().slice(1)).toEqual([
      { Bucket: BUCKET, Key: KEY, IfNoneMatch: '"etag-1"' },
      { Bucket: BUCKET, Key: KEY, IfNoneMatch: '"etag-1"' },
    ]);
    expect(specs).toHaveLength(1);
    expect(rejections).toHaveLength(0);
    // 304 is success: the next check comes after the interval (jitter 0 at random 0.5), no backoff.
    expect(scheduler.delays).toEqual([10_000, 10_000, 10_000]);
  });

  test('hot-reloads a new version of the object', async () => {
    s3.on(GetObjectCommand)
      .resolvesOnce(objectOutput(FIXTURE, '"etag-1"', 'v1'))
      .resolvesOnce(objectOutput(withWeights(0, 100), '"etag-2"', 'v2'));
    const { s, specs } = start();
    await s.start();
    await scheduler.fireNext();

    expect(specs).toHaveLength(2);
    expect(specs[1].version).not.toBe(specs[0].version);
    const route = specs[1].doc.routes.find((r) => r.routeName === 'default')!;
    expect(route.spec.grpcRoute!.action.weightedTargets.map((t) => t.weight)).toEqual([0, 100]);
    expect(s.current()).toBe(specs[1]);
  });

  test('keeps the last good spec when a new version is invalid, and reports it once', async () => {
    const invalid = JSON.parse(FIXTURE);
    invalid.routes.find((r: { routeName: string }) => r.routeName === 'default').spec.grpcRoute.action.weightedTargets[0].virtualNode = 'no-such-node';
    s3.on(GetObjectCommand)
      .resolvesOnce(objectOutput(FIXTURE, '"etag-1"', 'v1'))
      .resolvesOnce(objectOutput(JSON.stringify(invalid), '"etag-bad"', 'v2'))
      .rejectsOnce(notModified())
      .resolvesOnce(objectOutput('{ "specVersion": ', '"etag-truncated"', 'v3'))
      .resolvesOnce(objectOutput(withWeights(50, 50), '"etag-4"', 'v4'));
    const { s, specs, rejections } = start();
    await s.start();
    const good = s.current();

    await scheduler.fireNext();
    expect(rejections).toHaveLength(1);
    expect(rejections[0].origin).toBe(`s3://${BUCKET}/${KEY}`);
    expect(rejections[0].reasons.join('\n')).toMatch(/no-such-node/);
    expect(s.current()).toBe(good);

    // The bad object's ETag is remembered: S3 says 304 and nothing is reported again.
    await scheduler.fireNext();
    expect(requests()[2]).toMatchObject({ IfNoneMatch: '"etag-bad"' });
    expect(rejections).toHaveLength(1);

    // Not even JSON: rejected too.
    await scheduler.fireNext();
    expect(rejections).toHaveLength(2);
    expect(s.current()).toBe(good);
    const errorLog = logLines.filter((l) => l.msg === 'spec rejected; still serving the last good spec');
    expect(errorLog[0]).toMatchObject({ etag: '"etag-bad"', servingVersion: good!.version });

    // A good version after the bad ones is served.
    await scheduler.fireNext();
    expect(specs).toHaveLength(2);
    expect(s.current()).toBe(specs[1]);
  });

  test('the same bytes under a new ETag (a re-upload) are not delivered again', async () => {
    s3.on(GetObjectCommand)
      .resolvesOnce(objectOutput(FIXTURE, '"etag-1"', 'v1'))
      .resolvesOnce(objectOutput(FIXTURE, '"etag-1b"', 'v2'));
    const { s, specs } = start();
    await s.start();
    await scheduler.fireNext();
    expect(specs).toHaveLength(1);
    expect(requests()[1]).toMatchObject({ IfNoneMatch: '"etag-1"' });
  });

  test('a missing object backs off exponentially, is reported once, and is loaded when it appears', async () => {
    s3.on(GetObjectCommand)
      .rejectsOnce(noSuchKey())
      .rejectsOnce(noSuchKey())
      .rejectsOnce(noSuchKey())
      .resolvesOnce(objectOutput(FIXTURE, '"etag-1"', 'v1'));
    const { s, specs, rejections } = start();
    await s.start();
    expect(s.current()).toBeUndefined();
    expect(rejections).toHaveLength(1);
    expect(rejections[0].reasons[0]).toBe('NoSuchKey: The specified key does not exist.');

    await scheduler.fireNext();
    await scheduler.fireNext();
    expect(rejections).toHaveLength(1);
    await scheduler.fireNext();
    expect(specs).toHaveLength(1);
    // Equal-jitter backoff at random 0.5: 3/4 of 1 s, 2 s, 4 s; then the normal interval.
    expect(scheduler.delays).toEqual([750, 1_500, 3_000, 10_000]);
    expect(s.consecutiveFailures).toBe(0);
  });

  test('throttling (SlowDown) backs off up to the cap and keeps the spec', async () => {
    s3.on(GetObjectCommand).resolvesOnce(objectOutput(FIXTURE, '"etag-1"', 'v1')).rejects(slowDown());
    const { s, specs, rejections } = start();
    await s.start();
    for (let i = 0; i < 5; i++) await scheduler.fireNext();
    expect(specs).toHaveLength(1);
    expect(s.current()!.doc.mesh.meshName).toBe('apps');
    expect(rejections.map((r) => r.reasons[0])).toEqual(['SlowDown: Please reduce your request rate.']);
    expect(scheduler.delays).toEqual([10_000, 750, 1_500, 3_000, 6_000, 6_000]);
    expect(s.consecutiveFailures).toBe(5);
  });

  test('a control plane on this source serves the new weights without restarting, and keeps them over a bad object', async () => {
    s3.on(GetObjectCommand)
      .resolvesOnce(objectOutput(withWeights(75, 25), '"etag-1"', 'v1'))
      .resolvesOnce(objectOutput(withWeights(40, 60), '"etag-2"', 'v2'))
      .resolvesOnce(objectOutput('{"specVersion": "open-app-mesh/v1"}', '"etag-3"', 'v3'));
    const { s } = start();
    const controlPlane = new ControlPlane({
      spec: s, discovery: new CompositeDiscovery([]), xdsAddress: '127.0.0.1:0', adminHost: '127.0.0.1', adminPort: 0,
    });
    /** Weights of the default route's clusters in serviceA's Envoy view, as served. */
    const weights = () => {
      const text = JSON.stringify(controlPlane.configOf('mesh/apps/virtualNode/serviceA')!.envoy.routes);
      const found = [...text.matchAll(/\{"name":"cds_egress_apps_(serviceB-v[12])_grpc_50051","weight":\{"value":(\d+)\}\}/g)];
      return found.map((m) => `${m[1]}=${m[2]}`).filter((w, i, all) => all.indexOf(w) === i).sort();
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

  test('an object over the size limit is refused by its Content-Length, before its body is read, and not fetched again', async () => {
    let bodyRead = false;
    const body = new Readable({ read() { bodyRead = true; this.push(Buffer.from(FIXTURE)); this.push(null); } });
    const output = { ...objectOutput(FIXTURE, '"etag-big"', 'v1'), Body: sdkStreamMixin(body) };
    s3.on(GetObjectCommand).resolvesOnce(output).rejects(notModified());
    const { s, specs, rejections } = start(1000);
    await s.start();
    expect(specs).toHaveLength(0);
    expect(rejections[0].reasons).toEqual([`spec is ${Buffer.byteLength(FIXTURE)} bytes, over the limit of 1000 bytes (--max-spec-bytes)`]);
    expect(bodyRead).toBe(false);
    expect(logLines.find((l) => l.level === 'error')).toMatchObject({ msg: 'spec rejected; no spec is being served yet', etag: '"etag-big"' });
    await scheduler.fireNext();
    expect(requests()[1]).toMatchObject({ IfNoneMatch: '"etag-big"' });
    expect(rejections).toHaveLength(1);
  });

  test('without a Content-Length, the body is counted while streamed and refused once over the limit', async () => {
    const chunks = Array.from({ length: 100 }, () => Buffer.alloc(100, 0x20));
    let pulled = 0;
    const body = Readable.from((function* () {
      for (const chunk of chunks) {
        pulled++;
        yield chunk;
      }
    })());
    const output: GetObjectCommandOutput = { ...objectOutput('', '"etag-stream"', 'v1'), Body: sdkStreamMixin(body) };
    delete (output as { ContentLength?: number }).ContentLength;
    s3.on(GetObjectCommand).resolvesOnce(output);
    const { s, rejections } = start(1050);
    await s.start();
    expect(rejections[0].reasons).toEqual(['spec is over the limit of 1050 bytes (--max-spec-bytes)']);
    // Reading stopped at the 11th chunk (give or take the stream's read-ahead), not at the 100th.
    expect(pulled).toBeLessThan(30);
  });

  test('an object that is not UTF-8 is rejected with the offset of the first bad byte', async () => {
    const at = FIXTURE.indexOf('serviceb.apps.local');
    const bytes = Buffer.concat([Buffer.from(FIXTURE.slice(0, at)), Buffer.from([0xc3, 0x28]), Buffer.from(FIXTURE.slice(at))]);
    const output = { ...objectOutput(FIXTURE, '"etag-bad"', 'v2'), Body: sdkStreamMixin(Readable.from([bytes])), ContentLength: bytes.length };
    s3.on(GetObjectCommand).resolvesOnce(objectOutput(FIXTURE, '"etag-1"', 'v1')).resolvesOnce(output);
    const { s, specs, rejections } = start();
    await s.start();
    await scheduler.fireNext();
    expect(specs).toHaveLength(1);
    expect(rejections[0].reasons).toEqual([`spec is not valid UTF-8: bad byte (0xC3) at byte offset ${Buffer.byteLength(FIXTURE.slice(0, at))}`]);
    expect(s.current()).toBe(specs[0]);
  });

  test('stop() ends polling', async () => {
    s3.on(GetObjectCommand).resolves(objectOutput(FIXTURE, '"etag-1"', 'v1'));
    const { s } = start();
    await s.start();
    expect(scheduler.pending).toBe(1);
    await s.stop();
    expect(scheduler.pending).toBe(0);
  });
});

describe('S3SpecSource against a loopback S3 endpoint with the real SDK', () => {
  let server: http.Server;
  let object: { body: string; etag: string; versionId: string };
  const seen: { method?: string; url?: string; ifNoneMatch?: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, ifNoneMatch: req.headers['if-none-match'] as string | undefined });
      if (!req.url?.startsWith(`/${BUCKET}/${KEY}`)) {
        res.writeHead(404, { 'content-type': 'application/xml', 'x-amz-request-id': 'R404' });
        res.end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
        return;
      }
      if (req.headers['if-none-match'] === object.etag) {
        res.writeHead(304, { 'etag': object.etag, 'x-amz-request-id': 'R304' });
        res.end();
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(object.body),
        'etag': object.etag,
        'x-amz-version-id': object.versionId,
        'last-modified': 'Sun, 22 Nov 2026 03:00:00 GMT',
        'x-amz-request-id': 'R200',
      });
      res.end(object.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  test('conditional reads: 304 keeps the spec, a new ETag reloads it', async () => {
    object = { body: FIXTURE, etag: '"1111"', versionId: 'v1' };
    const port = (server.address() as AddressInfo).port;
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 1,
    });
    const scheduler = new FakeScheduler();
    const source = new S3SpecSource({ bucket: BUCKET, key: KEY, client, scheduler });
    const specs: SpecSnapshot[] = [];
    const rejections: SpecRejection[] = [];
    source.onSpec((s) => specs.push(s));
    source.onRejected((r) => rejections.push(r));
    try {
      await source.start();
      await scheduler.fireNext();
      expect(specs).toHaveLength(1);
      expect(rejections).toEqual([]);
      object = { body: withWeights(10, 90), etag: '"2222"', versionId: 'v2' };
      await scheduler.fireNext();
    } finally {
      await source.stop();
    }
    expect(seen.map((r) => r.ifNoneMatch)).toEqual([undefined, '"1111"', '"1111"']);
    expect(seen.every((r) => r.method === 'GET')).toBe(true);
    expect(rejections).toEqual([]);
    expect(specs).toHaveLength(2);
    const route = specs[1].doc.routes.find((r) => r.routeName === 'default')!;
    expect(route.spec.grpcRoute!.action.weightedTargets.map((t) => t.weight)).toEqual([10, 90]);
  });
});

describe('the control-plane program with --spec s3://… against a loopback S3 endpoint', () => {
  let server: http.Server;
  let object: { body: string; etag: string };
  let program: ControlPlaneProcess | undefined;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (!req.url?.startsWith(`/${BUCKET}/${KEY}`)) {
        res.writeHead(404, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
        return;
      }
      if (req.headers['if-none-match'] === object.etag) {
        res.writeHead(304, { etag: object.etag });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(object.body), 'etag': object.etag });
      res.end(object.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // The SDK's standard endpoint override and static credentials: the program is unchanged.
    process.env.AWS_ENDPOINT_URL_S3 = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  });
  afterAll(async () => {
    await program?.kill();
    await new Promise((resolve) => server.close(resolve));
    for (const key of ['AWS_ENDPOINT_URL_S3', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_EC2_METADATA_DISABLED']) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
  });

  test('serves the object, hot-reloads a new version and keeps it over an invalid one', async () => {
    object = { body: withWeights(75, 25), etag: '"a1"' };
    program = new ControlPlaneProcess([
      '--spec', `s3://${BUCKET}/${KEY}`, '--spec-poll-interval', '100', '--region', 'us-east-1',
      '--endpoints', 'none', '--insecure-plaintext', '--bind', '127.0.0.1', '--xds-port', '0', '--admin-port', '0', '--log-level', 'debug',
    ]);
    await program.start(60_000);
    const served = async () => {
      const dump = JSON.stringify(await program!.adminJson('/config_dump?node=mesh/apps/virtualNode/serviceA&view=envoy'));
      const found = [...dump.matchAll(/"name":"cds_egress_apps_(serviceB-v[12])_grpc_50051","weight":\{"value":(\d+)\}/g)];
      return [...new Set(found.map((m) => `${m[1]}=${m[2]}`))].sort();
    };
    expect(await served()).toEqual(expect.arrayContaining(['serviceB-v1=75', 'serviceB-v2=25']));

    const loaded = program.logs.filter((l) => l.msg === 'spec loaded').length;
    object = { body: withWeights(10, 90), etag: '"a2"' };
    await program.waitForLog((l) => l.msg === 'spec loaded' && l.etag === '"a2"', 10_000);
    expect(program.logs.filter((l) => l.msg === 'spec loaded')).toHaveLength(loaded + 1);
    await waitFor(async () => (await served()).includes('serviceB-v1=10'), 'the new weights at the admin endpoint');
    expect(await served()).toEqual(expect.arrayContaining(['serviceB-v1=10', 'serviceB-v2=90']));

    object = { body: '{"specVersion": "open-app-mesh/v1", "mesh": {}}', etag: '"a3"' };
    const rejected = await program.waitForLog((l) => l.msg === 'spec rejected; still serving the last good spec', 10_000);
    expect(rejected.etag).toBe('"a3"');
    expect(await served()).toEqual(expect.arrayContaining(['serviceB-v1=10', 'serviceB-v2=90']));
    expect(program.exitCode).toBeNull();
  }, 90_000);
});

describe('helpers', () => {
  test('parseS3SpecUrl', () => {
    expect(parseS3SpecUrl('s3://bucket/dir/apps.mesh.json')).toEqual({ bucket: 'bucket', key: 'dir/apps.mesh.json' });
    expect(parseS3SpecUrl('/etc/mesh/apps.mesh.json')).toBeUndefined();
    expect(parseS3SpecUrl('s3://bucket-only')).toBeUndefined();
  });

  test('isNotModified recognises the 304 shapes', () => {
    expect(isNotModified(notModified())).toBe(true);
    expect(isNotModified({ name: 'NotModified', $metadata: {} })).toBe(true);
    expect(isNotModified(noSuchKey())).toBe(false);
    expect(isNotModified(undefined)).toBe(false);
  });
});
