/**
 * End to end: the real control-plane program (child process) serves a spec to real
 * @grpc/grpc-js-xds clients, which call real loopback gRPC backends serviceB-v1 and -v2.
 * (A valid spec never renders a config grpc-js rejects, so the NACK case is in nack.e2e.test.ts,
 * which feeds a bad resource to an in-process ControlPlane.)
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { AttemptLog, EchoBackend, WhoAmIReply } from './echo-backend';
import { waitFor } from '../support/wait';
import { ControlPlaneProcess } from './support/control-plane-process';
import { RemoteClient, RemoteClients } from './support/remote-clients';
import { expectBinomial as expectSplit } from '../support/binomial';

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

describe('control plane end to end (grpc-js-xds clients, loopback backends)', () => {
  const attempts: AttemptLog = new Map();
  const v1 = new EchoBackend('serviceB-v1', attempts);
  const v2 = new EchoBackend('serviceB-v2', attempts);
  let dir: string;
  let specFile: string;
  let endpointsFile: string;
  let cp: ControlPlaneProcess;
  const driver = new RemoteClients();
  let clientCount = 0;

  function args(xdsPort = 0): string[] {
    return [
      '--spec', specFile, '--endpoints', `static:${endpointsFile}`, '--insecure-plaintext', '--bind', '127.0.0.1',
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

  function echoClient(nodeId = NODE_ID, service: 'Echo' | 'EchoAdmin' = 'Echo'): Promise<RemoteClient> {
    return driver.open(`client-${++clientCount}`, service, SERVICE, cp.xdsPort, nodeId);
  }

  /** Versions that answered `n` sequential calls; any failed call fails the test. */
  async function answers(client: RemoteClient, method: string, md: Record<string, string>, n: number): Promise<string[]> {
    const outcomes = await client.calls(method, {}, md, n);
    const failed = outcomes.find((o) => o.error);
    if (failed) throw new Error(`RPC failed: ${failed.error!.code} ${failed.error!.details}`);
    return outcomes.map((o) => (o.reply as unknown as WhoAmIReply).version);
  }

  async function split(client: RemoteClient, n: number): Promise<number> {
    return (await answers(client, 'WhoAmI', {}, n)).filter((v) => v === 'serviceB-v1').length;
  }

  async function versions(client: RemoteClient, method: string, md: Record<string, string>, n = 10): Promise<Set<string>> {
    return new Set(await answers(client, method, md, n));
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
    await Promise.all([cp.start(), driver.start()]);
  });

  afterEach(() => {
    // A client-library crash inside the driver fails the test that caused it.
    expect(driver.uncaught).toEqual([]);
  });

  afterAll(async () => {
    await driver.stop();
    await cp?.kill();
    await Promise.all([v1.stop(), v2.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a 75/25 weighted route splits RPCs within binomial tolerance', async () => {
    const client = await echoClient();
    const n = 400;
    const v1Count = await split(client, n);
    expectSplit(v1Count, n, 0.75);
  });

  test('header, method and service-path matches reach serviceB-v2', async () => {
    const client = await echoClient();
    expect(await versions(client, 'WhoAmI', { 'x-canary': 'v2' })).toEqual(new Set(['serviceB-v2']));
    expect(await versions(client, 'WhoAmIV2', {})).toEqual(new Set(['serviceB-v2']));
    const admin = await echoClient(NODE_ID, 'EchoAdmin');
    expect(await versions(admin, 'WhoAmI', {})).toEqual(new Set(['serviceB-v2']));
    // A header value that does not match falls through to the weighted default route.
    expect((await versions(client, 'WhoAmI', { 'x-canary': 'v1' }, 40)).has('serviceB-v1')).toBe(true);
  });

  test('UNAVAILABLE is retried per the route retry policy', async () => {
    const client = await echoClient();
    const ok = await client.call<WhoAmIReply>('Flaky', { key: 'twice', fail_times: 2 });
    expect(ok.method).toBe('Flaky');
    expect(attempts.get('twice')).toBe(3);
    // maxRetries 3: four attempts, then the error reaches the caller.
    await expect(client.call('Flaky', { key: 'always', fail_times: 100 })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
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
    const stranger = await echoClient('mesh/apps/virtualNode/intruder');
    await expect(stranger.call('WhoAmI', {}, {}, 3000)).rejects.toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
    await stranger.close();
    await waitFor(async () => /oam_xds_streams_refused_total\{reason="unknownNode"\} [1-9]/.test((await cp.admin('/metrics')).body), 'the refusal metric');
    await cp.waitForLog((l) => l.msg === 'xds stream refused' && l.node === 'mesh/apps/virtualNode/intruder');
  });

  test('a spec change (new weights, a new route) reaches a running client', async () => {
    const client = await echoClient();
    await client.call('WhoAmI');
    await writeSpec(addPinRoute(setWeights(fixture(), 50, 50)), 'applied');
    await waitFor(async () => {
      const seen = await versions(client, 'WhoAmI', { 'x-pin': 'v1' }, 20);
      return seen.size === 1 && seen.has('serviceB-v1');
    }, 'the pin-v1 route', 20_000, 50);
    expectSplit(await split(client, 400), 400, 0.5);
  });

  test('an invalid spec file is rejected; clients keep their config', async () => {
    const client = await echoClient();
    const before = (await cp.admin('/metrics')).body.match(/oam_spec_rejections_total (\d+)/)?.[1] ?? '0';
    const bad = addPinRoute(fixture());
    route(bad, 'pin-v1').spec.grpcRoute.action.weightedTargets[0].virtualNode = 'serviceB-v9';
    await writeSpec(bad, 'rejected');
    const line = await cp.waitForLog((l) => l.msg === 'spec rejected; still serving the last good spec');
    expect((line.issues as string[]).join('\n')).toContain('virtual node "serviceB-v9" does not exist');
    const after = (await cp.admin('/metrics')).body.match(/oam_spec_rejections_total (\d+)/)?.[1];
    expect(Number(after)).toBe(Number(before) + 1);
    await writeSpec('{ "this is": not json', 'rejected');
    // Still the last good config: the pin route works and the split is 50/50.
    expect(await versions(client, 'WhoAmI', { 'x-pin': 'v1' })).toEqual(new Set(['serviceB-v1']));
    expectSplit(await split(client, 200), 200, 0.5);
    expect((await cp.admin('/readyz')).status).toBe(200);
  });

  test('killed and restarted, the program leaves clients working from cache; they converge after reconnect', async () => {
    const client = await echoClient();
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
    const client = await echoClient();
    await client.call('WhoAmI');
    await cp.signal('SIGTERM');
    expect(cp.exitCode).toBe(0);
    expect(cp.logs.some((l) => l.msg === 'control plane stopped')).toBe(true);
    // Clients keep serving from cache after the drain.
    expect((await client.call<WhoAmIReply>('WhoAmI')).version).toMatch(/^serviceB-v[12]$/);
  });
});
