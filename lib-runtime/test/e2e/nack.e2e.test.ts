/**
 * A configuration a client rejects (NACK): the real ControlPlane class in process, with real
 * grpc-js-xds clients. A valid spec never renders a config grpc-js rejects (translate makes
 * sure of that), so the bad listener is injected into the xDS server directly, standing for
 * a translation bug: the client must keep its last good config, the NACK must show in
 * /clients and /metrics, the bad version must not be pushed again, and the next good
 * render must be accepted.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { EchoBackend, WhoAmIReply } from './echo-backend';
import { groupName, ControlPlane } from '../../src/control-plane';
import { StaticFileDiscovery } from '../../src/discovery/static-file';
import { FileSpecSource } from '../../src/sources/file-spec-source';
import { LISTENER_TYPE_URL } from '../../src/xds/type-urls';
import { waitFor } from '../support/wait';
import { RemoteClient, RemoteClients } from './support/remote-clients';

jest.setTimeout(60_000);

const FIXTURE = path.join(__dirname, 'fixtures', 'canary-spec.json');
const NODE_ID = 'mesh/apps/virtualNode/serviceA';

function get(port: number, pathAndQuery: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: pathAndQuery }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** Every route action of a listener tree (objects holding `route: { cluster | weighted_clusters }`). */
function routeActions(node: unknown, out: Record<string, any>[] = []): Record<string, any>[] {
  if (Array.isArray(node)) {
    for (const item of node) routeActions(item, out);
  } else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, any>;
    if (o.route && typeof o.route === 'object' && ('weighted_clusters' in o.route || 'cluster' in o.route)) out.push(o.route);
    for (const value of Object.values(o)) routeActions(value, out);
  }
  return out;
}

describe('a configuration the client NACKs', () => {
  const attempts = new Map<string, number>();
  const v1 = new EchoBackend('serviceB-v1', attempts);
  const v2 = new EchoBackend('serviceB-v2', attempts);
  const driver = new RemoteClients();
  let dir: string;
  let cp: ControlPlane;
  let client: RemoteClient;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-nack-'));
    const [p1, p2] = await Promise.all([v1.start(), v2.start()]);
    fs.writeFileSync(path.join(dir, 'endpoints.json'), JSON.stringify({
      'serviceB-v1': [{ address: '127.0.0.1', port: p1 }],
      'serviceB-v2': [{ address: '127.0.0.1', port: p2 }],
    }));
    fs.writeFileSync(path.join(dir, 'spec.json'), fs.readFileSync(FIXTURE, 'utf8'));
    cp = new ControlPlane({
      spec: new FileSpecSource(path.join(dir, 'spec.json'), undefined, { debounceMs: 20, statIntervalMs: 100 }),
      discovery: new StaticFileDiscovery(path.join(dir, 'endpoints.json')),
      xdsAddress: '127.0.0.1:0',
      adminHost: '127.0.0.1',
      adminPort: 0,
      drainMs: 500,
    });
    await Promise.all([cp.start(), driver.start()]);
    client = await driver.open('nack-client', 'Echo', 'serviceb.apps.local', cp.ports.xds, NODE_ID);
  });

  afterAll(async () => {
    await driver.stop();
    await cp?.stop();
    await Promise.all([v1.stop(), v2.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('leaves the client on its last good version; the next good render is accepted', async () => {
    expect((await client.call<WhoAmIReply>('WhoAmI', {}, { 'x-canary': 'v2' })).version).toBe('serviceB-v2');
    const group = groupName(NODE_ID, 'proxyless');
    const goodVersion = cp.xds.version(group, LISTENER_TYPE_URL)!;
    expect(goodVersion).toBeDefined();

    // Had the client taken it, every route would go to serviceB-v1; num_retries 0 makes grpc-js reject it (gRFC A44).
    const bad = JSON.parse(JSON.stringify(cp.configOf(NODE_ID)!.proxyless.listeners)) as object[];
    const actions = routeActions(bad);
    expect(actions.length).toBeGreaterThan(0);
    const v1Cluster = JSON.stringify(bad).match(/"(cds_egress_apps_serviceB-v1_[^"]+)"/)![1];
    for (const action of actions) {
      if (action.weighted_clusters) action.weighted_clusters.clusters = [{ name: v1Cluster, weight: { value: 1 } }];
      else action.cluster = v1Cluster;
      action.retry_policy = { retry_on: 'unavailable', num_retries: { value: 0 } };
    }
    cp.xds.setSnapshot(group, { [LISTENER_TYPE_URL]: bad });
    const badVersion = cp.xds.version(group, LISTENER_TYPE_URL)!;
    expect(badVersion).not.toBe(goodVersion);

    await waitFor(() => cp.xds.status().recentNacks.some((n) => n.nodeId === NODE_ID && n.rejectedVersion === badVersion), 'the NACK', 15_000);
    const nack = cp.xds.status().recentNacks.find((n) => n.rejectedVersion === badVersion)!;
    expect(nack).toMatchObject({ typeUrl: LISTENER_TYPE_URL, acceptedVersion: goodVersion });
    expect(nack.message).toContain('num_retries');

    // Still the last good config: the header route reaches v2, unmatched calls are split.
    expect(new Set((await client.calls('WhoAmI', {}, { 'x-canary': 'v2' }, 10)).map((o) => (o.reply as unknown as WhoAmIReply)?.version)))
      .toEqual(new Set(['serviceB-v2']));
    const stream = cp.xds.status().streams.find((s) => s.nodeId === NODE_ID)!;
    const lds = stream.types.find((t) => t.typeUrl === LISTENER_TYPE_URL)!;
    expect(lds).toMatchObject({ ackedVersion: goodVersion, awaitingAck: false });
    expect(lds.lastNack?.rejectedVersion).toBe(badVersion);

    // No resend loop: the bad version is not pushed again.
    const responses = cp.xds.stats().responses;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(cp.xds.stats().responses).toBe(responses);

    // The admin views show it.
    const clients = JSON.parse(await get(cp.ports.admin, '/clients'));
    const mine = clients.streams.find((s: { nodeId: string }) => s.nodeId === NODE_ID);
    expect(mine.types.find((t: { type: string }) => t.type === LISTENER_TYPE_URL).lastNack.version).toBe(badVersion);
    expect(await get(cp.ports.admin, '/metrics')).toMatch(/oam_xds_nacks_total\{type="Listener"\} 1/);

    // A new spec renders a good listener again, which the client accepts.
    const spec = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
    spec.routes.find((r: { routeName: string }) => r.routeName === 'canary-header').spec.grpcRoute.match.metadata[0].match = { exact: 'v2-new' };
    const tmp = path.join(dir, 'spec.json.tmp');
    fs.writeFileSync(tmp, JSON.stringify(spec));
    fs.renameSync(tmp, path.join(dir, 'spec.json'));
    await waitFor(async () => {
      const outcomes = await client.calls('WhoAmI', {}, { 'x-canary': 'v2-new' }, 10);
      return outcomes.every((o) => (o.reply as unknown as WhoAmIReply)?.version === 'serviceB-v2');
    }, 'the corrected listener', 15_000, 50);
    const fixedVersion = cp.xds.version(group, LISTENER_TYPE_URL)!;
    await waitFor(() => cp.xds.status().streams.find((s) => s.nodeId === NODE_ID)!.types
      .find((t) => t.typeUrl === LISTENER_TYPE_URL)!.ackedVersion === fixedVersion, 'the ACK of the fixed version');
    expect(driver.uncaught).toEqual([]);
  });
});
