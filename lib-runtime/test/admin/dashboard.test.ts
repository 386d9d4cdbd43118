/**
 * The dashboard's HTTP side against a real ControlPlane in process on the demo's mesh: the page
 * and its headers, the snapshot and the picture, the spec history, live updates over the event
 * stream, a NACK, and the Host rule without a token. (The browser test is dashboard-browser.test.ts.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventStreamReader, request } from './support/dashboard-http';
import { demoSpec, nackFirstListeners } from './support/dashboard-mesh';
import type { DashboardSnapshot } from '../../src/admin/dashboard/snapshot';
import type { ControlPlane } from '../../src/control-plane';
import { startFileControlPlane, stopFileControlPlane } from '../support/file-control-plane';
import { waitFor } from '../support/wait';
import type { AdsTestClient } from '../xds/ads-test-client';

jest.setTimeout(30_000);

describe('the dashboard of a running control plane', () => {
  let dir: string;
  let cp: ControlPlane;
  let port: number;
  const clients: AdsTestClient[] = [];
  const readers: EventStreamReader[] = [];

  const state = async (): Promise<DashboardSnapshot> => JSON.parse((await request(port, '/dashboard/state')).body);
  const publish = (content: string) => {
    fs.writeFileSync(path.join(dir, 'spec.json.tmp'), content);
    fs.renameSync(path.join(dir, 'spec.json.tmp'), path.join(dir, 'spec.json'));
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-dashboard-'));
    cp = await startFileControlPlane(dir, { spec: demoSpec(75), endpoints: { serviceB: [{ address: '127.0.0.1', port: 1 }] } });
    port = cp.ports.admin;
  });

  afterAll(async () => {
    for (const r of readers) r.close();
    await stopFileControlPlane(cp, dir, clients);
  });

  test('/dashboard redirects to /dashboard/, whose page loads only its own script and stylesheet under a strict CSP', async () => {
    const bare = await request(port, '/dashboard');
    expect(bare.status).toBe(308);
    expect(bare.headers.location).toBe('dashboard/');

    const page = await request(port, '/dashboard/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin', 'x-frame-options': 'DENY' });
    // Nothing inline and nothing from elsewhere: every script and stylesheet is a relative URL.
    expect(page.body).not.toMatch(/<script>|<style|\sstyle=|\son\w+=|https?:\/\//);
    expect(page.body).toContain('<script src="dashboard.js" defer></script>');

    const script = await request(port, '/dashboard/dashboard.js');
    expect(script).toMatchObject({ status: 200 });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain("new EventSource('events')");
    expect((await request(port, '/dashboard/dashboard.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await request(port, '/dashboard/nothing')).status).toBe(404);
    expect((await request(port, '/dashboard/state', { method: 'POST' })).status).toBe(405);
  });

  test('the snapshot names the served spec and every node; the picture is the graph of that spec', async () => {
    const snapshot = await state();
    expect(snapshot.spec).toEqual({ meshName: 'apps', version: expect.stringMatching(/^[0-9a-f]{12}$/) });
    expect(snapshot.nodes.map((n) => [n.nodeId, n.graphId, n.inSpec, n.proxies.length])).toEqual([
      ['mesh/apps/virtualNode/serviceA', 'virtualNode:serviceA', true, 0],
      ['mesh/apps/virtualNode/serviceB', 'virtualNode:serviceB', true, 0],
      ['mesh/apps/virtualNode/serviceBv2', 'virtualNode:serviceBv2', true, 0],
    ]);
    expect(snapshot.history[0]).toMatchObject({ outcome: 'applied', version: snapshot.spec!.version, errors: [] });

    const graph = await request(port, '/dashboard/graph.svg');
    expect(graph.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(graph.headers['content-security-policy']).toContain("default-src 'none'");
    for (const id of ['virtualNode:serviceA', 'virtualNode:serviceB', 'virtualNode:serviceBv2', 'virtualRouter:serviceB']) {
      expect(graph.body).toContain(`data-id="${id}"`);
    }
    expect(graph.body).toContain('>75%<');
  });

  test('the event stream sends the state at once, then each spec applied or rejected without being asked', async () => {
    const reader = new EventStreamReader();
    readers.push(reader);
    expect(await reader.open(port)).toBe(200);
    await waitFor(() => reader.latestState() !== undefined, 'the first state event');
    const first = reader.latestState<DashboardSnapshot>()!;

    publish(demoSpec(10));
    await waitFor(() => reader.latestState<DashboardSnapshot>()!.spec!.version !== first.spec!.version, 'the new spec on the stream');
    const applied = reader.latestState<DashboardSnapshot>()!;
    expect(applied.history.map((h) => h.outcome)).toEqual(['applied', 'applied']);
    expect((await request(port, '/dashboard/graph.svg')).body).toContain('>10%<');

    publish(demoSpec(10).replace('"virtualNode": "serviceBv2"', '"virtualNode": "nowhere"'));
    await waitFor(() => reader.latestState<DashboardSnapshot>()!.history[0].outcome === 'rejected', 'the rejection on the stream');
    const rejected = reader.latestState<DashboardSnapshot>()!;
    expect(rejected.spec!.version).toBe(applied.spec!.version);
    expect(rejected.history[0].origin).toBe(path.join(dir, 'spec.json'));
    expect(rejected.history[0].errors.length).toBeGreaterThan(0);
    expect(rejected.history[0].errors.join('\n')).toMatch(/nowhere/);
    expect(cp.xds.status().streams).toHaveLength(0);
  });

  test('a connected proxy shows per node with its versions; a NACK shows its message and leaves the proxy on its last version', async () => {
    const nodeId = 'mesh/apps/virtualNode/serviceBv2';
    const { client, version } = await nackFirstListeners(cp.ports.xds, nodeId, 'dashboard test: listener rejected on purpose');
    clients.push(client);
    await waitFor(async () => (await state()).recentNacks.length > 0, 'the NACK in the snapshot');
    const snapshot = await state();
    const node = snapshot.nodes.find((n) => n.nodeId === nodeId)!;
    expect(node.proxies).toHaveLength(1);
    expect(node.proxies[0]).toMatchObject({ state: 'nacked', userAgent: 'dashboard-test-raw-ads', protocol: 'sotw' });
    expect(node.proxies[0].types).toEqual([expect.objectContaining({
      type: 'Listener',
      sent: version,
      acked: null,
      awaitingAck: false,
      lastNack: expect.objectContaining({ message: 'dashboard test: listener rejected on purpose', rejectedVersion: version }),
    })]);
    expect(snapshot.recentNacks[0]).toMatchObject({ nodeId, type: 'Listener', message: 'dashboard test: listener rejected on purpose' });
  });

  test('without an admin token, only a Host that is an IP address or localhost gets the dashboard (DNS rebinding)', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      expect((await request(port, '/dashboard/state', { headers: { host } })).status).toBe(200);
    }
    const rebound = await request(port, '/dashboard/state', { headers: { host: `attacker.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('DNS rebinding');
    expect((await request(port, '/dashboard/', { headers: { host: 'attacker.example' } })).status).toBe(403);
  });
});
