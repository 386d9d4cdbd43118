/**
 * End to end: the real control-plane program (child process) serves a spec to real
 * @grpc/grpc-js-xds clients, which call real loopback gRPC backends serviceB-v1 and -v2.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { waitFor } from '../support/wait';
import { AttemptLog, EchoAdminClient, EchoBackend, EchoClient, unary, WhoAmIReply } from './echo-backend';
import { ControlPlaneProcess } from './support/control-plane-process';
import { xdsClient } from './support/xds-client';

jest.setTimeout(120_000);

const FIXTURE = path.join(__dirname, 'fixtures', 'canary-spec.json');
const SERVICE = 'serviceb.apps.local';
const NODE_ID = 'mesh/apps/virtualNode/serviceA';

type Spec = {
  routes: { routeName: string; meshName: string; virtualRouterName: string; spec: Record<string, any> }[];
  [k: string]: unknown;
};

function fixture(): Spec {
  return JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Spec;
}

function route(spec: Spec, name: string) {
  return spec.routes.find((r) => r.routeName === name)!;
}

function setWeights(spec: Spec, v1: number, v2: number): Spec {
  const targets = route(spec, 'default').spec.grpcRoute.action.weightedTargets as { virtualNode: string; weight: number }[];
  targets.find((t) => t.virtualNode === 'serviceB-v1')!.weight = v1;
  targets.find((t) => t.virtualNode === 'serviceB-v2')!.weight = v2;
  return spec;
}

/** A new route: metadata x-pin: v1 goes to serviceB-v1 only. */
function addPinRoute(spec: Spec): Spec {
  spec.routes.push({
    meshName: 'apps',
    virtualRouterName: 'serviceB-router',
    routeName: 'pin-v1',
    spec: {
      priority: 0,
      grpcRoute: {
        match: { serviceName: 'echo.Echo', metadata: [{ name: 'x-pin', match: { exact: 'v1' } }] },
        action: { weightedTargets: [{ virtualNode: 'serviceB-v1', weight: 1 }] },
      },
    },
  });
  return spec;
}

function metadata(entries: Record<string, string>): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(entries)) md.set(k, v);
  return md;
}

/** Binomial tolerance: |observed − n·p| ≤ 4σ. */
function expectSplit(v1: number, n: number, p: number): void {
  const sigma = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(v1 - n * p)).toBeLessThanOrEqual(4 * sigma);
}

describe('control plane end to end (grpc-js-xds clients, loopback backends)', () => {
  const attempts: AttemptLog = new Map();
  const v1 = new EchoBackend('serviceB-v1', attempts);
  const v2 = new EchoBackend('serviceB-v2', attempts);
  let dir: string;
  let specFile: string;
  let endpointsFile: string;
  let cp: ControlPlaneProcess;
  const clients: grpc.Client[] = [];

  function args(xdsPort = 0): string[] {
    return [
      '--spec', specFile, '--endpoints', `static:${endpointsFile}`, '--bind', '127.0.0.1',
      '--xds-port', String(xdsPort), '--admin-port', '0', '--log-level', 'debug', '--drain-timeout', '2',
    ];
  }

  /** Writes the spec atomically and waits until the program applied or rejected that content. */
  async function writeSpec(spec: Spec | string, expect: 'applied' | 'rejected'): Promise<string> {
    const text = typeof spec === 'string' ? spec : JSON.stringify(spec, null, 2);
    const version = createHash('sha256').update(text).digest('hex').slice(0, 12);
    const tmp = path.join(dir, `.spec-${version}.tmp`);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, specFile);
    if (expect === 'applied') await cp.waitForLog((l) => l.msg === 'spec applied' && l.version === version);
    else await cp.waitForLog((l) => /rejected|cannot be translated/.test(l.msg) && l.rejectedVersion === version);
    return version;
  }

  function echoClient(nodeId = NODE_ID): grpc.Client {
    const client = xdsClient(EchoClient as unknown as new (...a: any[]) => grpc.Client, SERVICE, cp.xdsPort, nodeId);
    clients.push(client);
    return client;
  }

  async function split(client: grpc.Client, n: number): Promise<number> {
    let count = 0;
    for (let i = 0; i < n; i++) {
      const reply = await unary<WhoAmIReply>(client, 'WhoAmI', { note: String(i) });
      if (reply.version === 'serviceB-v1') count++;
    }
    return count;
  }

  async function versions(client: grpc.Client, method: string, md: Record<string, string>, n = 10): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) seen.add((await unary<WhoAmIReply>(client, method, {}, metadata(md))).version);
    return seen;
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-e2e-'));
    specFile = path.join(dir, 'mesh-spec.json');
    endpointsFile = path.join(dir, 'endpoints.json');
    const [p1, p2] = await Promise.all([v1.start(), v2.start()]);
    fs.writeFileSync(endpointsFile, JSON.stringify({
      'serviceB-v1': [{ address: '127.0.0.1', port: p1 }],
      'serviceB-v2': [{ address: '127.0.0.1', port: p2 }],
    }));
    fs.writeFileSync(specFile, fs.readFileSync(FIXTURE, 'utf8'));
    cp = new ControlPlaneProcess(args());
    await cp.start();
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await cp?.kill();
    await Promise.all([v1.stop(), v2.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a 75/25 weighted route splits RPCs within binomial tolerance', async () => {
    const client = echoClient();
    const n = 400;
    const v1Count = await split(client, n);
    expectSplit(v1Count, n, 0.75);
  });

  test('header, method and service-path matches reach serviceB-v2', async () => {
    const client = echoClient();
    expect(await versions(client, 'WhoAmI', { 'x-canary': 'v2' })).toEqual(new Set(['serviceB-v2']));
    expect(await versions(client, 'WhoAmIV2', {})).toEqual(new Set(['serviceB-v2']));
    const admin = xdsClient(EchoAdminClient as unknown as new (...a: any[]) => grpc.Client, SERVICE, cp.xdsPort, NODE_ID);
    clients.push(admin);
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) seen.add((await unary<WhoAmIReply>(admin, 'WhoAmI', {})).version);
    expect(seen).toEqual(new Set(['serviceB-v2']));
    // A header value that does not match falls through to the weighted default route.
    expect((await versions(client, 'WhoAmI', { 'x-canary': 'v1' }, 40)).has('serviceB-v1')).toBe(true);
  });

  test('UNAVAILABLE is retried per the route retry policy', async () => {
    const client = echoClient();
    const ok = await unary<WhoAmIReply>(client, 'Flaky', { key: 'twice', fail_times: 2 });
    expect(ok.method).toBe('Flaky');
    expect(attempts.get('twice')).toBe(3);
    // maxRetries 3: four attempts, then the error reaches the caller.
    await expect(unary(client, 'Flaky', { key: 'always', fail_times: 100 })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(attempts.get('always')).toBe(4);
  });

  test('the admin server reports readiness, metrics, the node config and the client', async () => {
    expect((await cp.admin('/healthz')).status).toBe(200);
    expect((await cp.admin('/readyz')).status).toBe(200);
    const metrics = (await cp.admin('/metrics')).body;
    expect(metrics).toMatch(/oam_xds_streams\{node="mesh\/apps\/virtualNode\/serviceA"\} [1-9]/);
    expect(metrics).toMatch(/oam_xds_acks_total\{type="Listener"\} [1-9]/);
    expect(metrics).toMatch(/oam_spec_info\{version="[0-9a-f]{12}",mesh="apps"\} 1/);
    expect(metrics).toContain('oam_xds_push_latency_seconds_bucket');
    const dump = await cp.adminJson<{ proxyless: { listeners: { name: string }[] } }>(`/config_dump?node=${encodeURIComponent(NODE_ID)}&view=proxyless`);
    expect(dump.proxyless.listeners.map((l) => l.name)).toContain(SERVICE);
    const status = await cp.adminJson<{ streams: { nodeId: string; view: string; userAgent: string; types: { ackedVersion: string | null }[] }[] }>('/clients');
    const mine = status.streams.filter((s) => s.nodeId === NODE_ID);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0].view).toBe('proxyless');
    expect(mine[0].userAgent).toMatch(/gRPC/);
    expect(mine[0].types.some((t) => t.ackedVersion !== null)).toBe(true);
  });

  test('a node id that is not in the spec is refused', async () => {
    const stranger = echoClient('mesh/apps/virtualNode/intruder');
    await expect(unary(stranger, 'WhoAmI', {}, new grpc.Metadata(), 3000)).rejects.toBeDefined();
    await waitFor(async () => /oam_xds_streams_refused_total [1-9]/.test((await cp.admin('/metrics')).body), 'the refusal metric');
    await cp.waitForLog((l) => l.msg === 'xds stream refused' && l.node === 'mesh/apps/virtualNode/intruder');
  });

  test('a spec change (new weights, a new route) reaches a running client', async () => {
    const client = echoClient();
    await unary(client, 'WhoAmI', {});
    await writeSpec(addPinRoute(setWeights(fixture(), 50, 50)), 'applied');
    await waitFor(async () => (await unary<WhoAmIReply>(client, 'WhoAmI', {}, metadata({ 'x-pin': 'v1' }))).version === 'serviceB-v1'
      && (await versions(client, 'WhoAmI', { 'x-pin': 'v1' }, 20)).size === 1, 'the pin-v1 route', 20_000, 50);
    expectSplit(await split(client, 400), 400, 0.5);
  });

  test('an invalid spec file is rejected; clients keep their config', async () => {
    const client = echoClient();
    const before = (await cp.admin('/metrics')).body.match(/oam_spec_rejections_total (\d+)/)?.[1] ?? '0';
    const bad = setWeights(addPinRoute(fixture()), 0, 0);
    await writeSpec(bad, 'rejected');
    const line = await cp.waitForLog((l) => l.msg === 'spec rejected; still serving the last good spec');
    expect((line.issues as string[]).join('\n')).toContain('every weight is 0');
    const after = (await cp.admin('/metrics')).body.match(/oam_spec_rejections_total (\d+)/)?.[1];
    expect(Number(after)).toBe(Number(before) + 1);
    await writeSpec('{ "this is": not json', 'rejected');
    // Still the last good config: the pin route works and the split is 50/50.
    expect(await versions(client, 'WhoAmI', { 'x-pin': 'v1' })).toEqual(new Set(['serviceB-v1']));
    expectSplit(await split(client, 200), 200, 0.5);
    expect((await cp.admin('/readyz')).status).toBe(200);
  });

  test('a config the client NACKs leaves it on the last good version', async () => {
    const client = echoClient();
    await unary(client, 'WhoAmI', {});
    // maxRetries 0 is a valid spec ("no retries"); translated to num_retries 0, which grpc-js
    // rejects (gRFC A44 wants at least 1), so the client NACKs the listener that carries it.
    const nacked = addPinRoute(setWeights(fixture(), 50, 50));
    route(nacked, 'default').spec.grpcRoute.retryPolicy.maxRetries = 0;
    await writeSpec(nacked, 'applied');
    type Status = { streams: { nodeId: string; types: { type: string; lastNack: { message: string } | null }[] }[]; recentNacks: { nodeId: string; message: string }[] };
    let status: Status | undefined;
    await waitFor(async () => {
      status = await cp.adminJson<Status>('/clients');
      return status.recentNacks.some((n) => n.nodeId === NODE_ID);
    }, 'a NACK from the client', 20_000, 100);
    expect(status!.streams.some((s) => s.nodeId === NODE_ID && s.types.some((t) => t.lastNack !== null))).toBe(true);
    expect((await cp.admin('/metrics')).body).toMatch(/oam_xds_nacks_total\{type="Listener"\} [1-9]/);
    await cp.waitForLog((l) => l.msg.startsWith('client rejected configuration'));
    // The client still runs the previous listener: header route to v2 and the pin route work.
    expect(await versions(client, 'WhoAmI', { 'x-canary': 'v2' })).toEqual(new Set(['serviceB-v2']));
    expect(await versions(client, 'WhoAmI', { 'x-pin': 'v1' })).toEqual(new Set(['serviceB-v1']));
    // A corrected spec is accepted again.
    const fixed = addPinRoute(setWeights(fixture(), 50, 50));
    route(fixed, 'canary-header').spec.grpcRoute.match.metadata[0].match = { exact: 'v2-new' };
    await writeSpec(fixed, 'applied');
    await waitFor(async () => (await unary<WhoAmIReply>(client, 'WhoAmI', {}, metadata({ 'x-canary': 'v2-new' }))).version === 'serviceB-v2'
      && (await versions(client, 'WhoAmI', { 'x-canary': 'v2-new' }, 20)).size === 1, 'the corrected route', 20_000, 50);
  });

  test('killed and restarted, the program leaves clients working from cache; they converge after reconnect', async () => {
    const client = echoClient();
    expect(await versions(client, 'WhoAmI', { 'x-pin': 'v1' })).toEqual(new Set(['serviceB-v1']));
    const port = cp.xdsPort;
    await cp.kill();
    // Control plane gone: RPCs still flow with the cached configuration.
    expect(await versions(client, 'WhoAmI', { 'x-pin': 'v1' })).toEqual(new Set(['serviceB-v1']));
    expectSplit(await split(client, 200), 200, 0.5);

    // Restart on the same port with a changed spec: pin now goes to v2 and the split is 100/0 → 75/25.
    const next = addPinRoute(setWeights(fixture(), 75, 25));
    route(next, 'pin-v1').spec.grpcRoute.action.weightedTargets = [{ virtualNode: 'serviceB-v2', weight: 1 }];
    fs.writeFileSync(specFile, JSON.stringify(next));
    cp = new ControlPlaneProcess(args(port));
    await cp.start();
    await waitFor(async () => (await versions(client, 'WhoAmI', { 'x-pin': 'v1' }, 5)).has('serviceB-v2'), 'convergence after reconnect', 30_000, 100);
    expect(await versions(client, 'WhoAmI', { 'x-pin': 'v1' }, 20)).toEqual(new Set(['serviceB-v2']));
  });

  test('SIGTERM drains streams and exits 0', async () => {
    const client = echoClient();
    await unary(client, 'WhoAmI', {});
    await cp.signal('SIGTERM');
    expect(cp.exitCode).toBe(0);
    expect(cp.logs.some((l) => l.msg === 'control plane stopped')).toBe(true);
    // Clients keep serving from cache after the drain.
    expect((await unary<WhoAmIReply>(client, 'WhoAmI', {})).version).toMatch(/^serviceB-v[12]$/);
  });
});
